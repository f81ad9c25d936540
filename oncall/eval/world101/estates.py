"""World 101's estate, written after world 100's rules and scored before any rule saw it.

A Cape Town solar-installation monitoring service ("Sunmeter": inverters and batteries at homes and farms report
over MQTT, installers and owners watch them, and the installers' subscriptions are billed) on k3s on Hetzner Cloud:
a Symfony `portal` (PHP, Monolog's default line), `fleet-api` (Haskell, Servant with katip's JSON), `billing`
(Swift, Vapor's console logger: no time of its own), `ingest` (Go, zerolog) draining EMQX into TimescaleDB,
`alerts` (Python, loguru's default format) texting installers; EMQX, TimescaleDB and Redis in the cluster; Paystack,
Clickatell (SMS) and a weather API outside.

Logs: Fluent Bit tails the containers and sends to Parseable, which flattens each record (nested keys joined by
`_`: `kubernetes_pod_name`, `kubernetes_labels_app_kubernetes_io_name`) and stamps it with `p_timestamp` (when it
arrived); the team exports a stream with Parseable's query API, one row a line: the line itself in `log`, the
stream, Fluent Bit's `time`, and `p_tags`/`p_metadata` empty. Metrics: Prometheus, by `app`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

SAST = timedelta(hours=2)
SITES = ("Stellenbosch", "Paarl", "Durbanville", "Somerset West", "Malmesbury", "Franschhoek")


def _signals() -> dict[str, str]:
    sel = 'namespace="sunmeter",app="{service}"'
    return {
        "request_rate": f"app:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"app:http_requests_errors:ratio_rate1m{{{sel}}}",
        "latency_p99": f"app:http_request_duration_seconds:p99{{{sel}}}",
        "cpu_utilization": f"app:container_cpu:ratio_limit{{{sel}}}",
        "memory_utilization": f"app:container_memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"app:kubelet_volume_used:ratio{{{sel}}}",
        "restarts": f"app:kube_pod_container_restarts:increase10m{{{sel}}}",
    }


PROD = Estate(
    label="app",
    name="sunmeter",
    namespace="sunmeter",
    shipper="fluent-bit-parseable",
    signals=_signals(),
    nodes=(
        Node("portal", "symfony", ("fleet-api", "billing"), 40),
        Node("fleet-api", "katip", ("timescale", "redis", "weather"), 120),
        Node("billing", "vapor", ("paystack", "timescale"), 6),
        Node("ingest", "zerolog", ("emqx", "timescale"), 400),
        Node("alerts", "loguru", ("timescale", "redis", "clickatell"), 30),
        Node("emqx", "emqx", (), 500),
        Node("timescale", "postgres", (), 600),
        Node("redis", "redis", (), 300),
        Node("paystack", "saas", (), 6),
        Node("clickatell", "saas", (), 10),
        Node("weather", "saas", (), 20),
    ),
)

ESTATES = {PROD.name: PROD}

# "channel|message" for Monolog, "module|message" for katip, "message|key=value" for zerolog, "where|message" loguru
BACKGROUND = {
    "symfony": ["request|Matched route \"site_dashboard\".", "app|Dashboard rendered for site {site} in {n}{k} ms"],
    "katip": ["Fleet.Api|GET /v1/sites/{k}{n}{k}/readings 200 {n}{k}ms", "Fleet.Cache|site {k}{n}{k} summary cached"],
    "vapor": ["POST /v1/subscriptions/{k}{n}{k}/charge [request-id: {H8}]", "Invoice {h8} issued for installer {k}{n}"],
    "zerolog": ["batch written|rows={n}{k}0 table=readings", "mqtt message rate|per_second={k}{n}{k}"],
    "loguru": ["alerts.rules:evaluate:88|evaluated {n}{k} site rules, {k} firing",
               "alerts.sms:send:42|SMS queued for installer {k}{n}"],
    "emqx": ["[info] msg: client_connected; clientid: inv-{h8}; peername: 41.{k}.{n}.{k}:5{n}{k}1",
             "[info] msg: session_subscribed; clientid: ingest-{k}; topic: sites/+/telemetry"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added",
                 "LOG:  automatic vacuum of table \"sunmeter.public.sessions\": index scans: 1"],
    "redis": ["1:M {dmy} * {k}0 changes in 60 seconds. Saving...",
              "1:M {dmy} * Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "symfony": "security|Authentication failed for user installer{k}{n}: Invalid credentials.",
    "katip": "Fleet.Weather|weather for site {k}{n}{k} is {n} minutes old, using it",
    "emqx": "[warning] msg: client_disconnected; clientid: inv-{h8}; reason: keepalive_timeout",
}

MONOLOG = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
KATIP = {"error": "Error", "warn": "Warning", "info": "Info", "debug": "Debug"}
VAPOR = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
LOGURU = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
EMQX = {"error": "error", "warn": "warning", "info": "info", "debug": "debug"}
PG = {"error": "ERROR", "warn": "WARNING", "info": "LOG", "debug": "DEBUG"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    local = at + SAST
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{site}", SITES[int(h[:2], 16) % len(SITES)])
        .replace("{h8}", h[40:48])
        .replace("{H8}", h[40:48].upper())
        .replace("{dmy}", f"{local.day:02d} {local:%b %Y %H:%M:%S}.{local.microsecond // 1000:03d}")
    )


def _line(tech: str, service: str, at: datetime, level: str, said: str, h: str, pod: str) -> tuple[str, str]:
    """The line as the program writes it, and the stream."""
    local = at + SAST
    head, sep, rest = said.partition("|")
    if tech == "symfony":  # Monolog's LineFormatter: [time] channel.LEVEL: message context extra
        channel, message = (head, rest) if sep else ("app", said)
        stamp = f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}+02:00"
        return f"[{stamp}] {channel}.{MONOLOG[level]}: {message} [] []", "stderr"
    if tech == "katip":  # katip's JSON formatter
        module, message = (head, rest) if sep else ("Fleet.Api", said)
        obj = {"app": ["fleet-api"], "at": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z", "data": {},
               "env": "production", "host": pod, "loc": {"loc_col": 5, "loc_fn": f"src/{module.replace('.', '/')}.hs",
               "loc_ln": int(h[:2], 16), "loc_mod": module, "loc_pkg": "fleet-0.9.2"}, "msg": message,
               "ns": ["fleet-api"], "pid": "1", "sev": KATIP[level], "thread": str(int(h[2:4], 16))}  # fmt: skip
        return json.dumps(obj, separators=(",", ":")), "stdout"
    if tech == "vapor":  # ConsoleKit's ConsoleLogger: no time, the level in brackets, metadata after
        return f"[ {VAPOR[level]} ] {said}", "stdout"
    if tech == "zerolog":
        message, _, pairs = said.partition("|")
        fields = dict(p.split("=", 1) for p in pairs.split(" ") if "=" in p)
        obj = {"level": level, **fields, "time": f"{at:%Y-%m-%dT%H:%M:%S}Z", "message": message}
        return json.dumps(obj, separators=(",", ":")), "stderr"
    if tech == "loguru":  # loguru's default format, to stderr
        where, message = (head, rest) if sep else ("alerts.main:run:12", said)
        stamp = f"{local:%Y-%m-%d %H:%M:%S}.{local.microsecond // 1000:03d}"
        return f"{stamp} | {LOGURU[level]:<8} | {where} - {message}", "stderr"
    if tech == "emqx":  # EMQX 5's text log: time, [level], msg: ...; the background lines carry their own level
        if said.startswith("["):
            return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}+02:00 {said}", "stdout"
        return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}+02:00 [{EMQX[level]}] {said}", "stdout"
    if tech == "postgres":  # stderr logging with log_line_prefix '%m [%p] '
        text = said if said[:4] in ("LOG:", "ERRO", "FATA", "PANI", "WARN", "DETA") else f"{PG[level]}:  {said}"
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [{int(h[:3], 16)}] {text}", "stderr"
    return said, "stdout"  # Redis writes its own header


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of the team's export of the Parseable stream: Fluent Bit's record, flattened."""
    node = estate.node(service)
    h = _hex(service, pod, str(at.timestamp()), text)
    suffix = _hex(service, pod)
    stateful = node.tech in ("emqx", "postgres", "redis")
    pod_name = f"{service}-{int(suffix[:2], 16) % 3}" if stateful else f"{service}-{suffix[:10]}-{suffix[10:15]}"
    said = _fill(at, text, h)
    line, stream = _line(node.tech, service, at, level, said, h, pod_name)
    arrived = at + timedelta(milliseconds=400 + int(h[4:7], 16) % 1500)
    return {
        "p_timestamp": f"{arrived:%Y-%m-%dT%H:%M:%S}.{arrived.microsecond // 1000:03d}",
        "p_tags": "",
        "p_metadata": "",
        "kubernetes_pod_name": pod_name,
        "kubernetes_namespace_name": "sunmeter",
        "kubernetes_container_name": service,
        "kubernetes_host": f"sunmeter-pool-{int(suffix[15:17], 16) % 4 + 1}",
        "kubernetes_labels_app_kubernetes_io_name": service,
        "kubernetes_container_image": f"ghcr.io/sunmeter/{service}:2029.11.{int(suffix[17:19], 16) % 28 + 1}",
        "stream": stream,
        "time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}123Z",
        "log": line,
    }
