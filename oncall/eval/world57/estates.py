"""World 57's estate, written after world 56's rules and scored before any rule saw it.

A Japanese online grocery's delivery platform on an on-premises Kubernetes cluster with Cilium: Envoy Gateway
at the edge, a Next.js storefront (pino's JSON, its levels numbers), a Go cart (zap's JSON, an epoch float
`ts`), a Spring Boot checkout (logstash-logback-encoder's JSON), a Kotlin payments service (logback's plain
pattern), a FastAPI inventory service (structlog's JSON, the message in `event`), a Rust delivery-slots
service (tracing's JSON, the message nested in `fields`), MySQL, Redis, Kafka, and two providers: PAY.JP for
cards and Yamato's delivery-slot API. The teams log in Japanese as often as in English.

Every Helm chart names its main container `app`. Mezmo's (LogDNA's) agent ships each line; the bundle is
Mezmo's export API (v1, NDJSON): `_ts` in epoch milliseconds, `_line` the line as written, `_app` the
container's name (`app` everywhere), `_host` the node, `pod` and `namespace`, the pod's labels under `_label`,
and for a JSON line its fields merged in beside them (`_logtype: json`); a level only where the line's own
JSON has one or the agent found a level word in its text. Metrics: Prometheus by `app`, every 30 s."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: envoy node golang java kotlin python rust mysql redis kafka saas
JST = timezone(timedelta(hours=9))


def _signals() -> dict[str, str]:
    sel = 'app="{service}",cluster="kaimono-prd"'
    return {
        "request_rate": f"http_server_requests_per_second{{{sel}}}",
        "error_ratio": f"http_server_error_ratio{{{sel}}}",
        "latency_p99": f"http_server_latency_p99_seconds{{{sel}}}",
        "cpu_utilization": f"kube_pod_cpu_usage_ratio_of_request{{{sel}}}",
        "memory_utilization": f"kube_pod_memory_working_set_ratio_of_limit{{{sel}}}",
        "restarts": f"kube_pod_container_restarts_increase_15m{{{sel}}}",
        "disk_utilization": f"kube_pod_ephemeral_storage_ratio_of_limit{{{sel}}}",
    }


PRD = Estate(
    label="app",
    name="kaimono-prd",
    namespace="shop",
    shipper="mezmo-export",
    signals=_signals(),
    nodes=(
        Node("gateway", "envoy", ("storefront",), 350),
        Node("storefront", "node", ("cart", "checkout", "inventory", "delivery-slots"), 300),
        Node("cart", "golang", ("redis", "inventory"), 200),
        Node("checkout", "java", ("payments", "cart", "kafka"), 40),
        Node("payments", "kotlin", ("payjp",), 40),
        Node("inventory", "python", ("mysql",), 260),
        Node("delivery-slots", "rust", ("mysql", "yamato-slots"), 90),
        Node("mysql", "mysql", (), 600),
        Node("redis", "redis", (), 900),
        Node("kafka", "kafka", (), 120),
        Node("payjp", "saas", (), 40),
        Node("yamato-slots", "saas", (), 30),
    ),
)

ESTATES = {PRD.name: PRD}

BACKGROUND = {
    "envoy": ['[{date}] "GET /api/products?category=vegetables HTTP/1.1" 200 - 0 18234 41 40 "10.0.3.12" '
              '"Mozilla/5.0" "{n}-req" "kaimono.example" "10.8.2.14:3000"'],
    "node": ['{"level":30,"msg":"GET /api/cart 200 in 38ms","req":{"id":"{n}"}}'],
    "golang": ['{"level":"info","caller":"cart/handler.go:88","msg":"カートを更新しました","items":4}'],
    "java": ['{"level":"INFO","logger_name":"jp.kaimono.checkout.OrderService","thread_name":"http-nio-8080-exec-4",'
             '"message":"注文 {n} を確定しました (3 items, 4,280 JPY)"}'],
    "kotlin": ["INFO  [ktor-worker-3] j.k.payments.ChargeRoute - charge ch_{n} succeeded in 212 ms"],
    "python": ['{"event":"stock reserved","level":"info","sku":"4901234{n}","qty":2}'],
    "rust": ['{"level":"INFO","fields":{"message":"配送枠を返しました","slots":12},"target":"delivery_slots::api"}'],
    "mysql": ["[Note] [MY-010914] [Server] Aborted connection 4{n} to db: 'shop' user: 'inventory' host: "
              "'10.8.3.21' (Got an error reading communication packets)"],
    "redis": ["DB saved on disk"],
    "kafka": ["INFO [GroupCoordinator 1]: Stabilized group checkout-events generation 41 (__consumer_offsets-12) "
              "with 3 members (kafka.coordinator.group.GroupCoordinator)"],
}  # fmt: skip
NOISE = {
    "node": '{"level":40,"msg":"slow render /products/[id] 1820ms"}',
    "golang": '{"level":"warn","caller":"cart/redis.go:41","msg":"redis pool: waited 120ms for a connection"}',
    "python": '{"event":"retrying supplier sync","level":"warning","attempt":1}',
}  # fmt: skip
IMAGES = {
    "envoy": "docker.io/envoyproxy/envoy:distroless-v1.31.2",
    "node": "harbor.kaimono.example/shop/storefront:14.2.0",
    "golang": "harbor.kaimono.example/shop/cart:3.9.1",
    "java": "harbor.kaimono.example/shop/checkout:8.4.0",
    "kotlin": "harbor.kaimono.example/shop/payments:2.7.3",
    "python": "harbor.kaimono.example/shop/inventory:5.1.2",
    "rust": "harbor.kaimono.example/shop/delivery-slots:1.12.0",
    "mysql": "docker.io/library/mysql:8.0.39",
    "redis": "docker.io/library/redis:7.2.5",
    "kafka": "docker.io/bitnami/kafka:3.7.1",
}
LEVEL_WORDS = ("ERROR", "WARN", "INFO")  # what the agent finds in a text line's words


def _line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it (the JSON ones with their own time and level where they keep them)."""
    loc = at.astimezone(JST)
    ms = at.microsecond // 1000
    iso = f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z"
    word = {"info": "INFO", "warn": "WARN", "error": "ERROR"}[level]
    if tech == "envoy":
        return text.replace("{date}", iso)
    if tech == "node":  # pino: time in epoch ms; the level as text says it
        obj = json.loads(text)
        return json.dumps({**obj, "time": int(at.timestamp() * 1000), "pid": 1, "hostname": "storefront"},
                          ensure_ascii=False)  # fmt: skip
    if tech == "golang":  # zap: ts an epoch float
        obj = json.loads(text)
        return json.dumps({"ts": round(at.timestamp(), 3), **obj}, ensure_ascii=False)
    if tech == "java":
        obj = json.loads(text)
        stamp = f"{loc:%Y-%m-%dT%H:%M:%S}.{ms:03d}+09:00"
        return json.dumps({"@timestamp": stamp, "@version": "1", **obj, "level_value": {"INFO": 20000,
                           "WARN": 30000, "ERROR": 40000}[obj["level"]]}, ensure_ascii=False)  # fmt: skip
    if tech == "kotlin":
        return f"{loc:%Y-%m-%d %H:%M:%S}.{ms:03d} {text}"
    if tech == "python":
        obj = json.loads(text)
        return json.dumps({**obj, "timestamp": iso}, ensure_ascii=False)
    if tech == "rust":
        obj = json.loads(text)
        return json.dumps({"timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z", **obj}, ensure_ascii=False)
    if tech == "mysql":
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z 0 {text}"
    if tech == "redis":
        mark = {"info": "*", "warn": "#", "error": "#"}[level]
        return f"1:M {loc:%d %b %Y %H:%M:%S}.{ms:03d} {mark} {text}"
    if tech == "kafka":
        return f"[{loc:%Y-%m-%d %H:%M:%S},{ms:03d}] {text}" if text.startswith(word) else text
    return text


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One line of Mezmo's export: the agent's fields, and a JSON line's own fields merged in beside them."""
    tech = estate.node(service).tech
    text = text.replace("{n}", str(int(at.timestamp()) % 97))
    line = _line(tech, at, level, text)
    template = _hex(service)[:10]
    pod_name = f"{service}-{template[:9]}-{_hex(pod)[:5]}"
    container = _hex(pod_name, "app")
    node = f"k8s-w-{int(_hex(pod)[:4], 16) % 8 + 1:02d}"
    rec: dict[str, Any] = {
        "_account": "6f1c2e7d4b",
        "_app": "app",
        "_cluster": "kaimono-prd",
        "_containerid": container[:12],
        "_file": f"/var/log/containers/{pod_name}_shop_app-{container}.log",
        "_host": node,
        "_ingester": "logdna-agent",
        "_label": {"app.kubernetes.io/name": service, "pod-template-hash": template[:9]},
        "_lid": _hex(line, pod)[:24],
        "_line": line,
        "_ts": int(at.timestamp() * 1000),
        "container": "app",
        "namespace": "shop",
        "pod": pod_name,
        "node": node,
    }
    try:
        own = json.loads(line)
    except ValueError:
        own = None
    if isinstance(own, dict):
        rec["_logtype"] = "json"
        rec.update({k: v for k, v in own.items() if k not in rec})
    else:
        rec["_logtype"] = "customapp"
        found = next((w for w in LEVEL_WORDS if w in line.split()), None)
        if found:
            rec["level"] = found
    return rec
