"""World 58's estate, written after world 57's rules and scored before any rule saw it.

A Polish parcel-locker operator's platform on Amazon EKS: an NGINX ingress controller, a Kotlin locker API that
the lockers call over MQTT through EMQX, a Go courier API, a Django customer app behind it, a Node notifier
sending texts through SMSAPI, a Java routing service, PostgreSQL, Redis, and two providers (SMSAPI for texts, a
payment gateway, Przelewy24). The teams log in Polish as often as in English.

Logs go through the OpenTelemetry Collector into SigNoz, and the bundle is SigNoz's logs table exported with
`clickhouse-client --query "SELECT * FROM signoz_logs.logs ... FORMAT JSONEachRow"`: `timestamp` in epoch
nanoseconds as a quoted string (ClickHouse quotes 64-bit integers), `body` the line, `severity_text` and
`severity_number` as the collector set them (empty and 0 where it parsed none), and the resource's and the
record's attributes as ClickHouse's parallel arrays: `resources_string_key` and `resources_string_value` (the
service's name only there, as `service.name`), `attributes_string_key` and `attributes_string_value`.
Metrics: Prometheus by `service`, every 15 s."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: nginx kotlin golang python node java emqx postgres redis saas
WARSAW = timezone(timedelta(hours=1))


def _signals() -> dict[str, str]:
    sel = 'service="{service}",env="prod"'
    return {
        "request_rate": f"service_requests_per_second{{{sel}}}",
        "error_ratio": f"service_errors_ratio{{{sel}}}",
        "latency_p99": f"service_latency_seconds_p99{{{sel}}}",
        "cpu_utilization": f"service_cpu_ratio_of_request{{{sel}}}",
        "memory_utilization": f"service_memory_ratio_of_limit{{{sel}}}",
        "restarts": f"service_restarts_increase15m{{{sel}}}",
        "disk_utilization": f"service_volume_used_ratio{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="paczka-prod",
    namespace="lockers",
    shipper="signoz-clickhouse-export",
    signals=_signals(),
    nodes=(
        Node("ingress", "nginx", ("customer-app", "courier-api"), 300),
        Node("customer-app", "python", ("locker-api", "notifier", "przelewy24", "postgres"), 120),
        Node("courier-api", "golang", ("locker-api", "routing", "postgres"), 90),
        Node("locker-api", "kotlin", ("emqx", "postgres", "redis"), 400),
        Node("routing", "java", ("postgres",), 25),
        Node("notifier", "node", ("smsapi", "redis"), 60),
        Node("emqx", "emqx", (), 2000),
        Node("postgres", "postgres", (), 500),
        Node("redis", "redis", (), 900),
        Node("smsapi", "saas", (), 40),
        Node("przelewy24", "saas", (), 20),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "nginx": ['10.2.{n}.4 - - [{date}] "GET /api/v2/parcels/6201{n}/status HTTP/1.1" 200 241 "-" '
              '"PaczkaApp/5.12 (Android)" 512 0.031 [lockers-customer-app-8000] [] 10.2.7.31:8000 241 0.030 200 '
              "{n}a1b2c3"],
    "python": ["INFO paczka.parcels Paczka 6201{n} odebrana z automatu WAW-{n}M (12 ms)"],
    "golang": ['level=info msg="route assigned" courier=K{n} stops=38 duration_ms=41'],
    "kotlin": ["INFO  p.l.mqtt.LockerGateway - locker WAW-{n}M heartbeat ok (firmware 4.2.1, 58 compartments)"],
    "java": ["INFO  [pool-2-thread-3] p.r.Optimizer - optimised 412 stops for depot KRK-1 in 1.8 s"],
    "node": ['{"level":"info","msg":"SMS wysłany do +48 6** *** *{n}","provider":"smsapi","ms":212}'],
    "emqx": ["info msg: client_connected clientid: locker-WAW-{n}M, peername: 10.9.{n}.12:51234"],
    "postgres": ["LOG:  checkpoint complete: wrote 3120 buffers (2.4%); write=27.112 s, sync=0.005 s, total=27.180 s"],
    "redis": ["DB saved on disk"],
}  # fmt: skip
NOISE = {
    "kotlin": "WARN  p.l.mqtt.LockerGateway - locker KRK-{n}M heartbeat late by 42 s (GSM signal weak)",
    "node": '{"level":"warn","msg":"SMSAPI odpowiedziało w 1840 ms","provider":"smsapi"}',
}  # fmt: skip
SEVERITY = {"info": ("INFO", 9), "warn": ("WARN", 13), "error": ("ERROR", 17)}
# what the collector's parsers read a severity from: the JSON lines' level and the logfmt lines' (Node's pino,
# Go's logrus); every other line's is left empty, 0
PARSED = ("node", "golang")
RUNTIME = {"kotlin": "jvm", "java": "jvm", "golang": "go", "python": "cpython", "node": "nodejs"}


def _line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it."""
    loc = at.astimezone(WARSAW)
    ms = at.microsecond // 1000
    if tech == "nginx":
        return text.replace("{date}", f"{loc:%d/%b/%Y:%H:%M:%S} +0100")
    if tech == "python":  # Django's logging: level, logger, message, after the time
        return f"{loc:%Y-%m-%d %H:%M:%S},{ms:03d} {text}"
    if tech == "golang":  # logrus' text formatter
        return f'time="{at:%Y-%m-%dT%H:%M:%S}Z" {text}'
    if tech in ("kotlin", "java"):
        return f"{loc:%H:%M:%S}.{ms:03d} {text}"
    if tech == "node":
        return json.dumps({**json.loads(text), "time": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z"}, ensure_ascii=False)
    if tech == "emqx":
        return f"{loc:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+01:00 [{text.split(' ', 1)[0]}] {text.split(' ', 1)[1]}"
    if tech == "postgres":
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d} UTC [{3100 + ms % 89}] {text}"
    if tech == "redis":
        mark = {"info": "*", "warn": "#", "error": "#"}[level]
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms:03d} {mark} {text}"
    return text


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of SigNoz's logs table as ClickHouse's JSONEachRow writes it."""
    tech = estate.node(service).tech
    text = text.replace("{n}", str(int(at.timestamp()) % 97))
    body = _line(tech, at, level, text)
    pod_name = f"{service}-{_hex(service)[:9]}-{_hex(pod)[:5]}"
    node = f"ip-10-2-{int(_hex(pod)[:2], 16) % 8}-{int(_hex(pod)[2:4], 16)}.eu-central-1.compute.internal"
    ns = int(at.timestamp()) * 1_000_000_000 + at.microsecond * 1000
    words, number = SEVERITY[level] if tech in PARSED else ("", 0)
    resources = {
        "k8s.cluster.name": "paczka-prod",
        "k8s.namespace.name": "lockers",
        "k8s.pod.name": pod_name,
        "k8s.node.name": node,
        "k8s.container.name": service,
        "service.name": service,
    }
    if tech in RUNTIME:
        resources["process.runtime.name"] = RUNTIME[tech]
    attributes = {"log.file.path": f"/var/log/pods/lockers_{pod_name}_{_hex(pod_name)[:8]}/{service}/0.log",
                  "log.iostream": "stderr" if level == "error" else "stdout"}  # fmt: skip
    return {
        "timestamp": str(ns),
        "observed_timestamp": str(ns + 412_000_000),
        "id": _hex(body, pod)[:27].upper(),
        "trace_id": "",
        "span_id": "",
        "trace_flags": 0,
        "severity_text": words,
        "severity_number": number,
        "body": body,
        "resources_string_key": list(resources),
        "resources_string_value": list(resources.values()),
        "attributes_string_key": list(attributes),
        "attributes_string_value": list(attributes.values()),
        "attributes_int64_key": [],
        "attributes_int64_value": [],
        "attributes_float64_key": [],
        "attributes_float64_value": [],
        "attributes_bool_key": [],
        "attributes_bool_value": [],
    }
