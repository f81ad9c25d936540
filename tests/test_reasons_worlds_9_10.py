"""The reasons worlds 9 and 10 added, each as an SRE would say it: a cache scaled in throws its reads
onto the database behind it; a database refusing connections at its own limit is the database's
failure, whichever client reports it; a full connection-tracking table is the host's exhausted
resource; a gRPC message past the receiver's size limit is what the sender sent; a resource at its
limit says why a dependency failed; a proxy's unnamed upstream errors right after one upstream changed
are that change's; a consumer failing on the field its producer just renamed blames the producer; a
store's connections filling from one client's release blame that release."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from oncall.analysts.offline.findings import reaction
from oncall.analysts.offline.patterns import classify
from oncall.tools.read_changes import Change
from tests.bundles import ALERT_AT, M, alertmanager, flat_then, investigated, iso, log, series, write_bundle

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


@pytest.mark.parametrize(
    "line",
    [
        'ERROR:  database is not accepting commands to avoid wraparound data loss in database "main"',
        "Error accepting a client connection: max number of clients reached",
    ],
)
def test_what_world_10_found_running_out(line):
    """PostgreSQL out of transaction IDs; Redis at its maxclients."""
    assert classify(line) == "resource_exhaustion"


def test_a_proxys_unnamed_upstream_errors_right_after_one_upstreams_change_blame_that_change(tmp_path):
    """The edge proxy logs 'upstream prematurely closed connection' naming only an address, two
    minutes after one of its two upstreams cut its keep-alive timeout; that upstream shows nothing."""
    t0, at, end = ALERT_AT - timedelta(hours=6), ALERT_AT - 8 * M, ALERT_AT + 15 * M
    closed = "upstream prematurely closed connection while reading response header from upstream, upstream: 10.4.1.9"
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api", "admin"], "api": [], "admin": []},
        alert=alertmanager("HighErrorRate", "edge"),
        logs=[
            log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("edge", "api")
        ]
        + [log(at + i * 10 * timedelta(seconds=1), "edge", "error", closed) for i in range(40)],
        metric_lines=series("error_ratio", "edge", flat_then(t0, end, 0.001, at, 0.06))
        + series("error_ratio", "api", flat_then(t0, end, 0.001))
        + series("error_ratio", "admin", flat_then(t0, end, 0.001)),
        changes=[
            change(at - 2 * M, "api", "config", "keepAliveTimeout", "75", "5"),
            change(at - 5 * timedelta(hours=1), "admin", "deploy", "image", "1.0.0", "1.0.1"),
        ],
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("api", "recent_change")
    # one stray failing trace of the edge's own does not make its failures its own
    (root / "traces.jsonl").write_text(
        json.dumps({"resourceSpans": [server_span("edge", at + 5 * M, "upstream prematurely closed connection")]})
        + "\n"
        + "".join(
            json.dumps({"resourceSpans": [server_span("edge", at - k * 10 * M, "")]}) + "\n" for k in range(1, 12)
        )
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("api", "recent_change")


def server_span(service: str, at, error: str) -> dict:
    """One OTLP resource with one SERVER span of `service` at `at`, failed with `error` if given."""
    ns = str(int(at.timestamp() * 1e9))
    end = str(int((at + timedelta(milliseconds=20)).timestamp() * 1e9))
    span = {
        "traceId": f"{int(at.timestamp()):032x}",
        "spanId": f"{int(at.timestamp()):016x}",
        "name": f"{service} handle",
        "kind": 2,
        "startTimeUnixNano": ns,
        "endTimeUnixNano": end,
        "status": {"code": 2, "message": error} if error else {"code": 0},
    }
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]}
    return {"resource": resource, "scopeSpans": [{"spans": [span]}]}


def test_a_consumer_failing_on_the_field_its_producer_just_renamed_blames_the_producer(tmp_path):
    """producer and consumer share a queue; the producer's release renames deviceId; a minute later the
    consumer fails on every event, naming the missing deviceId. The producer itself is healthy."""
    t0, at, end = ALERT_AT - timedelta(hours=6), ALERT_AT - 8 * M, ALERT_AT + 15 * M
    missing = "MismatchedInputException: Missing required creator property 'deviceId' (index 0)"
    root = write_bundle(
        tmp_path / "b",
        services={"producer": ["queue"], "consumer": ["queue"], "queue": []},
        alert=alertmanager("ConsumerLagHigh", "consumer"),
        logs=[
            log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok")
            for i in range(20)
            for s in ("producer", "consumer")
        ]
        + [log(at + i * 5 * timedelta(seconds=1), "consumer", "error", missing) for i in range(60)],
        metric_lines=series("error_ratio", "consumer", flat_then(t0, end, 0.001, at, 0.9))
        + series("error_ratio", "producer", flat_then(t0, end, 0.001)),
        changes=[change(at - 2 * M, "producer", "deploy", "event.schema.id_field", "deviceId", "device_id")],
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("producer", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "producer"


def test_connections_filling_from_one_clients_release_blame_that_release_not_the_store(tmp_path):
    """Redis's clients climb from minutes after api's release until it refuses everyone (api and jobs
    alike); jobs did not change. api leaks the connections: roll back api, not restart Redis."""
    t0, at, end = ALERT_AT - timedelta(hours=6), ALERT_AT - 6 * M, ALERT_AT + 15 * M
    release = at - 40 * M
    ramp = [(t, min(1.0, 0.2 + max(0.0, (t - release - 2 * M) / (36 * M)) * 0.8)) for t, _ in flat_then(t0, end, 0)]
    refused = "ERR max number of clients reached"
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api", "jobs"], "api": ["redis"], "jobs": ["redis"], "redis": []},
        alert=alertmanager("HighErrorRate", "edge"),
        logs=[
            log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok")
            for i in range(20)
            for s in ("api", "jobs", "redis")
        ]
        + [log(at + i * 10 * timedelta(seconds=1), s, "error", refused) for i in range(40) for s in ("api", "jobs")]
        + [
            log(
                at + i * 30 * timedelta(seconds=1),
                "redis",
                "error",
                "Error accepting a client connection: " + refused[4:],
            )
            for i in range(30)
        ],
        metric_lines=series("clients", "redis", ramp)
        + series("error_ratio", "api", flat_then(t0, end, 0.001, at, 0.3))
        + series("error_ratio", "jobs", flat_then(t0, end, 0.001, at, 0.3))
        + series("error_ratio", "edge", flat_then(t0, end, 0.001, at + M, 0.2)),
        changes=[change(release, "api", "deploy", "image", "8.8.0", "8.9.0")],
        signals={**SIGNALS, "pool_utilization": 'clients{service="{service}"}'},
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("api", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "api"


def test_what_has_all_healed_is_never_certain(tmp_path):
    """api's errors jumped for four minutes and were back at baseline by the end of the window; its own
    lines and its caller's say it failed then. Whatever is said of it, nothing lasting shows it: not HIGH."""
    t0, at, end = ALERT_AT - timedelta(hours=6), ALERT_AT - 3 * M, ALERT_AT + 15 * M
    blip = [(t, 0.5 if at <= t < at + 4 * M else v) for t, v in flat_then(t0, end, 0.001)]
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api"], "api": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=[
            log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("edge", "api")
        ]
        + [
            log(at + i * 20 * timedelta(seconds=1), "api", "error", "NullPointerException in OrderHandler")
            for i in range(12)
        ]
        + [log(at + i * 20 * timedelta(seconds=1), "edge", "error", "api returned 500") for i in range(12)],
        metric_lines=series("error_ratio", "api", blip) + series("error_ratio", "edge", flat_then(t0, end, 0.001)),
        signals=SIGNALS,
    )
    assert investigated(root).diagnosis.root_cause.confidence != "HIGH"


