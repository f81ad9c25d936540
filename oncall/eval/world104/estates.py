"""World 104's estate, written after world 103's rules and scored before any rule saw it.

A Cork veterinary-clinic SaaS ("VetCloud": 300 clinics book appointments, keep records and send reminders) on AWS in
eu-west-1: the Nuxt booking site (`web`, Nitro's console output, no time of its own), the Play Framework API (`api`,
Play's default logback line), the records service on WildFly (its console handler: time of day only), two Lambda
functions in Python with Powertools' JSON logger beside the runtime's START/END/REPORT lines (`reminders`, fed by the
broker and calling Twilio; `imaging`, X-ray previews), RDS for PostgreSQL (RDS' log_line_prefix), Amazon MQ for
RabbitMQ (its log group named by the broker's id only); Twilio outside.

Logs: every log group (Container Insights' Fluent Bit for the pods: its record, a JSON document, is the event's
message; the Lambda functions', RDS' and the broker's own groups) has a subscription filter to a Lambda that writes
each payload it receives, decoded, as one line: `messageType`, `owner`, `logGroup`, `logStream`,
`subscriptionFilters`, and `logEvents`, a batch of a stream's events (`id`, `timestamp` in epoch milliseconds,
`message`). Metrics: the services' embedded-metric-format metrics and RDS', Lambda's and Amazon MQ's, exported by
YACE, every one with the `dimension_Service` the team sets."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

IST = timedelta(hours=1)  # Irish summer time: the clinics' day
CLINICS = ("ballincollig", "douglas", "mallow", "kinsale", "bandon", "midleton", "cobh")
ACCOUNT = "418295730164"
BROKER = "b-6f1d2c0a-9e4b-4c57-8a1e-2d7b5c3f9e10"
CLUSTER = "vetcloud-prod"


def _signals() -> dict[str, str]:
    sel = 'dimension_Service="{service}"'
    return {
        "request_rate": f"aws_vetcloud_requests_sum{{{sel}}}",
        "error_ratio": f"aws_vetcloud_error_ratio_average{{{sel}}}",
        "latency_p99": f"aws_vetcloud_latency_seconds_p99{{{sel}}}",
        "cpu_utilization": f"aws_vetcloud_cpu_utilization_average{{{sel}}}",
        "memory_utilization": f"aws_vetcloud_memory_utilization_average{{{sel}}}",
        "disk_utilization": f"aws_vetcloud_storage_utilization_average{{{sel}}}",
        "pool_utilization": f"aws_vetcloud_concurrency_utilization_maximum{{{sel}}}",
        "restarts": f"aws_vetcloud_restarts_sum{{{sel}}}",
    }


PROD = Estate(
    label="dimension_Service",
    name="vetcloud",
    namespace="vetcloud",
    shipper="cloudwatch-logs-subscription-payloads",
    signals=_signals(),
    nodes=(
        Node("web", "nuxt", ("api",), 60),
        Node("api", "play", ("db", "rabbitmq", "records", "imaging", "reminders"), 90),
        Node("records", "wildfly", ("db", "rabbitmq"), 30),
        Node("reminders", "lambda", ("rabbitmq", "db", "twilio"), 6),
        Node("imaging", "lambda", (), 8),
        Node("db", "rdspg", (), 600),
        Node("rabbitmq", "amqrabbit", (), 150),
        Node("twilio", "saas", (), 6),
    ),
)

ESTATES = {PROD.name: PROD}

# "logger|message" for Play and WildFly; Lambda's lines are Powertools' "location|message"
BACKGROUND = {
    "nuxt": ["[info] GET /clinics/{clinic}/book 200 in {n}ms",
             "[info] GET /api/_nuxt_icon/{k}{n} 200 in {k}ms"],
    "play": ["controllers.AppointmentController|booked appointment {n}{k}{n} at {clinic} for {dmy}",
             "play.api.db.HikariCPConnectionPool|HikariPool-1 - Pool stats (total=20, active={k}, idle=1{k})"],
    "wildfly": ["com.vetcloud.records.api.PatientResource|GET /records/patients/{n}{k}{n} 200 ({n} ms)",
                "org.hibernate.engine.internal.StatisticalLoggingSessionEventListener|Session Metrics {k}{n} ms"],
    "lambda": ["app.handler:4{k}|handled {k} records in {n}{k} ms",
               "app.handler:5{n}|invocation complete"],
    "rdspg": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added, 0 removed",
              "LOG:  automatic vacuum of table \"vetcloud.public.appointments\": index scans: 1"],
    "amqrabbit": ["accepting AMQP connection <0.{n}{k}.0> (10.20.{k}.{n}:5{n}{k} -> 10.30.1.10:5671)",
                  "connection <0.{n}{k}.0> (10.20.{k}.{n}:5{n}{k} -> 10.30.1.10:5671): user 'records' authenticated"],
}  # fmt: skip
NOISE = {
    "play": "controllers.AuthController|login failed for {clinic}-reception: bad password",
    "wildfly": "org.jboss.as.ejb3.invocation|WFLYEJB0034: Jakarta Enterprise Beans Invocation failed on component "
    "AuditBean for method public void audit(): jakarta.ejb.EJBTransactionRolledbackException",
    "amqrabbit": "closing AMQP connection <0.{n}{k}.0> (10.20.{k}.{n}:5{n}{k} -> 10.30.1.10:5671, vhost: '/', "
    "user: 'api'): client unexpectedly closed TCP connection",
}

PLAY = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
WILDFLY = {"error": "ERROR", "warn": "WARN ", "info": "INFO ", "debug": "DEBUG"}
POWERTOOLS = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
PG = {"error": "ERROR", "warn": "WARNING", "info": "LOG", "debug": "DEBUG"}
RABBIT = {"error": "error", "warn": "warning", "info": "info", "debug": "debug"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{clinic}", CLINICS[int(h[:2], 16) % len(CLINICS)])
        .replace("{h8}", h[40:48])
        .replace("{dmy}", f"{at + IST + timedelta(days=n % 5):%Y-%m-%d} 1{n % 8}:{n % 6}0")
    )


def _uuid(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _line(tech: str, at: datetime, level: str, said: str, h: str, service: str) -> list[str]:
    """What the program writes for one line of the story: several lines for a Lambda invocation."""
    head, sep, rest = said.partition("|")
    if tech == "nuxt":  # Nitro's console: no time, errors as h3 prints them
        return [said]
    if tech == "play":  # Play's default logback pattern in production
        logger, message = (head, rest) if sep else ("application", said)
        ms = at.microsecond // 1000
        thread = f"application-pekko.actor.default-dispatcher-{int(h[:2], 16) % 12 + 2}"
        return [f"{at:%Y-%m-%d %H:%M:%S},{ms:03d} [{PLAY[level]}] from {logger} in {thread} - {message}"]
    if tech == "wildfly":  # WildFly's console handler: %d{HH:mm:ss,SSS} %-5p [%c] (%t) %s%e
        category, message = (head, rest) if sep else ("com.vetcloud.records", said)
        ms = at.microsecond // 1000
        return [f"{at:%H:%M:%S},{ms:03d} {WILDFLY[level]} [{category}] (default task-{int(h[:2], 16) % 64}) {message}"]
    if tech == "lambda":  # the runtime's lines around Powertools' JSON
        location, message = (head, rest) if sep else ("app.handler:12", said)
        request = _uuid(h[8:])
        record: dict[str, Any] = {
            "level": POWERTOOLS[level],
            "location": location,
            "message": message,
            "timestamp": f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}+0000",
            "service": service,
            "cold_start": False,
            "function_name": f"vetcloud-{service}",
            "function_memory_size": "512",
            "function_arn": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:vetcloud-{service}",
            "function_request_id": request,
            "xray_trace_id": f"1-{int(at.timestamp()):08x}-{h[32:56]}",
        }
        if level == "error":
            name = message.split(":", 1)[0] if ":" in message.split(" ", 1)[0] else "Exception"
            record["exception_name"] = name
            record["exception"] = (
                f'Traceback (most recent call last):\n  File "/var/task/app.py", line 4{h[5]}, in handler'
            )
        ms = 40 + int(h[:3], 16) % 400
        return [
            f"START RequestId: {request} Version: $LATEST\n",
            json.dumps(record) + "\n",
            f"END RequestId: {request}\n",
            f"REPORT RequestId: {request}\tDuration: {ms}.{h[3:5]} ms\tBilled Duration: {ms + 1} ms\t"
            f"Memory Size: 512 MB\tMax Memory Used: {90 + int(h[5:7], 16) % 60} MB\t\n",
        ]
    if tech == "rdspg":  # RDS' log_line_prefix: %t:%r:%u@%d:[%p]:
        text = said if said[:4] in ("LOG:", "ERRO", "FATA", "WARN", "DETA", "STAT") else f"{PG[level]}:  {said}"
        named = re.search(r'user "(\w+)"', text)
        user = named.group(1) if named else ("records", "api", "reminders")[int(h[8], 16) % 3]
        client = (
            ":@"
            if text.startswith(("LOG:  checkpoint", "LOG:  automatic"))
            else (f"10.20.{int(h[:2], 16) % 4}.{int(h[2:4], 16)}({40000 + int(h[4:8], 16) % 20000}):{user}@vetcloud")
        )
        prefix = f"{at:%Y-%m-%d %H:%M:%S} UTC:{client}:[{int(h[:4], 16) % 30000}]:"
        if "authentication failed" in text:  # PostgreSQL says which pg_hba.conf line it matched, as its own line
            return [prefix + text, prefix + 'DETAIL:  Connection matched file "/rdsdbdata/config/pg_hba.conf" line 13: '
                    '"host all all 0.0.0.0/0 md5"']  # fmt: skip
        return [prefix + text]
    if tech == "amqrabbit":  # RabbitMQ 3.13's default format
        return [f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00 [{RABBIT[level]}] <0.{int(h[:3], 16)}.0> {said}"]
    return [said]


def _stream(service: str, tech: str, pod: str, at: datetime) -> tuple[str, str, dict[str, Any] | None]:
    """The log group, the stream, and (for a pod) the Kubernetes metadata Fluent Bit adds."""
    if tech == "lambda":  # an execution environment per stream, a few of them a day
        env = _hex(service, pod, f"{at:%Y%m%d}")[:32]
        return f"/aws/lambda/vetcloud-{service}", f"{at:%Y/%m/%d}/[$LATEST]{env}", None
    if tech == "rdspg":
        return "/aws/rds/instance/vetcloud-db/postgresql", "vetcloud-db", None
    if tech == "amqrabbit":
        return f"/aws/amazonmq/broker/{BROKER}/general", f"{BROKER}-1.mq.eu-west-1.amazonaws.com", None
    h = _hex(service, pod)
    pod_name = f"{service}-{h[:10]}-{h[10:15]}"
    docker = _hex(service, pod, "container")
    host = f"ip-10-20-{int(h[20:22], 16) % 4}-{int(h[22:24], 16)}.eu-west-1.compute.internal"
    kubernetes = {
        "pod_name": pod_name,
        "namespace_name": "vetcloud",
        "pod_id": _uuid(h[24:]),
        "host": host,
        "container_name": service,
        "docker_id": docker,
        "container_hash": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/vetcloud/{service}@sha256:{h[1:65]}",
        "container_image": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/vetcloud/{service}:5.{int(h[30], 16)}.0",
    }
    stream = f"{host}-application.var.log.containers.{pod_name}_vetcloud_{service}-{docker}.log"
    return f"/aws/containerinsights/{CLUSTER}/application", stream, kubernetes


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """A line's events as CloudWatch Logs holds them (its group, stream, time and message); `batch` packs them."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    group, stream, kubernetes = _stream(service, tech, pod, at)
    out = []
    for i, line in enumerate(_line(tech, at, level, _fill(at, text, h), h, service)):
        when = at + timedelta(milliseconds=3 * i)
        message = line
        if kubernetes is not None:  # Fluent Bit's record, itself JSON, is the event's message
            err = level in ("error", "warn") or (tech == "nuxt" and "error" in line[:20])
            message = json.dumps(
                {
                    "log": line,
                    "stream": "stderr" if err else "stdout",
                    "time": f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond:06d}000Z",
                    "kubernetes": kubernetes,
                },
                separators=(",", ":"),
            )
        out.append({"group": group, "stream": stream, "ms": int(when.timestamp() * 1000), "message": message})
    return out


