"""World 52's estate, written after world 51's rules and scored before any rule saw it.

An airline's crew and flight-operations platform on virtual machines in its own data centre (no cluster
files): Apache httpd in front of a crew portal on Oracle WebLogic (its own log format: `####<Jun 3, 2026
7:41:12,123 AM UTC> <Error> <JDBC> <host> <server> ...`), a Go roster service, a Python rules engine checking
duty-time limits, IBM MQ carrying flight movements from the ops-control system, a Java movements consumer
(log4j2's pattern), Db2, Redis, HAProxy. Filebeat ships every file to Elasticsearch, and the bundle is an
**elasticdump export** of the indices: one document a line, its fields under `_source` (`@timestamp`,
`message`, `host.name`, `log.file.path`, `service.name` set per input, `log.level` only where an ingest
pipeline parsed one), beside `_index`, `_id` and `_score`. Metrics: Telegraf and the apps' JMX through a
Prometheus remote-write, keyed by `app`, every 60 s."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: httpd weblogic goapp pyrules mq javaconsumer db2 redis haproxy saas


def _signals() -> dict[str, str]:
    app = 'app="{service}",dc="lhr2"'
    return {
        "request_rate": f"app_requests_per_second{{{app}}}",
        "error_ratio": f"app_error_ratio{{{app}}}",
        "latency_p99": f"app_latency_p99_seconds{{{app}}}",
        "cpu_utilization": f"host_cpu_busy_ratio{{{app}}}",
        "memory_utilization": f"host_mem_used_ratio{{{app}}}",
        "restarts": f"app_process_restarts_total_increase10m{{{app}}}",
        "disk_utilization": f'host_fs_used_ratio{{{app},mount="/data"}}',
    }


SKYCREW = Estate(
    label="app",
    name="skycrew",
    namespace="crewops",
    shipper="elasticdump",
    signals=_signals(),
    nodes=(
        Node("haproxy", "haproxy", ("httpd",), 160),
        Node("httpd", "httpd", ("crew-portal",), 150),
        Node("crew-portal", "weblogic", ("roster", "db2", "redis"), 120),
        Node("roster", "goapp", ("db2", "rules", "redis"), 90),
        Node("rules", "pyrules", ("db2", "redis"), 60),
        Node("movements", "javaconsumer", ("mq", "db2", "roster"), 45),
        Node("mq", "mq", (), 50),
        Node("db2", "db2", (), 400),
        Node("redis", "redis", (), 900),
        Node("ops-control", "saas", (), 45),
    ),
)

ESTATES = {SKYCREW.name: SKYCREW}

BACKGROUND = {
    "haproxy": ["10.20.1.14:51234 [{hap}] www~ portal/httpd2 0/0/1/38/39 200 4120 - - ---- 41/41/2/1/0 0/0 "
                '"GET /crew/roster?month=2026-06 HTTP/1.1"'],
    "httpd": ['10.20.3.7 - - [{clf}] "GET /crew/roster?month=2026-06 HTTP/1.1" 200 4120 "-" "Mozilla/5.0"'],
    "weblogic": ["<Info> <HTTP> <<WLS Kernel>> <BEA-101047> <[ServletContext@1812211[app:crew module:crew]] "
                 "roster page served for crew 48211 in 31 ms>"],
    "goapp": ["level=info msg=\"roster published\" crew=48211 month=2026-06 duties=22"],
    "pyrules": ["INFO rules.duty: FTL check passed for crew 48211 (max 13h00, planned 11h35)"],
    "javaconsumer": ["INFO  c.s.movements.MovementListener - movement BA0117 OUT 07:41Z applied to 14 crew"],
    "mq": ["AMQ9002I: Channel 'OPS.TO.CREW' is starting."],
    "db2": ["FUNCTION: DB2 UDB, buffer pool services, sqlbStartPools, probe:30 MESSAGE : Buffer pool "
            "IBMDEFAULTBP started"],
    "redis": ["* 10000 changes in 60 seconds. Saving...", "* Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "weblogic": "<Warning> <JDBC> <<WLS Kernel>> <BEA-001129> <Received exception while creating connection for "
                "pool \"CrewDS\": connection reset, retrying>",
    "goapp": 'level=warn msg="slow query" query=duties_for_crew ms=812',
    "mq": "AMQ9209E: Connection to host 'opsctl.partner.example(1414)' for channel 'OPS.TO.CREW' closed.",
}  # fmt: skip
FILES = {
    "haproxy": "/var/log/haproxy.log",
    "httpd": "/var/log/httpd/access_log",
    "weblogic": "/u01/domains/crew/servers/crew1/logs/crew1.log",
    "goapp": "/var/log/roster/roster.log",
    "pyrules": "/var/log/rules/rules.log",
    "javaconsumer": "/opt/movements/logs/movements.log",
    "mq": "/var/mqm/qmgrs/CREWQM/errors/AMQERR01.LOG",
    "db2": "/home/db2inst1/sqllib/db2dump/db2diag.log",
    "redis": "/var/log/redis/redis.log",
}


def _line(tech: str, at: datetime, text: str) -> str:
    """The line as the program writes it to its file."""
    ms = at.microsecond // 1000
    if tech == "haproxy":
        return f"{at:%b %d %H:%M:%S} lb1 haproxy[2211]: " + text.replace("{hap}", f"{at:%d/%b/%Y:%H:%M:%S}.{ms:03d}")
    if tech == "httpd":
        return text.replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
    if tech == "weblogic":  # WebLogic's server log: its own header, each field in angle brackets
        hour = at.hour % 12 or 12
        stamp = f"{at:%b} {at.day}, {at.year} {hour}:{at:%M:%S},{ms:03d} {'AM' if at.hour < 12 else 'PM'} UTC"
        level, rest = text.split(" ", 1)
        return f"####<{stamp}> {level} {rest.replace('<<WLS Kernel>>', '<crewapp1> <crew1> <<WLS Kernel>>', 1)}"
    if tech == "goapp":  # logfmt
        return f"time={at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z {text}"
    if tech == "pyrules":
        return f"{at:%Y-%m-%d %H:%M:%S},{ms:03d} {text}"
    if tech == "javaconsumer":
        return f"{at:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" [listener-1] {text}"
    if tech == "mq":
        return f"{at:%m/%d/%Y %I:%M:%S %p} - Process(2211.7) User(mqm) Program(amqrmppa) {text}"
    if tech == "db2":
        return f"{at:%Y-%m-%d-%H.%M.%S}.{at.microsecond:06d}+000 I88121E512 LEVEL: " + (
            text if text.startswith(("Error", "Severe", "Warning", "Info")) else f"Info {text}"
        )
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms:03d} {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One document as elasticdump writes it: the Filebeat event under `_source`."""
    tech = estate.node(service).tech
    host = f"{service}{sum(map(ord, pod)) % 2 + 1}.lhr2.skycrew.example"
    source: dict[str, Any] = {
        "@timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
        "message": _line(tech, at, text),
        "host": {"name": host, "hostname": host.split(".")[0]},
        "log": {"file": {"path": FILES.get(tech, "/var/log/messages")}, "offset": int(at.timestamp()) % 9_000_000},
        "service": {"name": service},
        "agent": {"type": "filebeat", "version": "8.13.4"},
        "ecs": {"version": "8.0.0"},
    }
    if tech == "goapp":  # the one input whose ingest pipeline parses a level (logfmt's)
        source["log"]["level"] = text.split(" ", 1)[0].removeprefix("level=")
    index = f"filebeat-8.13.4-{at:%Y.%m.%d}"
    doc_id = hashlib.sha1(f"{service}{at.timestamp()}{text}".encode()).hexdigest()[:20]
    return {"_index": index, "_type": "_doc", "_id": doc_id, "_score": 1, "_source": source}
