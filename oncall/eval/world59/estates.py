"""World 59's estate, written after world 58's rules and scored before any rule saw it.

A Dutch concert and festival ticket marketplace (first sale and resale) on Azure Kubernetes Service: Kong in
front, a Rust waiting room that admits buyers to an on-sale in batches, a Go events API, an Elixir seat-holds
service keeping seats on hold in Redis, an ASP.NET Core checkout paying through Adyen, a FastAPI resale service
whose database password is an Entra ID token (workload identity), a Node ticket-delivery worker reading paid
orders from Azure Service Bus and sending e-tickets through SendGrid, PostgreSQL and Redis. Teams write English
with Dutch in between.

The Datadog Agent collects every container's output, and the bundle is the Logs API's search results
(`/api/v2/logs/events/search`, paged by cursor, oldest first) written one event a line as the API returns it:
`{"id", "type": "log", "attributes": {...}}`, where `attributes` holds `timestamp` (ISO 8601, milliseconds),
`service`, `host` (the AKS node), `status`, `message`, the `tags` as a list of `key:value` strings (the pod only
there, as `pod_name:`) and, nested again under `attributes`, what Datadog parsed out of the line. Datadog's
rules decide `status` and `message`: a JSON line's `level` or `status` key becomes the status and its
`message` or `msg` key the message; a line of an integration with a pipeline (Kong, PostgreSQL, Redis) gets its
status from the pipeline's parse; every other line's status is its stream's, `info` for standard output and
`error` for standard error, whatever the line says, and a JSON line without a message key is its own message.
Metrics: Prometheus by `service`, every 30 s."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: kong rust golang elixir dotnet python node postgres redis saas
AMSTERDAM = timezone(timedelta(hours=2))  # summer time: the on-sales are in June


def _signals() -> dict[str, str]:
    sel = 'service="{service}",env="prod",kube_cluster_name="podium-prod-weu"'
    return {
        "request_rate": f"trace_http_server_hits_per_second{{{sel}}}",
        "error_ratio": f"trace_http_server_errors_ratio{{{sel}}}",
        "latency_p99": f"trace_http_server_duration_seconds_p99{{{sel}}}",
        "cpu_utilization": f"kubernetes_cpu_usage_ratio_of_limits{{{sel}}}",
        "memory_utilization": f"kubernetes_memory_working_set_ratio_of_limits{{{sel}}}",
        "restarts": f"kubernetes_containers_restarts_increase_10m{{{sel}}}",
        "disk_utilization": f"kubernetes_pvc_used_ratio{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="podium-prod",
    namespace="tickets",
    shipper="datadog-logs-api-export",
    signals=_signals(),
    nodes=(
        Node("kong", "kong", ("waiting-room", "events-api", "checkout", "resale"), 400),
        Node("waiting-room", "rust", ("redis",), 600),
        Node("events-api", "golang", ("postgres", "redis"), 250),
        Node("seat-holds", "elixir", ("redis", "postgres"), 150),
        Node("checkout", "dotnet", ("seat-holds", "adyen", "postgres", "servicebus"), 60),
        Node("resale", "python", ("postgres", "adyen"), 30),
        Node("ticket-delivery", "node", ("servicebus", "sendgrid"), 40),
        Node("postgres", "postgres", (), 500),
        Node("redis", "redis", (), 2000),
        Node("adyen", "saas", (), 60),
        Node("servicebus", "saas", (), 100),
        Node("sendgrid", "saas", (), 40),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "kong": ['10.244.{n}.17 - - [{date}] "GET /v1/events/81{n}/seats HTTP/1.1" 200 1834 "-" '
             '"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)"'],
    "rust": ['{"level":"INFO","fields":{"message":"admitted batch","batch":4{n},"size":250,"queue_depth":1{n}40},'
             '"target":"waiting_room::admit"}'],
    "golang": ['{"level":"info","caller":"http/server.go:88","msg":"GET /v1/events/81{n} 200","latency_ms":12}'],
    "elixir": ["[info] Hold placed seat=R{n}-S4 event=812 ttl=600s"],
    "dotnet": ['{"EventId":0,"LogLevel":"Information","Category":"Podium.Checkout.OrdersController",'
               '"Message":"Order 9{n}123 betaald (Adyen psp 8815{n}0412)","State":{"OrderId":"9{n}123"}}'],
    "python": ['INFO:     10.244.2.{n}:0 - "GET /v1/listings?event=81{n} HTTP/1.1" 200 OK'],
    "node": ['{"level":"info","message":"e-ticket verstuurd voor order 9{n}123","provider":"sendgrid","ms":140}'],
    "postgres": ["LOG:  checkpoint complete: wrote 2210 buffers (1.7%); write=26.901 s, sync=0.004 s, total=26.977 s"],
    "redis": ["* Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "golang": '{"level":"warn","caller":"cache/seats.go:61","msg":"seat map cache miss, rebuilding","event":"81{n}"}',
    "elixir": "[warning] Hold expired before checkout seat=R{n}-S9 event=812",
}  # fmt: skip

# what the Agent was told each container is (Unified Service Tagging labels), and its image
IMAGE = {
    "kong": ("kong/kong-gateway", "3.7.1.0"),
    "rust": ("podiumacr.azurecr.io/waiting-room", "2.14.0"),
    "golang": ("podiumacr.azurecr.io/events-api", "5.31.2"),
    "elixir": ("podiumacr.azurecr.io/seat-holds", "1.88.0"),
    "dotnet": ("podiumacr.azurecr.io/checkout", "8.12.4"),
    "python": ("podiumacr.azurecr.io/resale", "3.9.7"),
    "node": ("podiumacr.azurecr.io/ticket-delivery", "4.2.0"),
    "postgres": ("postgres", "16.3"),
    "redis": ("bitnami/redis", "7.2.5"),
}
# the programs that write to standard error (so, with no pipeline, every line is `error`)
STDERR = ("python",)
PIPELINE = ("kong", "postgres", "redis")  # Datadog's integration pipelines parse these
STATEFUL = ("postgres", "redis")


def _line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it."""
    loc = at.astimezone(AMSTERDAM)
    ms = at.microsecond // 1000
    if tech == "kong":
        if text.startswith("["):  # nginx's error log inside Kong
            return f"{loc:%Y/%m/%d %H:%M:%S} {text}"
        return text.replace("{date}", f"{loc:%d/%b/%Y:%H:%M:%S} +0200")
    if tech == "rust":  # tracing-subscriber's JSON
        return json.dumps({"timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z", **json.loads(text)})
    if tech == "golang":  # zap's production JSON: epoch seconds
        obj = json.loads(text)
        return json.dumps({"level": obj.pop("level"), "ts": round(at.timestamp(), 3), **obj})
    if tech == "elixir":  # Logger's console format: the time of day only, UTC
        return f"{at:%H:%M:%S}.{ms:03d} {text}"
    if tech == "dotnet":  # Microsoft.Extensions.Logging's JSON console formatter
        return json.dumps({"Timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}0Z", **json.loads(text)})
    if tech == "python":
        if text.startswith("INFO:") or text.startswith("WARNING:") or text.startswith("ERROR:"):
            return text  # uvicorn's access and error lines carry no time
        return f"{loc:%Y-%m-%d %H:%M:%S},{ms:03d} {text}"
    if tech == "node":  # winston's JSON
        return json.dumps({**json.loads(text), "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z"}, ensure_ascii=False)
    if tech == "postgres":
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d} UTC [{2900 + ms % 83}] {text}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms:03d} {text}"
    return text


