"""World 85's estate, written after world 84's rules and scored before any rule saw it.

A Cape Town municipal water utility's billing and smart-meter platform on Ubuntu virtual machines under systemd
(no cluster files): nginx in front, a Laravel billing API under PHP-FPM (payments through PayFast, whose ITN
callbacks come in through nginx), a Go meter-ingest service taking the smart meters' readings from RabbitMQ, a
Python notify service sending SMS through Clickatell, a Python report generator on the billing API's own VM,
PostgreSQL and RabbitMQ.

Every program logs to syslog; syslog-ng relays to a central server that writes one JSON object a line with
`template("$(format-json --scope rfc5424 --exclude DATE --key ISODATE)\\n")`: `ISODATE` (the local time with its
offset, `+02:00`), `HOST` (the VM's short name), `PROGRAM` (the syslog identifier each program gives itself),
`PID`, `PRIORITY` (syslog's severity by name: `err`, `warning`, `notice`, `info`), `FACILITY` and `MESSAGE`.
Metrics: Prometheus' node and application exporters, keyed by `service`, every 30 s."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

SAST = timezone(timedelta(hours=2))
_HOSTS = {"nginx": "bill-edge-01", "billing-api": "bill-app-01", "report-gen": "bill-app-01",
          "meter-ingest": "meter-ing-01", "notify": "bill-app-02", "postgres": "bill-db-01",
          "rabbitmq": "meter-mq-01"}  # fmt: skip
_PROGRAM = {"nginx": "nginx", "billing-api": "billing-api", "report-gen": "report-gen", "meter-ingest": "meter-ingest",
            "notify": "notify", "postgres": "postgres", "rabbitmq": "rabbitmq"}  # fmt: skip
_PRIORITY = {"debug": "debug", "info": "info", "warn": "warning", "error": "err"}


def _signals() -> dict[str, str]:
    sel = 'service="{service}",site="cpt"'
    return {
        "request_rate": f"app:requests:rate1m{{{sel}}}",
        "error_ratio": f"app:requests_failed:ratio1m{{{sel}}}",
        "latency_p99": f"app:request_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"node:cpu_busy:ratio{{{sel}}}",
        "memory_utilization": f"app:process_memory:ratio{{{sel}}}",
        "disk_utilization": f"node:filesystem_used:ratio{{{sel}}}",
        "restarts": f"app:systemd_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="amanzi",
    namespace="amanzi",
    shipper="syslog-ng-format-json",
    signals=_signals(),
    nodes=(
        Node("nginx", "nginx", ("billing-api",), 60),
        Node("billing-api", "php", ("postgres", "rabbitmq", "payfast"), 40),
        Node("meter-ingest", "go", ("rabbitmq", "postgres"), 80),
        Node("notify", "python", ("rabbitmq", "clickatell"), 10),
        Node("report-gen", "pyreport", ("postgres",), 1),
        Node("postgres", "postgres", (), 150),
        Node("rabbitmq", "rabbitmq", (), 120),
        Node("payfast", "saas", (), 4),
        Node("clickatell", "saas", (), 10),
    ),
)

ESTATES = {PROD.name: PROD}

# `|exc|` the error a line recorded apart
BACKGROUND = {
    "nginx": ['196.21.{k}.{n} - - [{clf}] "GET /api/v1/accounts/{n}{k}07/balance HTTP/1.1" 200 {k}{n}2 "-" '
              '"AmanziApp/3.4 (Android 14)"'],
    "php": ["production.INFO: Statement viewed {\"account\":\"{n}{k}07\",\"period\":\"2028-0{k}\"}"],
    "go": ['level=info msg="reading stored" meter=SM-{n}{k}{k}4 kl={k}.{n}'],
    "python": ["INFO notify: sms queued for account {n}{k}07 (template: bill_ready)"],
    "pyreport": ["INFO report-gen: waiting for the next scheduled report"],
    "postgres": ["[{pid}-1] LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%)"],
    "rabbitmq": ["accepting AMQP connection <0.{n}{k}1.0> (10.20.{k}.{n}:4{n}{k}2 -> 10.20.3.7:5672)"],
}  # fmt: skip
NOISE = {
    "php": 'production.WARNING: Slow query on statements (1{n}{k}0 ms) {"account":"{n}{k}07"}',
    "go": 'level=warn msg="reading out of sequence, kept" meter=SM-{n}{k}{k}4',
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, pid: int) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{clf}", f"{at.astimezone(SAST):%d/%b/%Y:%H:%M:%S +0200}")
        .replace("{pid}", str(pid))
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One line of the central server's file, as format-json writes it."""
    node = estate.node(service)
    said, _, exception = text.partition("|exc|")
    kind, _, caught = exception.partition("|")
    pid = 1000 + int(_hex(service)[:3], 16)
    said, caught = _fill(at, said, pid), _fill(at, caught, pid)
    if kind:
        if node.tech == "php":  # Monolog's line: the exception in its context
            where = f"/var/www/billing/app/Jobs/Charge.php:4{pid % 9}"
            said += f' {{"exception":"[object] ({kind}(code: 0): {caught} at {where})"}}'
        elif node.tech == "go":
            said += f' err="{caught}"'
        else:
            said += f": {kind}: {caught}"
    local = at.astimezone(SAST)
    return {
        "ISODATE": f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}+02:00",
        "HOST": _HOSTS[service],
        "PROGRAM": _PROGRAM[service],
        "PID": str(pid),
        "PRIORITY": _PRIORITY[level] if node.tech != "nginx" or level == "error" else "info",
        "FACILITY": "local0" if node.tech in ("php", "go", "python", "pyreport") else "daemon",
        "MESSAGE": said,
    }
