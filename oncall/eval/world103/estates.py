"""World 103's estate, written after world 102's rules and scored before any rule saw it.

A Warsaw public-sector code forge ("Kuźnia": ministries' and cities' teams keep their repositories and run their CI
there) on OVHcloud's Managed Kubernetes: Forgejo (its own router log, `2029/03/04 10:00:00 ...file.go:12:Func() [E]
message`), Woodpecker's server and agents (Go, zerolog's JSON), Dex for sign-in (Go, slog's text handler) against the
ministry's OpenLDAP on a VM (slapd's syslog lines), SeaweedFS for LFS objects and CI artifacts (glog), KeyDB for
sessions and the CI queue's pub/sub, PostgreSQL; Brevo relays mail.

Logs: Elastic Agent's Kubernetes and system integrations ship to Elasticsearch; the team exports hits with the search
API's `fields` option and `_source` off, one hit a line: every value is a list (`"message": ["..."]`), keys dotted
(`kubernetes.pod.name`, labels dedotted: `kubernetes.labels.app_kubernetes_io/name`), `sort` the time in epoch
milliseconds. The LDAP VM's lines come through the system integration: no Kubernetes fields, its host's name.
Metrics: Prometheus recording rules by `job`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

CET = timedelta(hours=1)
ORGS = ("mswia", "mf-gov", "um-warszawa", "um-krakow", "gddkia", "zus-it")


def _signals() -> dict[str, str]:
    sel = 'namespace="kuznia",job="{service}"'
    return {
        "request_rate": f"job:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"job:http_request_errors:ratio1m{{{sel}}}",
        "latency_p99": f"job:http_request_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"job:container_cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"job:container_memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"job:volume_used_bytes:ratio_capacity{{{sel}}}",
        "pool_utilization": f"job:connected_clients:ratio_max{{{sel}}}",
        "restarts": f"job:container_restarts:increase15m{{{sel}}}",
    }


PROD = Estate(
    label="job",
    name="kuznia",
    namespace="kuznia",
    shipper="elasticsearch-fields-api-hits",
    signals=_signals(),
    nodes=(
        Node("forgejo", "forgejo", ("postgres", "keydb", "seaweedfs", "dex", "brevo"), 160),
        Node("woodpecker", "zerolog", ("postgres", "keydb", "forgejo"), 40),
        Node("agents", "zerolog", ("woodpecker", "keydb", "seaweedfs"), 60),
        Node("dex", "slog", ("openldap", "postgres"), 12),
        Node("openldap", "slapd", (), 30),
        Node("seaweedfs", "glog", (), 90),
        Node("keydb", "keydb", (), 900),
        Node("postgres", "postgres", (), 700),
        Node("brevo", "saas", (), 4),
    ),
)

ESTATES = {PROD.name: PROD}

# "file.go:line:Func()|message" for Forgejo, "message|key=value" for zerolog and slog, "file.go:line|message" glog
BACKGROUND = {
    "forgejo": ["routers/web/repo/view.go:1021:Home()|Completed GET /{org}/{k}{n}-portal 200 OK in {n}.{k}ms",
                "modules/queue/workergroup.go:219:doStartNewWorker()|push_update: 1 pushes processed"],
    "zerolog": ["pipeline done|repo={org}/{k}{n}-api pipeline={n}{k}{n} status=success",
                "agent polled|queue=default waiting={k} running={n}"],
    "slog": ["login successful|connector_id=ldap username=jan.{h4} remote_addr=10.2.{k}.{n}",
             "keys rotated|next_rotation=2029-03-0{k}T1{k}:00:00Z"],
    "slapd": ["conn=1{n}{k}{n} op=1 SRCH base=\"ou=people,dc=gov,dc=pl\" scope=2 deref=0 filter=\"(uid=jan.{h4})\"",
              "conn=1{n}{k}{n} op=0 BIND dn=\"cn=dex,ou=services,dc=gov,dc=pl\" method=128"],
    "glog": ["volume_grpc_client_to_master.go:218|volume server 10.2.{k}.{n}:8080 heartbeat ok",
             "store.go:{n}{k}|write needle {k}{n},{h8} size {n}{k}{n}"],
    "keydb": ["1:22:M {dmy} * {n}{k}0 changes in 60 seconds. Saving...",
              "1:22:M {dmy} * Background saving terminated with success"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added",
                 "LOG:  automatic vacuum of table \"forgejo.public.action\": index scans: 1"],
}  # fmt: skip
NOISE = {
    "forgejo": "routers/web/auth/auth.go:207:SignInPost()|Failed authentication attempt for jan.{h4} from 10.2.{k}.{n}",
    "zerolog": "pipeline failed|repo={org}/{k}{n}-web pipeline={n}{k} status=failure step=test",
    "slapd": "conn=1{n}{k} op=0 RESULT tag=97 err=49 text=",
}

FORGEJO = {"error": "E", "warn": "W", "info": "I", "debug": "D"}
ZEROLOG = {"error": "error", "warn": "warn", "info": "info", "debug": "debug"}
SLOG = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
GLOG = {"error": "E", "warn": "W", "info": "I", "debug": "I"}
PG = {"error": "ERROR", "warn": "WARNING", "info": "LOG", "debug": "DEBUG"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{org}", ORGS[int(h[:2], 16) % len(ORGS)])
        .replace("{h4}", h[44:48])
        .replace("{h8}", h[40:48])
        .replace("{dmy}", f"{at.day:02d} {at:%b %Y %H:%M:%S}.{at.microsecond // 1000:03d}")
    )


def _line(tech: str, at: datetime, level: str, said: str, h: str, host: str) -> str:
    head, sep, rest = said.partition("|")
    if tech == "forgejo":  # Forgejo's default router and service log: local time, file:line:Func() [L] message
        where, message = (head, rest) if sep else ("modules/log/logger.go:1:Log()", said)
        local = at + CET
        return f"{local:%Y/%m/%d %H:%M:%S} {where} [{FORGEJO[level]}] {message}"
    if tech == "zerolog":  # zerolog's JSON: level, time (RFC 3339, seconds), message, fields
        message, _, pairs = said.partition("|")
        fields = dict(p.split("=", 1) for p in pairs.split(" ") if "=" in p)
        obj = {"level": ZEROLOG[level], **fields, "time": f"{at:%Y-%m-%dT%H:%M:%S}Z", "message": message}
        return json.dumps(obj, separators=(",", ":"))
    if tech == "slog":  # log/slog's TextHandler
        message, _, pairs = said.partition("|")
        return f'time={at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z level={SLOG[level]} msg="{message}"' + (
            f" {pairs}" if pairs else ""
        )
    if tech == "slapd":  # syslog as rsyslog writes it on the VM: local time, host, slapd[pid]
        local = at + CET
        return f"{local:%b} {local.day:>2} {local:%H:%M:%S} {host} slapd[{1000 + int(h[:2], 16)}]: {said}"
    if tech == "glog":  # SeaweedFS' glog: Lmmdd hh:mm:ss.uuuuuu threadid file:line] message
        where, message = (head, rest) if sep else ("weed.go:1", said)
        return f"{GLOG[level]}{at:%m%d %H:%M:%S}.{at.microsecond:06d} {int(h[2:4], 16):>5} {where}] {message}"
    if tech == "postgres":
        text = said if said[:4] in ("LOG:", "ERRO", "FATA", "PANI", "WARN", "DETA") else f"{PG[level]}:  {said}"
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [{int(h[:3], 16)}] {text}"
    return said  # KeyDB writes its own header


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One hit of the export: the search API's `fields`, every value a list."""
    node = estate.node(service)
    h = _hex(service, pod, str(at.timestamp()), text)
    suffix = _hex(service, pod)
    said = _fill(at, text, h)
    ms = int(at.timestamp() * 1000)
    common = {
        "@timestamp": [f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"],
        "agent.type": ["filebeat"],
        "elastic_agent.version": ["8.15.2"],
        "ecs.version": ["8.0.0"],
    }
    if node.tech == "slapd":  # the VM, through the system integration
        host = f"{service}-01"
        fields = {
            **common,
            "message": [_line(node.tech, at, level, said, h, host)],
            "host.name": [host],
            "host.hostname": [host],
            "log.file.path": ["/var/log/slapd.log"],
            "data_stream.dataset": ["system.syslog"],
            "input.type": ["filestream"],
        }
        index = f".ds-logs-system.syslog-kuznia-{at:%Y.%m.%d}-000031"
    else:
        stateful = node.tech in ("postgres", "keydb", "glog")
        pod_name = f"{service}-{int(suffix[:2], 16) % 3}" if stateful else f"{service}-{suffix[:10]}-{suffix[10:15]}"
        container = _hex(service, pod, "container")
        fields = {
            **common,
            "message": [_line(node.tech, at, level, said, h, pod_name)],
            "kubernetes.pod.name": [pod_name],
            "kubernetes.pod.uid": [f"{suffix[:8]}-{suffix[8:12]}-{suffix[12:16]}-{suffix[16:20]}-{suffix[20:32]}"],
            "kubernetes.namespace": ["kuznia"],
            "kubernetes.container.name": [service],
            "kubernetes.labels.app_kubernetes_io/name": [service],
            "kubernetes.labels.app_kubernetes_io/part-of": ["kuznia"],
            "kubernetes.node.name": [f"node-pool-b2-15-{int(suffix[40:42], 16) % 5}"],
            "container.id": [container],
            "container.image.name": [f"registry.kuznia.gov.pl/{service}:2029.3.{int(suffix[17:19], 16) % 9 + 1}"],
            "stream": ["stderr" if level in ("error", "warn") else "stdout"],
            "log.file.path": [f"/var/log/containers/{pod_name}_kuznia_{service}-{container}.log"],
            "data_stream.dataset": ["kubernetes.container_logs"],
            "input.type": ["filestream"],
        }
        index = f".ds-logs-kubernetes.container_logs-kuznia-{at:%Y.%m.%d}-000112"
    return {"_index": index, "_id": h[:20], "_score": None, "fields": fields, "sort": [ms]}
