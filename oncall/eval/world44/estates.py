"""World 44's estate, written after world 43's rules and scored before any rule saw it.

A public libraries' e-book and audiobook lending service on **Azure Container Apps** with **Dapr** (a
`daprd` sidecar in every app: state in Cosmos DB, pub/sub on Service Bus), bundled by the team's export
script: `az monitor log-analytics query` over the workspace's two Container Apps tables, each row one JSON
line with every value a string, as that command writes them. **`ContainerAppConsoleLogs_CL`** rows carry
`TimeGenerated` (**seven fractional digits**, Log Analytics' 100 ns ticks), `ContainerAppName_s` (the app,
the only field naming the service), `RevisionName_s`, `ContainerGroupName_s` (the replica),
`ContainerName_s` (the app's own container or `daprd`), `Stream_s` and the line in `Log_s`;
**`ContainerAppSystemLogs_CL`** rows are the platform's own events about an app (`Reason_s`, `Type_s`
Normal or Warning, the text in `Log_s`). No level field anywhere: ASP.NET Core's console logger writes
each event as **two lines** (`fail: Category[id]`, then the text indented on the next: two rows),
Quarkus its pattern, uvicorn and Python logging theirs, pino its numbers, daprd logfmt. Azure SQL and
Cosmos DB log nothing here; their metrics, like the apps', come from azure-metrics-exporter every 60 s,
named by the team's template across resource types and keyed by `resourceName`: CPU and memory **in
percent**, response time **in milliseconds** (Azure's own unit; an average, not a percentile)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: yarp dotnet quarkus fastapi pino azuresql cosmos saas

SUBSCRIPTION = "3f1c8a52-6d0e-4b7a-9c21-5e8f0a7d4b19"
GROUP = "rg-leafline-prod"
ENV = "cae-leafline-prod"
APPS = ("yarp", "dotnet", "quarkus", "fastapi", "pino")  # what runs as a container app (and logs)
UNSEEN = ("saas",)
QUIET = ("azuresql", "cosmos")  # metrics, no logs of their own here


def _signals() -> dict[str, str]:
    r = 'resourceName="{service}"'
    return {
        "request_rate": f"azure_requests_total_count{{{r}}}",
        "error_ratio": f"azure:requests_failed:ratio5m{{{r}}}",
        "latency_p99": f"azure_responsetime_average_milliseconds{{{r}}}",
        "cpu_utilization": f"azure_cpu_percent_average_percent{{{r}}}",
        "memory_utilization": f"azure_memory_percent_average_percent{{{r}}}",
        "restarts": f"azure_restartcount_total_count{{{r}}}",
        "replicas": f"azure_replicas_maximum_count{{{r}}}",
    }


LEAFLINE = Estate(
    label="resourceName",
    name="leafline",
    namespace=ENV,
    shipper="log-analytics-export",
    signals=_signals(),
    nodes=(
        Node("gateway", "yarp", ("catalog", "loans", "holds"), 260),
        Node("catalog", "quarkus", ("search", "distributor"), 180),
        Node("loans", "dotnet", ("loans-db", "servicebus", "drm"), 60),
        Node("holds", "fastapi", ("holds-store", "servicebus"), 70),
        Node("notify", "pino", ("servicebus", "acs-email"), 25),
        Node("loans-db", "azuresql", (), 400),
        Node("holds-store", "cosmos", (), 350),
        Node("servicebus", "saas", (), 90),
        Node("search", "saas", (), 150),
        Node("distributor", "saas", (), 40),
        Node("drm", "saas", (), 30),
        Node("acs-email", "saas", (), 20),
    ),
)

ESTATES = {LEAFLINE.name: LEAFLINE}

# dotnet and yarp: "Category[event id]|text" (the console logger's two lines); quarkus: "[category] (thread) text";
# a line starting with DAPR is the app's daprd sidecar's; SYSTEM <Reason> <Normal|Warning> the platform's own
BACKGROUND = {
    "yarp": ["Microsoft.AspNetCore.Hosting.Diagnostics[2]|Request finished HTTP/1.1 GET http://gateway/api/titles/"
             "88213 - 200 1043 application/json 14.2213ms",
             "Yarp.ReverseProxy.Forwarder.HttpForwarder[9]|Proxying to http://loans/api/loans HTTP/1.1 RequestVersion"
             "OrLower "],
    "dotnet": ["Leafline.Loans.Checkout[3]|Loan 771204 created for patron 55012 (title 88213, 21 days)",
               "Microsoft.AspNetCore.Hosting.Diagnostics[2]|Request finished HTTP/1.1 POST http://loans/api/loans - "
               "201 188 application/json 41.0040ms"],
    "quarkus": ['[io.qua.htt.access-log] (executor-thread-3) 10.0.1.4 - - "GET /titles/88213 HTTP/1.1" 200 1043',
                "[com.lea.cat.sync.AvailabilitySync] (executor-thread-1) availability synced for 1200 titles"],
    "fastapi": ['INFO:     10.0.1.7:43512 - "POST /holds HTTP/1.1" 201 Created',
                'INFO:     10.0.1.7:43518 - "GET /holds/patron/55012 HTTP/1.1" 200 OK'],
    "pino": ["loan reminder e-mail queued", "hold ready notice sent"],
    "azuresql": ["-"],
    "cosmos": ["-"],
}  # fmt: skip
NOISE = {
    "yarp": "Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager[35]|No XML encryptor configured. Key "
            "{7c1e} may be persisted to storage in unencrypted form.",
    "quarkus": "[io.qua.config] (main) Unrecognized configuration key \"quarkus.http.cors\" was provided; it will be "
               "ignored",
    "fastapi": "WARNING:holds.api:patron 55012 already has 10 holds (the library's limit)",
    "pino": "recipient mailbox full, will retry later",
}  # fmt: skip


def _hex(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def _generated(at: datetime, salt: str) -> str:
    """Log Analytics' TimeGenerated: seven fractional digits (ticks of 100 ns)."""
    ticks = at.microsecond * 10 + int(_hex(salt, 2), 16) % 10
    return f"{at:%Y-%m-%dT%H:%M:%S}.{ticks:07d}Z"


