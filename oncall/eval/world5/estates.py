"""World 5's estates, written after worlds 1-4 and scored before any rule saw them: a retail bank
whose pods' stdout is shipped by Vector (`kubernetes_logs`: the raw line in `message`, the level only
inside the text, the pod in `kubernetes.pod_name`, no service field), and a logistics company on
Promtail-style JSON (epoch seconds with a fraction in `ts`, `level` spelled `warning`, `logger`,
`msg`). Metrics follow OpenTelemetry's semantic conventions as the Prometheus exporter names them
(`http_server_request_duration_seconds`, keyed by `service_name`) and cAdvisor's `container_*`
(keyed by `container`), sampled every 20 s for HTTP and every 60 s for containers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Node:
    name: str
    # spring dotnet nginx mysql rabbitmq memcached django gin express redis postgres elastic saas
    tech: str
    calls: tuple[str, ...] = ()
    rps: float = 30.0
    shared: bool = False


@dataclass(frozen=True)
class Estate:
    name: str
    namespace: str
    shipper: str  # vector | promtail
    nodes: tuple[Node, ...]
    signals: dict[str, str] = field(default_factory=dict)
    label: str = "service_name"

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def callers(self, name: str) -> list[str]:
        return [n.name for n in self.nodes if name in n.calls]


OTEL = {
    "request_rate": 'http_server_request_rate_per_second{service_name="{service}"}',
    "error_ratio": 'http_server_error_ratio{service_name="{service}"}',
    "latency_p99": 'http_server_request_duration_seconds_p99{service_name="{service}"}',
    "cpu_utilization": 'container_cpu_usage_over_limit_ratio{container="{service}"}',
    "memory_utilization": 'container_memory_working_set_over_limit_ratio{container="{service}"}',
    "restarts": 'container_restarts_increase_10m{container="{service}"}',
    "disk_utilization": 'container_fs_usage_over_limit_ratio{container="{service}"}',
    "pool_utilization": 'db_client_connections_usage_ratio{service_name="{service}"}',
}

BANK = Estate(
    name="bank",
    namespace="core-banking",
    shipper="vector",
    signals=OTEL,
    nodes=(
        Node("ingress-nginx", "nginx", ("online-banking", "open-api"), 150),
        Node("online-banking", "spring", ("accounts-svc", "payments-svc", "auth-svc", "session-cache"), 90),
        Node("open-api", "dotnet", ("accounts-svc", "auth-svc"), 40),
        Node("accounts-svc", "spring", ("core-db", "session-cache"), 110),
        Node("payments-svc", "spring", ("core-db", "payments-mq", "fraud-check", "sanctions-api"), 35),
        Node("fraud-check", "dotnet", ("fraud-db",), 35),
        Node("auth-svc", "dotnet", ("auth-db", "session-cache"), 80),
        Node("sanctions-api", "saas", (), 35),
        Node("payments-mq", "rabbitmq", (), 35),
        Node("core-db", "mysql", (), 200),
        Node("fraud-db", "mysql", (), 40),
        Node("auth-db", "mysql", (), 80),
        Node("session-cache", "memcached", (), 300),
        Node("config-server", "spring", (), 20, shared=True),
    ),
)

LOGISTICS = Estate(
    name="logistics",
    namespace="fleet",
    shipper="promtail",
    signals=OTEL,
    nodes=(
        Node("shipper-portal", "express", ("orders-api", "tracking-api"), 60),
        Node("orders-api", "django", ("orders-db", "pricing-engine", "label-service"), 45),
        Node("tracking-api", "gin", ("tracking-cache", "events-index"), 120),
        Node("pricing-engine", "gin", ("rates-cache",), 45),
        Node("label-service", "django", ("carrier-gateway",), 30),
        Node("carrier-gateway", "saas", (), 30),
        Node("route-planner", "gin", ("orders-db", "maps-api"), 15),
        Node("maps-api", "saas", (), 15),
        Node("orders-db", "postgres", (), 80),
        Node("tracking-cache", "redis", (), 300),
        Node("rates-cache", "redis", (), 100),
        Node("events-index", "elastic", (), 90),
    ),
)

ESTATES = {e.name: e for e in (BANK, LOGISTICS)}

BACKGROUND = {
    "spring": ["Completed GET /api/v3/accounts 200 in 41ms", "HikariPool-1 - Pool stats (total=20, active=3)"],
    "dotnet": ["Request finished HTTP/1.1 GET /token - 200 in 12.4ms", "Executed action in 8ms"],
    "nginx": [
        '10.2.0.7 - - "GET /ib/home HTTP/2.0" 200 5120 0.043',
        '10.2.0.9 - - "POST /api/login HTTP/2.0" 200 88 0.112',
    ],
    "mysql": ["[Note] Aborted connection 4410 to db: 'core' (Got timeout reading communication packets)"],
    "rabbitmq": ["accepting AMQP connection <0.1123.0>", "connection closed normally"],
    "memcached": ["<32 new auto-negotiating client connection"],
    "django": ["GET /v1/orders/ HTTP/1.1 200", "Cache hit for rate card"],
    "gin": ["[GIN] 200 | 2.1ms | GET /track/:id", "[GIN] 200 | 4.8ms | POST /quote"],
    "express": ["GET /dashboard 200 38.112 ms", "session refreshed"],
    "redis": ["Background saving started", "DB saved on disk"],
    "postgres": ["checkpoint complete: wrote 210 buffers", "automatic analyze of table orders"],
    "elastic": ["[INFO ][o.e.c.r.a.AllocationService] Cluster health status changed from [YELLOW] to [GREEN]"],
}
NOISE = {
    "spring": "WARN  o.h.e.j.s.SqlExceptionHelper - SQL Warning Code: 1265, SQLState: 01000",
    "express": "Error: socket hang up (client aborted)",
    "gin": "[WARN] slow request 1.3s GET /track/:id",
    "dotnet": 'warn: Microsoft.AspNetCore.Server.Kestrel[22] Heartbeat took longer than "00:00:01"',
}
LEVEL_WORD = {"error": "ERROR", "warn": "WARN", "info": "INFO"}


def record(shipper: str, at: datetime, service: str, pod: str, level: str, text: str, rng: random.Random) -> dict:
    """One log record as the estate's shipper writes it."""
    if shipper == "vector":
        # the application's own line, level inside it; Vector adds where it came from
        line = f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} {LEVEL_WORD[level]:5} [{service}] {text}"
        return {
            "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
            "message": line,
            "source_type": "kubernetes_logs",
            "stream": "stderr" if level != "info" else "stdout",
            "kubernetes": {"pod_name": pod, "pod_namespace": "core-banking", "container_name": service},
        }
    return {
        "ts": round(at.timestamp(), 6),
        "level": {"error": "error", "warn": "warning", "info": "info"}[level],
        "logger": f"{service}.app",
        "msg": text,
        "app": service,
        "pod": pod,
    }
