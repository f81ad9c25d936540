"""Who is blamed when two services fail together: a caller whose errors are about its dependency is
that dependency's victim, however loud; and a service that broke while a dependency of its own was
already visibly failing is not named at HIGH, since the earlier failure below may be the cause."""

from __future__ import annotations

from datetime import timedelta

from tests.bundles import ALERT_AT, END, T0, M, alertmanager, flat_then, investigated, iso, log, series, write_bundle

SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
    "latency_p99": 'latency_p99_seconds{service="{service}"}',
    "cpu_utilization": 'cpu_ratio{service="{service}"}',
    "memory_utilization": 'memory_ratio{service="{service}"}',
}
QUIET = [log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("web", "search")]


def test_a_loud_caller_whose_errors_name_its_dependency_is_not_blamed_above_it(tmp_path):
    """web's errors all say its calls to search time out; web also had a deploy that morning, which
    alone would put it first. search is only slow. The errors are about search: search first."""
    at = ALERT_AT - 10 * M
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["search"], "search": []},
        alert=alertmanager("HighErrorRate", "web"),
        logs=QUIET
        + [log(at + i * 3 * timedelta(seconds=1), "web", "error", "query to search timed out after 2000ms") for i in range(400)],
        metric_lines=series("requests", "web", flat_then(T0, END, 100.0))
        + series("error_ratio", "web", flat_then(T0, END, 0.001, at, 0.4))
        + series("latency_p99_seconds", "web", flat_then(T0, END, 0.2, at, 2.1))
        + series("requests", "search", flat_then(T0, END, 100.0))
        + series("latency_p99_seconds", "search", flat_then(T0, END, 0.1, at - M, 2.5)),
        changes=[{"ts": iso(ALERT_AT - timedelta(hours=5)), "service": "web", "kind": "deploy", "from": "1.4.0",
                  "to": "1.4.1", "author": "ci", "ref": "r", "diff": None}],
        signals=SIGNALS,
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert d.root_cause.service == "search"


def test_a_service_that_broke_after_its_dependency_saturated_is_not_named_at_high(tmp_path):
    """web runs out of heap from 13:50, on its own evidence (memory and CPU at the limit, its own errors),
    but search, which web calls, was already logging long pauses of its own from 13:46: web has the
    louder evidence, and search may still be why."""
    at = ALERT_AT - 10 * M
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["search"], "search": []},
        alert=alertmanager("HighErrorRate", "web"),
        logs=QUIET
        + [log(at + i * 3 * timedelta(seconds=1), "web", "error", "java.lang.OutOfMemoryError: Java heap space") for i in range(400)]
        + [log(at - 4 * M + i * 20 * timedelta(seconds=1), "search", "warn", "GC pause of 1900ms") for i in range(12)],
        metric_lines=series("requests", "web", flat_then(T0, END, 100.0))
        + series("error_ratio", "web", flat_then(T0, END, 0.001, at, 0.4))
        + series("requests", "search", flat_then(T0, END, 100.0))
        + series("memory_ratio", "web", flat_then(T0, END, 0.5, at, 0.99))
        + series("cpu_ratio", "web", flat_then(T0, END, 0.3, at, 0.98))
        + series("latency_p99_seconds", "web", flat_then(T0, END, 0.2, at, 3.0))
        + series("latency_p99_seconds", "search", flat_then(T0, END, 0.1, at - 4 * M, 1.9)),
        signals=SIGNALS,
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert d.root_cause.service == "web" and d.root_cause.confidence != "HIGH"
