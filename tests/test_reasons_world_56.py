"""What world 56's first contact taught (a PIX payments platform on VMs running Docker Compose, its logs
Splunk's REST export of what Docker's splunk driver sent; written after world 55's rules and scored before any
rule saw it): 8 or 9 of 14 right on seeds 1-4, nothing said at HIGH, as no line was read (the export's time is
`_time`, and each line is a JSON object written as text in `_raw`); read, 12 of 14 with none wrong at HIGH.
Its reasons: an export's event keeps its time under a name that says so, whichever; a field whose text is a
JSON object carries the line's own fields; a Compose container's name is its stack's, then its service's;
callers that cannot reach an address, as the one dependency they call stops receiving calls, cannot reach
that dependency."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.tools.read_logs.hosts import stacked
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


def _result(t: datetime, service: str, line: str, raw: str | None = None, stack: str = "pagaja") -> dict[str, Any]:
    """A result of Splunk's export of Docker's splunk driver's inline events: the driver's JSON as `_raw`."""
    event = {"line": line, "source": "stdout", "tag": f"{stack}-{service}-1"}
    result = {"_raw": raw if raw is not None else json.dumps(event), "_time": t.isoformat(), "host": "vm-app-01",
              "_indextime": str(int(t.timestamp()) + 2), "index": "pix", "sourcetype": "httpevent",
              "source": "http:docker"}  # fmt: skip
    return {"preview": False, "offset": 0, "result": result}


def test_an_exports_event_written_as_text_is_read_as_the_lines_own_fields(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    steady = [_result(T0 + i * 5 * M, s, "steady") for i in range(20) for s in ("api", "db")]
    errors = [_result(at + i * 10 * S, "api", 'level=ERROR msg="db refused the connection"') for i in range(12)]
    # a line the host's syslog sent, whose text is no JSON, is read as the text it is (its host is db's)
    host = [_result(at + i * 10 * S, "db", "", raw="Aug 21 04:37:26 db-1 kernel: eth0 link down") for i in range(3)]
    host = [{**r, "result": {**r["result"], "host": "db-1"}} for r in host]
    read = read_logs_of(tmp_path / "export", steady + errors + host)
    assert "(12 ERROR" in read["api"] and "skipped" not in read["api"], read["api"]
    assert "api-1: level=ERROR" in read["api"]  # the line as written, its pod the container without its stack
    assert "20 lines in baseline" in read["db"] and "kernel: eth0 link down" in read["db"]
    # in Compose v1's spelling too
    v1 = [_result(T0 + i * 5 * M, s, "steady", stack="pix_stack") for i in range(20) for s in ("api", "db")]
    v1 = [{**r, "result": {**r["result"], "_raw": r["result"]["_raw"].replace("pix_stack-", "pix_stack_")}} for r in v1]
    assert "20 lines in baseline" in read_logs_of(tmp_path / "v1", v1)["db"]


def test_a_known_text_field_holding_json_stays_the_lines_text(tmp_path: Path) -> None:
    """A program's JSON line in `message` is its text, as ever: its words are read there, not its fields
    instead of the line's (here its `service` would name another)."""
    at = ALERT_AT - 5 * M
    said = json.dumps({"service": "db", "msg": "db refused the connection", "level": "error"})
    lines = quiet_logs("api", "db") + [log(at + i * 10 * S, "api", "error", said) for i in range(12)]
    read = read_logs_of(tmp_path, lines)
    assert "(12 ERROR" in read["api"] and "db refused" in read["api"]


def test_only_a_field_this_reader_does_not_know_carries_the_lines_fields_as_json() -> None:
    from oncall.tools.read_logs.envelopes import json_text, unwrapped

    raw = [{"_raw": json.dumps({"line": "x", "host": "inner"}), "host": "outer"} for _ in range(4)]
    assert json_text(raw) == "_raw"
    assert unwrapped(raw, "_raw")[0] == {"line": "x", "host": "outer", "_raw": raw[0]["_raw"]}  # the line's own win
    assert json_text([{"message": json.dumps({"msg": "x"})} for _ in range(4)]) is None  # a text it knows
    assert json_text([{"_raw": json.dumps({"a": 1}) if i == 0 else "plain"} for i in range(4)]) is None  # 1 in 4


