"""World 23's estate, written after world 22's rules and scored before any rule saw it.

A retail stock brokerage on Kubernetes, bundled the plain way DESIGN.md describes, as a Go team's
collector writes it: `ts` in RFC 3339 with nanoseconds (`2026-09-14T13:31:02.123456789Z`), `service`,
`pod`, `level` as the program's own token (MongoDB's `E`/`W`/`I`, NATS's `ERR`/`WRN`/`INF`, Elixir's
`warning`), `message` the program's line whole: Traefik's common log, Elixir's Logger (Phoenix), Rust's
env_logger, Python's loguru, QuickFIX/J under log4j2, C++'s spdlog, Keycloak on Quarkus, Vault's
hclog, the NATS server, and MongoDB's structured JSON log. Metrics are recording rules labelled
`service` in the `svc:` style, every 20 s."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: traefik elixir rust loguru quickfix spdlog keycloak vault nats mongo saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "svc:requests:per_second",
        "error_ratio": "svc:requests_failed:fraction",
        "latency_p99": "svc:request_latency:p99_seconds",
        "cpu_utilization": "svc:cpu:fraction_of_limit",
        "memory_utilization": "svc:memory_working_set:fraction_of_limit",
        "restarts": "svc:pod_restarts:delta10m",
        "replicas": "svc:pods_ready:count",
    }
    return {k: f'{v}{{service="{{service}}"}}' for k, v in names.items()}


BROKER = Estate(
    label="service",
    name="brokerage",
    namespace="trading",
    shipper="otel-collector",
    signals=_signals(),
    nodes=(
        Node("edge", "traefik", ("app-api",), 520),
        Node("app-api", "elixir", ("auth", "orders", "portfolio", "quotes"), 500),
        Node("auth", "keycloak", (), 60),
        Node("orders", "rust", ("risk", "fix-gateway", "orders-db", "secrets"), 140),
        Node("risk", "loguru", ("portfolio", "secrets"), 140),
        Node("fix-gateway", "quickfix", ("exchange", "secrets"), 120),
        Node("portfolio", "elixir", ("positions-db", "bus"), 260),
        Node("quotes", "spdlog", ("market-feed", "bus"), 900),
        Node("secrets", "vault", (), 30),
        Node("bus", "nats", (), 2400),
        Node("orders-db", "mongo", (), 300),
        Node("positions-db", "mongo", (), 420),
        Node("exchange", "saas", (), 120),
        Node("market-feed", "saas", (), 900),
    ),
)

ESTATES = {BROKER.name: BROKER}

BACKGROUND = {
    "traefik": ["GET /v2/portfolio 200"],
    "elixir": ["Sent 200 in 14ms"],
    "rust": ["order accepted id=ord_8d1f side=buy qty=10 venue=XNAS"],
    "loguru": ["pre-trade check passed account=A-55120 order=ord_8d1f in 3.1ms"],
    "quickfix": ["FIX.4.4:BRKR->XNAS: 35=8 39=0 150=0 ExecutionReport New"],
    "spdlog": ["published 18432 ticks on quotes.us.equities in last 1s"],
    "keycloak": ["type=LOGIN, realmId=brokerage, clientId=mobile-app, userId=9f2c, ipAddress=10.12.4.7"],
    "vault": ["secrets.database.database_a1b2: lease renewed: lease_id=database/creds/orders/Qz81"],
    "nats": ["JetStream cluster stream 'POSITIONS' current"],
    "mongo": ["Connection ended"],
}
NOISE = {
    "elixir": "Mongo.Monitor heartbeat to positions-db-1:27017 took 612ms",
    "rust": "venue XNAS slow ack: 412ms",
    "mongo": "Slow query",
    "nats": "Readiness check for JetStream: ok (took 1.2s)",
}
# each program's own token for its level, as the collector copies it
SPELLING = {
    "traefik": {"info": "info", "warn": "warn", "error": "error"},
    "elixir": {"info": "info", "warn": "warning", "error": "error"},
    "rust": {"info": "INFO", "warn": "WARN", "error": "ERROR"},
    "loguru": {"info": "INFO", "warn": "WARNING", "error": "ERROR"},
    "quickfix": {"info": "INFO", "warn": "WARN", "error": "ERROR"},
    "spdlog": {"info": "info", "warn": "warning", "error": "error"},
    "keycloak": {"info": "INFO", "warn": "WARN", "error": "ERROR"},
    "vault": {"info": "INFO", "warn": "WARN", "error": "ERROR"},
    "nats": {"info": "INF", "warn": "WRN", "error": "ERR"},
    "mongo": {"info": "I", "warn": "W", "error": "E"},
}


def _ms(at: datetime) -> str:
    return f"{at.microsecond // 1000:03d}"


def line(tech: str, at: datetime, pod: str, level: str, text: str) -> str:
    """The line as the program writes it."""
    spelt = SPELLING.get(tech, {}).get(level, level)
    if tech == "traefik":  # Traefik's common log format
        if text[:1] in "GP" and text.split(" ")[-1].isdigit():
            req, status = text.rsplit(" ", 1)
            return (f'10.12.0.{at.second} - - [{at:%d/%b/%Y:%H:%M:%S +0000}] "{req} HTTP/2.0" {status} 914 "-" '
                    f'"-" 88{at.second} "websecure-app-api@kubernetescrd" "http://10.12.3.9:4000" 12ms')  # fmt: skip
        return f'time="{at:%Y-%m-%dT%H:%M:%S}Z" level={spelt} msg="{text}"'
    if tech == "elixir":  # Logger's default console format, with request metadata
        return f"{at:%H:%M:%S}.{_ms(at)} request_id=F{at.microsecond:x} [{spelt}] {text}"
    if tech == "rust":  # env_logger
        return f"[{at:%Y-%m-%dT%H:%M:%S}Z {spelt:<5} order_gw::router] {text}"
    if tech == "loguru":
        return f"{at:%Y-%m-%d %H:%M:%S}.{_ms(at)} | {spelt:<8} | risk.checks:run:88 - {text}"
    if tech == "quickfix":  # log4j2's pattern around QuickFIX/J
        return f"{at:%Y-%m-%d %H:%M:%S},{_ms(at)} {spelt:<5} [QFJ Message Processor] quickfix.Session - {text}"
    if tech == "spdlog":
        return f"[{at:%Y-%m-%d %H:%M:%S}.{_ms(at)}] [quotes] [{spelt}] {text}"
    if tech == "keycloak":  # Quarkus's console format
        return f"{at:%Y-%m-%d %H:%M:%S},{_ms(at)} {spelt:<5} [org.keycloak.events] (executor-thread-3) {text}"
    if tech == "vault":  # hclog
        return f"{at:%Y-%m-%dT%H:%M:%S}.{_ms(at)}Z [{spelt}] {text}"
    if tech == "nats":
        return f"[1] {at:%Y/%m/%d %H:%M:%S}.{at.microsecond:06d} [{spelt}] {text}"
    if tech == "mongo":  # MongoDB 4.4+'s structured log line
        attr: dict = {}
        msg = text
        if " :: " in text:  # "<msg> :: <attr as JSON>"
            msg, raw = text.split(" :: ", 1)
            attr = json.loads(raw)
        doc = {"t": {"$date": f"{at:%Y-%m-%dT%H:%M:%S}.{_ms(at)}+00:00"}, "s": spelt, "c": "NETWORK",
               "id": 22944, "ctx": "conn4121", "msg": msg}  # fmt: skip
        if attr:
            doc["c"], doc["id"], doc["attr"] = attr.pop("_c", "COMMAND"), attr.pop("_id", 51803), attr
        return json.dumps(doc, separators=(",", ":"))
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the team's bundle keeps it."""
    tech = estate.node(service).tech
    if tech in ("mongo", "nats", "vault"):
        pod = f"{service}-{sum(map(ord, pod)) % 3}"
    nanos = at.microsecond * 1000 + (sum(map(ord, text)) % 1000)
    return {
        "ts": f"{at:%Y-%m-%dT%H:%M:%S}.{nanos:09d}Z",
        "service": service,
        "pod": pod,
        "level": SPELLING.get(tech, {}).get(level, level),
        "message": line(tech, at, pod, level, text),
    }
