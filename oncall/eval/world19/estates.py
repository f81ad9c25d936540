"""World 19's estate, written after world 18's rules and scored before any rule saw it.

An IoT fleet platform (sensors publish over MQTT; readings are ingested, enriched through Kafka and
stored in ClickHouse), its logs shipped by Vector's `kubernetes_logs` source as Vector writes them:
`timestamp`, `message`, `stream`, `source_type`, `file`, and a `kubernetes` object (`pod_name`,
`container_name`, `pod_namespace`, `pod_labels`); no level field, so each line's level is only what
the program wrote in it. The programs: EMQX 5, a Rust service with tracing's default format, Kafka's
log4j, a Java Kafka Streams app with a log4j2 pattern, ClickHouse's server log, Go services logging
zap's production JSON, Python's structlog console renderer, PostgreSQL's default prefix and Envoy's
access log. Metrics are recording rules named in OpenTelemetry's style, labelled `service_name`, every
30 s."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: envoy emqx rust kafka streams clickhouse zap structlog postgres node saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "service:http_server_request_duration_seconds_count:rate1m",
        "error_ratio": "service:http_server_request_errors:ratio_rate1m",
        "latency_p99": "service:http_server_request_duration_seconds:p99_1m",
        "cpu_utilization": "service:container_cpu_usage_seconds:ratio_limit",
        "memory_utilization": "service:container_memory_working_set_bytes:ratio_limit",
        "restarts": "service:kube_pod_container_status_restarts:increase10m",
        "disk_utilization": "service:kubelet_volume_stats_used_bytes:ratio_capacity",
    }
    return {k: f'{v}{{service_name="{{service}}"}}' for k, v in names.items()}


FLEET = Estate(
    label="service_name",
    name="fleet",
    namespace="iot",
    shipper="vector",
    signals=_signals(),
    nodes=(
        Node("edge", "envoy", ("device-api", "dashboard"), 260),
        Node("device-api", "zap", ("registry", "tsdb"), 180),
        Node("dashboard", "node", ("tsdb", "device-api"), 60),
        Node("mqtt-broker", "emqx", (), 2400),
        Node("ingest", "rust", ("mqtt-broker", "kafka"), 2300),
        Node("enricher", "streams", ("kafka", "registry-db", "tsdb"), 2200),
        Node("rules", "structlog", ("tsdb", "notifier"), 40),
        Node("notifier", "structlog", ("sms-gateway",), 8),
        Node("ota", "zap", ("mqtt-broker", "firmware-store", "registry"), 5),
        Node("registry", "zap", ("registry-db",), 150),
        Node("kafka", "kafka", (), 4500),
        Node("tsdb", "clickhouse", (), 900),
        Node("registry-db", "postgres", (), 320),
        Node("sms-gateway", "saas", (), 8),
        Node("firmware-store", "saas", (), 5),
    ),
)

ESTATES = {FLEET.name: FLEET}

BACKGROUND = {
    "envoy": ["GET /v1/devices/8812/readings 200 41"],
    "zap": ["request served|/v1/devices/8812|200|0.012"],
    "node": ["GET /api/charts/temperature 200 38.112 ms - 5120"],
    "emqx": ["sensor-4f2a81|client_connected"],
    "rust": ["INFO ingest::writer: flushed batch rows=5000 took_ms=41"],
    "kafka": [
        "INFO [Log partition=readings-7, dir=/var/lib/kafka/data] Rolled new log segment at offset 88123411 in 3 ms."
    ],
    "streams": [
        "INFO  [enricher-StreamThread-1] o.a.k.s.p.i.StreamThread - stream-thread [enricher-StreamThread-1] "
        "Processed 5123 total records, ran 1 punctuators"
    ],
    "clickhouse": ["<Information> executeQuery: Read 5000 rows, 412.11 KiB in 0.004 sec."],
    "structlog": ["info|evaluated rules|count=120 took=0.041"],
    "postgres": ["LOG:  checkpoint complete: wrote 377 buffers (2.3%); 0 WAL file(s) added"],
}
NOISE = {
    "emqx": "warning|sensor-77c0d2|keepalive_timeout",
    "zap": "warn|slow request|/v1/devices/1200/readings|200|1.412",
    "clickhouse": "<Warning> MergeTreeBackgroundExecutor: Merge of parts took 4.21 seconds, longer than expected",
    "postgres": "LOG:  could not receive data from client: Connection reset by peer",
}


def line(tech: str, at: datetime, pod: str, level: str, text: str) -> str:
    """The line as the program writes it (the level only where the program writes one)."""
    ms = f"{at.microsecond // 1000:03d}"
    if tech == "envoy":  # Envoy's default access log format
        method, path, status, took = text.split(" ")
        return (f'[{at:%Y-%m-%dT%H:%M:%S}.{ms}Z] "{method} {path} HTTP/1.1" {status} - 0 1822 {took} {took} '
                f'"10.12.0.7" "sensor-sdk/2.3" "5f1c2a90-1b7e-4c55-9d1e-7a2b11c0ffee" "api.fleet.example" '
                '"10.12.4.9:8080"')  # fmt: skip
    if tech == "zap":  # zap's production JSON encoder: epoch seconds, caller, msg and fields
        parts = text.split("|")
        lvl, parts = (parts[0], parts[1:]) if parts[0] in ("debug", "info", "warn", "error") else (level, parts)
        rec: dict[str, object] = {"level": lvl, "ts": round(at.timestamp(), 3), "caller": "api/handler.go:88"}
        rec["msg"] = parts[0]
        if len(parts) == 4:
            rec |= {"path": parts[1], "status": int(parts[2]), "duration": float(parts[3])}
        elif len(parts) > 1:
            rec["error"] = parts[1]
        return json.dumps(rec, separators=(",", ":"))
    if tech == "node":  # morgan's dev-like line
        return text
    if tech == "emqx":  # EMQX 5's text log
        parts = text.split("|")
        if parts[0] in ("warning", "error", "info", "notice"):
            lvl, parts = parts[0], parts[1:]
        else:
            lvl = {"warn": "warning"}.get(level, level)
        if len(parts) == 2:
            return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+00:00 [{lvl}] clientid: {parts[0]}, msg: {parts[1]}"
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+00:00 [{lvl}] msg: {parts[0]}"
    if tech == "rust":  # tracing_subscriber's default format
        if text[:5].strip() in ("INFO", "WARN", "ERROR", "DEBUG"):
            return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {text:>5}"
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {level.upper():>5} {text}"
    if tech == "kafka":  # the broker's log4j: [time] LEVEL message (logger)
        head = text if text.split(" ")[0] in ("INFO", "WARN", "ERROR") else f"{level.upper()} {text}"
        return f"[{at:%Y-%m-%d %H:%M:%S},{ms}] {head}"
    if tech == "streams":  # log4j2's %d %-5p [%t] %c{1.} - %m
        head = text if text.split(" ")[0] in ("INFO", "WARN", "ERROR") else f"{level.upper():<5} {text}"
        return f"{at:%Y-%m-%d %H:%M:%S,}{ms} {head}"
    if tech == "clickhouse":  # the server log: date, thread, query id, <Level>
        return f"{at:%Y.%m.%d %H:%M:%S}.{at.microsecond:06d} [ 812 ] {{}} {text}"
    if tech == "structlog":  # structlog's ConsoleRenderer without colours
        parts = text.split("|")
        lvl, event, kv = [*parts, "", ""][:3] if parts[0] in ("info", "warning", "error") else (level, parts[0], "")
        return f"{at:%Y-%m-%dT%H:%M:%S}.{ms}Z [{lvl:<9}] {event:<30} {kv}".rstrip()
    if tech == "postgres":  # the default log_line_prefix '%m [%p] '
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms} UTC [2231] {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as Vector's kubernetes_logs source writes it."""
    tech = estate.node(service).tech
    if tech in ("kafka", "clickhouse", "postgres", "emqx"):  # StatefulSets
        pod = f"{service}-{sum(map(ord, pod)) % 3}"
    return {
        "file": f"/var/log/pods/{estate.namespace}_{pod}_5d1e/{service}/0.log",
        "kubernetes": {
            "container_name": service,
            "pod_labels": {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": estate.name},
            "pod_name": pod,
            "pod_namespace": estate.namespace,
        },
        "message": line(tech, at, pod, level, text),
        "source_type": "kubernetes_logs",
        "stream": "stderr" if level == "error" and tech in ("rust", "zap") else "stdout",
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
    }
