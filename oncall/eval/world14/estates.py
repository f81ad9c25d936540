"""World 14's estate, written after world 13's rules and scored before any rule saw it.

A lending ledger on virtual machines. Filebeat tails each program's log file and ships to Logstash,
whose file output keeps Filebeat's event: `@timestamp`, the line in `message`, the machine in
`host.name`, and the service only in the path of the file it was read from
(`log.file.path`: `/var/log/<service>/<file>`); no level field. Java's logback pattern, Go's zerolog
console writer, Python's logging default, Node's winston simple format, PgBouncer's, PostgreSQL's,
Redis's and HAProxy's own lines, and the kernel's (in `/var/log/kern.log`, the host its only owner).
Metrics are Telegraf's, written by its Prometheus client output: `<input>_<field>` names tagged
`service_id`, sampled every 10 s for requests and 60 s for the host."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: haproxy java go python node pgbouncer postgres redis agent, saas (no telemetry of its own)


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "http_server_requests_rate",
        "error_ratio": "http_server_requests_error_fraction",
        "latency_p99": "http_server_requests_p99_seconds",
        "cpu_utilization": "procstat_cpu_usage_fraction",
        "memory_utilization": "procstat_memory_rss_fraction",
        "restarts": "procstat_lookup_restarts_increase",
        "pool_utilization": "db_pool_active_fraction",
    }
    return {k: f'{v}{{service_id="{{service}}"}}' for k, v in names.items()}


LEDGER = Estate(
    label="service_id",
    name="ledger",
    namespace="ledger",
    shipper="filebeat",
    signals=_signals(),
    nodes=(
        Node("lb", "haproxy", ("web-api", "partner-api"), 220),
        Node("web-api", "java", ("auth", "accounts", "payments"), 160),
        Node("partner-api", "node", ("accounts",), 40),
        Node("auth", "go", ("pgbouncer",), 60),
        Node("accounts", "java", ("pgbouncer", "redis"), 120),
        Node("payments", "python", ("pgbouncer", "redis", "card-network"), 50),
        Node("reports", "python", ("pgbouncer",), 5),
        Node("pgbouncer", "pgbouncer", ("ledger-db",), 400),
        Node("ledger-db", "postgres", (), 400),
        Node("redis", "redis", (), 600),
        Node("card-network", "saas", (), 50),
        Node("log-shipper", "agent", (), 1),
    ),
)

ESTATES = {LEDGER.name: LEDGER}

BACKGROUND = {
    "haproxy": ["200 GET /v2/accounts/summary HTTP/1.1"],
    "java": ["Completed 200 OK in 18ms"],
    "go": ["token issued sub=u-7731 ttl=900s"],
    "python": ["posted journal entry batch=41 rows=120"],
    "node": ["partner request served route=/v1/balances status=200 ms=22"],
    "pgbouncer": ["stats: 412 xacts/s, 418 queries/s, in 91234 B/s, out 402311 B/s, xact 2311 us, query 1890 us"],
    "postgres": ["LOG:  checkpoint complete: wrote 931 buffers (5.7%); 0 WAL file(s) added"],
    "redis": ["* 100 changes in 300 seconds. Saving..."],
    "agent": ["Non-zero metrics in the last 30s"],
}
NOISE = {
    "java": "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=61s).",
    "node": "partner 4411 sent an unknown field 'memo'; ignored",
    "haproxy": "Server web-api/web-api-02 is DOWN for maintenance.",
}
KERNEL = "kernel: "


def _file(tech: str, service: str) -> str:
    return {
        "haproxy": "/var/log/haproxy.log",
        "postgres": "/var/log/postgresql/postgresql-15-main.log",
        "redis": "/var/log/redis/redis-server.log",
        "pgbouncer": "/var/log/pgbouncer/pgbouncer.log",
        "agent": "/var/log/filebeat/filebeat.log",
    }.get(tech, f"/var/log/{service}/{service}.log")


def raw(tech: str, at: datetime, level: str, text: str) -> str:
    """One line as each program writes it to its file."""
    ms = at.strftime("%H:%M:%S.%f")[:-3]
    if tech == "java":  # logback: %d{ISO8601} [%thread] %-5level %logger{36} - %msg
        return (
            f"{at:%Y-%m-%d} {ms.replace('.', ',')} [http-nio-8080-exec-7] {level.upper():<5} c.l.api.Handler - {text}"
        )
    if tech == "go":  # zerolog's ConsoleWriter: time, a three-letter level, the message
        return f"{at:%Y-%m-%dT%H:%M:%S}Z {dict(error='ERR', warn='WRN', info='INF')[level]} {text}"
    if tech == "python":  # logging's default handler with a time
        return f"{at:%Y-%m-%d} {ms.replace('.', ',')} {level.upper()} ledger.{tech}: {text}"
    if tech == "node":  # winston's simple format
        return f'{level}: {text} {{"timestamp":"{at:%Y-%m-%dT%H:%M:%S}.{ms[-3:]}Z"}}'
    if tech == "pgbouncer":
        mark = dict(error="ERROR", warn="WARNING", info="LOG")[level]
        return f"{at:%Y-%m-%d} {ms} UTC [1023] {mark} {text}"
    if tech == "postgres":
        body = text.split(":  ", 1)[1] if text[:8].count(":  ") else text
        head = text.split(":", 1)[0] if text[:8].count(":  ") else dict(error="ERROR", warn="WARNING").get(level, "LOG")
        return f"{at:%Y-%m-%d} {ms} UTC [4411] {head}:  {body}"
    if tech == "redis":
        return f"1201:M {at:%d %b %Y} {ms} {'#' if level != 'info' else '*'} {text.removeprefix('* ')}"
    if tech == "haproxy":  # an HTTP log line: status, method, path
        return f"{at:%b %d %H:%M:%S} lb-01 haproxy[811]: 10.9.0.4:51123 [{at:%d/%b/%Y:%H:%M:%S}.{ms[-3:]}] fe~ {text}"
    return f"{at:%Y-%m-%dT%H:%M:%S}.{ms[-3:]}Z\t{level.upper()}\t[monitoring]\tlog/log.go:187\t{text}"  # filebeat


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """A Filebeat event as Logstash's file output writes it."""
    tech = estate.node(service).tech
    host = f"{service}-{(sum(map(ord, pod)) % 3) + 1:02d}"
    path = _file(tech, service)
    if text.startswith(KERNEL):  # the kernel logs for the machine, not for a service
        path, line = "/var/log/kern.log", f"{at:%b %d %H:%M:%S} {host} {text}"
    else:
        line = raw(tech, at, level, text)
    return {
        "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "@version": "1",
        "message": line,
        "host": {"name": host},
        "log": {"file": {"path": path}, "offset": (int(at.timestamp()) * 37) % 10_000_000},
        "input": {"type": "filestream"},
        "agent": {"type": "filebeat", "version": "8.12.2"},
        "ecs": {"version": "8.0.0"},
    }