def _revision(svc: str) -> str:
    return f"{svc}--r{int(_hex(svc, 2), 16) % 60 + 7}"


_DOTNET = {"info": "info", "warn": "warn", "error": "fail", "fatal": "crit", "debug": "dbug"}
_PINO = {"info": 30, "warn": 40, "error": 50, "fatal": 60, "debug": 20}


def _lines(tech: str, at: datetime, level: str, text: str, replica: str, svc: str) -> tuple[str, list[str]]:
    """(container, the physical lines the program prints for one event)."""
    if text.startswith("DAPR "):
        msg = text.removeprefix("DAPR ").replace('"', '\\"')
        lvl = {"warn": "warning"}.get(level, level)
        return "daprd", [
            f'time="{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z" level={lvl} msg="{msg}" app_id={svc} '
            f"instance={replica} scope=dapr.runtime type=log ver=1.13.2"
        ]
    if tech in ("yarp", "dotnet"):  # Microsoft.Extensions.Logging's console "simple" formatter
        category, _, message = text.partition("|")
        return svc, [f"{_DOTNET[level]}: {category}", *(f"      {line}" for line in message.split("\n"))]
    if tech == "quarkus":
        lvl = {"warn": "WARN", "fatal": "ERROR"}.get(level, level.upper())
        return svc, [f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {lvl:<5} {text}"]
    if tech == "pino":
        obj = {"level": _PINO[level], "time": int(at.timestamp() * 1000), "pid": 1, "hostname": replica, "msg": text}
        return svc, [json.dumps(obj, separators=(",", ":"))]
    return svc, text.split("\n")  # uvicorn and Python logging print their own prefixes


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """The rows `az monitor log-analytics query` returns for one event, one JSON line each."""
    tech = estate.node(service).tech
    if tech in QUIET:
        return []
    rev = _revision(service)
    replica = f"{rev}-{pod.removeprefix(service + '-')}"
    base = {"TenantId": "b7e2c4a9-0f13-4d5e-8a6b-2c9d1e7f3a40", "SourceSystem": "RestAPI",
            "TimeGenerated": _generated(at, pod + text), "ContainerAppName_s": service,
            "EnvironmentName_s": ENV, "RevisionName_s": rev}  # fmt: skip
    where = f"/subscriptions/{SUBSCRIPTION}/resourcegroups/{GROUP}/providers/microsoft.app/managedenvironments/{ENV}"
    if text.startswith("SYSTEM "):
        _, reason, kind, said = text.split(" ", 3)
        return [{**base, "ReplicaName_s": replica, "Log_s": said, "Reason_s": reason, "Type_s": kind,
                 "EventSource_s": "ContainerAppController", "Count_d": "1", "Type": "ContainerAppSystemLogs_CL",
                 "_ResourceId": where}]  # fmt: skip
    container, lines = _lines(tech, at, level, text, replica, service)
    # uvicorn and Python logging write to stderr, pino its errors only; daprd everything to stdout
    loud = tech == "fastapi" or (tech == "pino" and level in ("error", "fatal"))
    stream = "stderr" if container != "daprd" and loud else "stdout"
    image = f"leaflineacr.azurecr.io/{service}:{int(_hex(rev, 2), 16) % 9 + 1}.{int(_hex(service, 2), 16) % 30}.0"
    return [
        {
            **base,
            "ContainerGroupName_s": replica,
            "ContainerName_s": container,
            "ContainerId_s": f"containerd://{_hex(replica + container, 24)}",
            "ContainerImage_s": "mcr.microsoft.com/daprio/daprd:1.13.2" if container == "daprd" else image,
            "Stream_s": stream,
            "Log_s": line,
            "_timestamp_d": f"{at.timestamp():.3f}",
            "Type": "ContainerAppConsoleLogs_CL",
            "_ResourceId": where,
        }
        for line in lines
    ]
