"""What world 92's first contact taught (a Regensburg automotive supplier's self-managed GitLab, its logs Vector's
file-source events; written after world 91's rules and scored before any rule saw it): 0.571 / 0.571 / 0.714 /
0.571 on seeds 1-4, no wrong HIGH, with most lines filed under the wrong service or none. Its lessons:

- a log file is its program's, the host it was read on may run several: when the lines name no service in a
  field this reader knows and their file paths name catalogued services, whose a line is is read from its path
  first (NGINX, Workhorse and Puma on one node named after Puma);
- a program's JSON line kept whole as a line's text is at the level its JSON gives, wherever in the line its logger
  put it (logrus sorts its keys: the level after a long error), and a run of twenty capitals and digits (a ULID
  correlation id) is an id, masked like a number, so the line's repeats are one shape;
- read so, a connection that timed out before it opened was blamed at HIGH as a dependency failing the caller (or,
  read as the caller's network, as its own way out): it never reached the other side, and which end of the way
  failed, the far host, its link or the caller's, is not in those words (likely, not established)."""

from __future__ import annotations

import json
from pathlib import Path

from oncall.tools.read_logs import LogQuery
from oncall.tools.read_logs.embedded import JsonlLogs
from tests.bundles import ALERT_AT as AT
from tests.bundles import (
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
    signals,
    write_bundle,
)


def _event(at_s: int, host: str, path: str, line: str) -> dict:
    """Vector's file-source event of one line, written `at_s` seconds before the alert and read a second later."""
    read = AT - (at_s - 1) * S
    return {"file": path, "host": f"{host}.example.lan", "message": line, "source_type": "file",
            "timestamp": read.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}  # fmt: skip


def _logrus(at_s: int, level: str, msg: str, error: str, i: int) -> str:
    """A logrus JSON line as Praefect writes it: keys sorted, a ULID correlation id, the level after the error."""
    ulid = f"01J{i:02d}NB1QESQASVCVQ52SEN{i % 10}T"
    at = AT - at_s * S
    return json.dumps({"correlation_id": ulid, "error": error, "grpc.time_ms": 12.5 + i, "level": level, "msg": msg,
                       "pid": 2210, "storage": "db-2", "time": at.strftime("%Y-%m-%dT%H:%M:%S.000Z")},
                      sort_keys=True, separators=(",", ":"))  # fmt: skip


def test_a_lines_file_path_says_whose_it_is_before_the_host_it_ran_on(tmp_path: Path) -> None:
    # the api's node is named after it and runs the database too; each program writes its own file
    api, db = "/var/log/stack/api/current", "/var/log/stack/db/postgresql.log"
    records = (
        [_event(7200 - 300 * i, "api-01", api, f"GET /orders/{i} 200") for i in range(20)]
        + [_event(7100 - 300 * i, "api-01", db, "LOG:  checkpoint complete") for i in range(20)]
        + [_event(600 - 10 * i, "api-01", db, "FATAL:  remaining connection slots are reserved") for i in range(30)]
    )
    said = read_logs_of(tmp_path, records)
    assert "remaining connection slots are reserved" in said["db"], said["db"]
    assert "remaining connection slots" not in said["api"], said["api"]
    assert "checkpoint complete" not in said["api"]


def test_the_folders_every_log_is_kept_under_name_no_service(tmp_path: Path) -> None:
    # `log` is a word of log-shipper's name, and every path below says it: the kernel's log on db's host is db's
    known = ["api", "db", "log-shipper"]
    records = (
        [_event(7200 - 300 * i, "api-01", "/var/log/api/api.log", f"GET /orders/{i} 200") for i in range(20)]
        + [_event(7100 - 300 * i, "log-shipper-01", "/var/log/filebeat/filebeat.log", "Non-zero metrics")
           for i in range(20)]
        + [_event(7000 - 300 * i, "db-01", "/var/log/db/postgresql.log", "LOG:  checkpoint complete")
           for i in range(20)]
        + [_event(600 - 10 * i, "db-01", "/var/log/kern.log", "kernel: Out of memory: Killed process 4321 (postgres)")
           for i in range(30)]
    )  # fmt: skip
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    logs = JsonlLogs(path)

    def lines_of(service: str) -> int:
        q = LogQuery(service=service, start=AT - 45 * M, end=AT, baseline_start=AT - 8 * 60 * M, known=known)
        return logs.stats(q).total

    # (five of its own lines in the window, and the kernel's thirty; five of the shipper's own)
    assert (lines_of("db"), lines_of("log-shipper")) == (35, 5)


