"""World 69's estate, written after world 68's rules and scored before any rule saw it.

A Canadian ski resort group's lift-access and ticketing platform on DigitalOcean Kubernetes (DOKS, Toronto):
Zalando's Skipper at the edge (its access log, Apache's combined format with the duration and host after it), a
SvelteKit shop (winston, its records through OpenTelemetry's instrumentation), a Go tickets API (log/slog
bridged by otelslog, the error as an `err` attribute), a Spring Boot passes service (the OpenTelemetry Java
agent's logback appender: a thrown exception in the `exception.type`, `exception.message` and
`exception.stacktrace` attributes), a Rust access-control service the lift gates validate each RFID scan with
(tracing through opentelemetry-appender-tracing), a Python snow report (the OpenTelemetry logging handler), a
.NET point-of-sale sync (ILogger through OpenTelemetry .NET), and NATS JetStream in the cluster. Managed
PostgreSQL and Valkey, Moneris (card payments) and Environment Canada's feed show nothing of their own.

Every record goes through the OpenTelemetry Collector (the SDKs over OTLP; Skipper's and NATS's stdout through
the filelog receiver, unparsed: no severity at all) into Quickwit's `otel-logs-v0_9` index. The bundle is a
search of that index exported with `jq -c '.hits[]'`, newest first as the search returned it: each hit the
document as Quickwit stores it (`timestamp_nanos` an integer, `service_name`, `severity_text` left out when
empty, `severity_number` on OpenTelemetry's scale that runs up with severity, 0 unspecified, `body` an object
holding a string body as `message`, `attributes`, `resource_attributes` with the pod's name, `trace_id`).
Metrics: the spanmetrics connector's calls and durations as recording rules by `service_name`, and
kubeletstats' CPU and memory as a fraction of the limit by `k8s_deployment_name`."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: skipper sveltekit goslog javaagent rusttracing pyotel dotnet nats saas
NAMESPACE = "piste"
TORONTO = timezone(timedelta(hours=-5))
# OpenTelemetry's severity numbers (TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21)
NUMBER = {"debug": 5, "info": 9, "warn": 13, "error": 17, "critical": 21}
# each SDK's severity_text for a logger's level (the filelog receiver, unparsed, sets none)
TEXT = {
    "sveltekit": {"debug": "debug", "info": "info", "warn": "warn", "error": "error", "critical": "error"},
    "goslog": {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "critical": "ERROR"},
    "javaagent": {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "critical": "ERROR"},
    "rusttracing": {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "critical": "ERROR"},
    "pyotel": {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR", "critical": "CRITICAL"},
    "dotnet": {"debug": "Debug", "info": "Information", "warn": "Warning", "error": "Error", "critical": "Critical"},
}
SCOPE = {
    "sveltekit": "@opentelemetry/winston-transport",
    "goslog": "github.com/piste/tickets",
    "javaagent": "ca.piste.passes.PassService",
    "rusttracing": "opentelemetry-appender-tracing",
    "pyotel": "snowreport.app",
    "dotnet": "Piste.PosSync.Worker",
}


def _signals() -> dict[str, str]:
    span = 'service_name="{service}",span_kind="SPAN_KIND_SERVER",k8s_cluster_name="doks-tor1-prod"'
    pod = 'k8s_deployment_name="{service}",k8s_namespace_name="piste",k8s_cluster_name="doks-tor1-prod"'
    return {
        "request_rate": f"service_name:traces_span_metrics_calls:rate1m{{{span}}}",
        "error_ratio": f"service_name:traces_span_metrics_calls_error:ratio_rate1m{{{span}}}",
        "latency_p99": f"service_name:traces_span_metrics_duration_seconds:p99_1m{{{span}}}",
        "cpu_utilization": f"k8s_pod_cpu_limit_utilization_ratio{{{pod}}}",
        "memory_utilization": f"k8s_pod_memory_limit_utilization_ratio{{{pod}}}",
        "disk_utilization": f"k8s_volume_used_ratio{{{pod}}}",
    }


PROD = Estate(
    label="service_name",
    name="piste",
    namespace=NAMESPACE,
    shipper="otel-collector-quickwit",
    signals=_signals(),
    nodes=(
        Node("skipper", "skipper", ("shop", "tickets-api", "passes", "snow-report"), 140),
        Node("shop", "sveltekit", ("tickets-api", "passes", "snow-report"), 70),
        Node("tickets-api", "goslog", ("postgres", "moneris", "passes"), 35),
        Node("passes", "javaagent", ("postgres", "valkey"), 45),
        Node("access-control", "rusttracing", ("passes", "valkey", "nats"), 80),
        Node("snow-report", "pyotel", ("postgres", "envcanada"), 25),
        Node("pos-sync", "dotnet", ("nats", "tickets-api"), 8),
        Node("nats", "nats", (), 300),
        Node("postgres", "saas", (), 200),
        Node("valkey", "saas", (), 500),
        Node("moneris", "saas", (), 20),
        Node("envcanada", "saas", (), 2),
    ),
)

ESTATES = {PROD.name: PROD}

# a line's text; "text||key=value;key=value" for an SDK record's attributes (an exception's, a slog error)
BACKGROUND = {
    "skipper": [
        '10.244.{k}.17 - - [{clf}] "GET /shop/lifts HTTP/1.1" 200 2{n}4 "-" "Mozilla/5.0" 1{n} shop.piste.ca - -',
        '10.244.{k}.21 - - [{clf}] "POST /api/tickets/v1/orders HTTP/1.1" 201 4{n}1 "-" "Mozilla/5.0" 2{n}0 '
        'api.piste.ca - -',
    ],
    "sveltekit": ["rendered /billets/{k} in 3{n} ms", "GET /api/lifts 200 {n} ms"],
    "goslog": ["order created||order_id=ord_{hex};amount_cents=1{n}900;channel=web",
               "http request served||method=POST;path=/v1/orders;status=201;duration_ms=1{n}"],
    "javaagent": ["Pass {hex} eligibility computed in {n} ms", "Season pass SP-2{n}41 loaded from cache"],
    "rusttracing": ["scan accepted||gate=G{k}-{n};media=E2801160{hex};lift=chair-{k}",
                    "scan accepted||gate=G{k}-1{n};media=E2801160{hex};lift=gondola"],
    "pyotel": ["lift status published for {k} lifts", "conditions refreshed from Environment Canada in 1{n}0 ms"],
    "dotnet": ["Synced {n} rental transactions from till {k}", "Acknowledged batch {hex}"],
    "nats": ["[1] {nats} [INF] JetStream cluster new stream leader for 'piste > GATE_SCANS'",
             "[1] {nats} [INF] 10.244.{k}.33:4{n}22 - cid:1{n}3 - Client connection created"],
}  # fmt: skip
NOISE = {
    "goslog": "moneris call slow||elapsed_ms=2{n}00;store=store_piste_01",
    "javaagent": "Valkey round trip {n} ms above budget for pass {hex}",
    "rusttracing": "gate heartbeat late||gate=G{k}-{n};late_ms=4{n}0",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, svc: str) -> str:
    n = int(at.timestamp()) % 61
    local = at.astimezone(TORONTO)
    return (
        text.replace("{hex}", _hex(svc, str(at.timestamp()))[:12])
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
        .replace("{nats}", f"{at:%Y/%m/%d %H:%M:%S}.{at.microsecond:06d}")
        .replace("{local}", f"{local:%Y-%m-%d %H:%M}")
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One hit of the Quickwit search, as `jq -c '.hits[]'` writes it."""
    tech = estate.node(service).tech
    body, _, attrs = _fill(at, text, service).partition("||")
    h = _hex(pod, at.isoformat())
    nanos = int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1000 + int(h[:3], 16) % 1000
    doc: dict[str, Any] = {"timestamp_nanos": nanos, "observed_timestamp_nanos": nanos + 40_000_000 + int(h[3:6], 16)}
    doc["service_name"] = service
    if tech in TEXT:
        doc["severity_text"] = TEXT[tech][level]
        doc["severity_number"] = NUMBER[level]
    else:  # the filelog receiver, no severity parser: unspecified
        doc["severity_number"] = 0
    doc["body"] = {"message": body}
    attributes: dict[str, Any] = {}
    for pair in filter(None, attrs.split(";")):
        k, _, v = pair.partition("=")
        attributes[k] = v
    if tech in TEXT:
        attributes["code.namespace"] = SCOPE[tech]
    else:
        stream = "stdout" if tech == "skipper" else "stderr"
        attributes |= {"log.file.path": f"/var/log/pods/piste_{pod}_{h[:8]}/{service}/0.log", "log.iostream": stream}
    doc["attributes"] = attributes
    doc["resource_attributes"] = {
        "k8s.pod.name": pod,
        "k8s.namespace.name": NAMESPACE,
        "k8s.deployment.name": service,
        "k8s.node.name": f"pool-tor1-{h[6:11]}",
        "service.namespace": "piste",
    }
    if tech in TEXT:
        doc["trace_id"], doc["span_id"] = h[:32], h[32:48]
        doc["scope_name"] = SCOPE[tech]
    return doc
