"""World 94's estate, written after world 93's rules and scored before any rule saw it.

A Shenzhen bubble-tea chain's ordering platform (customers order in a WeChat mini program and pick up by number)
on Tencent Kubernetes Engine (TKE), Guangzhou region: ingress-nginx in front, a Go order service (Kratos), a
Spring Boot menu service, a Go payment service taking WeChat Pay's callbacks, a NestJS member service (points and
SMS sign-in codes), a Python pickup-queue service driving the stores' number screens; TencentDB for MySQL and for
Redis; the stores' label printers through Feie's printer cloud; Tencent Cloud SMS.

Logs are Tencent Cloud Log Service's (CLS) search results, as the SearchLog API returns them and the team's export
script wrote one a line: `Time` (ms), `TopicId`, `TopicName`, `Source` (the node's address), `FileName` (the
container's log file), `HostName` (the node), `PkgId`, `PkgLogId`, and `LogJson`: the log's fields as a JSON
string. Each topic collects its way: the Go services' JSON lines parsed into their keys (zap's `level`, `ts` in
epoch seconds, `msg`), every other container's line whole in `__CONTENT__`; LogListener adds the container's
metadata as `__TAG__.pod_name`, `__TAG__.namespace`, `__TAG__.container_name`. What is in a line is each program's
own, many in Chinese or half in it, their times China's (UTC+8) and most without a zone. Metrics: Tencent's
managed Prometheus, by `workload` as TKE names one (`deployment/order-svc`)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

CST = timedelta(hours=8)
NODES = ("10.8.0.11", "10.8.0.12", "10.8.0.13", "10.8.0.14")
TOPICS = {"json": ("6c1f0a3e-go-json", "chali-prod-go"), "text": ("9b27d41c-app-text", "chali-prod-app")}
STORES = ("深圳南山店", "深圳福田店", "广州天河店", "东莞南城店")


def _signals() -> dict[str, str]:
    sel = 'workload="deployment/{service}",namespace="chali"'
    return {
        "request_rate": f"workload:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"workload:http_requests_5xx:ratio_rate1m{{{sel}}}",
        "latency_p99": f"workload:http_request_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"workload:container_cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"workload:container_memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"workload:disk_used:ratio{{{sel}}}",
        "pool_utilization": f"workload:db_connections:ratio_max{{{sel}}}",
        "restarts": f"workload:kube_pod_container_status_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="workload",
    name="chali",
    namespace="chali",
    shipper="cls-searchlog-results",
    signals=_signals(),
    nodes=(
        Node("ingress-nginx", "nginx", ("order-svc", "menu-svc", "pay-svc", "member-svc", "queue-svc"), 220),
        Node("order-svc", "kratos", ("mysql", "redis", "menu-svc", "feie-cloud", "queue-svc"), 90),
        Node("menu-svc", "spring", ("mysql", "redis"), 160),
        Node("pay-svc", "zap", ("wechat-pay", "mysql", "order-svc"), 40),
        Node("member-svc", "nest", ("mysql", "redis", "tencent-sms"), 50),
        Node("queue-svc", "uvicorn", ("redis",), 70),
        Node("mysql", "tencentdb", (), 600),
        Node("redis", "tencentdb", (), 1500),
        Node("wechat-pay", "saas", (), 40),
        Node("feie-cloud", "saas", (), 30),
        Node("tencent-sms", "saas", (), 5),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "nginx": ['{ip} - - [{local}] "POST /api/v2/orders HTTP/1.1" 200 {n}{k}2 "https://servicewechat.com/wx9f3c/12/'
              'page-frame.html" "Mozilla/5.0 MicroMessenger/8.0.49" 0.0{n} [chali-order-svc-80]',
              '{ip} - - [{local}] "GET /api/v2/menu?store={k} HTTP/1.1" 200 {n}{k}31 "-" "Mozilla/5.0 '
              'MicroMessenger/8.0.49" 0.0{k} [chali-menu-svc-8080]'],
    "kratos": ["msg=order created || order_id=CL{n}{k}77{k} || store={store} || cups={k}",
               "msg=label printed || order_id=CL{n}{k}77{k} || printer=FE-{k}{n}"],
    "spring": ["c.chali.menu.web.MenuController - 门店 {k} 菜单查询 took {n}ms",
               "c.chali.menu.stock.SoldOutSync - 售罄同步 {k} items"],
    "zap": ["msg=wechat pay notify handled || out_trade_no=CL{n}{k}77{k} || trade_state=SUCCESS"],
    "nest": ["[MembersService] points added: member={n}{k}9 points={k}",
             "[SmsService] verification code sent to 1{k}8****{n}{k}"],
    "uvicorn": ['10.8.{k}.{n}:0 - "GET /queue/store/{k}/current HTTP/1.1" 200 OK',
                "queue: store {k} now calling A{n}{k}"],
    "tencentdb": ["(managed: its logs stay in TencentDB's console, not in CLS)"],
}  # fmt: skip
NOISE = {
    "kratos": "msg=coupon rejected || reason=已过期 || coupon=CP{n}{k}",
    "nest": "[AuthService] login code mismatch for 1{k}8****{n}{k}",
    "nginx": '{ip} - - [{local}] "GET /favicon.ico HTTP/1.1" 404 153 "-" "Mozilla/5.0" 0.000 [-]',
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    local = at + CST
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{store}", STORES[int(h[:2], 16) % len(STORES)])
        .replace("{ip}", f"183.{int(h[:2], 16)}.{int(h[2:4], 16)}.{int(h[4:6], 16)}")
        .replace("{local}", f"{local:%d/%b/%Y:%H:%M:%S} +0800")
    )


def _fields(said: str) -> tuple[str, dict[str, Any]]:
    """`msg=... || key=value || ...` -> the message and its fields (whole numbers as numbers)."""
    msg, *pairs = said.split(" || ")
    out: dict[str, Any] = {}
    for p in pairs:
        k, _, v = p.partition("=")
        out[k] = int(v) if v.isdigit() else v
    return msg.removeprefix("msg="), out


def _content(tech: str, service: str, at: datetime, level: str, said: str, h: str) -> str:
    """The line as the program wrote it to its container's standard output."""
    local = at + CST
    if tech == "spring":  # Logback's default pattern, local time, no zone
        word = {"warn": "WARN ", "error": "ERROR", "info": "INFO ", "debug": "DEBUG"}[level]
        thread = f"http-nio-8080-exec-{int(h[:2], 16) % 20}"
        return f"{local:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} [{thread}] {word} {said}"
    if tech == "nest":  # NestJS's ConsoleLogger: its own date, the level word, the context in brackets
        word = {"warn": "WARN", "error": "ERROR", "info": "LOG", "debug": "DEBUG"}[level]
        stamp = f"{local:%m/%d/%Y}, {local:%I:%M:%S %p}"
        ctx, _, msg = said.partition("] ")
        return f"[Nest] 1  - {stamp} {word:>7} {ctx}] {msg}"
    if tech == "uvicorn":
        word = {"warn": "WARNING", "error": "ERROR", "info": "INFO", "debug": "DEBUG"}[level]
        return f"{word}:     {said}"
    return said  # nginx's access line as it is


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """One log as CLS's SearchLog returns it (none of the managed databases': they do not ship to CLS)."""
    node = estate.node(service)
    if node.tech == "tencentdb":
        return []
    h = _hex(service, pod, str(at.timestamp()), text)
    said = _fill(at, text, h)
    tags = {"__TAG__.pod_name": pod, "__TAG__.namespace": estate.namespace, "__TAG__.container_name": service}
    if node.tech in ("kratos", "zap"):  # parsed as JSON: the program's keys beside the tags
        msg, fields = _fields(said)
        caller = f"{'service' if node.tech == 'kratos' else 'notify'}/{h[:6]}.go:{int(h[6:8], 16)}"
        doc: dict[str, Any] = {"level": level, "ts": round(at.timestamp(), 3), "caller": caller, "msg": msg, **fields}
        if node.tech == "kratos":
            doc["trace.id"] = h[:32]
        topic = TOPICS["json"]
    else:
        doc = {"__CONTENT__": _content(node.tech, service, at, level, said, h)}
        topic = TOPICS["text"]
    source = NODES[int(h[2:4], 16) % len(NODES)]
    return [
        {
            "Time": int(at.timestamp() * 1000),
            "TopicId": topic[0],
            "TopicName": topic[1],
            "Source": source,
            "FileName": f"/var/log/containers/{pod}_{estate.namespace}_{service}-{h[:64]}.log",
            "PkgId": f"{h[8:24].upper()}-{int(h[24:28], 16)}",
            "PkgLogId": int(h[28:31], 16),
            "LogJson": json.dumps({**doc, **tags}, ensure_ascii=False, separators=(",", ":")),
            "HostName": f"node-{source.replace('.', '-')}",
        }
    ]
