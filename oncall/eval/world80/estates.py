"""World 80's estate, written after world 79's rules and scored before any rule saw it.

A Lisbon language-learning app on Kubernetes (Scaleway Kapsule): ingress-nginx in front, a Next.js web app, a
FastAPI api, a FastAPI lessons service with a Redis cache in front of PostgreSQL, a FastAPI checkout charging
through Stripe, a notifier mailing through SendGrid, a catalog-sync job publishing the course catalogue to Redpanda
(Avro, with a schema registry) and a search-indexer consuming it into OpenSearch.

Logs are Pydantic Logfire's: every Python service logs through the Logfire SDK, the rest through an OpenTelemetry
Collector exporting to Logfire, and the bundle is the engineer's query of Logfire's `records` table through its
query API (rows as JSON, one a line, newest first): `start_timestamp`, `kind`, `level` as Logfire's number (9 info,
13 warn, 17 error, OpenTelemetry's scale), `span_name` (the message's template), `message` (as formatted),
`is_exception`, `exception_type`, `exception_message`, `service_name`, `otel_resource_attributes` (an object with
the pod), `attributes`. What the collector reads from a container's file has no severity of its own: Logfire files
it at info (9), the raw line as message. Metrics: Logfire's own metric names scraped from the SDKs, keyed by
`service_name`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

NAMESPACE = "lingo"
_LEVEL = {"debug": 5, "info": 9, "warn": 13, "error": 17}
_SDK = {"python", "node"}  # logged through an SDK; the rest are container files the collector read
_STATEFUL = {"postgres", "redpanda", "redis"}


def _signals() -> dict[str, str]:
    sel = 'service_name="{service}",deployment_environment="production"'
    return {
        "request_rate": f"http_server_duration_count:rate1m{{{sel}}}",
        "error_ratio": f"http_server_duration_errors:ratio1m{{{sel}}}",
        "latency_p99": f"http_server_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"process_cpu_utilization:ratio_limit{{{sel}}}",
        "memory_utilization": f"process_memory_usage:ratio_limit{{{sel}}}",
        "disk_utilization": f"container_fs_usage:ratio_limit{{{sel}}}",
        "restarts": f"kube_pod_container_status_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service_name",
    name="lingo",
    namespace=NAMESPACE,
    shipper="logfire-query-api-json-rows",
    signals=_signals(),
    nodes=(
        Node("ingress", "nginx", ("web", "api"), 80),
        Node("web", "node", ("api",), 60),
        Node("api", "python", ("lessons", "checkout", "postgres"), 70),
        Node("lessons", "python", ("redis", "postgres"), 50),
        Node("checkout", "python", ("stripe", "postgres"), 6),
        Node("notifier", "python", ("sendgrid", "redpanda"), 4),
        Node("catalog-sync", "python", ("postgres", "redpanda"), 2),
        Node("search-indexer", "python", ("redpanda", "opensearch"), 10),
        Node("postgres", "postgres", (), 200),
        Node("redis", "redis", (), 300),
        Node("redpanda", "redpanda", (), 100),
        Node("stripe", "saas", (), 6),
        Node("sendgrid", "saas", (), 4),
        Node("opensearch", "saas", (), 10),
    ),
)

ESTATES = {PROD.name: PROD}

# `template|=|formatted` keeps Logfire's span_name apart from its message; `|exc|type|message` an exception
BACKGROUND = {
    "nginx": ['10.64.{k}.{n} - - [{clf}] "GET /api/v2/lessons/{n}{k} HTTP/2.0" 200 {n}{k}31 "-" "Lingo/4.{k} (iOS '
              '17.{k})" {k}12 0.0{k}{n} [lingo-api-80] [] 10.64.{k}.{n}:8000 {n}{k}31 0.0{k}{n} 200 {hex}'],
    "node": ["GET /learn/{lang}/unit-{k} 200 in {n}ms"],
    "python": ["lesson {lesson_id} served to {user}|=|lesson {n}{k}7 served to user {n}{k}{k}41",
               "streak updated for {user}|=|streak updated for user {n}{k}{k}41 ({k} days)"],
    "postgres": ["{ymd} {hms}.{ms} UTC [{n}{k}] LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL "
                 "file(s) added, 0 removed, {k} recycled"],
    "redis": ["1:M {redis} * Background saving terminated with success"],
    "redpanda": ["INFO  {ymd} {hms},{ms} [shard {k}:main] cluster - members_manager.cc:{n}{k}3 - Node 1 heartbeat ok"],
}  # fmt: skip
NOISE = {
    "python": "slow query on {table}|=|slow query on lesson_progress ({k}{n}0 ms)",
    "node": "api answered slowly ({k}{n}0ms) for /learn",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{hex}", _hex(tech, str(at.timestamp()))[:16])
        .replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
        .replace("{redis}", f"{at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{ymd}", f"{at:%Y-%m-%d}")
        .replace("{hms}", f"{at:%H:%M:%S}")
        .replace("{ms}", f"{at.microsecond // 1000:03d}")
        .replace("{lang}", ["pt", "es", "fr", "de", "it"][n % 5])
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of Logfire's `records` table as its query API returns it (JSON rows)."""
    node = estate.node(service)
    said, _, exception = text.partition("|exc|")
    template, _, formatted = said.partition("|=|")
    message = _fill(at, formatted or template, node.tech)
    h = _hex(service, pod)
    if node.tech in _STATEFUL:
        pod = f"{service}-{int(h[0], 16) % 3}"
    sdk = node.tech in _SDK
    kind, _, exc_message = exception.partition("|")
    stamp = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z"
    return {
        "start_timestamp": stamp,
        "end_timestamp": stamp,
        "trace_id": _hex(service, stamp)[:32],
        "span_id": _hex(stamp, service)[:16],
        "kind": "log",
        "level": _LEVEL.get(level, 9) if sdk else 9,
        "span_name": template if sdk and formatted else message,
        "message": message,
        "is_exception": bool(exception),
        "exception_type": kind or None,
        "exception_message": _fill(at, exc_message, node.tech) if exception else None,
        "tags": [],
        "attributes": {"code.function": "handle"} if sdk else {"log.file.path": f"/var/log/pods/{pod}/0.log"},
        "service_name": service,
        "service_version": f"4.{int(h[1], 16) % 6}.{int(h[2], 16) % 9}" if sdk else None,
        "deployment_environment": "production",
        "otel_scope_name": "logfire" if sdk else "filelog",
        "otel_resource_attributes": {
            "k8s.pod.name": pod,
            "k8s.namespace.name": NAMESPACE,
            "service.name": service,
        },
    }
