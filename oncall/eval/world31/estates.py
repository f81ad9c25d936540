"""World 31's estate, written after world 30's rules and scored before any rule saw it.

A payroll and HR software company on Azure Kubernetes Service, bundled the plain way DESIGN.md describes by
a team whose collector keeps each program's level word as the program wrote it: .NET's console logger's
four-letter words (`trce`, `dbug`, `info`, `warn`, `fail`, `crit`) with its two-line layout (the category
on the first line, the message indented on the next, the exception after it), Python's `ERROR`, winston's
`error`; `ts` in RFC 3339 with seven fractional digits, as .NET writes them (`2026-11-30T09:14:03.1234567Z`);
Azure SQL's and Application Gateway's diagnostic records exported as their JSON, whole, in `message`. The
programs: Application Gateway with its WAF at the edge, ASP.NET Core services (the API, reports, the payroll
engine, the payslip renderer, a worker), a Python export job using azure-identity, a Node tax client, Azure
SQL, Cosmos DB and Service Bus (their metrics from Azure Monitor, Azure SQL's errors from its diagnostic
settings). Metrics carry cAdvisor's `container` label, every 60 s."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: appgw dotnet python node azuresql cosmos servicebus saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "container:http_requests:rate5m",
        "error_ratio": "container:http_requests_failed:ratio5m",
        "latency_p99": "container:http_request_duration_seconds:p99_5m",
        "cpu_utilization": "container:cpu_usage:ratio_request",
        "memory_utilization": "container:memory_working_set:ratio_limit",
        "disk_utilization": "container:storage_used:ratio",
        "restarts": "container:restarts:increase15m",
    }
    return {k: f'{v}{{container="{{service}}"}}' for k, v in names.items()}


PAYROLL = Estate(
    label="container",
    name="paydeck",
    namespace="payroll",
    shipper="azure-monitor",
    signals=_signals(),
    nodes=(
        Node("appgw", "appgw", ("api", "uploads"), 140),
        Node("api", "dotnet", ("sql", "docs", "queue", "tax-client"), 140),
        Node("uploads", "dotnet", ("sql", "queue"), 6),
        Node("reports", "dotnet", ("sql",), 12),
        Node("engine", "dotnet", ("sql", "tax-client"), 20),
        Node("renderer", "dotnet", ("queue", "docs"), 15),
        Node("export", "python", ("sql", "bank-api"), 2),
        Node("tax-client", "node", ("tax-api",), 60),
        Node("sql", "azuresql", (), 400),
        Node("docs", "cosmos", (), 300),
        Node("queue", "servicebus", (), 40),
        Node("tax-api", "saas", (), 60),
        Node("bank-api", "saas", (), 2),
    ),
)

ESTATES = {PAYROLL.name: PAYROLL}

BACKGROUND = {
    "appgw": ["GET /api/v3/employees 200"],
    "dotnet": ["Request finished HTTP/1.1 GET /api/v3/employees - 200 - application/json 41.2ms"],
    "python": ["export batch 88213: 412 payments written to outbound/2026-11-30.xml"],
    "node": ["tax table lookup ok region=NW year=2026 (38 ms)"],
    "azuresql": ['{"category":"QueryStoreRuntimeStatistics","properties":{"query_id":88213,"count_executions":412}}'],
    "cosmos": ['{"category":"DataPlaneRequests","properties":{"statusCode":"200","requestCharge":"4.2"}}'],
    "servicebus": ['{"category":"OperationalLogs","properties":{"EventName":"Send","Status":"Succeeded"}}'],
}
NOISE = {
    "dotnet": "Failed to determine the https port for redirect.",
    "appgw": "GET /robots.txt 404",
    "node": "tax table cache miss region=NE year=2026",
}
DOTNET = {"debug": "dbug", "info": "info", "warn": "warn", "error": "fail", "fatal": "crit"}
CATEGORY = {
    "api": "Paydeck.Api.Controllers.PayslipController",
    "uploads": "Paydeck.Uploads.ImportController",
    "reports": "Paydeck.Reports.ReportRunner",
    "engine": "Paydeck.Engine.PayRun",
    "renderer": "Paydeck.Renderer.Worker",
}


def line(tech: str, service: str, at: datetime, level: str, text: str) -> tuple[str, str | None]:
    """The line as the program writes it, and the level word the collector keeps (None: the record has none)."""
    if tech == "dotnet":
        head, _, rest = text.partition("\n")
        body = "\n".join("      " + x for x in [head, *rest.splitlines()] if x)
        return f"{DOTNET[level]}: {CATEGORY.get(service, 'Paydeck')}[0]\n{body}", DOTNET[level]
    if tech == "python":
        word = {"warn": "WARNING", "fatal": "CRITICAL"}.get(level, level.upper())
        return f"{word}:paydeck.export:{text}", word
    if tech == "node":
        return json.dumps({"level": level, "message": text, "service": "tax-client"}), level
    if tech == "appgw":
        parts = text.split(" ")
        if parts[0] in ("GET", "POST") and len(parts) == 3:
            method, path, status = parts
            rec = {"category": "ApplicationGatewayAccessLog", "properties": {"httpMethod": method, "requestUri": path,
                   "httpStatus": int(status), "timeTaken": 0.041, "host": "app.paydeck.example"}}  # fmt: skip
            return json.dumps(rec), None
        rec = {"category": "ApplicationGatewayFirewallLog", "properties": {"action": "Blocked", "message": text}}
        return json.dumps(rec), None
    return text, None  # Azure's diagnostic records, as exported


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One record as the collector keeps it: .NET's seven fractional digits, the program's own level word."""
    message, word = line(estate.node(service).tech, service, at, level, text)
    out = {"ts": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}0Z", "service": service, "pod": pod, "message": message}
    if word is not None:
        out["level"] = word
    return out
