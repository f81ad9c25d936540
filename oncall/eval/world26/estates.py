"""World 26's estate, written after world 25's rules and scored before any rule saw it.

A game studio's online services on Nomad and Consul (not Kubernetes: no cluster files), bundled the
plain way DESIGN.md describes by a team whose OpenTelemetry collector writes `ts` as Python's isoformat
(`2026-05-16T20:14:03.123456+00:00`), `pod` as Nomad's allocation name (`lobby.api[2]`), `level` as the
severity text each program's parser found (Serilog's `Information`, pino's number, CockroachDB's `E`,
nothing at all for Envoy's access log) and the program's line whole in `message`: Envoy's default access
log, zap's and pino's JSON, logrus's text, HashiCorp's hclog (Consul and the allocator), Serilog's
console template, logback's default pattern (Ktor), uvicorn, Rust's tracing, ejabberd, ScyllaDB and
CockroachDB. Metrics are recording rules labelled `nomad_job`, named after OpenTelemetry's HTTP and
process conventions, every 30 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: envoy gozap logrus hclog consul dotnet kotlin uvicorn pino rust ejabberd scylla cockroach saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "nomad_job:http_server_requests:rate1m",
        "error_ratio": "nomad_job:http_server_errors:ratio_rate1m",
        "latency_p99": "nomad_job:http_server_request_duration_seconds:p99",
        "cpu_utilization": "nomad_job:process_cpu:utilization",
        "memory_utilization": "nomad_job:process_memory:utilization",
        "disk_utilization": "nomad_job:host_disk:utilization",
        "restarts": "nomad_job:allocation_restarts:increase10m",
    }
    return {k: f'{v}{{nomad_job="{{service}}"}}' for k, v in names.items()}


QUESTLINE = Estate(
    label="nomad_job",
    name="questline",
    namespace="live",
    shipper="otel-collector",
    signals=_signals(),
    nodes=(
        Node("edge", "envoy", ("gateway",), 420),
        Node("gateway", "gozap", ("auth", "lobby", "profiles", "store", "leaderboards"), 400),
        Node("auth", "rust", ("accounts-db",), 120),
        Node("lobby", "dotnet", ("matchmaker", "scylla", "profiles", "consul"), 90),
        Node("matchmaker", "logrus", ("allocator", "consul"), 40),
        Node("allocator", "hclog", ("consul",), 12),
        Node("profiles", "kotlin", ("scylla", "consul"), 150),
        Node("leaderboards", "uvicorn", ("scylla", "consul"), 80),
        Node("store", "pino", ("catalog", "platform-payments"), 30),
        Node("catalog", "pino", (), 60),
        Node("chat", "ejabberd", ("accounts-db",), 200),
        Node("scylla", "scylla", (), 900),
        Node("accounts-db", "cockroach", (), 300),
        Node("consul", "consul", (), 60),
        Node("platform-payments", "saas", (), 25),
    ),
)

ESTATES = {QUESTLINE.name: QUESTLINE}

BACKGROUND = {
    "envoy": ["GET /v1/profiles/me 200", "POST /v1/lobby/heartbeat 200"],
    "gozap": ["proxied request"],
    "logrus": ["queue tick: ranked-eu 212 waiting, 38 matches formed"],
    "hclog": ["allocator: allocation placed: job=gs-ranked alloc=5d1e0c2a node=gs-eu-14"],
    "consul": ["agent: Synced check: check=service:profiles-1"],
    "dotnet": ["Lobby 88213 heartbeat from 4 players"],
    "kotlin": ["GET /v1/profiles/me 200 in 12ms"],
    "uvicorn": ['10.4.2.1:51234 - "GET /v1/boards/weekly HTTP/1.1" 200 OK'],
    "pino": ["request completed"],
    "rust": ["auth::http: login ok method=password region=eu"],
    "ejabberd": ["(tcp|<0.28711.4>) Accepted connection 10.9.1.4:50211 -> 10.9.0.2:5222"],
    "scylla": ["compaction - [Compact questline.profiles 1c2f] Compacted 4 sstables to [...]. 88MB to 61MB"],
    "cockroach": ["[n1,s1] 12 replicas rebalanced in the last 10m0s"],
}
NOISE = {
    "gozap": "client closed request",
    "kotlin": "Profile 0 not found",
    "consul": "agent: Check is now critical: check=service:gs-eu-7",
    "uvicorn": '10.4.2.9:40112 - "GET /v1/boards/unknown HTTP/1.1" 404 Not Found',
}
# each program's severity text, as the collector's parser found it (None: the access log names none)
SEVERITY = {
    "dotnet": {"debug": "Debug", "info": "Information", "warn": "Warning", "error": "Error", "fatal": "Fatal"},
    "pino": {"debug": "20", "info": "30", "warn": "40", "error": "50", "fatal": "60"},
    "cockroach": {"debug": "I", "info": "I", "warn": "W", "error": "E", "fatal": "F"},
    "uvicorn": {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR", "fatal": "CRITICAL"},
    "ejabberd": {"debug": "debug", "info": "info", "warn": "warning", "error": "error", "fatal": "critical"},
    "gozap": {"debug": "debug", "info": "info", "warn": "warn", "error": "error", "fatal": "fatal"},
    "logrus": {"debug": "debug", "info": "info", "warn": "warning", "error": "error", "fatal": "fatal"},
}


def _epoch(at: datetime) -> str:
    return f"{at.timestamp():.6f}"


def line(tech: str, at: datetime, pod: str, level: str, text: str) -> str:
    """The line as the program writes it."""
    if tech == "envoy":  # Envoy's default access log format
        if text[:1] in "GP" and len(text.split(" ")) in (3, 4):
            parts = text.split(" ")
            method, path, status = parts[:3]
            flags = parts[3] if len(parts) == 4 else "-"
            return (f'[{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z] "{method} {path} HTTP/2" {status} '
                    f'{flags} 0 412 31 29 "10.9.4.{at.second}" "QuestlineClient/1.42 (Windows)" '
                    f'"{at.microsecond:08x}-4e1c" "api.questline.example" "10.4.1.9:8080"')  # fmt: skip
        return f"[{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d}][1][{level}][upstream] {text}"
    if tech == "gozap":  # zap's production encoder
        caller = "gateway/proxy.go:142"
        if text.startswith("{"):  # a line with fields of its own: its time is the line's
            return text.replace('"ts":0', f'"ts":{_epoch(at)}', 1)
        return f'{{"level":"{level}","ts":{_epoch(at)},"caller":"{caller}","msg":"{text}"}}'
    if tech == "logrus":
        head = f'time="{at:%Y-%m-%dT%H:%M:%SZ}" level={SEVERITY["logrus"][level]}'
        return f"{head} {text}" if text.startswith('msg="') else f'{head} msg="{text}"'
    if tech in ("hclog", "consul"):
        word = {"warn": "WARN", "error": "ERROR", "debug": "DEBUG", "fatal": "ERROR"}.get(level, "INFO")
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z [{word}]{' ' * (6 - len(word))}{text}"
    if tech == "dotnet":  # Serilog's console template
        word = {"warn": "WRN", "error": "ERR", "fatal": "FTL", "debug": "DBG"}.get(level, "INF")
        return f"[{at:%H:%M:%S} {word}] {text}"
    if tech == "kotlin":  # logback's default pattern
        return (f"{at:%H:%M:%S}.{at.microsecond // 1000:03d} [DefaultDispatcher-worker-3] {level.upper():<5} "
                f"c.q.profiles.Routes - {text}")  # fmt: skip
    if tech == "uvicorn":
        word = SEVERITY["uvicorn"][level] + ":"
        return f"{word:<10}{text}"
    if tech == "pino":
        if text.startswith("{"):
            return text.replace('"time":0', f'"time":{int(at.timestamp() * 1000)}', 1)
        return (f'{{"level":{SEVERITY["pino"][level]},"time":{int(at.timestamp() * 1000)},"pid":1,'
                f'"hostname":"{pod}","msg":"{text}"}}')  # fmt: skip
    if tech == "rust":  # tracing_subscriber's default format
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {level.upper():>5} {text}"
    if tech == "ejabberd":
        return (f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00 [{SEVERITY['ejabberd'][level]}] "
                f"<0.28711.4>@ejabberd_c2s:process_info/2:310 {text}")  # fmt: skip
    if tech == "scylla":
        word = {"warn": "WARN", "error": "ERROR", "debug": "DEBUG"}.get(level, "INFO")
        return f"{word:<5} {at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} [shard {at.second % 4}] {text}"
    if tech == "cockroach":
        return (f"{SEVERITY['cockroach'][level]}{at:%y%m%d %H:%M:%S}.{at.microsecond:06d} 1843 "
                f"kv/kvserver/replica.go:88 ⋮ {text}")  # fmt: skip
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the team's bundle keeps it."""
    tech = estate.node(service).tech
    group = "db" if tech in ("scylla", "cockroach") else "server" if tech == "consul" else "api"
    alloc = f"{service}.{group}[{sum(map(ord, pod)) % 3}]"
    severity = SEVERITY.get(tech, {}).get(level, level.upper())
    return {
        "ts": at.isoformat(),
        "service": service,
        "pod": alloc,
        "level": "" if tech == "envoy" and text[:1] in "GP" else severity,
        "message": line(tech, at, alloc, level, text),
    }
