"""World 8's estates, written after world 7's rules and scored before any rule saw them: an
insurance platform whose services log Elastic Common Schema as nested objects (`log.level` inside
`log`, `service.name` inside `service`, `host.name`, the failure in `error.message` beside a generic
`message`), and a ticketing platform on Azure Container Apps whose logs arrive as Log Analytics rows
(`TimeGenerated`, `ContainerAppName_s`, `RevisionName_s`, the raw line in `Log_s`, the level only in
the line). Metrics keyed by `workload`, every 30 s for requests and 60 s for containers."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech in this world: spring express aspnet nginx elasticsearch redis sqlserver postgres saas

SIGNALS = {
    "request_rate": 'http_requests_rate{workload="{service}"}',
    "error_ratio": 'http_requests_failed_ratio{workload="{service}"}',
    "latency_p99": 'http_request_p99_seconds{workload="{service}"}',
    "cpu_utilization": 'workload_cpu_saturation{workload="{service}"}',
    "memory_utilization": 'workload_memory_saturation{workload="{service}"}',
    "restarts": 'workload_restarts{workload="{service}"}',
}

INSURANCE = Estate(
    label="workload",
    name="insurance",
    namespace="policy",
    shipper="ecs",
    signals=SIGNALS,
    nodes=(
        Node("portal-gw", "nginx", ("quote-api", "claims-api", "search-api"), 120),
        Node("quote-api", "spring", ("rating-engine", "policy-db", "session-redis"), 50),
        Node("claims-api", "spring", ("policy-db", "docs-scanner", "session-redis"), 30),
        Node("search-api", "express", ("search-es",), 60),
        Node("rating-engine", "spring", ("rates-redis",), 50),
        Node("docs-scanner", "saas", (), 30),
        Node("policy-db", "postgres", (), 110),
        Node("search-es", "elasticsearch", (), 60),
        Node("session-redis", "redis", (), 200),
        Node("rates-redis", "redis", (), 80),
    ),
)

TICKETING = Estate(
    label="workload",
    name="ticketing",
    namespace="events",
    shipper="azure",
    signals=SIGNALS,
    nodes=(
        Node("front-door", "nginx", ("events-api", "checkout-api"), 200),
        Node("events-api", "aspnet", ("events-sql", "seatmap-cache", "search-index"), 120),
        Node("checkout-api", "aspnet", ("seat-lock", "payments-psp", "events-sql"), 40),
        Node("seat-lock", "express", ("seatmap-cache",), 40),
        Node("payments-psp", "saas", (), 40),
        Node("events-sql", "sqlserver", (), 160),
        Node("seatmap-cache", "redis", (), 300),
        Node("search-index", "elasticsearch", (), 90),
    ),
)

ESTATES = {e.name: e for e in (INSURANCE, TICKETING)}

BACKGROUND = {
    "spring": ["Completed 200 OK", "HikariPool-1 - Pool stats (total=20, active=4, idle=16, waiting=0)"],
    "express": ["GET /search?q=home 200 38 ms", "GET /healthz 200 1 ms"],
    "aspnet": ["Request finished HTTP/1.1 GET /api/events - 200 - application/json 31.2ms"],
    "nginx": ['10.1.2.3 - - "GET /api/quotes HTTP/1.1" 200 911 "-" "Mozilla/5.0" 0.052'],
    "elasticsearch": ["[o.e.c.m.MetadataMappingService] [es-0] [policies/8hj2] update_mapping [_doc]"],
    "redis": ["Background saving terminated with success"],
    "sqlserver": ["SQL Server is now ready for client connections."],
    "postgres": ["checkpoint complete: wrote 77 buffers (0.5%)"],
}
NOISE = {
    "spring": "WARN o.h.engine.jdbc.spi.SqlExceptionHelper - SQL Warning Code: 0, SQLState: 00000",
    "aspnet": "warn: Microsoft.EntityFrameworkCore.Query[20504] Compiling a query which loads related collections",
    "nginx": '10.1.2.9 - - "GET /favicon.ico HTTP/1.1" 404 0 "-" "Mozilla/5.0" 0.001',
}


def raw(tech: str, at: datetime, level: str, text: str) -> str:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if tech == "aspnet":  # the console logger: `fail:`, `warn:`, `info:`
        return f"{dict(error='fail', warn='warn', info='info')[level]}: Ticketing.Api[0] {text}"
    if tech == "express":
        return f"{stamp} {level.upper()} {text}"
    if tech == "nginx":
        return text if text.startswith("10.") else f"{at.strftime('%Y/%m/%d %H:%M:%S')} [{level}] 29#29: {text}"
    if tech == "redis":
        return f"1:M {at.strftime('%d %b %Y %H:%M:%S.%f')[:-3]} {'#' if level != 'info' else '*'} {text}"
    return f"{stamp} {level.upper()} {text}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    tech = estate.node(service).tech
    if estate.shipper == "ecs":
        doc: dict = {
            "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "log": {"level": level, "logger": f"{service}.app"},
            "service": {"name": service, "environment": "prod"},
            "host": {"name": pod},
            "ecs": {"version": "8.11.0"},
        }
        if level == "error" and ": " in text and tech == "spring":  # ECS loggers keep the exception apart
            kind, _, detail = text.partition(": ")
            doc["message"] = "request failed"
            doc["error"] = {"type": kind, "message": detail}
        else:
            doc["message"] = text if tech in ("spring", "express") else raw(tech, at, level, text)
        return doc
    return {
        "TimeGenerated": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "ContainerAppName_s": service,
        "RevisionName_s": f"{service}--{pod[-5:]}",
        "ContainerName_s": service,
        "Stream_s": "stderr" if level == "error" else "stdout",
        "Log_s": raw(tech, at, level, text),
        "Type": "ContainerAppConsoleLogs_CL",
    }