def test_a_programs_json_line_kept_whole_is_at_its_own_level_and_one_shape(tmp_path: Path) -> None:
    error = "rpc error: code = Unavailable desc = connection error: " + "x" * 150  # the level comes after it
    path = "/var/log/stack/api/current"
    records = (
        [_event(7200 - 300 * i, "api-01", path, f"GET /orders/{i} 200") for i in range(20)]
        + [_event(7100 - 300 * i, "db-01", "/var/log/stack/db/postgresql.log", "LOG:  checkpoint complete")
           for i in range(20)]
        + [_event(600 - 10 * i, "api-01", path, _logrus(600 - 10 * i, "warning", "finished call with code Unavailable",
                                                         error, i)) for i in range(30)]
    )  # fmt: skip
    said = read_logs_of(tmp_path, records)
    lines = said["api"].splitlines()
    # one template of the thirty (their ULIDs and timings differ), at the level logrus gave it, not the one the
    # word "error" would imply; the fields beside the message (which storage) kept
    shaped = [x for x in lines if "WARN 30x" in x and "finished call with code Unavailable" in x]
    assert shaped and '"storage":"db-' in shaped[0], said["api"]
    assert not any(" ERROR " in x for x in lines), said["api"]


def _unreached(tmp_path: Path, name: str, says: str, changed: bool = False) -> tuple[str, str]:
    """api (which calls db and cache) fails a fifth of its calls from eight minutes before the alert with `says`;
    db and cache log and serve as ever. (service/category, confidence)."""
    at = AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"api": ["db", "cache"], "db": [], "cache": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=quiet_logs("api", "db", "cache") + [log(at + i * 10 * S, "api", "error", says) for i in range(40)],
        metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.003, at, 0.2))
        + series("error_ratio", "db", flat_then(T0, END, 0.002))
        + series("request_rate", "db", flat_then(T0, END, 80.0))
        + series("request_rate", "cache", flat_then(T0, END, 300.0)),
        changes=[{"ts": (at - 2 * M).isoformat(), "service": "api", "kind": "config", "from": "egress: open",
                  "to": "egress: deny 10.40.3.0/24", "author": "ops"}] if changed else [],
        signals=signals("error_ratio", "request_rate"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.root_cause.confidence


def test_a_connection_that_never_opened_names_neither_end_of_the_way(tmp_path: Path) -> None:
    dial = "query failed: dial tcp 10.40.3.13:5432: i/o timeout"
    # never reached the other side: something it depends on failed it, and which end of the way is not said
    assert _unreached(tmp_path, "dial", dial) == ("api/dependency_failure", "MEDIUM")
    assert _unreached(tmp_path, "java", "SocketTimeoutException: connect timed out") == (
        "api/dependency_failure",
        "MEDIUM",
    )
    # a timeout reading an answer that was being given: the other side is slow, no doubt about the way there
    read = "query failed: read tcp 10.40.1.7:41234->10.40.3.13:5432: i/o timeout"
    assert _unreached(tmp_path, "read", read) == ("api/dependency_failure", "HIGH")
    # a way out that refuses to route says so: its own network
    assert _unreached(tmp_path, "route", "query failed: dial tcp 10.40.3.13:5432: connect: no route to host") == (
        "api/network",
        "HIGH",
    )
    # its own egress rule changed just before: that change
    assert _unreached(tmp_path, "egress", dial, changed=True) == ("api/recent_change", "HIGH")
