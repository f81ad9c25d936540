"""World 30's estate, written after world 29's rules and scored before any rule saw it.

An advertising exchange (real-time bidding) on bare-metal Kubernetes, bundled the plain way DESIGN.md
describes by a team whose Grafana Alloy pipeline writes Loki's `detected_level` as `level`: the level
word the line itself carries, lower-cased (`warning` becomes `warn`), and `unknown` where the line has
none it recognises (MinIO's multi-line error records, APISIX's access log). `ts` is RFC 3339 with
milliseconds, `pod` as Kubernetes names it, the program's line whole in `message`. The programs: APISIX at
the edge (nginx's error log underneath), the auction in Rust (env_logger), bidders and the campaign API
in Go (log/slog, text and JSON handlers), the budget pacer in Micronaut (logback's default pattern: a
time of day, no date), the auction-log loader in Python (the logging module's default asctime), Unleash
for feature flags (log4js), Aerospike for user profiles, etcd for campaign settings and MinIO for the
auction logs. Metrics carry `app_kubernetes_io_name` as relabelled from the pods' recommended labels;
the HTTP series every 15 s, the resource ones every 60 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: apisix rust goslog gojson micronaut pylog unleash aerospike etcd minio saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "app:http_server_requests:rate1m",
        "error_ratio": "app:http_server_requests_errors:ratio1m",
        "latency_p99": "app:http_server_request_duration_seconds:p99",
        "cpu_utilization": "app:container_cpu_usage:ratio_limit",
        "memory_utilization": "app:container_memory_working_set:ratio_limit",
        "disk_utilization": "app:volume_used_bytes:ratio_capacity",
        "restarts": "app:kube_pod_container_status_restarts:increase5m",
    }
    return {k: f'{v}{{app_kubernetes_io_name="{{service}}"}}' for k, v in names.items()}


EXCHANGE = Estate(
    label="app_kubernetes_io_name",
    name="bidlane",
    namespace="rtb",
    shipper="alloy",
    signals=_signals(),
    nodes=(
        Node("edge", "apisix", ("auction", "campaigns"), 2400),
        Node("auction", "rust", ("bidder", "dsp-partners", "budget", "flags"), 2400),
        Node("bidder", "goslog", ("profiles", "config-store", "flags"), 2200),
        Node("campaigns", "gojson", ("config-store", "flags"), 12),
        Node("budget", "micronaut", ("config-store", "fx-feed"), 60),
        Node("loader", "pylog", ("objects",), 25),
        Node("flags", "unleash", (), 40),
        Node("profiles", "aerospike", (), 2200),
        Node("config-store", "etcd", (), 90),
        Node("objects", "minio", (), 30),
        Node("dsp-partners", "saas", (), 1800),
        Node("fx-feed", "saas", (), 1),
    ),
)

ESTATES = {EXCHANGE.name: EXCHANGE}

BACKGROUND = {
    "apisix": ["POST /openrtb2/auction 204"],
    "rust": ["auction 7f3a closed: 6 bids, clearing price 1.42 CPM"],
    "goslog": ['msg="bid computed" campaign=88213 price_cpm=1.38'],
    "gojson": ['"msg":"campaign updated","campaign":88213'],
    "micronaut": ["Pacing updated for 412 campaigns"],
    "pylog": ["uploaded auction-logs/part-00012.parquet (48.2 MiB)"],
    "unleash": ["Fetched 41 feature toggles for client bidder"],
    "aerospike": ["{users} objects: all 48210331 master 24105165 prole 24105166 non-replica 0"],
    "etcd": ['"msg":"finished scheduled compaction","compact-revision":8821300'],
    "minio": ["Healing drive '/data1' completed (healed: 0, failed: 0)"],
}
NOISE = {
    "apisix": "GET /favicon.ico 404",
    "rust": "bid from dsp 12 discarded: currency JPY not accepted",
    "goslog": 'msg="campaign skipped" campaign=7710 reason="frequency cap reached"',
    "aerospike": "{users} breached eviction hwm (memory), memory sz:0 (0 + 0 + 0 + 0) index-device sz:0",
}
# Loki's detected_level: the level word a line carries, lower-cased; `unknown` where it finds none.
DETECTED = {"debug": "debug", "info": "info", "warn": "warn", "error": "error", "fatal": "critical"}


def line(tech: str, at: datetime, level: str, text: str) -> tuple[str, str]:
    """The line as the program writes it, and the level Loki detects in it."""
    ms = f"{at.microsecond // 1000:03d}"
    up = {"warn": "WARN", "fatal": "FATAL"}.get(level, level.upper())
    if tech == "apisix":
        parts = text.split(" ")
        if parts[0] in ("GET", "POST") and len(parts) == 3:
            method, path, status = parts
            return (f'10.42.3.{at.second} - - [{at:%d/%b/%Y:%H:%M:%S} +0000] edge.bidlane.example "{method} {path} '
                    f'HTTP/1.1" {status} 0 0.004 "-" "ssp-client/2.1" 10.42.7.12:8080 {status} 0.004 '
                    f'"http://edge.bidlane.example{path}"', "unknown")  # fmt: skip
        return f"{at:%Y/%m/%d %H:%M:%S} [{level}] 45#45: *8812 [lua] {text}", DETECTED[level]
    if tech == "rust":
        return f"[{at:%Y-%m-%dT%H:%M:%S}Z {up:<5} auction::round] {text}", DETECTED[level]
    if tech == "goslog":
        body = text if text.startswith("msg=") else f'msg="{text}"'
        return f"time={at:%Y-%m-%dT%H:%M:%S}.{ms}Z level={up} {body}", DETECTED[level]
    if tech == "gojson":
        body = text if text.startswith('"msg"') else f'"msg":"{text}"'
        return f'{{"time":"{at:%Y-%m-%dT%H:%M:%S}.{ms}Z","level":"{up}",{body}}}', DETECTED[level]
    if tech == "micronaut":
        return f"{at:%H:%M:%S}.{ms} [default-nioEventLoopGroup-1-3] {up:<5} c.b.budget.Pacer - {text}", DETECTED[level]
    if tech == "pylog":
        return f"{at:%Y-%m-%d %H:%M:%S},{ms} {up.replace('FATAL', 'CRITICAL')} loader.upload: {text}", DETECTED[level]
    if tech == "unleash":
        return f"[{at:%Y-%m-%dT%H:%M:%S}.{ms}] [{up}] feature-toggle-service - {text}", DETECTED[level]
    if tech == "aerospike":
        word = {"warn": "WARNING", "fatal": "CRITICAL", "error": "WARNING"}.get(level, "INFO")  # it has no ERROR
        where = "" if text.startswith("(") else "(namespace): (namespace.c:412) "
        return f"{at:%b %d %Y %H:%M:%S} GMT: {word} {where}{text}", {"WARNING": "warn", "CRITICAL": "critical"}.get(
            word, "info"
        )
    if tech == "etcd":
        body = text if text.startswith('"msg"') else f'"msg":"{text}"'
        return (f'{{"level":"{level}","ts":"{at:%Y-%m-%dT%H:%M:%S}.{ms}Z","caller":"etcdserver/server.go:1193",'
                f"{body}}}", DETECTED[level])  # fmt: skip
    if tech == "minio":
        return (f"API: SYSTEM()\nTime: {at:%H:%M:%S} UTC {at:%m/%d/%Y}\nDeploymentID: 6b1c0f6e-2a8d\n"
                f"Error: {text}", "unknown") if level in ("warn", "error", "fatal") else (text, "unknown")  # fmt: skip
    return text, "unknown"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as Alloy keeps it: Loki's detected level, `unknown` where the line names none."""
    message, detected = line(estate.node(service).tech, at, level, text)
    return {
        "ts": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
        "service": service,
        "pod": pod,
        "level": detected,
        "message": message,
    }
