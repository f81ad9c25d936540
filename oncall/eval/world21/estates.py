"""World 21's estate, written after world 20's rules and scored before any rule saw it.

A multiplayer game's backend on GKE: Envoy at the edge, a Go websocket gateway for sessions, a Node
lobby, a Go matchmaker that allocates game servers through an Agones allocator, a Spring Boot profile
service, a Python store, ratings in Java; CockroachDB for profiles and inventory, Redis for parties and
the leaderboard. Logs go through Fluent Bit to Falcon LogScale and come back as LogScale's JSON export:
`@timestamp` in epoch milliseconds, the line whole in `@rawstring`, `#repo` and `#type` tags, and the
Kubernetes metadata as flat dotted keys (`kubernetes.pod_name`, `kubernetes.container_name`), not
objects. Only the Java parser extracts a level (`loglevel`); Go and Node write JSON inside the raw line,
CockroachDB its glog prefix (`W251201 03:47:12.345678`). Metrics are OpenTelemetry's, through recording
rules labelled `k8s_deployment_name`, every 30 s."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: envoy go node java python cockroach redis postgres saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "otel:http_server_requests:rate1m",
        "error_ratio": "otel:http_server_errors:ratio_rate1m",
        "latency_p99": "otel:http_server_request_duration_seconds:p99_1m",
        "cpu_utilization": "k8s:container_cpu_usage:ratio_limit",
        "memory_utilization": "k8s:container_memory_working_set:ratio_limit",
        "restarts": "k8s:container_restarts:increase10m",
        "disk_utilization": "k8s:volume_used:ratio_capacity",
    }
    return {k: f'{v}{{k8s_deployment_name="{{service}}"}}' for k, v in names.items()}


ARENA = Estate(
    label="k8s_deployment_name",
    name="arena",
    namespace="live",
    shipper="logscale",
    signals=_signals(),
    nodes=(
        Node("edge", "envoy", ("session-gw", "store"), 900),
        Node("session-gw", "go", ("lobby", "matchmaker", "profile"), 850),
        Node("lobby", "node", ("profile", "party-cache"), 400),
        Node("matchmaker", "go", ("profile", "ratings", "fleet-allocator"), 220),
        Node("fleet-allocator", "go", (), 40),
        Node("profile", "java", ("profile-db", "inventory-db"), 600),
        Node("store", "python", ("profile", "inventory-db", "psp"), 60),
        Node("ratings", "java", ("ratings-db", "leaderboard-cache"), 250),
        Node("profile-db", "cockroach", (), 900),
        Node("inventory-db", "cockroach", (), 500),
        Node("ratings-db", "postgres", (), 260),
        Node("party-cache", "redis", (), 1200),
        Node("leaderboard-cache", "redis", (), 700),
        Node("psp", "saas", (), 60),
    ),
)

ESTATES = {ARENA.name: ARENA}

BACKGROUND = {
    "envoy": [
        '"GET /v1/lobby/state HTTP/1.1" 200 - 0 512 38 37 "10.4.0.7" "UnityPlayer/2022.3.10f1" '
        '"9f1c2a7e-5b1d-4c0e-9a55-1f2e3d4c5b6a" "session-gw:8080" "10.4.3.12:8080"'
    ],
    "go": ['{"level":"info","caller":"server/handler.go:88","msg":"request served","route":"/v1/state","status":200}'],
    "node": [
        '{"level":30,"pid":1,"msg":"request completed","req":{"method":"GET","url":"/lobby/state"},"res":'
        '{"statusCode":200},"responseTime":12}'
    ],
    "java": ["INFO|c.a.p.web.ProfileController|GET /profiles/{id} 200 in 14 ms"],
    "python": ["INFO|store.catalog|served offer list for player 8812 in 22 ms"],
    "cockroach": [
        "I|sql/conn_executor.go:1123|[n1,client=10.4.7.2:51234,user=app] txn committed in 3ms",
        "I|server/status/runtime.go:512|[n1] runtime stats: 3.1 GiB RSS, 412 goroutines, 1.2 GiB/2.0 GiB Go alloc/idle",
    ],
    "redis": ["* Background saving started by pid 91", "* DB saved on disk"],
    "postgres": ["LOG:  checkpoint complete: wrote 1203 buffers (3.1%); write=24.1 s, sync=0.004 s"],
}
NOISE = {
    "go": '{"level":"warn","caller":"ws/conn.go:211","msg":"client closed connection without close frame","code":1006}',
    "java": "WARN|o.h.engine.jdbc.spi.SqlExceptionHelper|SQL Warning Code: 0, SQLState: 00000",
    "cockroach": "W|kv/kvserver/replica_range_lease.go:1422|[n1,s1,r412/3:/Table/58/1/{12-38}] have been waiting "
    "1.5s for acquiring lease",
}

_PROGRAM_LEVELS = {"error": ("ERROR", "E", 50, "error"), "warn": ("WARN", "W", 40, "warn"),
                   "info": ("INFO", "I", 30, "info"), "debug": ("DEBUG", "I", 20, "debug")}  # fmt: skip


def raw(tech: str, at: datetime, service: str, pod: str, level: str, text: str) -> tuple[str, dict[str, str]]:
    """The line as the program wrote it, and the fields LogScale's parser extracted from it."""
    java, glog, pino, zap = _PROGRAM_LEVELS.get(level, _PROGRAM_LEVELS["info"])
    stamp = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
    if tech == "envoy":
        return f"[{stamp}] {text}", {}
    if tech == "go":
        obj = json.loads(text)
        obj["level"] = zap if level in ("error", "warn") else obj.get("level", "info")
        return json.dumps({"level": obj.pop("level"), "ts": round(at.timestamp(), 3), **obj}), {}
    if tech == "node":
        obj = json.loads(text)
        obj["level"] = pino if level in ("error", "warn") else obj.get("level", 30)
        return json.dumps({"level": obj.pop("level"), "time": int(at.timestamp() * 1000), "hostname": pod, **obj}), {}
    if tech in ("java", "python"):
        lvl, logger, msg = text.split("|", 2)
        lvl = java if level in ("error", "warn") else lvl
        if tech == "java":  # Spring Boot's default pattern; the LogScale parser extracts the level
            thread = "nio-8080-exec-" + str(sum(map(ord, pod)) % 40 + 1)
            return f"{stamp} {lvl:>5} 1 --- [{service}] [{thread}] {logger:<40} : {msg}", {"loglevel": lvl}
        return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {lvl} [{logger}] {msg}", {}
    if tech == "cockroach":  # glog's header: severity letter, yymmdd, time, goroutine, file:line
        sev, where, msg = text.split("|", 2)
        sev = glog if level in ("error", "warn") else sev
        return f"{sev}{at:%y%m%d %H:%M:%S}.{at.microsecond:06d} {4000 + len(pod)} {where} ⋮ {msg}", {}
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {text}", {}
    if tech == "postgres":
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [{100 + len(pod)}] {text}", {}
    return text, {}


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One event as LogScale's export writes it: tags and metadata as flat dotted keys."""
    tech = estate.node(service).tech
    line, parsed = raw(tech, at, service, pod, level, text)
    pod_name = f"{service}-{sum(map(ord, pod)) % 9000 + 1000:x}c9d-{pod.rsplit('-', 1)[-1]}x2k"
    if tech in ("cockroach", "postgres", "redis"):
        pod_name = f"{service}-{sum(map(ord, pod)) % 3}"  # StatefulSets
    return {
        "@timestamp": int(at.timestamp() * 1000),
        "@timezone": "Z",
        "@id": f"{int(at.timestamp() * 1000):x}_{sum(map(ord, line)) % 100000}_{len(line)}",
        "#repo": "arena-prod",
        "#type": "kubernetes",
        "@rawstring": line,
        "kubernetes.namespace_name": estate.namespace,
        "kubernetes.pod_name": pod_name,
        "kubernetes.container_name": service,
        "kubernetes.host": f"gke-arena-pool-{sum(map(ord, pod)) % 4 + 1}-{sum(map(ord, service)) % 9000 + 1000:x}",
        "stream": "stderr" if level in ("error", "warn") else "stdout",
        **parsed,
    }
