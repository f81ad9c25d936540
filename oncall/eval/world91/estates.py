"""World 91's estate, written after world 90's rules and scored before any rule saw it.

A Utrecht bike-subscription company on Heroku: the Rails site (`fietsabo-web`), the mobile app's Node API
(`fietsabo-api`) and the Sidekiq workers (`fietsabo-worker`) are three Heroku apps sharing one Heroku Postgres
database and one Heroku Data for Redis, both add-ons owned by `fietsabo-web`; payments go to Mollie, texts to
MessageBird.

Logs are Heroku's Logplex drains: each app drains to the team's receiver, which keeps each syslog frame it is
sent as a JSON line: `received_at`, the drain's token, the app it belongs to, and the frame (RFC 5424, the octet
count stripped): `<190>1 2028-03-01T02:00:01.123456+00:00 host app web.1 - ...`. Every line a dyno writes, stdout
or stderr, is priority 190 (local7.info); the router's and the dyno manager's lines come from `heroku`; the
database's and Redis' lines, their `sample#` metrics and PostgreSQL's own log, arrive on the drain of the app that
owns them (`fietsabo-web`), told apart only by the process name (`heroku-postgres`, `postgres.29410`,
`heroku-redis`). Metrics: the team's exporter of the router's and the dynos' runtime metrics, per `app`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

OWNER = "fietsabo-web"  # the app the database and Redis add-ons are attached to first
DRAINS = {
    "fietsabo-web": "d.7c1e9a52-4f0b-4a8e-9b0e-2f6d1c3a8e41",
    "fietsabo-api": "d.0b3f6e17-9d2a-4c55-8e3b-71a0c9d4f2b6",
    "fietsabo-worker": "d.e54a2c90-1b7f-4d3e-a6c8-5f9b0e2d7a13",
}
HOSTS = {"fietsabo-web": "www.fietsabo.nl", "fietsabo-api": "api.fietsabo.nl"}
PROCESS = {"rails": "web", "node": "web", "sidekiq": "worker"}


def _signals() -> dict[str, str]:
    sel = 'app="{service}"'
    return {
        "request_rate": f"heroku_router_requests:rate5m{{{sel}}}",
        "error_ratio": f"heroku_router_5xx:ratio5m{{{sel}}}",
        "latency_p99": f"heroku_router_service_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"heroku_dyno_load_avg_1m:ratio_cores{{{sel}}}",
        "memory_utilization": f"heroku_dyno_memory_total:ratio_quota{{{sel}}}",
        "disk_utilization": f"heroku_addon_data_size:ratio_plan{{{sel}}}",
        "pool_utilization": f"heroku_addon_connections:ratio_plan{{{sel}}}",
        "restarts": f"heroku_dyno_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="app",
    name="fietsabo",
    namespace="fietsabo",
    shipper="heroku-logplex-drain-frames",
    signals=_signals(),
    nodes=(
        Node("fietsabo-web", "rails", ("postgres", "redis", "mollie"), 40),
        Node("fietsabo-api", "node", ("postgres", "redis"), 90),
        Node("fietsabo-worker", "sidekiq", ("postgres", "redis", "mollie", "messagebird"), 25),
        Node("postgres", "postgres", (), 300),
        Node("redis", "redis", (), 500),
        Node("mollie", "saas", (), 8),
        Node("messagebird", "saas", (), 3),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "rails": ["Completed 200 OK in {n}ms (Views: {k}.{n}ms | ActiveRecord: {k}.{k}ms | Allocations: {n}{k}31)",
              "router:at=info method=GET path=\"/abonnement/{n}{k}\" host={host} request_id={rid} fwd=\"84.{k}.{n}.1"
              "{k}\" dyno={dyno} connect=0ms service={n}ms status=200 bytes={n}{k}04 protocol=https"],
    "node": ["json:30:request completed:{\"res\":{\"statusCode\":200},\"responseTime\":{n}.{k}}",
             "router:at=info method=GET path=\"/v2/bikes/{n}{k}/status\" host={host} request_id={rid} fwd=\"31.{k}."
             "{n}.7\" dyno={dyno} connect=0ms service={k}{n}ms status=200 bytes={k}{n}1 protocol=https"],
    "sidekiq": ["class=RentalReminderJob jid={jid} elapsed=0.{n}{k} INFO: done"],
    "postgres": ["pgstat:source=DATABASE addon=postgresql-curly-48213 sample#current_transaction=18{n}{k}3 "
                 "sample#db_size=4{k}2{n}361bytes sample#tables=41 sample#active-connections={n} "
                 "sample#waiting-connections=0 sample#index-cache-hit-rate=0.9989 sample#table-cache-hit-rate=0.999 "
                 "sample#load-avg-1m=0.{k}1 sample#memory-free=1{n}2304kB"],
    "redis": ["pgstat:source=REDIS addon=redis-rigid-20931 sample#active-connections={k}{n} sample#load-avg-1m=0.0{k} "
              "sample#memory-total=8{n}{k}6512kB sample#memory-redis=1{n}{k}7408bytes sample#hit-rate=0.9{n}"],
}  # fmt: skip
NOISE = {
    "rails": "Rack::Attack: throttled request from 45.{k}.{n}.9 to /login",
    "sidekiq": "class=MandateSyncJob jid={jid} elapsed=3{k}.{n} WARN: Mollie::RequestError: Too Many Requests (429)",
}
ADDON_PROCESS = {"postgres": "heroku-postgres", "redis": "heroku-redis"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str, dyno: str, service: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{rid}", f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}")
        .replace("{jid}", h[32:56])
        .replace("{dyno}", dyno)
        .replace("{host}", HOSTS.get(service, "www.fietsabo.nl"))
    )


def _ruby(at: datetime, level: str, said: str, pid: int, rid: str) -> str:
    """Ruby's Logger as Rails formats it (its severity's letter, the time, the pid, the request's tag)."""
    word = {"warn": "WARN", "error": "ERROR", "info": "INFO", "debug": "DEBUG"}[level]
    return f"{word[0]}, [{at:%Y-%m-%dT%H:%M:%S.%f} #{pid}] {word:>5} -- : [{rid}] {said}"


