"""World 72's estate, written after world 71's rules and scored before any rule saw it.

A Brazilian port-logistics platform that books container trucks' gate slots at the Port of Santos, on Huawei
Cloud's CCE (Kubernetes) in São Paulo with Istio: the Istio ingress gateway (Envoy's JSON access log), a Next.js
portal for hauliers (winston's JSON), a Quarkus scheduling service (Quarkus' JSON logging), a Go consumer of the
terminal's gate events from Kafka (log/slog's JSON), a Python invoicing service that has every booking's NF-e
authorised by SEFAZ-SP (structlog's JSON), a nightly-and-hourly Python reports CronJob (the logging module's
plain text), PostgreSQL, Kafka (log4j's text) and the cluster's CoreDNS. SEFAZ and WhatsApp's Cloud API show
nothing of their own.

Logs go to DataSet (Scalyr) through its Kubernetes agent, and the bundle is DataSet's query API paged and
exported with `jq -c '.sessions as $s | .matches[] | .session = $s[.session]'`: each match's `timestamp` in
epoch nanoseconds as a string, the line as written in `message`, DataSet's `severity` (0 finest to 6 fatal, 3
info; set from the level only for the containers whose parser reads one, else 3), the container's fields and
a JSON line's parsed fields in `attributes` (`pod_name`, `container_name`, `stream`, `k8s_node`), and the
session it came in (its `serverHost` the node, `logfile`, `k8s-controller` the workload) inlined. Metrics:
Istio's by `destination_workload` (latency in milliseconds), the containers' against their limits by
`workload`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: envoy nextjs quarkus goslog structlog pycron postgres kafka coredns saas
NAMESPACE = "porto"
# DataSet's severities: 0 finest, 1 finer, 2 fine, 3 info, 4 warning, 5 error, 6 fatal
SEVERITY = {"debug": 2, "info": 3, "warn": 4, "error": 5, "critical": 6}
LEVELLED = ("nextjs", "quarkus", "goslog", "structlog")  # whose parser reads a level (the others: 3)
CONTAINER = {"envoy": "istio-proxy", "coredns": "coredns"}


def _signals() -> dict[str, str]:
    mesh = 'destination_workload="{service}",destination_workload_namespace="porto",reporter="destination"'
    pod = 'workload="{service}",namespace="porto",cluster="cce-sa-brazil-1-prod"'
    return {
        "request_rate": f"destination_workload:istio_requests:rate1m{{{mesh}}}",
        "error_ratio": f"destination_workload:istio_requests_5xx:ratio_rate1m{{{mesh}}}",
        "latency_p99": f"destination_workload:istio_request_duration_milliseconds:p99_1m{{{mesh}}}",
        "cpu_utilization": f"workload:container_cpu_usage_seconds:ratio_limit{{{pod}}}",
        "memory_utilization": f"workload:container_memory_working_set_bytes:ratio_limit{{{pod}}}",
        "pool_utilization": f"workload:pg_stat_activity_count:ratio_max_connections{{{pod}}}",
    }


PROD = Estate(
    label="destination_workload",
    name="porto",
    namespace=NAMESPACE,
    shipper="dataset-query-export",
    signals=_signals(),
    nodes=(
        Node("gateway", "envoy", ("portal", "scheduling"), 110),
        Node("portal", "nextjs", ("scheduling", "invoicing"), 60),
        Node("scheduling", "quarkus", ("postgres", "kafka", "coredns", "whatsapp"), 70),
        Node("gate-events", "goslog", ("kafka", "postgres", "coredns"), 30),
        Node("invoicing", "structlog", ("postgres", "sefaz", "coredns"), 12),
        Node("reports", "pycron", ("postgres",), 1),
        Node("postgres", "postgres", (), 400),
        Node("kafka", "kafka", (), 200),
        Node("coredns", "coredns", (), 900),
        Node("sefaz", "saas", (), 12),
        Node("whatsapp", "saas", (), 10),
    ),
)

ESTATES = {PROD.name: PROD}

# a line as the program writes it ({lvl}: the logger's own level word where its format has one)
BACKGROUND = {
    "envoy": ['{{"start_time":"{iso}","method":"GET","path":"/agenda/slots?terminal=T{k}","protocol":"HTTP/2",'
              '"response_code":200,"response_flags":"-","bytes_sent":1{n}41,"duration":{n},"upstream_host":'
              '"10.16.{k}.{n}:3000","upstream_cluster":"outbound|3000||portal.porto.svc.cluster.local"}}',
              '{{"start_time":"{iso}","method":"POST","path":"/api/v1/bookings","protocol":"HTTP/2",'
              '"response_code":201,"response_flags":"-","bytes_sent":3{n}2,"duration":1{n}{k},"upstream_host":'
              '"10.16.{k}.{n}:8080","upstream_cluster":"outbound|8080||scheduling.porto.svc.cluster.local"}}'],
    "nextjs": ['{{"level":"{lvl}","message":"GET /agenda 200 in {n}ms","timestamp":"{iso}"}}',
               '{{"level":"{lvl}","message":"booking B-{hex} confirmed for plate {plate}","timestamp":"{iso}"}}'],
    "quarkus": ['{{"timestamp":"{iso}","sequence":1{n}{k}1,"loggerClassName":"org.jboss.logging.Logger","loggerName":'
                '"br.porto.agenda.SlotResource","level":"{LVL}","message":"slot {n}{k} reserved for booking '
                'B-{hex}","threadName":"executor-thread-{k}","threadId":1{n},"mdc":{{}},"ndc":"","hostName":"{pod}",'
                '"processName":"quarkus-run.jar","processId":1}}'],
    "goslog": ['{{"time":"{iso}","level":"{LVL}","msg":"gate event stored","terminal":"T{k}","plate":"{plate}",'
               '"partition":{k},"offset":1{n}{k}{n}}}'],
    "structlog": ['{{"event": "nfe authorised", "booking": "B-{hex}", "chave": "35{n}{k}1{n}", "level": "{lvl}", '
                  '"timestamp": "{iso}"}}'],
    "pycron": ["{local},{ms3} {LVL} reports.yard: yard occupancy report for terminal T{k} written ({n} rows)"],
    "postgres": ["{local}.{ms3} UTC [{n}{k}] LOG:  checkpoint complete: wrote {n}{k} buffers",
                 "{local}.{ms3} UTC [{n}{k}] LOG:  automatic vacuum of table \"agenda.public.slots\": index scans: 1"],
    "kafka": ["[{local},{ms3}] INFO [GroupCoordinator 1]: Member gate-events-{hex} in group gate-events heartbeat "
              "ok (kafka.coordinator.group.GroupCoordinator)",
              "[{local},{ms3}] INFO [Log partition=gate.events-{k}, dir=/var/lib/kafka/data] Rolled new log segment "
              "at offset {n}{k}{n} (kafka.log.LocalLog)"],
    "coredns": ['[INFO] 10.16.{k}.{n}:4{n}3 - {n}{k} "A IN postgres.porto.svc.cluster.local. udp 51 false 512" NOERROR '
                'qr,aa,rd 110 0.000{n}s'],
}  # fmt: skip
NOISE = {
    "quarkus": '{{"timestamp":"{iso}","sequence":1{n}{k}2,"loggerClassName":"org.jboss.logging.Logger","loggerName":'
    '"br.porto.agenda.WhatsAppNotifier","level":"WARN","message":"WhatsApp send slow: 1{n}00 ms","threadName":'
    '"executor-thread-{k}","threadId":1{n},"mdc":{{}},"ndc":"","hostName":"{pod}","processName":"quarkus-run.jar",'
    '"processId":1}}',
    "structlog": '{{"event": "sefaz slow", "seconds": 2.{n}, "level": "warning", "timestamp": "{iso}"}}',
    "nextjs": '{{"level":"warn","message":"slow render /agenda: 1{n}00ms","timestamp":"{iso}"}}',
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, svc: str, pod: str, level: str) -> str:
    n = int(at.timestamp()) % 61
    word = {"warn": "WARN", "critical": "ERROR"}.get(level, level.upper())
    lvl = {"warn": "warn", "critical": "error"}.get(level, level)
    if svc == "structlog":
        lvl = {"warn": "warning", "critical": "critical"}.get(level, level)
    return (
        text.replace("{hex}", _hex(svc, str(at.timestamp()))[:10])
        .replace("{plate}", f"F{chr(65 + n % 26)}{chr(65 + (n * 7) % 26)}{n % 10}{chr(65 + n % 10)}{n:02d}")
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z")
        .replace("{local}", f"{at:%Y-%m-%d %H:%M:%S}")
        .replace("{ms3}", f"{at.microsecond // 1000:03d}")
        .replace("{LVL}", word)
        .replace("{lvl}", lvl)
        .replace("{pod}", pod)
        .replace("{{", "{")
        .replace("}}", "}")
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One match of DataSet's query API, its session inlined."""
    tech = estate.node(service).tech
    line = _fill(at, text, tech, pod, level)
    node = f"10.16.{int(_hex(pod)[:2], 16) % 4}.{int(_hex(pod)[2:4], 16) % 200 + 10}"
    container = CONTAINER.get(tech, service)
    attributes: dict[str, Any] = {
        "pod_name": pod,
        "pod_namespace": NAMESPACE,
        "container_name": container,
        "k8s_node": node,
        "stream": "stderr" if level in ("error", "critical") and tech != "envoy" else "stdout",
        "scalyr-category": "log",
    }
    if line.startswith("{"):
        attributes["parser"] = "json"
        attributes.update(json.loads(line))
    else:
        attributes["parser"] = "kubernetes"
    session_id = _hex("session", pod, container)[:24]
    return {
        "timestamp": str(int(at.timestamp() * 1_000_000) * 1000),
        "message": line,
        "severity": SEVERITY[level] if tech in LEVELLED else 3,
        "thread": str(int(_hex(pod)[:4], 16)),
        "attributes": attributes,
        "session": {
            "id": session_id,
            "serverHost": node,
            "logfile": f"/var/log/containers/{pod}_{NAMESPACE}_{container}-{_hex(pod, 'c')[:64]}.log",
            "k8s-cluster": "cce-sa-brazil-1-prod",
            "k8s-controller": service,
            "k8s-kind": "CronJob" if tech == "pycron" else "Deployment",
        },
    }
