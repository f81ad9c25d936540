"""World 86's estate, written after world 85's rules and scored before any rule saw it.

A Singapore grocery marketplace on Cloud Run (no cluster files): a Next.js web front (server-rendered), a Go
orders service writing orders to Firestore, a FastAPI inventory service reading stock from Cloud SQL for
PostgreSQL and caching it in Memorystore for Redis, a Node notifier taking order events from a Pub/Sub push
subscription and sending e-mail through SendGrid; the Run services reach Redis and Cloud SQL's private address
through one Serverless VPC Access connector.

Logs are Cloud Logging's **Log Analytics** view, queried in BigQuery (`SELECT * FROM
\\`project.region._Default._AllLogs\\` WHERE ... ORDER BY timestamp`), and saved from the console as JSON: the
view's snake_case columns, `timestamp` as BigQuery writes a TIMESTAMP (`2028-11-03 04:05:06.123456 UTC`),
`severity`, `json_payload` (whatever the container wrote as a JSON line: zap's `msg`, pino's `msg` with its number
`level`, structlog's `event`), `text_payload` (a line of text), `resource` with its `type` and `labels`
(`service_name`, `revision_name`, `location`), `log_name`, `http_request` for the requests Cloud Run itself logs,
`labels` (`instanceId`). Cloud Run's own system lines (a container over its memory limit) are under
`run.googleapis.com%2Fvarlog%2Fsystem`. Memorystore, Cloud SQL and the connector write nothing here. Metrics:
Cloud Monitoring through Managed Service for Prometheus, keyed by `service`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

PROJECT = "segar-prod"
_SEVERITY = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR"}
_PINO = {"debug": 20, "info": 30, "warn": 40, "error": 50}


def _signals() -> dict[str, str]:
    sel = 'service="{service}",project="segar-prod"'
    return {
        "request_rate": f"run_googleapis_com:request_count:rate5m{{{sel}}}",
        "error_ratio": f"run_googleapis_com:request_5xx:ratio5m{{{sel}}}",
        "latency_p99": f"run_googleapis_com:request_latencies:p99_5m{{{sel}}}",
        "cpu_utilization": f"run_googleapis_com:container_cpu_utilizations:p99{{{sel}}}",
        "memory_utilization": f"run_googleapis_com:container_memory_utilizations:p99{{{sel}}}",
        "disk_utilization": f"cloudsql_googleapis_com:database_disk_utilization{{{sel}}}",
        "restarts": f"run_googleapis_com:container_instance_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="segar",
    namespace="segar",
    shipper="cloud-logging-log-analytics-json",
    signals=_signals(),
    nodes=(
        Node("web", "nextjs", ("orders", "inventory"), 70),
        Node("orders", "go", ("firestore", "inventory", "vpc-connector"), 20),
        Node("inventory", "python", ("vpc-connector", "redis", "cloudsql"), 50),
        Node("notifier", "node", ("sendgrid",), 12),
        Node("vpc-connector", "connector", ("redis", "cloudsql"), 90),
        Node("redis", "redis", (), 120),
        Node("cloudsql", "postgres", (), 60),
        Node("firestore", "saas", (), 20),
        Node("sendgrid", "saas", (), 12),
    ),
)

ESTATES = {PROD.name: PROD}

# `key=value` pairs (` | ` apart) make a structured logger's record; `|exc|` the error it recorded apart
BACKGROUND = {
    "nextjs": ["msg=rendered | path=/category/fresh-{k} | status=200 | ms={k}{n}"],
    "go": ["msg=order placed | order=SG{n}{k}{k}8 | items={k} | total_sgd={n}.{k}0"],
    "python": ["event=stock read | sku=SKU-{n}{k}{k}2 | source=cache | qty={k}{n}"],
    "node": ["msg=email sent | template=order_confirmed | order=SG{n}{k}{k}8"],
    # (what writes nothing to the project's logs: record drops it)
    "connector": ["(none)"],
    "redis": ["(none)"],
    "postgres": ["(none)"],
}
NOISE = {
    "python": "event=stock read | sku=SKU-{n}{k}{k}2 | source=db | qty={k}{n} | cache=miss",
    "go": "msg=firestore retry | attempt=2 | order=SG{n}{k}{k}8",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str) -> str:
    n = int(at.timestamp()) % 61
    return text.replace("{k}", str(n % 9 + 1)).replace("{n}", str(n))


def _pairs(text: str) -> dict[str, Any] | None:
    if "=" not in text.split(" | ")[0]:
        return None
    out: dict[str, Any] = {}
    for part in text.split(" | "):
        key, _, value = part.partition("=")
        out[key] = int(value) if value.isdigit() else value
    return out


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any] | list:
    """One row of the _AllLogs view, as the console saves a query's results."""
    node = estate.node(service)
    if node.tech in ("connector", "redis", "postgres"):  # they write nothing to the project's Log Analytics
        return []
    said, _, exception = text.partition("|exc|")
    kind, _, caught = exception.partition("|")
    said, caught = _fill(at, said), _fill(at, caught)
    h = _hex(service, pod, str(at.timestamp()), said)
    stamp = f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d} UTC"
    row: dict[str, Any] = {
        "timestamp": stamp,
        "receive_timestamp": stamp,
        "log_name": f"projects/{PROJECT}/logs/run.googleapis.com%2Fstdout",
        "resource": {"type": "cloud_run_revision", "labels": json.dumps({
            "service_name": service, "revision_name": f"{service}-000{int(h[0], 16) % 9 + 1}-{h[1:4]}",
            "location": "asia-southeast1", "project_id": PROJECT, "configuration_name": service},
            separators=(",", ":"))},
        "severity": _SEVERITY[level],
        "json_payload": None,
        "text_payload": None,
        "labels": json.dumps({"instanceId": f"00{h[4:60]}"}, separators=(",", ":")),
        "trace": f"projects/{PROJECT}/traces/{h[:32]}",
    }  # fmt: skip
    if said.startswith("system: "):  # Cloud Run's own line about the instance
        row["log_name"] = f"projects/{PROJECT}/logs/run.googleapis.com%2Fvarlog%2Fsystem"
        row["text_payload"] = said.removeprefix("system: ")
        return row
    fields = _pairs(said)
    if fields is None:
        row["text_payload"] = said + (f": {kind}: {caught}" if kind else "")
        return row
    if node.tech == "node":  # pino: its number level, its msg, err
        fields = {"level": _PINO[level], "time": int(at.timestamp() * 1000), **fields}
        if kind:
            fields["err"] = {
                "type": kind,
                "message": caught,
                "stack": f"{kind}: {caught}\n    at send (/app/send.js:31:11)",
            }
    elif node.tech == "python":  # structlog: event, its level, the exception rendered
        fields = {"level": level.replace("warn", "warning"), **fields}
        if kind:
            fields["exception"] = f"Traceback (most recent call last):\n  ...\n{kind}: {caught}"
    elif node.tech == "go":  # zap: msg, level, error
        fields = {"level": level, **fields}
        if kind:
            fields["error"] = caught
    else:  # next.js' logger
        fields = {"level": level, **fields}
        if kind:
            fields["err"] = f"{kind}: {caught}"
    row["json_payload"] = json.dumps(fields, separators=(",", ":"))
    return row
