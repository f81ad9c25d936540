"""What world 19's first contact taught (an IoT fleet platform shipped by Vector's kubernetes_logs source:
EMQX, Rust's tracing, Kafka, ClickHouse, zap; written after world 18's rules and scored before any rule
saw it): half its cases were wrong, all of them at HIGH. A broker flooded by a firmware campaign's
reconnecting devices was blamed on itself, the campaign's change ignored because the requests came
from devices, not from a service we watch; a database out of connections after a consumer scaled out
was blamed on itself, a scale-out being read as a reaction to load; and a planned reassignment that only
made the brokers busier (CPU at 0.6 of its limit, nothing failing) was called a change that broke them."""

from __future__ import annotations

from datetime import timedelta

import pytest

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
    series,
    setting_change,
    write_bundle,
)

AT = ALERT_AT - 8 * M
SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "error_ratio": 'errors{service="{service}"}',
    "latency_p99": 'latency{service="{service}"}',
    "cpu_utilization": 'cpu{service="{service}"}',
}


def _campaign(tmp_path, *, changed: bool = True, ingest_surge: bool = False):
    """ota (which uses broker) changes at AT - 3 min; broker's connections rise fourfold at AT and it
    fails, its CPU pinned; ingest (the other user of broker, behind the front door edge) sends no more,
    or, with `ingest_surge`, four times its requests from a minute before."""
    changes = [setting_change(AT - 3 * M, "ota", "rollout_percent", "5", "100")] if changed else []
    refused = "[error] msg: esockd_acceptor_closed, reason: emfile, listener: ssl:default"
    return write_bundle(
        tmp_path / "b",
        services={"edge": ["ingest"], "ota": ["broker"], "ingest": ["broker"], "broker": []},
        alert=alertmanager("DevicesDisconnected", "broker"),
        logs=quiet_logs("edge", "ota", "ingest", "broker")
        + [log(AT + i * 3 * S, "broker", "error", refused) for i in range(200)],
        metric_lines=series("requests", "broker", flat_then(T0, END, 2500.0, AT, 10000.0))
        + series("cpu", "broker", flat_then(T0, END, 0.35, AT, 0.97))
        + series("errors", "broker", flat_then(T0, END, 0.001, AT, 0.35))
        + series(
            "requests", "ingest", flat_then(T0, END, 2400.0, *((AT - M, 9600.0) if ingest_surge else (AT + M, 1300.0)))
        )
        + series("requests", "ota", flat_then(T0, END, 5.0))
        + series("requests", "edge", flat_then(T0, END, 250.0, *((AT - M, 1000.0) if ingest_surge else (None, None)))),
        changes=changes,
        signals=SIGNALS,
    )


