"""World 29's estate, written after world 28's rules and scored before any rule saw it.

A mobile operator's self-care, rating and messaging platform on OpenShift, bundled the plain way
DESIGN.md describes by a team whose log forwarder copies each program's own timestamp into `ts` as the
program wrote it: log4j2's ISO8601 (`2026-06-03T07:41:12,123`, a comma and no zone: UTC, as the cluster
runs), Akka's, Kannel's, Oracle's and Kong's in ISO form; `level` as the program names it, `pod` as
OpenShift names it, the program's line whole in `message` (Java's stack traces with their `Caused by:`
chains kept). The programs: Kong (nginx underneath), Spring Boot under log4j2, Akka, Oracle Database's
alert log and listener, ActiveMQ Artemis, Kannel and Next.js. Metrics are recording rules labelled
`deployment`, every 30 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: kong spring akka oracle artemis kannel nextjs saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "deployment:http_requests:rate2m",
        "error_ratio": "deployment:http_errors:ratio2m",
        "latency_p99": "deployment:http_latency_seconds:p99_2m",
        "cpu_utilization": "deployment:container_cpu:usage_ratio",
        "memory_utilization": "deployment:container_memory:usage_ratio",
        "disk_utilization": "deployment:pvc_used:ratio",
        "restarts": "deployment:container_restarts:increase10m",
    }
    return {k: f'{v}{{deployment="{{service}}"}}' for k, v in names.items()}


TELCO = Estate(
    label="deployment",
    name="northtel",
    namespace="bss-prod",
    shipper="fluentd",
    signals=_signals(),
    nodes=(
        Node("portal", "nextjs", ("api-gw",), 240),
        Node("api-gw", "kong", ("selfcare", "topup"), 300),
        Node("selfcare", "spring", ("bss-db", "rater"), 180),
        Node("topup", "spring", ("bss-db", "payments-psp", "events"), 45),
        Node("rater", "akka", ("events", "bss-db"), 400),
        Node("mediation", "spring", ("events",), 600),
        Node("sms-gw", "kannel", ("events", "smsc"), 90),
        Node("events", "artemis", (), 1200),
        Node("bss-db", "oracle", (), 700),
        Node("payments-psp", "saas", (), 30),
        Node("smsc", "saas", (), 80),
    ),
)

ESTATES = {TELCO.name: TELCO}

BACKGROUND = {
    "nextjs": ["GET /account/usage 200 in 212ms"],
    "kong": ["GET /selfcare/v2/balance 200"],
    "spring": ["Completed request GET /v2/balance in 38 ms"],
    "akka": ["Rated 4412 usage records in batch 88213"],
    "oracle": ["Thread 1 advanced to log sequence 88213 (LGWR switch)"],
    "artemis": ["AMQ601500: User app is creating a core session on target resource ActiveMQServerImpl::name=0"],
    "kannel": ["SMPP[smsc1]: Delivery report received for message 88213"],
}
NOISE = {
    "spring": "Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: Request method 'HEAD' is not "
    "supported]",
    "kong": "GET /favicon.ico 404",
    "oracle": "TNS-12537: TNS:connection closed",
}
LOG4J = {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "fatal": "FATAL"}


def _iso(at: datetime, comma: bool = False) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}{',' if comma else '.'}{at.microsecond // 1000:03d}"


def line(tech: str, at: datetime, pod: str, level: str, text: str) -> str:
    """The line as the program writes it."""
    if tech == "kong":
        parts = text.split(" ")
        if parts[0] in ("GET", "POST") and len(parts) == 3:
            method, path, status = parts
            return (f'10.128.4.{at.second} - - [{at:%d/%b/%Y:%H:%M:%S} +0000] "{method} {path} HTTP/1.1" {status} '
                    f'212 "-" "okhttp/4.12.0" kong_request_id: "{at.microsecond:06x}8d1c"')  # fmt: skip
        return f"{at:%Y/%m/%d %H:%M:%S} [{level}] 1102#0: *8812 [kong] {text}"
    if tech == "spring":  # log4j2 with %d{ISO8601}
        return f"{_iso(at, comma=True)} {LOG4J[level]:<5} [http-nio-8080-exec-12] c.n.bss.Api - {text}"
    if tech == "akka":
        return (f"[{level.upper()}] [{at:%m/%d/%Y %H:%M:%S}.{at.microsecond // 1000:03d}] "
                f"[rating-akka.actor.default-dispatcher-5] [akka://rating/user/rater] {text}")  # fmt: skip
    if tech == "oracle":
        return text
    if tech == "artemis":
        where = "[org.apache.activemq.artemis.core.server]"
        return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {LOG4J[level]:<5} {where} {text}"
    if tech == "kannel":
        word = {"warn": "WARNING", "error": "ERROR", "fatal": "PANIC", "debug": "DEBUG"}.get(level, "INFO")
        return f"{at:%Y-%m-%d %H:%M:%S} [2211] [6] {word}: {text}"
    if tech == "nextjs":
        return text
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the forwarder keeps it: the program's own time, as the program wrote it."""
    tech = estate.node(service).tech
    stamp = {
        "spring": _iso(at, comma=True),
        "artemis": _iso(at, comma=True),
        "oracle": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+00:00",
    }.get(tech, _iso(at) + "Z")
    word = {"kannel": {"warn": "WARNING", "fatal": "PANIC"}}.get(tech, {}).get(level, level.upper())
    return {"ts": stamp, "service": service, "pod": pod, "level": word, "message": line(tech, at, pod, level, text)}