def _status(tech: str, level: str, line: str) -> tuple[str, dict[str, Any]]:
    """Datadog's status for the line and what it parsed out of it (the nested `attributes`)."""
    if tech == "kong":
        if m := re.match(r"\S+ \S+ \[(\w+)\]", line):
            return {"error": "error", "warn": "warn"}.get(m[1], "info"), {"level": m[1]}
        m = re.search(r'"(\w+) (\S+) HTTP/[\d.]+" (\d{3}) (\d+)', line)
        code = int(m[3]) if m else 200
        status = "error" if code >= 500 else "warn" if code >= 400 else "info"
        http = {"method": m[1], "url": m[2], "status_code": code} if m else {}
        return status, {"http": http, "network": {"client": {"ip": line.split(" ", 1)[0]}}}
    if tech == "postgres":
        word = re.search(r"\] (\w+):", line)
        sev = word[1] if word else "LOG"
        return {"ERROR": "error", "FATAL": "critical", "WARNING": "warn"}.get(sev, "info"), {"db": {"severity": sev}}
    if tech == "redis":
        return {"#": "warn", "*": "notice"}.get(line.split(" ")[5], "info"), {"pid": 1, "role": "M"}
    if line.startswith("{"):
        obj = json.loads(line)
        lvl = obj.get("level") or obj.get("status")
        if lvl is not None:
            return {"warning": "warn"}.get(str(lvl).lower(), str(lvl).lower()), obj
        return ("error" if tech in STDERR else "info"), obj
    return ("error" if tech in STDERR else "info"), {}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One event of the Logs API's search results, as the API returns it."""
    tech = estate.node(service).tech
    text = text.replace("{n}", str(int(at.timestamp()) % 89))
    line = _line(tech, at, level, text)
    status, parsed = _status(tech, level, line)
    message: str = line
    if line.startswith("{") and ("message" in parsed or "msg" in parsed):  # remapped: the key leaves the rest
        message = str(parsed.get("message", parsed.get("msg")))
        parsed = {k: v for k, v in parsed.items() if k not in ("message", "msg")}
    if tech in STATEFUL:
        pod_name = f"{service}-{int(_hex(pod)[:2], 16) % 2}"
        owner = f"kube_stateful_set:{service}"
    else:
        pod_name = f"{service}-{_hex(service)[:10]}-{_hex(pod)[:5]}"
        owner = f"kube_deployment:{service}"
    node = f"aks-tickets-38210934-vmss00000{'abcdef'[int(_hex(pod)[:2], 16) % 6]}"
    image, tag = IMAGE[tech]
    tags = [
        f"source:{tech if tech in PIPELINE else service}",
        "env:prod",
        f"service:{service}",
        f"version:{tag}",
        "kube_cluster_name:podium-prod-weu",
        "kube_namespace:tickets",
        owner,
        f"pod_name:{pod_name}",
        f"kube_container_name:{service}",
        f"image_name:{image}",
        f"short_image:{image.rsplit('/', 1)[-1]}",
        f"image_tag:{tag}",
        f"container_id:{_hex(pod_name, 'c')[:64]}",
        f"kube_node:{node}",
    ]
    ms = at.microsecond // 1000
    return {
        "id": "AQAAAZ" + _hex(line, pod_name)[:26].upper().replace("0", "x"),
        "type": "log",
        "attributes": {
            "attributes": parsed,
            "host": node,
            "message": message,
            "service": service,
            "status": status,
            "tags": tags,
            "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z",
        },
    }
