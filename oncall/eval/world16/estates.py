"""World 16's estate, written after world 15's rules and scored before any rule saw it.

A parcel-delivery platform on a managed Kubernetes cluster. Vector's `kubernetes_logs` source ships
every container's output, written by Vector's file sink as its own JSON event: the line in `message`,
`timestamp`, `stream`, the container's file under `/var/log/pods/`, and the pod in a `kubernetes`
object (`pod_name`, `container_name`, `pod_namespace`, `pod_node_name`, and the pod's labels in
`pod_labels`, not `labels`). Inside `message` each program keeps its own format: logstash-logback's
JSON, zap's JSON, bunyan's JSON, Django's text, Envoy's access log, Elasticsearch's ECS JSON. Metrics
are recording rules labelled `workload`, requests every 15 s and containers every 30 s."""

from __future__ import annotations

import json
import zlib
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: envoy java go node python elasticsearch postgres saas (no telemetry of its own)


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "workload:http_server_requests:rate5m",
        "error_ratio": "workload:http_server_requests_5xx:ratio_rate5m",
        "latency_p99": "workload:http_server_request_duration_seconds:p99_5m",
        "cpu_utilization": "workload:container_cpu_usage:ratio_request",
        "memory_utilization": "workload:container_memory_working_set:ratio_limit",
        "restarts": "workload:kube_pod_container_status_restarts:increase10m",
    }
    return {k: f'{v}{{workload="{{service}}"}}' for k, v in names.items()}


PARCELS = Estate(
    label="workload",
    name="parcels",
    namespace="parcels",
    shipper="vector",
    signals=_signals(),
    nodes=(
        Node("ingress", "envoy", ("catalog-api", "checkout", "rates", "uploads"), 260),
        Node("catalog-api", "java", ("search-index", "parcels-db"), 120),
        Node("recs", "go", ("search-index",), 40),
        Node("checkout", "java", ("rates", "address-svc", "parcels-db"), 45),
        Node("rates", "node", ("parcels-db",), 90),
        Node("address-svc", "python", ("geo-api",), 35),
        Node("uploads", "go", ("object-store",), 20),
        Node("thumbnailer", "go", ("object-store",), 12),
        Node("search-index", "elasticsearch", (), 160),
        Node("parcels-db", "postgres", (), 300),
        Node("geo-api", "saas", (), 35),
        Node("object-store", "saas", (), 40),
    ),
)

ESTATES = {PARCELS.name: PARCELS}

BACKGROUND = {
    "envoy": ['"GET /v2/parcels/8812/status HTTP/1.1" 200 - 0 412 18 17 "-" "okhttp/4.12.0"'],
    "java": ["parcel status served id=8812 ms=14"],
    "go": ["request served path=/v1/items status=200"],
    "node": ["quote computed zone=EU-3 weight=2.4"],
    "python": ["GET /v1/address/normalize 200"],
    "elasticsearch": ["[parcels-000041] update_mapping [_doc]"],
    "postgres": ["LOG:  checkpoint complete: wrote 412 buffers (2.5%)"],
}
NOISE = {
    "java": "HikariPool-1 - Failed to validate connection org.postgresql.jdbc.PgConnection@5e1a (This connection "
    "has been closed.). Possibly consider using a shorter maxLifetime value.",
    "go": "slow request path=/v1/items dur=812ms",
    "envoy": '"GET /healthz HTTP/1.1" 200 - 0 2 1 1 "-" "kube-probe/1.30"',
}
IMAGE_TAG = "2026.{i}"


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it."""
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if tech == "java":  # logstash-logback-encoder
        return json.dumps({"@timestamp": stamp, "@version": "1", "message": text, "logger_name": "com.parcels.api",
                           "thread_name": "http-nio-8080-exec-4", "level": level.upper(),
                           "level_value": {"error": 40000, "warn": 30000, "info": 20000}[level]})  # fmt: skip
    if tech == "go":  # zap's production encoder
        zap = {"level": level, "ts": round(at.timestamp(), 3), "caller": "server/handler.go:88", "msg": text}
        return json.dumps(zap)
    if tech == "node":  # bunyan
        return json.dumps({"name": "rates", "hostname": "rates", "pid": 1, "level": {"error": 50, "warn": 40,
                           "info": 30}[level], "msg": text, "time": stamp, "v": 0})  # fmt: skip
    if tech == "python":  # Django's default console format
        return f"{level.upper()} {at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} django.request {text}"
    if tech == "envoy":  # the default access log format
        return f"[{stamp}] {text}" if text.startswith('"') else f"[{stamp}][{level}][upstream] {text}"
    if tech == "elasticsearch":  # ECS JSON
        ecs = {"@timestamp": stamp, "log.level": level.upper(), "message": text, "ecs.version": "1.2.0",
               "service.name": "ES_ECS", "event.dataset": "elasticsearch.server",
               "log.logger": "o.e.c.m.MetadataMappingService", "elasticsearch.cluster.name": "parcels"}  # fmt: skip
        return json.dumps(ecs)
    if tech == "postgres":
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [77] {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """A Vector event from its kubernetes_logs source, as its file sink writes it."""
    tech = estate.node(service).tech
    pod_name = pod  # <deployment>-<pod-template-hash>-<suffix>
    uid = f"{zlib.crc32(pod_name.encode()):08x}-4c1e-4b7a-9f00-1d2e3f4a5b6c"
    return {
        "file": f"/var/log/pods/{estate.namespace}_{pod_name}_{uid}/{service}/0.log",
        "kubernetes": {
            "container_id": f"containerd://{zlib.crc32(uid.encode()):012x}",
            "container_image": f"registry.parcels.io/{service}:{IMAGE_TAG.format(i=7)}",
            "container_name": service,
            "pod_ip": f"10.4.{len(service)}.{sum(map(ord, pod)) % 250}",
            "pod_labels": {"app.kubernetes.io/name": service, "pod-template-hash": pod_name.split("-")[-2]},
            "pod_name": pod_name,
            "pod_namespace": estate.namespace,
            "pod_node_name": f"gke-parcels-pool-2-{sum(map(ord, pod)) % 7:x}f1c",
        },
        "message": line(tech, at, level, text),
        "source_type": "kubernetes_logs",
        "stream": "stderr" if level == "error" else "stdout",
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
    }
