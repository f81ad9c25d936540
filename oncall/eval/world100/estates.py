"""World 100's estate, written after world 99's rules and scored before any rule saw it.

A Rotterdam port community's truck-gate appointments ("Havenlink": hauliers book a slot to collect or deliver a
container at a terminal gate, and the gate checks customs release first) on VMware Tanzu Application Service: a
haulier `portal` (Node, bunyan), `gate-api` (Spring Boot, logstash-logback-encoder's JSON with its `stack_trace`),
`berth-planner` (Kotlin on Ktor, logback's default pattern: a time of day and no date), `customs-bridge` (.NET 8,
the simple console logger on one line), `truck-eta` (Python, a worker with no route: structlog's console
renderer), `notify` (Go, logrus' text); the slots database (Tanzu Postgres) and RabbitMQ are marketplace services;
Portbase's customs API, an AIS vessel-position feed and an SMS gateway outside.

Logs: the team's exporter keeps Log Cache's envelopes as its read API returns them (`/api/v1/read/<guid>`, the
v2 envelope in protobuf's JSON): `timestamp` in epoch nanoseconds as a string, `source_id` the app's GUID, `tags`
(`app_name`, `space_name`, `source_type`: `APP/PROC/WEB`, `RTR`, `CELL`, `API`, `STG`; `origin`, `instance_id`),
and `log` with `type` (`OUT` or `ERR`: the stream) and `payload`, the line's bytes, which protobuf's JSON writes
in base64. The routers (`RTR`) write an access line per request under the app's name. Metrics: the platform's
Prometheus by `app_name`, every 30 s."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

CET = timedelta(hours=1)
TERMINALS = ("ECT Delta", "APM 2", "RWG", "Euromax", "ECT City")
ROUTES = {"gate-api": "gate-api.apps.havenlink.nl", "portal": "portal.havenlink.nl"}


def _signals() -> dict[str, str]:
    sel = 'app_name="{service}",space_name="prod"'
    return {
        "request_rate": f"tas:app_http_requests:rate1m{{{sel}}}",
        "error_ratio": f"tas:app_http_5xx:ratio_rate1m{{{sel}}}",
        "latency_p99": f"tas:app_http_duration_seconds:p99{{{sel}}}",
        "cpu_utilization": f"tas:app_cpu:ratio_entitlement{{{sel}}}",
        "memory_utilization": f"tas:app_memory:ratio_quota{{{sel}}}",
        "disk_utilization": f"tas:app_disk:ratio_quota{{{sel}}}",
        "restarts": f"tas:app_crashes:increase10m{{{sel}}}",
    }


PROD = Estate(
    label="app_name",
    name="havenlink",
    namespace="prod",
    shipper="log-cache",
    signals=_signals(),
    nodes=(
        Node("portal", "bunyan", ("gate-api",), 60),
        Node("gate-api", "logstash", ("slots-db", "customs-bridge", "berth-planner", "rabbitmq"), 90),
        Node("berth-planner", "ktor", ("slots-db", "rabbitmq"), 15),
        Node("customs-bridge", "dotnet", ("portbase", "slots-db"), 12),
        Node("truck-eta", "structlog", ("gate-api", "ais"), 25),
        Node("notify", "logrus", ("rabbitmq", "sms"), 20),
        Node("slots-db", "saas", (), 400),
        Node("rabbitmq", "saas", (), 80),
        Node("portbase", "saas", (), 12),
        Node("ais", "saas", (), 25),
        Node("sms", "saas", (), 20),
    ),
)

ESTATES = {PROD.name: PROD}

# "logger|message" for the JVM services, "logger|event|key=value ..." for structlog, "msg|field=value" for logrus;
# a text ending in "||METHOD path status agent" is a request the routers saw too; "RTR: ..." the routers' line alone
BACKGROUND = {
    "bunyan": ["booking {h8} confirmed for haulier {k}{n}{k}||POST /api/bookings 201 Mozilla/5.0",
               "slot list rendered for terminal {terminal}||GET /slots 200 Mozilla/5.0"],
    "logstash": ["nl.havenlink.gate.SlotController|Slot {h8} reserved at {terminal} for visit {k}{n}{k}{n}"
                 "||POST /api/v2/slots 201 havenlink-portal/4.2",
                 "nl.havenlink.gate.GateCheck|Visit {k}{n}{k}{n} released by customs, gate pass issued"],
    "ktor": ["n.h.planner.BerthSchedule|Schedule recomputed for {terminal}: {n} calls, {k}{n} moves in {k}{n} ms",
             "n.h.planner.Listener|vessel call {h8} updated from terminal feed"],
    "dotnet": ["Havenlink.Customs.PortbaseClient|Declaration {h8} status RELEASED received from Portbase",
               "Havenlink.Customs.Worker|Polled Portbase: {n} releases, {k} holds"],
    "structlog": ["eta.ais|vessel position updated|mmsi=2441{n}{k}000 speed_kn=1{k}.{n}",
                  "eta.slots|slot availability checked|free={k} terminal=\"{terminal}\" visit={k}{n}{k}{n}"],
    "logrus": ["sms queued|to=\"+31 6 {k}{n}{k}{n}{k}{n}{k}{n}\" template=gate-pass",
               "rabbit consumer heartbeat|queue=notify.gate-pass"],
}  # fmt: skip
NOISE = {
    "logstash": "nl.havenlink.gate.SlotController|Slot request rejected: visit {k}{n}{k}{n} has no customs release yet",
    "bunyan": "RTR: GET /wp-login.php 404 Mozilla/5.0 (compatible; scanner)",
    "dotnet": "Havenlink.Customs.PortbaseClient|Portbase answered 429 Too Many Requests; retrying in 2 s",
}

LOGBACK = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
BUNYAN = {"error": 50, "warn": 40, "info": 30, "debug": 20}
DOTNET = {"error": "fail", "warn": "warn", "info": "info", "debug": "dbug"}
LEVEL_VALUE = {"ERROR": 40000, "WARN": 30000, "INFO": 20000, "DEBUG": 10000}
# where a program writes: logback's console appender and Ktor's to stdout; structlog's and logrus' default
# outputs and the .NET console logger's errors (LogToStandardErrorThreshold=Warning) to stderr
STREAM = {"bunyan": "OUT", "logstash": "OUT", "ktor": "OUT", "structlog": "ERR", "logrus": "ERR"}
PLATFORM = {"CELL": "rep", "API": "cloud_controller", "STG": "rep"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def guid(*parts: str) -> str:
    return str(uuid.UUID(_hex(*parts)[:32]))


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{terminal}", TERMINALS[int(h[:2], 16) % len(TERMINALS)])
        .replace("{h8}", h[40:48])
    )


def _line(tech: str, service: str, at: datetime, level: str, said: str, h: str, instance: str) -> tuple[str, str]:
    """The line as the program writes it, and the stream it goes to."""
    local = at + CET
    ms = f"{local.microsecond // 1000:03d}"
    logger, sep, message = said.partition("|")
    if not sep:
        logger, message = {"logstash": "nl.havenlink.gate.App", "ktor": "n.h.planner.App"}.get(tech, ""), said
    if tech == "logstash":  # logstash-logback-encoder: the exception's trace in a field of its own
        text, _, trace = message.partition(" ~ ")
        obj: dict[str, Any] = {"@timestamp": f"{local:%Y-%m-%dT%H:%M:%S}.{ms}+01:00", "@version": "1",
                               "message": text, "logger_name": logger,
                               "thread_name": f"http-nio-8080-exec-{int(h[:2], 16) % 20 + 1}",
                               "level": LOGBACK[level], "level_value": LEVEL_VALUE[LOGBACK[level]]}  # fmt: skip
        if trace:
            obj["stack_trace"] = trace.replace(" | ", "\n\tat ") + "\n"
        return json.dumps(obj, separators=(",", ":")), "OUT"
    if tech == "ktor":  # logback's default pattern: the time of day only
        thread = f"DefaultDispatcher-worker-{int(h[:2], 16) % 8 + 1}"
        return f"{local:%H:%M:%S}.{ms} [{thread}] {LOGBACK[level]:<5} {logger} - {message}", "OUT"
    if tech == "dotnet":  # SimpleConsole with SingleLine and a timestamp format
        stream = "ERR" if level in ("error", "warn") else "OUT"
        return f"{local:%Y-%m-%d %H:%M:%S} {DOTNET[level]}: {logger}[0] {message}", stream
    if tech == "structlog":  # ConsoleRenderer(colors=False): time, padded level, event, [logger], sorted pairs
        event, _, pairs = message.partition("|")
        stamp = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z"
        return f"{stamp} [{level:<9}] {event:<30} [{logger}] {pairs}".rstrip(), "ERR"
    if tech == "logrus":  # logrus' text formatter, not a terminal: quoted pairs
        msg, _, pairs = said.partition("|")
        word = {"warn": "warning"}.get(level, level)
        return f'time="{local:%Y-%m-%dT%H:%M:%S}+01:00" level={word} msg="{msg}" {pairs}'.rstrip(), "ERR"
    if tech == "bunyan":
        obj = {"name": service, "hostname": instance, "pid": 17, "level": BUNYAN[level], "msg": said,
               "time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z", "v": 0}  # fmt: skip
        return json.dumps(obj, separators=(",", ":")), "OUT"
    return said, "OUT"


def _router(service: str, at: datetime, request: str, h: str, index: str) -> str:
    """gorouter's access line for a request to the app."""
    method, path, status, agent = request.split(" ", 3)
    took = {"2": 0.04, "4": 0.01}.get(status[0], 30.0) * (1 + int(h[2:4], 16) / 255)
    error = '"endpoint_failure"' if status in ("502", "503") else '"-"'
    return (
        f'{ROUTES.get(service, service)} - [{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}000Z] "{method} {path} '
        f'HTTP/1.1" {status} 0 {int(h[4:7], 16)} "-" "{agent}" "10.0.1.{int(h[7:9], 16)}:4{int(h[9:12], 16) % 9999}" '
        f'"10.0.16.{int(h[12:14], 16) % 40}:610{int(h[14:15], 16):02d}" x_forwarded_for:"10.0.1.{int(h[7:9], 16)}" '
        f'x_forwarded_proto:"https" vcap_request_id:"{guid(h, "req")}" response_time:{took:.6f} '
        f'gorouter_time:0.000{int(h[15:18], 16)} app_id:"{guid(service)}" app_index:"{index}" '
        f'instance_id:"{guid(service, index)}" x_cf_routererror:{error} x_b3_traceid:"{h[18:50]}" '
        f'x_b3_spanid:"{h[18:34]}" x_b3_parentspanid:"-" b3:"{h[18:50]}-{h[18:34]}"'
    )