def test_a_flood_no_watched_service_sent_right_after_a_users_change_is_that_change(tmp_path) -> None:
    """Neither ota, nor ingest, nor the front door sent broker more requests: they came from beyond the
    services we watch, and ota's change three minutes before set them off. Rolled back; read from timing,
    so not HIGH."""
    d = investigated(_campaign(tmp_path)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("ota", "recent_change")
    assert d.root_cause.confidence != "HIGH" and d.actions[0].kind == "rollback"


def test_a_flood_with_no_change_before_it_or_through_the_front_door_is_not_a_users_change(tmp_path) -> None:
    """Without ota's change nothing points at ota; with ingest (and the front door before it) sending four
    times its requests first, the flood came through services we watch, not from what ota's change set off."""
    assert investigated(_campaign(tmp_path / "a", changed=False)).diagnosis.root_cause.service != "ota"
    assert investigated(_campaign(tmp_path / "b", ingest_surge=True)).diagnosis.root_cause.service != "ota"


def _scale_out(
    tmp_path, *, to: str = "30", refusal: str = "FATAL:  sorry, too many clients already", kind: str = "scale"
):
    """enricher (which uses db) changes its replicas from 6 to `to` at AT - 4 min; db's lines say
    `refusal` from AT; registry, db's other user, fails and device-api (the alerting service) after it."""
    return write_bundle(
        tmp_path / "b",
        services={"device-api": ["registry"], "registry": ["db"], "enricher": ["db"], "db": []},
        alert=alertmanager("HighErrorRate", "device-api"),
        logs=quiet_logs("device-api", "registry", "enricher", "db")
        + [log(AT + i * 2 * S, "db", "error", refusal) for i in range(300)]
        + [
            log(AT + i * 4 * S, "registry", "error", f"db connect failed: pq: {refusal.split(':  ')[-1]}")
            for i in range(150)
        ]
        + [
            log(AT + M + i * 6 * S, "device-api", "error", "registry lookup failed: rpc error: code = Unavailable")
            for i in range(80)
        ],
        metric_lines=series("errors", "registry", flat_then(T0, END, 0.001, AT, 0.33))
        + series("errors", "device-api", flat_then(T0, END, 0.001, AT + M, 0.21))
        + series("requests", "device-api", flat_then(T0, END, 150.0))
        + series("requests", "enricher", flat_then(T0, END, 2200.0))
        + series("cpu", "db", flat_then(T0, END, 0.3)),
        changes=[setting_change(AT - 4 * M, "enricher", "maxReplicas", "6", to, kind)],
        signals=SIGNALS,
    )


@pytest.mark.parametrize("kind", ["scale", "config"])
def test_a_store_out_of_connections_right_after_a_user_scaled_out_is_that_scale_out(tmp_path, kind) -> None:
    """Each of enricher's new replicas opens its own pool: db refusing clients four minutes after enricher
    went from 6 to 30 replicas is the scale-out, rolled back; db and registry are its symptoms. Not HIGH.
    Whether the change is filed as a scaling event or as the config that sets the replicas."""
    d = investigated(_scale_out(tmp_path, kind=kind)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("enricher", "recent_change")
    assert d.root_cause.confidence != "HIGH" and d.actions[0].kind == "rollback"


def test_a_scale_in_or_a_store_failing_otherwise_is_not_blamed_on_the_scaling(tmp_path) -> None:
    """Scaling in opens fewer pools, and a store failing on its disk is not out of connections: neither
    makes enricher's scaling the cause."""
    fewer = investigated(_scale_out(tmp_path / "a", to="3")).diagnosis
    assert (fewer.root_cause.service, fewer.root_cause.category) != ("enricher", "recent_change")
    disk = investigated(_scale_out(tmp_path / "b", refusal="PANIC:  could not write to file: No space left on device"))
    assert (disk.diagnosis.root_cause.service, disk.diagnosis.root_cause.category) != ("enricher", "recent_change")


def _busier(tmp_path, peak: float):
    """kafka's config changes at AT - 2 min and its CPU (a share of its limit) rises to `peak`; nothing
    fails, slows or loses traffic anywhere, and its logs say only what it is doing."""
    return write_bundle(
        tmp_path / "b",
        services={"producer": ["kafka"], "kafka": []},
        alert=alertmanager("KafkaUnderReplicatedPartitions", "kafka"),
        logs=quiet_logs("producer", "kafka")
        + [
            log(AT + i * 10 * S, "kafka", "info", "[Controller id=1] Reassignment of partition readings-3 in progress")
            for i in range(60)
        ],
        metric_lines=series("cpu", "kafka", flat_then(T0, END, 0.33, AT, peak))
        + series("requests", "kafka", flat_then(T0, END, 4500.0))
        + series("errors", "kafka", flat_then(T0, END, 0.001))
        + series("latency", "kafka", flat_then(T0, END, 0.004))
        + series("requests", "producer", flat_then(T0, END, 900.0)),
        changes=[setting_change(AT - 2 * M, "kafka", "readings.replicas", "1,2,3", "4,5,6")],
        signals=SIGNALS,
    )


def test_a_change_that_only_made_a_service_busier_short_of_its_limit_is_no_incident(tmp_path) -> None:
    """CPU at 0.6 of its limit is work, not exhaustion: with nothing failing, slowing or lost anywhere,
    the change broke nothing and the alert is not an incident (never said HIGH)."""
    d = investigated(_busier(tmp_path, 0.6)).diagnosis
    assert d.root_cause.category == "no_incident" and d.root_cause.confidence != "HIGH"


def test_the_same_change_taking_the_cpu_to_its_limit_is_the_cause(tmp_path) -> None:
    """At 0.97 of its limit the resource is exhausted: the change right before it is the cause."""
    d = investigated(_busier(tmp_path, 0.97)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("kafka", "recent_change")


def _shield(tmp_path, lag: timedelta):
    """api reads through cache to db; cache is scaled in `lag` before db takes four times its reads (api's
    own traffic flat, and ingest's, db's other user)."""
    return write_bundle(
        tmp_path / "b",
        services={"api": ["cache", "db"], "ingest": ["db"], "cache": [], "db": []},
        alert=alertmanager("HighLatency", "api"),
        logs=quiet_logs("api", "ingest", "db")
        + [
            log(AT + 2 * M + i * 10 * S, "api", "error", "canceling statement due to statement timeout")
            for i in range(40)
        ],
        metric_lines=series("requests", "api", flat_then(T0, END, 80.0))
        + series("requests", "ingest", flat_then(T0, END, 300.0))
        + series("requests", "db", flat_then(T0, END, 100.0, AT, 420.0))
        + series("cpu", "db", flat_then(T0, END, 0.3, AT + M, 0.97))
        + series("latency", "api", flat_then(T0, END, 0.05, AT + M, 0.5)),
        changes=[setting_change(AT - lag, "cache", "count", "3", "1", "scale")],
        signals=SIGNALS,
    )


def test_what_a_shield_stopped_falls_through_at_once_not_half_an_hour_later(tmp_path) -> None:
    """A cache scaled in four minutes before db's reads quadrupled threw them onto db; scaled in twenty-four
    minutes before, it did not: what it stopped would have fallen through at once."""
    soon = investigated(_shield(tmp_path / "a", 4 * M)).diagnosis
    assert (soon.root_cause.service, soon.root_cause.category) == ("cache", "recent_change")
    late = investigated(_shield(tmp_path / "b", 24 * M)).diagnosis
    assert late.root_cause.service != "cache"
