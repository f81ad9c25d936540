"""World 33's estate, written after world 32's rules and scored before any rule saw it.

An insurer's quoting, policy and claims platform on Cloud Foundry (no cluster files), bundled the plain way
DESIGN.md describes by a team that copies Log Cache's envelopes: `ts` is the envelope's timestamp, epoch
nanoseconds as a JSON string (protobuf's int64 in JSON); `level` is the stream the line was written to, `OUT`
or `ERR`, as Cloud Foundry knows no other; `source` is the envelope's source type (`APP/PROC/WEB`, `CELL`,
`API`, `STG`); `pod` is the app instance (`claims-api/2`). The programs write to the streams their defaults
choose: a Rails portal (Ruby's Logger: `E, [time #pid] ERROR -- : text`) and a Spring Boot claims API to
stdout, a Node quote service (winston's JSON) to stdout, a Python policy service (logging's default
`LEVEL:logger:text`) and a Go document generator (the standard library's `log`, no level at all) to stderr.
The databases, the queue, the document store and the partners are marketplace services and SaaS: no logs or
metrics of theirs. Metrics carry `application_name`, every 20 s."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: rails node spring py golog saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "app:gorouter_requests:rate1m",
        "error_ratio": "app:gorouter_responses_5xx:ratio1m",
        "latency_p99": "app:gorouter_response_time_seconds:p99",
        "cpu_utilization": "app:container_cpu_entitlement:ratio",
        "memory_utilization": "app:container_memory_quota:ratio",
        "disk_utilization": "app:container_disk_quota:ratio",
        "restarts": "app:instance_restarts:increase10m",
    }
    return {k: f'{v}{{application_name="{{service}}"}}' for k, v in names.items()}


INSURER = Estate(
    label="application_name",
    name="harbourmutual",
    namespace="prod",
    shipper="log-cache",
    signals=_signals(),
    nodes=(
        Node("portal", "rails", ("quote-web", "claims-api", "policy-svc"), 120),
        Node("quote-web", "node", ("policy-svc", "bureau"), 40),
        Node("claims-api", "spring", ("claims-db", "fraud-check", "claims-mq"), 25),
        Node("policy-svc", "py", ("policy-db",), 90),
        Node("docs-gen", "golog", ("claims-mq", "doc-store"), 6),
        Node("claims-db", "saas", (), 300),
        Node("policy-db", "saas", (), 500),
        Node("claims-mq", "saas", (), 30),
        Node("fraud-check", "saas", (), 25),
        Node("bureau", "saas", (), 20),
        Node("doc-store", "saas", (), 6),
    ),
)

ESTATES = {INSURER.name: INSURER}

BACKGROUND = {
    "rails": ["Completed 200 OK in 42ms (Views: 12.1ms | ActiveRecord: 0.0ms | Allocations: 8812)"],
    "node": ["quote priced for product home in 38ms"],
    "spring": ["c.h.claims.ClaimService : claim C-88213 saved with status OPEN"],
    "py": ["policy.api:GET /v1/policies/P-88213 200 14ms"],
    "golog": ["rendered claim pack C-88213 (14 pages) in 412ms"],
}
NOISE = {
    "rails": "Couldn't find template for digesting: claims/_sidebar",
    "spring": "com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Thread starvation or clock leap detected "
    "(housekeeper delta=1m2s).",
    "py": "policy.rates:rate table cache is 26 hours old, refreshing",
    "golog": "retrying upload of C-88213 to doc-store: 503 Slow Down",
}
# the stream each program writes to by default: Python's logging and Go's log go to stderr
STREAM = {"rails": "OUT", "node": "OUT", "spring": "OUT", "py": "ERR", "golog": "ERR"}
# a line the platform writes about an instance, not the program: `CELL: text`, `API: text`, `STG: text`
PLATFORM = ("CELL", "API", "STG")


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it."""
    ms = f"{at.microsecond // 1000:03d}"
    if tech == "rails":
        word = {"warn": "WARN", "error": "ERROR", "fatal": "FATAL", "debug": "DEBUG"}.get(level, "INFO")
        return f"{word[0]}, [{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d} #7] {word:>5} -- : {text}"
    if tech == "node":
        return json.dumps({"level": level, "message": text, "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{ms}Z"})
    if tech == "spring":
        word = {"warn": "WARN", "error": "ERROR", "fatal": "ERROR", "debug": "DEBUG"}.get(level, "INFO")
        logger, _, msg = text.partition(" : ")
        thread = f"nio-8080-exec-{at.second % 9 + 1}"
        return f"{at:%Y-%m-%dT%H:%M:%S}.{ms}Z {word:>5} 1 --- [claims-api] [{thread}] {logger:<40} : {msg}"
    if tech == "py":
        word = {"warn": "WARNING", "error": "ERROR", "fatal": "CRITICAL", "debug": "DEBUG"}.get(level, "INFO")
        return f"{word}:{text}"
    if tech == "golog":
        return f"{at:%Y/%m/%d %H:%M:%S} {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One envelope as the team keeps it: nanoseconds as a string, the stream, the source type, the instance."""
    instance = f"{service}/{pod.split('-')[-2]}"
    tech = estate.node(service).tech
    ns = str(round(at.timestamp() * 1e6) * 1000)
    head, _, rest = text.partition(": ")
    if head in PLATFORM:
        return {"ts": ns, "service": service, "pod": instance, "level": "OUT", "source": head, "message": rest}
    msg = line(tech, at, level, text)
    return {"ts": ns, "service": service, "pod": instance, "level": STREAM[tech], "source": "APP/PROC/WEB",
            "message": msg}  # fmt: skip
