"""World 82's estate, written after world 81's rules and scored before any rule saw it.

A Vancouver ski resort's lift-pass platform on GKE: Google's external HTTP(S) load balancer in front (a GKE
Ingress); a Rails pass-api the shop and the gates ask; a Django checkout charging through Stripe; an Elixir pricing
service reading its price tables from Cloud Storage; a Go scan-processor consuming the gates' scans from Pub/Sub; a
Go ledger; Cloud SQL for PostgreSQL (reached through the Cloud SQL Auth Proxy sidecar in each pod) and Memorystore
for Redis.

Logs are Cloud Logging's, routed by a log sink into BigQuery and read back as the console's query results saved
as JSON (jq -c '.[]': one row a line, newest first): `timestamp` as BigQuery writes a TIMESTAMP
(`2027-12-20 15:04:05.123456 UTC`), `severity`, `textPayload` or `jsonPayload` (whatever the container wrote, as a
record: lograge's `method`/`path`/`status`, structlog's `event`, zap's `msg`), `resource` with its `type` and
`labels` (`pod_name`, `container_name`: the Cloud SQL Auth Proxy sidecar's lines are its own container's), and the
entry's `labels` with their keys as the sink rewrites them (`k8s_pod_app`, not `k8s-pod/app`). BigQuery writes an
INT64 as a string. The load balancer's request logs name no pod: their backend is in
`resource.labels.backend_service_name` (`k8s1-<hash>-peaks-pass-api-80-<hash>`), their outcome in `httpRequest`
and `jsonPayload.statusDetails`. Memorystore writes no logs. Metrics: Cloud Monitoring's through the Prometheus
sidecar, keyed by `service`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

NAMESPACE = "peaks"
PROJECT = "coast-peaks-prod"
_SEVERITY = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR"}


def _signals() -> dict[str, str]:
    sel = 'service="{service}",cluster="peaks-prod"'
    return {
        "request_rate": f"peaks:requests:rate5m{{{sel}}}",
        "error_ratio": f"peaks:errors:ratio5m{{{sel}}}",
        "latency_p99": f"peaks:latency_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"kubernetes_io:container_cpu_limit_utilization{{{sel}}}",
        "memory_utilization": f"kubernetes_io:container_memory_limit_utilization{{{sel}}}",
        "disk_utilization": f"cloudsql_googleapis_com:database_disk_utilization{{{sel}}}",
        "restarts": f"kubernetes_io:container_restart_count:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="peaks",
    namespace=NAMESPACE,
    shipper="cloud-logging-bigquery-sink-json",
    signals=_signals(),
    nodes=(
        Node("lb", "gclb", ("pass-api", "checkout"), 90),
        Node("pass-api", "ruby", ("redis", "cloudsql", "pricing"), 60),
        Node("checkout", "python", ("stripe", "cloudsql", "ledger"), 8),
        Node("pricing", "elixir", ("redis", "gcs"), 30),
        Node("scan-processor", "go", ("pubsub", "cloudsql"), 50),
        Node("ledger", "go", ("cloudsql",), 6),
        Node("cloudsql", "postgres", (), 150),
        Node("redis", "redis", (), 200),
        Node("pubsub", "saas", (), 50),
        Node("stripe", "saas", (), 8),
        Node("gcs", "saas", (), 5),
    ),
)

ESTATES = {PROD.name: PROD}

# `key=value` pairs (` | ` apart) make a structured logger's record; `|exc|` the error it recorded apart
BACKGROUND = {
    "gclb": ["GET /api/v2/passes/{n}{k}7 200"],
    "ruby": ["method=GET | path=/api/v2/passes/{n}{k}7 | format=json | controller=PassesController | action=show "
             "| status=200 | duration={k}{n}.{k}1 | view={k}.{n} | db={k}.{k}"],
    "python": ["event=cart priced | cart_id=c{n}{k}41 | total_cad={k}{n}9.00"],
    "elixir": ["{hms}.{ms} [info] Refreshed price table day_{k} ({n}{k} products)"],
    "go": ["msg=scan accepted | gate=G{k} | pass=P{n}{k}{k}21 | lift=chair-{k}"],
    "redis": ["(none)"],
    "postgres": ["{ymd} {hms}.{ms} UTC [{n}{k}]: [1-1] db=peaks,user=app LOG:  checkpoint complete: wrote {n}{k} "
                 "buffers ({k}.{n}%)"],
}  # fmt: skip
NOISE = {
    "ruby": "method=GET | path=/api/v2/passes/search | status=200 | duration={k}{n}00.{k}1 | slow=true",
    "go": "msg=retrying Pub/Sub ack | attempt=2",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{hex}", _hex(tech, str(at.timestamp()))[:16])
        .replace("{ymd}", f"{at:%Y-%m-%d}")
        .replace("{hms}", f"{at:%H:%M:%S}")
        .replace("{ms}", f"{at.microsecond // 1000:03d}")
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
    )


def _record(text: str) -> dict[str, Any] | None:
    """`k=v | k=v` as the structured logger's record, else None (a line of text)."""
    if "=" not in text.split(" | ")[0]:
        return None
    out: dict[str, Any] = {}
    for part in text.split(" | "):
        key, _, value = part.partition("=")
        out[key] = value
    return out


