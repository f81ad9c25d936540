"""A Kubernetes object changed under a healthy service (its Service's port, a NetworkPolicy) and its
callers fail: shapes from ITBench's scenarios, told only through the callers' errors and the
service's traffic falling away. The callers name it as people write it, or not at all."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oncall.core.catalog import mentions
from oncall.core.diagnosis import Diagnosis
from tests.bundles import ALERT_AT, END, T0, M, alertmanager, flat_then, investigated, iso, log, series, write_bundle

SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "latency_p99": 'latency_p99_seconds{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
}


@pytest.mark.parametrize(
    "name, text",
    [
        ("ad", "failed to get ads: rpc error: code = Unavailable"),
        ("ad", "/oteldemo.AdService/GetAds failed"),
        ("product-catalog", "productcatalogservice: connection refused"),
        ("product-catalog", "could not reach the product catalog"),
        ("cart", "dial tcp cart-svc:7070: i/o timeout"),
        ("cart", "cart.prod.svc.cluster.local:7070 refused"),
    ],
)
def test_a_service_is_named_as_callers_write_it(name, text):
    assert mentions(name, text)


@pytest.mark.parametrize(
    "name, text",
    [
        ("ad", "GetAds returned 3 results"),  # inside another word
        ("ad", "payment-ad-gateway timed out"),  # inside a longer name
        ("cart", "cartography job started"),
        ("payment", "payments-provider: 503"),
    ],
)
def test_a_service_is_not_named_inside_other_words(name, text):
    assert not mentions(name, text)


def diagnose(tmp_path: Path, error: str) -> Diagnosis:
    """ad's Service now sends traffic to a port nothing listens on: ad's pods are healthy and get no
    requests; frontend's calls to it fail. A routine deploy of cart an hour and a half earlier."""
    at = ALERT_AT - 10 * M
    root = write_bundle(
        tmp_path / "b",
        services={"frontend": ["ad", "cart"], "ad": [], "cart": []},
        alert=alertmanager("HighErrorRate", "frontend"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("frontend", "ad", "cart")]
        + [log(at + i * 15 * timedelta(seconds=1), "frontend", "error", error) for i in range(40)],
        metric_lines=series("requests", "ad", flat_then(T0, END, 50.0, at, 0.2))
        + series("error_ratio", "ad", flat_then(T0, END, 0.001))
        + series("requests", "frontend", flat_then(T0, END, 200.0))
        + series("error_ratio", "frontend", flat_then(T0, END, 0.002, at, 0.25))
        + series("requests", "cart", flat_then(T0, END, 80.0))
        + series("error_ratio", "cart", flat_then(T0, END, 0.001)),
        changes=[
            {"ts": iso(at - M), "service": "ad", "kind": "config", "from": "targetPort=9555", "to": "targetPort=9556",
             "author": "dev", "ref": "svc/ad", "diff": "--- a/k8s/ad/service.yaml\n+++ b/k8s/ad/service.yaml\n"
             "@@ -8 +8 @@\n-      targetPort: 9555\n+      targetPort: 9556\n"},
            {"ts": iso(at - 90 * M), "service": "cart", "kind": "deploy", "from": "v1", "to": "v2", "author": "x",
             "ref": "r", "diff": None},
        ],
        signals=SIGNALS,
    )  # fmt: skip
    return investigated(root).diagnosis


@pytest.mark.parametrize(
    "error",
    [
        "failed to get ads: rpc error: code = Unavailable desc = connection refused",  # named in the plural
        "rpc error: code = Unavailable desc = connection error: dial tcp 10.0.3.4:9555: connect: connection refused",
    ],
)
def test_callers_failing_on_a_healthy_service_whose_traffic_fell_away_blame_its_change(tmp_path, error):
    """Named or not, the calls that fail are the ones ad stopped receiving; ad's Service changed a
    minute before: roll that back, never escalate to the caller."""
    d = diagnose(tmp_path, error)
    assert (d.root_cause.service, d.root_cause.category) == ("ad", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "ad"


def test_a_consumer_scaled_to_zero_is_the_cause_of_the_lag_its_broker_alerts_on(tmp_path):
    """accounting was scaled from one replica to none; its metrics and logs stop the next minute while
    everyone else's go on, and the broker alerts on the consumer lag. Scaling to zero is not a
    reaction to load: it took the service away."""
    at = ALERT_AT - 10 * M
    quiet = [
        log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok")
        for i in range(20)
        for s in ("checkout", "kafka")
    ]
    root = write_bundle(
        tmp_path / "b",
        services={"checkout": ["kafka"], "kafka": [], "accounting": ["kafka"]},
        alert=alertmanager("KafkaConsumerLag", "kafka"),
        logs=quiet
        + [log(ALERT_AT - timedelta(hours=2) + i * 5 * M, "accounting", "info", "order consumed") for i in range(22)]
        + [log(at + 5 * M + i * 30 * timedelta(seconds=1), "kafka", "warn", "consumer group accounting has lag 1200") for i in range(10)],
        metric_lines=series("requests", "accounting", flat_then(T0, at, 20.0))
        + series("error_ratio", "accounting", flat_then(T0, at, 0.001))
        + series("requests", "checkout", flat_then(T0, END, 20.0))
        + series("error_ratio", "checkout", flat_then(T0, END, 0.001))
        + series("requests", "kafka", flat_then(T0, END, 60.0)),
        changes=[{"ts": iso(at - M), "service": "accounting", "kind": "scale", "from": "replicas=1", "to": "replicas=0",
                  "author": "dev", "ref": "deploy/accounting", "diff": None}],
        signals=SIGNALS,
    )  # fmt: skip
    inv = investigated(root)
    d = inv.diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("accounting", "recent_change")
    assert d.actions[0].kind == "rollback" and "replicas=1" in d.actions[0].description
    text = {r.input.get("service"): r.text for r in inv.results if r.tool == "read_metrics"}
    assert "no samples after" in text["accounting"] and "no samples after" not in text["checkout"]


@pytest.mark.parametrize("answer", ["503 Service Unavailable: fault filter abort", "no healthy upstream"])
def test_requests_the_proxy_answered_for_a_healthy_looking_service_still_blame_it(tmp_path, answer):
    """The mesh in front of quote aborts its requests (ITBench's HTTP abort chaos): quote's own
    metrics never see them and look healthy, so they do not acquit it; shipping only reports it."""
    at = ALERT_AT - 10 * M
    root = write_bundle(
        tmp_path / "b",
        services={"frontend": ["shipping"], "shipping": ["quote"], "quote": []},
        alert=alertmanager("HighErrorRate", "frontend"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("frontend", "shipping", "quote")]
        + [log(at + i * 10 * timedelta(seconds=1), "shipping", "error", f"failed to get quote: {answer}") for i in range(60)]
        + [log(at + M + i * 20 * timedelta(seconds=1), "frontend", "error", "failed to get shipping quote: rpc error: code = Unavailable") for i in range(20)],
        metric_lines=series("error_ratio", "frontend", flat_then(T0, END, 0.002, at + M, 0.2))
        + series("error_ratio", "shipping", flat_then(T0, END, 0.002, at, 0.5))
        + series("error_ratio", "quote", flat_then(T0, END, 0.002))
        + series("requests", "quote", flat_then(T0, END, 40.0)),
        signals=SIGNALS,
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert d.root_cause.service == "quote"
    assert d.root_cause.confidence != "HIGH"  # nothing of its own shows it
