"""World 68's estate, written after world 67's rules and scored before any rule saw it.

A Mexican pharmacy chain's online store and prescription refills on Azure App Service and Azure Functions (no
cluster): API Management at the edge, a Next.js storefront (tienda-web), a .NET 8 orders API (pedidos-api), a
Spring Boot prescriptions API (recetas-api) that validates each prescription with the health regulator's API, a
FastAPI payments API (pagos-api) charging through Openpay, a Python stock-sync function (inventario-fn) and a
Node notifications function (notificaciones-fn) sending WhatsApp messages through Twilio from a Service Bus
queue. Cosmos DB, Azure SQL, Service Bus, Openpay, Twilio and the regulator's API show nothing of their own.

Every app reports to one workspace-based Application Insights; the bundle is a KQL union of AppTraces,
AppExceptions and AppRequests exported with `az monitor log-analytics query -o json` (one row a line after
`jq -c '.[]'`): every value a string, every projected column on every row (empty where its table has none),
`TableName` PrimaryResult. A trace's level is SeverityLevel, Application Insights' own scale (0 verbose,
1 information, 2 warning, 3 error, 4 critical); an exception row has no Message, only ExceptionType and
OuterMessage; a request row has only Name, ResultCode, Success and DurationMs. Metrics: Azure Monitor's, through
the webdevops azure-metrics-exporter (`azurerm_<metric>_<aggregation>` by resourceName), CPU and memory in
percent, every minute."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: apim nextjs dotnet spring fastapi pyfunc nodefunc saas
TABLE_COLUMNS = (
    "TimeGenerated", "Type", "AppRoleName", "AppRoleInstance", "SeverityLevel", "Message", "ExceptionType",
    "OuterMessage", "Name", "ResultCode", "Success", "DurationMs", "OperationId",
)  # fmt: skip
# Application Insights' severity levels, as a trace's logger level maps onto them
SEVERITY = {"debug": "0", "info": "1", "warn": "2", "error": "3", "critical": "4"}


def _signals() -> dict[str, str]:
    sel = 'resourceName="{service}",resourceGroup="rg-farmalia-prod",subscriptionName="farmalia-prod"'
    return {
        "request_rate": f"azurerm_requests_rate{{{sel}}}",
        "error_ratio": f"azurerm_http5xx_ratio{{{sel}}}",
        "latency_p99": f"azurerm_httpresponsetime_p99{{{sel}}}",
        "cpu_utilization": f"azurerm_cpupercentage_average{{{sel}}}",
        "memory_utilization": f"azurerm_memorypercentage_average{{{sel}}}",
    }


PROD = Estate(
    label="resourceName",
    name="farmalia",
    namespace="rg-farmalia-prod",
    shipper="appinsights-az-cli",
    signals=_signals(),
    nodes=(
        Node("apim", "apim", ("tienda-web", "pedidos-api", "recetas-api", "pagos-api"), 150),
        Node("tienda-web", "nextjs", ("pedidos-api", "recetas-api", "redis"), 90),
        Node("pedidos-api", "dotnet", ("cosmos", "sql", "servicebus", "pagos-api"), 45),
        Node("recetas-api", "spring", ("cosmos", "cofepris"), 20),
        Node("pagos-api", "fastapi", ("openpay", "sql"), 30),
        Node("inventario-fn", "pyfunc", ("sql",), 2),
        Node("notificaciones-fn", "nodefunc", ("servicebus", "twilio"), 10),
        Node("cosmos", "saas", (), 300),
        Node("sql", "saas", (), 200),
        Node("servicebus", "saas", (), 60),
        Node("redis", "saas", (), 400),
        Node("openpay", "saas", (), 30),
        Node("twilio", "saas", (), 10),
        Node("cofepris", "saas", (), 20),
    ),
)

ESTATES = {PROD.name: PROD}

# each line: "<Type>|<fields>": a trace's text; an exception's "ExceptionType|OuterMessage"; a request's
# "Name|ResultCode|DurationMs"
BACKGROUND = {
    "apim": ["AppRequests|POST /pedidos/v1/orders|200|2{n}4", "AppRequests|GET /tienda/|200|1{n}2"],
    "nextjs": ["AppRequests|GET /producto/[sku]|200|8{n}", "AppTraces|revalidated /categoria/analgesicos in 1{n}ms"],
    "dotnet": ["AppTraces|Order {hex} created for customer 44{n}12 with 3 items",
               "AppRequests|POST /v1/orders|201|1{n}6"],
    "spring": ["AppTraces|Receta RX-2{n}881 validada por COFEPRIS en 3{n}0 ms",
               "AppRequests|POST /v1/recetas|200|4{n}1"],
    "fastapi": ["AppTraces|charge {hex} captured amount=3{n}9.00 MXN", "AppRequests|POST /v1/charges|201|6{n}0"],
    "pyfunc": ["AppTraces|Executed 'Functions.sync_stock' (Succeeded, Id={uuid}, Duration=1{n}2ms)"],
    "nodefunc": ["AppTraces|Executed 'Functions.enviar_whatsapp' (Succeeded, Id={uuid}, Duration={n}1ms)"],
}  # fmt: skip
NOISE = {
    "dotnet": "AppTraces|Cosmos DB request took 1{n}00 ms for container orders (RU 1{n}.2)",
    "spring": "AppTraces|COFEPRIS respondió lento: 2.{n} s",
    "fastapi": "AppTraces|Openpay latency 1.{n}s on charge {hex}",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, svc: str) -> str:
    n = int(at.timestamp()) % 61
    h = _hex(svc, str(at.timestamp()))
    return (
        text.replace("{hex}", h[:12])
        .replace("{uuid}", f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}")
        .replace("{k}", str(n % 10 + 1))
        .replace("{n}", str(n))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of the union as the az CLI writes it: strings throughout, every column on every row."""
    kind, _, rest = _fill(at, text, service).partition("|")
    h = _hex(pod)
    row = dict.fromkeys(TABLE_COLUMNS, "")
    row |= {
        "TimeGenerated": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(h[10], 16) % 10}Z",  # (100 ns ticks)
        "Type": kind,
        "AppRoleName": service,
        # an App Service instance's id, or a function host's
        "AppRoleInstance": f"pd1sdwk{h[:10].upper()}" if estate.node(service).tech != "apim" else "westus2-01",
        "OperationId": _hex(service, at.isoformat())[:32],
    }
    if kind == "AppTraces":
        row |= {"SeverityLevel": SEVERITY[level], "Message": rest}
    elif kind == "AppExceptions":
        exc, _, outer = rest.partition("|")
        row |= {"SeverityLevel": "3", "ExceptionType": exc, "OuterMessage": outer}
    else:
        name, code, ms = rest.split("|")
        row |= {"Name": name, "ResultCode": code, "Success": str(int(code) < 400), "DurationMs": ms}
    row["TableName"] = "PrimaryResult"
    return row
