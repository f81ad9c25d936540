"""What world 58's first contact taught (a Polish parcel-locker operator on EKS, its logs SigNoz's ClickHouse
logs table exported as JSONEachRow; written after world 57's rules and scored before any rule saw it): 9 or 10
of 14 right on seeds 1-4, nothing said at HIGH, as no line was given its service (named only in a list of
values beside a list of keys); read, 10 of 14 with **4 wrong HIGHs** on each seed. Its reasons: a map written
as two parallel lists is read as the map; a drill is planned work, and a failover restarts what it moves; a
database that says a client's open transaction holds back its cleanup is not known to be the cause."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.tools.read_logs.paired import Pair, as_maps, pairs
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    log,
    quiet_logs,
    read_logs_of,
    series,
    setting_change,
    signals,
    write_bundle,
)

SIGNALS = signals("cpu_utilization", "latency_p99", "error_ratio", "request_rate", "memory_utilization", "restarts")


def _row(t: datetime, service: str, body: str) -> dict[str, Any]:
    """A row of SigNoz's logs table: the resource's attributes as a list of keys and a list of values."""
    resource = {"k8s.namespace.name": "lockers", "k8s.pod.name": f"{service}-7d9f8-x2k4q", "service.name": service}
    ns = int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000
    return {"timestamp": str(ns), "severity_text": "", "severity_number": 0, "body": body,
            "resources_string_key": list(resource), "resources_string_value": list(resource.values()),
            "attributes_string_key": ["log.iostream"], "attributes_string_value": ["stdout"]}  # fmt: skip


def test_a_map_written_as_two_parallel_lists_is_read_as_the_map(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    rows = [_row(T0 + i * 5 * M, s, "steady") for i in range(20) for s in ("api", "db")]
    rows += [_row(at + i * 10 * S, "api", "ERROR upstream db refused the connection") for i in range(12)]
    read = read_logs_of(tmp_path, rows)
    assert "(12 ERROR" in read["api"] and "20 lines in baseline" in read["db"], read["api"]
    # lists the file names are names: quoted, never SQL
    odd = "res'); DROP TABLE marks1; --"
    renamed = [{(k.replace("resources_string", odd) if k.startswith("resources") else k): v for k, v in r.items()}
               for r in rows]  # fmt: skip
    assert "(12 ERROR" in read_logs_of(tmp_path / "odd", renamed)["api"]


def test_only_lists_as_long_as_each_other_of_texts_as_keys_are_a_map() -> None:
    row = {"tags_key": ["a", "b"], "tags_value": ["1", "2"], "attributeKeys": ["x"], "attributeValues": ["y"]}
    assert pairs([row] * 3) == [
        Pair("attribute", "attributeKeys", "attributeValues"),
        Pair("tags", "tags_key", "tags_value"),
    ]
    assert as_maps([row], pairs([row]))[0]["tags"] == {"a": "1", "b": "2"}
    assert pairs([{"tags_key": ["a", "b"], "tags_value": ["1"]}] * 3) == []  # not as long as each other
    assert pairs([{"tags_key": [1, 2], "tags_value": ["1", "2"]}] * 3) == []  # keys that are no texts
    assert pairs([{"tags_key": ["a"], "tags_value": ["1"], "tags": "kept"}] * 3) == []  # a name the line has
    assert pairs([{"monkey": ["a"], "monvalue": ["1"]}] * 3) == []  # no separator: not a keys' list
    mostly = [{"tags_key": ["a"], "tags_value": ["1"]}] + [{"tags_key": "a", "tags_value": "1"}] * 3
    assert pairs(mostly) == []  # one line in four


def _drill(tmp_path: Path, to: str, errors: float = 0.002) -> Path:
    """db's primary moved by a change a minute before db restarts once; its clients warn for a minute; its
    errors stay at `errors`."""
    at = ALERT_AT - 15 * M
    warned = [log(at + i * 10 * S, "api", "warn", "connection is not available, retrying") for i in range(3)]
    return write_bundle(
        tmp_path / f"d{len(to)}{int(errors * 1000)}",
        services={"api": ["db"], "db": []},
        alert=alertmanager("PostgresPrimaryChanged", "db"),
        logs=quiet_logs("api", "db") + warned,
        metric_lines=series("restarts", "db", flat_then(T0, END, 0, at, 1))
        + series("error_ratio", "db", flat_then(T0, END, 0.002, at, errors)),
        changes=[setting_change(at - M, "db", "primary", "db-0", to, kind="ops")],
        signals=SIGNALS,
    )


def test_a_drill_is_planned_work_and_a_failover_restarts_what_it_moves(tmp_path: Path) -> None:
    drill = "db-1 (quarterly failover drill)"
    assert investigated(_drill(tmp_path, drill)).diagnosis.root_cause.category == "no_incident"
    # the same move not filed as planned work is a change like any other
    assert investigated(_drill(tmp_path, "db-1 (promoted)")).diagnosis.root_cause.category != "no_incident"
    # and a drill that fails requests is an incident
    assert investigated(_drill(tmp_path, drill, errors=0.3)).diagnosis.root_cause.category != "no_incident"


def _slow_store(tmp_path: Path, said: str) -> Path:
    """db busier and slower for ten minutes, its callers slower; db logs `said`."""
    at = ALERT_AT - 12 * M
    lines = [log(at + i * 20 * S, "db", "warn", said) for i in range(20)]
    return write_bundle(
        tmp_path / f"h{len(said)}",
        services={"api": ["db"], "db": []},
        alert=alertmanager("LookupsSlow", "api"),
        logs=quiet_logs("api", "db") + lines,
        metric_lines=series("cpu_utilization", "db", flat_then(T0, END, 0.38, at, 0.9))
        + series("latency_p99", "db", flat_then(T0, END, 0.005, at, 0.07))
        + series("latency_p99", "api", flat_then(T0, END, 0.12, at + M, 0.9)),
        signals=SIGNALS,
    )


def test_a_database_held_back_by_a_clients_open_transaction_is_not_known_to_be_the_cause(tmp_path: Path) -> None:
    busy = investigated(_slow_store(tmp_path, "checkpoints are occurring too frequently (9 seconds apart)"))
    assert busy.diagnosis.root_cause.service == "db" and busy.diagnosis.root_cause.confidence == "HIGH"
    held = "WARNING:  oldest xmin is far in the past HINT:  Close open transactions soon to avoid wraparound problems."
    doubted = investigated(_slow_store(tmp_path, held)).diagnosis.root_cause
    assert doubted.service == "db" and doubted.confidence == "MEDIUM"


def test_an_object_written_as_text_that_repeats_the_lines_own_fields_is_not_read_again() -> None:
    """Mezmo's `_line` holds a JSON line's text while Mezmo merged its fields in beside it: nothing there is new,
    so it is not looked into (which cost a tenth of a second a line)."""
    from oncall.tools.read_logs.envelopes import json_text

    merged = {"_line": '{"msg": "x", "level": "info"}', "msg": "x", "level": "info", "pod": "api-1"}
    assert json_text([merged] * 4) is None
    assert json_text([{"_line": '{"msg": "x", "level": "info"}', "pod": "api-1"}] * 4) == "_line"
