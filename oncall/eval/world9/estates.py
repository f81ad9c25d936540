"""World 9's estates, written after world 8's rules and scored before any rule saw them.

A freight platform on virtual machines under systemd, whose logs arrive as `journalctl -o json`
records: microsecond `__REALTIME_TIMESTAMP`, the unit in `_SYSTEMD_UNIT`, the machine in `_HOSTNAME`,
and a `PRIORITY` that says nothing for programs writing to stdout (journald files them all at 6, the
level is only inside the line: go-kit logfmt, gunicorn's brackets); PostgreSQL and HAProxy log through
syslog with their own priorities (PostgreSQL files ERROR as a syslog warning); the kernel's lines carry
only the host. Its alarms are CloudWatch alarms through EventBridge, metrics every 60 s.

A photo-sharing platform on Kubernetes shipped by Splunk Connect: HEC events whose `host` is the node,
the container only in `sourcetype` and `fields`, and the raw line in `event` (pino JSON with its numeric
levels and an `err` object, zap JSON with `error`, gunicorn, Envoy access lines, PostgreSQL). Its alerts
come from Alertmanager, metrics are recording rules every 30 s."""

from __future__ import annotations

import json
import zlib
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech in this world: haproxy envoy go grpc python node postgres memcached saas bucket

FREIGHT = Estate(
    name="freight",
    namespace="freight",
    shipper="journald",
    label="ServiceName",
    signals={
        "request_rate": 'svc_requests_per_second{task="{service}"}',
        "error_ratio": 'svc_errors_ratio{task="{service}"}',
        "latency_p99": 'svc_latency_p99_seconds{task="{service}"}',
        "cpu_utilization": 'nomad_client_allocs_cpu_ratio{task="{service}"}',
        "memory_utilization": 'nomad_client_allocs_memory_ratio{task="{service}"}',
        "disk_utilization": 'node_filesystem_used_ratio{task="{service}"}',
        "restarts": 'nomad_client_allocs_restarts{task="{service}"}',
    },
    nodes=(
        Node("edge-lb", "haproxy", ("tracking-api", "booking-api"), 150),
        Node("tracking-api", "go", ("shipments-db", "geo-cache", "routing-grpc"), 90),
        Node("booking-api", "python", ("shipments-db", "carrier-api", "labels-bucket"), 30),
        Node("routing-grpc", "grpc", ("geo-cache",), 60),
        Node("shipments-db", "postgres", (), 140),
        Node("geo-cache", "memcached", (), 400),
        Node("carrier-api", "saas", (), 20),
        Node("labels-bucket", "bucket", (), 20),
    ),
)

PHOTOS = Estate(
    label="app",
    name="photos",
    namespace="media",
    shipper="splunk",
    signals={
        "request_rate": 'app:http_server_requests:rate5m{app="{service}"}',
        "error_ratio": 'app:http_server_errors:ratio_rate5m{app="{service}"}',
        "latency_p99": 'app:http_server_duration_seconds:p99{app="{service}"}',
        "cpu_utilization": 'app:container_cpu:saturation{app="{service}"}',
        "memory_utilization": 'app:container_memory_working_set:ratio{app="{service}"}',
        "disk_utilization": 'app:kubelet_volume_stats_used:ratio{app="{service}"}',
        "restarts": 'app:kube_pod_container_status_restarts:sum{app="{service}"}',
        "pool_utilization": 'app:db_client_connections_usage:ratio{app="{service}"}',
    },
    nodes=(
        Node("ingress", "envoy", ("photos-api", "feed-api"), 260),
        Node("photos-api", "node", ("media-db", "thumbs-grpc", "blob-store"), 120),
        Node("feed-api", "python", ("media-db", "feed-cache", "push-provider"), 90),
        Node("thumbs-grpc", "grpc", ("blob-store",), 100),
        Node("media-db", "postgres", (), 210),
        Node("feed-cache", "memcached", (), 500),
        Node("push-provider", "saas", (), 30),
        Node("blob-store", "bucket", (), 150),
    ),
)

ESTATES = {e.name: e for e in (FREIGHT, PHOTOS)}
UNSEEN = ("saas", "bucket")  # no telemetry of their own

BACKGROUND = {
    "haproxy": [
        "10.0.1.4:51234 [{d}] fe_https~ be_app/app-03 0/0/1/45/46 200 912 - - ---- 310/310/12/3/0 0/0 "
        '"GET /v1/track HTTP/1.1"'
    ],
    "envoy": [
        '"GET /v1/feed HTTP/1.1" 200 - 0 4211 38 37 "10.42.0.9" "okhttp/4.12" "9c1f" "feed-api:8080" "10.42.3.4:8080"'
    ],
    "go": ["request served", "cache refresh complete"],
    "grpc": ["finished unary call", "health check ok"],
    "python": ['"GET /healthz HTTP/1.1" 200 2', "booked shipment"],
    "node": ["request completed", "upload stored"],
    "postgres": ["checkpoint complete: wrote 311 buffers (1.9%); 0 WAL file(s) added, 0 removed, 1 recycled"],
    "memcached": ["slab class  12: chunk size 1184 perslab 885"],
}
NOISE = {
    "go": "slow request took longer than 500ms",
    "python": "DeprecationWarning: datetime.utcnow() is deprecated",
    "node": "request aborted by the client",
    "postgres": "duration: 1204.337 ms  statement: SELECT * FROM shipments WHERE status = $1",
}

