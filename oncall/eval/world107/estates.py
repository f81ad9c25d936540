"""World 107's estate, written after world 106's rules and scored before any rule saw it.

A Kraków grocery-delivery company ("Wisła": customers order in the evening for a morning slot, couriers ride
electric cargo bikes) on two UpCloud VMs, deployed with Kamal 2: kamal-proxy in front (Go, slog's JSON, its
request lines naming the Kamal service it routed to), the Rails 8 monolith as two Kamal roles, `web` (Puma) and
`jobs` (Solid Queue), both logging Rails' production default to standard output (the request id in brackets, no
time and no level), `dispatch` in Go (zap's production JSON, time in epoch seconds), `tracking` in Elixir on
Phoenix (Logger's default console format: the time of day only, the level in brackets, a blank line before each
entry), and MySQL 8 and Valkey as Kamal accessories (their own error-log formats); Przelewy24 and InPost outside.

Containers are named as Kamal names them: `<service>-<role>-<version>` for an app's roles (`wisla-web-9f3c1a2`,
`wisla-jobs-9f3c1a2`, `dispatch-web-4be07d1`), `<service>-<accessory>` for accessories (`wisla-mysql`), and
`kamal-proxy`. Logs: Vector's `docker_logs` source on each VM writing JSON to a file, the three hosts' files put
one after another for the bundle: each record the container's name, id, image, labels (Kamal's `service`, `role`
and `destination`: the Rails roles share the service `wisla`), the host, the stream, the time and the message.
Metrics: Prometheus recording rules by `app` (`app:http_request_duration_seconds:p99_5m{app="web"}`)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oncall.eval.styled import Estate, Node

WAW = ZoneInfo("Europe/Warsaw")
DISTRICTS = ("kazimierz", "podgorze", "krowodrza", "nowa-huta", "bronowice", "zablocie", "grzegorzki")
# where each container runs: Kamal's `servers:` for the roles, `host:` for the accessories
HOSTS = {
    "proxy": ("wisla-app-1", "wisla-app-2"),
    "web": ("wisla-app-1", "wisla-app-2"),
    "tracking": ("wisla-app-1",),
    "valkey": ("wisla-app-1",),
    "jobs": ("wisla-app-2",),
    "dispatch": ("wisla-app-2",),
    "mysql": ("wisla-app-2",),
}
HOST_ORDER = ("wisla-app-1", "wisla-app-2")
# (Kamal service, role or accessory) of each catalogued service
KAMAL = {
    "web": ("wisla", "web"),
    "jobs": ("wisla", "job"),
    "dispatch": ("dispatch", "web"),
    "tracking": ("tracking", "web"),
    "mysql": ("wisla-mysql", None),
    "valkey": ("wisla-valkey", None),
}
VERSIONS = {"wisla": "9f3c1a2e7b", "dispatch": "4be07d1c93", "tracking": "c81a5f0d27"}
IMAGES = {
    "wisla": "registry.wisla.pl/wisla",
    "dispatch": "registry.wisla.pl/dispatch",
    "tracking": "registry.wisla.pl/tracking",
    "wisla-mysql": "mysql:8.4.3",
    "wisla-valkey": "valkey/valkey:8.0",
}


def _signals() -> dict[str, str]:
    sel = 'app="{service}"'
    return {
        "request_rate": f"app:http_requests:rate5m{{{sel}}}",
        "error_ratio": f"app:http_requests_errors:ratio_rate5m{{{sel}}}",
        "latency_p99": f"app:http_request_duration_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"app:container_cpu_usage:ratio_cpus{{{sel}}}",
        "memory_utilization": f"app:container_memory_usage:ratio_limit{{{sel}}}",
        "disk_utilization": f"app:node_filesystem_used:ratio{{{sel}}}",
        "pool_utilization": f"app:db_pool_busy:ratio{{{sel}}}",
        "restarts": f"app:container_restarts:increase15m{{{sel}}}",
    }


PROD = Estate(
    label="app",
    name="wisla",
    namespace="wisla",
    shipper="vector-docker-logs-file",
    signals=_signals(),
    nodes=(
        Node("proxy", "kamal-proxy", ("web", "tracking", "dispatch"), 140),
        Node("web", "rails", ("mysql", "valkey", "p24", "dispatch"), 90),
        Node("jobs", "solidqueue", ("mysql", "inpost", "p24"), 12),
        Node("dispatch", "zap", ("mysql", "tracking"), 30),
        Node("tracking", "phoenix", ("valkey",), 60),
        Node("mysql", "mysql", (), 400),
        Node("valkey", "valkey", (), 600),
        Node("p24", "saas", (), 4),
        Node("inpost", "saas", (), 3),
    ),
)

ESTATES = {PROD.name: PROD}

# Rails' request lines; Solid Queue's job lines; zap's "msg|field=value" lines; Phoenix's
BACKGROUND = {
    "kamal-proxy": ["Request|GET|/api/sloty?dzielnica={district}|200|{k}{n}00"],
    "rails": ['Started GET "/koszyk/{n}{k}" for 10.0.{k}.{n} at {rails_at}',
              'Completed 200 OK in {k}{n}ms (Views: {k}.{n}ms | ActiveRecord: {n}.{k}ms (1{k} queries, 0 cached) | '
              'GC: 0.{k}ms)'],
    "solidqueue": ["[ActiveJob] [SlotReminderJob] [{uuid}] Performed SlotReminderJob (Job ID: {uuid}) from "
                   "SolidQueue(default) in {k}{n}.{k}ms"],
    "zap": ["route assigned|courier=K{n}{k} orders={k} eta_min={n}"],
    "phoenix": ["CONNECTED TO WislaWeb.CourierSocket in {k}{n}µs\n  Transport: :websocket\n  Serializer: "
                "Phoenix.Socket.V2.JSONSerializer\n  Parameters: %{{\"vsn\" => \"2.0.0\"}}",
                "position stored courier=K{n}{k} lag_ms={k}{n}"],
    "mysql": ["[Note] [MY-010914] [Server] Aborted connection {n}{k}{n} to db: 'wisla' user: 'wisla' host: "
              "'10.0.1.{k}' (Got an error reading communication packets)."],
    "valkey": ["* {k}00 changes in 300 seconds. Saving...", "* Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "rails": 'ActionController::RoutingError (No route matches [GET] "/wp-login.php"):',
    "zap": "courier position stale|courier=K{n}{k} age_s={k}{n}",
    "kamal-proxy": "Request|POST|/api/zamowienia|422|{k}{n}00",
}

SLOG = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
ZAP = {"error": "error", "warn": "warn", "info": "info", "debug": "debug"}
ELIXIR = {"error": "error", "warn": "warning", "info": "info", "debug": "debug"}
MYSQL = {"error": "ERROR", "warn": "Warning", "info": "System", "debug": "Note"}
VALKEY = {"error": "#", "warn": "#", "info": "*", "debug": "-"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{district}", DISTRICTS[int(h[:2], 16) % len(DISTRICTS)])
        .replace("{uuid}", f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}")
        .replace("{h6}", h[40:46])
        .replace("{rails_at}", f"{at:%Y-%m-%d %H:%M:%S} +0000")
    )


def _lines(tech: str, at: datetime, level: str, said: str, h: str) -> list[str]:
    """What the program writes for one line of the story (Phoenix's Logger a blank line first)."""
    if tech == "kamal-proxy":  # slog's JSON handler; a request line names the Kamal service it routed to
        msg, _, rest = said.partition("|")
        # (a request is logged at INFO whatever its status)
        record: dict[str, Any] = {"time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
                                  "level": "INFO" if msg == "Request" else SLOG[level], "msg": msg}  # fmt: skip
        if msg == "Request":
            method, path, status, dur = rest.split("|")
            record |= {"host": "wisla.pl", "path": path.split("?")[0], "request_id": h[:26], "status": int(status),
                       "service": "dispatch" if path.startswith("/api/kurier") else "wisla",
                       "target": f"{h[26:38]}:80", "duration": int(dur) * 1000, "method": method,
                       "req_content_length": 0, "resp_content_length": int(h[38:41], 16), "remote_addr":
                       f"10.0.0.{int(h[41:43], 16) % 200 + 2}", "proto": "HTTP/2.0", "scheme": "https",
                       "query": path.partition("?")[2]}  # fmt: skip
        elif rest:
            record["error"] = rest
        return [json.dumps(record, separators=(",", ":"))]
    if tech in ("rails", "solidqueue"):  # Rails 8's production logger: the request id tagged, nothing else
        return [f"[{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}] {said}" if tech == "rails" else said]
    if tech == "zap":  # zap's production encoder
        msg, _, fields = said.partition("|")
        record = {"level": ZAP[level], "ts": round(at.timestamp(), 6),
                  "caller": f"dispatch/{'assign' if 'route' in msg else 'store'}.go:{int(h[:2], 16) + 40}",
                  "msg": msg}  # fmt: skip
        for kv in fields.split(" ") if fields else ():
            k, _, v = kv.partition("=")
            record[k] = v
        return [json.dumps(record, ensure_ascii=False, separators=(",", ":"))]
    if tech == "phoenix":  # Logger's default console format: "\n$time $metadata[$level] $message\n"
        local = at.astimezone(WAW)
        meta = f"request_id={h[:20]} " if "courier=" not in said else ""
        first, *more = said.split("\n")  # (Docker keeps each line of a message apart)
        return ["", f"{local:%H:%M:%S}.{at.microsecond // 1000:03d} {meta}[{ELIXIR[level]}] {first}", *more]
    if tech == "mysql":  # MySQL 8's error log: time, thread, [label] [code] [subsystem] message
        if said.startswith("["):
            return [f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {int(h[:2], 16)} {said}"]
        return [f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {int(h[:2], 16)} [{MYSQL[level]}] [MY-0{h[2:7]}] "
                f"[Server] {said}"]  # fmt: skip
    if tech == "valkey":  # pid:role day month year time.ms mark message
        mark = said[0] if said[:2] in ("* ", "# ", "- ") else VALKEY[level]
        text = said[2:] if said[:2] in ("* ", "# ", "- ") else said
        return [f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {mark} {text}"]
    return [said]


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """A line as Vector's docker_logs source writes it: the container, its labels and host, the message."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    hosts = HOSTS[service]
    host = hosts[int(_hex(pod)[:2], 16) % len(hosts)]
    if service == "proxy":
        name, labels, image = "kamal-proxy", {"org.opencontainers.image.source": "https://github.com/basecamp/"
                                             "kamal-proxy"}, "basecamp/kamal-proxy:v0.8.4"  # fmt: skip
    else:
        kamal, role = KAMAL[service]
        version = VERSIONS.get(kamal, "")
        name = f"{kamal}-{role}-{version}" if role else kamal
        labels = {"service": kamal, "destination": ""} | ({"role": role} if role else {})
        image = f"{IMAGES[kamal]}:{version}" if role else IMAGES[kamal]
    cid = _hex(name, host)
    stream = "stderr" if level in ("error", "warn") and tech not in ("rails", "solidqueue") else "stdout"
    out = []
    for i, line in enumerate(_lines(tech, at, level, _fill(at, text, h), h)):
        stamp = at.replace(microsecond=max(0, at.microsecond - 1 + i))
        out.append({
            "container_created_at": "2029-11-30T07:12:44.318220941Z",
            "container_id": cid,
            "container_name": name,
            "host": host,
            "image": image,
            "label": labels,
            "message": line,
            "source_type": "docker_logs",
            "stream": stream,
            "timestamp": f"{stamp:%Y-%m-%dT%H:%M:%S}.{stamp.microsecond:06d}{int(h[50:53], 16) % 1000:03d}Z",
        })  # fmt: skip
    return out


def batch(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bundle's file: each VM's file (its records in the order they were read), one host after another."""
    by_host = {h: [e for e in entries if e["host"] == h] for h in HOST_ORDER}
    return [e for h in HOST_ORDER for e in sorted(by_host[h], key=lambda e: e["timestamp"])]
