"""World 109's estate, written after world 108's rules and scored before any rule saw it.

A Lyon municipal library network ("Bibli": forty libraries' catalogue, holds and loans, and e-book lending) on GKE
Autopilot: `opac` (the public catalogue, SvelteKit on Node, its console lines plain text), `catalog` (Perl on
Mojolicious, Mojo's log lines to stderr), `lending` (Python on FastAPI: google-cloud-logging's structured JSON for its
own lines, uvicorn's access and error lines as plain text to stderr), `ebooks` (Go, slog's JSON to stderr, no
`severity` key), `search` (Meilisearch, its Rust tracing lines to stderr); Cloud SQL for PostgreSQL; a Cloud NAT
gateway for the cluster's egress; Cantook (the e-book distributor) and the BnF's catalogue outside.

Logs: a Cloud Logging sink publishes every entry to Pub/Sub; a push subscription posts each to the team's archive
function, which keeps the request body, one a line: `{"message": {"data": <the LogEntry's JSON in base64>,
"attributes", "messageId", "publishTime"}, "subscription"}`. Inside, each LogEntry as Cloud Logging writes it:
a container's JSON line becomes `jsonPayload` (a `severity` key lifted out of it), any other line `textPayload`,
and a line with no severity of its own is INFO on stdout and ERROR on stderr; `resource.labels` name the cluster,
namespace, pod and container; Cloud SQL's lines are `textPayload` under a `cloudsql_database` resource whose
`database_id` is `<project>:<instance>`; Cloud NAT's are `jsonPayload` records of each connection under a
`nat_gateway` resource. Metrics: Google Managed Prometheus, recording rules by `workload`."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

PROJECT = "bibli-lyon-prod"
BRANCHES = ("part-dieu", "croix-rousse", "guillotiere", "vaise", "bachut", "jean-mace", "marceline-desbordes-valmore")
NAT_IP = "34.155.12.7"


def _signals() -> dict[str, str]:
    sel = 'workload="{service}"'
    return {
        "request_rate": f"workload:http_requests:rate5m{{{sel}}}",
        "error_ratio": f"workload:http_requests_errors:ratio5m{{{sel}}}",
        "latency_p99": f"workload:http_request_duration_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"workload:container_cpu:ratio_limit{{{sel}}}",
        "memory_utilization": f"workload:container_memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"workload:disk_used:ratio{{{sel}}}",
        "pool_utilization": f"workload:db_connections:ratio_max{{{sel}}}",
        "restarts": f"workload:container_restarts:increase15m{{{sel}}}",
    }


PROD = Estate(
    label="workload",
    name="bibli",
    namespace="bibli",
    shipper="cloud-logging-pubsub-push-archive",
    signals=_signals(),
    nodes=(
        Node("opac", "svelte", ("catalog", "lending", "search", "ebooks"), 110),
        Node("catalog", "mojo", ("postgres", "bnf"), 40),
        Node("lending", "fastapi", ("postgres", "catalog"), 35),
        Node("ebooks", "slog", ("cantook", "nat", "postgres"), 12),
        Node("search", "meili", (), 60),
        Node("postgres", "cloudsql", (), 300),
        Node("nat", "cloudnat", (), 50),
        Node("cantook", "saas", (), 8),
        Node("bnf", "saas", (), 3),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "svelte": ["GET /notice/{n}{k}{n}4 200 {k}{n}ms", "GET /recherche?q=zola&bib={branch} 200 {n}ms"],
    "mojo": ["GET /api/notices/{n}{k}{n}4", "200 OK (0.0{k}{n}s, {n}.{k}/s)"],
    "fastapi": ['uvicorn|INFO:     10.52.{k}.{n}:4{n}{k} - "POST /reservations HTTP/1.1" 201 Created',
                "Hold placed|branch={branch}|notice={n}{k}{n}4|queue={k}"],
    "slog": ["loan started|title=ean:97820{n}{k}{n}77{k}|reader=L{n}{k}|format=epub",
             "cantook token refreshed|expires_in=3600"],
    "meili": ["HTTP request{method=GET host=\"search:7700\" route=/indexes/notices/search query_parameters="
              "\"\" user_agent=opac status_code=200}: meilisearch: close time.busy={k}.{n}ms time.idle=1{k}µs"],
    "cloudsql": ["LOG:  checkpoint complete: wrote {n}{k} buffers (0.{k}%); 0 WAL file(s) added, 0 removed, "
                 "1 recycled; write={k}.{n}1 s, sync=0.00{k} s, total={k}.{n}4 s",
                 "LOG:  connection authorized: database=bibli SSL enabled (protocol=TLSv1.3)"],
    "cloudnat": ["OK|10.52.{k}.{n}|4{n}{k}0|185.60.{k}.{n}|443"],
}  # fmt: skip
NOISE = {
    "mojo": 'Template "notice/show.html.ep" not found for notice {n}{k}',
    "svelte": "GET /wp-login.php 404 {k}ms",
    "fastapi": "Hold refused|branch={branch}|reason=card_expired",
}

PY = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
SLOG = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
MOJO = {"error": "error", "warn": "warn", "info": "info", "debug": "debug"}
MEILI = {"error": "ERROR", "warn": " WARN", "info": " INFO", "debug": "DEBUG"}
SQL_SEVERITY = {"ERROR": "ERROR", "FATAL": "CRITICAL", "WARNING": "WARNING", "LOG": "INFO"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{branch}", BRANCHES[int(h[:2], 16) % len(BRANCHES)])
        .replace("{h8}", h[8:16])
    )


def _stamp(at: datetime, h: str) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(h[60:63], 16) % 1000:03d}Z"


def _container(tech: str, at: datetime, level: str, said: str, h: str) -> tuple[str, dict[str, Any] | str, str]:
    """(stream, payload, severity) of a container's line: a JSON line is jsonPayload (its own `severity` lifted
    out), any other textPayload; with no severity of its own, the stream's (INFO on stdout, ERROR on stderr)."""
    if tech == "svelte":  # console.log / console.error
        stream = "stderr" if level == "error" else "stdout"
        return stream, said, "ERROR" if stream == "stderr" else "INFO"
    if tech == "mojo":  # Mojo::Log to STDERR: "[time] [pid] [level] message"
        line = f"[{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 10:05d}] [{int(h[:3], 16)}] [{MOJO[level]}] {said}"
        return "stderr", line, "ERROR"
    if tech == "fastapi":
        if said.startswith("uvicorn|"):  # uvicorn's own lines: plain text, to stderr
            return "stderr", said.removeprefix("uvicorn|"), "ERROR"
        msg, _, kv = said.partition("|")  # google-cloud-logging's StructuredLogHandler: severity in the line
        where = {"file": "/app/lending/holds.py", "line": str(40 + int(h[:2], 16) % 200), "function": "place_hold"}
        payload: dict[str, Any] = {"message": msg, "logging.googleapis.com/sourceLocation": where}
        for part in kv.split("|") if kv else ():
            k, _, v = part.partition("=")
            payload[k] = v
        return "stdout", payload, PY[level]
    if tech == "slog":  # slog.NewJSONHandler(os.Stderr): no severity key, so the stream's
        msg, _, kv = said.partition("|")
        payload = {"time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z", "level": SLOG[level], "msg": msg}
        for part in kv.split("|") if kv else ():
            k, _, v = part.partition("=")
            payload[k] = int(v) if v.isdigit() else v
        return "stderr", payload, "ERROR"
    if tech == "meili":  # tracing_subscriber's fmt, to stderr, no colours (not a terminal)
        return "stderr", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {MEILI[level]} {said}", "ERROR"
    return "stdout", said, "INFO"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """The LogEntry Cloud Logging keeps of one line, as the sink publishes it (with its time, to sort by)."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    said = _fill(at, text, h)
    stamp = _stamp(at, h)
    entry: dict[str, Any] = {"insertId": h[:16], "timestamp": stamp, "receiveTimestamp": stamp[:-4] + "9Z"}
    if tech == "cloudsql":  # Cloud SQL's postgres.log: the server's own prefix, its severity mapped
        sev = said.split(":", 1)[0]
        user = ("catalog", "lending", "ebooks")[int(h[6], 16) % 3]
        entry |= {"textPayload": f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [{int(h[:4], 16)}]: "
                                 f"[{int(h[4:6], 16)}-1] db=bibli,user={user} {said}",
                  "resource": {"type": "cloudsql_database", "labels": {"project_id": PROJECT, "region":
                               "europe-west9", "database_id": f"{PROJECT}:bibli-postgres"}},
                  "severity": SQL_SEVERITY.get(sev, "INFO"),
                  "logName": f"projects/{PROJECT}/logs/cloudsql.googleapis.com%2Fpostgres.log"}  # fmt: skip
    elif tech == "cloudnat":  # one record a connection: OK, or DROPPED when no NAT port was free for it
        status, src, sport, dst, dport = said.split("|")
        entry |= {"jsonPayload": {"connection": {"src_ip": src, "src_port": int(sport), "dest_ip": dst,
                                                 "dest_port": int(dport), "protocol": 6, "nat_ip": NAT_IP,
                                                 "nat_port": 1024 + int(h[:3], 16) % 60000},
                                  "allocation_status": status,
                                  "gateway_identifiers": {"gateway_name": "bibli-nat", "router_name": "bibli-router",
                                                          "region": "europe-west9"},
                                  "endpoint": {"project_id": PROJECT, "vm_name": f"gk3-bibli-pool-2-{h[20:28]}-"
                                                                                 f"{h[28:32]}", "region":
                                               "europe-west9", "zone": "europe-west9-b"},
                                  "vpc": {"project_id": PROJECT, "vpc_name": "bibli-vpc", "subnetwork_name":
                                          "gke-nodes"}},
                  "resource": {"type": "nat_gateway", "labels": {"gateway_name": "bibli-nat", "region": "europe-west9",
                                                                 "router_id": "5517042117288531967",
                                                                 "project_id": PROJECT}},
                  "logName": f"projects/{PROJECT}/logs/compute.googleapis.com%2Fnat_flows"}  # fmt: skip
    else:
        stream, payload, severity = _container(tech, at, level, said, h)
        entry |= {("jsonPayload" if isinstance(payload, dict) else "textPayload"): payload,
                  "resource": {"type": "k8s_container", "labels": {"project_id": PROJECT, "location": "europe-west9",
                                                                  "cluster_name": "bibli-autopilot",
                                                                  "namespace_name": "bibli", "pod_name": pod,
                                                                  "container_name": service}},
                  "severity": severity,
                  "labels": {"k8s-pod/app_kubernetes_io/name": service, "compute.googleapis.com/resource_name":
                             f"gk3-bibli-pool-2-{_hex(pod)[:8]}-{_hex(pod)[8:12]}"},
                  "logName": f"projects/{PROJECT}/logs/{stream}"}  # fmt: skip
    return entry


def batch(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The push subscription's requests, in the order they were delivered (by publish time: an entry is published
    a second or two after it is received), each as the archive function keeps it."""
    out = []
    for e in sorted(entries, key=lambda e: (e["receiveTimestamp"], e["insertId"])):
        h = _hex(e["insertId"])
        mid = str(int(h[:13], 16))
        published = e["receiveTimestamp"][:23] + "Z"  # (Pub/Sub's time, to the millisecond)
        data = base64.b64encode(json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode()).decode()
        out.append({
            "message": {"attributes": {"logging.googleapis.com/timestamp": e["timestamp"]}, "data": data,
                        "messageId": mid, "message_id": mid, "publishTime": published, "publish_time": published},
            "subscription": f"projects/{PROJECT}/subscriptions/logs-archive-push",
        })  # fmt: skip
    return out
