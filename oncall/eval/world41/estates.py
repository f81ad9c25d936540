"""World 41's estate, written after world 40's rules and scored before any rule saw it.

A hotel-booking channel manager (it keeps rooms, rates and availability in step across booking sites) on
Google Cloud Run, bundled as **Cloud Logging's own LogEntry export** (a sink to a bucket, one entry a line):
`timestamp` with microseconds and `Z`, `severity` (`DEFAULT` for whatever a container prints to stdout as
plain text, `INFO`, `WARNING`, `ERROR`), the service only in **`resource.labels.service_name`** (with its
revision, region and project beside it, `resource.type` `cloud_run_revision`), the container instance only in
**`labels.instanceId`** (a long hex id), the line in `textPayload` for plain text or in `jsonPayload.message`
for the services that log structured JSON, and Cloud Run's **request logs**: one entry a request with an
`httpRequest` (`status`, `latency` as `"0.084s"`, `requestUrl`) and no text at all. Cloud SQL's PostgreSQL log
arrives as `cloudsql_database` entries named by `database_id` (`stayhub-prod:main-db`). The services: a Node
gateway (plain text), Go search and content, Python availability and rates (structured), a Spring booking
service (structured), a Node notifier fed by a Pub/Sub push subscription; Cloud SQL and Memorystore; the
booking sites' partner API, the payment provider, SendGrid and Cloud Storage are others', seen only through
what the platform logs. Metrics are the Stackdriver exporter's and recording rules keyed by `service_name`,
every 60 s (Cloud Monitoring's own sampling)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: node go python java pushsub postgres redis saas

PROJECT = "stayhub-prod"


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "stackdriver_cloud_run_revision_run_googleapis_com_request_count_rate",
        "error_ratio": "stayhub:run_requests_5xx:ratio5m",
        "latency_p99": "stayhub:run_request_latencies_seconds:p99_5m",
        "cpu_utilization": "stackdriver_cloud_run_revision_run_googleapis_com_container_cpu_utilizations_p99",
        "memory_utilization": "stackdriver_cloud_run_revision_run_googleapis_com_container_memory_utilizations_p99",
        "pool_utilization": "stayhub:cloudsql_backends:ratio_max_connections",
    }
    return {k: f'{v}{{service_name="{{service}}",project_id="{PROJECT}"}}' for k, v in names.items()}


STAYHUB = Estate(
    label="service_name",
    name="stayhub",
    namespace=PROJECT,
    shipper="cloud-logging",
    signals=_signals(),
    nodes=(
        Node("gateway", "node", ("search", "booking", "rates"), 500),
        Node("search", "go", ("availability", "content", "memorystore"), 400),
        Node("availability", "python", ("cloudsql", "partner-api"), 300),
        Node("booking", "java", ("cloudsql", "payments-psp", "pubsub"), 60),
        Node("rates", "python", ("cloudsql", "memorystore"), 200),
        Node("notifier", "pushsub", ("pubsub", "sendgrid"), 25),
        Node("content", "go", ("gcs",), 250),
        Node("cloudsql", "postgres", (), 2000),
        Node("memorystore", "redis", (), 4000),
        Node("partner-api", "saas", (), 300),
        Node("payments-psp", "saas", (), 20),
        Node("pubsub", "saas", (), 100),
        Node("sendgrid", "saas", (), 20),
        Node("gcs", "saas", (), 250),
    ),
)

ESTATES = {STAYHUB.name: STAYHUB}

# A line starting with REQ is one of Cloud Run's request logs: `REQ <status> <method> <path> <seconds>`
BACKGROUND = {
    "node": ["REQ 200 GET /api/hotels/8821/rooms 0.084", "proxied GET /api/hotels/8821/rooms to search in 81ms"],
    "go": ["REQ 200 GET /v1/search?city=lisbon 0.041", "search city=lisbon nights=3 hits=212 took=38ms"],
    "python": ["REQ 200 GET /v1/availability/8821 0.062", "availability refreshed for hotel 8821 (3 channels)"],
    "java": ["REQ 200 POST /v1/bookings 0.231", "Booking BK-88213 confirmed for hotel 8821"],
    "pushsub": ["REQ 204 POST /push/booking-events 0.052", "sent confirmation email for BK-88213"],
    "postgres": ["LOG:  checkpoint complete: wrote 1231 buffers (7.5%); 0 WAL file(s) added"],
    "redis": ["REQ 200 GET /healthz 0.001"],
}  # fmt: skip
NOISE = {
    "node": "WARN client closed connection before response: GET /api/hotels/8821/photos",
    "python": "partner availability for hotel 9912 returned no rooms; keeping cached",
    "go": "REQ 404 GET /v1/hotels/99999999 0.004",
}
_SEVERITY = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR", "fatal": "CRITICAL"}


def _stamp(at: datetime) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z"


def _instance(pod: str) -> str:
    return "00" + hashlib.sha256(pod.encode()).hexdigest()[:94]


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One LogEntry as Cloud Logging exports it."""
    tech = estate.node(service).tech
    insert = hashlib.sha256(f"{at.isoformat()}{service}{text}".encode()).hexdigest()[:16]
    if tech == "postgres":
        return {
            "insertId": insert,
            "timestamp": _stamp(at),
            "severity": _SEVERITY[level] if level != "info" else "INFO",
            "resource": {"type": "cloudsql_database", "labels": {"database_id": f"{PROJECT}:main-db",
                                                                 "project_id": PROJECT, "region": "europe-west1"}},
            "logName": f"projects/{PROJECT}/logs/cloudsql.googleapis.com%2Fpostgres.log",
            "textPayload": f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [2231]: [1-1] db=stayhub,user=app "
            f"{text}",
            "receiveTimestamp": _stamp(at + timedelta(milliseconds=180)),
        }  # fmt: skip
    entry: dict[str, Any] = {
        "insertId": insert,
        "timestamp": _stamp(at),
        "resource": {
            "type": "cloud_run_revision",
            "labels": {
                "service_name": service,
                "revision_name": f"{service}-00042-{pod.split('-')[-1]}",
                "configuration_name": service,
                "location": "europe-west1",
                "project_id": PROJECT,
            },
        },
        "labels": {"instanceId": _instance(pod)},
    }
    if text.startswith("REQ "):  # Cloud Run's request log: the request, no text
        _, status, method, path, seconds = text.split(" ", 4)
        code = int(status)
        entry |= {
            "severity": "ERROR" if code >= 500 else "WARNING" if code >= 400 else "INFO",
            "logName": f"projects/{PROJECT}/logs/run.googleapis.com%2Frequests",
            "httpRequest": {
                "requestMethod": method,
                "requestUrl": f"https://{service}-x7kp2qa-ew.a.run.app{path}",
                "status": code,
                "latency": f"{float(seconds):.6f}s",
                "userAgent": "Google-Cloud-Run-Client",
                "protocol": "HTTP/1.1",
            },
        }
    elif text.startswith("SYS "):  # Cloud Run's own line about the service (varlog/system)
        entry |= {
            "severity": _SEVERITY[level],
            "logName": f"projects/{PROJECT}/logs/run.googleapis.com%2Fvarlog%2Fsystem",
            "textPayload": text.removeprefix("SYS "),
        }
    elif tech in ("node", "pushsub"):  # plain text on stdout: Cloud Logging cannot tell its severity
        entry |= {
            "severity": "DEFAULT",
            "logName": f"projects/{PROJECT}/logs/run.googleapis.com%2Fstdout",
            "textPayload": text if text.startswith(("WARN ", "ERROR ")) or level == "info" else f"{level.upper()} "
            f"{text}",
        }  # fmt: skip
    else:  # structured JSON on stdout: its severity and message are lifted into the entry
        logger = {"go": "main", "python": f"{service}.app", "java": f"com.stayhub.{service}.Service"}.get(tech, service)
        entry |= {
            "severity": _SEVERITY[level],
            "logName": f"projects/{PROJECT}/logs/run.googleapis.com%2Fstdout",
            "jsonPayload": {"message": text, "logger": logger},
        }
    entry["receiveTimestamp"] = _stamp(at + timedelta(milliseconds=120))
    return json.loads(json.dumps(entry))