def client_call(service: str, peer: str, at, error: str, n: int) -> dict:
    """One trace entering at edge: edge calls `service`, which calls `peer` (which sends no spans),
    failing with `error` if given."""
    t0 = int(at.timestamp() * 1e9)
    tid, ids = f"{n:032x}", [f"{n:015x}{k}" for k in (1, 2, 3)]
    status = {"code": 2, "message": error} if error else {"code": 0}

    def span(i: int, name: str, kind: int, parent: str | None, **kw) -> dict:
        out = {
            "traceId": tid,
            "spanId": ids[i],
            "name": name,
            "kind": kind,
            "status": status,
            "startTimeUnixNano": str(t0 + i * 1_000_000),
            "endTimeUnixNano": str(t0 + 30_000_000 - i * 1_000_000),
            **kw,
        }
        return out | ({"parentSpanId": parent} if parent else {})  # fmt: skip

    def resource(svc: str, spans: list[dict]) -> dict:
        attrs = [{"key": "service.name", "value": {"stringValue": svc}}]
        return {"resource": {"attributes": attrs}, "scopeSpans": [{"spans": spans}]}

    peer_attr = [{"key": "peer.service", "value": {"stringValue": peer}}]
    return {
        "resourceSpans": [
            resource("edge", [span(0, "edge handle", 2, None)]),
            resource(
                service,
                [span(1, f"{service} handle", 2, ids[0]), span(2, f"call {peer}", 3, ids[1], attributes=peer_attr)],
            ),
        ]
    }


def test_a_dependency_others_reach_fine_is_up_and_the_caller_that_cannot_reach_it_is_the_suspect(tmp_path):
    """img's calls to the bucket time out (its own connect attempts), while api's calls to the same
    bucket, which sends us nothing, work all along. The bucket is up; img's own path is what fails."""
    t0, at, end = ALERT_AT - timedelta(hours=6), ALERT_AT - 10 * M, ALERT_AT + 15 * M
    dial = "call to bucket failed: dial tcp 10.0.4.11:443: i/o timeout"
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api", "img"], "api": ["bucket"], "img": ["bucket"], "bucket": []},
        alert=alertmanager("HighLatency", "edge"),
        logs=[
            log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("api", "img")
        ]
        + [log(at + i * 10 * timedelta(seconds=1), "img", "error", dial) for i in range(40)],
        metric_lines=series("error_ratio", "img", flat_then(t0, end, 0.001, at, 0.25))
        + series("latency_p99_seconds", "img", flat_then(t0, end, 0.03, at, 0.5))
        + series("error_ratio", "api", flat_then(t0, end, 0.001)),
        signals=SIGNALS,
    )
    spans = [client_call("api", "bucket", ALERT_AT - timedelta(hours=3) + k * 2 * M, "", k) for k in range(60)]
    spans += [client_call("img", "bucket", ALERT_AT - timedelta(hours=3) + k * 2 * M, "", 100 + k) for k in range(60)]
    spans += [client_call("api", "bucket", at + k * M, "", 200 + k) for k in range(20)]
    spans += [
        client_call("img", "bucket", at + k * M, "dial tcp 10.0.4.11:443: i/o timeout", 300 + k) for k in range(20)
    ]
    (root / "traces.jsonl").write_text("".join(json.dumps(s) + "\n" for s in spans))
    rc = investigated(root).diagnosis.root_cause
    assert (rc.service, rc.category) == ("img", "network")