KERNEL = "kernel: "  # a burst line the host's kernel logs, not the service
PG_SYSLOG = {"error": "3", "warn": "4", "info": "6"}  # FATAL -> err, ERROR -> warning, LOG -> info
HAPROXY_SYSLOG = {"error": "1", "warn": "4", "info": "6"}  # a server down is an alert
PINO = {"error": 50, "warn": 40, "info": 30}


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def raw(tech: str, at: datetime, level: str, text: str) -> str:
    """One line as the program itself writes it."""
    if tech in ("go", "grpc"):
        msg, _, err = text.partition(" | ")  # go-kit keeps the error apart from the message
        line = f'level={level} ts={_stamp(at)} caller=server.go:{88 + len(msg) % 40} msg="{msg}"'
        return line + (f' err="{err}"' if err else "")
    if tech == "python":
        if text.startswith("[CRITICAL]") or text.startswith('"'):
            return f"[{at.strftime('%Y-%m-%d %H:%M:%S +0000')}] [4411] {text}"
        return f"{at.strftime('%Y-%m-%d %H:%M:%S')},{at.microsecond // 1000:03d} {level.upper()} [app] {text}"
    if tech == "postgres":
        if text.split(":", 1)[0] in ("PANIC", "FATAL", "ERROR", "WARNING", "LOG"):
            return f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [2231] {text}"
        severity = {"error": "FATAL", "warn": "ERROR", "info": "LOG"}[level]
        return f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]} UTC [2231] {severity}:  {text}"
    if tech == "haproxy":
        return text.replace("{d}", at.strftime("%d/%b/%Y:%H:%M:%S.%f")[:-3])
    if tech == "envoy":
        return text if text.startswith('"') else f"[{_stamp(at)}][1][{level}][upstream] {text}"
    if tech == "node":
        msg, _, err = text.partition(" | ")
        doc: dict = {"level": PINO[level], "time": int(at.timestamp() * 1000), "pid": 1, "msg": msg}
        if err:
            stack = f"Error: {err}\n    at handler (/app/dist/routes.js:88:11)"
            doc["err"] = {"type": "Error", "message": err, "stack": stack}
        return json.dumps(doc)
    return f"{_stamp(at)} {level} {text}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    if text.startswith(KERNEL):
        return _kernel(estate, at, service, text.removeprefix(KERNEL))
    tech = estate.node(service).tech
    line = raw(tech, at, level, text)
    if estate.shipper == "journald":
        host = f"{service}-{int(pod[-1], 36) % 4 + 1:02d}"  # the VM
        rec = {
            "__REALTIME_TIMESTAMP": str(int(at.timestamp() * 1_000_000)),
            "_HOSTNAME": host,
            "_BOOT_ID": "5f1c0e0b9a8d4c1f8e2a7b6c5d4e3f21",
            "_PID": "812",
            "_TRANSPORT": "stdout",
            "PRIORITY": "6",
            "SYSLOG_IDENTIFIER": service,
            "_SYSTEMD_UNIT": f"{service}.service",
            "MESSAGE": line,
        }
        if tech in ("postgres", "haproxy"):  # through syslog, with their own priorities
            unit = "postgresql@15-main.service" if tech == "postgres" else "haproxy.service"
            rec.update(_TRANSPORT="syslog", SYSLOG_IDENTIFIER=tech, _SYSTEMD_UNIT=unit)
            rec["PRIORITY"] = (PG_SYSLOG if tech == "postgres" else HAPROXY_SYSLOG)[level]
        return rec
    container = service
    return {
        "time": round(at.timestamp(), 3),
        "host": f"ip-10-42-{len(pod) % 9}-{sum(map(ord, pod)) % 250}.eu-west-1.compute.internal",
        "source": f"/var/log/containers/{pod}_{estate.namespace}_{container}-{zlib.crc32(pod.encode()):012d}.log",
        "sourcetype": f"kube:container:{container}",
        "index": f"k8s_{estate.namespace}",
        "event": line,
        "fields": {
            "namespace": estate.namespace,
            "pod": pod,
            "container_name": container,
            "cluster_name": "media-prod",
        },
    }


def _kernel(estate: Estate, at: datetime, host_of: str, text: str) -> dict:
    """A kernel line: on the VMs it names only the machine; on Kubernetes it arrives from the node's journal."""
    if estate.shipper == "journald":
        return {
            "__REALTIME_TIMESTAMP": str(int(at.timestamp() * 1_000_000)),
            "_HOSTNAME": f"{host_of}-02",
            "_TRANSPORT": "kernel",
            "PRIORITY": "4",
            "SYSLOG_IDENTIFIER": "kernel",
            "MESSAGE": text,
        }
    return {
        "time": round(at.timestamp(), 3),
        "host": "ip-10-42-7-19.eu-west-1.compute.internal",
        "source": "/run/log/journal",
        "sourcetype": "kube:journald",
        "index": f"k8s_{estate.namespace}",
        "event": text,
        "fields": {"cluster_name": "media-prod"},
    }
