"""World 78's estate, written after world 77's rules and scored before any rule saw it.

An Istanbul quick-commerce grocer (groceries at the door in fifteen minutes) on Kubernetes in a Turkish cloud:
Emissary-ingress (Envoy) in front, a Next.js storefront, a Kotlin basket service and a Quarkus order service, a
Go payments service calling iyzico, a FastAPI courier dispatcher, a Go notifier calling Firebase Cloud Messaging,
PgBouncer in front of PostgreSQL, and Kafka under Strimzi.

Logs are SigNoz's: every pod's lines go through the OpenTelemetry Collector into ClickHouse, and the bundle is
what the engineer exported with `clickhouse client --query "SELECT * FROM signoz_logs.logs_v2 WHERE ... FORMAT
JSONEachRow"`: `timestamp` in nanoseconds as a quoted UInt64, `severity_text` as each SDK spells it (the Java
agent `WARN`, Python `WARNING`, .NET-style words nowhere, pino's lower case), `severity_number` on
OpenTelemetry's scale (9 info, 13 warn, 17 error), `body`, the record's attributes in typed maps
(`attributes_string`: where the Java agent and Python's handler keep the exception, where slog keeps `error`) and
the resource in `resources_string` (`service.name` set by the SDKs). Ingress, PgBouncer, PostgreSQL and Kafka
have no SDK: the collector's filelog receiver reads their containers' files, so their rows have no severity
(`""`, 0), the raw line as body, and no `service.name`, only the pod's Kubernetes attributes. Metrics: recording
rules keyed by `service_name`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

NAMESPACE = "cabuk-prod"
# the SDK each technology logs through, and how it spells a level (None: no SDK, read from its file)
_SEVERITY: dict[str, dict[str, tuple[str, int]] | None] = {
    "java": {"info": ("INFO", 9), "warn": ("WARN", 13), "error": ("ERROR", 17)},
    "pino": {"info": ("info", 9), "warn": ("warn", 13), "error": ("error", 17)},
    "slog": {"info": ("INFO", 9), "warn": ("WARN", 13), "error": ("ERROR", 17)},
    "python": {"info": ("INFO", 9), "warn": ("WARNING", 13), "error": ("ERROR", 17)},
    "envoy": None,
    "pgbouncer": None,
    "postgres": None,
    "kafka": None,
}
# what the Kubernetes workload of a file-read container is (a statefulset's pods are numbered)
_STATEFUL = {"postgres", "kafka"}
_SCOPE = {"java": "com.cabuk", "pino": "storefront", "slog": "", "python": "cabuk.dispatch"}


def _signals() -> dict[str, str]:
    sel = 'service_name="{service}",deployment_environment="prod"'
    return {
        "request_rate": f"cabuk:http_server_requests:rate1m{{{sel}}}",
        "error_ratio": f"cabuk:http_server_errors:ratio_rate1m{{{sel}}}",
        "latency_p99": f"cabuk:http_server_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"cabuk:container_cpu:ratio_limit{{{sel}}}",
        "memory_utilization": f"cabuk:container_memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"cabuk:kubelet_volume_used:ratio{{{sel}}}",
        "pool_utilization": f"cabuk:db_client_connections_usage:ratio{{{sel}}}",
    }


PROD = Estate(
    label="service_name",
    name="cabuk",
    namespace=NAMESPACE,
    shipper="signoz-clickhouse-jsoneachrow",
    signals=_signals(),
    nodes=(
        Node("edge", "envoy", ("storefront",), 120),
        Node("storefront", "pino", ("basket", "order"), 90),
        Node("basket", "java", ("pgbouncer",), 60),
        Node("order", "java", ("pgbouncer", "kafka", "payments"), 30),
        Node("payments", "slog", ("iyzico",), 25),
        Node("dispatch", "python", ("kafka", "pgbouncer"), 20),
        Node("notify", "slog", ("kafka", "fcm"), 15),
        Node("pgbouncer", "pgbouncer", ("postgres",), 300),
        Node("postgres", "postgres", (), 300),
        Node("kafka", "kafka", (), 200),
        Node("iyzico", "saas", (), 25),
        Node("fcm", "saas", (), 15),
    ),
)

ESTATES = {PROD.name: PROD}

# a line as the program writes it; `text|exc|type|message` keeps an exception apart, as the SDK does
BACKGROUND = {
    "envoy": ['[{iso}Z] "GET /api/v2/catalog/aisles/{k} HTTP/1.1" 200 - 0 {n}{k}1 {k} {k} "-" "Cabuk/7.{k} (iPhone; '
              'iOS 17.{k})" "{hex}" "storefront.cabuk-prod:3000" "10.42.{k}.{n}:3000"'],
    "pino": ["GET /api/basket 200 in {n}ms", "rendered aisle {k} for store IST-{n}"],
    "java": ["Basket {hex} updated: {k} items", "Order {n}{k}88 placed for store IST-{n}"],
    "slog": ["payment authorised", "push sent"],
    "python": ["courier {n}{k} assigned to order {n}{k}88 (eta {k} min)"],
    "pgbouncer": ["{ymd} {hms}.{ms} UTC [1] LOG stats: {n} xacts/s, {k}{n} queries/s, in {k}{n}{n} B/s, out {n}{k}0 "
                  "B/s, xact {k}{n}{k} us, query {n}{k} us, wait {k} us"],
    "postgres": ["{ymd} {hms}.{ms} UTC [{n}{k}] LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL "
                 "file(s) added, 0 removed, {k} recycled"],
    "kafka": ["{ymd} {hms},{ms} INFO [GroupCoordinator 0]: Stabilized group dispatch generation {n}{k} "
              "(__consumer_offsets-{k}) with {k} members (kafka.coordinator.group.GroupCoordinator)"],
}  # fmt: skip
NOISE = {
    "java": "Slow query warning: {k}{n}ms for basket lookup|exc|",
    "pino": "upstream basket answered in {k}{n}0ms",
    "pgbouncer": "{ymd} {hms}.{ms} UTC [1] LOG C-0x5581{hex}: cabuk/app@10.42.{k}.{n}:{n}{k}12 closing because: client "
    "close request (age={k}{n}s)",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{hex}", _hex(tech, str(at.timestamp()))[:8])
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{ymd}", f"{at:%Y-%m-%d}")
        .replace("{hms}", f"{at:%H:%M:%S}")
        .replace("{ms}", f"{at.microsecond // 1000:03d}")
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of signoz_logs.logs_v2 as `FORMAT JSONEachRow` writes it (64-bit integers quoted)."""
    node = estate.node(service)
    said = _fill(at, text, node.tech)
    body, _, exception = said.partition("|exc|")
    ns = int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1000
    h = _hex(service, pod)
    if node.tech in _STATEFUL:
        pod = f"{service}-{int(h[0], 16) % 3}"
    resources = {
        "k8s.namespace.name": NAMESPACE,
        "k8s.pod.name": pod,
        "k8s.node.name": f"ist-worker-{int(h[1], 16) % 5 + 1}",
        "k8s.container.name": {"envoy": "ambassador"}.get(node.tech, service),
        ("k8s.statefulset.name" if node.tech in _STATEFUL else "k8s.deployment.name"): service,
        "signoz.component": "otel-collector",
    }
    attributes: dict[str, str] = {}
    severity = _SEVERITY[node.tech]
    if severity is None:  # the filelog receiver: the container's file, unparsed
        text_, number = "", 0
        attributes = {
            "log.file.path": f"/var/log/pods/{NAMESPACE}_{pod}_{h[2:10]}-{h[10:14]}-{h[14:18]}-{h[18:22]}-{h[22:34]}/"
            f"{resources['k8s.container.name']}/0.log",
            "log.iostream": "stderr" if level in ("error", "warn") and node.tech != "envoy" else "stdout",
            "logtag": "F",
        }
    else:
        text_, number = severity.get(level, severity["info"])
        resources = {"service.name": service, "deployment.environment": "prod", **resources}
        if exception:
            kind, _, message = exception.partition("|")
            if node.tech == "slog":
                attributes["error"] = message or kind
            else:
                attributes["exception.type"] = kind
                attributes["exception.message"] = message
                attributes["exception.stacktrace"] = f"{kind}: {message}\n\tat {_SCOPE[node.tech]}.{service}.Handler"
    return {
        "ts_bucket_start": str(int(at.timestamp()) // 1800 * 1800),
        "resource_fingerprint": ";".join(f"{k}={v}" for k, v in sorted(resources.items())[:3])
        + f";hash={int(h[:8], 16)}",
        "timestamp": str(ns),
        "observed_timestamp": str(ns + 1_000_000 * (int(h[8], 16) + 1)),
        "id": f"2{h[9:35]}",
        "trace_id": "" if severity is None else _hex(service, str(ns))[:32],
        "span_id": "" if severity is None else _hex(str(ns), service)[:16],
        "trace_flags": 0 if severity is None else 1,
        "severity_text": text_,
        "severity_number": number,
        "body": body,
        "attributes_string": attributes,
        "attributes_number": {},
        "attributes_bool": {},
        "resources_string": resources,
        "scope_name": "" if severity is None else f"{_SCOPE[node.tech]}.{service}".strip("."),
        "scope_version": "",
        "scope_string": {},
    }
