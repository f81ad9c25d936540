"""World 79's estate, written after world 78's rules and scored before any rule saw it.

A Chilean copper mine's fleet-management platform on Amazon EKS: haul trucks and shovels report over MQTT to
EMQX, a Rust telemetry ingest reads them, a Go dispatch service assigns each truck its next load from the shift's
roster (a FastAPI service), a .NET maintenance service raises work orders in SAP PM, a Python tyre-analytics job
reads pressures, PostgreSQL keeps it all, CoreDNS answers every name, and Contour (Envoy) is the operators'
way in. Dispatch checks each haul road's wind against a weather provider's API before it routes a truck on it.

Logs are Honeycomb's: every pod's lines go through the OpenTelemetry Collector into Honeycomb, and the bundle is
the engineer's raw-data export of the `faena` environment, newest first, one event a line: the event's fields
flattened at the top level with their dotted names (`service.name`, `k8s.pod.name`, `exception.message`),
`Timestamp` with nanoseconds, `severity_text` as each SDK spells it (.NET's `Information` and `Warning`, Python's
`WARNING`), `severity_code` on OpenTelemetry's scale, `body`, `meta.signal_type`. EMQX, PostgreSQL, CoreDNS and
Contour's Envoy have no SDK: the collector's filelog receiver reads their containers' files, so their events have
no severity, their raw line as body, and Honeycomb's `unknown_service` as service.name (the collector's
k8sattributes processor adds the pod's names, not a service). Metrics: recording rules over PodMonitors, keyed
by their `job` label, which a PodMonitor writes as `namespace/name`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

NAMESPACE = "faena"
# how each SDK spells a level, and its severity number (None: no SDK, its file read by the filelog receiver)
_SEVERITY: dict[str, dict[str, tuple[str, int]] | None] = {
    "go": {"info": ("INFO", 9), "warn": ("WARN", 13), "error": ("ERROR", 17)},
    "rust": {"info": ("INFO", 9), "warn": ("WARN", 13), "error": ("ERROR", 17)},
    "dotnet": {"info": ("Information", 9), "warn": ("Warning", 13), "error": ("Error", 17)},
    "python": {"info": ("INFO", 9), "warn": ("WARNING", 13), "error": ("ERROR", 17)},
    "envoy": None,
    "emqx": None,
    "postgres": None,
    "coredns": None,
}
_STATEFUL = {"emqx", "postgres"}
_LIBRARY = {"go": "go.opentelemetry.io/contrib/bridges/otelslog", "rust": "opentelemetry-appender-tracing",
            "dotnet": "Faena.Maintenance", "python": "opentelemetry.sdk._logs"}  # fmt: skip


def _signals() -> dict[str, str]:
    sel = 'job="faena/{service}"'
    return {
        "request_rate": f"job:http_server_request_duration_seconds_count:rate1m{{{sel}}}",
        "error_ratio": f"job:http_server_request_errors:ratio_rate1m{{{sel}}}",
        "latency_p99": f"job:http_server_request_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"job:container_cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"job:container_memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"job:kubelet_volume_stats_used:ratio{{{sel}}}",
        "restarts": f"job:kube_pod_container_status_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="job",
    name="faena",
    namespace=NAMESPACE,
    shipper="honeycomb-raw-data-export",
    signals=_signals(),
    nodes=(
        Node("contour", "envoy", ("dispatch", "maintenance", "roster"), 40),
        Node("dispatch", "go", ("roster", "postgres", "weather", "coredns"), 60),
        Node("telemetry-ingest", "rust", ("emqx", "postgres", "coredns"), 400),
        Node("roster", "python", ("postgres", "s3"), 20),
        Node("maintenance", "dotnet", ("postgres", "sap-pm", "coredns"), 8),
        Node("tyre-analytics", "python", ("postgres",), 5),
        Node("emqx", "emqx", (), 400),
        Node("postgres", "postgres", (), 300),
        Node("coredns", "coredns", (), 900),
        Node("weather", "saas", (), 10),
        Node("sap-pm", "saas", (), 8),
        Node("s3", "saas", (), 5),
    ),
)

ESTATES = {PROD.name: PROD}

# a line as the program writes it; `text|exc|type|message` keeps an exception apart, as the SDK does
BACKGROUND = {
    "envoy": ['[{iso}Z] "GET /api/v3/fleet/trucks/CAT793-{k}{n} HTTP/2" 200 - 0 {n}{k}4 {k} {k} "10.20.{k}.{n}" '
              '"FaenaOperator/5.{k} (Windows NT 10.0)" "{hex}" "dispatch.faena.svc.cluster.local:8080" '
              '"10.20.{k}.{n}:8080"'],
    "go": ["assigned truck CAT793-{k}{n} to shovel PH4100-{k} (queue {k}, eta {n}s)",
           "road R-{k} open: wind {k}.{n} m/s under 20.0 m/s limit (station PAJ-{k})"],
    "rust": ["batch of {n}{k} payloads from fleet/+/telemetry written in {k}{n}ms"],
    "python": ["GET /v1/shifts/current 200 ({k}{n} ms)", "tyre pressures of CAT793-{k}{n} within limits"],
    "dotnet": ["Work order WO-{n}{k}88 synced to SAP PM for CAT793-{k}{n}"],
    "emqx": ["{iso6}+00:00 [info] clientid: CAT793-{k}{n}, msg: client_connected, peername: 10.40.{k}.{n}:{n}{k}12, "
             "proto_ver: 5"],
    "postgres": ["{ymd} {hms}.{ms} UTC [{n}{k}] LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL "
                 "file(s) added, 0 removed, {k} recycled"],
    "coredns": ['[INFO] 10.20.{k}.{n}:{n}{k}31 - {n}{k} "A IN postgres.faena.svc.cluster.local. udp 52 false 512" '
                'NOERROR qr,aa,rd 118 0.000{k}{n}s'],
}  # fmt: skip
NOISE = {
    "go": "roster answered slowly ({k}{n}0ms) for shift lookup",
    "dotnet": "SAP PM answered in {k}.{n}s for work order WO-{n}{k}88",
    "emqx": "{iso6}+00:00 [warning] clientid: CAT793-{k}{n}, msg: keepalive_timeout, peername: 10.40.{k}.{n}:{n}{k}12",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{hex}", _hex(tech, str(at.timestamp()))[:8])
        .replace("{iso6}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}")
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{ymd}", f"{at:%Y-%m-%d}")
        .replace("{hms}", f"{at:%H:%M:%S}")
        .replace("{ms}", f"{at.microsecond // 1000:03d}")
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One event of Honeycomb's raw-data export: the OpenTelemetry log record's fields flattened, dotted."""
    node = estate.node(service)
    said = _fill(at, text, node.tech)
    body, _, exception = said.partition("|exc|")
    h = _hex(service, pod)
    if node.tech in _STATEFUL:
        pod = f"{service}-{int(h[0], 16) % 3}"
    event: dict[str, Any] = {
        "Timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(h[1], 16) % 10}00Z",
        "meta.signal_type": "log",
        "meta.annotation_type": "",
    }
    severity = _SEVERITY[node.tech]
    if severity is None:  # the filelog receiver: the container's file, unparsed, no service of its own
        event |= {"service.name": "unknown_service", "body": body, "log.iostream": "stdout",
                  "log.file.path": f"/var/log/pods/{NAMESPACE}_{pod}_{h[2:10]}/{service}/0.log"}  # fmt: skip
    else:
        text_, number = severity.get(level, severity["info"])
        event |= {
            "service.name": service,
            "service.version": f"5.{int(h[3], 16) % 4}.{int(h[4], 16) % 9}",
            "severity_text": text_,
            "severity_code": number,
            "body": body,
            "library.name": _LIBRARY[node.tech],
            "trace.trace_id": _hex(service, str(at.timestamp()))[:32],
            "trace.span_id": _hex(str(at.timestamp()), service)[:16],
        }
        if exception:
            kind, _, message = exception.partition("|")
            if node.tech == "go":
                event["error"] = message or kind
            else:
                event |= {"exception.type": kind, "exception.message": message}
    event |= {
        "k8s.namespace.name": NAMESPACE,
        "k8s.pod.name": pod,
        ("k8s.statefulset.name" if node.tech in _STATEFUL else "k8s.deployment.name"): service,
        "k8s.node.name": f"ip-10-20-{int(h[5], 16) % 8}-{int(h[6], 16) * 7 % 250}.sa-east-1.compute.internal",
        "k8s.cluster.name": "faena-prod",
    }
    return event
