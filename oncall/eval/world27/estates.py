"""World 27's estate, written after world 26's rules and scored before any rule saw it.

A city transit agency's real-time and trip-planning platform on virtual machines (no cluster files),
bundled the plain way DESIGN.md describes by a team whose syslog relay keeps no level at all: each line
has `ts` (RFC 3339 to the second, `Z`), `service`, `pod` (the host, `rt-api-02`) and the program's own line
in `message`, nothing else; whatever level there is, the line says itself. The programs: HAProxy's HTTP
log, Rails' default logger (`E, [2026-06-03T07:41:12.123456 #1234] ERROR -- : ...`), PHP's Monolog,
structlog's console renderer, OpenTripPlanner under logback, Mosquitto (epoch-second prefix), Tomcat's
JULI (`SEVERE`), PostgreSQL with PostGIS, Memcached's verbose log, systemd and the kernel. Metrics are
recording rules labelled `job`, named the way node and application exporters' rules are, every 60 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: haproxy rails php structlog otp mosquitto tomcat postgis memcached saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "job:http_requests:rate5m",
        "error_ratio": "job:http_requests_failed:ratio_rate5m",
        "latency_p99": "job:http_request_latency_seconds:p99_5m",
        "cpu_utilization": "job:node_cpu_busy:ratio",
        "memory_utilization": "job:node_memory_used:ratio",
        "disk_utilization": "job:node_filesystem_used:ratio",
        "restarts": "job:systemd_unit_restarts:increase15m",
    }
    return {k: f'{v}{{job="{{service}}"}}' for k, v in names.items()}


TRANSIT = Estate(
    label="job",
    name="metrotransit",
    namespace="prod",
    shipper="rsyslog-relay",
    signals=_signals(),
    nodes=(
        Node("lb", "haproxy", ("web", "rt-api", "trip-api"), 350),
        Node("web", "php", ("rt-api", "trip-api", "cms-db"), 160),
        Node("rt-api", "rails", ("predictions", "cache", "transit-db"), 220),
        Node("trip-api", "structlog", ("trip-planner", "geocoder"), 70),
        Node("trip-planner", "otp", (), 60),
        Node("predictions", "tomcat", ("broker", "transit-db", "avl-feed"), 120),
        Node("broker", "mosquitto", (), 900),
        Node("cache", "memcached", (), 700),
        Node("transit-db", "postgis", (), 400),
        Node("cms-db", "postgis", (), 90),
        Node("avl-feed", "saas", (), 10),
        Node("geocoder", "saas", (), 40),
    ),
)

ESTATES = {TRANSIT.name: TRANSIT}

BACKGROUND = {
    "haproxy": ["GET /api/v1/arrivals?stop=4412 200"],
    "php": ["Rendered stop page", "Served timetable PDF"],
    "rails": ["Completed 200 OK in 23ms (Views: 0.2ms | ActiveRecord: 4.1ms | Allocations: 2211)"],
    "structlog": ["plan served                    origin=stop:4412 dest=stop:1180 itineraries=3 took_ms=212"],
    "otp": ["Routing request finished in 188 ms, 3 itineraries"],
    "tomcat": ["INFO [predictions-worker-2] Updated 1284 predictions from 412 vehicle positions"],
    "mosquitto": ["Received PINGREQ from bus-4412"],
    "memcached": ["<31 get arrivals:4412"],
    "postgis": ["LOG:  checkpoint complete: wrote 2211 buffers (3.4%)"],
}
NOISE = {
    "rails": 'ActionController::RoutingError (No route matches [GET] "/wp-login.php")',
    "php": "PHP Notice:  Undefined index: lang in /var/www/html/stop.php on line 41",
    "mosquitto": "Client bus-2207 closed its connection.",
}


def line(tech: str, at: datetime, host: str, level: str, text: str) -> str:
    """The line as the program writes it (the relay keeps it whole)."""
    ms = at.microsecond // 1000
    if tech == "haproxy":  # the HTTP log format, as syslog hands it over
        parts = text.split(" ")
        if parts[0] in ("GET", "POST") and len(parts) >= 3:
            method, path, status = parts[:3]
            state = parts[3] if len(parts) > 3 else "----"
            backend = "be_rt/rt-api-01" if "/api/" in path else "be_web/web-01"
            if state.startswith("SC"):  # no server to send it to
                backend = backend.split("/")[0] + "/<NOSRV>"
            request = f'"{method} {path} HTTP/1.1"'
            return (f"haproxy[2211]: 10.20.4.{at.second}:5{ms:04d} [{at:%d/%b/%Y:%H:%M:%S}.{ms:03d}] fe_https~ "
                    f"{backend} 0/0/1/24/25 {status} 812 - - {state} 212/188/3/1/0 0/0 {request}")  # fmt: skip
        return f"haproxy[2211]: {text}"
    if tech == "rails":  # Ruby's Logger, as Rails writes it
        word = {"error": "ERROR", "warn": "WARN", "fatal": "FATAL", "debug": "DEBUG"}.get(level, "INFO")
        return f"{word[0]}, [{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d} #1842] {word:>5} -- : {text}"
    if tech == "php":  # Monolog's line formatter
        word = {"error": "ERROR", "warn": "WARNING", "fatal": "CRITICAL", "debug": "DEBUG"}.get(level, "INFO")
        if text.startswith("PHP "):
            return text
        return f"[{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+00:00] app.{word}: {text} [] []"
    if tech == "structlog":  # the console renderer, colours off
        return f"{at:%Y-%m-%d %H:%M:%S} [{level:<9}] {text}"
    if tech == "otp":  # logback's pattern in OpenTripPlanner
        word = {"error": "ERROR", "warn": "WARN", "debug": "DEBUG"}.get(level, "INFO")
        return f"{at:%H:%M:%S}.{ms:03d} {word} [main] (Router.java:88) {text}"
    if tech == "tomcat":  # JULI's OneLineFormatter
        if text.startswith(("INFO ", "SEVERE ", "WARNING ")):
            word, rest = text.split(" ", 1)
        else:
            word = {"error": "SEVERE", "warn": "WARNING", "fatal": "SEVERE"}.get(level, "INFO")
            rest = f"[predictions-worker-2] {text}"
        return f"{at:%d-%b-%Y %H:%M:%S}.{ms:03d} {word} {rest}"
    if tech == "mosquitto":
        return f"{int(at.timestamp())}: {text}"
    if tech == "memcached":
        return text
    if tech == "postgis":
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d} UTC [{3100 + at.second}] {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the relay keeps it: no level of its own."""
    host = f"{service}-{sum(map(ord, pod)) % 3 + 1:02d}"
    tech = estate.node(service).tech
    return {
        "ts": f"{at:%Y-%m-%dT%H:%M:%S}Z",
        "service": service,
        "pod": host,
        "message": line(tech, at, host, level, text),
    }
