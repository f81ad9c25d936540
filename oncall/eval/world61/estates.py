"""World 61's estate, written after world 60's rules and scored before any rule saw it.

A Chinese food-delivery platform (外卖) on Alibaba Cloud Container Service for Kubernetes (ACK), Hangzhou region:
Spring Cloud Gateway in front, Java services talking Dubbo 3 to each other (order, inventory, payment,
merchant), registered in and configured from Nacos (Sentinel's flow rules live there too), RocketMQ for order
events, two Go services (the image service storing menu pictures in OSS, and rider dispatch), PolarDB and Tair
as managed services nobody gets logs or metrics from here, and Alipay as the payment provider. Teams write
Chinese in their log messages; the log levels and exception names are English.

Logtail (the Simple Log Service agent, a DaemonSet) collects every container's standard output and error, and
the bundle is the logstore's GetLogs results written one log a line, as the API returns them: every value a
string; `__time__` the second the line was collected (epoch seconds, as text), `__source__` the node's IP,
`__topic__` empty, `__tag__:__hostname__` the node, `__tag__:__receive_time__`, and Logtail's container fields
with underscores around their names: `_time_` (the runtime's RFC 3339 time, nanoseconds), `_source_` (`stdout`
or `stderr`), `_image_name_`, `_container_name_`, `_pod_name_`, `_namespace_`, `_pod_uid_`,
`_container_ip_`; the line itself is `content`. Nothing parses the line: Java's level is in Logback's pattern
(with SkyWalking's trace id), Go's zap logger writes JSON to standard error, every line of it. Metrics: ARMS
Prometheus by `service`, every 30 s."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: scg dubbo go rocketmq nacos polardb tair saas
SHANGHAI = timezone(timedelta(hours=8))


def _signals() -> dict[str, str]:
    sel = 'service="{service}",regionId="cn-hangzhou",clusterId="c7e1f0a2b3c4d4e9"'
    return {
        "request_rate": f"arms_app_requests_rate{{{sel}}}",
        "error_ratio": f"arms_app_requests_error_ratio{{{sel}}}",
        "latency_p99": f"arms_app_requests_seconds_p99{{{sel}}}",
        "cpu_utilization": f"arms_k8s_pod_cpu_usage_ratio{{{sel}}}",
        "memory_utilization": f"arms_k8s_pod_memory_working_set_ratio{{{sel}}}",
        "restarts": f"arms_k8s_pod_restarts_delta_5m{{{sel}}}",
        "disk_utilization": f"arms_k8s_pvc_used_ratio{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="waimai-prod",
    namespace="waimai",
    shipper="sls-logtail",
    signals=_signals(),
    nodes=(
        Node("api-gateway", "scg", ("order-service", "merchant-service"), 400),
        Node("order-service", "dubbo", ("inventory-service", "payment-service", "rocketmq-broker", "nacos"), 160),
        Node("inventory-service", "dubbo", ("polardb", "tair", "nacos"), 220),
        Node("payment-service", "dubbo", ("alipay", "polardb", "rocketmq-broker", "nacos"), 90),
        Node("merchant-service", "dubbo", ("image-service", "polardb", "nacos"), 60),
        Node("image-service", "go", ("oss",), 25),
        Node("rider-dispatch", "go", ("rocketmq-broker", "tair"), 120),
        Node("rocketmq-broker", "rocketmq", (), 600),
        Node("nacos", "nacos", (), 80),
        Node("polardb", "polardb", (), 900),
        Node("tair", "tair", (), 1500),
        Node("alipay", "saas", (), 40),
        Node("oss", "saas", (), 25),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "scg": ['10.12.1.{n} - - [{clf}] "POST /api/orders HTTP/1.1" 200 512 41 ms',
            '10.12.1.{n} - - [{clf}] "GET /api/merchants/88{n}/menu HTTP/1.1" 200 18211 23 ms'],
    "dubbo": ["处理完成 traceId=a1{n}f orderNo=WM20260603{n}1288 cost=31ms"],
    "go": ['{"level":"info","ts":{epoch},"caller":"server/http.go:112","msg":"request done","path":"/v1/jobs",'
           '"status":200,"latency_ms":4{n}}'],
    "rocketmq": ["{date} INFO FlushRealTimeService - commitlog flush ok, offset=882{n}1933"],
    "nacos": ["{date} INFO [notify-center] client 10.12.2.{n}:51234 connected, current connections 142"],
}  # fmt: skip
NOISE = {
    "dubbo": "Sentinel 规则未命中，使用默认规则 resource=GET:/api/orders/list",
    "go": '{"level":"warn","ts":{epoch},"caller":"geo/cache.go:51","msg":"geo cache miss","rider_id":"r{n}"}',
}  # fmt: skip

# the Java services' Logback pattern, with SkyWalking's trace id: every line they write, the gateway's access
# log (Reactor Netty's) included, is a message after it
JAVA = "{date} [{thread}] {level} {logger} - [TID:{tid}] "
LOGGER = {
    "api-gateway": "reactor.netty.http.server.AccessLog",
    "order-service": "c.w.order.service.OrderServiceImpl",
    "inventory-service": "c.w.inventory.service.StockServiceImpl",
    "payment-service": "c.w.pay.service.PayServiceImpl",
    "merchant-service": "c.w.merchant.menu.MenuService",
}
# the thread a Java service's work runs on: inventory serves Dubbo calls, the others HTTP
THREAD = {
    "inventory-service": "DubboServerHandler-10.12.3.7:20880-thread-{n}",
    "api-gateway": "reactor-http-epoll-{n}",
    "*": "http-nio-8080-exec-{n}",
}
REGISTRY = "registry-vpc.cn-hangzhou.aliyuncs.com/waimai/"
IMAGE = {
    "scg": "api-gateway:3.4.2",
    "dubbo": "{service}:2.31.0",
    "go": "{service}:1.18.3",
    "rocketmq": "apache/rocketmq:5.1.4",
    "nacos": "nacos/nacos-server:v2.3.2",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _line(tech: str, service: str, at: datetime, level: str, text: str) -> str:
    """The line as the container writes it: the Java services' Logback pattern, zap's JSON, the broker's own."""
    if tech in ("scg", "dubbo"):
        text = JAVA.replace("{level}", f"{level.upper():<5}") + text
    loc = at.astimezone(SHANGHAI)
    ms = at.microsecond // 1000
    date = f"{loc:%Y-%m-%d %H:%M:%S}.{ms:03d}"
    return (
        text.replace("{date}", date if tech != "rocketmq" else f"{loc:%Y-%m-%d %H:%M:%S}")
        .replace("{clf}", f"{loc:%d/%b/%Y:%H:%M:%S} +0800")
        .replace("{epoch}", f"{at.timestamp():.6f}")
        .replace("{logger}", LOGGER.get(service, "c.w.common.Log"))
        .replace("{thread}", THREAD.get(service, THREAD["*"]))
        .replace("{tid}", f"{_hex(service, str(at.timestamp()))[:8]}.{at.second}.{int(at.timestamp() * 1000)}")
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One log of the logstore's GetLogs results, as the API returns it (every value a string)."""
    tech = estate.node(service).tech
    line = _line(tech, service, at, level, text).replace("{n}", str(int(at.timestamp()) % 79))
    pod_name = f"{service}-{_hex(service)[:9]}-{_hex(pod)[:5]}" if tech not in ("rocketmq", "nacos") else (
        f"{service}-{int(_hex(pod)[:2], 16) % 3}")  # fmt: skip
    node_ip = f"172.16.{3 + int(_hex(pod)[:2], 16) % 4}.{20 + int(_hex(pod)[2:4], 16) % 30}"
    received = at + timedelta(milliseconds=300 + int(_hex(pod, line)[:3], 16) % 900)
    return {
        "__time__": str(int(at.timestamp())),
        "__source__": node_ip,
        "__topic__": "",
        "__tag__:__hostname__": f"cn-hangzhou.{node_ip}",
        "__tag__:__pack_id__": f"{_hex(pod)[:16].upper()}-{int(_hex(line)[:3], 16):X}",
        "__tag__:__receive_time__": str(int(received.timestamp())),
        "_time_": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(_hex(line)[:2], 16) % 10}00Z",
        "_source_": "stderr" if tech == "go" else "stdout",
        "_image_name_": (IMAGE[tech] if "/" in IMAGE[tech] else REGISTRY + IMAGE[tech]).format(service=service),
        "_container_name_": service,
        "_pod_name_": pod_name,
        "_namespace_": estate.namespace,
        "_pod_uid_": "-".join(_hex(pod_name)[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))),
        "_container_ip_": f"10.12.{2 + int(_hex(service)[:2], 16) % 5}.{int(_hex(pod)[:2], 16) % 250}",
        "content": line,
    }
