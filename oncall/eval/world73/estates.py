"""World 73's estate, written after world 72's rules and scored before any rule saw it.

A Japanese ryokan (inn) booking platform on Oracle Cloud's OKE (Kubernetes) in Osaka: the ingress-nginx
controller (its default access log line), a Spring Boot booking service (Spring Boot 3's default console
line), a Go availability service (zerolog's JSON), a Rails payments service (lograge's key=value), a Node
mailer (plain console lines), MySQL HeatWave's error log and Redis. GMO Payment Gateway and SendGrid show
nothing of their own.

The Unified Monitoring Agent tails every container's log file into OCI Logging as a custom log, and the bundle
is the Logging Search API's results exported with `jq -c '.data.results[]'`: each result's `data` holds
`datetime` (epoch milliseconds) and `logContent`, a CloudEvents record: `data.message` the line as written
(the agent parses nothing), `subject` the container's log file (`/var/log/containers/<pod>_<namespace>_
<container>-<id>.log`, the only place the service is named), `source` the worker node, `time`, `type` and
`oracle` (the tenancy's and log's OCIDs). No level field: each line's own words say it. Metrics: the
Prometheus of the cluster, by `app_kubernetes_io_name`."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: nginx spring zerolog lograge nodeconsole mysql redis saas
NAMESPACE = "ryokan"
TOKYO = timezone(timedelta(hours=9))
OCID = "ocid1.{kind}.oc1.ap-osaka-1.amaaaaaa{h}"


def _signals() -> dict[str, str]:
    sel = 'app_kubernetes_io_name="{service}",namespace="ryokan"'
    return {
        "request_rate": f"app:http_server_requests:rate1m{{{sel}}}",
        "error_ratio": f"app:http_server_requests_5xx:ratio_rate1m{{{sel}}}",
        "latency_p99": f"app:http_server_requests_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"app:container_cpu:ratio_limit{{{sel}}}",
        "memory_utilization": f"app:container_memory_working_set:ratio_limit{{{sel}}}",
    }


PROD = Estate(
    label="app_kubernetes_io_name",
    name="ryokan",
    namespace=NAMESPACE,
    shipper="oci-logging-search-export",
    signals=_signals(),
    nodes=(
        Node("ingress", "nginx", ("booking", "availability"), 90),
        Node("booking", "spring", ("availability", "payments", "mysql", "redis", "mailer"), 40),
        Node("availability", "zerolog", ("mysql", "redis"), 70),
        Node("payments", "lograge", ("mysql", "gmo-pg"), 10),
        Node("mailer", "nodeconsole", ("sendgrid", "redis"), 6),
        Node("mysql", "mysql", (), 300),
        Node("redis", "redis", (), 400),
        Node("gmo-pg", "saas", (), 10),
        Node("sendgrid", "saas", (), 6),
    ),
)

ESTATES = {PROD.name: PROD}

# a line as the program writes it ({LVL}: the logger's own level word where its format has one)
BACKGROUND = {
    "nginx": ['10.0.{k}.{n} - - [{clf}] "GET /api/v1/rooms?inn=I{n}{k} HTTP/1.1" 200 1{n}42 "-" "RyokanApp/4.2 '
              '(iPhone)" 3{n}1 0.0{n}1 [ryokan-availability-8080] [] 10.244.{k}.{n}:8080 1{n}42 0.0{n}1 200 {hex}',
              '10.0.{k}.{n} - - [{clf}] "POST /api/v1/bookings HTTP/1.1" 201 5{n}3 "-" "Mozilla/5.0" 8{n}2 0.1{n}2 '
              '[ryokan-booking-8080] [] 10.244.{k}.{n}:8080 5{n}3 0.1{n}2 201 {hex}'],
    "spring": ["{iso}  {LVL5} 1 --- [booking] [nio-8080-exec-{k}] j.r.booking.BookingController           : booking "
               "R-{hex} confirmed for inn I{n}{k}, {k} nights",
               "{iso}  {LVL5} 1 --- [booking] [nio-8080-exec-{k}] j.r.booking.AvailabilityClient          : held "
               "room {n}{k} for R-{hex}"],
    "zerolog": ['{{"level":"{lvl}","inn":"I{n}{k}","nights":{k},"time":"{iso}","message":"availability computed"}}'],
    "lograge": ["method=POST path=/payments format=json controller=PaymentsController action=create status=201 "
                "duration=1{n}.{k}2 view=0.{k}1 db=4.{n}1 order=R-{hex}"],
    "nodeconsole": ["[mailer] {iso} {lvl} confirmation mail queued for R-{hex}"],
    "mysql": ["{iso} 0 [Note] [MY-010914] [Server] Aborted connection {n}{k}1 to db: 'ryokan' user: 'app' host: "
              "'10.244.{k}.{n}' (Got an error reading communication packets)."],
    "redis": ["1:M {redis} * 100 changes in 300 seconds. Saving...", "1:M {redis} * Background saving terminated "
              "with success"],
}  # fmt: skip
NOISE = {
    "spring": "{iso}  WARN 1 --- [booking] [nio-8080-exec-{k}] j.r.booking.MailerClient                : mailer "
    "slow to accept R-{hex} (1{n}00 ms)",
    "zerolog": '{{"level":"warn","inn":"I{n}{k}","time":"{iso}","message":"cache miss storm for inn"}}',
    "lograge": "method=POST path=/payments format=json controller=PaymentsController action=create status=201 "
    "duration=2{n}00.1 view=0.1 db=4.1 order=R-{hex} warning=gmo_slow",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str, level: str) -> str:
    n = int(at.timestamp()) % 61
    word = {"warn": "WARN", "critical": "ERROR"}.get(level, level.upper())
    return (
        text.replace("{hex}", _hex(tech, str(at.timestamp()))[:10])
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z")
        .replace("{LVL5}", f"{word:>5}")
        .replace("{LVL}", word)
        .replace("{lvl}", {"warn": "warn", "critical": "error"}.get(level, level))
        .replace("{redis}", f"{at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{{", "{")
        .replace("}}", "}")
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One result of OCI Logging's search API: a CloudEvents record the Unified Monitoring Agent wrote."""
    tech = estate.node(service).tech
    line = _fill(at, text, tech, level)
    container = "controller" if tech == "nginx" else service
    h = _hex(pod, at.isoformat())
    node = f"oke-cq{_hex(pod)[:6]}-n{int(_hex(pod)[6:8], 16) % 3}"
    return {
        "data": {
            "datetime": int(at.timestamp() * 1000),
            "logContent": {
                "data": {"message": line},
                "id": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}",
                "oracle": {
                    "compartmentid": OCID.format(kind="compartment", h=_hex("c")[:20]),
                    "ingestedtime": f"{at + timedelta(seconds=2):%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
                    "loggroupid": OCID.format(kind="loggroup", h=_hex("g")[:20]),
                    "logid": OCID.format(kind="log", h=_hex("l")[:20]),
                    "tenantid": OCID.format(kind="tenancy", h=_hex("t")[:20]),
                },
                "source": node,
                "specversion": "1.0",
                "subject": f"/var/log/containers/{pod}_{NAMESPACE}_{container}-{_hex(pod, container)[:64]}.log",
                "time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
                "type": "com.oraclecloud.logging.custom.ryokan-oke-apps",
            },
        }
    }
