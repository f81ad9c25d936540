"""World 87's estate, written after world 86's rules and scored before any rule saw it.

A Lisbon tutoring marketplace on Railway (no cluster files): a Remix web front (pino, set up as Railway's
guide says: `message` and a level's name), a FastAPI api (Python's logging and uvicorn, to stderr), a Go
scheduler (zerolog), a Sidekiq worker sending reminders and payouts (Sidekiq's own JSON lines), and Railway's
Postgres and Redis templates; Stripe takes payments, Postmark sends e-mail.

Logs are the environment's logs as the team's script saves them from Railway's GraphQL API
(`environmentLogs`), a node a line, oldest first: `timestamp` in nanoseconds (`2028-03-14T18:02:11.123456789Z`),
`message`, `severity`, `attributes` as Railway returns them (a list of `{key, value}`, each value the JSON text
of the field: `"\"/v1/bookings\""`), `tags` (projectId, environmentId, serviceId, deploymentId,
deploymentInstanceId, all UUIDs), and the `serviceName` the script looks up, as Railway shows it (its
database templates are `Postgres` and `Redis`). Railway parses a JSON line that has `message` and `level`
into a message, a severity and attributes; any other line is kept as its text, and a line written to
stderr is filed at `error` whatever it says (Python's logging, uvicorn and Postgres write there). Sidekiq's
JSON (`ts`, `pid`, `tid`, `lvl`, `msg`) has neither key: each line is kept whole as its message, at `info`.
A Python traceback arrives a line an entry. Metrics: the team's Prometheus (Railway's template) scraping
each service, recorded per `service`."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

PROJECT = "3f2a9c4e-6b1d-4e8a-9c0f-5d7e2b1a8c64"
ENVIRONMENT = "9b8d7c6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
SHOWN = {"postgres": "Postgres", "redis": "Redis"}  # as Railway's templates name them
_STDERR = ("python", "postgres")  # what writes its every line to stderr


def _signals() -> dict[str, str]:
    sel = 'service="{service}",environment="production"'
    return {
        "request_rate": f"falar:http_requests:rate5m{{{sel}}}",
        "error_ratio": f"falar:http_requests_failed:ratio5m{{{sel}}}",
        "latency_p99": f"falar:http_request_duration_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"railway_service_cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"railway_service_memory_usage:ratio_limit{{{sel}}}",
        "disk_utilization": f"railway_volume_usage:ratio{{{sel}}}",
        "restarts": f"railway_deployment_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="falar",
    namespace="production",
    shipper="railway-environment-logs-graphql",
    signals=_signals(),
    nodes=(
        Node("web", "node", ("api",), 60),
        Node("api", "python", ("postgres", "redis", "stripe"), 45),
        Node("scheduler", "go", ("api", "redis", "postgres"), 8),
        Node("worker", "ruby", ("postgres", "redis", "postmark", "stripe"), 15),
        Node("postgres", "postgres", (), 70),
        Node("redis", "redis", (), 110),
        Node("stripe", "saas", (), 6),
        Node("postmark", "saas", (), 10),
    ),
)

ESTATES = {PROD.name: PROD}

# `key=value` pairs (` | ` apart) make a structured logger's record; `|exc|` the error it recorded apart
BACKGROUND = {
    "node": ["message=request completed | path=/tutors/{k}{n} | status=200 | ms={k}{n}"],
    "python": ['INFO:     10.250.{k}.{n}:0 - "GET /v1/lessons/{n}{k} HTTP/1.1" 200 OK',
               "INFO [falar.bookings] booking confirmed lesson={n}{k}{k}4 tutor=t{k}{n}"],
    "go": ["message=slots published | tutor=t{k}{n} | week=2028-W{k}1 | slots={n}"],
    "ruby": ["msg=done | class=ReminderJob | jid={n}a{k}f{k}c | elapsed={k}.{n}"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); write={k}.{n}1 s, sync=0.00{k} s",
                 "LOG:  duration: {k}{n}.{k}2 ms  statement: SELECT * FROM lessons WHERE tutor_id = $1"],
    "redis": ["* {n}{k} changes in 300 seconds. Saving...", "* Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "python": "WARNING [falar.payments] stripe retry attempt=2 lesson={n}{k}{k}4",
    "ruby": "msg=retrying | class=PayoutJob | jid={n}b{k}e{k}d | retry_count=1",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _id(*parts: str) -> str:
    return str(uuid.UUID(_hex(*parts)[:32]))


def _fill(at: datetime, text: str) -> str:
    n = int(at.timestamp()) % 61
    return text.replace("{k}", str(n % 9 + 1)).replace("{n}", str(n))


def _pairs(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in text.split(" | "):
        key, _, value = part.partition("=")
        out[key] = int(value) if value.isdigit() else value
    return out


def _stamp(at: datetime, nanos: str) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{nanos}Z"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """The environment's log entries for one line a service wrote (a traceback is one entry a line)."""
    node = estate.node(service)
    said, _, exception = text.partition("|exc|")
    kind, _, caught = exception.partition("|")
    said, caught = _fill(at, said), _fill(at, caught)
    h = _hex(service, pod, str(at.timestamp()), said)
    tags = {
        "projectId": PROJECT,
        "environmentId": ENVIRONMENT,
        "serviceId": _id("service", service),
        "deploymentId": _id("deployment", service),
        "deploymentInstanceId": _id("instance", pod),
    }

    def entry(message: str, severity: str, attributes: dict[str, Any], nanos: str) -> dict[str, Any]:
        return {
            "timestamp": _stamp(at, nanos),
            "message": message,
            "severity": severity,
            "attributes": [{"key": k, "value": json.dumps(v, separators=(",", ":"))} for k, v in attributes.items()],
            "tags": tags,
            "serviceName": SHOWN.get(service, service),
        }

    nanos = str(int(h[:4], 16) % 900 + 100)
    if node.tech in ("node", "go"):  # structured: Railway takes message and level, the rest are attributes
        fields = _pairs(said)
        message = str(fields.pop("message"))
        if kind and node.tech == "node":  # pino's err
            fields["err"] = {"type": kind, "message": caught, "stack": f"{kind}: {caught}\n    at loader (app.js:1:1)"}
        elif kind:  # zerolog's .Err()
            fields["error"] = caught
        severity = {"warn": "warn"}.get(level, level)
        return [entry(message, severity, {"level": severity, **fields}, nanos)]
    if node.tech == "ruby":  # Sidekiq's JSON: no message, no level Railway knows; kept whole, at info
        fields = _pairs(said)
        msg = str(fields.pop("msg"))
        if kind:
            msg = f"{msg}: {kind}: {caught}"
        line = {"ts": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z", "pid": 7, "tid": h[:4],
                "lvl": level.upper(), "msg": msg, "ctx": fields}  # fmt: skip
        return [entry(json.dumps(line, separators=(",", ":")), "info", {}, nanos)]
    severity = "error" if node.tech in _STDERR else "info"
    if node.tech == "python":
        if not said.startswith("INFO:  "):  # logging's own format (uvicorn's access lines are as written)
            word, _, rest = said.partition(" ")
            word = {"info": "INFO", "warn": "WARNING", "error": "ERROR"}.get(level, word)
            said = f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {word} {rest}"
        out = [entry(said, severity, {}, nanos)]
        if kind:
            frames = ["Traceback (most recent call last):",
                      f'  File "/app/falar/{service}/handlers.py", line {int(h[4:6], 16) % 90 + 10}, in handle',
                      f"{kind}: {caught}"]  # fmt: skip
            out += [entry(f, severity, {}, str(int(nanos) + i + 1)) for i, f in enumerate(frames)]
        return out
    if node.tech == "postgres":
        pid = int(h[6:10], 16) % 9000 + 100
        said = f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [{pid}] {said}"
    elif node.tech == "redis":
        said = f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {said}"
    return [entry(said, severity, {}, nanos)]
