"""World 62's estate, written after world 61's rules and scored before any rule saw it.

An Indian mutual-fund and SIP investing app on Oracle Cloud's Kubernetes Engine (OKE), Mumbai region
(ap-mumbai-1): Apache APISIX at the edge, a Go order API (slog's JSON) placing orders on BSE StAR MF and
publishing trade events to OCI Streaming, a Kotlin Ktor portfolio service on Autonomous Database, a Django
KYC service (gunicorn, its records on standard error as Python's logging writes them by default) checking
documents through DigiLocker, a Quarkus service presenting UPI AutoPay mandate debits through a partner
bank, Python jobs with structlog's console renderer (the nightly NAV import from AMFI's file, a statement
backfill), and a Node notifier (pino). Autonomous Database, OCI Streaming, BSE StAR MF, AMFI, the partner
bank, DigiLocker and the SMS gateway are managed or outside: no logs or metrics of theirs here.

The Unified Monitoring Agent tails `/var/log/containers/*.log` with no parser, so the bundle is OCI Logging's
search results written one a line as `oci logging-search search-logs` returns each: `{"data": {"datetime":
<epoch ms>, "logContent": {...}}}`, the CloudEvents envelope holding `data.message` (the container runtime's
line: its own RFC 3339 time, the stream, the partial flag `F`, then what the program wrote), `source` (the
worker node's host name), `subject` (the file tailed: `<pod>_<namespace>_<container>-<id>.log`, the only
place the service is named), `time`, `type`, `id` and `oracle` (OCIDs). Metrics: the OpenTelemetry
Collector's span metrics, recorded per `service_name` every 60 s."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: apisix go ktor django quarkus pyjob node saas
IST = timezone(timedelta(hours=5, minutes=30))
NAMESPACE = "nivesh-prod"


def _signals() -> dict[str, str]:
    sel = 'service_name="{service}",deployment_environment="prod",k8s_cluster_name="oke-bom-prod"'
    return {
        "request_rate": f"service_name:traces_span_metrics_calls:rate1m{{{sel}}}",
        "error_ratio": f"service_name:traces_span_metrics_calls_error:ratio1m{{{sel}}}",
        "latency_p99": f"service_name:traces_span_metrics_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"service_name:container_cpu_usage:ratio_of_limit{{{sel}}}",
        "memory_utilization": f"service_name:container_memory_working_set:ratio_of_limit{{{sel}}}",
        "restarts": f"service_name:kube_pod_container_status_restarts:increase5m{{{sel}}}",
        "disk_utilization": f"service_name:kubelet_volume_stats_used:ratio{{{sel}}}",
    }


PROD = Estate(
    label="service_name",
    name="nivesh-prod",
    namespace=NAMESPACE,
    shipper="oci-unified-monitoring-agent",
    signals=_signals(),
    nodes=(
        Node("edge-gateway", "apisix", ("orders-api", "portfolio-service", "kyc-service", "mandate-service"), 320),
        Node("orders-api", "go", ("bse-starmf", "oci-streaming", "mandate-service", "autonomous-db"), 70),
        Node("portfolio-service", "ktor", ("autonomous-db", "oci-cache"), 210),
        Node("kyc-service", "django", ("digilocker", "object-storage", "autonomous-db"), 18),
        Node("mandate-service", "quarkus", ("partner-bank", "autonomous-db"), 35),
        Node("nav-ingest", "pyjob", ("amfi", "autonomous-db"), 2),
        Node("statement-backfill", "pyjob", ("oci-streaming", "object-storage"), 2),
        Node("notifier", "node", ("oci-streaming", "sms-gateway"), 30),
        Node("autonomous-db", "saas", (), 700),
        Node("oci-cache", "saas", (), 900),
        Node("oci-streaming", "saas", (), 400),
        Node("bse-starmf", "saas", (), 40),
        Node("amfi", "saas", (), 1),
        Node("partner-bank", "saas", (), 30),
        Node("digilocker", "saas", (), 10),
        Node("object-storage", "saas", (), 20),
        Node("sms-gateway", "saas", (), 25),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "apisix": ['10.0.10.{n} - - [{clf}] api.nivesh.example "GET /api/v1/portfolio/holdings HTTP/1.1" 200 2311 0.041 '
               '"-" "NiveshApp/7.4.1 (Android 14)" 10.244.1.{n}:8080 200 0.039 "http://api.nivesh.example"',
               '10.0.10.{n} - - [{clf}] api.nivesh.example "POST /api/v1/orders HTTP/1.1" 201 412 0.088 "-" '
               '"NiveshApp/7.4.1 (iOS 17.5)" 10.244.2.{n}:8080 201 0.086 "http://api.nivesh.example"'],
    "go": ['{"time":"{iso}","level":"INFO","msg":"order placed","order_id":"ORD26{n}0412","scheme":"INF109K01Z{n}",'
           '"amount":5000,"latency_ms":4{n}}'],
    "ktor": ["{date} [eventLoopGroupProxy-4-{n}] INFO  Application - 200 OK: GET - /api/v1/portfolio/holdings "
             "in 3{n}ms"],
    "django": ['[{date},{ms}] INFO kyc.views: PAN verified pan=ABCPX{n}23F request_id=req-{n}a9'],
    "quarkus": ["{date},{ms} INFO  [com.niv.man.MandateResource] (executor-thread-{n}) mandate debit presented "
                "umn=NIVE0000{n}81 amount=2500.00"],
    "pyjob": ["{date} [info     ] heartbeat                      job={service} pending=0"],
    "node": ['{"level":30,"time":{epoch_ms},"pid":1,"hostname":"{pod}","msg":"sms delivered","provider":"msg91",'
             '"template":"sip_debit_ok"}'],
}  # fmt: skip
NOISE = {
    "ktor": "{date} [eventLoopGroupProxy-4-{n}] WARN  c.n.portfolio.cache.Quotes - quote cache miss for "
            "INF109K01Z{n}, reading through",
    "go": '{"time":"{iso}","level":"WARN","msg":"bse session refreshed early","session_age_s":3{n}}',
    "quarkus": "{date},{ms} WARN  [io.ver.cor.imp.BlockedThreadChecker] (vertx-blocked-thread-checker) Thread "
               "Thread[vert.x-eventloop-thread-1,5,main] has been blocked for 21{n} ms, time limit is 2000 ms",
}  # fmt: skip

# where each program writes: Python's logging and gunicorn to standard error, APISIX's error log too
STDERR = ("django",)


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _line(tech: str, service: str, pod: str, at: datetime, text: str) -> str:
    """What the program wrote: times in India's zone where its logger uses the local one."""
    loc = at.astimezone(IST)
    ms = f"{at.microsecond // 1000:03d}"
    local = f"{loc:%Y-%m-%d %H:%M:%S}"
    date = {
        "ktor": f"{local}.{ms}",
        "pyjob": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z",
        "apisix": f"{loc:%Y/%m/%d %H:%M:%S}",  # nginx's error log
    }.get(tech, local)
    return (
        text.replace("{date}", date)
        .replace("{ms}", ms)
        .replace("{clf}", f"{loc:%d/%b/%Y:%H:%M:%S} +0530")
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z")
        .replace("{epoch_ms}", str(int(at.timestamp() * 1000)))
        .replace("{service}", service)
        .replace("{pod}", pod)
        .replace("{n}", str(int(at.timestamp()) % 83))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One search result as `oci logging-search search-logs` returns it, the container runtime's line in it."""
    tech = estate.node(service).tech
    pod_name = f"{service}-{_hex(service)[:9]}-{_hex(pod)[:5]}"
    line = _line(tech, service, pod_name, at, text)
    stream = "stderr" if tech in STDERR or (tech == "apisix" and line[:4].isdigit()) else "stdout"
    node = f"oke-c4xq2mzrgya-n{_hex(pod)[:9]}-{int(_hex(pod)[9:11], 16) % 3}"
    runtime = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(_hex(pod, line)[:3], 16) % 1000:03d}Z"
    ingested = at + timedelta(milliseconds=400 + int(_hex(line)[:3], 16) % 1500)
    ocid = "amaaaaaa6niv" + _hex("nivesh")[:48]
    return {
        "data": {
            "datetime": int(at.timestamp() * 1000),
            "logContent": {
                "data": {"message": f"{runtime} {stream} F {line}"},
                "id": str(uuid.UUID(_hex(pod, line, str(at.timestamp()))[:32])),
                "oracle": {
                    "compartmentid": f"ocid1.compartment.oc1..{ocid}",
                    "ingestedtime": f"{ingested:%Y-%m-%dT%H:%M:%S}.{ingested.microsecond // 1000:03d}Z",
                    "loggroupid": f"ocid1.loggroup.oc1.ap-mumbai-1.{ocid}",
                    "logid": f"ocid1.log.oc1.ap-mumbai-1.{ocid[::-1]}",
                    "tenantid": f"ocid1.tenancy.oc1..{ocid[6:]}",
                },
                "source": node,
                "specversion": "1.0",
                "subject": f"/var/log/containers/{pod_name}_{estate.namespace}_{service}-{_hex(pod_name, 'c')}.log",
                "time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
                "type": "com.oraclecloud.logging.custom.oke-container-logs",
            },
        }
    }
