"""World 49's estate, written after world 48's rules and scored before any rule saw it.

A fleet-telematics SaaS on EKS: a Next.js dispatcher portal (pino's JSON) calls a Kotlin Spring Boot dispatch
API (logstash-logback-encoder's JSON, its exceptions in `stack_trace`) that asks PostgreSQL, Redis, a
self-hosted Valhalla routing engine and a hosted maps API; vehicles report over MQTT to EMQX, a Go ingest
service (slog's JSON) forwards positions to Kafka, and a Rust tracker (tracing's JSON, its text nested in
`fields.message`) writes them into TimescaleDB; a Celery notifier texts drivers through Twilio; a CronJob
reconciles jobs against invoices every ten minutes; Prometheus scrapes everything. The logs are bundled as a
**Better Stack** (Logtail) export, as Vector's Kubernetes source ships them: the time only in `dt`, written
`2026-05-09 18:00:01.123456 UTC`; the line in `message` (a JSON line's own `message` where it has one, its
fields merged beside it); the pod's metadata nested under `kubernetes` (`pod_name`, `container_name`, which
is `app` for every service of ours, `pod_labels`); no level except where a JSON line carried one. Metrics:
Micrometer's names through recording rules keyed by `application` (seconds, every 30 s), the databases'
disk busy ratio beside them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: nextjs spring valhalla goslog emqx kafka rust timescale postgres redis celery cron prometheus saas


def _signals() -> dict[str, str]:
    app = 'application="{service}",env="prod"'
    return {
        "request_rate": f"application:http_server_requests_seconds_count:rate5m{{{app}}}",
        "error_ratio": f"application:http_server_requests:error_ratio5m{{{app}}}",
        "latency_p99": f"application:http_server_requests_seconds:p99_5m{{{app}}}",
        "cpu_utilization": f"application:process_cpu_usage:avg5m{{{app}}}",
        "memory_utilization": f"application:container_memory_working_set:ratio_limit{{{app}}}",
        "restarts": f"application:kube_pod_container_status_restarts:increase10m{{{app}}}",
        "disk_utilization": f"application:node_disk_io_time_seconds:busy_ratio5m{{{app}}}",
    }


ROUTEWISE = Estate(
    label="application",
    name="routewise",
    namespace="fleet",
    shipper="betterstack",
    signals=_signals(),
    nodes=(
        Node("portal", "nextjs", ("dispatch-api",), 60),
        Node("dispatch-api", "spring", ("postgres", "redis", "routing", "maps-api"), 140),
        Node("routing", "valhalla", (), 45),
        Node("telemetry-ingest", "goslog", ("emqx", "kafka"), 900),
        Node("emqx", "emqx", (), 950),
        Node("kafka", "kafka", (), 1200),
        Node("tracker", "rust", ("kafka", "timescale"), 880),
        Node("timescale", "timescale", (), 900),
        Node("postgres", "postgres", (), 420),
        Node("redis", "redis", (), 1500),
        Node("notifier", "celery", ("redis", "twilio"), 12),
        Node("reconcile", "cron", ("postgres",), 2),
        Node("prometheus", "prometheus", (), 35),
        Node("maps-api", "saas", (), 40),
        Node("twilio", "saas", (), 12),
    ),
)

ESTATES = {ROUTEWISE.name: ROUTEWISE}

BACKGROUND = {
    "nextjs": ['{"level":30,"msg":"GET /dispatch/board 200","responseTime":41}',
               '{"level":30,"msg":"POST /api/jobs/assign 200","responseTime":88}'],
    "spring": ['{"message":"GET /v2/jobs?depot=berlin-3 200 14ms","logger_name":"c.r.dispatch.web.JobController",'
               '"thread_name":"http-nio-8080-exec-4","level":"INFO","level_value":20000}',
               '{"message":"ETA computed for job 77120: 23 min","logger_name":"c.r.dispatch.eta.EtaService",'
               '"thread_name":"http-nio-8080-exec-7","level":"INFO","level_value":20000}'],
    "valhalla": ["[INFO] Got Loki route request 5512", "[INFO] route computed in 38ms legs=3"],
    "goslog": ['{"level":"INFO","msg":"batch forwarded","topic":"vehicle-positions","n":500}'],
    "emqx": ["[info] msg: client_connected, clientid: veh-88213, proto_ver: 5, keepalive: 60"],
    "kafka": ["INFO [Log partition=vehicle-positions-3, dir=/var/lib/kafka] Rolled new log segment at offset "
              "88213341 in 3 ms. (kafka.log.LocalLog)"],
    "rust": ['{"level":"INFO","fields":{"message":"batch inserted","rows":500},"target":"tracker::sink"}'],
    "timescale": ["LOG:  checkpoint complete: wrote 2210 buffers (6.7%); write=26.9 s, sync=0.011 s"],
    "postgres": ["LOG:  checkpoint starting: time",
                 "LOG:  automatic analyze of table \"dispatch.public.jobs\""],
    "redis": ["* 10000 changes in 60 seconds. Saving...", "* Background saving terminated with success"],
    "celery": ["INFO/ForkPoolWorker-3] Task notifier.tasks.send_sms succeeded in 0.41s: None"],
    "cron": ["INFO reconcile: run finished jobs=48211 mismatches=0 in 212s"],
    "prometheus": ['level=info component=tsdb msg="Head GC completed" duration=14.2ms',
                   'level=info component=tsdb msg="Compactor: compaction completed" duration=2.1s'],
}  # fmt: skip
NOISE = {
    "spring": '{"message":"Slow ETA lookup for job 77131: 1.9s","logger_name":"c.r.dispatch.eta.EtaService",'
              '"thread_name":"http-nio-8080-exec-2","level":"WARN","level_value":30000}',
    "goslog": '{"level":"WARN","msg":"vehicle clock skew","vehicle":"veh-4410","skew_ms":2300}',
    "emqx": "[warning] msg: client_keepalive_timeout, clientid: veh-5521",
    "postgres": "LOG:  duration: 1204.112 ms  statement: SELECT * FROM invoices WHERE month = $1",
}  # fmt: skip
STATEFUL = ("emqx", "kafka", "timescale", "postgres", "redis", "prometheus")
OURS = ("nextjs", "spring", "goslog", "rust", "celery", "cron", "valhalla")


def _line(tech: str, at: datetime, text: str) -> str:
    """A line as its program prints it, its own time in its own idiom (JSON loggers: their own fields)."""
    ms = at.microsecond // 1000
    if tech == "nextjs":  # pino: epoch milliseconds, the pid and host
        fields = {**json.loads(text), "time": int(at.timestamp() * 1000), "pid": 1, "hostname": "portal"}
        return json.dumps(fields, separators=(",", ":"))
    if tech == "spring":  # logstash-logback-encoder
        fields = {"@timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z", "@version": "1", **json.loads(text)}
        return json.dumps(fields, separators=(",", ":"))
    if tech == "goslog":  # log/slog's JSON handler
        return json.dumps({"time": f"{at:%Y-%m-%dT%H:%M:%S.%f}Z", **json.loads(text)}, separators=(",", ":"))
    if tech == "rust":  # tracing_subscriber's JSON
        return json.dumps({"timestamp": f"{at:%Y-%m-%dT%H:%M:%S.%f}Z", **json.loads(text)}, separators=(",", ":"))
    if tech == "valhalla":
        return f"{at:%Y/%m/%d %H:%M:%S.%f} {text}"
    if tech == "emqx":
        return f"{at:%Y-%m-%dT%H:%M:%S.%f}+00:00 {text}"
    if tech == "kafka":
        return f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}] {text}"
    if tech in ("timescale", "postgres"):
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d} UTC [{at.second * 37 % 9000 + 100}] {text}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms:03d} {text}"
    if tech == "celery":
        return f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}: {text}"
    if tech == "cron":
        return f"{at:%Y-%m-%d %H:%M:%S},{ms:03d} {text}"
    if tech == "prometheus":
        return f"ts={at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z caller=db.go:1014 {text}"
    return text


def _pod(service: str, tech: str, pod: str, at: datetime) -> str:
    """The pod's name: a StatefulSet's ordinal; a CronJob's job (its scheduled minute) and pod."""
    if tech in STATEFUL:
        return f"{service}-{sum(map(ord, pod)) % 3}"
    if tech == "cron":
        return f"reconcile-{int(at.timestamp()) // 600 * 10}-{pod[-5:]}"
    return pod


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One Better Stack event as its export writes it: `dt`, the line, Vector's Kubernetes metadata nested."""
    tech = estate.node(service).tech
    line = _line(tech, at, text)
    name = _pod(service, tech, pod, at)
    out: dict[str, Any] = {"dt": f"{at:%Y-%m-%d %H:%M:%S.%f} UTC", "message": line}
    if line.startswith("{"):  # a JSON line: its fields merged beside the event's, its own message taking `message`
        fields = json.loads(line)
        out |= {k: v for k, v in fields.items() if k not in ("dt",)}
        if "message" not in fields:
            out["message"] = line
    out["kubernetes"] = {
        "pod_name": name,
        "pod_namespace": "monitoring" if tech == "prometheus" else estate.namespace,
        "container_name": "app" if tech in OURS else tech,
        "pod_node_name": f"ip-10-42-{len(service) % 5}-{len(name) * 7 % 250}.eu-central-1.compute.internal",
        "pod_labels": {"app.kubernetes.io/instance": service, "app.kubernetes.io/part-of": "routewise"},
    }
    out["vector"] = {"source_type": "kubernetes_logs"}
    out["stream"] = "stderr" if tech in ("goslog", "rust", "prometheus") else "stdout"
    return out
