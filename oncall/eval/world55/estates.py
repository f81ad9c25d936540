"""World 55's estate, written after world 54's rules and scored before any rule saw it.

A Norwegian regional public-transport operator's passenger platform on HashiCorp Nomad (Docker tasks, Consul
for discovery, Vault for secrets): Traefik at the edge (logrus text), a FastAPI departures board under uvicorn,
OpenTripPlanner as the journey planner (logback, a time of day only), a Go realtime feed (zerolog's JSON as the
line) publishing vehicle positions to NATS JetStream, a Laravel ticketing app (Monolog to stderr), PostgreSQL
with PostGIS, Redis, Vault, and Vipps' payment API. Every task logs through Docker's GELF driver into Graylog,
and the bundle is Graylog's search API export, one hit a line: `{"message": {...the stored fields...},
"index": ...}`. Docker's GELF driver sets `level` by the stream, not the severity: 6 for whatever a program
writes to standard output, 3 for standard error (uvicorn's app lines, zerolog, Monolog, NATS, PostgreSQL and
Vault all write there, info included). The Nomad clients' own agent logs arrive through Graylog's syslog
input (no container fields). Metrics: Prometheus scraping Nomad's and the apps' telemetry, by `task`, every
10 s."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: traefik python java golang php nats postgres redis vault saas


def _signals() -> dict[str, str]:
    sel = 'task="{service}",region="vest"'
    return {
        "request_rate": f"transit_requests_per_second{{{sel}}}",
        "error_ratio": f"transit_request_error_ratio{{{sel}}}",
        "latency_p99": f"transit_request_duration_seconds_p99{{{sel}}}",
        "cpu_utilization": f"nomad_client_allocs_cpu_ratio_of_limit{{{sel}}}",
        "memory_utilization": f"nomad_client_allocs_memory_ratio_of_limit{{{sel}}}",
        "restarts": f"nomad_client_allocs_restarts_increase15m{{{sel}}}",
        "disk_utilization": f'node_filesystem_used_ratio{{{sel},mountpoint="/opt/nomad/data"}}',
    }


VEST = Estate(
    label="task",
    name="vest",
    namespace="transit",
    shipper="graylog-search-export",
    signals=_signals(),
    nodes=(
        Node("traefik", "traefik", ("departures-api", "journey-planner", "ticketing"), 300),
        Node("departures-api", "python", ("postgres", "redis"), 180),
        Node("journey-planner", "java", ("nats",), 40),
        Node("realtime-feed", "golang", ("nats", "redis"), 120),
        Node("ticketing", "php", ("postgres", "vipps-api", "vault"), 15),
        Node("nats", "nats", (), 400),
        Node("postgres", "postgres", (), 250),
        Node("redis", "redis", (), 900),
        Node("vault", "vault", (), 3),
        Node("vipps-api", "saas", (), 10),
    ),
)

ESTATES = {VEST.name: VEST}

BACKGROUND = {
    "traefik": ['level=info msg="Configuration loaded from provider consulCatalog" providerName=consulcatalog'],
    "python": ['INFO:     10.41.0.7:51234 - "GET /v1/departures?stop=NSR:StopPlace:337 HTTP/1.1" 200 OK',
               "INFO:departures.board:board for NSR:StopPlace:{n} built in 41 ms (23 departures)"],
    "java": ["INFO [qtp1412-41] (RoutingWorker.java:118) routing request served in 212 ms, 5 itineraries"],
    "golang": ['{"level":"info","component":"gtfsrt","count":412,"message":"vehicle positions published"}'],
    "php": ['production.INFO: Ticket order {n} paid via Vipps {"order":{n},"zones":2,"ms":412}'],
    "nats": ["[INF] 10.41.3.21:51234 - cid:{n} - Client connection created"],
    "postgres": ["LOG:  checkpoint complete: wrote 1561 buffers (3.7%); write=25.982 s, sync=0.006 s"],
    "redis": ["* 100 changes in 300 seconds. Saving..."],
    "vault": ["[INFO]  expiration: revoked lease: lease_id=auth/token/create/h8c2{n}"],
}  # fmt: skip
NOISE = {
    "traefik": 'level=warning msg="Skipping service: no endpoint found" serviceName=reports-batch '
               "providerName=consulcatalog",
    "python": "WARNING:departures.realtime:no realtime update for trip VYX:ServiceJourney:{n} in 300 s; "
              "scheduled time shown",
    "nats": "[WRN] 10.41.3.22:51877 - cid:{n} - Readloop processing time: 2.112s",
}  # fmt: skip
# the programs that write to standard error (Docker's GELF level 3), all of their lines; uvicorn writes its
# access lines to standard output and the rest to standard error
STDERR = ("golang", "php", "nats", "postgres", "vault")
IMAGES = {
    "traefik": "traefik:v3.1.2",
    "python": "registry.vest.example/departures-api:5.2.1",
    "java": "opentripplanner/opentripplanner:2.5.0",
    "golang": "registry.vest.example/realtime-feed:3.8.0",
    "php": "registry.vest.example/ticketing:12.4.0",
    "nats": "nats:2.10.18",
    "postgres": "postgis/postgis:16-3.4",
    "redis": "redis:7.2.5",
    "vault": "hashicorp/vault:1.17.2",
}
COMMANDS = {
    "traefik": "/entrypoint.sh traefik --configFile=/local/traefik.toml",
    "python": "uvicorn departures.main:app --host 0.0.0.0 --port 8080",
    "java": "/docker-entrypoint.sh --load --serve /var/opentripplanner",
    "golang": "/realtime-feed -config /local/feed.yaml",
    "php": "docker-php-entrypoint php-fpm",
    "nats": "nats-server --config /local/nats.conf",
    "postgres": "docker-entrypoint.sh postgres -c config_file=/local/postgresql.conf",
    "redis": "docker-entrypoint.sh redis-server /local/redis.conf",
    "vault": "docker-entrypoint.sh server",
}


def _line(tech: str, at: datetime, text: str) -> str:
    """The line as the program writes it."""
    ms = at.microsecond // 1000
    if tech == "traefik":
        return f'time="{at:%Y-%m-%dT%H:%M:%S}Z" {text}'
    if tech == "java":  # OpenTripPlanner's logback pattern: the time of day only
        return f"{at:%H:%M:%S}.{ms:03d} {text}"
    if tech == "golang":  # zerolog: the time is the second field
        return text.replace('{"level":"', '{"time":"' + f"{at:%Y-%m-%dT%H:%M:%S}Z" + '","level":"', 1)
    if tech == "php":
        return f"[{at:%Y-%m-%d %H:%M:%S}] {text}"
    if tech == "nats":
        return f"[1] {at:%Y/%m/%d %H:%M:%S}.{at.microsecond:06d} {text}"
    if tech == "postgres":
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d} UTC [{412 + ms % 17}] {text}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms:03d} {text}"
    if tech == "vault":
        return f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z {text}"
    return text


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One hit of Graylog's search API: the stored message under `message` (Docker's GELF fields, or the syslog
    input's for a Nomad client agent's own line), beside the index it was found in."""
    tech = estate.node(service).tech
    text = text.replace("{n}", str(int(at.timestamp()) % 997))
    host = f"nomad-client-{int(_hex(pod)[:4], 16) % 6 + 1:02d}"
    stamp = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
    msg: dict[str, Any]
    if text.startswith("nomad:"):  # the Nomad client agent about a task (hclog, through syslog)
        said = text.removeprefix("nomad:").strip()
        msg = {
            "_id": _hex(stamp, said)[:32],
            "timestamp": stamp,
            "source": host,
            "message": f"{stamp} {said}",
            "level": 3 if "[ERROR]" in said else 4 if "[WARN]" in said else 6,  # hclog's level, as syslog's
            "facility": "daemon",
            "application_name": "nomad",
            "process_id": "1187",
        }
    else:
        alloc = _hex(pod)
        alloc_id = f"{alloc[:8]}-{alloc[8:12]}-{alloc[12:16]}-{alloc[16:20]}-{alloc[20:32]}"
        access = tech == "python" and ' HTTP/1.1" ' in text
        stderr = tech in STDERR or (tech == "python" and not access)
        msg = {
            "_id": _hex(stamp, pod, text)[:32],
            "timestamp": stamp,
            "source": host,
            "message": _line(tech, at, text),
            "level": 3 if stderr else 6,
            "container_name": f"{service}-{alloc_id}",
            "container_id": _hex(pod, "container"),
            "image_name": IMAGES.get(tech, service),
            "command": COMMANDS[tech],
            "tag": service,
            "gl2_source_input": "65f1c2e7d4b6a4c0e9d3f1a2",
            "streams": ["000000000000000000000001"],
        }
    return {"highlight_ranges": {}, "message": msg, "index": f"graylog_{412 + at.day}", "decoration_stats": None}
