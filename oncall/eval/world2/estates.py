"""Two estates written apart from the first generator: an OpenTelemetry-demo-like shop and a
DeathStarBench-like hotel service, with their own names, runtimes, metric names (OpenTelemetry
and kube-state-metrics / cAdvisor style) and log idioms (pino and zerolog JSON with `err` and
`error` fields, .NET console, logback, Envoy access logs, Python logging, Mongo and Valkey)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    name: str
    runtime: str  # node | go | dotnet | java | python | envoy | redis | mongo | kafka | cpp | rust | ruby
    calls: tuple[str, ...] = ()
    rps: float = 10.0
    shared: bool = False  # infrastructure many services use (flags, DNS)


@dataclass(frozen=True)
class Estate:
    name: str
    namespace: str
    nodes: tuple[Node, ...]
    entry: str
    label: str = "app"  # the alert label that names the service
    signals: dict[str, str] = field(default_factory=dict)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def callers(self, name: str) -> list[str]:
        return [n.name for n in self.nodes if name in n.calls]


OTEL = {
    "request_rate": 'otel_http_server_request:rate5m{service_name="{service}"}',
    "error_ratio": 'otel_http_server_error:ratio5m{service_name="{service}"}',
    "latency_p99": 'otel_http_server_request_duration_seconds:p99{service_name="{service}"}',
    "cpu_utilization": 'container_cpu_usage:ratio_of_limit{container="{service}"}',
    "memory_utilization": 'container_memory_working_set:ratio_of_limit{container="{service}"}',
    "restarts": 'kube_pod_container_status_restarts:increase10m{container="{service}"}',
    "replicas": 'kube_deployment_status_replicas_available{deployment="{service}"}',
}

SHOP = Estate(
    name="astronomy",
    namespace="otel-demo",
    entry="frontend-proxy",
    signals=OTEL,
    nodes=(
        Node("frontend-proxy", "envoy", ("frontend",), 60),
        Node("frontend", "node", ("cart", "checkout", "product-catalog", "recommendation", "ad", "currency"), 55),
        Node("cart", "dotnet", ("valkey-cart", "flagd"), 20),
        Node("valkey-cart", "redis", (), 40),
        Node("checkout", "go", ("cart", "currency", "payment", "shipping", "email", "product-catalog", "kafka"), 6),
        Node("currency", "cpp", (), 30),
        Node("payment", "node", ("flagd",), 6),
        Node("shipping", "rust", (), 6),
        Node("email", "ruby", (), 5),
        Node("product-catalog", "go", ("flagd",), 35),
        Node("recommendation", "python", ("product-catalog", "flagd"), 15),
        Node("ad", "java", ("flagd",), 15),
        Node("kafka", "kafka", (), 12),
        Node("accounting", "dotnet", ("kafka",), 6),
        Node("fraud-detection", "java", ("kafka", "flagd"), 6),
        Node("flagd", "go", (), 50, shared=True),
    ),
)

HOTEL = Estate(
    name="hotel",
    namespace="hotel-reservation",
    entry="frontend",
    label="service_name",
    signals={**OTEL, "pool_utilization": 'db_client_connections_usage:ratio{service_name="{service}"}'},
    nodes=(
        Node("frontend", "go", ("search", "profile", "recommendation", "user", "reservation", "coredns"), 50),
        Node("search", "go", ("geo", "rate", "coredns"), 30),
        Node("geo", "go", ("mongodb-geo", "coredns"), 30),
        Node("rate", "go", ("memcached-rate", "mongodb-rate", "coredns"), 30),
        Node("profile", "go", ("memcached-profile", "mongodb-profile", "coredns"), 25),
        Node("recommendation", "go", ("mongodb-recommendation", "coredns"), 10),
        Node("user", "go", ("mongodb-user", "coredns"), 10),
        Node("reservation", "go", ("memcached-reserve", "mongodb-reservation", "coredns"), 8),
        Node("memcached-rate", "redis", (), 60),
        Node("memcached-profile", "redis", (), 50),
        Node("memcached-reserve", "redis", (), 10),
        Node("mongodb-geo", "mongo", (), 30),
        Node("mongodb-rate", "mongo", (), 25),
        Node("mongodb-profile", "mongo", (), 20),
        Node("mongodb-recommendation", "mongo", (), 10),
        Node("mongodb-user", "mongo", (), 10),
        Node("mongodb-reservation", "mongo", (), 8),
        Node("coredns", "go", (), 200, shared=True),
    ),
)

ESTATES = {e.name: e for e in (SHOP, HOTEL)}


def line(runtime: str, level: str, text: str, rng: random.Random, *, peer: str | None = None) -> dict[str, object]:
    """One log record in the runtime's own idiom (the fields other than ts/service/pod)."""
    rid = f"{rng.getrandbits(64):016x}"
    if runtime == "node":  # pino: numeric levels, msg, and the error in err
        lvl = {"error": 50, "warn": 40, "info": 30}[level]
        rec: dict[str, object] = {"level": lvl, "msg": text.split(": ")[0], "reqId": rid}
        if level != "info" and ": " in text:
            rec["err"] = {"type": "Error", "message": text.split(": ", 1)[1]}
        return rec
    if runtime in ("go", "rust"):  # zerolog: message and error apart
        rec = {"level": level, "message": text.split(": ")[0], "trace_id": rid}
        if level != "info" and ": " in text:
            rec["error"] = text.split(": ", 1)[1]
        return rec
    if runtime == "dotnet":
        tag = {"error": "fail", "warn": "warn", "info": "info"}[level]
        return {"severity": level.upper(), "log": f"{tag}: {text}"}
    if runtime == "java":
        return {"severity": level.upper(), "message": text, "logger": "io.opentelemetry.demo"}
    if runtime == "envoy":
        code = "503" if level != "info" else "200"
        flags = "UF" if level != "info" else "-"
        return {
            "severity": "info",
            "log": f'"GET /api/{peer or "x"} HTTP/1.1" {code} {flags} 0 91 {rng.randint(1, 900)} - "{text}"',
        }
    if runtime == "python":
        return {"levelname": level.upper(), "level": level.upper(), "message": f"{text}"}
    if runtime in ("redis", "mongo", "kafka", "cpp", "ruby"):
        return {"level": level, "message": text}
    return {"level": level, "message": text}


BACKGROUND = {
    "node": ["request completed", "GET /api/products 200", "session refreshed"],
    "go": ["served request", "cache hit ratio 0.93", "grpc call finished"],
    "dotnet": ["Request finished HTTP/1.1 GET /cart 200", "Executed endpoint 'CartService.GetCart'"],
    "java": ["Processed order event", "Connection pool stats: active=3 idle=7"],
    "python": ["Recommendations computed for 4 products", "GET /healthz 200"],
    "envoy": ["downstream request"],
    "redis": ["Background saving started", "DB saved on disk", "accepted connection"],
    "mongo": ["Connection accepted", "Slow query took 120ms"],
    "kafka": ["Rolled new log segment", "Committed offsets"],
    "cpp": ["Converted 3 currencies"],
    "rust": ["Quote computed"],
    "ruby": ["Order confirmation sent"],
}
NOISE = {  # errors every service logs now and then, incident or not
    "node": "upstream request failed: socket hang up",
    "go": "retrying request: context deadline exceeded",
    "dotnet": "Polly retry 1 after transient failure",
    "java": "Transient error talking to broker, will retry",
    "python": "Timeout fetching product, using cached",
}
