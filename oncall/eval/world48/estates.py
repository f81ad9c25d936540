"""World 48's estate, written after world 47's rules and scored before any rule saw it.

A live-sports streaming platform on GKE with a **Linkerd** mesh: a NestJS backend-for-frontend calls a Go
playback API (zap JSON; it asks the entitlements service, a Temporal worker in Spring Boot, before issuing a
manifest), a Phoenix live-scores service fed by a sports-data provider, a Python recommendations service and
a Rust packager; CockroachDB, Temporal's server and Valkey are shared; a Kafka Connect sink streams events to
Snowflake; a nightly job archives clips into CockroachDB; Linkerd's identity controller certifies every
proxy. The logs are bundled as **New Relic Logs** (an NRQL `SELECT * FROM Log` export): one flat record a
line, the time only in `timestamp` (epoch milliseconds, a number), the text in `message`, the service only in
the pod's flattened label `labels.app.kubernetes.io/name` (and its pod's name), each pod's Linkerd proxy
writing its own lines under `container_name` `linkerd-proxy`, and no level except where New Relic parsed a
JSON message into attributes. Metrics: Linkerd's proxy series (milliseconds, every 15 s) and the cluster's
(every 60 s), keyed by `deployment`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: nestjs gozap elixir spring python job rust connect cockroach valkey temporal linkerd saas


def _signals() -> dict[str, str]:
    mesh = 'namespace="live",deployment="{service}",direction="inbound"'
    kube = 'namespace="live",deployment="{service}"'
    return {
        "request_rate": f"deployment:request_total:rate1m{{{mesh}}}",
        "error_ratio": f"deployment:response_total:failure_ratio1m{{{mesh}}}",
        "latency_p99": f"deployment:response_latency_ms:p99_1m{{{mesh}}}",
        "cpu_utilization": f"deployment:container_cpu_usage_seconds:ratio_limit{{{kube}}}",
        "memory_utilization": f"deployment:container_memory_working_set_bytes:ratio_limit{{{kube}}}",
        "restarts": f"deployment:kube_pod_container_status_restarts:increase5m{{{kube}}}",
    }


GOALLINE = Estate(
    label="deployment",
    name="goalline",
    namespace="live",
    shipper="newrelic-nrql-export",
    signals=_signals(),
    nodes=(
        Node("web-bff", "nestjs", ("playback-api", "live-scores", "recs"), 380),
        Node("playback-api", "gozap", ("entitlements", "cockroach", "drm"), 140),
        Node("live-scores", "elixir", ("sports-feed", "valkey"), 620),
        Node("entitlements", "spring", ("temporal", "cockroach"), 150),
        Node("recs", "python", ("valkey", "cockroach"), 90),
        Node("packager", "rust", ("object-store",), 70),
        Node("clip-archive", "job", ("cockroach",), 3),
        Node("kafka-connect", "connect", ("snowflake",), 45),
        Node("temporal", "temporal", ("cockroach",), 160),
        Node("cockroach", "cockroach", (), 520),
        Node("valkey", "valkey", (), 1800),
        Node("linkerd-identity", "linkerd", (), 4),
        Node("sports-feed", "saas", (), 40),
        Node("drm", "saas", (), 140),
        Node("object-store", "saas", (), 70),
        Node("snowflake", "saas", (), 45),
    ),
)

ESTATES = {GOALLINE.name: GOALLINE}

BACKGROUND = {
    "nestjs": ["LOG [MatchController] GET /v1/matches/2291/live 200 +14ms",
               "LOG [PlaybackController] POST /v1/playback/sessions 201 +61ms"],
    "gozap": ['{"level":"info","caller":"playback/manifest.go:88","msg":"manifest issued","asset":"m-2291-hls",'
              '"ms":12}',
              '{"level":"info","caller":"playback/session.go:41","msg":"session started","device":"tv"}'],
    "elixir": ["[info] GET /api/live/2291", "[info] Sent 200 in 2ms",
               "[info] Feed event applied match_id=2291 event=pass"],
    "spring": ["INFO 1 --- [entitlements] [ow-task-poller-1] c.g.entitlements.CheckWorkflowImpl        : "
               "entitlement granted plan=premium"],
    "python": ['INFO:     10.8.2.14:51730 - "GET /v1/recs?user=u-88213&rail=home HTTP/1.1" 200 OK'],
    "job": ["INFO clip_archive.run: nothing to archive (season=2025-26)"],
    "rust": ['INFO packager::segment: segment packaged rendition="1080p" seq=88213 ms=41',
             'INFO packager::segment: segment packaged rendition="720p" seq=88213 ms=29'],
    "connect": ["INFO [snowflake-sink|task-0] Committing offsets asynchronously using sequence number 4412: "
                "{events-0=OffsetAndMetadata{offset=9912233}} (org.apache.kafka.connect.runtime.WorkerSinkTask:331)"],
    "temporal": ['{"level":"info","msg":"Update history","service":"history","shard-id":212,"logging-call-at":'
                 '"history_engine.go:412"}'],
    "cockroach": ["sql/exec_log.go:123 ⋮ [T1,Vsystem,n2,client=10.8.3.9:51234,hostssl,user=‹playback›] 4512 "
                  "={\"Timestamp\":0,\"EventType\":\"query_execute\",\"ApplicationName\":\"playback-api\","
                  "\"ExecMode\":\"exec\",\"NumRows\":1,\"Age\":2.1}",
                  "server/status/runtime_log.go:58 ⋮ [T1,Vsystem,n2] 4513  runtime stats: 6.2 GiB RSS, 812 "
                  "goroutines (stacks: 9.1 MiB), 2.9/4.1 GiB Go alloc/total"],
    "valkey": ["1:M {T} * 10000 changes in 60 seconds. Saving...", "1:M {T} * Background saving terminated with "
               "success"],
    "linkerd": ['level=info msg="certifying web-bff.live.serviceaccount.identity.linkerd.cluster.local until '
                '{NEXT} +0000 UTC"'],
}  # fmt: skip
NOISE = {
    "nestjs": "WARN [ThrottlerGuard] client 10.8.7.2 throttled on /v1/matches",
    "gozap": '{"level":"warn","caller":"playback/drm.go:71","msg":"license renewal slow","ms":812}',
    "elixir": "[warning] Phoenix.PubSub broadcast took 312ms topic=match:2291",
    "cockroach": "kv/kvserver/replica_range_lease.go:1201 ⋮ [T1,Vsystem,n3,s3,r812/2:‹/Table/112/1/{2291-3000}›] "
                 "4514  slow lease acquisition finished after 1.2s",
}  # fmt: skip
CONTAINERS = {"job": "archive", "connect": "connect", "linkerd": "identity"}


def _line(tech: str, at: datetime, text: str) -> str:
    """A line as its program prints it, its own time in its own idiom."""
    ms = at.microsecond // 1000
    if tech == "nestjs":  # Nest's console logger: process id, en-US date, padded level word
        word, rest = text.split(" ", 1)
        return f"[Nest] 1  - {at:%m/%d/%Y, %I:%M:%S %p} {word:>7} {rest}"
    if tech in ("gozap", "temporal"):
        fields = json.loads(text)
        return json.dumps(
            {"level": fields.pop("level"), "ts": round(at.timestamp(), 3), **fields}, separators=(",", ":")
        )
    if tech == "elixir":  # Logger's default console format: time of day only
        return f"{at:%H:%M:%S}.{ms:03d} {text}"
    if tech == "spring":
        return f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z  {text}"
    if tech == "job":
        word, rest = text.split(" ", 1)
        return f"{at:%Y-%m-%d %H:%M:%S},{ms:03d} {word} {rest}"
    if tech == "rust":  # tracing_subscriber's fmt: RFC 3339 with microseconds
        word, rest = text.split(" ", 1)
        return f"{at:%Y-%m-%dT%H:%M:%S.%f}Z {word:>5} {rest}"
    if tech == "connect":
        word, rest = text.split(" ", 1)
        return f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}] {word} {rest}"
    if tech == "cockroach":  # the letter of its severity (a burst's `W `/`E `; else I), yymmdd, time, goroutine
        letter, body = (text[0], text[2:]) if text[:2] in ("W ", "E ") else ("I", text)
        return f"{letter}{at:%y%m%d %H:%M:%S.%f} 8812 {body}"
    if tech == "valkey":
        return text.replace("{T}", f"{at:%d %b %Y %H:%M:%S}.{ms:03d}")
    if tech == "linkerd":
        until = at.replace(day=at.day % 28 + 1)
        return f'time="{at:%Y-%m-%dT%H:%M:%S}Z" ' + text.replace("{NEXT}", f"{until:%Y-%m-%d %H:%M:%S}")
    return text


def _proxy(at: datetime, text: str) -> str:
    """A Linkerd proxy's line: seconds since the proxy started, the level, the thread, the span."""
    return f"[{at.hour * 3600 + at.minute * 60 + at.second + 40000:>10}.{at.microsecond:06d}s] {text}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One New Relic log record as NRQL returns it: flat dotted keys; a JSON message's fields lifted beside it."""
    tech = estate.node(service).tech
    container = CONTAINERS.get(tech, service)
    if text.startswith("proxy| "):  # the pod's Linkerd sidecar
        container, message = "linkerd-proxy", _proxy(at, text[7:])
    else:
        message = _line(tech, at, text)
    ms = int(at.timestamp() * 1000)
    out: dict[str, Any] = {
        "timestamp": ms,
        "message": message,
        "messageId": f"{(ms * 2654435761 + len(message)) % 2**64:016x}-0000-0000-0000-{ms % 10**12:012d}",
        "newrelic.source": "api.logs",
        "plugin.type": "fluent-bit",
        "plugin.version": "3.1.9",
        "plugin.source": "kubernetes-fluentbit",
        "cluster_name": "goalline-prod",
        "namespace_name": "linkerd" if tech == "linkerd" else estate.namespace,
        "pod_name": pod,
        "container_name": container,
        "container_image": f"europe-docker.pkg.dev/goalline/images/{container}:stable",
        "host": f"gke-goalline-prod-pool-{len(service) % 3 + 1}-9c1f-k8x{len(service) % 7}",
        "stream": "stderr" if tech in ("gozap", "temporal") or container == "linkerd-proxy" else "stdout",
        "labels.app.kubernetes.io/name": service,
        "labels.app.kubernetes.io/part-of": "goalline",
        "labels.pod-template-hash": pod.split("-")[-2],
        "labels.linkerd.io/proxy-deployment": service,
    }
    if message.startswith("{"):  # New Relic parses a JSON message into attributes of the record
        out |= {k: v for k, v in json.loads(message).items() if k not in out}
    return out