def _stamp(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d} UTC"


def record(
    estate: Estate, at: datetime, service: str, pod: str, level: str, text: str
) -> dict[str, Any] | list[dict[str, Any]]:
    """One row of the sink's BigQuery table as the console saves a query's results (jq -c '.[]')."""
    node = estate.node(service)
    if node.tech == "redis":  # Memorystore writes no logs
        return []
    said, _, exception = text.partition("|exc|")
    said = _fill(at, said, node.tech)
    h = _hex(service, pod, str(at.timestamp()))
    severity = _SEVERITY.get(level, "DEFAULT")
    row: dict[str, Any] = {
        "logName": f"projects/{PROJECT}/logs/stdout",
        "timestamp": _stamp(at),
        "receiveTimestamp": _stamp(at),
        "severity": severity,
        "insertId": h[:16],
        "textPayload": None,
        "jsonPayload": None,
    }
    if node.tech == "gclb":  # the load balancer's request log: what it answered, for which backend
        method, path, status = said.split(" ")[:3]
        backend = _hex("backend", path)[:8]
        target = "pass-api" if "/passes" in path else "checkout"
        detail = "backend_timeout" if status == "502" else "response_sent_by_backend"
        row |= {
            "logName": f"projects/{PROJECT}/logs/requests",
            "severity": "ERROR" if status.startswith("5") else "INFO",
            "resource": {"type": "http_load_balancer", "labels": {
                "project_id": PROJECT, "zone": "global", "url_map_name": "k8s2-um-peaks-web",
                "forwarding_rule_name": "k8s2-fs-peaks-web", "target_proxy_name": "k8s2-ts-peaks-web",
                "backend_service_name": f"k8s1-{backend}-{NAMESPACE}-{target}-80-{h[8:16]}"}},
            "httpRequest": {"requestMethod": method, "requestUrl": f"https://lifts.coastpeaks.ca{path}",
                            "status": status, "responseSize": str(int(h[:3], 16)),
                            "userAgent": "CoastPeaks/7.2 (iPhone)", "remoteIp": "198.51.100.{k}".replace("{k}", "7"),
                            "latency": "5.001s" if detail == "backend_timeout" else "0.0{k}s".replace("{k}", h[0])},
            "jsonPayload": {"_type": "type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry",
                            "statusDetails": detail},
        }  # fmt: skip
        return row
    container = service
    if said.startswith("[cloud-sql-proxy] "):  # the Auth Proxy sidecar beside the app in its pod
        container, said = "cloud-sql-proxy", said.removeprefix("[cloud-sql-proxy] ")
    if node.tech == "postgres":  # Cloud SQL's own log: another resource, no pod
        row |= {
            "logName": f"projects/{PROJECT}/logs/cloudsql.googleapis.com%2Fpostgres.log",
            "resource": {"type": "cloudsql_database", "labels": {
                "project_id": PROJECT, "database_id": f"{PROJECT}:peaks-pg", "region": "us-west1"}},
            "textPayload": said,
        }  # fmt: skip
        return row
    row |= {
        "resource": {"type": "k8s_container", "labels": {
            "project_id": PROJECT, "location": "us-west1", "cluster_name": "peaks-prod", "namespace_name": NAMESPACE,
            "pod_name": pod, "container_name": container}},
        "labels": {"k8s_pod_app": service, "k8s_pod_pod_template_hash": pod.split("-")[-2],
                   "compute_googleapis_com_resource_name": f"gke-peaks-prod-pool-2-{h[16:24]}-{h[24:28]}"},
    }  # fmt: skip
    structured = _record(said) if container == service else None
    if structured is None:  # a line of text: GKE files what a container writes to stdout at INFO, whatever it says
        row["textPayload"], row["severity"] = said, "INFO"
    else:
        if exception:  # each logger's own key for what it caught: lograge's and zap's error, structlog's exception
            kind, _, message = exception.partition("|")
            message = _fill(at, message, node.tech)
            if node.tech == "python":
                structured["exception"] = f"Traceback (most recent call last):\n  ...\n{kind}: {message}"
            else:
                structured["error"] = message if node.tech == "go" else f"{kind}: {message}"
        row["jsonPayload"] = structured
    return row
