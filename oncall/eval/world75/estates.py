"""World 75's estate, written after world 74's rules and scored before any rule saw it.

A Madrid padel-court booking marketplace that runs entirely on Vercel: Edge Middleware in front (sessions
checked with Clerk, rate limits kept in Upstash Redis), a Next.js storefront, a bookings API of Vercel Functions
in Node (pino's JSON written to stdout), a payments API in Python (FastAPI; logging's default
`LEVEL:logger:message` lines, written to stderr) and a Vercel Cron job sending reminders through Twilio. Neon
holds the data; Neon, Upstash, Clerk, Stripe and Twilio show nothing of their own.

The logs are a Vercel Log Drain's NDJSON deliveries, kept as they arrived: `timestamp` in epoch milliseconds,
`projectName` (the company's prefix on each project), `source` (lambda, edge), `type` (stdout, stderr,
middleware-invocation), `deploymentId`, `host`, `executionRegion`, `requestId`, and Vercel's own `level`, which
is the stream's, not the program's: everything on stderr is `error` (so every line Python's logging writes),
everything on stdout `info` (so every line pino writes, its own level a number inside the message). Metrics:
the team's exporter of Vercel's observability data into Prometheus, by `vercel_project`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: edge next pino pylog cron saas
PREFIX = "pista-"


def _signals() -> dict[str, str]:
    sel = 'vercel_project="pista-{service}",vercel_environment="production"'
    return {
        "request_rate": f"vercel:function_invocations:rate1m{{{sel}}}",
        "error_ratio": f"vercel:function_invocations_5xx:ratio_rate1m{{{sel}}}",
        "latency_p99": f"vercel:function_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"vercel:function_active_cpu:ratio_provisioned{{{sel}}}",
        "memory_utilization": f"vercel:function_memory_peak:ratio_limit{{{sel}}}",
    }


PROD = Estate(
    label="vercel_project",
    name="pista",
    namespace="pista",
    shipper="vercel-log-drain-ndjson",
    signals=_signals(),
    nodes=(
        Node("middleware", "edge", ("web", "bookings-api", "clerk", "upstash"), 150),
        Node("web", "next", ("bookings-api", "payments"), 90),
        Node("bookings-api", "pino", ("neon", "upstash", "payments"), 60),
        Node("payments", "pylog", ("stripe", "neon"), 8),
        Node("reminders", "cron", ("bookings-api", "twilio"), 2),
        Node("neon", "saas", (), 70),
        Node("upstash", "saas", (), 200),
        Node("clerk", "saas", (), 150),
        Node("stripe", "saas", (), 8),
        Node("twilio", "saas", (), 2),
    ),
)

ESTATES = {PROD.name: PROD}

# a line as the program writes it ({pino}: pino's number for the level, {PY}: Python's level name)
BACKGROUND = {
    "edge": ["session ok for user_{hex} on /clubs/{n}{k}", "rate limit 1{n}/60 for ip 83.{k}.{n}.1{k}"],
    "next": ["[web] rendered /clubs/{n}{k}/pistas in {n}ms", "[web] revalidated /torneos/{k} (ISR)"],
    "pino": ['{{"level":{pino},"time":{epoch},"pid":9,"hostname":"169.254.{k}.{n}","route":"/api/availability",'
             '"club":"c{n}{k}","msg":"availability computed for {k} courts"}}',
             '{{"level":{pino},"time":{epoch},"pid":9,"hostname":"169.254.{k}.{n}","route":"/api/bookings",'
             '"booking":"b_{hex}","msg":"booking held"}}'],
    "pylog": ["{PY}:payments.webhooks:checkout.session.completed for b_{hex} recorded",
              "{PY}:payments.api:payment intent pi_{hex} created (2{n}.00 EUR)"],
    "cron": ["[reminders] {k}{n} reminders due in the next hour", "[reminders] sent reminder for b_{hex}"],
}  # fmt: skip
NOISE = {
    "pino": '{{"level":40,"time":{epoch},"pid":9,"hostname":"169.254.{k}.{n}","route":"/api/availability",'
    '"club":"c{n}{k}","msg":"cold start: neon connection opened in 4{n}0 ms"}}',
    "pylog": "WARNING:payments.api:stripe retry 1 for pi_{hex} (idempotent)",
    "edge": "clerk session refreshed late for user_{hex} (1{n}00 ms)",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


_PINO = {"debug": 20, "info": 30, "warn": 40, "error": 50, "critical": 60}


def _fill(at: datetime, text: str, tech: str, level: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{hex}", _hex(tech, str(at.timestamp()))[:12])
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{epoch}", str(int(at.timestamp() * 1000)))
        .replace("{pino}", str(_PINO.get(level, 30)))
        .replace("{PY}", {"warn": "WARNING", "critical": "CRITICAL"}.get(level, level.upper()))
        .replace("{{", "{")
        .replace("}}", "}")
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One log entry of a Vercel Log Drain (NDJSON): its level is the stream's."""
    tech = estate.node(service).tech
    line = _fill(at, text, tech, level)
    if tech == "pylog":  # logging's StreamHandler writes to stderr
        stream, said = "stderr", "error"
    elif tech == "pino":  # pino writes every level to stdout
        stream, said = "stdout", "info"
    else:  # console.error and console.warn go to stderr, console.log to stdout
        stream = "stderr" if level in ("error", "critical", "warn") else "stdout"
        said = {"critical": "error", "warn": "warning"}.get(level, level)
    h = _hex(service, pod, str(at.timestamp()))
    entry: dict[str, Any] = {
        "id": f"{int(at.timestamp() * 1000)}{int(h[:12], 16) % 10**15:015d}",
        "deploymentId": f"dpl_{_hex(service, pod)[:28]}",
        "source": "edge" if tech == "edge" else "lambda",
        "host": f"{PREFIX}{service}-{_hex(pod)[:9]}-pista.vercel.app",
        "timestamp": int(at.timestamp() * 1000),
        "projectId": f"prj_{_hex(service)[:28]}",
        "level": said,
        "message": line,
        "type": "middleware-invocation" if tech == "edge" else stream,
        "requestId": f"{h[12:20]}-{h[20:24]}-{h[24:28]}-{h[28:32]}-{h[32:44]}",
        "environment": "production",
        "projectName": f"{PREFIX}{service}",
        "executionRegion": "mad1" if tech == "edge" else "cdg1",
    }
    if tech != "edge":
        entry["entrypoint"] = {"next": "app/[...slug]/page.tsx", "pino": "api/[route].ts", "pylog": "api/index.py",
                               "cron": "api/cron/reminders.ts"}[tech]  # fmt: skip
    return entry
