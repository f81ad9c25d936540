"""World 42's estate, written after world 41's rules and scored before any rule saw it.

An e-scooter and e-bike sharing operator on **AWS ECS Fargate** in one region, its services meshed by App
Mesh (an Envoy sidecar in every task), bundled by the team's **FireLens** log router: Fluent Bit's `file`
output in its `json_lines` format, one record a line, as AWS documents FireLens records: **`date`** (epoch
seconds with a fraction, a JSON number: Fluent Bit's own time key), **`log`** (the line as the container wrote
it), **`source`** (`stdout` or `stderr`), **`container_name`** (`app` for every service's own container,
`envoy` for the sidecar: it names a task's role, not the service), **`container_id`**, and the three keys
FireLens adds: **`ecs_cluster`**, **`ecs_task_arn`** and **`ecs_task_definition`**, the task definition's
family and revision (`rider-api:57`), the only key naming the service. No level key: each program says its
level in its own way inside `log`: the Node rider API's pino JSON (`"level":50`), the Go services' zap JSON
(`"level":"error"`), the Python pricing service's logging text (`2026-... ERROR [pricing.db] ...`), the zones
service's structlog JSON (`"level": "warning"`), the Java payments service's logback text
(`05:41:12.123 [http-nio-8080-exec-7] ERROR c.s.payments.App - ...`), and Envoy's access log (the status
only). Aurora PostgreSQL and the DynamoDB rides table are AWS's: no logs or metrics of ours; the IoT broker,
the card processor, KMS and the city's open-data zones feed are others', seen only through what the platform
logs. Metrics: App Mesh's Envoy statistics through recording rules keyed by `virtual_node` every 15 s, and
YACE's (CloudWatch exporter's) ECS utilisation **in percent**, keyed by `dimension_ServiceName`, every 60 s."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: node go python structlog java aurora dynamodb saas

ACCOUNT = "724559211803"
CLUSTER = "scootly-prod"
REVISIONS = {"rider-api": 57, "fleet-gateway": 112, "pricing": 31, "zones": 18, "payments": 44, "trips": 9}


def _signals() -> dict[str, str]:
    mesh = 'virtual_node="{service}",mesh="scootly"'
    ecs = f'dimension_ClusterName="{CLUSTER}",dimension_ServiceName="{{service}}"'
    return {
        "request_rate": f"appmesh:envoy_requests:rate1m{{{mesh}}}",
        "error_ratio": f"appmesh:envoy_requests_5xx:ratio1m{{{mesh}}}",
        "latency_p99": f"appmesh:envoy_request_duration_seconds:p99_1m{{{mesh}}}",
        "cpu_utilization": f"aws_ecs_cpuutilization_average{{{ecs}}}",
        "memory_utilization": f"aws_ecs_memory_utilization_average{{{ecs}}}",
    }


SCOOTLY = Estate(
    label="ServiceName",
    name="scootly",
    namespace=CLUSTER,
    shipper="firelens",
    signals=_signals(),
    nodes=(
        Node("rider-api", "node", ("fleet-gateway", "pricing", "zones", "payments", "trips", "rides-table"), 350),
        Node("fleet-gateway", "go", ("iot-core",), 260),
        Node("pricing", "python", ("trips-db", "rides-table"), 180),
        Node("zones", "structlog", ("city-zones",), 200),
        Node("payments", "java", ("card-psp", "kms"), 40),
        Node("trips", "go", ("trips-db",), 90),
        Node("trips-db", "aurora", (), 1500),
        Node("rides-table", "dynamodb", (), 2500),
        Node("iot-core", "saas", (), 260),
        Node("card-psp", "saas", (), 40),
        Node("kms", "saas", (), 40),
        Node("city-zones", "saas", (), 1),
    ),
)

ESTATES = {SCOOTLY.name: SCOOTLY}
UNSEEN = ("saas", "aurora", "dynamodb")

# A line starting with ACCESS is the task's Envoy sidecar's access log: `ACCESS <status> <method> <path> <ms>`;
# in a node line, ` | ` parts the message from its error's text (pino's err.message)
BACKGROUND = {
    "node": ["ACCESS 200 POST /v1/rides/88213/end 112", "ride RD-88213 ended: 14 min, 3.2 km"],
    "go": ["ACCESS 202 POST /v1/scooters/SC-31207/unlock 38", "unlock acknowledged by SC-31207 in 640ms"],
    "python": ["ACCESS 200 GET /v1/quote?zone=berlin-mitte 21", "quote for zone berlin-mitte: 0.25 EUR/min, surge 1.0"],
    "structlog": ["ACCESS 200 POST /v1/zones/check 9", "parking check passed for RD-88213 in zone berlin-mitte"],
    "java": ["ACCESS 201 POST /v1/charges 180", "Charge ch_88213 captured: 3.75 EUR"],
}  # fmt: skip
NOISE = {
    "node": "rider 4411 uses app version 3.2.1, which is deprecated",
    "go": "telemetry from SC-10022 dropped: battery report out of order",
    "python": "quote cache miss for zone berlin-kreuzberg; computing",
    "java": "PSP webhook for charge ch_87110 arrived twice; ignoring the second",
}
_PINO = {"debug": 20, "info": 30, "warn": 40, "error": 50, "fatal": 60}
_WORD = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR", "fatal": "CRITICAL"}
_LOGBACK = {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "fatal": "ERROR"}


def _hex(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _app_line(service: str, tech: str, at: datetime, level: str, text: str, task: str) -> tuple[str, str]:
    """What the service's own container writes for one event, and to which stream."""
    if tech == "node":  # pino
        msg, _, err = text.partition(" | ")
        rec: dict[str, Any] = {"level": _PINO[level], "time": _ms(at), "pid": 1, "hostname": f"ip-10-0-{task}",
                               "msg": msg}  # fmt: skip
        if err:
            kind = err.split(":", 1)[0] if ":" in err.split(" ", 1)[0] else "Error"
            rec["err"] = {"type": kind, "message": err, "stack": f"{kind}: {err}\n    at /app/dist/rides.js:212:17"}
        return json.dumps(rec), "stdout"
    if tech == "go":  # zap's production encoder
        caller = {"fleet-gateway": "gateway/commands.go:141", "trips": "trips/store.go:77"}[service]
        return json.dumps({"level": level, "ts": round(at.timestamp(), 6), "caller": caller, "msg": text}), "stderr"
    if tech == "python":  # logging's text, the format gunicorn's workers are given
        logger = "pricing.db" if "trips-db" in text or "connection" in text else "pricing.quotes"
        return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {_WORD[level]} [{logger}] {text}", "stderr"
    if tech == "structlog":
        return json.dumps({"event": text, "level": _WORD[level].lower(), "logger": "zones.api",
                           "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z"}), "stdout"  # fmt: skip
    # java: logback's default pattern; a stack trace stays in its event (FireLens's multiline parser)
    thread = f"http-nio-8080-exec-{int(_hex(text + task, 2), 16) % 10 + 1}"
    head = f"{at:%H:%M:%S}.{at.microsecond // 1000:03d} [{thread}] {_LOGBACK[level]}"
    return f"{head} c.s.{service}.App - {text}", "stdout"


