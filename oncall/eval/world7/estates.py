"""World 7's estates, written after world 6's rules and scored before any rule saw them: a lending
platform on GKE whose logs are Cloud Logging entries (`severity`, `jsonPayload.message` or
`textPayload`, the container in `resource.labels.container_name`), and a food delivery platform on
ECS whose logs are CloudWatch Logs events as exported (`timestamp` in epoch milliseconds, the raw
line in `message`, the service only in `logGroup` `/ecs/<service>` and `logStream`). Metrics use
Datadog-style dotted names flattened by the Prometheus exporter, keyed by `kube_service` and
`ecs_service`, every 60 s."""

from __future__ import annotations

import zlib
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech in this world: java node python nginx postgres mysql rabbitmq saas


def signals(key: str) -> dict[str, str]:
    return {
        "request_rate": f'trace_http_request_hits_per_s{{{key}="{{service}}"}}',
        "error_ratio": f'trace_http_request_errors_ratio{{{key}="{{service}}"}}',
        "latency_p99": f'trace_http_request_duration_p99{{{key}="{{service}}"}}',
        "cpu_utilization": f'container_cpu_usage_pct_of_limit{{{key}="{{service}}"}}',
        "memory_utilization": f'container_memory_usage_pct_of_limit{{{key}="{{service}}"}}',
        "restarts": f'container_restarts_count_delta{{{key}="{{service}}"}}',
        "disk_utilization": f'system_disk_in_use{{{key}="{{service}}"}}',
    }


LENDING = Estate(
    label="kube_service",
    name="lending",
    namespace="loans",
    shipper="cloudlogging",
    signals=signals("kube_service"),
    nodes=(
        Node("web-bff", "node", ("loan-app-svc", "identity-svc", "offers-svc"), 70),
        Node("loan-app-svc", "java", ("underwriting-svc", "loans-db", "docs-svc"), 40),
        Node("underwriting-svc", "java", ("credit-bureau", "loans-db", "decisions-mq"), 30),
        Node("identity-svc", "java", ("identity-db", "kyc-vendor"), 50),
        Node("offers-svc", "python", ("loans-db",), 30),
        Node("docs-svc", "python", ("docs-store",), 20),
        Node("decision-worker", "java", ("decisions-mq", "loans-db"), 15),
        Node("credit-bureau", "saas", (), 30),
        Node("kyc-vendor", "saas", (), 50),
        Node("docs-store", "saas", (), 20),
        Node("loans-db", "postgres", (), 120),
        Node("identity-db", "postgres", (), 60),
        Node("decisions-mq", "rabbitmq", (), 40),
    ),
)

DELIVERY = Estate(
    name="delivery",
    namespace="prod",
    shipper="cloudwatch",
    label="ecs_service",
    signals=signals("ecs_service"),
    nodes=(
        Node("api-edge", "nginx", ("orders-service", "courier-service", "menu-service"), 160),
        Node("orders-service", "java", ("orders-mysql", "payments-gw", "dispatch-queue"), 60),
        Node("courier-service", "node", ("geo-service", "orders-mysql"), 90),
        Node("menu-service", "python", ("menu-mysql",), 120),
        Node("geo-service", "java", ("maps-vendor",), 90),
        Node("dispatch-worker", "java", ("dispatch-queue", "orders-mysql"), 30),
        Node("payments-gw", "saas", (), 60),
        Node("maps-vendor", "saas", (), 90),
        Node("orders-mysql", "mysql", (), 150),
        Node("menu-mysql", "mysql", (), 120),
        Node("dispatch-queue", "rabbitmq", (), 60),
    ),
)

ESTATES = {e.name: e for e in (LENDING, DELIVERY)}

BACKGROUND = {
    "java": ["Completed 200 OK in 23ms", "HikariPool-1 - Pool stats (total=10, active=2, idle=8, waiting=0)"],
    "node": ["request completed statusCode=200 responseTime=31", "GET /health 200 2 ms"],
    "python": ["GET /v2/offers 200 in 44ms", "refreshed feature toggles"],
    "nginx": ['172.31.4.10 - - "GET /v1/menu HTTP/1.1" 200 2312 "-" "okhttp/4.9" rt=0.041'],
    "postgres": [
        "checkpoint starting: time",
        "checkpoint complete: wrote 93 buffers (0.6%); write=9.3 s, sync=0.004 s",
    ],
    "mysql": ["[Note] [MY-010914] [Server] Aborted connection 1241 to db: 'orders' (Got an error reading packets)"],
    "rabbitmq": ["accepting AMQP connection <0.9120.0> (172.31.8.4:51442 -> 172.31.2.7:5672)"],
}
NOISE = {
    "java": "WARN  o.s.web.servlet.PageNotFound - No mapping for GET /favicon.ico",
    "node": "warn: slow request GET /v1/couriers/nearby took 1180ms",
    "python": "WARNING urllib3.connectionpool: Retrying (Retry(total=2)) after connection broken",
}
SEVERITY = {"error": "ERROR", "warn": "WARNING", "info": "INFO"}


def line(tech: str, at: datetime, service: str, level: str, text: str) -> str:
    stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if tech == "java":  # logback's default pattern
        return f"{stamp} {level.upper():5} 1 --- [nio-8080-exec-3] c.l.{service.split('-')[0]}.Handler : {text}"
    if tech == "node":  # pino, as text through pino-pretty's single-line mode
        return f"[{at.strftime('%H:%M:%S.%f')[:-3]}] {level.upper()} ({service}): {text}"
    if tech == "python":  # logging's default format
        return f"{stamp} {SEVERITY[level]} {service}: {text}"
    if tech == "postgres":
        return f"{stamp} UTC [411] {dict(error='ERROR', warn='WARNING', info='LOG')[level]}:  {text}"
    return f"{stamp} [{level}] {text}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    tech = estate.node(service).tech
    if estate.shipper == "cloudlogging":
        entry: dict = {
            "insertId": f"{zlib.crc32(f'{service}{at.isoformat()}'.encode()):010d}",
            "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
            "severity": SEVERITY[level],
            "resource": {
                "type": "k8s_container",
                "labels": {
                    "cluster_name": "prod-1",
                    "namespace_name": estate.namespace,
                    "container_name": service,
                    "pod_name": pod,
                },
            },
        }
        if tech in ("java", "python"):  # structured: the agent parsed the line
            entry["jsonPayload"] = {"message": text, "logger": f"{service}"}
        else:
            entry["textPayload"] = line(tech, at, service, level, text)
        return entry
    return {
        "timestamp": int(at.timestamp() * 1000),
        "message": line(tech, at, service, level, text) if tech != "nginx" or level != "info" else text,
        "logGroup": f"/ecs/{service}",
        "logStream": f"ecs/{service}/{pod}",
        "ingestionTime": int(at.timestamp() * 1000) + 900,
    }
