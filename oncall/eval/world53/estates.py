"""World 53's estate, written after world 52's rules and scored before any rule saw it.

A regional hospital group's patient platform on OpenShift: a Next.js patient portal (pino's JSON as the line),
a Spring Boot appointments service and a HAPI FHIR server (both through the OpenTelemetry Java agent: the
level as the record's severity, an exception's type and message as attributes), a NextGen Connect (Mirth)
HL7 gateway polling the EHR vendor's API, a Python notifier sending SMS, Keycloak, ActiveMQ Artemis,
Infinispan, PostgreSQL under Crunchy PGO. Every pod's output goes through the **OpenTelemetry Collector's
`file` exporter**: one line a batch (OTLP/JSON `LogsData`: `resourceLogs`, each resource's `scopeLogs`, each
scope's `logRecords`), a resource's attributes a list of `{key, value: {stringValue}}`, a record's time in
`timeUnixNano`, its body `{"stringValue": ...}`; the lines the collector's filelog receiver read from files it
could not parse (PostgreSQL's, Artemis', Mirth's) carry no severity. Metrics: OpenShift's user-workload
Prometheus, recording rules keyed by `job` and `namespace`, every 30 s."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: nextjs spring hapi mirth python keycloak artemis infinispan postgres saas


def _signals() -> dict[str, str]:
    sel = 'job="{service}",namespace="patient-platform"'
    return {
        "request_rate": f"job:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"job:http_errors:ratio1m{{{sel}}}",
        "latency_p99": f"job:http_latency_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"job:container_cpu:ratio_of_limit{{{sel}}}",
        "memory_utilization": f"job:container_memory_working_set:ratio_of_limit{{{sel}}}",
        "restarts": f"job:kube_pod_container_status_restarts:increase10m{{{sel}}}",
        "disk_utilization": f"job:kubelet_volume_stats_used:ratio{{{sel}}}",
    }


MERIDIAN = Estate(
    label="job",
    name="meridian",
    namespace="patient-platform",
    shipper="otel-file-exporter",
    signals=_signals(),
    nodes=(
        Node("patient-portal", "nextjs", ("appointments", "fhir-server", "keycloak"), 140),
        Node("appointments", "spring", ("postgres", "artemis", "infinispan", "keycloak"), 90),
        Node("fhir-server", "hapi", ("postgres", "infinispan"), 110),
        Node("hl7-gateway", "mirth", ("ehr-vendor", "fhir-server", "artemis"), 40),
        Node("notifier", "python", ("artemis",), 25),
        Node("keycloak", "keycloak", ("postgres",), 60),
        Node("artemis", "artemis", (), 70),
        Node("infinispan", "infinispan", (), 300),
        Node("postgres", "postgres", (), 450),
        Node("ehr-vendor", "saas", (), 40),
    ),
)

ESTATES = {MERIDIAN.name: MERIDIAN}

BACKGROUND = {
    "nextjs": ['{"level":30,"time":{ms},"pid":1,"hostname":"{pod}","req":{"method":"GET","url":"/api/appointments"},'
               '"res":{"statusCode":200},"responseTime":41,"msg":"request completed"}'],
    "spring": ["Booked slot 2026-05-14T09:40 for patient ref Patient/88121 at clinic NORTH-2"],
    "hapi": ["Processed GET /fhir/Patient/88121/$everything in 38ms"],
    "mirth": ["[Channel: ADT-IN] Message 881203 processed: ADT^A08 from EHR"],
    "python": ["sms queued for appointment 771203 (template reminder-24h)"],
    "keycloak": ["type=\"LOGIN\", realmId=\"patients\", clientId=\"portal\", userId=\"8f1c\", ipAddress=\"10.8.1.4\""],
    "artemis": ["AMQ601500: User admin@10.8.3.2 is getting notification info on target resource: null"],
    "infinispan": ["ISPN000094: Received new cluster view for channel ISPN: [infinispan-0|12] (3)"],
    "postgres": ["LOG:  checkpoint complete: wrote 1812 buffers (1.4%); write=179.9 s, sync=0.011 s"],
}  # fmt: skip
NOISE = {
    "spring": "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s).",
    "mirth": "[Channel: ADT-IN] Message 881211 queued for retry: ACK AE from EHR",
    "postgres": "LOG:  duration: 1212.442 ms  statement: SELECT * FROM appointment_audit WHERE day = $1",
}  # fmt: skip

# OTLP's severity numbers (logs data model): 9 INFO, 13 WARN, 17 ERROR
SEVERITY = {"info": (9, "INFO"), "warn": (13, "WARN"), "error": (17, "ERROR")}


def _body(tech: str, at: datetime, level: str, text: str, pod: str) -> str:
    ms = int(at.timestamp() * 1000)
    if tech == "nextjs":  # pino: the JSON object as the line
        if text.startswith("{"):
            return text.replace("{ms}", str(ms)).replace("{pod}", pod)
        num = {"info": 30, "warn": 40, "error": 50}[level]
        return json.dumps({"level": num, "time": ms, "pid": 1, "hostname": pod, "msg": text}, separators=(",", ":"))
    if tech == "postgres":
        stamp = f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC"
        return f"{stamp} [{2200 + ms % 97}] {text}"
    if tech == "artemis":
        lvl = {"info": "INFO ", "warn": "WARN ", "error": "ERROR"}[level]
        where = "[org.apache.activemq.artemis.core.server]"
        return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {lvl} {where} {text}"
    if tech == "mirth":  # log4j's pattern in NextGen Connect: the level padded to five, then the time
        lvl = {"info": "INFO ", "warn": "WARN ", "error": "ERROR"}[level]
        return f"{lvl} {at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {text}"
    if tech == "infinispan":
        lvl = {"info": "INFO ", "warn": "WARN ", "error": "ERROR"}[level]
        return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {lvl} [org.infinispan.CLUSTER] {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One log record and the resource it came from (world53.batched puts records into the exporter's lines)."""
    tech = estate.node(service).tech
    rec: dict[str, Any] = {
        "timeUnixNano": str(int(at.timestamp() * 1_000_000) * 1000),
        "observedTimeUnixNano": str(int(at.timestamp() * 1_000_000) * 1000 + 180_000_000),
        "body": {"stringValue": _body(tech, at, level, text, pod)},
        "attributes": [],
        "traceId": "",
        "spanId": "",
    }
    if tech in ("spring", "hapi", "python", "keycloak"):  # the agent's or the SDK's own records
        number, name = SEVERITY[level]
        rec["severityNumber"], rec["severityText"] = number, name
        if tech in ("spring", "hapi") and ": " in text and text.split(": ", 1)[0].endswith(("Exception", "Error")):
            kind, message = text.split(": ", 1)
            rec["body"] = {"stringValue": message.split(". ")[0]}
            rec["attributes"] = [
                {"key": "exception.type", "value": {"stringValue": kind}},
                {"key": "exception.message", "value": {"stringValue": message}},
            ]
    else:  # the filelog receiver's: a file's line, nothing parsed
        rec["attributes"] = [{"key": "log.file.name", "value": {"stringValue": "0.log"}}]
    resource = {
        "service.name": service,
        "k8s.namespace.name": estate.namespace,
        "k8s.pod.name": pod,
        "k8s.container.name": service,
    }
    return {"resource": resource, "record": rec}
