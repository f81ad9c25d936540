"""World 17's estate, written after world 16's rules and scored before any rule saw it.

An online-learning platform, bundled the plain way DESIGN.md describes, as an outside team following
it would write one: `{"ts", "service", "pod", "level", "message", "logger"}` a line with a lowercase
level the shipper filled in, and each program's own line kept whole in `message`: nginx's combined
access log and its error log, Laravel's Monolog and php-fpm's master, Rails' Logger, Celery's worker
format, Go's JSON request logs, MySQL 8's error and slow-query logs, RabbitMQ's. Metrics are
recording rules labelled `service`, named the team's own way, every 30 s; only MySQL and RabbitMQ
report disk."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: nginx php rails celery go mysql rabbitmq memcached saas (no telemetry of its own)


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "service:http_requests:rate1m",
        "error_ratio": "service:http_requests_failed:ratio1m",
        "latency_p99": "service:http_response_seconds:p99_1m",
        "cpu_utilization": "service:cpu_seconds:ratio_quota",
        "memory_utilization": "service:memory_rss:ratio_limit",
        "disk_utilization": "service:volume_used:ratio",
        "restarts": "service:process_restarts:increase5m",
    }
    return {k: f'{v}{{service="{{service}}"}}' for k, v in names.items()}


CAMPUS = Estate(
    label="service",
    name="campus",
    namespace="campus-prod",
    shipper="fluentd",
    signals=_signals(),
    nodes=(
        Node("edge", "nginx", ("web", "api"), 320),
        Node("web", "php", ("course-db", "sessions", "recs"), 140),
        Node("api", "rails", ("course-db", "search", "paygate", "jobs-mq"), 90),
        Node("search", "go", ("course-db",), 45),
        Node("recs", "go", ("course-db",), 25),
        Node("transcoder", "celery", ("jobs-mq", "blob"), 6),
        Node("jobs-mq", "rabbitmq", (), 60),
        Node("course-db", "mysql", (), 420),
        Node("sessions", "memcached", (), 600),
        Node("paygate", "saas", (), 12),
        Node("blob", "saas", (), 20),
    ),
)

ESTATES = {CAMPUS.name: CAMPUS}

ACCESS = '10.2.{a}.{b} - - [{clf}] "{req} HTTP/1.1" {status} {size} "-" "Mozilla/5.0 (X11; Linux x86_64)" rt={rt}'

BACKGROUND = {
    "nginx": ["GET /courses/412 200", "GET /static/app.3f9c.js 200", "POST /api/v2/progress 204"],
    "php": ['production.INFO: Course page rendered {"course_id":412,"ms":38}'],
    "rails": ["Completed 200 OK in 45ms (Views: 12.1ms | ActiveRecord: 8.3ms | Allocations: 5120)"],
    "celery": ["Task transcode.render[4f1c2a9e-6b1d-4e55-9a0e-2c4b7d8e9f10] succeeded in 41.2s: None"],
    "go": ['{"level":"info","path":"/v1/search","status":200,"took_ms":14}'],
    "mysql": [
        "[Note] [MY-010914] [Server] Aborted connection 8812 to db: 'campus' user: 'web' host: '10.2.0.19' "
        "(Got an error reading communication packets)."
    ],
    "rabbitmq": ["accepting AMQP connection <0.7123.0> (10.2.0.31:51122 -> 10.2.3.4:5672)"],
    "memcached": ["<31 new auto-negotiating client connection"],
}
NOISE = {
    "php": 'production.WARNING: Slow request detected {"uri":"/courses/412/quiz","ms":1840}',
    "rails": "Rack::Timeout::RequestExpiryError (Request older than 15000ms.)",
    "mysql": "[Warning] [MY-010055] [Server] IP address '10.2.0.44' could not be resolved: Name or service not known",
}
LEVELS = {"warn": "warning"}  # the shipper's spelling


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it."""
    if tech == "nginx":
        if text[:1] in "GPD" and text.split(" ")[-1].isdigit():  # an access line: "<method> <path> <status>"
            req, status = text.rsplit(" ", 1)
            return ACCESS.format(a=at.second % 7, b=at.microsecond % 250, clf=f"{at:%d/%b/%Y:%H:%M:%S +0000}",
                                 req=req, status=status, size=5123 if status < "300" else 0,
                                 rt=0.041 if status < "500" else 30.001)  # fmt: skip
        return f"{at:%Y/%m/%d %H:%M:%S} [{level}] 31#31: *8812 {text}"
    if tech == "php":
        if text.startswith("WARNING: [pool"):  # php-fpm's master, not the application
            return f"[{at:%d-%b-%Y %H:%M:%S}] {text}"
        return f"[{at:%Y-%m-%d %H:%M:%S}] {text}"
    if tech == "rails":
        tag = {"info": "I", "warn": "W", "error": "E"}[level]
        return f"{tag}, [{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d} #1] {level.upper():>5} -- : [7f3a9c1e] {text}"
    if tech == "celery":
        who = "MainProcess" if "WorkerLost" in text or "exited with" in text else "ForkPoolWorker-3"
        return f"[{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}: {level.upper()}/{who}] {text}"
    if tech == "mysql":
        if text.startswith("# ") or text.startswith("SELECT"):  # the slow-query log
            return text
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z 0 {text}"
    if tech == "rabbitmq":
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00 [{level}] <0.812.0> {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the team's bundle keeps it."""
    tech = estate.node(service).tech
    return {
        "ts": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "service": service,
        "pod": pod,
        "level": LEVELS.get(level, level),
        "message": line(tech, at, level, text),
        "logger": {"nginx": "nginx", "php": "laravel", "rails": "rails", "celery": "celery"}.get(tech, tech),
    }
