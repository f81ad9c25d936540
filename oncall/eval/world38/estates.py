"""World 38's estate, written after world 37's rules and scored before any rule saw it.

A sports-betting platform on Kubernetes, bundled the plain way DESIGN.md describes by a team whose containers
write to a terminal the shipper pretends to be, so **the lines keep their ANSI colour codes**: Elixir's
Logger colours a whole Phoenix line (`\\e[31m12:41:12.123 [error] ...\\e[0m`), zap's console encoder colours
its level (`\\e[31mERROR\\e[0m`), and the collector's regex copied zap's coloured level into `level` as it
found it; Ruby's Logger and the
Python program's lines are plain, and their records have no `level`. `ts` RFC 3339
with microseconds and `+00:00`. The programs: a Phoenix odds service (live odds over channels), Go services
for bets and risk (zap console), a Rails wallet, a Python signup service, PostgreSQL, Redis and NATS; the
odds feed and the identity-check (KYC) vendor are others', seen only through what the platform logs.
Metrics carry `app_kubernetes_io_name`, every 30 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: phoenix zapgo rails py postgres redis nats saas

ESC = "\x1b"


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "app:http_requests:rate1m",
        "error_ratio": "app:http_requests_errors:ratio1m",
        "latency_p99": "app:http_request_duration_seconds:p99",
        "cpu_utilization": "app:container_cpu:ratio_limit",
        "memory_utilization": "app:container_memory_working_set:ratio_limit",
        "disk_utilization": "app:pvc_used:ratio",
        "restarts": "app:container_restarts:increase10m",
    }
    return {k: f'{v}{{app_kubernetes_io_name="{{service}}"}}' for k, v in names.items()}


BOOK = Estate(
    label="app_kubernetes_io_name",
    name="oddsline",
    namespace="betting",
    shipper="fluent-bit",
    signals=_signals(),
    nodes=(
        Node("odds", "phoenix", ("feed", "redis", "nats"), 1500),
        Node("bets", "zapgo", ("risk", "wallet", "odds", "nats"), 300),
        Node("risk", "zapgo", ("redis", "postgres", "nats"), 300),
        Node("wallet", "rails", ("postgres", "redis"), 350),
        Node("signup", "py", ("kyc", "postgres"), 8),
        Node("postgres", "postgres", (), 2200),
        Node("redis", "redis", (), 6000),
        Node("nats", "nats", (), 4000),
        Node("feed", "saas", (), 1500),
        Node("kyc", "saas", (), 8),
    ),
)

ESTATES = {BOOK.name: BOOK}

BACKGROUND = {
    "phoenix": ["JOIN \"event:8812\" to OddsWeb.EventChannel (Transport: Phoenix.Socket.V2.JSONSerializer) in 41µs"],
    "zapgo": ['bet placed	{"bet_id": "b_771203", "stake": 12.5, "market": "1X2", "ms": 38}'],
    "rails": ['Completed 200 OK in 31ms (Views: 0.4ms | ActiveRecord: 6.2ms | Allocations: 1882)'],
    "py": ["signup 88213 verified in 2.1 s"],
    "postgres": ["checkpoint complete: wrote 4021 buffers (24.5%); 0 WAL file(s) added, 0 removed, 3 recycled"],
    "redis": ["DB saved on disk"],
    "nats": ["[INF] 10.60.3.12:51234 - cid:88213 - Client connection created"],
}  # fmt: skip
NOISE = {
    "rails": "Can't verify CSRF token authenticity.",
    "zapgo": 'client went away before the answer	{"path": "/v1/bets/open", "ms": 30000}',
    "postgres": "could not receive data from client: Connection reset by peer",
}
_COLOUR = {"debug": "36", "info": "32", "warn": "33", "error": "31", "fatal": "31"}
_ZAP = {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "fatal": "FATAL"}
_PG = {"debug": "DEBUG", "info": "LOG", "warn": "WARNING", "error": "ERROR", "fatal": "FATAL"}


def _painted(code: str, text: str) -> str:
    return f"{ESC}[{code}m{text}{ESC}[0m"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the collector writes it: the colours kept, zap's coloured level copied into `level`."""
    tech = estate.node(service).tech
    rec: dict[str, str] = {"ts": at.isoformat(timespec="microseconds"), "service": service, "pod": pod}
    if tech == "phoenix":
        word = {"warn": "warning", "fatal": "error"}.get(level, level)
        msg = _painted(_COLOUR[level], f"{at:%H:%M:%S}.{at.microsecond // 1000:03d} [{word}] {text}")
    elif tech == "zapgo":
        rec["level"] = _painted(_COLOUR[level], _ZAP[level])
        msg = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z\t{rec['level']}\t{text}"
    elif tech == "rails":  # Ruby's Logger::Formatter: severity letter, time, pid, severity word
        word = {"warn": "WARN", "error": "ERROR", "fatal": "FATAL", "debug": "DEBUG"}.get(level, "INFO")
        msg = f"{word[0]}, [{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d} #1] {word:>5} -- : {text}"
    elif tech == "postgres":
        msg = f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [61] {_PG[level]}:  {text}"
    elif tech == "redis":
        mark = {"warn": "#", "error": "#"}.get(level, "*")
        msg = f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {mark} {text}"
    else:
        msg = text
    rec["message"] = msg
    return rec