def _envelope(at: datetime, service: str, index: str, source: str, stream: str, line: str) -> dict[str, Any]:
    app = guid(service)
    router = source == "RTR"
    tags = {
        "app_id": app,
        "app_name": service,
        "deployment": "cf-2f8a1c",
        "index": guid("cell", index) if not router else guid("router", index),
        "instance_id": index,
        "ip": f"10.0.16.{int(_hex(service, index)[:2], 16) % 40}" if not router else f"10.0.8.{int(index) + 11}",
        "job": "router" if router else "diego_cell",
        "organization_id": guid("org"),
        "organization_name": "havenlink",
        "origin": "gorouter" if router else PLATFORM.get(source, "rep"),
        "process_id": app,
        "process_instance_id": guid(service, index, "process"),
        "process_type": "web",
        "source_type": source,
        "space_id": guid("space"),
        "space_name": "prod",
    }
    return {
        "timestamp": str(round(at.timestamp() * 1e6) * 1000),
        "source_id": app,
        "instance_id": index,
        "deprecated_tags": {},
        "tags": tags,
        "log": {"payload": base64.b64encode(line.encode()).decode(), "type": stream},
    }


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """The envelopes Log Cache holds for a line: the app's, and the routers' for a request they carried."""
    tech = estate.node(service).tech
    index = pod.split("-")[-2]
    h = _hex(service, pod, str(at.timestamp()), text)
    said = _fill(at, text, h)
    head, sep, rest = said.partition(": ")
    if sep and head == "RTR":
        return [_envelope(at, service, str(int(h[:2], 16) % 3), "RTR", "OUT", _router(service, at, rest, h, index))]
    if sep and head == "STDERR":  # a line the runtime writes itself (jvmkill), with no logger's pattern
        return [_envelope(at, service, index, "APP/PROC/WEB", "ERR", rest)]
    if sep and head in PLATFORM:
        return [_envelope(at, service, index, head, "OUT", rest)]
    said, _, request = said.partition("||")
    line, stream = _line(tech, service, at, level, said, h, guid(service, index))
    out = [_envelope(at, service, index, "APP/PROC/WEB", STREAM.get(tech, stream), line)]
    if request:
        took = at + timedelta(milliseconds=30 + int(h[:2], 16))
        router = str(int(h[:2], 16) % 3)
        out.append(_envelope(took, service, router, "RTR", "OUT", _router(service, took, request, h, index)))
    return out
