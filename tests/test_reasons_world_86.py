"""What world 86's first contact taught (a Singapore grocery marketplace on Cloud Run, its logs Cloud Logging's Log
Analytics view queried in BigQuery; written after world 85's rules and scored before any rule saw it): 0.667 /
0.750 / 0.667 / 0.667 on seeds 1-4, no wrong HIGH. Its lessons: a record kept as JSON text in one field keeps what
it caught inside it too; and calls that time out through a path that sits between a caller and what it reaches (a
VPC connector), saturated as they began, witness the path, not a store that shows nothing wrong."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    log,
    quiet_logs,
    read_logs_of,
    series,
    signals,
    trace_line,
    verdict,
    write_bundle,
)


def _row(t: datetime, service: str, record: dict) -> dict:
    """One row of the _AllLogs view as the console saves it: the payload and the resource's labels as JSON text."""
    return {"timestamp": f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond:06d} UTC", "severity": "INFO",
            "resource": {"type": "cloud_run_revision", "labels": json.dumps({"service_name": service})},
            "json_payload": json.dumps(record), "text_payload": None}  # fmt: skip


def test_what_a_record_kept_as_json_text_caught_is_read_from_inside_it(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    rows = [_row(ALERT_AT - 120 * M + i * M, "api", {"level": 30, "msg": "email sent"}) for i in range(60)]
    rows += [_row(ALERT_AT - 120 * M + i * M, "db", {"level": "info", "event": "stock read"}) for i in range(60)]
    rows += [
        _row(at + i * 10 * S, "api", {"level": 50, "msg": "email failed",
                                           "err": {"type": "ResponseError", "message": "Service Unavailable: 503"}})
        for i in range(20)
    ]  # fmt: skip
    rows += [
        _row(at + i * 10 * S, "db", {"level": "error", "event": "stock read failed",
                                            "exception": "redis.exceptions.TimeoutError: Timeout connecting"})
        for i in range(20)
    ]  # fmt: skip
    text = read_logs_of(tmp_path, sorted(rows, key=lambda r: r["timestamp"]))
    assert "email failed: Service Unavailable: 503" in text["api"], text["api"]
    assert "stock read failed: redis.exceptions.TimeoutError: Timeout connecting" in text["db"], text["db"]


def _through(tmp_path: Path, name: str, said: str = "Timeout connecting to server 10.8.0.3:6379", busy: int = 0,
             store_slow: bool = False, unnamed: bool = True, named: bool = True,
             through: tuple[str, ...] = ("cache", "db")) -> str:  # fmt: skip
    """api, which reaches the cache through the connector (the catalog says both), fails from `at` saying `said`; the connector's CPU reached its limit `busy` minutes from `at`, under twice its usual traffic;
    the cache shows nothing (or, `store_slow`, its own latency rose); `unnamed`: its calls to an address it does not
    name fail alike; `through`: what the catalog says the connector reaches."""
    at = ALERT_AT - 10 * M
    services = {"web": ["api"], "api": ["connector", "cache", "db"], "connector": list(through), "cache": [],
                "db": []}  # fmt: skip
    root = write_bundle(
        tmp_path / name,
        services=services,
        alert=alertmanager("ApiErrors", "api"),
        logs=quiet_logs("web", "api")
        + [log(at + i * 6 * S, "api", "error", f"stock read failed: cache: {said}") for i in range(80 if named else 0)]
        + [log(at + i * 12 * S, "api", "error", f"price read failed: host 10.20.0.5: {said}")
           for i in range(40 if unnamed else 0)],
        metric_lines=series("request_rate", "api", flat_then(T0, END, 30.0, at - 6 * M, 60.0))
        + series("request_rate", "connector", flat_then(T0, END, 55.0, at - 6 * M, 110.0))
        + series("cpu_utilization", "connector", flat_then(T0, END, 0.35, at + busy * M, 0.99))
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at, 0.3))
        + series("latency_p99", "api", flat_then(T0, END, 0.05, at, 10.0))
        + series("latency_p99", "cache", flat_then(T0, END, 0.001, at - M, 0.5) if store_slow
                 else flat_then(T0, END, 0.001))
        + series("cpu_utilization", "db", flat_then(T0, END, 0.3)),
        signals=signals("request_rate", "cpu_utilization", "error_ratio", "latency_p99"),
    )  # fmt: skip
    # api's traces (the connector and the stores are not traced): its own spans fail from `at`, as its calls do
    calls = {"web": ["api"], "api": []}
    (root / "traces.jsonl").write_text("".join(
        trace_line(ALERT_AT + m * M, calls, set(), k, frozenset({"api"}) if ALERT_AT + m * M >= at else frozenset())
        + "\n" for k, m in enumerate(range(-300, 15, 2))))  # fmt: skip
    return verdict(root)


def test_timeouts_through_a_saturated_path_witness_the_path_not_the_store_behind_it(tmp_path: Path) -> None:
    assert _through(tmp_path, "connector").startswith("connector/")
    # refused, not out of time: the store answered, so the path reached it
    assert not _through(tmp_path, "refused", said="Connection refused").startswith("connector/")
    # the path saturated only well after the timeouts began: not what they waited on
    assert not _through(tmp_path, "later", busy=10).startswith("connector/")
    # the store itself slowed: the timeouts may well be its own
    assert not _through(tmp_path, "slow-store", store_slow=True, unnamed=False).startswith("connector/")
    assert _through(tmp_path, "named", unnamed=False).startswith("connector/")
    # nor anything else api uses: no path between api and what it failed to reach
    assert not _through(tmp_path, "no-path", named=False, through=()).startswith("connector/")