def batch(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The subscription's payloads: a stream's events that came within five seconds of its batch's first, at most
    fifty, one payload each, in the order their first events came; the destination's health check first."""
    events = sorted(events, key=lambda e: e["ms"])
    open_: dict[tuple[str, str], dict[str, Any]] = {}
    payloads: list[dict[str, Any]] = []
    for e in events:
        key = (e["group"], e["stream"])
        p = open_.get(key)
        if p is None or e["ms"] - p["logEvents"][0]["timestamp"] > 5000 or len(p["logEvents"]) >= 50:
            p = {
                "messageType": "DATA_MESSAGE",
                "owner": ACCOUNT,
                "logGroup": e["group"],
                "logStream": e["stream"],
                "subscriptionFilters": [f"vetcloud-archive-{e['group'].split('/')[2]}"],
                "logEvents": [],
            }
            open_[key] = p
            payloads.append(p)
        digits = _hex(e["stream"], str(e["ms"]), e["message"])
        event_id = str(int(digits[:46], 16))[:56].rjust(56, "0")
        p["logEvents"].append({"id": event_id, "timestamp": e["ms"], "message": e["message"]})
    if not events:
        return payloads
    check = {
        "messageType": "CONTROL_MESSAGE",
        "owner": "CloudwatchLogs",
        "logGroup": "",
        "logStream": "",
        "subscriptionFilters": [],
        "logEvents": [
            {
                "id": "",
                "timestamp": events[0]["ms"],
                "message": "CWL CONTROL MESSAGE: Checking health of destination Lambda function.",
            }
        ],
    }
    return [check, *payloads]
