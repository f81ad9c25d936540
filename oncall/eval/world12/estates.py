"""World 12's estate, written after world 11's rules and scored before any rule saw it.

A telehealth clinic platform on Kubernetes. Fluent Bit ships container output to Elasticsearch and the
export keeps Fluent Bit's record: the raw line in `log`, `stream`, `@timestamp`, and the pod's
metadata under `kubernetes` (the service only in the `app.kubernetes.io/name` label). No level field:
each program states its own level in its own idiom, or none. Metrics follow OpenTelemetry's semantic
conventions as the Prometheus exporter names them, labelled by `service_name`."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech in this world: ingress dotnet rust rails go python postgres redis saas


def _signals(label: str) -> dict[str, str]:
    names = {
        "request_rate": "http_server_request_rate",
        "error_ratio": "http_server_error_fraction",
        "latency_p99": "http_server_request_duration_p99_seconds",
        "cpu_utilization": "k8s_container_cpu_limit_utilization",
        "memory_utilization": "k8s_container_memory_limit_utilization",
        "disk_utilization": "k8s_volume_used_fraction",
        "restarts": "k8s_container_restarts_increase",
        "pool_utilization": "db_client_connections_usage_fraction",
    }
    return {k: f'{v}{{{label}="{{service}}"}}' for k, v in names.items()}


CLINIC = Estate(
    label="service_name",
    name="clinic",
    namespace="clinic",
    shipper="fluent-bit",
    signals=_signals("service_name"),
    nodes=(
        Node("ingress", "ingress", ("portal-bff", "video-gw"), 260),
        Node("portal-bff", "dotnet", ("booking", "records", "identity", "session-store"), 150),
        Node("video-gw", "go", ("video-provider", "identity", "uploads"), 60),
        Node("booking", "rust", ("visits-db", "session-store", "notifier"), 90),
        Node("records", "rails", ("records-replica", "visits-db", "uploads"), 70),
        Node("identity", "go", ("visits-db", "session-store"), 180),
        Node("uploads", "go", ("blob-store",), 40),
        Node("notifier", "python", ("sms-provider", "session-store"), 30),
        Node("visits-db", "postgres", (), 420),
        Node("records-replica", "postgres", (), 160),
        Node("session-store", "redis", (), 800),
        Node("blob-store", "saas", (), 40),
        Node("video-provider", "saas", (), 50),
        Node("sms-provider", "saas", (), 20),
    ),
)

ESTATES = {CLINIC.name: CLINIC}

BACKGROUND = {
    "ingress": ['"GET /api/visits/upcoming HTTP/2.0" 200 1841'],
    "dotnet": ["HTTP GET /api/visits/upcoming responded 200 in 38.2 ms"],
    "rust": ["slot search completed slots=14 elapsed_ms=9"],
    "rails": ["method=GET path=/records/chart format=json controller=ChartsController status=200 duration=41.2"],
    "go": ["request served route=/v1/session status=200 dur=4ms"],
    "python": ["reminder batch sent"],
    "postgres": ["LOG:  checkpoint complete: wrote 118 buffers (0.7%); 0 WAL file(s) added"],
    "redis": ["* 10 changes in 300 seconds. Saving..."],
}
NOISE = {
    "dotnet": "Request to /api/visits/9921 was cancelled by the client",
    "rails": "Rack::Attack throttled request from 203.0.113.40",
    "go": "websocket closed by peer: going away",
}


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def raw(tech: str, svc: str, at: datetime, level: str, text: str) -> str:
    """One line as each program writes it to its container's output."""
    if tech == "ingress":
        if text.startswith('"'):
            return f"10.4.0.17 - - [{at.strftime('%d/%b/%Y:%H:%M:%S +0000')}] {text} 0.041 [clinic-portal-bff-80]"
        nginx = {"error": "error", "warn": "warn", "info": "notice"}[level]
        return f"{at.strftime('%Y/%m/%d %H:%M:%S')} [{nginx}] 31#31: *88121 {text}"
    if tech == "dotnet":  # Serilog's compact JSON: @l is left out at Information
        doc = {"@t": _stamp(at), "@mt": text, "SourceContext": "Clinic.Portal.Api", "RequestId": "0HN4:0001"}
        if level != "info":
            doc["@l"] = {"error": "Error", "warn": "Warning"}[level]
        return json.dumps(doc)
    if tech == "rust":  # tracing-subscriber's default format
        return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z {level.upper():>5} booking::api: {text}"
    if tech == "rails":
        mark = {"error": "E", "warn": "W", "info": "I"}[level]
        return f"{mark}, [{at.strftime('%Y-%m-%dT%H:%M:%S.%f')} #1] {level.upper():>5} -- : {text}"
    if tech == "go":  # logfmt
        return f'time={_stamp(at)} level={level} svc={svc} msg="{text}"'
    if tech == "python":  # structlog's JSON renderer
        return json.dumps({"event": text, "level": level, "logger": "notifier.jobs", "timestamp": _stamp(at)})
    if tech == "postgres":
        pg = {"error": "ERROR", "warn": "WARNING", "info": "LOG"}[level]
        body = text.split(":  ", 1)[1] if text.startswith(("LOG:  ", "ERROR:  ", "FATAL:  ")) else text
        head = text.split(":", 1)[0] if text.startswith(("LOG:  ", "ERROR:  ", "FATAL:  ")) else pg
        return f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [{2200 + len(svc)}] {head}:  {body}"
    mark = {"error": "#", "warn": "#", "info": "*"}[level]  # redis
    text = text[2:] if text.startswith(("* ", "# ")) else text
    return f"1:M {at.strftime('%d %b %Y %H:%M:%S.%f')[:-3]} {mark} {text}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """A Fluent Bit record as the Elasticsearch export keeps it."""
    tech = estate.node(service).tech
    return {
        "@timestamp": _stamp(at),
        "log": raw(tech, service, at, level, text),
        "stream": "stderr" if level == "error" and tech in ("rust", "go") else "stdout",
        "kubernetes": {
            "pod_name": pod,
            "namespace_name": estate.namespace,
            "container_name": "app",
            "labels": {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "clinic"},
            "host": f"aks-clinic-{len(pod) % 4}",
        },
    }
