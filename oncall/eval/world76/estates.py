"""World 76's estate, written after world 75's rules and scored before any rule saw it.

A Finnish regional public-transport ticketing platform on OpenShift 4 in its own data centre: 3scale APIcast in
front (nginx's error log and access log), a Quarkus ticket API (Quarkus's console line, its logger category cut
to three letters a part: `[io.agr.pool]`), a Go journey planner (zap's console encoder, its fields a JSON object
at the end), a Spring Boot payment service (Boot 3's line with the application's name in brackets), a Python
validator-list publisher and a nightly ridership report (structlog's console renderer, the level padded in
brackets, lower case), Keycloak, Red Hat Data Grid (Infinispan), AMQ Streams (Kafka's log4j line) and a Crunchy
PostgreSQL cluster whose container is called `database`. Paytrail, the payment provider, shows nothing.

OpenShift Logging forwards every container's lines to a LokiStack in the ViaQ data model, and the bundle is
what the on-call engineer exported with `logcli query --output=jsonl`: one object a line, `labels` (the stream's:
`kubernetes_namespace_name`, `kubernetes_pod_name`, `kubernetes_container_name`, ...), `timestamp` (Go's
RFC3339Nano in the engineer's zone, Helsinki, trailing zeros cut) and `line`, the ViaQ record as JSON text:
`@timestamp`, `message`, `hostname`, `kubernetes{...}`, `openshift{...}`, and a `level` the collector guessed
from the message: its structured patterns, then its keywords (`Error|ERROR` anywhere before `Warning|WARN`
before `info`), and `default` when none matched, so nginx's `[error]` and structlog's `[error    ]` are
`default` and an INFO line that mentions an `Error` class is `error`. Newest first, as logcli returns them.
Metrics: user-workload monitoring's recording rules, requests by `app_kubernetes_io_name`, CPU and memory by
`workload`."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: apicast quarkus zap spring structlog kafka infinispan postgres saas
NAMESPACE = "lippu-prod"
CLUSTER = "4f0c2a9e-61d3-4b8e-9a57-2c1d7e0b3f64"


def _signals() -> dict[str, str]:
    app = 'app_kubernetes_io_name="{service}",namespace="lippu-prod"'
    workload = 'namespace="lippu-prod",workload="{service}"'
    return {
        "request_rate": f"lippu:http_server_requests:rate1m{{{app}}}",
        "error_ratio": f"lippu:http_server_requests_5xx:ratio_rate1m{{{app}}}",
        "latency_p99": f"lippu:http_server_requests_seconds:p99_1m{{{app}}}",
        "cpu_utilization": f"namespace_workload:container_cpu_usage:ratio_limit{{{workload}}}",
        "memory_utilization": f"namespace_workload:container_memory_working_set:ratio_limit{{{workload}}}",
    }


PROD = Estate(
    label="app_kubernetes_io_name",
    name="lippu",
    namespace=NAMESPACE,
    shipper="lokistack-viaq-logcli",
    signals=_signals(),
    nodes=(
        Node("apicast", "apicast", ("ticket-api", "journey-planner", "keycloak"), 140),
        Node("ticket-api", "quarkus", ("ticket-db", "datagrid", "payment", "kafka", "keycloak"), 70),
        Node("journey-planner", "zap", ("datagrid",), 110),
        Node("payment", "spring", ("paytrail", "ticket-db"), 10),
        Node("keycloak", "quarkus", (), 60),
        Node("validator-sync", "structlog", ("kafka", "ticket-api"), 3),
        Node("ridership-report", "structlog", ("ticket-db",), 0.5),
        Node("datagrid", "infinispan", (), 400),
        Node("kafka", "kafka", (), 200),
        Node("ticket-db", "postgres", (), 150),
        Node("paytrail", "saas", (), 10),
    ),
)

ESTATES = {PROD.name: PROD}

# a line as the program writes it ({LVL5}: the level padded to five, {SL}: structlog's padded level)
BACKGROUND = {
    "apicast": ['10.128.{k}.{n} - - [{clf}] "GET /v2/tickets/active HTTP/1.1" 200 6{n}{k} "-" "Matkalippu/6.4 '
                '(Android 14)"',
                '10.128.{k}.{n} - - [{clf}] "POST /v2/journeys/plan HTTP/1.1" 200 1{n}{k}4 "-" "Matkalippu/6.4 '
                '(iOS 18.4)"'],
    "quarkus": ["{ymd} {hms},{ms} {LVL5} [io.qua.htt.access-log] (executor-thread-{k}) 10.131.{k}.{n} - - {clf} "
                '"GET /tickets/T{hex} HTTP/1.1" 200 4{n}{k}',
                "{ymd} {hms},{ms} {LVL5} [fi.lip.tic.TicketResource] (executor-thread-{k}) ticket T{hex} sold: "
                "zone AB, 2.95 EUR"],
    "zap": ['{iso}Z\t{ZAP}\troute/planner.go:212\troute planned\t{{"from": "HSL:10{n}601", "to": "HSL:22{k}2201", '
            '"legs": {k}, "ms": {n}}}',
            '{iso}Z\t{ZAP}\tcache/client.go:64\troute cache hit\t{{"key": "route:{hex}"}}'],
    "spring": ["{iso}Z {LVL5} 1 --- [payment] [nio-8080-exec-{k}] f.l.payment.PaytrailClient             : "
               "payment P{hex} created, 2{n}.40 EUR",
               "{iso}Z {LVL5} 1 --- [payment] [nio-8080-exec-{k}] f.l.payment.CallbackController       : "
               "callback for P{hex}: ok"],
    "structlog": ["{iso}Z [{SL}] lists published                devices=18{n}{k} version=88{n}{k}",
                  "{iso}Z [{SL}] batch consumed                 offset=77{n}{k}1 partition={k} records=5{n}"],
    "kafka": ["{ymd} {hms},{ms} INFO [ProducerStateManager partition=ticket-events-{k}] Wrote producer snapshot at "
              "offset 77{n}{k}1 with 0 producer ids in {k} ms. (kafka.log.ProducerStateManager) "
              "[kafka-scheduler-{k}]",
              "{ymd} {hms},{ms} INFO [GroupCoordinator {k}]: Member consumer-{n}-{hex} in group ridership-etl has "
              "left, removing it from the group (kafka.coordinator.group.GroupCoordinator) "
              "[data-plane-kafka-request-handler-{k}]"],
    "infinispan": ["{ymd} {hms},{ms} INFO  (non-blocking-thread--p2-t{k}) [org.infinispan.CONTAINER] ISPN000104: "
                   "Using EmbeddedTransactionManager",
                   "{ymd} {hms},{ms} INFO  (blocking-thread--p3-t{k}) [org.infinispan.server.core.backup] "
                   "ISPN005044: Backup file created 'routes-{n}.zip'"],
    "postgres": ["{ymd} {hms}.{ms} UTC [{n}{k}] LOG:  checkpoint starting: time",
                 "{ymd} {hms}.{ms} UTC [{n}{k}] LOG:  checkpoint complete: wrote {n}{k} buffers (0.{k}%); 0 WAL "
                 "file(s) added, 0 removed, 1 recycled; write=2{n}.1{k}2 s, sync=0.00{k} s, total=2{n}.2 s"],
}  # fmt: skip
NOISE = {
    "apicast": "{slash} [warn] 27#27: *{n}{k}1 [lua] policy_chain.lua:212: call(): rate limit nearly reached for "
    'app 5f{hex}, client: 10.128.{k}.{n}, server: _, request: "GET /v2/tickets/active HTTP/1.1", host: '
    '"api.matkalippu.fi"',
    "quarkus": "{ymd} {hms},{ms} WARN  [io.net.res.dns.DnsServerAddressStreamProviders] (executor-thread-{k}) Can "
    "not find io.netty.resolver.dns.macos.MacOSDnsServerAddressStreamProvider in the classpath",
    "zap": '{iso}Z\tWARN\tgtfs/feed.go:141\trealtime feed late\t{{"lag_s": 4{n}}}',
    "structlog": "{iso}Z [warning  ] validator list larger than usual  devices=19{n}{k} bytes=88{n}{k}12",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str, level: str) -> str:
    n = int(at.timestamp()) % 61
    word = {"warn": "WARN", "critical": "ERROR"}.get(level, level.upper())
    h = _hex(tech, str(at.timestamp()))
    return (
        text.replace("{hex}", h[:10])
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{ymd}", f"{at:%Y-%m-%d}")
        .replace("{hms}", f"{at:%H:%M:%S}")
        .replace("{ms}", f"{at.microsecond // 1000:03d}")
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
        .replace("{slash}", f"{at:%Y/%m/%d %H:%M:%S}")
        .replace("{LVL5}", f"{word:<5}")
        .replace("{ZAP}", word)
        .replace("{SL}", {"WARN": "warning"}.get(word, word).lower().ljust(9))
        .replace("{{", "{")
        .replace("}}", "}")
    )


# the collector's guess at a level (OpenShift Logging's ViaQ normalisation): structured patterns first, then
# keywords anywhere in the message, in this order; `default` when nothing matched
_STRUCTURED = [(lvl, re.compile(rf"^{p}[0-9]+|level={lvl}|Value:{lvl}|\"level\":\"{lvl}\""))
               for lvl, p in (("emergency", "EM"), ("alert", "A"), ("critical", "C"), ("error", "E"), ("warn", "W"),
                              ("notice", "N"), ("info", "I"), ("debug", "D"), ("trace", "T"))]  # fmt: skip
_KEYWORDS = [(lvl, re.compile(p)) for lvl, p in (
    ("emergency", r"Emergency|EMERGENCY|<emergency>"), ("alert", r"Alert|ALERT|<alert>"),
    ("critical", r"Critical|CRITICAL|<critical>"), ("error", r"Error|ERROR|<error>"), ("warn", r"Warning|WARN|<warn>"),
    ("notice", r"Notice|NOTICE|<notice>"), ("info", r"(?i)\b(?:info)\b|<info>"), ("debug", r"Debug|DEBUG|<debug>"),
    ("trace", r"Trace|TRACE|<trace>"))]  # fmt: skip


def viaq_level(message: str) -> str:
    for lvl, pattern in [*_STRUCTURED, *_KEYWORDS]:
        if pattern.search(message):
            return lvl
    return "default"


_CONTAINER = {"kafka": "kafka", "infinispan": "infinispan", "postgres": "database"}
_IMAGE = {"apicast": "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8", "kafka": "registry.redhat.io/amq-streams/"
          "kafka-37-rhel9", "infinispan": "registry.redhat.io/datagrid/datagrid-8-rhel9", "postgres":
          "registry.developers.crunchydata.com/crunchydata/crunchy-postgres"}  # fmt: skip


def _stamp(at: datetime) -> str:
    """Go's RFC3339Nano in Helsinki's summer time, as logcli prints it: trailing zeros of the fraction cut."""
    local = at + timedelta(hours=3)
    frac = f"{local.microsecond * 1000:09d}".rstrip("0")
    return f"{local:%Y-%m-%dT%H:%M:%S}{'.' + frac if frac else ''}+03:00"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One entry of `logcli query --output=jsonl` against the LokiStack: the ViaQ record is the line's text."""
    node = estate.node(service)
    line = _fill(at, text, node.tech, level)
    container = "keycloak" if service == "keycloak" else _CONTAINER.get(node.tech, service)
    h = _hex(service, pod)
    host = f"worker-{int(h[:2], 16) % 6}.ocp4.hki.lippu.fi"
    image = _IMAGE.get(node.tech, f"image-registry.openshift-image-registry.svc:5000/{NAMESPACE}/{service}")
    viaq = {
        "@timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z",
        "hostname": host,
        "kubernetes": {
            "container_id": f"cri-o://{h}",
            "container_image": f"{image}@sha256:{_hex(service)}",
            "container_name": container,
            "labels": {"app_kubernetes_io_name": service, "pod-template-hash": h[:9]},
            "namespace_id": f"{CLUSTER[:8]}-aa41-4c1e-b2d0-{_hex(NAMESPACE)[:12]}",
            "namespace_labels": {"kubernetes_io_metadata_name": NAMESPACE},
            "namespace_name": NAMESPACE,
            "pod_id": f"{h[9:17]}-{h[17:21]}-{h[21:25]}-{h[25:29]}-{h[29:41]}",
            "pod_ip": f"10.{128 + int(h[41], 16) % 4}.{int(h[42:44], 16)}.{int(h[44:46], 16)}",
            "pod_name": pod,
        },
        "level": viaq_level(line),
        "log_source": "container",
        "log_type": "application",
        "message": line,
        "openshift": {"cluster_id": CLUSTER, "sequence": int(at.timestamp() * 1e9)},
    }
    return {
        "labels": {
            "k8s_container_name": container,
            "k8s_namespace_name": NAMESPACE,
            "k8s_node_name": host,
            "k8s_pod_name": pod,
            "kubernetes_container_name": container,
            "kubernetes_host": host,
            "kubernetes_namespace_name": NAMESPACE,
            "kubernetes_pod_name": pod,
            "log_type": "application",
            "openshift_cluster_uid": CLUSTER,
            "openshift_log_source": "container",
            "openshift_log_type": "application",
        },
        "line": json.dumps(viaq, separators=(",", ":")),
        "timestamp": _stamp(at),
    }
