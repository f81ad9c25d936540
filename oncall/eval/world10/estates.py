"""World 10's estates, written after world 9's rules and scored before any rule saw them.

A device-fleet platform on Kubernetes whose logs are exported from Loki with `logcli --output=jsonl`:
`{"labels": {...}, "line": ..., "timestamp": ...}`, the service only among the stream's labels, the
raw line in `line` (bunyan JSON, Go logfmt, logback, Kafka's log4j, ingress-nginx's error log, Redis,
PostgreSQL). Alerts from Alertmanager, metrics every 30 s.

A billing SaaS on Heroku whose logs come from a Papertrail archive: one event per line with
`received_at` (an offset, not Z), the app in `source_name`, the process in `program` (`app/web.1`,
`heroku/router`, `heroku/web.1`), and a `severity` that is Info for everything the app prints (the
level is in the line: Rails' `E, [...] ERROR --`, the router's `at=error`, Sidekiq's `ERROR:`). Nobody
pages it: an engineer asks the copilot in Slack, in their own words. Metrics every 60 s."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from oncall.eval.styled import Estate, Node

# Node.tech in this world: nginx emqx go node python java kafka postgres redis rails ruby saas


def _signals(prefix: str, label: str) -> dict[str, str]:
    names = {
        "request_rate": "requests_per_second",
        "error_ratio": "error_ratio",
        "latency_p99": "latency_seconds_p99",
        "cpu_utilization": "cpu_ratio",
        "memory_utilization": "memory_ratio",
        "disk_utilization": "disk_ratio",
        "restarts": "restarts_5m",
        "pool_utilization": "clients_ratio",
    }
    return {k: f'{prefix}_{v}{{{label}="{{service}}"}}' for k, v in names.items()}


FLEET = Estate(
    label="app",
    name="fleet",
    namespace="fleet",
    shipper="loki",
    signals=_signals("fleet", "app"),
    nodes=(
        Node("ingress", "nginx", ("devices-api", "ota-service"), 140),
        Node("mqtt-gw", "emqx", ("ingest",), 600),
        Node("devices-api", "node", ("tsdb", "device-cache"), 110),
        Node("ota-service", "python", ("tsdb", "device-cache"), 0.05),
        Node("ingest", "go", ("kafka", "device-cache"), 600),
        Node("stream-proc", "java", ("kafka", "tsdb"), 300),
        Node("kafka", "kafka", (), 900),
        Node("tsdb", "postgres", (), 400),
        Node("device-cache", "redis", (), 800),
    ),
)

BILLING = Estate(
    label="app",
    name="billing",
    namespace="billing",
    shipper="papertrail",
    signals=_signals("heroku", "app"),
    nodes=(
        Node("storefront", "rails", ("billing-api", "sessions-redis", "admin-api"), 90),
        Node("billing-api", "python", ("ledger-pg", "events-kafka", "payments-psp", "sessions-redis"), 40),
        Node("admin-api", "rails", ("ledger-pg",), 0.05),
        Node("invoice-worker", "ruby", ("events-kafka", "ledger-pg"), 20),
        Node("ledger-pg", "postgres", (), 120),
        Node("events-kafka", "kafka", (), 60),
        Node("sessions-redis", "redis", (), 300),
        Node("payments-psp", "saas", (), 40),
    ),
)

ESTATES = {e.name: e for e in (FLEET, BILLING)}

BACKGROUND = {
    "nginx": ['10.2.0.7 - - "GET /v1/devices HTTP/1.1" 200 311 "-" "fleet-app/3.2" 0.041 0.040'],
    "emqx": ["client connected: clientid=dev-0042, username=fleet, keepalive=60"],
    "go": ['msg="batch flushed" records=500'],
    "node": ["request completed"],
    "python": ["GET /v1/firmware/latest 200"],
    "java": ["Committed offsets for partition telemetry-3"],
    "kafka": ["[LogCleaner] Cleaned log telemetry-3 (dirty section = [0, 0])"],
    "postgres": ["LOG:  checkpoint complete: wrote 1201 buffers (7.3%)"],
    "redis": ["DB saved on disk"],
    "rails": ["Completed 200 OK in 41ms (Views: 12.1ms | ActiveRecord: 9.8ms)"],
    "ruby": ["InvoiceJob done: 0.412 sec"],
}
NOISE = {
    "node": "request aborted by client",
    "rails": 'ActionController::RoutingError (No route matches [GET] "/favicon.ico")',
    "java": "Consumer clientId=stream-proc-1 heartbeat delayed by 3100 ms",
}
HEROKU = "heroku: "  # a line the platform itself writes into the app's stream (router, dyno manager)
BUNYAN = {"error": 50, "warn": 40, "info": 30}


def _z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def raw(tech: str, at: datetime, level: str, text: str) -> str:
    """One line as each program writes it."""
    if tech == "node":
        return json.dumps(
            {"name": "app", "hostname": "pod", "pid": 1, "level": BUNYAN[level], "msg": text, "time": _z(at), "v": 0}
        )
    if tech == "go":
        return (
            text
            if text.startswith("level=")
            else f"level={level} ts={_z(at)} caller=main.go:77 {text if '=' in text else f'msg={json.dumps(text)}'}"
        )
    if tech == "java":
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        return f"{stamp} {level.upper():>5} 1 --- [consumer-0] c.f.stream.TelemetryJob : {text}"
    if tech == "kafka":
        return f"[{at.strftime('%Y-%m-%d %H:%M:%S,%f')[:-3]}] {level.upper()} {text}"
    if tech == "nginx":
        return text if text.startswith("10.") else f"{at.strftime('%Y/%m/%d %H:%M:%S')} [{level}] 33#33: {text}"
    if tech == "emqx":
        return f"{at.isoformat()} [{level}] {text}"
    if tech == "postgres":
        head = (
            text
            if text.split(":", 1)[0] in ("LOG", "ERROR", "FATAL", "WARNING", "PANIC")
            else f"{level.upper()}:  {text}"
        )
        return f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [88] {head}"
    if tech == "redis":
        return f"1:M {at.strftime('%d %b %Y %H:%M:%S.%f')[:-3]} {'#' if level != 'info' else '*'} {text}"
    if tech == "rails":
        mark = {"error": "E", "warn": "W", "info": "I"}[level]
        return f"{mark}, [{at.strftime('%Y-%m-%dT%H:%M:%S.%f')} #4] {level.upper():>5} -- : [7f3a9c1e] {text}"
    if tech == "ruby":
        return f"{_z(at)} pid=4 tid=1xq class=InvoiceJob {level.upper()}: {text}"
    return f"{at.strftime('%Y-%m-%d %H:%M:%S')},{at.microsecond // 1000:03d} {level.upper()} {text}"  # python


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    tech = estate.node(service).tech
    if estate.shipper == "loki":
        ns = at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
        return {
            "labels": {
                "app": service,
                "container": service,
                "namespace": estate.namespace,
                "pod": pod,
                "job": f"{estate.namespace}/{service}",
            },
            "line": raw(tech, at, level, text),
            "timestamp": ns,
        }
    program = "app/web.1" if tech != "ruby" else "app/worker.1"
    line = raw(tech, at, level, text)
    if text.startswith(HEROKU):
        program, line = ("heroku/router" if "at=" in text else "heroku/web.1"), text.removeprefix(HEROKU)
    local = (at - timedelta(hours=5)).replace(tzinfo=None)  # Papertrail shows its account's zone: UTC-05:00
    stamp = local.strftime("%Y-%m-%dT%H:%M:%S") + "-05:00"
    return {
        "id": str(7711561783320576 + int(at.timestamp() * 1000) % 10**9),
        "generated_at": stamp,
        "received_at": stamp,
        "display_received_at": local.strftime("%b %d %H:%M:%S"),
        "source_ip": "54.210.3.11",
        "source_name": service,
        "source_id": 6011 + len(service),
        "hostname": service,
        "program": program,
        "severity": "Info",
        "facility": "User",
        "message": line,
    }