def test_an_exports_time_is_any_field_named_as_one() -> None:
    from oncall.tools.read_logs.envelopes import envelope

    events = [{"offset": i, "result": {"_time": "2026-08-21T04:37:26.714-03:00", "_raw": "x"}} for i in range(4)]
    assert envelope(events) == "result"
    # a wrapped object without a time is no event: lines with no time are not made into events by it
    assert envelope([{"offset": i, "result": {"_raw": "x", "count": "12"}} for i in range(4)]) is None
    # nor is a number under a name that does not say it is a time
    assert envelope([{"offset": i, "result": {"_raw": "x", "bytes": 1787297849}} for i in range(4)]) is None


def test_a_compose_containers_name_is_its_stacks_then_its_services() -> None:
    names = {"pix-gateway", "ledger", "db"}
    assert stacked("pagaja-pix-gateway-2", names) == "pagaja-"
    assert stacked("acme-shop-ledger-12", names) == "acme-shop-"
    assert stacked("shop_db_1", names) == "shop_"
    assert stacked("pagaja-pix-gateway", names) is None  # no instance number: not Compose's
    assert stacked("pagaja-pix-gateway-x", names) is None
    assert stacked("pagaja-other-2", names) is None
    assert stacked("ledger-2", names) is None  # no stack: the service's own name, read as such elsewhere
    from oncall.tools.read_logs.hosts import stack_of

    tags = [{"tag": f"pagaja-ledger-{i}"} for i in range(3)]
    assert stack_of(tags, "tag", sorted(names)) == "pagaja-"
    assert stack_of([*tags[:1], *({"tag": "vm-app-01"} for _ in range(3))], "tag", sorted(names)) is None


def _unreachable(
    tmp_path: Path,
    callers_changed: bool = False,
    traffic_falls: bool = True,
    failing: tuple[str, ...] = ("api", "worker"),
    said: str = "dial tcp 10.20.0.50:5432: connect: no route to host",
) -> Path:
    """api calls db, worker calls db and cache; from `at` the `failing` ones fail to reach an address (no route
    to host) and db receives almost no calls (cache too when only worker fails); db logs nothing wrong."""
    at = ALERT_AT - 10 * M
    logs = quiet_logs("api", "worker", "db", "cache") + [
        log(at + i * 10 * S, s, "error", f"posting failed: {said}") for i in range(30) for s in failing
    ]
    rate = flat_then(T0, END, 400, at, 12) if traffic_falls else flat_then(T0, END, 400, at, 400)
    cache = flat_then(T0, END, 900, at, 20 if "api" not in failing else 900)
    changes = [setting_change(at - 3 * M, "api", "egress", "10.20.0.0/16", "10.30.0.0/16")] if callers_changed else []
    return write_bundle(
        tmp_path / f"u{int(callers_changed)}{int(traffic_falls)}{len(failing)}{len(said)}",
        services={"api": ["db"], "worker": ["db", "cache"], "db": [], "cache": []},
        alert=alertmanager("PostingsFailing", failing[0]),
        logs=logs,
        metric_lines=series("request_rate", "db", rate)
        + series("request_rate", "cache", cache)
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at, 0.8 if "api" in failing else 0.002))
        + series("error_ratio", "worker", flat_then(T0, END, 0.002, at, 0.5))
        + series("error_ratio", "db", flat_then(T0, END, 0.001, at, 0.001)),
        changes=changes,
        signals=SIGNALS,
    )


def test_callers_that_cannot_reach_the_dependency_their_calls_stopped_arriving_at_name_it(tmp_path: Path) -> None:
    rc = investigated(_unreachable(tmp_path)).diagnosis.root_cause
    assert (rc.service, rc.category) == ("db", "network")
    # with db's traffic steady, nothing says where the calls went: the callers' errors stay their own
    assert investigated(_unreachable(tmp_path, traffic_falls=False)).diagnosis.root_cause.service != "db"
    # a caller that had just changed how it reaches others cut itself off: its change, not db
    assert investigated(_unreachable(tmp_path, callers_changed=True)).diagnosis.root_cause.service == "api"
    # and when both of a caller's dependencies stopped receiving calls at once, its errors name neither
    alone = investigated(_unreachable(tmp_path, failing=("worker",))).diagnosis.root_cause
    assert alone.service == "worker"
    # a name that did not resolve is the resolver's failure, not the way to db
    unresolved = "A network-related error occurred while connecting to SQL Server: No such host is known"
    assert investigated(_unreachable(tmp_path, said=unresolved)).diagnosis.root_cause.service != "db"
