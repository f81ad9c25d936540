"""World 28's estate, written after world 27's rules and scored before any rule saw it.

An e-signature company's platform on Amazon ECS, bundled the plain way DESIGN.md describes by a team
whose Firehose transform writes `ts` as epoch milliseconds (a JSON number), `pod` as the ECS task id,
`level` only where the line's parser found one (Go's standard `log` writes none), and the program's
line whole in `message`: Caddy's JSON log, Go's `log` package, Python's default logging format
(`ERROR:inkwell.api:...`), java.util.logging's two-line SimpleFormatter, Celery workers, Sidekiq,
ClickHouse, OpenSearch's slow log, Redis and MySQL 8. Metrics are CloudWatch-exported recording rules
labelled `ecs_service`, every 60 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: caddy golog pylog jul celery sidekiq clickhouse opensearch redis mysql saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "ecs:alb_request_count:rate1m",
        "error_ratio": "ecs:alb_target_5xx:ratio1m",
        "latency_p99": "ecs:alb_target_response_time:p99",
        "cpu_utilization": "ecs:service_cpu_utilization:ratio",
        "memory_utilization": "ecs:service_memory_utilization:ratio",
        "disk_utilization": "ecs:ebs_volume_used:ratio",
        "restarts": "ecs:task_stopped:increase15m",
    }
    return {k: f'{v}{{ecs_service="{{service}}"}}' for k, v in names.items()}


INKWELL = Estate(
    label="ecs_service",
    name="inkwell",
    namespace="prod",
    shipper="firehose",
    signals=_signals(),
    nodes=(
        Node("edge", "caddy", ("app", "api"), 300),
        Node("app", "golog", ("api",), 140),
        Node("api", "pylog", ("signer", "db", "queue", "search"), 260),
        Node("signer", "jul", ("kms", "db"), 60),
        Node("render", "celery", ("queue", "db"), 25),
        Node("notify", "sidekiq", ("queue", "db", "mailer"), 30),
        Node("indexer", "celery", ("queue", "search", "db"), 15),
        Node("reports", "golog", ("analytics",), 12),
        Node("analytics", "clickhouse", (), 40),
        Node("search", "opensearch", (), 180),
        Node("queue", "redis", (), 500),
        Node("db", "mysql", (), 420),
        Node("mailer", "saas", (), 20),
        Node("kms", "saas", (), 50),
    ),
)

ESTATES = {INKWELL.name: INKWELL}

BACKGROUND = {
    "caddy": ["handled request"],
    "golog": ["GET /envelopes/88213 200 14ms"],
    "pylog": ["envelope 88213 sent to 2 recipients"],
    "jul": ["Signed document 88213 (3 pages) in 41 ms"],
    "celery": ["Task render.pdf[5f1c9b2e] succeeded in 1.21s: None"],
    "sidekiq": ["done"],
    "clickhouse": ["executeQuery: Read 812211 rows, 61.96 MiB in 0.212 sec., 3831184 rows/sec."],
    "opensearch": ["[search-0] [envelopes][2] refreshed in 12ms"],
    "redis": ["DB saved on disk"],
    "mysql": [
        "[MY-010914] [Server] Aborted connection 8812 to db: 'inkwell' user: 'app' host: '10.0.4.7' "
        "(Got an error reading communication packets)."
    ],
}
NOISE = {
    "pylog": "WARNING:urllib3.connectionpool:Retrying (Retry(total=2, connect=None, read=None)) after connection "
    "broken by 'RemoteDisconnected('Remote end closed connection without response')': /v1/verify",
    "golog": "http: superfluous response.WriteHeader call from main.(*handler).ServeHTTP (handler.go:88)",
    "caddy": "http.log.error: client closed request",
}
PYLEVEL = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR", "fatal": "CRITICAL"}
JUL = {"debug": "FINE", "info": "INFO", "warn": "WARNING", "error": "SEVERE", "fatal": "SEVERE"}
CH = {"debug": "Debug", "info": "Information", "warn": "Warning", "error": "Error", "fatal": "Fatal"}


def line(tech: str, at: datetime, task: str, level: str, text: str) -> str:
    """The line as the program writes it."""
    ms = at.microsecond // 1000
    if tech == "caddy":  # Caddy's JSON encoder
        logger, _, msg = text.partition(": ") if text.startswith(("http.", "tls.")) else ("http.log.access", "", text)
        word = {"warn": "warn", "error": "error", "debug": "debug"}.get(level, "info")
        return (f'{{"level":"{word}","ts":{at.timestamp():.6f},"logger":"{logger}","msg":"{msg}",'
                f'"server_name":"srv0"}}')  # fmt: skip
    if tech == "golog":  # the standard library's log package: no level
        return f"{at:%Y/%m/%d %H:%M:%S} {text}"
    if tech == "pylog":  # logging's default format
        if text.startswith(("WARNING:", "ERROR:", "INFO:", "CRITICAL:")):
            return text
        return f"{PYLEVEL[level]}:inkwell.api:{text}"
    if tech == "jul":  # SimpleFormatter's two lines
        hour = at.hour % 12 or 12
        stamp = f"{at:%b %d, %Y} {hour}:{at:%M:%S} {'AM' if at.hour < 12 else 'PM'}"
        return f"{stamp} com.inkwell.signer.SignService sign\n{JUL[level]}: {text}"
    if tech == "celery":
        if text.startswith("Task "):
            return f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}: {PYLEVEL[level]}/ForkPoolWorker-3] {text}"
        return f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}: {PYLEVEL[level]}/MainProcess] {text}"
    if tech == "sidekiq":
        word = {"warn": "WARN", "error": "ERROR", "fatal": "FATAL", "debug": "DEBUG"}.get(level, "INFO")
        return f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z pid=7 tid=2ov class=EnvelopeMailer jid=9f2a1c {word}: {text}"
    if tech == "clickhouse":
        return f"{at:%Y.%m.%d %H:%M:%S}.{at.microsecond:06d} [ 1843 ] {{}} <{CH[level]}> {text}"
    if tech == "opensearch":
        word = {"warn": "WARN", "error": "ERROR", "debug": "DEBUG"}.get(level, "INFO")
        return f"[{at:%Y-%m-%dT%H:%M:%S},{ms:03d}][{word:<5}][o.o.i.s.s.query] {text}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms:03d} * {text}"
    if tech == "mysql":
        word = {"warn": "Warning", "error": "ERROR"}.get(level, "System")
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z 812 [{word}] {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the transform keeps it: a level only where the line's parser found one."""
    tech = estate.node(service).tech
    task = f"{sum(map(ord, pod)):08x}{len(pod):04x}a1b2c3d4e5f6a7b8"[:32]
    out: dict = {"ts": int(at.timestamp() * 1000), "service": service, "pod": task}
    if tech == "pylog" or tech == "celery":
        out["level"] = PYLEVEL[level]
    elif tech == "jul":
        out["level"] = JUL[level]
    elif tech == "clickhouse":
        out["level"] = CH[level]
    elif tech in ("sidekiq", "opensearch", "caddy"):
        out["level"] = {"warn": "WARN", "error": "ERROR", "fatal": "FATAL", "debug": "DEBUG"}.get(level, "INFO")
    out["message"] = line(tech, at, task, level, text)
    return out
