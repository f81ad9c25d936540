"""World 77's estate, written after world 76's rules and scored before any rule saw it.

A Dutch insurer's claims portal on Windows Server VMs in Azure: a customer portal and a claims API on IIS
(ASP.NET Core, logging to the Windows event log through its EventLog provider: `Category: ...`, `EventId: ...`,
a blank line, then the message), a claims worker that runs as a Windows service (.NET 8), a legacy document
service on WCF (.NET Framework 4.8), SQL Server 2019 and AD FS for the portal's sign-in. Azure Service Bus, the
postcode lookup and the Chamber of Commerce's API show nothing of their own.

Nobody ships these logs: the bundle is what the on-call engineer exported from each server's Application and
System logs with Windows PowerShell 5.1: `Get-WinEvent -FilterHashtable ... | Select-Object TimeCreated, Id,
Level, LevelDisplayName, ProviderName, LogName, MachineName, RecordId, Message | ForEach-Object { $_ |
ConvertTo-Json -Compress } | Out-File events.jsonl -Encoding utf8`: a byte-order mark first, CRLF line ends,
`TimeCreated` as `\\/Date(milliseconds)\\/`, `Level` the event log's number (1 critical, 2 error, 3 warning,
4 information: not syslog's), the message multi-line, the program's own name only in `ProviderName` (IIS's and
SQL Server's events name WAS, W3SVC-WP or MSSQLSERVER, not the service) and the server in `MachineName`.
Metrics: windows_exporter's recording rules by `service`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: aspnet worker wcf mssql adfs saas
HOSTS = {"portal-web": "WEB", "claims-api": "API", "claims-worker": "WRK", "documents": "DOC", "claims-db": "SQL",
         "adfs": "ADFS"}  # fmt: skip
SOURCES = {"portal-web": "Schade.Portal", "claims-api": "Schade.Claims.Api", "claims-worker": "Schade.Claims.Worker",
           "documents": "Schade.Documents", "claims-db": "MSSQLSERVER", "adfs": "AD FS"}  # fmt: skip


def _signals() -> dict[str, str]:
    sel = 'service="{service}",env="prod"'
    return {
        "request_rate": f"schade:requests:rate5m{{{sel}}}",
        "error_ratio": f"schade:requests_failed:ratio_rate5m{{{sel}}}",
        "latency_p99": f"schade:request_duration_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"schade:windows_cpu_busy:ratio{{{sel}}}",
        "memory_utilization": f"schade:windows_memory_used:ratio{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="schade",
    namespace="schade",
    shipper="powershell-get-winevent-json",
    signals=_signals(),
    nodes=(
        Node("portal-web", "aspnet", ("claims-api", "adfs", "documents"), 40),
        Node("claims-api", "aspnet", ("claims-db", "servicebus", "postcode-api", "documents"), 60),
        Node("claims-worker", "worker", ("servicebus", "claims-db", "kvk-api"), 8),
        Node("documents", "wcf", ("claims-db",), 15),
        Node("adfs", "adfs", (), 20),
        Node("claims-db", "mssql", (), 200),
        Node("servicebus", "saas", (), 30),
        Node("postcode-api", "saas", (), 25),
        Node("kvk-api", "saas", (), 3),
    ),
)

ESTATES = {PROD.name: PROD}

# a message as the program writes it to the event log; `Provider|Id|` in front names its provider (the service's
# own source with an event id of its own, or IIS, WAS, .NET Runtime, Service Control Manager, Schannel)
BACKGROUND = {
    "aspnet": ["Category: Microsoft.AspNetCore.Hosting.Diagnostics\r\nEventId: 2\r\n\r\nRequest finished HTTP/1.1 GET "
               "/api/claims/{n}{k} - 200 - application/json 1{n}.{k}ms",
               "Category: Schade.Claims.ClaimsService\r\nEventId: 0\r\n\r\nClaim {n}{k}88 registered for policy "
               "P-{hex}"],
    "worker": ["Category: Schade.Claims.Worker.PayoutJob\r\nEventId: 0\r\n\r\nProcessed {k} claim events from "
               "claims-payouts (lag {n} ms)"],
    "wcf": ["Document D-{hex} rendered for claim {n}{k}88 ({k} pages)", "Archive batch {n} stored ({k}{n} documents)"],
    "mssql": ["Log was backed up. Database: SchadeClaims, creation date(time): 2025/01/14(09:12:44), first LSN: "
              "{n}:{k}:1, last LSN: {n}:{k}{n}:1, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: "
              "{{'https://schadebackups.blob.core.windows.net/sql/SchadeClaims_log_{hex}.trn'}}). This is an "
              "informational message only. No user action is required."],
    "adfs": ["MSIS7073: An authentication request was received for relying party 'https://portal.schade.nl/' and "
             "completed for user SCHADE\\u{n}{k}."],
}  # fmt: skip
NOISE = {
    "aspnet": "Category: Microsoft.AspNetCore.Server.IIS.Core.IISHttpServer\r\nEventId: 2\r\n\r\nConnection ID "
    '"{hex}", Request ID "{hex}": the application completed without reading the entire request body.',
    "worker": "Category: Schade.Claims.Worker.KvkClient\r\nEventId: 0\r\n\r\nKvK lookup for {n}{k}4410 retried once "
    "(429)",
    "mssql": "SQL Server has encountered 1 occurrence(s) of I/O requests taking longer than 15 seconds to complete on "
    "file [F:\\MSSQL\\DATA\\SchadeClaims.mdf] in database id 5.",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{hex}", _hex(tech, str(at.timestamp()))[:8])
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{{", "{")
        .replace("}}", "}")
    )


_LEVELS = {"critical": (1, "Critical"), "error": (2, "Error"), "warn": (3, "Warning"), "info": (4, "Information"),
           "debug": (5, "Verbose")}  # fmt: skip
_SYSTEM = ("Microsoft-Windows-WAS", "Service Control Manager", "Schannel", "Microsoft-Windows-IIS-W3SVC-WP")


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One event as `Select-Object ... | ConvertTo-Json -Compress` writes it (the time rewritten by the Style)."""
    node = estate.node(service)
    line = _fill(at, text, node.tech)
    provider, event_id = SOURCES[service], {"error": 1000, "critical": 1000, "warn": 900}.get(level, 0)
    if line.count("|") >= 2 and line.split("|", 1)[0] in (*_SYSTEM, ".NET Runtime", provider):
        provider, event_id_text, line = line.split("|", 2)
        event_id = int(event_id_text)
    if service == "claims-db":
        event_id = {"error": 17053, "warn": 833}.get(level, 3014)
    number, name = _LEVELS.get(level, (4, "Information"))
    h = _hex(service, pod)
    return {
        "TimeCreated": f"/Date({int(at.timestamp() * 1000)})/",
        "Id": event_id,
        "Level": number,
        "LevelDisplayName": name,
        "ProviderName": provider,
        "LogName": "System" if provider in _SYSTEM else "Application",
        "MachineName": f"SCHADE-{HOSTS[service]}0{int(h[0], 16) % 2 + 1}.schade.local",
        "RecordId": int(at.timestamp()) % 10_000_000 + int(h[1:4], 16),
        "Message": line,
    }
