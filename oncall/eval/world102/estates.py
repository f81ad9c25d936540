"""World 102's estate, written after world 101's rules and scored before any rule saw it.

A Lisbon bike-share ("Pedal": docked and dockless bikes, members ride and pay by the minute through MB WAY) on
Exoscale's SKS in Frankfurt: Kong in front (its nginx error log and access log), `rides` (Clojure, timbre's default
line), `payments` (Java 21, Log4j2's ECS layout: one JSON object a line, dotted keys), `docks` (Rust, the
tracing crate's default format) taking the docks' reports, Solr for station search and TiDB for everything kept;
Cilium is the cluster's network (its agent logs logfmt with no time); SIBS' payment gateway outside.

Logs: a Fluentd DaemonSet (CRI parser, kubernetes_metadata filter) forwards to an aggregator whose out_s3 archives
each record as a JSON line with `include_tag_key` and `include_time_key`: the container's line in `log`, `stream`,
`logtag`, the pod's metadata nested under `kubernetes`, the tag, and `time` as out_s3 writes it by default (to the
second, offset without a colon). The team downloads the hour's objects. Metrics: the OpenTelemetry Collector's
kubeletstats and k8s_cluster receivers and the services' OTel HTTP metrics, through recording rules, by
`k8s_deployment_name`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

STATIONS = ("Cais do Sodré", "Marquês de Pombal", "Alameda", "Campo Pequeno", "Belém", "Parque das Nações")


def _signals() -> dict[str, str]:
    sel = 'k8s_namespace_name="pedal",k8s_deployment_name="{service}"'
    return {
        "request_rate": f"otel:http_server_request_duration_seconds_count:rate1m{{{sel}}}",
        "error_ratio": f"otel:http_server_request_duration_seconds_count:error_ratio1m{{{sel}}}",
        "latency_p99": f"otel:http_server_request_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"otel:k8s_pod_cpu_limit_utilization:max{{{sel}}}",
        "memory_utilization": f"otel:k8s_pod_memory_limit_utilization:max{{{sel}}}",
        "disk_utilization": f"otel:k8s_volume_utilization:max{{{sel}}}",
        "restarts": f"otel:k8s_container_restarts:increase10m{{{sel}}}",
    }


PROD = Estate(
    label="k8s_deployment_name",
    name="pedal",
    namespace="pedal",
    shipper="fluentd-out-s3-json",
    signals=_signals(),
    nodes=(
        Node("kong", "kong", ("rides", "payments", "search", "docks"), 220),
        Node("rides", "timbre", ("tidb", "search", "payments"), 90),
        Node("payments", "ecs4j", ("tidb", "sibs"), 25),
        Node("docks", "tracing", ("tidb",), 300),
        Node("search", "solr", (), 60),
        Node("tidb", "tidb", (), 700),
        Node("cilium", "cilium", (), 1),
        Node("sibs", "saas", (), 25),
    ),
)

ESTATES = {PROD.name: PROD}

# "logger|message" for timbre and ECS, "target|message" for tracing, "file:line|message" for TiDB, "core|..." Solr
BACKGROUND = {
    "kong": ['10.2.0.{k}{n} - - [{clf}] "GET /v2/stations/nearby?lat=38.7{n}&lon=-9.1{k} HTTP/1.1" 200 {n}{k}4 "-" '
             '"Pedal/5.{k} (Android {k})"',
             '10.2.0.{k}{n} - - [{clf}] "POST /v2/rides/{k}{n}{k}/end HTTP/1.1" 200 3{n} "-" "Pedal/5.{k} (iOS 1{k})"'],
    "timbre": ["pedal.rides.api:42|GET /v2/rides/nearby 200 in {n}{k} ms",
               "pedal.rides.trips:118|trip {h8} ended at {station}, {k}.{n} km"],
    "ecs4j": ["pt.pedal.payments.Authoriser|authorised {k}.{n} EUR for trip {h8} via MB WAY",
              "pt.pedal.payments.Ledger|settlement batch {k}{n} written, {n}{k} rows"],
    "tracing": ["docks::report|dock report accepted dock=D{k}{n}{k} bikes={k} free={n}",
                "docks::store|batch stored rows={n}{k}"],
    "solr": ["stations|o.a.s.c.S.Request webapp=/solr path=/select params={{q=name:{k}*&rows=10}} hits={n} status=0 "
             "QTime={k}",
             "stations|o.a.s.u.p.LogUpdateProcessorFactory webapp=/solr path=/update params={{}} "
             "{{add=[st-{k}{n} (1{n}{k}{n})]}} 0 {k}"],
    "tidb": ['server.go:745|["connection closed"] [conn={n}{k}{n}1]',
             'gc_worker.go:789|["[gc worker] starts the whole job"] [uuid={h8}] [safePoint={n}{k}{n}{k}]'],
    "cilium": ['msg="Policy imported via API, recalculating..." policyAddRequest={h8} subsys=daemon',
               'msg="regenerating all endpoints" reason="one or more identities created or deleted" '
               'subsys=endpoint-manager'],
}  # fmt: skip
NOISE = {
    "kong": '10.2.0.{k}{n} - - [{clf}] "GET /v2/members/me HTTP/1.1" 401 {n} "-" "Pedal/4.{k} (Android 9)"',
    "timbre": "pedal.rides.locks:77|bike B{k}{n}{k} lock did not answer, retrying",
    "tracing": "docks::report|dock report late dock=D{k}{n} delay_s={n}",
}

TIMBRE = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
LOG4J = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
TRACING = {"error": "ERROR", "warn": " WARN", "info": " INFO", "debug": "DEBUG"}
SOLR = {"error": "ERROR", "warn": "WARN ", "info": "INFO ", "debug": "DEBUG"}
TIDB = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
LOGFMT = {"error": "error", "warn": "warning", "info": "info", "debug": "debug"}
NGINX = {"error": "error", "warn": "warn", "info": "notice", "debug": "debug"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{station}", STATIONS[int(h[:2], 16) % len(STATIONS)])
        .replace("{h8}", h[40:48])
        .replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
        .replace("{{", "{")
        .replace("}}", "}")
    )


def _line(tech: str, at: datetime, level: str, said: str, h: str, pod: str) -> tuple[str, str]:
    """The line as the program writes it, and the stream."""
    head, sep, rest = said.partition("|")
    ms = f"{at:%H:%M:%S}.{at.microsecond // 1000:03d}"
    if tech == "kong":  # an access line as it is; anything else goes to nginx's error log
        if said[:1].isdigit() and " - - [" in said:
            return said, "stdout"
        worker = 1200 + int(h[:2], 16)
        return f"{at:%Y/%m/%d} {at:%H:%M:%S} [{NGINX[level]}] {worker}#0: *{int(h[2:7], 16)} {said}", "stderr"
    if tech == "timbre":  # timbre's default output-fn: time host LEVEL [ns:line] - message
        where, message = (head, rest) if sep else ("pedal.rides.core:1", said)
        return f"{at:%Y-%m-%d} {ms}Z {pod} {TIMBRE[level]} [{where}] - {message}", "stdout"
    if tech == "ecs4j":  # Log4j2's EcsLayout: flat dotted keys; a caught exception in error.*
        logger, message = (head, rest) if sep else ("pt.pedal.payments.Api", said)
        obj: dict[str, Any] = {"@timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
                               "log.level": LOG4J[level], "message": message, "ecs.version": "1.2.0",
                               "service.name": "payments", "event.dataset": "payments.log",
                               "process.thread.name": f"vert.x-eventloop-thread-{int(h[:1], 16) % 4}",
                               "log.logger": logger}  # fmt: skip
        if " ~ " in message:  # "message ~ ExceptionType: what it said"
            text, _, thrown = message.partition(" ~ ")
            kind, _, what = thrown.partition(": ")
            obj |= {"message": text, "error.type": kind, "error.message": what,
                    "error.stack_trace": f"{kind}: {what}\n\tat pt.pedal.payments.{logger.rsplit('.', 1)[-1]}"
                                         f".call({logger.rsplit('.', 1)[-1]}.java:{int(h[:2], 16)})\n"}  # fmt: skip
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")), "stdout"
    if tech == "tracing":  # tracing-subscriber's fmt layer, no colour: time LEVEL target: message fields
        target, message = (head, rest) if sep else ("docks", said)
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {TRACING[level]} {target}: {message}", "stdout"
    if tech == "solr":  # Solr's log4j2 pattern: time LEVEL (thread) [MDC] logger message
        core, message = (head, rest) if sep else ("stations", said)
        mdc = f"[c:{core} s:shard1 r:core_node2 x:{core}_shard1_replica_n1]"
        return f"{at:%Y-%m-%d} {ms} {SOLR[level]} (qtp1151020327-{int(h[:2], 16)}) {mdc} {message}", "stdout"
    if tech == "tidb":  # TiDB's unified log format: [time] [LEVEL] [file:line] [message] [key=value]...
        where, message = (head, rest) if sep else ("session.go:3898", said)
        stamp = f"{at:%Y/%m/%d} {ms} +00:00"
        return f"[{stamp}] [{TIDB[level]}] [{where}] {message}", "stderr"
    if tech == "cilium":  # the agent's logrus text, no time (the runtime's is enough, it says)
        return f"level={LOGFMT[level]} {said}", "stderr"
    return said, "stdout"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One line of the archive: Fluentd's record as out_s3 writes it, tag and time included."""
    node = estate.node(service)
    h = _hex(service, pod, str(at.timestamp()), text)
    suffix = _hex(service, pod)
    stateful = node.tech in ("tidb", "solr")
    if node.tech == "cilium":
        pod_name = f"cilium-{suffix[:5]}"
    elif stateful:
        pod_name = f"{service}-{int(suffix[:2], 16) % 3}"
    else:
        pod_name = f"{service}-{suffix[:10]}-{suffix[10:15]}"
    said = _fill(at, text, h)
    line, stream = _line(node.tech, at, level, said, h, pod_name)
    namespace = "kube-system" if node.tech == "cilium" else "pedal"
    container = "cilium-agent" if node.tech == "cilium" else service
    docker_id = suffix[:64]
    return {
        "stream": stream,
        "logtag": "F",
        "log": line,
        "docker": {"container_id": docker_id},
        "kubernetes": {
            "container_name": container,
            "namespace_name": namespace,
            "pod_name": pod_name,
            "container_image": "quay.io/cilium/cilium:v1.16.1"
            if node.tech == "cilium"
            else f"registry.pedal.pt/{service}:2029.6.{int(suffix[17:19], 16) % 28 + 1}",
            "pod_id": f"{suffix[20:28]}-{suffix[28:32]}-{suffix[32:36]}-{suffix[36:40]}-{suffix[40:52]}",
            "host": f"pool-pedal-{suffix[52:57]}",
            "labels": {"app.kubernetes.io/name": "cilium" if node.tech == "cilium" else service},
        },
        "tag": f"kube.var.log.containers.{pod_name}_{namespace}_{container}-{docker_id}.log",
        "time": f"{at:%Y-%m-%dT%H:%M:%S}+0000",
    }
