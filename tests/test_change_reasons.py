"""Reasons a change, a handshake or a name lookup gives for blame, as world 6's first contact taught
them (shapes from public postmortems): a caller's own change that names the peer it now fails on; a
peer's new certificate its callers no longer trust; a cache restarted empty whose users fail on it;
a caller out of local ports after its own deploy; a provider whose domain stopped resolving."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from oncall.core.diagnosis import Diagnosis
from oncall.eval.scenarios.world import make_case
from tests.bundles import ALERT_AT, END, T0, M, alertmanager, flat_then, investigated, iso, log, series, write_bundle

AT = ALERT_AT - 10 * M  # when things broke
SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
    "latency_p99": 'latency_p99_seconds{service="{service}"}',
}
SERVICES = {
    "edge": ["api", "search"],
    "api": ["cache", "db", "provider"],
    "search": [],
    "cache": [],
    "db": [],
    "provider": [],
}


def change(at, service: str, kind: str, key: str, old: str, new: str) -> dict:
    path = f"deploy/{service}/values.yaml"
    return {"ts": iso(at), "service": service, "kind": kind, "from": f"{key}={old}", "to": f"{key}={new}",
            "author": "dev", "ref": "PR#1", "diff": f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-{key}: {old}\n+{key}: {new}\n"}  # fmt: skip


def diagnose(tmp_path: Path, *, errors: dict[str, str], changes: list[dict], fell: str | None = None) -> Diagnosis:
    """Every service steady for hours; from AT each service in `errors` logs that error and its error
    ratio rises; `fell` loses its traffic at AT. The provider sends no telemetry of its own."""
    quiet = [
        log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok")
        for i in range(20)
        for s in SERVICES
        if s != "provider"
    ]
    bursts = [
        log(AT + i * 4 * timedelta(seconds=1), s, "error", text) for s, text in errors.items() for i in range(300)
    ]
    metrics: list[str] = []
    for s in SERVICES:
        if s == "provider":
            continue
        metrics += series("requests", s, flat_then(T0, END, 80.0, AT if s == fell else None, 2.0))
        metrics += series("error_ratio", s, flat_then(T0, END, 0.001, AT if s in errors else None, 0.3))
        metrics += series("latency_p99_seconds", s, flat_then(T0, END, 0.05))
    root = write_bundle(tmp_path / "b", services=SERVICES, alert=alertmanager("HighErrorRate", "edge"), logs=quiet + bursts,
                        metric_lines=metrics, changes=changes, signals=SIGNALS)  # fmt: skip
    return investigated(root).diagnosis


def test_a_proxy_whose_own_change_names_the_backend_it_now_fails_on_is_the_cause(tmp_path):
    d = diagnose(
        tmp_path,
        errors={"edge": '"GET /v1/search HTTP/2" 503 UH "no healthy upstream" search'},
        changes=[
            change(AT - M, "edge", "config", "clusters.search.health_check.path", "/healthz", "/health"),
            change(AT - 40 * M, "search", "deploy", "image.tag", "4.0.7", "4.0.8"),
        ],
        fell="search",
    )
    assert (d.root_cause.service, d.root_cause.category) == ("edge", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "edge"


def test_callers_that_stop_trusting_a_peers_new_certificate_blame_the_peers_change(tmp_path):
    d = diagnose(
        tmp_path,
        errors={"edge": "x509: certificate signed by unknown authority (calling api)"},
        changes=[change(AT - M, "api", "secret", "tls.crt", "sha256:9f3a", "sha256:c771")],
    )
    assert (d.root_cause.service, d.root_cause.category) == ("api", "recent_change")


def test_users_failing_on_a_cache_right_after_it_was_restarted_blame_the_restart_which_is_not_rolled_back(tmp_path):
    d = diagnose(
        tmp_path,
        errors={"api": "cache miss storm on cache: hit ratio 0.02"},
        changes=[change(AT - M, "cache", "restart", "restartedAt", "2026-01-01T00:00:00Z", "now")],
    )
    assert (d.root_cause.service, d.root_cause.category) == ("cache", "recent_change")
    assert "rollback" not in [a.kind for a in d.actions]


def test_a_caller_out_of_local_ports_after_its_own_deploy_is_blamed_not_the_dependency_it_dialled(tmp_path):
    d = diagnose(
        tmp_path,
        errors={"api": "dial tcp db:5432: connect: cannot assign requested address"},
        changes=[
            change(AT - 25 * M, "db", "deploy", "image.tag", "15.4", "15.5"),
            change(AT - 2 * M, "api", "deploy", "image.tag", "3.8.1", "3.9.0"),
        ],
    )
    assert (d.root_cause.service, d.root_cause.category) == ("api", "recent_change")


def test_a_provider_whose_name_stopped_resolving_is_blamed_not_its_caller(tmp_path):
    d = diagnose(tmp_path, errors={"api": "getaddrinfo ENOTFOUND api.provider.partner.example"}, changes=[])
    assert (d.root_cause.service, d.root_cause.category) == ("provider", "network")


def test_callers_whose_handshake_with_a_peer_fails_blame_the_peer_though_its_metrics_look_healthy(tmp_path):
    """No change recorded: the requests never reach api, so its own metrics cannot acquit it."""
    d = diagnose(tmp_path, errors={"edge": "x509: certificate signed by unknown authority (calling api)"}, changes=[])
    assert d.root_cause.service == "api"


def test_a_consumer_that_went_quiet_right_after_its_deploy_is_blamed_for_the_queue_that_filled(tmp_path):
    """The broker alerts on its backlog; its memory climbs. Its consumer's release two minutes before
    made it stop consuming: its own work fell away, nothing in its logs. The consumer, not the broker."""
    services = {"producer": ["queue"], "worker": ["queue"], "queue": []}
    root = write_bundle(
        tmp_path / "b",
        services=services,
        alert=alertmanager("QueueBacklogGrowing", "queue"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in services]
        + [log(AT + 3 * M + i * 30 * timedelta(seconds=1), "queue", "warn", "queue 'jobs' has 48211 messages ready")
           for i in range(12)],
        metric_lines=series("requests", "producer", flat_then(T0, END, 50.0))
        + series("requests", "worker", flat_then(T0, END, 50.0, AT, 1.0))
        + series("memory_ratio", "queue", flat_then(T0, END, 0.4, AT + 2 * M, 0.95)),
        changes=[change(AT - 2 * M, "worker", "deploy", "image", "5.4.2", "5.5.0")],
        signals={**SIGNALS, "memory_utilization": 'memory_ratio{service="{service}"}'},
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("worker", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "worker"


def test_a_few_background_lines_about_an_unwatched_peer_do_not_make_it_the_cause(tmp_path):
    """api has always logged a few errors about the provider, a little more this morning; then a flood
    of its own lookup failures. The provider (no telemetry of its own) did not break first."""
    background = [
        log(ALERT_AT - timedelta(hours=5) + i * 40 * M, "api", "error", "provider webhook retry failed")
        for i in range(3)
    ]
    rising = [log(AT - 20 * M + i * 3 * M, "api", "error", "provider webhook retry failed") for i in range(5)]
    own = [
        log(
            AT + i * 4 * timedelta(seconds=1),
            "api",
            "error",
            "dial tcp: lookup db.prod.svc.cluster.local: no such host",
        )
        for i in range(300)
    ]
    root = write_bundle(
        tmp_path / "b",
        services=SERVICES,
        alert=alertmanager("HighErrorRate", "api"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("edge", "api", "db")]
        + background + rising + own,
        metric_lines=series("requests", "api", flat_then(T0, END, 80.0))
        + series("error_ratio", "api", flat_then(T0, END, 0.001, AT, 0.3))
        + series("requests", "db", flat_then(T0, END, 80.0, AT, 20.0)),
        changes=[],
        signals=SIGNALS,
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("api", "network")


def test_a_few_lines_of_an_error_logged_before_do_not_mark_the_break_ahead_of_a_deploy(tmp_path):
    """A generated case (world 1, seed 20, which traces made a wrong HIGH): currency rejects a bad request
    now and then, as it did before the window (7 lines from 00:15); it is deployed at 00:26 and from
    00:30 throws a new exception on every call. The handful of usual rejections is background, not the
    break: the deploy came before the break and is the cause."""
    make_case(tmp_path / "c", "bad_deploy", "webshop", 20002)
    rc = investigated(tmp_path / "c").diagnosis.root_cause
    assert (rc.service, rc.category) == ("currency", "recent_change"), rc
