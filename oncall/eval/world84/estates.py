"""World 84's estate, written after world 83's rules and scored before any rule saw it.

A Montréal bike-share on HashiCorp Nomad (no cluster files): Traefik at the edge reading Consul's catalog, a
Kotlin trips API (Spring Boot, Logback's default pattern), a Go dock gateway talking to the docks over MQTT through
EMQX, a Flask pricing service, a Node payments service (pino) charging through Moneris, Postgres under Patroni
(clients find the primary as `master.pg.service.consul`) and Redis.

Logs are the team's own ClickHouse table, filled by Vector's `nomad`-aware file source and read back with
`SELECT * FROM logs.nomad WHERE timestamp BETWEEN ... ORDER BY timestamp FORMAT JSONEachRow`: `timestamp` a
DateTime64(3) with no zone, the allocation's `nomad_job`, `nomad_group`, `nomad_task`, `nomad_alloc_id` and
`nomad_node`, the `stream`, and `message`, the line exactly as the program wrote it (its level, when it has one,
only in its text; a Java exception joined to its line by Vector's multiline rule). Metrics: Prometheus through
Consul service discovery, keyed by `service`, every 30 s."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

_JOB = {"edge": ("edge", "traefik"), "app-api": ("trips", "api"), "dock-gateway": ("docks", "gateway"),
        "pricing": ("pricing", "web"), "payments": ("payments", "web"), "postgres": ("postgres", "patroni"),
        "redis": ("redis", "cache"), "emqx": ("emqx", "broker")}  # fmt: skip


def _signals() -> dict[str, str]:
    sel = 'service="{service}",region="mtl"'
    return {
        "request_rate": f"service:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"service:http_requests_errors:ratio1m{{{sel}}}",
        "latency_p99": f"service:http_request_duration_seconds:p99{{{sel}}}",
        "cpu_utilization": f"service:nomad_alloc_cpu:ratio{{{sel}}}",
        "memory_utilization": f"service:nomad_alloc_memory:ratio{{{sel}}}",
        "disk_utilization": f"service:node_filesystem:ratio{{{sel}}}",
        "restarts": f"service:nomad_alloc_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="fleuve",
    namespace="fleuve",
    shipper="vector-clickhouse-nomad-table",
    signals=_signals(),
    nodes=(
        Node("edge", "traefik", ("app-api", "payments"), 70),
        Node("app-api", "java", ("postgres", "redis", "pricing", "dock-gateway"), 45),
        Node("dock-gateway", "go", ("emqx", "postgres"), 30),
        Node("pricing", "python", ("redis",), 25),
        Node("payments", "node", ("moneris", "postgres"), 8),
        Node("postgres", "postgres", (), 120),
        Node("redis", "redis", (), 150),
        Node("emqx", "emqx", (), 60),
        Node("moneris", "saas", (), 8),
    ),
)

ESTATES = {PROD.name: PROD}

# `|exc|` the error a line recorded apart; a traefik line's text is `METHOD PATH STATUS`
BACKGROUND = {
    "traefik": ["GET /v1/stations/{n}{k}/availability 200", "POST /v1/trips 201"],
    "java": ["c.v.trips.TripService - trip T{n}{k}{k}4 started at station {n}{k} (bike B{k}{n}1)"],
    "go": ['msg="dock heartbeat" dock=D{n}{k} bikes={k} station={n}{k}'],
    "python": ["quote for member M{n}{k}1: {k}.{n} CAD (zone {k})"],
    "node": ["charge authorised for trip T{n}{k}{k}4"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%)"],
    "redis": ["* {k}0 changes in 60 seconds. Saving..."],
    "emqx": ["msg: client_connected, clientid: dock-D{n}{k}, proto_ver: 5"],
}
NOISE = {
    "java": "c.v.trips.TripService - station {n}{k} reported {k} bikes, expected {n}; reconciling",
    "go": 'msg="dock reconnected" dock=D{n}{k} after_ms={k}{n}0',
}
_LEVELS = {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR"}
_PINO = {"debug": 20, "info": 30, "warn": 40, "error": 50}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str) -> str:
    n = int(at.timestamp()) % 61
    return text.replace("{k}", str(n % 9 + 1)).replace("{n}", str(n))


def _line(tech: str, at: datetime, level: str, said: str, kind: str, caught: str, h: str) -> str:
    """The line as the program writes it."""
    ms = f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d}"
    if tech == "java":  # Spring Boot's default console pattern; the exception below its line
        out = f"{ms}  {_LEVELS[level]:>5} 1 --- [nio-8080-exec-{int(h[0], 16) % 9 + 1}] {said}"
        return out + (f"\n{kind}: {caught}\n\tat c.v.trips.TripService.handle(TripService.kt:{int(h[1:3], 16)})"
                      if kind else "")  # fmt: skip
    if tech == "go":  # logfmt
        err = f' err="{kind}: {caught}"' if kind else ""
        return f"time={at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z level={level} {said}{err}"
    if tech == "python":  # Flask's default
        out = f"[{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}] {_LEVELS[level].replace('WARN', 'WARNING')} in "
        return out + f"pricing: {said}" + (f": {kind}: {caught}" if kind else "")
    if tech == "node":  # pino
        rec: dict[str, Any] = {"level": _PINO[level], "time": int(at.timestamp() * 1000), "pid": 1,
                               "hostname": f"payments-{h[:8]}", "msg": said}  # fmt: skip
        if kind:
            rec["err"] = {
                "type": kind,
                "message": caught,
                "stack": f"{kind}: {caught}\n    at charge (/app/charge.js:41:9)",
            }
        return json.dumps(rec, separators=(",", ":"))
    if tech == "postgres":
        return f"{ms} UTC [{int(h[:4], 16) % 9000 + 100}] {said}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {said}"
    if tech == "emqx":
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+00:00 [{level.replace('warn', 'warning')}] {said}"
    raise ValueError(tech)


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of the team's logs.nomad table, as JSONEachRow writes it."""
    node = estate.node(service)
    said, _, exception = text.partition("|exc|")
    kind, _, caught = exception.partition("|")
    said, caught = _fill(at, said), _fill(at, caught)
    h = _hex(service, pod, str(at.timestamp()), said)
    if node.tech == "traefik":  # Traefik's JSON access log
        method, path, status = said.split(" ")[:3]
        target = "payments" if path.startswith("/v1/pay") else "app-api"
        message = json.dumps({
            "ClientHost": f"10.8.{int(h[:2], 16) % 250}.{int(h[2:4], 16) % 250}", "DownstreamStatus": int(status),
            "Duration": int(h[4:9], 16) * 100, "RequestMethod": method, "RequestPath": path,
            "RouterName": f"{target}@consulcatalog", "ServiceName": f"{target}@consulcatalog",
            "level": "info", "msg": "", "time": f"{at:%Y-%m-%dT%H:%M:%S}Z"}, separators=(",", ":"))  # fmt: skip
    else:
        message = _line(node.tech, at, level, said, kind, caught, h)
    job, group = _JOB[service]
    return {
        "timestamp": f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d}",
        "nomad_job": job,
        "nomad_group": group,
        "nomad_task": service,
        "nomad_alloc_id": f"{h[8:16]}-{h[16:20]}-{h[20:24]}-{h[24:28]}-{h[28:40]}",
        "nomad_node": f"nomad-client-{int(pod.split('-')[-1], 36) % 9 + 1:02d}",
        "stream": "stderr" if level in ("warn", "error") and node.tech in ("java", "python", "postgres") else "stdout",
        "message": message,
    }
