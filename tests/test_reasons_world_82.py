"""What world 82's first contact taught (a Vancouver ski resort's lift-pass platform on GKE, its logs Cloud Logging's
entries routed by a sink into BigQuery; written after world 81's rules and scored before any rule saw it): 0.714 on
each of seeds 1-4, no wrong HIGH, most of its structured lines read with no text at all. Its reasons: a record Cloud
Logging keeps in jsonPayload has its text under its logger's own key (zap's msg, structlog's event), what it
caught under error or exception, and with no text of its own (a request log) is read whole; and a timeout in a
service at its own limit under load that came first witnesses nothing against a dependency it cannot see."""

from __future__ import annotations

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
    investigated,
    log,
    quiet_logs,
    read_logs_of,
    series,
    signals,
    write_bundle,
)


def _row(t: datetime, service: str, severity: str, payload: dict) -> dict:
    """One row of Cloud Logging's BigQuery sink as the console saves it: a container's structured line."""
    return {"timestamp": f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond:06d} UTC", "severity": severity,
            "textPayload": None, "jsonPayload": payload,
            "resource": {"type": "k8s_container", "labels": {"pod_name": f"{service}-6f8c7d9b5-p3k8w",
                                                              "container_name": service}},
            "labels": {"k8s_pod_app": service}}  # fmt: skip


def test_a_cloud_logging_record_s_text_is_under_its_logger_s_own_key_or_is_the_record(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    rows = [_row(ALERT_AT - 120 * M + i * M, s, "INFO", {"msg": "scan accepted"}) for i in range(60) for s in ("api",)]
    rows += [_row(ALERT_AT - 120 * M + i * M, "db", "INFO", {"event": "cart priced"}) for i in range(60)]
    rows += [_row(at + i * 10 * S, "api", "ERROR", {"msg": "scan failed", "error": "context deadline exceeded"})
             for i in range(20)]  # fmt: skip
    rows += [_row(at + i * 10 * S, "db", "ERROR", {"event": "charge failed", "exception": "OperationalError: gone"})
             for i in range(12)]  # fmt: skip
    rows += [_row(at + i * 10 * S, "db", "ERROR", {"method": "GET", "path": "/passes", "status": "500"})
             for i in range(8)]  # fmt: skip
    text = read_logs_of(tmp_path, sorted(rows, key=lambda r: r["timestamp"], reverse=True))
    assert "scan failed: context deadline exceeded" in text["api"], text["api"]
    assert "charge failed: OperationalError: gone" in text["db"], text["db"]
    assert '"path":"/passes"' in text["db"] and "carry no text" not in text["db"], text["db"]


def _loaded(
    tmp_path: Path,
    name: str,
    more: bool = True,
    full_at: int = 4,
    cpu: float = 0.99,
    said: str = "scan failed: context deadline exceeded",
) -> str:
    """scan reads from the queue, which we cannot see; its requests quintupled (`more`) from `at`, its CPU rose to
    `cpu` `full_at` minutes after, and from six minutes after its calls failed with `said`."""
    at = ALERT_AT - 15 * M
    root = write_bundle(
        tmp_path / name,
        services={"scan": ["queue"], "queue": []},
        alert=alertmanager("ScansDelayed", "scan"),
        logs=quiet_logs("scan")
        + [log(at + 6 * M + i * 10 * S, "scan", "error", said) for i in range(50)],
        metric_lines=series("request_rate", "scan", flat_then(T0, END, 50.0, at, 250.0) if more
                            else flat_then(T0, END, 50.0))
        + series("cpu_utilization", "scan", flat_then(T0, END, 0.3, at + full_at * M, cpu))
        + series("latency_p99", "scan", flat_then(T0, END, 0.02, at + 5 * M, 6.0)),
        signals=signals("request_rate", "cpu_utilization", "latency_p99"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}"


def test_a_timeout_under_its_own_load_witnesses_nothing_against_a_dependency_it_cannot_see(tmp_path: Path) -> None:
    assert _loaded(tmp_path, "load") == "scan/capacity"
    # no more requests than usual: its calls to the queue ran out of time, and the queue is what it waits on
    assert _loaded(tmp_path, "quiet", more=False) == "queue/dependency_failure"
    # at its limit only after its calls failed, or never at it: its calls' time ran out on the queue
    for name, kw in (("after", {"full_at": 12}), ("below", {"cpu": 0.6})):
        assert _loaded(tmp_path, name, **kw) == "queue/dependency_failure", name  # type: ignore[arg-type]
    # at its limit before the load came: its own exhaustion, not that load over capacity
    assert _loaded(tmp_path, "before", full_at=-10) == "scan/resource_exhaustion"
    # refused, not out of time: the queue turned its calls away, whatever its own load
    assert _loaded(tmp_path, "refused", said="scan failed: connection refused") == "queue/dependency_failure"
