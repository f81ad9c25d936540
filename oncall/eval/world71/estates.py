"""World 71's estate, written after world 70's rules and scored before any rule saw it.

A New Zealand marketplace where homeowners book tradespeople (plumbers, electricians, builders), on Akamai
Cloud's (Linode's) virtual machines in Sydney under systemd, no cluster: HAProxy at the edge (its HTTP log
format), a Laravel web app on PHP-FPM (Monolog's line format, PHP-FPM's own pool warnings), a Django API under
gunicorn (python-json-logger's JSON), a Go job matcher (zap's production JSON), a Node notifications worker on
BullMQ (pino), a Ruby invoicing service on Sidekiq (its default text), PostgreSQL with PostGIS and Redis on
their own machines. Windcave (card payments), Twilio and Google Maps show nothing of their own.

Every machine's rsyslog forwards to Loggly (programs' stdout and stderr through journald: stdout at
Informational, stderr at Error, whatever the line says), and the bundle is Loggly's search API paged and
exported with `jq -c '.events[]'`: each event's `timestamp` in epoch milliseconds, its raw text in `logmsg`,
the syslog header Loggly parsed in `event.syslog` (`appName` the program, `host`, `severity` spelt out:
Informational, Notice, Warning, Error, Critical), a JSON message also parsed into `event.json`, and `tags`
(the environment). Metrics: node_exporter's and the services' own, through recording rules by `instance`'s
service name `svc`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: haproxy laravel django gozap pino sidekiq postgres redis saas
NZ = timezone(timedelta(hours=13))  # New Zealand's daylight time
# a logger's level as the program writes it, and the syslog severity its stream is filed at
SYSLOG = {"debug": "Debug", "info": "Informational", "warn": "Warning", "error": "Error", "critical": "Critical"}
STDERR = ("django", "sidekiq")  # gunicorn and Sidekiq write every line to stderr: filed at Error
APP = {"haproxy": "haproxy", "laravel": "php-fpm", "django": "gunicorn", "gozap": "matcher", "pino": "node",
       "sidekiq": "sidekiq", "postgres": "postgres", "redis": "redis-server"}  # fmt: skip


def _signals() -> dict[str, str]:
    sel = 'svc="{service}",env="production"'
    return {
        "request_rate": f"svc:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"svc:http_requests_5xx:ratio_rate1m{{{sel}}}",
        "latency_p99": f"svc:http_request_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"svc:node_cpu_busy:ratio{{{sel}}}",
        "memory_utilization": f"svc:node_memory_used:ratio{{{sel}}}",
        "disk_utilization": f"svc:node_filesystem_used:ratio{{{sel}}}",
    }


PROD = Estate(
    label="svc",
    name="tradie",
    namespace="production",
    shipper="loggly-search-export",
    signals=_signals(),
    nodes=(
        Node("lb", "haproxy", ("web", "api"), 120),
        Node("web", "laravel", ("api", "redis", "postgres"), 60),
        Node("api", "django", ("postgres", "redis", "matcher", "googlemaps"), 50),
        Node("matcher", "gozap", ("postgres",), 20),
        Node("notifications", "pino", ("redis", "twilio"), 8),
        Node("invoicing", "sidekiq", ("postgres", "redis", "windcave"), 5),
        Node("postgres", "postgres", (), 300),
        Node("redis", "redis", (), 500),
        Node("windcave", "saas", (), 5),
        Node("twilio", "saas", (), 8),
        Node("googlemaps", "saas", (), 20),
    ),
)

ESTATES = {PROD.name: PROD}

# a line as the program writes it ({lvl}: the logger's own level word where its format has one)
BACKGROUND = {
    "haproxy": ['10.0.{k}.{n}:5{n}12 [{clf}] https~ web/web1 0/0/1/4{n}/5{n} 200 2{n}41 - - ---- 12/12/0/0/0 0/0 '
                '"GET /jobs/{n}{k}1 HTTP/1.1"',
                '10.0.{k}.{n}:5{n}12 [{clf}] https~ api/api1 0/0/1/2{n}/3{n} 201 4{n}2 - - ---- 12/12/0/0/0 0/0 '
                '"POST /api/v2/bookings HTTP/1.1"'],
    "laravel": ["[{local}] production.{LVL}: Booking {n}{k}41 confirmed for job J-{hex}",
                "[{local}] production.{LVL}: Quote Q-{hex} sent to homeowner"],
    "django": ['{{"asctime": "{local}", "levelname": "{LVL}", "name": "bookings.views", "message": "booking {n}{k}41 '
               'created for tradie T-{n}"}}',
               '{{"asctime": "{local}", "levelname": "{LVL}", "name": "django.request", "message": "GET /api/v2/jobs '
               '200 {n}ms"}}'],
    "gozap": ['{{"level":"{lvl}","ts":{epoch},"caller":"match/match.go:88","msg":"matched job","job":"J-{hex}",'
              '"candidates":{k}}}'],
    "pino": ['{{"level":{pino},"time":{ms},"pid":41,"hostname":"notify-1","msg":"sms sent for booking {n}{k}41"}}'],
    "sidekiq": ["pid=8 tid=ox{hex} class=InvoiceJob jid={hex} INFO: done: 0.{n}4 sec",
                "pid=8 tid=ox{hex} class=InvoiceJob jid={hex} INFO: start"],
    "postgres": ["[{n}1{k}]: [2-1] user=tradie,db=tradie LOG:  duration: {n}.1{k}2 ms  statement: SELECT 1",
                 "[{n}1{k}]: [1-1] LOG:  checkpoint complete: wrote {n}{k} buffers"],
    "redis": ["1:M {redis} * Background saving started by pid {n}{k}1", "1:M {redis} * DB saved on disk"],
}  # fmt: skip
NOISE = {
    "django": '{{"asctime": "{local}", "levelname": "WARNING", "name": "maps", "message": "Google Maps geocode slow: '
    '1.{n} s"}}',
    "laravel": "[{local}] production.WARNING: Slow query ({n}00 ms) on quotes",
    "sidekiq": "pid=8 tid=ox{hex} class=InvoiceJob jid={hex} WARN: Windcave answered in 2.{n} s",
}
PINO = {"debug": 20, "info": 30, "warn": 40, "error": 50, "critical": 60}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, svc: str, level: str) -> str:
    n = int(at.timestamp()) % 61
    local = at.astimezone(NZ)
    word = {"warn": "WARNING", "critical": "CRITICAL"}.get(level, level.upper())
    return (
        text.replace("{hex}", _hex(svc, str(at.timestamp()))[:10])
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{clf}", f"{local:%d/%b/%Y:%H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{local}", f"{local:%Y-%m-%d %H:%M:%S}")
        .replace("{LVL}", word)
        .replace("{lvl}", {"warn": "warn", "critical": "error"}.get(level, level))
        .replace("{pino}", str(PINO[level]))
        .replace("{epoch}", f"{at.timestamp():.6f}")
        .replace("{ms}", str(int(at.timestamp() * 1000)))
        .replace("{redis}", f"{at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{{", "{")
        .replace("}}", "}")
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One event of Loggly's search API."""
    tech = estate.node(service).tech
    line = _fill(at, text, service, level)
    host = f"{service}-{pod.rsplit('-', 1)[-1]}"
    severity = "Error" if tech in STDERR else SYSLOG[level]
    if tech == "postgres":  # PostgreSQL's syslog destination files each line at its own level
        severity = SYSLOG[level]
    h = _hex(host, at.isoformat())
    stamp = at.astimezone(NZ)
    syslog = {
        "appName": APP[tech],
        "host": host,
        "severity": severity,
        "facility": "local0" if tech == "haproxy" else "daemon",
        "priority": str(
            {"Debug": 31, "Informational": 30, "Notice": 29, "Warning": 28, "Error": 27, "Critical": 26}[severity]
        ),
        "timestamp": f"{stamp:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+13:00",
    }
    event: dict[str, Any] = {"syslog": syslog}
    logtypes = ["syslog"]
    if line.startswith("{"):
        event["json"] = json.loads(line)
        logtypes.append("json")
    return {
        "tags": ["production", f"vm-{service}"],
        "timestamp": int(at.timestamp() * 1000),
        "logmsg": line,
        "event": event,
        "logtypes": logtypes,
        "id": f"{h[:8]}-{h[8:12]}-11f0-{h[12:16]}-{h[16:28]}",
        "raw": f"<{syslog['priority']}>1 {syslog['timestamp']} {host} {APP[tech]} - - - {line}",
        "unparsed": None,
    }
