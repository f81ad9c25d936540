"""The reasons world 9 added, each as an SRE would say it: a cache scaled in throws its reads onto
the database behind it; a database refusing connections at its own limit is the database's failure,
whichever client reports it; a full connection-tracking table is the host's exhausted resource; a gRPC
message past the receiver's size limit is what the sender sent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oncall.analysts.offline.findings import reaction
from oncall.analysts.offline.patterns import classify
from oncall.tools.read_changes import Change
from tests.bundles import ALERT_AT, alertmanager, flat_then, investigated, iso, log, series, write_bundle

M = timedelta(minutes=1)
SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "cpu_utilization": 'cpu{service="{service}"}',
    "memory_utilization": 'memory{service="{service}"}',
    "latency_p99": 'latency_p99_seconds{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
}


def change(at, service: str, kind: str, key: str, old: str, new: str) -> dict:
    path = f"apps/{service}/values.yaml"
    return {
        "ts": iso(at),
        "service": service,
        "kind": kind,
        "from": f"{key}={old}",
        "to": f"{key}={new}",
        "author": "ops",
        "ref": f"c-{service}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


@pytest.mark.parametrize(
    ("old", "new", "is_reaction"),
    [("replicas=3", "replicas=6", True), ("count=3", "count=1", False), ("replicas=4", "replicas=0", False)],
)
def test_scaling_out_answers_load_and_scaling_in_takes_capacity_away(old, new, is_reaction):
    c = Change.model_validate({"ts": iso(ALERT_AT), "service": "cache", "kind": "scale", "from": old, "to": new})
    assert reaction(c) is is_reaction


@pytest.mark.parametrize(
    ("line", "category"),
    [
        ("nf_conntrack: nf_conntrack: table full, dropping packet", "resource_exhaustion"),
        ("8 RESOURCE_EXHAUSTED: Received message larger than max (5893112 vs 4194304)", "dependency_failure"),
        ("rpc error: code = ResourceExhausted desc = grpc: received message larger than max", "dependency_failure"),
        ("8 RESOURCE_EXHAUSTED: Quota exceeded for quota metric 'Read requests'", "resource_exhaustion"),
    ],
)
def test_what_ran_out_and_what_was_sent(line, category):
    assert classify(line) == category


def test_a_cache_scaled_in_is_blamed_for_the_database_its_misses_flood(tmp_path):
    """api reads through cache to db. cache is scaled in from 3 to 1 and shows nothing itself; minutes
    later db takes four times its reads, though api's own traffic is flat, and api's queries time out.
    api deployed routinely half an hour earlier. The cause is the cache's scale-in (likely, not proven:
    only load ties them)."""
    t0, at, end = ALERT_AT - timedelta(hours=6), ALERT_AT - 8 * M, ALERT_AT + 15 * M
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["cache", "db"], "cache": [], "db": []},
        alert=alertmanager("HighLatency", "api"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("api", "db")]
        + [
            log(
                at + 2 * M + i * 10 * timedelta(seconds=1),
                "api",
                "error",
                "canceling statement due to statement timeout",
            )
            for i in range(40)
        ],
        metric_lines=series("requests", "api", flat_then(t0, end, 80.0))
        + series("requests", "db", flat_then(t0, end, 100.0, at, 420.0))
        + series("cpu", "db", flat_then(t0, end, 0.3, at + M, 0.97))
        + series("latency_p99_seconds", "db", flat_then(t0, end, 0.006, at + M, 0.2))
        + series("memory", "cache", flat_then(t0, end, 0.5))
        + series("latency_p99_seconds", "api", flat_then(t0, end, 0.05, at + M, 0.5))
        + series("error_ratio", "api", flat_then(t0, end, 0.001, at + 2 * M, 0.05)),
        changes=[
            change(at - 30 * M, "api", "deploy", "image", "4.0.0", "4.0.1"),
            change(at - 4 * M, "cache", "scale", "count", "3", "1"),
        ],
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("cache", "recent_change")
    assert d.root_cause.confidence != "HIGH"
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "cache"


def test_a_database_at_its_connection_limit_is_blamed_not_the_client_reporting_it(tmp_path):
    """db's max_connections was cut by config; both its clients log PostgreSQL's 'sorry, too many
    clients already' and db logs the refusals itself; one client deployed routinely twenty minutes earlier."""
    t0, at, end = ALERT_AT - timedelta(hours=6), ALERT_AT - 8 * M, ALERT_AT + 15 * M
    refusals = [
        log(at + i * 10 * timedelta(seconds=1), svc, "error", text)
        for i in range(50)
        for svc, text in (
            ("api", "query failed: pq: sorry, too many clients already"),
            ("jobs", "psycopg2.OperationalError: FATAL:  sorry, too many clients already"),
            ("db", "FATAL:  sorry, too many clients already"),
        )
    ]
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api", "jobs"], "api": ["db"], "jobs": ["db"], "db": []},
        alert=alertmanager("HighErrorRate", "edge"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("api", "db")]
        + refusals,
        metric_lines=series("error_ratio", "api", flat_then(t0, end, 0.001, at, 0.3))
        + series("error_ratio", "jobs", flat_then(t0, end, 0.001, at, 0.3))
        + series("error_ratio", "edge", flat_then(t0, end, 0.001, at + M, 0.2))
        + series("error_ratio", "db", flat_then(t0, end, 0.001)),
        changes=[
            change(at - 20 * M, "api", "deploy", "image", "4.0.0", "4.0.1"),
            change(at - 3 * M, "db", "config", "max_connections", "400", "40"),
        ],
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("db", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "db"


def test_a_resource_at_its_limit_says_why_a_dependency_failed_its_callers_only_that_it_did(tmp_path):
    """db's disk fills over hours and db says nothing we can read; then its two callers' queries fail. The
    callers' errors say db failed; its full disk says why: resource exhaustion, not 'dependency failure'."""
    t0, at, end = ALERT_AT - timedelta(hours=6), ALERT_AT - 8 * M, ALERT_AT + 15 * M
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["db"], "jobs": ["db"], "db": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=[
            log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("api", "jobs")
        ]
        + [
            log(at + i * 10 * timedelta(seconds=1), svc, "error", "query to db failed: connection refused")
            for i in range(40)
            for svc in ("api", "jobs")
        ],
        metric_lines=series("disk", "db", flat_then(t0, end, 0.6, at - 3 * timedelta(hours=1), 0.99))
        + series("error_ratio", "db", flat_then(t0, end, 0.001, at, 0.5))
        + series("error_ratio", "api", flat_then(t0, end, 0.001, at, 0.4))
        + series("error_ratio", "jobs", flat_then(t0, end, 0.001, at, 0.4)),
        signals={**SIGNALS, "disk_utilization": 'disk{service="{service}"}'},
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("db", "resource_exhaustion")
