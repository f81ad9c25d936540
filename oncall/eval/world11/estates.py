"""World 11's estate, written after world 10's rules and scored before any rule saw it.

A ride-dispatch platform on HashiCorp Nomad. Containers log through Docker's GELF driver into
Graylog, exported as JSON lines of GELF messages: the line in `short_message`, the Nomad client in
`host`, epoch seconds in `timestamp`, a `level` that is 6 for whatever a container writes to stdout
and 3 for stderr (the program's own level is in the line), and the service only inside the
container's name (`_container_name`: the task, then the allocation's UUID) and its image. Alerts come
from Grafana's unified alerting webhook (`version: "1"`), not Alertmanager."""

from __future__ import annotations

import json
import zlib
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech in this world: traefik node go java elixir python mysql rabbitmq memcached saas


def _signals(label: str) -> dict[str, str]:
    names = {
        "request_rate": "dispatch_http_requests_per_second",
        "error_ratio": "dispatch_http_error_ratio",
        "latency_p99": "dispatch_http_latency_p99_seconds",
        "cpu_utilization": "nomad_alloc_cpu_ratio",
        "memory_utilization": "nomad_alloc_memory_ratio",
        "disk_utilization": "nomad_client_disk_used_ratio",
        "restarts": "nomad_alloc_restarts_5m",
        "pool_utilization": "dispatch_pool_busy_ratio",
    }
    return {k: f'{v}{{{label}="{{service}}"}}' for k, v in names.items()}


DISPATCH = Estate(
    label="job",
    name="dispatch",
    namespace="default",
    shipper="gelf",
    signals=_signals("job"),
    nodes=(
        Node("edge", "traefik", ("dispatch-api", "driver-gw"), 220),
        Node("dispatch-api", "node", ("routing-engine", "orders-db", "rabbit", "session-cache", "auth"), 120),
        Node("driver-gw", "go", ("rabbit", "session-cache", "auth"), 100),
        Node("routing-engine", "java", ("maps-provider", "orders-db"), 80),
        Node("auth", "elixir", ("orders-db",), 150),
        Node("assigner", "python", ("rabbit", "orders-db"), 60),
        Node("orders-db", "mysql", (), 400),
        Node("rabbit", "rabbitmq", (), 250),
        Node("session-cache", "memcached", (), 700),
        Node("maps-provider", "saas", (), 80),
    ),
)

ESTATES = {DISPATCH.name: DISPATCH}

BACKGROUND = {
    "traefik": ["200 GET /v1/rides"],
    "node": ["ride quote served"],
    "go": ["driver location batch accepted"],
    "java": ["Route computed in 41 ms"],
    "elixir": ["Sent 200 in 3ms"],
    "python": ["Task assigner.tasks.assign_ride succeeded in 0.08s"],
    "mysql": [
        "[Note] [MY-010914] [Server] Aborted connection 88 to db: 'orders' user: 'app' "
        "(Got timeout reading communication packets)."
    ],
    "rabbitmq": ["accepting AMQP connection <0.4121.0> (10.0.4.12:51122 -> 10.0.2.5:5672)"],
    "memcached": ["<28 new auto-negotiating client connection"],
}
NOISE = {
    "node": "quote request rejected: pickup outside service area",
    "java": "Route request for unknown zone id 9931, using default",
    "elixir": "Refresh token expired for session; client must log in again",
}
MYSQL = {"error": "ERROR", "warn": "Warning", "info": "Note"}
STDERR = ("go", "python", "elixir")  # runtimes whose logger writes to stderr: the driver files those at level 3


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def raw(tech: str, at: datetime, level: str, text: str) -> str:
    """One line as each program writes it."""
    if tech == "traefik":
        status = int(text.split()[0]) if text[:3].isdigit() else 502
        path = text.split()[2] if text[:3].isdigit() and len(text.split()) > 2 else "/v1/rides"
        return json.dumps(
            {
                "ClientHost": "10.0.3.4",
                "DownstreamStatus": status,
                "Duration": 41_000_000,
                "RequestMethod": "GET",
                "RequestPath": path,
                "RouterName": "dispatch@consulcatalog",
                "level": "info",
                "msg": "" if text[:3].isdigit() else text,
                "time": _iso(at),
            }
        )
    if tech == "node":
        return json.dumps(
            {
                "level": {"error": 50, "warn": 40, "info": 30}[level],
                "time": int(at.timestamp() * 1000),
                "pid": 7,
                "hostname": "dispatch-api",
                "msg": text,
            }
        )
    if tech == "go":
        return json.dumps({"level": level, "ts": round(at.timestamp(), 3), "caller": "gw/handler.go:88", "msg": text})
    if tech == "java":
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        return f"{stamp} {level.upper():>5} [routing-engine,,] 1 --- [nio-8080-exec-7] c.d.r.RouteController : {text}"
    if tech == "elixir":
        return f"{at.strftime('%H:%M:%S.%f')[:-3]} request_id=F8x2 [{level}] {text}"
    if tech == "python":
        stamp = f"{at.strftime('%Y-%m-%d %H:%M:%S')},{at.microsecond // 1000:03d}"
        return f"[{stamp}: {level.upper()}/ForkPoolWorker-3] {text}"
    if tech == "mysql":
        return (
            text
            if text.startswith("[") and "[MY-" in text[:25]
            else f"{at.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z 0 [{MYSQL[level]}] [MY-013183] [Server] {text}"
        )
    if tech == "rabbitmq":
        return f"{at.strftime('%Y-%m-%d %H:%M:%S.%f')}+00:00 [{level}] <0.812.0> {text}"
    return text  # memcached


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """A GELF message as Docker's driver sends it and Graylog exports it."""
    tech = estate.node(service).tech
    h = zlib.crc32(pod.encode())  # stable across runs (str hashes are salted per process)
    alloc = f"{h:08x}-1b4c-4e5f-9a8b-{zlib.crc32(pod[::-1].encode()):08x}0000"
    line = raw(tech, at, level, text)
    if tech == "mysql" and line.startswith("["):
        line = f"{at.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z 0 {line}"
    return {
        "version": "1.1",
        "host": f"nomad-client-{h % 7 + 1:02d}",
        "short_message": line,
        "timestamp": round(at.timestamp(), 3),
        "level": 3 if tech in STDERR and level == "error" else 6,
        "_container_name": f"{service}-{alloc}",
        "_image_name": f"registry.dispatch.internal/{service}:v412",
        "_command": "/entrypoint.sh",
        "_tag": "docker",
    }
