"""Errors that say which kind of shared infrastructure failed (names that do not resolve, a
coordination session lost) are that service's failure when the caller depends on one of that kind
that was already failing; with it healthy they stay the caller's own (its name, its resolv.conf, its
own pauses)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oncall.core.diagnosis import Diagnosis
from tests.bundles import ALERT_AT, END, T0, M, alertmanager, flat_then, investigated, iso, log, series, write_bundle

SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
    "memory_utilization": 'memory_ratio{service="{service}"}',
}


def diagnose(tmp_path: Path, error: str, infra_memory_to: float, infra: str = "kube-dns") -> Diagnosis:
    """gateway's calls to api fail with `error`; the infrastructure api depends on climbs to
    `infra_memory_to` of its memory from twenty minutes before. api had a routine deploy ten hours earlier."""
    at = ALERT_AT - 10 * M
    services = {"gateway": ["api"], "api": ["users", infra], "users": [], infra: []}
    root = write_bundle(
        tmp_path / "b",
        services=services,
        alert=alertmanager("HighErrorRate", "gateway"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in services]
        + [log(at + i * 5 * timedelta(seconds=1), "api", "error", error) for i in range(300)]
        + [log(at + i * 10 * timedelta(seconds=1), "gateway", "error", "call to api failed: 500") for i in range(40)],
        metric_lines=series("requests", "gateway", flat_then(T0, END, 100.0))
        + series("error_ratio", "gateway", flat_then(T0, END, 0.001, at, 0.3))
        + series("requests", "api", flat_then(T0, END, 100.0))
        + series("error_ratio", "api", flat_then(T0, END, 0.003, at, 0.3))
        + series("requests", "users", flat_then(T0, END, 50.0))
        + series("memory_ratio", infra, flat_then(T0, END, 0.5, at - 20 * M, infra_memory_to)),
        changes=[{"ts": iso(ALERT_AT - timedelta(hours=10)), "service": "api", "kind": "deploy", "from": "4.2.0",
                  "to": "4.2.1", "author": "ci", "ref": "r", "diff": None}],
        signals=SIGNALS,
    )  # fmt: skip
    return investigated(root).diagnosis


@pytest.mark.parametrize(
    "lookup_error",
    [
        "dial tcp: lookup users.prod.svc.cluster.local: i/o timeout",  # Go
        "java.net.UnknownHostException: users.prod.svc.cluster.local",  # Java
        "getaddrinfo EAI_AGAIN users.prod.svc.cluster.local",  # Node
    ],
)
def test_lookups_failing_at_a_dns_server_already_at_its_limit_blame_the_dns_server(tmp_path, lookup_error):
    d = diagnose(tmp_path, lookup_error, infra_memory_to=1.0)
    assert d.root_cause.service == "kube-dns"


def test_lookups_failing_with_a_healthy_dns_server_stay_the_callers(tmp_path):
    d = diagnose(tmp_path, "dial tcp: lookup users.prod.svc.cluster.local: no such host", infra_memory_to=0.5)
    assert d.root_cause.service == "api" and d.root_cause.category == "network"


@pytest.mark.parametrize(
    "infra, error",
    [
        ("zookeeper", "Coordination::Exception: Session expired (Session expired): table is in readonly mode"),
        ("zk", "org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss"),
        ("etcd", "etcdserver: request timed out"),
    ],
)
def test_sessions_lost_with_a_coordination_service_already_failing_blame_it(tmp_path, infra, error):
    d = diagnose(tmp_path, error, infra_memory_to=1.0, infra=infra)
    assert d.root_cause.service == infra


def test_sessions_lost_with_a_healthy_coordination_service_stay_the_callers(tmp_path):
    d = diagnose(tmp_path, "Coordination::Exception: Session expired", infra_memory_to=0.5, infra="zookeeper")
    assert d.root_cause.service == "api"
