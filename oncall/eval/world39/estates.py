"""World 39's estate, written after world 38's rules and scored before any rule saw it.

A software company's self-managed CI/CD platform (a GitLab-like forge with autoscaled runners) on Kubernetes,
bundled the plain way DESIGN.md describes by a team whose exporter writes `ts` with **a `+0000` offset without
a colon** (`2026-01-19T05:41:12.123+0000`, as strftime's `%z` and Java's `Z` pattern write it), and **`level`
always present and always JSON null** (the exporter's column exists, its parser never filled it): the level is
only inside `message`, which holds each program's own JSON line (Rails' `severity`, Sidekiq's `severity`,
logrus' `level`, the registry's `level`) or its text (Go's `log`, PgBouncer). The programs: the Rails web
service, Workhorse in front of it, Sidekiq workers, Gitaly serving repositories, the container registry, the
runner manager that starts cloud machines for jobs, PostgreSQL behind PgBouncer, and Redis; Docker Hub and the
cloud's API are others', seen only through what the platform logs. Metrics carry `component`, every 30 s."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: rails workhorse sidekiq gitaly registry runner postgres redis saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "component:requests:rate5m",
        "error_ratio": "component:requests_errors:ratio5m",
        "latency_p99": "component:request_duration_seconds:p99_5m",
        "cpu_utilization": "component:container_cpu:ratio_request",
        "memory_utilization": "component:container_memory:ratio_limit",
        "disk_utilization": "component:volume_used:ratio",
        "restarts": "component:container_restarts:increase15m",
    }
    return {k: f'{v}{{component="{{service}}"}}' for k, v in names.items()}


FORGE = Estate(
    label="component",
    name="buildyard",
    namespace="forge",
    shipper="vector",
    signals=_signals(),
    nodes=(
        Node("workhorse", "workhorse", ("webservice", "objectstore"), 400),
        Node("webservice", "rails", ("postgres", "redis", "gitaly"), 400),
        Node("sidekiq", "sidekiq", ("postgres", "redis", "gitaly"), 120),
        Node("gitaly", "gitaly", (), 900),
        Node("registry", "registry", ("objectstore",), 300),
        Node("runner-manager", "runner", ("webservice", "registry", "cloud-api", "dockerhub"), 40),
        Node("postgres", "postgres", (), 2500),
        Node("redis", "redis", (), 5000),
        Node("objectstore", "saas", (), 500),
        Node("cloud-api", "saas", (), 5),
        Node("dockerhub", "saas", (), 30),
    ),
)

ESTATES = {FORGE.name: FORGE}

BACKGROUND = {
    "rails": ["Completed 200 OK in 48ms (Views: 8.1ms | ActiveRecord: 12.4ms) /api/v4/jobs/request"],
    "workhorse": ["access: POST /api/v4/jobs/request 201 duration_ms=52"],
    "sidekiq": ["Pipelines::ProcessWorker done: 0.21 sec"],
    "gitaly": ["finished unary call with code OK: /gitaly.CommitService/FindCommit in 3.1ms"],
    "registry": ["response completed: GET /v2/app/manifests/latest 200 in 12ms"],
    "runner": ["Job succeeded: job=88213 project=412 runner=x7Kp2Qa duration_s=412"],
    "postgres": ["LOG:  checkpoint complete: wrote 3012 buffers (18.4%)"],
    "redis": ["1:M 19 Jan 2026 05:41:12.123 * Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "rails": "Rack::Timeout::RequestTimeoutException: Request ran for longer than 60000ms /api/v4/projects/412/archive",
    "runner": "Checking for jobs... nothing (no jobs for this runner)",
    "gitaly": "finished streaming call with code Canceled: /gitaly.SSHService/SSHUploadPack",
}
_SEVERITY = {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "fatal": "FATAL"}
_LOGRUS = {"debug": "debug", "info": "info", "warn": "warning", "error": "error", "fatal": "fatal"}


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The program's own line: JSON for the Rails and Go services, text for the rest."""
    t = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
    if tech in ("rails", "sidekiq"):
        return json.dumps({"severity": _SEVERITY[level], "time": t, "message": text}, separators=(",", ":"))
    if tech in ("workhorse", "gitaly", "registry"):
        return json.dumps({"level": _LOGRUS[level], "msg": text, "time": t}, separators=(",", ":"))
    if tech == "runner":  # logrus' text formatter
        return f'time="{t}" level={_LOGRUS[level]} msg="{text}"'
    if tech == "postgres" and not text.startswith(("LOG:", "ERROR:", "FATAL:", "WARNING:")):
        word = {"warn": "WARNING", "error": "ERROR", "fatal": "FATAL"}.get(level, "LOG")
        return f"{word}:  {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the exporter writes it: a `+0000` offset, a level column it never fills."""
    return {
        "ts": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+0000",
        "service": service,
        "pod": pod,
        "level": None,
        "message": line(estate.node(service).tech, at, level, text),
    }
