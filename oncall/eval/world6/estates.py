"""World 6's estates, written after worlds 1-5 and after the rules of 2026-12-01, and scored before
any rule saw them: a video streaming platform whose pods' output Fluent Bit ships (`date` in epoch
seconds, the raw line in `log`, which is itself JSON for the Python services (structlog: `event`,
`log_level`) and the Rust ones (tracing: `level`, `fields.message`, `target`), and Envoy's access
line for the edge), and a game backend whose logs arrive in the OpenTelemetry log data model as the
collector's exporters flatten it (`severity_text`, `body`, `resource.service.name`). Metrics are
Istio's and kube-state-metrics' names, keyed by `app`, sampled every 30 s."""

from __future__ import annotations

import json
import random
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech in this world: fastapi rust envoy go cassandra redis kafka postgres saas

ISTIO = {
    "request_rate": 'istio_requests_per_second{app="{service}"}',
    "error_ratio": 'istio_requests_5xx_ratio{app="{service}"}',
    "latency_p99": 'istio_request_duration_p99_seconds{app="{service}"}',
    "cpu_utilization": 'kube_pod_cpu_over_limit{app="{service}"}',
    "memory_utilization": 'kube_pod_memory_over_limit{app="{service}"}',
    "restarts": 'kube_pod_container_status_restarts_delta{app="{service}"}',
    "disk_utilization": 'kubelet_volume_used_ratio{app="{service}"}',
}

STREAMING = Estate(
    label="app",
    name="streaming",
    namespace="vod",
    shipper="fluentbit",
    signals=ISTIO,
    nodes=(
        Node("edge-envoy", "envoy", ("catalog-api", "playback-api", "profile-api"), 220),
        Node("catalog-api", "fastapi", ("catalog-db", "artwork-cache", "reco-svc"), 120),
        Node("playback-api", "rust", ("entitlements", "manifest-svc", "drm-license"), 90),
        Node("profile-api", "fastapi", ("profiles-db", "artwork-cache"), 60),
        Node("reco-svc", "fastapi", ("feature-cache",), 70),
        Node("entitlements", "rust", ("profiles-db",), 90),
        Node("manifest-svc", "rust", ("cdn-origin",), 90),
        Node("drm-license", "saas", (), 90),
        Node("cdn-origin", "saas", (), 90),
        Node("catalog-db", "cassandra", (), 150),
        Node("profiles-db", "postgres", (), 120),
        Node("artwork-cache", "redis", (), 300),
        Node("feature-cache", "redis", (), 100),
    ),
)

ARCADE = Estate(
    label="app",
    name="arcade",
    namespace="live",
    shipper="otel",
    signals=ISTIO,
    nodes=(
        Node("game-gateway", "envoy", ("matchmaker", "inventory", "leaderboard"), 180),
        Node("matchmaker", "go", ("sessions-redis", "player-store"), 80),
        Node("inventory", "go", ("player-store", "purchase-svc"), 60),
        Node("leaderboard", "rust", ("scores-db", "sessions-redis"), 100),
        Node("purchase-svc", "fastapi", ("store-api", "player-store", "events-bus"), 20),
        Node("store-api", "saas", (), 20),
        Node("player-store", "postgres", (), 140),
        Node("scores-db", "cassandra", (), 100),
        Node("sessions-redis", "redis", (), 260),
        Node("events-bus", "kafka", (), 40),
    ),
)

ESTATES = {e.name: e for e in (STREAMING, ARCADE)}

BACKGROUND = {
    "fastapi": ["request handled", "cache refreshed for region eu-west-1"],
    "rust": ["served request", "connection pool warmed"],
    "envoy": ['[2026-01-01T00:00:00.000Z] "GET /v1/titles HTTP/2" 200 - 0 5120 41 40 "-" "okhttp/4.12" "-" "-"'],
    "go": ["handled request", "heartbeat ok"],
    "cassandra": ["Compacted 4 sstables to 1", "Writing Memtable-title@71 (2.1MiB serialized)"],
    "postgres": ["checkpoint complete: wrote 118 buffers (0.7%)", "automatic vacuum of table players"],
    "redis": ["Background saving started by pid 91", "DB saved on disk"],
    "kafka": ["[Log partition=purchases-3] Rolled new log segment at offset 88120"],
}
NOISE = {
    "fastapi": "retrying request to upstream after transient error (attempt 1 of 3)",
    "go": "slow handler: 1.2s",
    "envoy": '[2026-01-01T00:00:00.000Z] "GET /v1/titles HTTP/2" 499 - 0 0 3001 - "-" "okhttp/4.12" "-" "-"',
}


def _envoy(at: datetime, level: str, text: str) -> str:
    if text.startswith("["):  # an access line already
        return text.replace("[2026-01-01T00:00:00.000Z]", f"[{at.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z]", 1)
    return f"[{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]}][1][{level}][router] {text}"


def line(tech: str, at: datetime, service: str, level: str, text: str) -> str:
    """The line the process itself writes, in its language's usual logger."""
    iso = at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
    if tech == "fastapi":  # structlog's JSON renderer
        return json.dumps({"event": text, "log_level": level, "logger": f"{service}.api", "timestamp": iso})
    if tech == "rust":  # tracing-subscriber's JSON formatter
        return json.dumps(
            {"timestamp": iso, "level": level.upper(), "fields": {"message": text}, "target": service.replace("-", "_")}
        )
    if tech == "envoy":
        return _envoy(at, level, text)
    if tech == "go":  # zap's production encoder
        return json.dumps({"level": level, "ts": at.timestamp(), "caller": "server/handler.go:88", "msg": text})
    if tech == "postgres":
        word = {"error": "ERROR", "warn": "WARNING", "info": "LOG"}[level]
        return (
            f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [{random.Random(text).randint(100, 9999)}] {word}:  {text}"
        )
    if tech == "cassandra":
        word = {"error": "ERROR", "warn": "WARN", "info": "INFO"}[level]
        return f"{word}  [CompactionExecutor:3] {at.strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]} {text}"
    if tech == "redis":
        mark = {"error": "#", "warn": "#", "info": "*"}[level]
        return f"1:M {at.strftime('%d %b %Y %H:%M:%S.%f')[:-3]} {mark} {text}"
    return f"{at.isoformat()} {level.upper()} {text}"  # kafka and the rest


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One record as the estate's pipeline delivers it."""
    raw = line(estate.node(service).tech, at, service, level, text)
    if estate.shipper == "fluentbit":
        return {
            "date": round(at.timestamp(), 6),
            "log": raw,
            "stream": "stdout",
            "kubernetes": {
                "pod_name": pod,
                "namespace_name": estate.namespace,
                "container_name": service,
                "labels": {"app": service},
            },
        }
    return {
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
        "severity_text": {"error": "ERROR", "warn": "WARN", "info": "INFO"}[level],
        "severity_number": {"error": 17, "warn": 13, "info": 9}[level],
        "body": raw,
        "resource": {"service.name": service, "k8s.pod.name": pod, "k8s.namespace.name": estate.namespace},
        "attributes": {},
    }
