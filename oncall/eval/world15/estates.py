"""World 15's estate, written after world 14's rules and scored before any rule saw it.

A video streaming service on plain Debian hosts run by systemd. Every program writes to stdout or
syslog and journald keeps it; the records are `journalctl -o json` exports: the time only in
`__REALTIME_TIMESTAMP` (microseconds since the epoch, as a string), the line in `MESSAGE`, the level
only as syslog's numeric `PRIORITY`, the program in `SYSLOG_IDENTIFIER` and `_COMM`, the service in
`_SYSTEMD_UNIT` (`playback.service`), or for shared daemons (`nginx.service`, `mysql.service`,
`kafka.service`) only in the host's name; the kernel's lines carry no unit at all. Each program keeps
its own line format inside `MESSAGE`: Go's log/slog text handler, log4j2's default pattern, Rust's
tracing formatter, Python's structlog key-value renderer, nginx's error log, MySQL's, Kafka's.
Metrics are Prometheus recording rules labelled `app`, sampled every 15 s (requests) and 30 s (the
process)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: nginx go java rust python node mysql kafka memcached saas (no telemetry of its own)


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "app:http_requests:rate1m",
        "error_ratio": "app:http_requests_5xx:ratio1m",
        "latency_p99": "app:http_request_duration_seconds:p99_1m",
        "cpu_utilization": "app:process_cpu:ratio",
        "memory_utilization": "app:process_resident_memory:ratio_of_limit",
        "restarts": "app:systemd_unit_restarts:increase5m",
        "pool_utilization": "app:db_connections_in_use:ratio",
    }
    return {k: f'{v}{{app="{{service}}"}}' for k, v in names.items()}


STREAM = Estate(
    label="app",
    name="stream",
    namespace="media",
    shipper="journald",
    signals=_signals(),
    nodes=(
        Node("edge", "nginx", ("api", "playback"), 300),
        Node("api", "go", ("accounts", "catalog", "memcached"), 180),
        Node("playback", "java", ("catalog", "media-db", "cdn"), 140),
        Node("accounts", "python", ("media-db",), 60),
        Node("catalog", "node", ("media-db", "memcached"), 150),
        Node("ingest", "python", ("partner-feed", "media-db", "kafka"), 8),
        Node("transcoder", "rust", ("kafka", "object-store"), 6),
        Node("notifier", "java", ("kafka", "push-gateway"), 25),
        Node("media-db", "mysql", (), 500),
        Node("kafka", "kafka", (), 200),
        Node("memcached", "memcached", (), 900),
        Node("partner-feed", "saas", (), 2),
        Node("object-store", "saas", (), 20),
        Node("cdn", "saas", (), 300),
        Node("push-gateway", "saas", (), 25),
    ),
)

ESTATES = {STREAM.name: STREAM}

BACKGROUND = {
    "nginx": ['10.20.1.7 - - "GET /v1/titles/8812/manifest.mpd HTTP/1.1" 200 1422 "-" "ExoPlayer/2.19"'],
    "go": ['level=INFO msg="request served" method=GET path=/v1/me status=200 dur=12.4ms'],
    "java": ["INFO  c.s.playback.SessionController - session started title=8812 bitrate=4500k"],
    "python": ['event="batch committed" rows=200 table=titles level=info'],
    "node": ['{"level":30,"msg":"catalog page served","route":"/v2/rows","ms":9}'],
    "rust": [" INFO transcoder::job: segment encoded rendition=1080p duration_ms=412"],
    "mysql": ["[Note] [MY-010914] [Server] Aborted connection 77121 to db: 'media' user: 'app' (Got timeout reading)"],
    "kafka": ["[2026-01-01 00:00:00,000] INFO [Log partition=events-3] Rolled new log segment (kafka.log.LocalLog)"],
    "memcached": ["<41 new auto-negotiating client connection"],
}
NOISE = {
    "go": 'level=WARN msg="slow upstream" upstream=catalog dur=240ms',
    "java": "WARN  c.s.playback.DrmClient - licence renewal took 1.2s",
    "nginx": "upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/3/01/0000000013",
}
KERNEL = "kernel: "
# syslog's numeric levels, as journald keeps them
PRIORITY = {"error": "3", "warn": "4", "info": "6"}
# shared daemons run under their package's unit: the service is only in the host's name
UNIT = {"nginx": "nginx.service", "mysql": "mysql.service", "kafka": "kafka.service", "memcached": "memcached.service"}
COMM = {"go": "api", "java": "java", "rust": "transcoder", "python": "python3", "node": "node", "nginx": "nginx",
        "mysql": "mysqld", "kafka": "java", "memcached": "memcached"}  # fmt: skip


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it (journald adds the time and the priority of its own)."""
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if tech == "go":  # log/slog's TextHandler
        return text if text.startswith("level=") else f'time={stamp} level={level.upper()} msg="{text}"'
    if tech == "java":  # log4j2's default PatternLayout, without the date journald already has
        if text[:5].strip() in ("INFO", "WARN", "ERROR"):
            return f"{at:%H:%M:%S.%f}"[:-3] + f" [main] {text}"
        return f"{at:%H:%M:%S.%f}"[:-3] + f" [worker-3] {level.upper():<5} c.s.app.Service - {text}"
    if tech == "rust":  # tracing_subscriber's fmt layer
        return text if text[:6].strip() in ("INFO", "WARN", "ERROR") else f"{stamp} {level.upper():>5} {text}"
    if tech == "python":  # structlog's KeyValueRenderer
        return text if text.startswith("event=") else f'event="{text}" level={level}'
    if tech == "node":  # pino
        if text.startswith("{"):
            return text
        pino = {"error": 50, "warn": 40, "info": 30}[level]
        return json.dumps({"level": pino, "time": int(at.timestamp() * 1000), "msg": text}, separators=(",", ":"))
    if tech == "nginx":
        if text.startswith("10."):  # an access log line, to syslog
            return text
        mark = {"error": "error", "warn": "warn", "info": "notice"}[level]
        return f"{at:%Y/%m/%d %H:%M:%S} [{mark}] 811#811: *4471 {text}"
    if tech == "mysql":
        mark = {"error": "ERROR", "warn": "Warning", "info": "Note"}[level]
        return text if text.startswith("[") else f"{stamp} 0 [{mark}] {text}"
    if tech == "kafka":
        ms = at.microsecond // 1000
        return text if text.startswith("[") else f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}] {level.upper()} {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """A journald entry as `journalctl -o json` prints it."""
    tech = estate.node(service).tech
    host = f"{service}-{(sum(map(ord, pod)) % 3) + 1:02d}"
    us = int(at.timestamp() * 1_000_000)
    rec: dict[str, str] = {
        "__CURSOR": f"s=9f3c;i={us % 10_000_000:x};b=4d1e;m={us % 999_999:x};t={us:x};x=1",
        "__REALTIME_TIMESTAMP": str(us),
        "__MONOTONIC_TIMESTAMP": str(us % 9_000_000_000),
        "_BOOT_ID": hashlib.md5(host.encode()).hexdigest(),
        "_HOSTNAME": host,
        "PRIORITY": PRIORITY[level],
        "SYSLOG_FACILITY": "3",
    }
    if text.startswith(KERNEL):  # the kernel logs for the machine, not for a unit
        rec.update({"_TRANSPORT": "kernel", "SYSLOG_IDENTIFIER": "kernel", "MESSAGE": text.removeprefix(KERNEL)})
        return rec
    rec.update(
        {
            "_TRANSPORT": "stdout" if tech not in UNIT else "syslog",
            "_SYSTEMD_UNIT": UNIT.get(tech, f"{service}.service"),
            "SYSLOG_IDENTIFIER": COMM[tech] if tech in UNIT else service,
            "_COMM": COMM[tech],
            "_PID": str(1000 + sum(map(ord, service)) % 9000),
            "_UID": "998",
            "MESSAGE": line(tech, at, level, text),
        }
    )
    return rec