def _pino(at: datetime, level: str, said: str, pid: int, rid: str) -> str:
    """pino's JSON: its numeric level, epoch milliseconds, the error as `err`."""
    num = {"debug": 20, "info": 30, "warn": 40, "error": 50}[level]
    doc: dict[str, Any] = {"level": num, "time": int(at.timestamp() * 1000), "pid": pid, "hostname": rid[:12],
                           "reqId": f"req-{rid[:6]}"}  # fmt: skip
    if said.startswith("json:"):
        _, lvl, msg, extra = said.split(":", 3)
        doc["level"] = int(lvl)
        doc.update(json.loads(extra))
        doc["msg"] = msg
        return json.dumps(doc, separators=(",", ":"))
    msg, _, exc = said.partition("|exc|")
    kind, _, caught = exc.partition("|")
    if kind:
        doc["err"] = {"type": kind, "message": caught, "stack": f"{kind}: {caught}\n    at /app/dist/server.js:1:"
                      f"{pid % 900 + 100}"}  # fmt: skip
    doc["msg"] = msg
    return json.dumps(doc, separators=(",", ":"))


def _sidekiq(at: datetime, level: str, said: str, pid: int) -> str:
    """Sidekiq 7's text format (`time pid= tid= class= jid= LEVEL: message`)."""
    if " INFO: " in said or " WARN: " in said or " ERROR: " in said:
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z pid={pid} tid={pid * 7919 % 46656:x} {said}"
    word = {"warn": "WARN", "error": "ERROR", "info": "INFO", "debug": "DEBUG"}[level]
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z pid={pid} tid={pid * 7919 % 46656:x} {word}: {said}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """The receiver's record of one Logplex frame: the line a dyno, the router, the dyno manager or an add-on
    wrote, as the app's drain sends it."""
    node = estate.node(service)
    h = _hex(service, pod, str(at.timestamp()), text)
    dyno = f"{PROCESS.get(node.tech, 'web')}.{int(h[:2], 16) % 4 + 1}"
    said = _fill(at, text, h, dyno, service)
    pid = int(h[2:6], 16) % 60 + 4
    app, proc, pri = "app", dyno, 190  # a dyno's own output, an add-on's lines: Logplex names them all "app"
    if said.startswith("router:"):
        app, proc, pri, line = "heroku", "router", 158, said.removeprefix("router:")
    elif said.startswith("dyno:"):
        app, pri, line = "heroku", 45, said.removeprefix("dyno:")
    elif said.startswith("pgstat:"):
        proc, line = ADDON_PROCESS[node.tech], said.removeprefix("pgstat:")
    elif node.tech == "postgres":
        proc = f"postgres.{29400 + int(h[6:8], 16) % 40}"
        line = f"[DATABASE] [{int(h[8:10], 16) % 30 + 1}-1] {said}"
    elif node.tech == "redis":
        proc, line = "heroku-redis", said
    elif node.tech == "rails":
        line = _ruby(at, level, said.replace("|exc|", " (").replace("|", ": ") + (")" if "|exc|" in said else ""),
                     pid, h[:8] + "-" + h[8:12])  # fmt: skip
    elif node.tech == "node":
        line = _pino(at, level, said, pid, h)
    else:
        line = _sidekiq(at, level, said.replace("|exc|", " ").replace("|", ": "), pid)
    owner = OWNER if node.tech in ADDON_PROCESS else service
    received = at + timedelta(milliseconds=300 + int(h[10:13], 16) % 1700)
    return {
        "received_at": f"{received:%Y-%m-%dT%H:%M:%S}.{received.microsecond // 1000:03d}Z",
        "drain": DRAINS[owner],
        "app": owner,
        "frame": f"<{pri}>1 {at:%Y-%m-%dT%H:%M:%S.%f}+00:00 host {app} {proc} - {line}",
    }
