"""World 99's estate, written after world 98's rules and scored before any rule saw it.

A Kuala Lumpur e-wallet for tolls and parking ("TolPay": a driver's RFID tag or app pays at toll plazas and car
parks from a wallet topped up by FPX online banking or card) on Alibaba Cloud's Container Service for Kubernetes
(ACK) in the Kuala Lumpur region: a Spring Cloud Gateway, `wallet` (Go, zap), `toll` (Spring Boot: the plazas'
transactions, a Groovy rules engine for discounts), `topup` (Node, pino: FPX and card top-ups), `kyc` (FastAPI:
identity documents to OSS), `notify` (Go, zap), Redis in the cluster; PolarDB for MySQL (managed, not scraped),
PayNet's FPX, OSS and an SMS provider outside.

Logs: Logtail collects every container's standard output into Log Service (SLS), and the team exports a logstore
with `aliyun log get_logs`, one JSON object a line, every value a string: `__time__` (epoch seconds), `__source__`
(the node's address), `__tag__:__hostname__`, `__tag__:__receive_time__`, `_container_name_`, `_pod_name_`,
`_namespace_`, `_image_name_`, `_source_` (stdout or stderr), `_time_` (RFC 3339 in Malaysia's time, +08:00) and
`content`, the line as the program wrote it: Spring Boot's console pattern in Malaysian time, zap's and pino's JSON,
Python's logging, Redis' own. Metrics: ARMS Prometheus, by `container`."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

MYT = timedelta(hours=8)
PLAZAS = ("Sungai Besi", "Jalan Duta", "Batu Tiga", "Sungai Rasau", "Bukit Raja", "Gombak")


def _signals() -> dict[str, str]:
    sel = 'namespace="tolpay",container="{service}"'
    return {
        "request_rate": f"container:http_server_requests:rate1m{{{sel}}}",
        "error_ratio": f"container:http_server_requests_5xx:ratio_rate1m{{{sel}}}",
        "latency_p99": f"container:http_server_requests_seconds:p99{{{sel}}}",
        "cpu_utilization": f"container:cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"container:memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"container:pvc_used:ratio{{{sel}}}",
        "pool_utilization": f"container:db_pool_active:ratio_max{{{sel}}}",
        "restarts": f"container:restarts:increase10m{{{sel}}}",
    }


PROD = Estate(
    label="container",
    name="tolpay",
    namespace="tolpay",
    shipper="alibaba-sls-logtail",
    signals=_signals(),
    nodes=(
        Node("gateway", "springgw", ("wallet", "topup", "kyc", "toll"), 160),
        Node("wallet", "zap", ("polardb", "redis"), 120),
        Node("toll", "spring", ("wallet", "redis", "polardb"), 200),
        Node("topup", "pino", ("wallet", "fpx", "polardb"), 30),
        Node("kyc", "python", ("oss", "polardb"), 8),
        Node("notify", "zap", ("sms",), 40),
        Node("redis", "redis", (), 500),
        Node("polardb", "saas", (), 600),
        Node("fpx", "saas", (), 30),
        Node("oss", "saas", (), 8),
        Node("sms", "saas", (), 40),
    ),
)

ESTATES = {PROD.name: PROD}

# "logger|message" for the Spring services; "msg|error" for zap; the rest as written
BACKGROUND = {
    "springgw": ["o.s.c.g.filter.LoadBalancerClientFilter|Routed GET /api/v2/wallet/balance to wallet ({n}{k} ms)",
                 "reactor.netty.http.server.AccessLog|10.8.{k}.{n} - - \"POST /api/v2/toll/tx HTTP/1.1\" 200 {n}{k}"],
    "zap": ["balance read|", "ledger entry posted|"],
    "spring": ["m.t.toll.PlazaTransactionService|Plaza {plaza} lane {k}: tag 6{n}{k}{n}{k} charged RM {k}.{n}0",
               "m.t.toll.rules.DiscountEngine|Rule set v{k}{n} applied to tx {h8}"],
    "pino": ["top-up {h8} credited RM {k}0.00|POST /v1/topup/fpx/callback 200",
             "FPX bank list refreshed ({n} banks online)"],
    "python": ["INFO:     10.8.{k}.{n}:5{n}{k}1 - \"POST /v1/kyc/documents HTTP/1.1\" 201 Created",
               "INFO:kyc.documents:document {h8} stored for review"],
    "redis": ["1:M {dmy} * Background saving started by pid {n}{k}",
              "1:M {dmy} * Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "springgw": 'reactor.netty.http.server.AccessLog|45.{k}.{n}.9 - - "GET /.git/config HTTP/1.1" 404 0',
    "python": "WARNING:kyc.documents:document {h8} rejected: image too blurry (score 0.{n})",
}

SPRING = {"error": "ERROR", "warn": " WARN", "info": " INFO", "debug": "DEBUG"}
ZAP = {"error": "error", "warn": "warn", "info": "info", "debug": "debug"}
PINO = {"error": 50, "warn": 40, "info": 30, "debug": 20}
PY = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
IMAGES = {"gateway": "3.2.5", "wallet": "2.14.0", "toll": "5.8.2", "topup": "1.22.3", "kyc": "0.9.7", "notify": "1.4.0",
          "redis": "7.2.4"}  # fmt: skip


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    local = at + MYT
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{plaza}", PLAZAS[int(h[:2], 16) % len(PLAZAS)])
        .replace("{h8}", h[40:48])
        .replace("{dmy}", f"{local.day:02d} {local:%b %Y %H:%M:%S}.{local.microsecond // 1000:03d}")
    )


def _content(tech: str, service: str, at: datetime, level: str, said: str, h: str, pod: str) -> tuple[str, str]:
    """The line as the program writes it, and the stream it writes it to."""
    local = at + MYT
    if tech in ("springgw", "spring"):  # Spring Boot 3's console pattern, the JVM in Malaysia's time zone
        logger, sep, message = said.partition("|")
        if not sep:
            logger, message = "m.t.app", said
        thread = f"nio-8080-exec-{int(h[:2], 16) % 9 + 1}" if tech == "spring" else f"reactor-http-epoll-{h[0]}"
        return (f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}+08:00 {SPRING[level]} 1 --- [{service}] "
                f"[{thread:>15}] {logger:<40} : {message}"), "stdout"  # fmt: skip
    if tech == "zap":  # zap's production JSON: epoch seconds, caller, msg, error
        msg, _, err = said.partition("|")
        extra = f',"error":"{err}"' if err else ""
        line = (f'{{"level":"{ZAP[level]}","ts":{at.timestamp():.6f},"caller":"{service}/handler.go:{int(h[:2], 16)}",'
                f'"msg":"{msg}"{extra}}}')  # fmt: skip
        return line, "stderr"  # zap's production logger writes to stderr
    if tech == "pino":  # pino's JSON; "msg|METHOD path status" for a request
        msg, _, req = said.partition("|")
        extra = f',"req":"{req}"' if req else ""
        return (f'{{"level":{PINO[level]},"time":{int(at.timestamp() * 1000)},"pid":1,"hostname":"{pod}"{extra},'
                f'"msg":"{msg}"}}'), "stdout"  # fmt: skip
    if tech == "python":  # uvicorn's access lines and logging.basicConfig, to stderr
        if said[:5] in ("INFO:", "WARNI", "ERROR"):
            return said, "stderr"
        return f"{PY[level]}:kyc:{said}", "stderr"
    return said, "stdout"  # Redis writes its own header


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One log of the team's `aliyun log get_logs` export, every value a string."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    said = _fill(at, text, h)
    suffix = _hex(service, pod)
    pod_name = f"{service}-{suffix[:9]}-{suffix[9:14]}" if tech != "redis" else "redis-0"
    content, stream = _content(tech, service, at, level, said, h, pod_name)
    node_ip = f"172.16.{int(suffix[14:16], 16) % 4 + 1}.{int(suffix[16:18], 16)}"
    received = at + timedelta(seconds=1 + int(h[8:10], 16) % 4)
    local = at + MYT
    return {
        "__time__": str(int(at.timestamp())),
        "__source__": node_ip,
        "__topic__": "",
        "__tag__:__hostname__": f"ap-southeast-3.{node_ip}",
        "__tag__:__receive_time__": str(int(received.timestamp())),
        "_container_name_": service,
        "_image_name_": f"registry-vpc.ap-southeast-3.aliyuncs.com/tolpay/{service}:{IMAGES[service]}",
        "_namespace_": "tolpay",
        "_pod_name_": pod_name,
        "_source_": stream,
        "_time_": f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}123+08:00",
        "content": content,
    }
