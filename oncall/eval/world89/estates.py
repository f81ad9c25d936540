"""World 89's estate, written after world 88's rules and scored before any rule saw it.

A community Mastodon server for Scotland's tech scene, on one large VM under Docker Compose: nginx in front,
Puma (web), the Node streaming API, Sidekiq, PgBouncer before PostgreSQL, Redis and Elasticsearch; media in
Wasabi's S3, and the fediverse's other servers delivering to our inbox and receiving from our Sidekiq.

Logs are Docker's own json-file logs, the daemon told to keep each container's compose labels
(`log-opts: {labels: com.docker.compose.service,com.docker.compose.project}`): the admins' script concatenates
every container's file (`cat /var/lib/docker/containers/*/*-json.log`), so lines run in time order within a
container and containers follow each other. Each line is `log` (what the program wrote, its newline kept),
`stream`, `attrs` (the labels) and `time` in nanoseconds. Rails writes lograge's `key=value` lines and an
exception over several lines (each its own record), Sidekiq its own text format, the streaming API pino's JSON,
Elasticsearch its JSON server log, PgBouncer, PostgreSQL and Redis their own. Metrics: Prometheus with the
statsd, postgres, redis and elasticsearch exporters, recorded per `service`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node


def _signals() -> dict[str, str]:
    sel = 'service="{service}",instance="fedi-01"'
    return {
        "request_rate": f"mastodon:requests:rate5m{{{sel}}}",
        "error_ratio": f"mastodon:requests_failed:ratio5m{{{sel}}}",
        "latency_p99": f"mastodon:request_duration_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"container:cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"container:memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"node:volume_used:ratio{{{sel}}}",
        "restarts": f"container:restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="fedi-scot",
    namespace="mastodon",
    shipper="docker-json-file-concatenated",
    signals=_signals(),
    nodes=(
        Node("nginx", "nginx", ("web", "streaming"), 90),
        Node("web", "rails", ("pgbouncer", "redis", "es", "wasabi"), 60),
        Node("streaming", "node", ("redis", "pgbouncer"), 30),
        Node("sidekiq", "sidekiq", ("pgbouncer", "redis", "es", "wasabi", "fediverse"), 40),
        Node("pgbouncer", "pgbouncer", ("db",), 100),
        Node("db", "postgres", (), 100),
        Node("redis", "redis", (), 150),
        Node("es", "elasticsearch", (), 15),
        Node("wasabi", "saas", (), 10),
        Node("fediverse", "saas", (), 30),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "nginx": ['203.0.113.{k}{n} - - [{clf}] "GET /api/v1/timelines/home HTTP/1.1" 200 1{n}{k}4 "-" "Tusky/24.1"',
              '198.51.100.{k} - - [{clf}] "POST /inbox HTTP/1.1" 202 0 "-" "http.rb/5.1.1 (Mastodon/4.3.2; '
              '+https://mastodon.social/)"'],
    "rails": ["method=GET path=/api/v1/timelines/home format=json controller=Api::V1::Timelines::HomeController "
              "action=show status=200 duration={k}{n}.{k}1 view={k}.{n} db={n}.{k}"],
    "node": ["msg=Subscription started | channel=timeline:public | accountId={n}{k}{k}"],
    "sidekiq": ["class=ActivityPub::DeliveryWorker jid={n}a{k}c{k}f elapsed=0.{n}{k} INFO: done",
                "class=ActivityPub::ProcessingWorker jid={n}b{k}d{k}e elapsed=0.0{k} INFO: done"],
    "pgbouncer": ["LOG stats: {n}{k} xacts/s, {k}{n}{k} queries/s, in {k}{n}12 B/s, out {n}{k}80 B/s, "
                  "xact {k}{n}{k} us, query {k}{n} us, wait {k} us"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); write={k}.{n}1 s, sync=0.00{k} s"],
    "redis": ["* {n}{k} changes in 300 seconds. Saving...", "* Background saving terminated with success"],
    "elasticsearch": ["component=o.e.c.m.MetadataMappingService | message=[statuses/{n}x{k}Q] update_mapping [_doc]"],
}  # fmt: skip
NOISE = {
    "sidekiq": "class=ActivityPub::DeliveryWorker jid={n}e{k}a{k}b elapsed=10.{k} INFO: fail",
    "nginx": "[warn] 31#31: *{n}{k}{k} an upstream response is buffered to a temporary file "
    "/var/cache/nginx/proxy_temp/{k}/{n}/000000{n}{k} while reading upstream",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str) -> str:
    n = int(at.timestamp()) % 61
    clf = f"{at:%d/%b/%Y:%H:%M:%S} +0000"
    return text.replace("{k}", str(n % 9 + 1)).replace("{n}", str(n)).replace("{clf}", clf)


def _pairs(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in text.split(" | "):
        key, _, value = part.partition("=")
        out[key] = int(value) if value.isdigit() else value
    return out


_STDERR = ("nginx", "postgres", "pgbouncer")  # what writes to stderr (nginx its error log; the access log to stdout)
_PINO = {"debug": 20, "info": 30, "warn": 40, "error": 50}


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """The json-file records of one line a container wrote (an exception's lines each their own)."""
    node = estate.node(service)
    said, _, exception = text.partition("|exc|")
    kind, _, caught = exception.partition("|")
    said, caught = _fill(at, said), _fill(at, caught)
    h = _hex(service, pod, str(at.timestamp()), said)
    nanos = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(h[:3], 16) % 900 + 100}Z"
    attrs = {"com.docker.compose.project": "mastodon", "com.docker.compose.service": service}
    stream = "stderr" if node.tech in _STDERR and not said.startswith(("203.", "198.")) else "stdout"
    lines: list[str]
    if node.tech == "nginx":
        lines = [said if said[0].isdigit() else f"{at:%Y/%m/%d %H:%M:%S} {said}"]
    elif node.tech == "rails":
        request = f"[{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}]"
        lines = [f"{request} {said}"]
        if kind:  # Rails' exception report: the class and message, then the backtrace a line each
            lines = [f"{request} {kind} ({caught}):", f"{request}  ", f"{request} app/models/media_attachment.rb:"
                     f"{int(h[32:34], 16) + 100}:in `block in <class:MediaAttachment>'"]  # fmt: skip
            lines.insert(0, f"{request} {said}")
    elif node.tech == "sidekiq":
        head = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z pid=7 tid={h[:4]}"
        lines = [f"{head} {said}"]
        if kind:  # the job's failure, then Sidekiq's warning with the exception
            lines.append(f"{head} WARN: {kind}: {caught}")
    elif node.tech == "node":
        fields = _pairs(said)
        body = {"level": _PINO[level], "time": int(at.timestamp() * 1000), "pid": 1, "hostname": h[40:52],
                "msg": fields.pop("msg"), **fields}  # fmt: skip
        if kind:
            body["err"] = {"type": kind, "message": caught, "stack": f"{kind}: {caught}\n    at Redis.<anonymous>"}
        lines = [json.dumps(body, separators=(",", ":"))]
    elif node.tech == "elasticsearch":
        fields = _pairs(said)
        body = {"type": "server", "timestamp": f"{at:%Y-%m-%dT%H:%M:%S},{at.microsecond // 1000:03d}Z",
                "level": {"warn": "WARN", "error": "ERROR"}.get(level, "INFO"), "component": fields["component"],
                "cluster.name": "es-mastodon", "node.name": "es", "message": fields["message"]}  # fmt: skip
        lines = [json.dumps(body)]
    elif node.tech == "pgbouncer":
        lines = [f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [1] {said}"]
    elif node.tech == "postgres":
        lines = [f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [{int(h[3:6], 16) % 900 + 60}] {said}"]
    else:  # redis
        lines = [f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {said}"]
    return [{"log": line + "\n", "stream": stream, "attrs": attrs, "time": nanos} for line in lines]
