"""What world 66's first contact taught (an Icelandic fish auction on Scaleway Kapsule, its logs Axiom's query
results over Vector's events; written after world 65's rules and scored before any rule saw it): 5 to 9 of 14
right on seeds 1-4, up to 5 wrong at HIGH. Its reasons: an export's own time beside the event it wraps leaves the
event's fields to be read inside it; a stream at the size it may keep refuses what is new, and that limit is the
broker's; a provider rate-limiting a caller that has worked harder since its release answers what the release
sends; and requests waiting a little longer while far more of them arrive are queueing, not failing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.findings import attribute
from oncall.analysts.offline.patterns import classify
from oncall.tools.read_logs.envelopes import json_text
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    alertmanager,
    flat_then,
    investigated,
    iso,
    log,
    quiet_logs,
    read_logs_of,
    series,
    setting_change,
    signals,
    write_bundle,
)


def _axiom(t: datetime, svc: str, line: str, **own: str) -> dict:
    """A match of Axiom's query result: its own time and row id, Vector's event under `data`."""
    pod = f"{svc}-7d9f8c6b5-x2k4q"
    event = {"message": line, "stream": "stdout", "source_type": "kubernetes_logs",
             "kubernetes": {"pod_name": pod, "container_name": "main", "pod_namespace": "prod"}}  # fmt: skip
    return {"_time": iso(t), "_sysTime": iso(t), "_rowId": f"0a1b2c3d-{int(t.timestamp())}", "data": event, **own}


def test_an_export_s_own_time_beside_the_event_it_wraps_leaves_the_event_to_be_read_inside(tmp_path: Path) -> None:
    at = ALERT_AT - 8 * M
    records = [_axiom(at - (30 - i) * M, s, "request served") for i in range(30) for s in ("api", "db")]
    records += [_axiom(at + i * M / 6, "api", "ERROR upstream db refused the connection") for i in range(30)]
    reads = read_logs_of(tmp_path / "a", sorted(records, key=lambda r: r["_time"]))
    assert "db refused the connection" in reads["api"] and "0a1b2c3d" not in reads["api"], reads["api"]
    assert json_text(records) == "data"
    # an object naming the line's app beside the line's own text wraps no event (Fly's `fly`)
    fly = [{"timestamp": r["_time"], "message": "served", "fly": {"app": {"name": "tablely-api"}}} for r in records]
    assert json_text(fly) is None
    # a line with a text of its own keeps it: the event beside it is read only for what the line lacks
    own = [{**r, "message": "its own words", "service": r["data"]["kubernetes"]["pod_name"][:3]} for r in records]
    reads = read_logs_of(tmp_path / "b", sorted(own, key=lambda r: r["_time"]))
    assert "its own words" in reads["api"] and "refused the connection" not in reads["api"], reads["api"]


NATS_FULL = "Bid rejected lot=L-4412: io.nats.client.JetStreamApiException: maximum bytes exceeded [10047]"


def test_a_stream_at_the_size_it_may_keep_refuses_what_is_new_and_the_limit_is_the_broker_s(tmp_path: Path) -> None:
    assert classify(NATS_FULL) == "resource_exhaustion"
    assert classify("nats: maximum messages exceeded") == "resource_exhaustion"
    assert (
        classify("HTTPSConnectionPool(host='x', port=443): Max retries exceeded with url: /") != "resource_exhaustion"
    )
    assert attribute(NATS_FULL, ["postgresql", "nats"], "auction") == ("peer", "nats", "resource_exhaustion")
    # the caller's own limit, naming the broker it was writing to, stays its own
    assert attribute("OutOfMemoryError while encoding a batch for nats", ["nats"], "auction")[0] == "own"
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / "full",
        services={"auction": ["postgresql", "nats"], "postgresql": [], "nats": []},
        alert=alertmanager("BidPublishFailures", "auction"),
        logs=sorted(
            quiet_logs("auction", "nats") + [log(at + i * M / 6, "auction", "error", NATS_FULL) for i in range(40)],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("error_ratio", "auction", flat_then(T0, END, 0.002, at, 0.7)),
        signals=signals("error_ratio"),
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("nats", "resource_exhaustion")
    assert d.actions[0].kind == "config_change"  # raise the stream's limits: a restart keeps it full


QUOTA_429 = "Fiskistofa quota lookup failed for vessel 2941: 429 Too Many Requests (Retry-After: 60)"


def _rate_limited(tmp_path: Path, name: str, changes: list[dict], busier: int | None = None) -> str:
    """registry refused for its rate by fiskistofa from eight minutes before the alert; `busier`: its CPU rose
    this many minutes after the refusals began (negative: before)."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"registry": ["postgresql", "fiskistofa"], "postgresql": [], "fiskistofa": []},
        alert=alertmanager("LandingRegistrationErrors", "registry"),
        logs=sorted(
            quiet_logs("registry") + [log(at + i * M / 6, "registry", "error", QUOTA_429) for i in range(40)],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("error_ratio", "registry", flat_then(T0, END, 0.002, at, 0.6))
        + series(
            "cpu_utilization",
            "registry",
            flat_then(T0, END, 0.3, *((at + busier * M, 0.55) if busier is not None else ())),
        ),
        changes=changes,
        signals=signals("error_ratio", "cpu_utilization"),
    )
    rc = investigated(root).diagnosis.root_cause
    return f"{rc.service}/{rc.category}"


def test_a_provider_rate_limiting_a_caller_working_harder_since_its_release_answers_the_release(
    tmp_path: Path,
) -> None:
    at = ALERT_AT - 8 * M
    release = setting_change(at - 6 * M, "registry", "image", "registry:8.1.3", "registry:8.2.0", kind="deploy")
    assert _rate_limited(tmp_path, "released", [release], busier=-5) == "registry/recent_change"
    # working harder only once refused (its retries): that is the refusals' doing, not the release's
    assert _rate_limited(tmp_path, "retrying", [release], busier=3) == "fiskistofa/dependency_failure"
    # a release after which the caller did no more that we can see: the provider's limit is the news (world 46)
    assert _rate_limited(tmp_path, "idle", [release]) == "fiskistofa/dependency_failure"
    # nothing of ours released
    assert _rate_limited(tmp_path, "none", [], busier=-5) == "fiskistofa/dependency_failure"


def _busy(tmp_path: Path, name: str, requests: float, p99: float) -> str:
    at = ALERT_AT - 15 * M
    root = write_bundle(
        tmp_path / name,
        services={"auction": ["pricing"], "pricing": []},
        alert=alertmanager("BidLatencyHigh", "auction"),
        logs=quiet_logs("auction", "pricing"),
        metric_lines=series("cpu_utilization", "auction", flat_then(T0, END, 0.3, at, 0.73))
        + series("request_rate", "auction", flat_then(T0, END, 80.0, at, 80.0 * requests))
        + series("latency_p99", "auction", flat_then(T0, END, 0.09, at, 0.09 * p99))
        + series("error_ratio", "auction", flat_then(T0, END, 0.002)),
        signals=signals("cpu_utilization", "latency_p99", "error_ratio", "request_rate"),
    )
    rc = investigated(root).diagnosis.root_cause
    return rc.category


def test_requests_waiting_a_little_longer_while_far_more_arrive_are_queueing_not_failing(tmp_path: Path) -> None:
    assert _busy(tmp_path, "rush", requests=5.0, p99=1.6) == "no_incident"
    assert _busy(tmp_path, "slow", requests=5.0, p99=3.0) != "no_incident"  # slower than the load explains
    assert _busy(tmp_path, "few", requests=1.3, p99=1.6) != "no_incident"  # slower with hardly more to do
