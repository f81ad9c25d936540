"""World 4's estates, written after worlds 1-3 and scored before any rule saw them: a ride-hailing
platform behind an Istio mesh whose logs are OpenTelemetry log records as the OTLP file exporter
writes them (times in `timeUnixNano`, `severityText`, a `body`, `service.name` in the resource), and
a video platform shipped by the Datadog agent (`date`, `status`, `host`, `message`). Metrics are
Istio and kube-state-metrics recording rules keyed by `destination_workload` and `deployment`, with
latency in milliseconds."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Node:
    name: str
    lang: str  # kotlin | go | python | node | elixir | rust | postgres | redis | kafka | coredns | external
    calls: tuple[str, ...] = ()
    rps: float = 20.0
    shared: bool = False


@dataclass(frozen=True)
class Estate:
    name: str
    namespace: str
    shipper: str  # otlp | datadog
    nodes: tuple[Node, ...]
    signals: dict[str, str] = field(default_factory=dict)
    label: str = "destination_workload"

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def callers(self, name: str) -> list[str]:
        return [n.name for n in self.nodes if name in n.calls]


ISTIO = {
    "request_rate": 'istio_requests:rate1m{destination_workload="{service}"}',
    "error_ratio": 'istio_requests_5xx:ratio1m{destination_workload="{service}"}',
    "latency_p99": 'istio_request_duration_milliseconds:p99_1m{destination_workload="{service}"}',
    "cpu_utilization": 'workload_cpu:usage_over_limit{deployment="{service}"}',
    "memory_utilization": 'workload_memory:usage_over_limit{deployment="{service}"}',
    "restarts": 'workload_restarts:increase10m{deployment="{service}"}',
    "pool_utilization": 'workload_db_connections:in_use_over_max{deployment="{service}"}',
}

RIDES = Estate(
    name="rides",
    namespace="mobility",
    shipper="otlp",
    signals=ISTIO,
    nodes=(
        Node("rider-gateway", "kotlin", ("trip-service", "pricing", "identity"), 90),
        Node("trip-service", "kotlin", ("dispatch", "pricing", "trips-db", "events"), 60),
        Node("dispatch", "go", ("driver-location", "events", "coredns"), 70),
        Node("driver-location", "go", ("location-cache", "coredns"), 200),
        Node("location-cache", "redis", (), 400),
        Node("pricing", "python", ("surge-model", "trips-db", "coredns"), 50),
        Node("surge-model", "python", (), 30),
        Node("identity", "elixir", ("oauth-provider", "coredns"), 40),
        Node("oauth-provider", "external", (), 40),
        Node("trips-db", "postgres", (), 150),
        Node("events", "kafka", (), 120),
        Node("coredns", "coredns", (), 600, shared=True),
    ),
)

MEDIA = Estate(
    name="media",
    namespace="streaming",
    shipper="datadog",
    signals=ISTIO,
    nodes=(
        Node("web-bff", "node", ("catalog", "playback", "accounts", "recommendations"), 120),
        Node("catalog", "go", ("catalog-db", "object-store"), 80),
        Node("playback", "rust", ("license-server", "cdn-signer", "sessions"), 70),
        Node("license-server", "go", ("sessions",), 40),
        Node("cdn-signer", "go", ("kms",), 60),
        Node("kms", "external", (), 60),
        Node("sessions", "redis", (), 300),
        Node("accounts", "python", ("accounts-db", "billing-gateway"), 30),
        Node("billing-gateway", "external", (), 10),
        Node("recommendations", "python", ("feature-store", "catalog"), 50),
        Node("feature-store", "redis", (), 200),
        Node("catalog-db", "postgres", (), 100),
        Node("accounts-db", "postgres", (), 40),
        Node("object-store", "external", (), 80),
    ),
)

ESTATES = {e.name: e for e in (RIDES, MEDIA)}

# what each runtime writes in a healthy minute, and the failures it logs now and then anyway
BACKGROUND = {
    "kotlin": ["Completed 200 OK in 38ms", "Hikari pool stats active=4 idle=16"],
    "go": ["request served", "heartbeat ok"],
    "python": ["GET /v2/quote 200", "model cache refreshed"],
    "node": ["GET /api/home 200 41ms", "rendered page"],
    "elixir": ["Sent 200 in 12ms", "Phoenix.Endpoint request"],
    "rust": ["session started", "segment served"],
    "postgres": ["checkpoint complete", "connection authorized"],
    "redis": ["DB saved on disk", "Background saving terminated with success"],
    "kafka": ["Rolled new log segment", "Deleted log segment"],
    "coredns": ['[INFO] 10.1.2.3:4567 - 1 "A IN trips-db.mobility.svc.cluster.local. udp" NOERROR'],
}
NOISE = {
    "kotlin": "Retryable read timeout calling downstream, retrying once",
    "go": "client disconnected before response",
    "python": "slow request logged: 1.2s",
    "node": "ECONNRESET on keep-alive socket, reconnecting",
}


def record(shipper: str, at: datetime, service: str, host: str, level: str, text: str, rng: random.Random) -> dict:
    """One log record as the estate's shipper writes it."""
    if shipper == "otlp":
        return {
            "timeUnixNano": str(int(at.timestamp() * 1e9)),
            "severityNumber": {"error": 17, "warn": 13, "info": 9}[level],
            "severityText": level.upper(),
            "body": text,
            "resource": {"service.name": service, "k8s.pod.name": host},
            "traceId": f"{rng.getrandbits(128):032x}",
        }
    return {
        "date": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "status": {"error": "error", "warn": "warn", "info": "info"}[level],
        "service": service,
        "host": host,
        "message": text,
        "ddsource": "kubernetes",
    }
