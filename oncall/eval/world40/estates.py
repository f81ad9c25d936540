"""World 40's estate, written after world 39's rules and scored before any rule saw it.

A classifieds marketplace (listings, search, buyer-seller messages, photo uploads) on virtual machines under
systemd (no cluster files), bundled the plain way DESIGN.md describes by a team whose rsyslog template writes
`ts` as `%timereported%` in rsyslog's **default, RFC 3164 form: `Jan 19 05:41:12`, no year, no zone, no
fraction, a day below ten padded with a space (`Jan  9`)**; the hosts keep UTC. `level` is
`%syslogseverity-text%`: the daemons that log to syslog themselves (nginx, PostgreSQL, Redis, RabbitMQ,
Unbound, OpenSearch) get their own severity, while the applications write to stdout and journald files every
such line at `info`, errors too; the line itself says how bad it is. `pod` is the host (`listings-02`). The
programs: nginx at the edge, the listings API (Django under gunicorn), search (Spring Boot) over OpenSearch,
messaging (Node, pino) over RabbitMQ, a mailer worker (Python, structlog) sending through the cloud's SMTP
relay, media (imgproxy) resizing photos, a nightly indexer (Python), PostgreSQL, Redis for sessions and rate
limits, and Unbound resolving for every host. Metrics carry `service`, every 20 s."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: nginx django spring node mailer imgproxy indexer postgres redis rabbitmq opensearch unbound saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "swap_requests_per_second",
        "error_ratio": "swap_request_failures_ratio",
        "latency_p99": "swap_request_latency_p99_seconds",
        "cpu_utilization": "swap_host_cpu_busy_ratio",
        "memory_utilization": "swap_host_memory_used_ratio",
        "disk_utilization": "swap_host_disk_used_ratio",
        "restarts": "swap_unit_restarts_15m",
    }
    return {k: f'{v}{{service="{{service}}",env="live"}}' for k, v in names.items()}


SWAP = Estate(
    label="service",
    name="swapmart",
    namespace="live",
    shipper="rsyslog",
    signals=_signals(),
    nodes=(
        Node("edge", "nginx", ("listings", "search", "messaging", "media"), 600),
        Node("listings", "django", ("postgres", "redis", "search", "resolver"), 450),
        Node("search", "spring", ("opensearch", "resolver"), 300),
        Node("messaging", "node", ("rabbitmq", "postgres", "resolver"), 150),
        Node("mailer", "mailer", ("rabbitmq", "smtp-relay", "resolver"), 20),
        Node("media", "imgproxy", ("objectstore",), 120),
        Node("indexer", "indexer", ("postgres", "opensearch"), 4),
        Node("postgres", "postgres", (), 2500),
        Node("redis", "redis", (), 5000),
        Node("rabbitmq", "rabbitmq", (), 800),
        Node("opensearch", "opensearch", (), 700),
        Node("resolver", "unbound", (), 3000),
        Node("smtp-relay", "saas", (), 15),
        Node("objectstore", "saas", (), 200),
    ),
)

ESTATES = {SWAP.name: SWAP}

BACKGROUND = {
    "nginx": ['10.4.1.22 - - [19/Jan/2026:05:41:12 +0000] "GET /api/listings?cat=bikes HTTP/1.1" 200 8123 "-" '
              '"Mozilla/5.0" rt=0.084 uct=0.001 urt=0.083'],
    "django": ['"GET /api/listings/88213 HTTP/1.1" 200 4123'],
    "spring": ["Completed search q='road bike' hits=412 took=38ms"],
    "node": ["message delivered conversation=c-88213 recipient=u-4123"],
    "mailer": ["email sent template=new_message to=u-4123 message_id=0102018d1c7e"],
    "imgproxy": ["Completed GET /insecure/rs:fit:640:480/plain/s3://photos/88213.jpg in 84ms"],
    "indexer": ["INFO:indexer:checkpoint listings up to id 8821312"],
    "postgres": ["LOG:  checkpoint complete: wrote 2231 buffers (13.6%); 0 WAL file(s) added"],
    "redis": ["DB 0: 412231 keys (398012 volatile) in 524288 slots HT."],
    "rabbitmq": ["accepting AMQP connection <0.4123.0> (10.4.2.13:51234 -> 10.4.3.5:5672)"],
    "opensearch": ["[o.o.c.m.MetadataMappingService] [opensearch-01] [listings/x7Kp2QaTS] update_mapping [_doc]"],
    "unbound": ["info: server stats for thread 0: 4123 queries, 3987 answers from cache, 136 recursions"],
}  # fmt: skip
NOISE = {
    "django": "Not Found: /api/listings/99999999",
    "spring": "Search query rejected as too broad: q='*' (returned 400)",
    "nginx": 'client intended to send too large body: 31457280 bytes, client: 10.4.1.22, request: "POST /upload"',
}
# the daemons that log to syslog themselves; the applications' stdout is filed at info whatever it says
_OWN_SEVERITY = ("nginx", "postgres", "redis", "rabbitmq", "opensearch", "unbound")
_SEVERITY = {"debug": "debug", "info": "info", "warn": "warning", "error": "err", "fatal": "crit"}
_PY = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR", "fatal": "CRITICAL"}
_PINO = {"debug": 20, "info": 30, "warn": 40, "error": 50, "fatal": 60}


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it."""
    ms = f"{at.microsecond // 1000:03d}"
    if tech == "nginx" and level != "info":
        word = {"warn": "warn", "error": "error", "fatal": "crit"}.get(level, "notice")
        return f"{at:%Y/%m/%d %H:%M:%S} [{word}] 2231#2231: *88213 {text}"
    if tech == "django":
        return f"[{at:%Y-%m-%d %H:%M:%S} +0000] [4123] [{_PY[level]}] {text}"
    if tech == "spring":
        word = _PY[level].replace("WARNING", "WARN")
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms} {word:>5} 1 --- [nio-8080-exec-3] c.s.search.SearchService : {text}"
    if tech == "node":
        stamp = int(at.timestamp() * 1000)
        return json.dumps({"level": _PINO[level], "time": stamp, "pid": 811, "hostname": "messaging", "msg": text},
                          separators=(",", ":"))  # fmt: skip
    if tech == "mailer":
        return f"{at:%Y-%m-%dT%H:%M:%S}.{ms}Z [{_PY[level].lower().replace('warning', 'warn'):<9}] {text}"
    if tech == "imgproxy":
        return f'time="{at:%Y-%m-%dT%H:%M:%SZ}" level={_PY[level].lower().replace("warning", "warn")} msg="{text}"'
    if tech == "indexer" and not text.startswith(("INFO:", "WARNING:", "ERROR:")):
        return f"{_PY[level]}:indexer:{text}"
    if tech == "postgres" and not text.startswith(("LOG:", "ERROR:", "FATAL:", "WARNING:")):
        word = {"warn": "WARNING", "error": "ERROR", "fatal": "FATAL"}.get(level, "LOG")
        return f"{word}:  {text}"
    if tech == "redis":
        mark = {"warn": "#", "error": "#", "debug": "."}.get(level, "*")
        return f"1187:M {at:%d %b %Y %H:%M:%S}.{ms} {mark} {text}"
    if tech == "rabbitmq":
        word = {"warn": "warning", "fatal": "critical"}.get(level, level)
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00 [{word}] <0.811.0> {text}"
    if tech == "opensearch":
        word = {"warn": "WARN ", "info": "INFO ", "debug": "DEBUG", "fatal": "FATAL"}.get(level, "ERROR")
        return f"[{at:%Y-%m-%dT%H:%M:%S},{ms}][{word}]{text}"
    if tech == "unbound":
        word = {"warn": "warning", "error": "error", "fatal": "error"}.get(level, "info")
        return f"[{int(at.timestamp())}] unbound[811:0] {word}: {text.removeprefix('info: ')}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the rsyslog template writes it: RFC 3164's reported time, the syslog severity's name."""
    tech = estate.node(service).tech
    return {
        "ts": f"{at:%b} {at.day:2d} {at:%H:%M:%S}",
        "service": service,
        "pod": f"{service}-0{pod.split('-')[-1]}",
        "level": _SEVERITY[level] if tech in _OWN_SEVERITY else "info",
        "message": line(tech, at, level, text),
    }