def _envoy(service: str, at: datetime, text: str) -> str:
    _, status, method, path, ms = text.split(" ", 4)
    flags = "UF" if status in ("503",) else "-"
    rid = _hex(f"{at.isoformat()}{path}", 32)
    rid = f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:]}"
    return (
        f'[{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z] "{method} {path} HTTP/1.1" {status} {flags} 0 '
        f'{120 if status.startswith("2") else 0} {ms} {max(1, int(ms) - 2)} "-" "undici" "{rid}" '
        f'"{service}.scootly.local:8080" "127.0.0.1:8080"'
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One record as FireLens's Fluent Bit writes it with the file output's json_lines format."""
    tech = estate.node(service).tech
    task = _hex(pod, 32)
    if text.startswith("ACCESS "):
        container, line, source = "envoy", _envoy(service, at, text), "stdout"
    else:
        container = "app"
        line, source = _app_line(service, tech, at, level, text, f"{int(task[:2], 16)}-{int(task[2:4], 16)}")
    return {
        "date": round(at.timestamp(), 6),
        "container_id": f"{task}-{int(_hex(task + container, 8), 16) % 10**10:010d}",
        "container_name": container,
        "source": source,
        "log": line,
        "ecs_cluster": CLUSTER,
        "ecs_task_arn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task/{CLUSTER}/{task}",
        "ecs_task_definition": f"{service}:{REVISIONS[service]}",
    }
