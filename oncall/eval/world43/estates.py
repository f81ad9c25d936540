"""World 43's estate, written after world 42's rules and scored before any rule saw it.

A restaurant reservation and table-management service for independent restaurants, run by a small team on
**Fly.io Machines** in one region (no cluster files), bundled by **fly-log-shipper** (Vector reading Fly's
NATS log stream) writing each event as Fly delivers it: `timestamp` in RFC 3339 **with nanoseconds**
(`2026-02-14T18:41:12.123456789Z`), `message`, **`fly.app.name`** (the Fly app: app names are global on
Fly, so each carries the company's prefix, `tablely-api`, where the catalog says `api`; the metrics and alerts
spell it so too and the catalog's signal templates say how), `fly.app.instance` (the Machine's id),
`fly.region`, `host`, **`log.level` always `info`** (Fly does not read levels from what a program prints; the
line says how bad it is), and `event.provider`: `app` for a program's own output, **`runner`** for Fly's
lines about the Machine (its start, an exit, the kernel's OOM killer) and **`proxy`** for Fly's proxy (auto
stop and start, load-balancing failures). The programs: a Remix web app on Node (plain text, morgan-style
access lines), a Rust API (axum, tracing's default text format), a Go worker (slog's JSON), Meilisearch,
and Fly Postgres (`postgres | ...` and `repmgrd | ...` prefixed lines). Upstash Redis, Stripe, Twilio and
Postmark are others', seen only through what the programs log. Metrics: Fly's built-in Prometheus through
recording rules keyed by `app`, every 15 s (the database's volume as **`fly_volume_used_pct`, in percent**)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: node rust go meili postgres saas

PREFIX = "tablely-"


def _signals() -> dict[str, str]:
    app = f'app="{PREFIX}{{service}}"'
    return {
        "request_rate": f"app:fly_app_http_responses:rate1m{{{app}}}",
        "error_ratio": f"app:fly_app_http_responses_5xx:ratio1m{{{app}}}",
        "latency_p99": f"app:fly_app_http_response_time_seconds:p99_1m{{{app}}}",
        "cpu_utilization": f"app:fly_instance_cpu_busy:ratio1m{{{app}}}",
        "memory_utilization": f"app:fly_instance_memory_used:ratio{{{app}}}",
        "disk_utilization": f"fly_volume_used_pct{{{app}}}",
    }


TABLELY = Estate(
    label="app",
    name="tablely",
    namespace="personal",
    shipper="fly-log-shipper",
    signals=_signals(),
    nodes=(
        Node("web", "node", ("api", "db", "stripe"), 220),
        Node("api", "rust", ("db", "search", "redis"), 300),
        Node("worker", "go", ("db", "twilio", "postmark"), 30),
        Node("search", "meili", (), 120),
        Node("db", "postgres", (), 900),
        Node("redis", "saas", (), 500),
        Node("stripe", "saas", (), 5),
        Node("twilio", "saas", (), 10),
        Node("postmark", "saas", (), 10),
    ),
)

ESTATES = {TABLELY.name: TABLELY}

# A line starting with RUNNER or PROXY is Fly's own (event.provider runner or proxy), not the program's
BACKGROUND = {
    "node": ["GET /r/la-piazza 200 - 41.212 ms", "POST /api/bookings 201 - 88.004 ms"],
    "rust": ["INFO api::bookings: booking created id=88213 restaurant=4411 covers=4",
             "INFO tower_http::trace::on_response: finished processing request latency=12 ms status=200"],
    "go": ['{"level":"INFO","msg":"reminder sent","job":"reminders","booking":88213}',
           '{"level":"INFO","msg":"job finished","job":"nightly-digest","took":"1.2s"}'],
    "meili": ['INFO  actix_web::middleware::logger] 172.19.2.10 "POST /indexes/restaurants/search HTTP/1.1" 200 '
              '212 "-" "undici" 0.003104'],
    "postgres": ["postgres | LOG:  checkpoint complete: wrote 812 buffers (5.0%); 0 WAL file(s) added",
                 "repmgrd | [INFO] monitoring connection to upstream node \"fdaa:0:3b1a:a7b:8c:5a6e:1ef2:2\""],
}  # fmt: skip
NOISE = {
    "node": "Warning: a booking widget on https://la-piazza.example embeds an outdated script (v2)",
    "rust": "WARN api::auth: expired session token presented; asking the client to sign in again",
    "go": '{"level":"WARN","msg":"postmark bounce for guest email","booking":87110}',
}


def _hex(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def _stamp(at: datetime) -> str:
    nanos = at.microsecond * 1000 + int(_hex(at.isoformat(), 3), 16) % 1000
    return f"{at:%Y-%m-%dT%H:%M:%S}.{nanos:09d}Z"


def _line(tech: str, at: datetime, level: str, text: str) -> str:
    """What the program prints for one event."""
    if tech == "rust" and not text.startswith(("INFO ", "WARN ", "ERROR ", "DEBUG ")):
        text = f"{level.upper() if level != 'warn' else 'WARN'} {text}"
    if tech == "rust":  # tracing_subscriber's default format: time, level (padded), target, message
        lvl, _, rest = text.partition(" ")
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {lvl:>5} {rest}"
    if tech == "go":  # slog's JSON handler
        obj = json.loads(text) if text.startswith("{") else {"level": level.upper(), "msg": text}
        return json.dumps(
            {"time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z", **obj}, separators=(",", ":")
        )
    if tech == "meili":  # env_logger's format
        return f"[{at:%Y-%m-%dT%H:%M:%SZ} {text}"
    if tech == "postgres":  # postgres-flex: each process's line under its name
        name, _, rest = text.partition(" | ")
        if name == "postgres":
            return (
                f"postgres | {at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [{int(_hex(rest, 3), 16)}] {rest}"
            )
        return f"{name} | [{at:%Y-%m-%d %H:%M:%S}] {rest}"
    return text  # node: what console.log and console.error print


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One event as fly-log-shipper writes it."""
    provider = "app"
    if text.startswith(("RUNNER ", "PROXY ")):
        head, _, text = text.partition(" ")
        provider = head.lower()
    else:
        text = _line(estate.node(service).tech, at, level, text)
    instance = _hex(pod, 14)
    return {
        "event": {"provider": provider},
        "fly": {"app": {"instance": instance, "name": f"{PREFIX}{service}"}, "region": "ams"},
        "host": _hex(instance, 4),
        "log": {"level": "info"},
        "message": text,
        "timestamp": _stamp(at),
    }
