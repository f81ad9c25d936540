"""World 81's estate, written after world 80's rules and scored before any rule saw it.

A Nairobi pay-as-you-go solar company on Kubernetes (a k3s cluster in a Nairobi data centre): ingress-nginx in
front; a Kotlin agent-app API the field agents sell through; an mpesa-callbacks service (FastAPI) that Safaricom's
Daraja calls with each customer's M-Pesa payment; a Go payments ledger; a Go unlock-tokens service issuing the codes
that keep a customer's lamp on; a Node sms-gateway sending them through Africa's Talking; a Python credit-engine
whose accrual job runs over the loans; PgBouncer in front of PostgreSQL (CloudNativePG); RabbitMQ between payments,
unlock-tokens and sms-gateway.

Logs are ClickStack's (HyperDX's): the OpenTelemetry Collector's ClickHouse exporter writes the `otel_logs` table,
and the bundle is the engineer's `SELECT * FROM otel_logs WHERE TimestampTime BETWEEN ... FORMAT JSONEachRow`: no
ORDER BY, so rows come in the table's sort key (ServiceName, then time), `Timestamp` as ClickHouse writes a
DateTime64(9) (`2027-07-30 03:12:45.123456789`, the server's zone, UTC, no zone written), `SeverityText` as each
SDK spells it (Java's and Go's `WARN`, Python's `WARNING`, pino's lowercase), `SeverityNumber`, `ServiceName`,
`Body`, `ResourceAttributes` and `LogAttributes` as objects of strings (`k8s.pod.name`, `exception.type`). What the
collector's filelog receiver reads from a container's file (nginx, PgBouncer, PostgreSQL, RabbitMQ) has no service
name, no severity (`""`, 0) and the raw line as Body; CloudNativePG's line is its own JSON. Metrics: the
Collector's kubeletstats and the SDKs' HTTP metrics through recording rules, keyed by `service_name`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

NAMESPACE = "mwangaza"
# each SDK's own spelling of a level, and OpenTelemetry's number for it
_TEXT = {
    "java": {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR"},
    "go": {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR"},
    "python": {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR"},
    "node": {"debug": "debug", "info": "info", "warn": "warn", "error": "error"},
}
_NUMBER = {"debug": 5, "info": 9, "warn": 13, "error": 17}
_WORKLOAD = {"postgres": "k8s.statefulset.name", "rabbitmq": "k8s.statefulset.name"}


def _signals() -> dict[str, str]:
    sel = 'service_name="{service}",k8s_namespace_name="mwangaza"'
    return {
        "request_rate": f"http_server_request_duration_seconds_count:rate5m{{{sel}}}",
        "error_ratio": f"http_server_request_errors:ratio_rate5m{{{sel}}}",
        "latency_p99": f"http_server_request_duration_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"k8s_pod_cpu_limit_utilization{{{sel}}}",
        "memory_utilization": f"k8s_pod_memory_limit_utilization{{{sel}}}",
        "disk_utilization": f"k8s_volume_usage:ratio{{{sel}}}",
        "restarts": f"k8s_container_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service_name",
    name="mwangaza",
    namespace=NAMESPACE,
    shipper="clickstack-otel-logs-jsoneachrow",
    signals=_signals(),
    nodes=(
        Node("ingress", "nginx", ("agent-api", "mpesa-callbacks"), 60),
        Node("agent-api", "java", ("payments", "credit-engine", "pgbouncer"), 30),
        Node("mpesa-callbacks", "python", ("payments", "mpesa"), 25),
        Node("payments", "go", ("pgbouncer", "rabbitmq"), 40),
        Node("unlock-tokens", "go", ("rabbitmq", "pgbouncer"), 25),
        Node("sms-gateway", "node", ("rabbitmq", "africastalking"), 25),
        Node("credit-engine", "python", ("pgbouncer",), 5),
        Node("pgbouncer", "pgbouncer", ("postgres",), 150),
        Node("postgres", "postgres", (), 150),
        Node("rabbitmq", "rabbitmq", (), 90),
        Node("mpesa", "saas", (), 25),
        Node("africastalking", "saas", (), 25),
    ),
)

ESTATES = {PROD.name: PROD}

# `|exc|type|message` marks an exception the SDK records apart from the line
BACKGROUND = {
    "nginx": ['10.42.{k}.{n} - - [{clf}] "POST /api/v3/agents/sales HTTP/1.1" 201 {n}{k}4 "-" "okhttp/4.12.0" '
              '{k}31 0.0{k}{n} [mwangaza-agent-api-8080] [] 10.42.{k}.{n}:8080 {n}{k}4 0.0{k}{n} 201 {hex}'],
    "java": ["Sale {n}{k}07 recorded for agent KE-{k}{n}3", "Customer 07{k}{n}{k}{n}1 account fetched in {n} ms"],
    "python": ["C2B confirmation QK{k}{n}X{n}{k}T received: KES {k}{n}0 for account 07{k}{n}{k}{n}1"],
    "go": ["payment posted account=07{k}{n}{k}{n}1 amount_kes={k}{n}0 balance_days={k}",
           "unlock token issued device=SHS-{n}{k}{k}0 days={k}"],
    "node": ["SMS queued for +2547{k}{n}{k}{n}{k}{n}1 (token)"],
    "pgbouncer": ["{ymd} {hms}.{ms} UTC [1] LOG stats: {n}{k} xacts/s, {k}{n} queries/s, in {n}{k}31 B/s, out "
                  "{k}{n}12 B/s, xact {k}{n}1 us, query {n}{k}7 us, wait {k} us"],
    "postgres": ["checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added, 0 removed, {k} "
                 "recycled"],
    "rabbitmq": ["{ymd} {hms}.{ms}000+00:00 [info] <0.{n}{k}1.0> accepting AMQP connection <0.{n}{k}1.0> "
                 "(10.42.{k}.{n}:5{n}{k}2 -> 10.42.0.{k}:5672)"],
}  # fmt: skip
NOISE = {
    "java": "Slow query on loans ({k}{n}0 ms)",
    "go": "retrying publish after channel flow control ({k}00ms)",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{hex}", _hex(tech, str(at.timestamp()))[:16])
        .replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
        .replace("{ymd}", f"{at:%Y-%m-%d}")
        .replace("{hms}", f"{at:%H:%M:%S}")
        .replace("{ms}", f"{at.microsecond // 1000:03d}")
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
    )


def _cnpg(at: datetime, pod: str, level: str, message: str) -> str:
    """CloudNativePG's instance manager writes PostgreSQL's log as JSON of its own."""
    severity = {"error": "ERROR", "warn": "WARNING"}.get(level, "LOG")
    return json.dumps(
        {
            "level": "info",
            "ts": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z",
            "logger": "postgres",
            "msg": "record",
            "logging_pod": pod,
            "record": {
                "log_time": f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC",
                "user_name": "app",
                "database_name": "mwangaza",
                "process_id": str(4000 + int(at.timestamp()) % 900),
                "error_severity": severity,
                "sql_state_code": "00000" if severity == "LOG" else "55P03",
                "message": message,
                "backend_type": "client backend",
            },
        },
        separators=(",", ":"),
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of ClickStack's otel_logs as `FORMAT JSONEachRow` writes it."""
    node = estate.node(service)
    said, _, exception = text.partition("|exc|")
    body = _fill(at, said, node.tech)
    h = _hex(service, pod)
    sdk = node.tech in _TEXT
    if node.tech in _WORKLOAD:
        pod = f"{service}-{int(h[0], 16) % 3 + 1}"
    if node.tech == "postgres":
        body = _cnpg(at, pod, level, body)
    kind, _, exc_message = exception.partition("|")
    resource = {
        "k8s.namespace.name": NAMESPACE,
        "k8s.pod.name": pod,
        "k8s.container.name": service,
        _WORKLOAD.get(node.tech, "k8s.deployment.name"): service,
        "k8s.node.name": f"nbo-worker-{int(h[3], 16) % 5 + 1}",
    }
    if sdk:
        resource |= {"service.name": service, "telemetry.sdk.language": node.tech}
    attributes = {"log.file.path": f"/var/log/pods/{NAMESPACE}_{pod}_{h[:8]}/{service}/0.log", "log.iostream": "stdout"}
    if sdk:
        attributes = {"code.function": "handle"}
        if exception:
            attributes |= {"exception.type": kind, "exception.message": _fill(at, exc_message, node.tech)}
    ns = f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}{int(h[4:7], 16) % 1000:03d}"
    return {
        "Timestamp": ns,
        "TimestampTime": f"{at:%Y-%m-%d %H:%M:%S}",
        "TraceId": _hex(service, ns)[:32] if sdk else "",
        "SpanId": _hex(ns, service)[:16] if sdk else "",
        "TraceFlags": 1 if sdk else 0,
        "SeverityText": _TEXT[node.tech][level] if sdk else "",
        "SeverityNumber": _NUMBER[level] if sdk else 0,
        "ServiceName": service if sdk else "",
        "Body": body,
        "ResourceSchemaUrl": "",
        "ResourceAttributes": resource,
        "ScopeSchemaUrl": "",
        "ScopeName": "io.opentelemetry.logback" if node.tech == "java" else ("otelslog" if node.tech == "go" else ""),
        "ScopeVersion": "",
        "ScopeAttributes": {},
        "LogAttributes": attributes,
    }
