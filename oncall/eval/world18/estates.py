"""World 18's estate, written after world 17's rules and scored before any rule saw it.

A travel-booking platform, bundled the plain way DESIGN.md describes (`ts` with a `+00:00` offset,
`service`, `pod`, `level` as each program spells it, `message`), each program's line whole in
`message`: ModSecurity's audit messages through nginx, Node's pino text, Spring Boot's default logback
pattern, uvicorn's access and application lines, logrus's text, PostgreSQL's with a `%m [%p] %a@%d`
prefix (so the client application is named on each line), Redis's. Metrics are recording rules
labelled `service`, every 60 s for everything; databases are StatefulSets (`booking-db-0`)."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: waf node java python go postgres redis saas (no telemetry of its own)


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "job:http_requests:rate5m",
        "error_ratio": "job:http_requests_errors:ratio_rate5m",
        "latency_p99": "job:http_request_duration_seconds:p99_5m",
        "cpu_utilization": "job:container_cpu:usage_over_limit",
        "memory_utilization": "job:container_memory:usage_over_limit",
        "restarts": "job:container_restarts:increase15m",
    }
    return {k: f'{v}{{service="{{service}}"}}' for k, v in names.items()}


TRAVEL = Estate(
    label="service",
    name="travel",
    namespace="booking",
    shipper="otel-collector",
    signals=_signals(),
    nodes=(
        Node("waf", "waf", ("gateway",), 380),
        Node("gateway", "node", ("booking-api", "auth", "search"), 350),
        Node("booking-api", "java", ("pricing", "inventory", "notifications", "booking-db"), 80),
        Node("pricing", "python", ("fx-rates",), 70),
        Node("inventory", "go", ("inventory-cache", "inventory-db"), 160),
        Node("notifications", "java", ("mail-relay",), 25),
        Node("reporting", "python", ("booking-db",), 3),
        Node("auth", "node", ("users-db",), 90),
        Node("search", "go", ("inventory-db",), 140),
        Node("booking-db", "postgres", (), 240),
        Node("inventory-db", "postgres", (), 420),
        Node("users-db", "postgres", (), 110),
        Node("inventory-cache", "redis", (), 900),
        Node("fx-rates", "saas", (), 70),
        Node("mail-relay", "saas", (), 25),
    ),
)

ESTATES = {TRAVEL.name: TRAVEL}

BACKGROUND = {
    "waf": ["GET /api/search?from=LIS&to=BER 200"],
    "node": ["request completed GET /api/search 200 41ms"],
    "java": ["Completed booking request id=88213 in 58 ms"],
    "python": ['10.8.1.4:51234 - "GET /v1/quote?currency=EUR HTTP/1.1" 200 OK'],
    "go": ['time="{ts}" level=info msg="served" path=/v1/availability status=200 took=12ms'],
    "postgres": ["LOG:  checkpoint complete: wrote 812 buffers (5.0%); 0 WAL file(s) added"],
    "redis": ["DB saved on disk"],
}
NOISE = {
    "java": "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s).",
    "node": "request completed GET /api/search 200 1412ms slow",
    "postgres": "LOG:  could not receive data from client: Connection reset by peer",
}
# each program's own spelling of its level, as the collector keeps it
SPELLING = {
    "java": {"info": "INFO", "warn": "WARN", "error": "ERROR"},
    "python": {"info": "INFO", "warn": "WARNING", "error": "ERROR"},
    "postgres": {"info": "LOG", "warn": "WARNING", "error": "ERROR"},
    "waf": {"info": "info", "warn": "warn", "error": "error"},
}


def line(tech: str, at: datetime, pod: str, level: str, text: str) -> str:
    """The line as the program writes it."""
    if tech == "waf":
        if text[:1] in "GP" and text.split(" ")[-1].isdigit():  # nginx's access line
            req, status = text.rsplit(" ", 1)
            return f'10.8.0.{at.second} - - [{at:%d/%b/%Y:%H:%M:%S +0000}] "{req} HTTP/2.0" {status} 812 "-" "okhttp"'
        return f"{at:%Y/%m/%d %H:%M:%S} [{level}] 8#8: *41 {text}"
    if tech == "node":  # pino-pretty's single line
        return f"[{at:%H:%M:%S}.{at.microsecond // 1000:03d}] {level.upper()} ({pod}): {text}"
    if tech == "java":  # Spring Boot's default console pattern
        return (f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z {SPELLING['java'][level]:>5} 1 --- "
                f"[nio-8080-exec-7] c.t.booking.BookingService     : {text}")  # fmt: skip
    if tech == "python":
        if text.startswith("10."):
            return f"INFO:     {text}"
        return f"{SPELLING['python'][level]}:app.{pod.split('-')[0]}:{text}"
    if tech == "go":
        stamp = f"{at:%Y-%m-%dT%H:%M:%S}Z"
        if text.startswith("time="):
            return text.replace("{ts}", stamp)
        return f'time="{stamp}" level={level} msg="{text}"'
    if tech == "postgres":
        who = "[unknown]@[unknown]"
        if text.startswith("@"):  # "@<application>@<database> <line>": the client is named on the line
            who, text = text[1:].split(" ", 1)
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [4121] {who} {text}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} * {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the team's bundle keeps it."""
    tech = estate.node(service).tech
    if tech in ("postgres", "redis"):
        pod = f"{service}-{sum(map(ord, pod)) % 2}"
    return {
        "ts": at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00",
        "service": service,
        "pod": pod,
        "level": SPELLING.get(tech, {}).get(level, level),
        "message": line(tech, at, pod, level, text),
    }
