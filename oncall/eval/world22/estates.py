"""World 22's estate, written after world 21's rules and scored before any rule saw it.

A bank's payments hub on Windows Server: IIS with Application Request Routing at the edge, a payments
API in an IIS application pool, a fraud service and a settlement batch runner as Windows services,
SSRS reporting, RabbitMQ, SQL Server in an availability group, and Active Directory (with its DNS) that
every server logs on to and resolves through. Every server's event log is shipped by NXLog's
im_msvistalog as JSON (`to_json()`): `EventTime` in the server's clock with no zone (the servers run
in UTC) and `EventReceivedTime` after it, `Hostname` as the NetBIOS name with its domain
(`PAYMENTS-API-02.corp.example`), `Severity` and `SeverityValue`, `EventID`, `SourceName`, `Channel`
and `Message`, every key capitalised. Metrics are windows_exporter's through recording rules labelled
`role`, every 60 s."""

from __future__ import annotations

from datetime import datetime, timedelta

from oncall.eval.styled import Estate, Node

# Node.tech: arr iis winsvc ssrs rabbitmq mssql ad saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "role:windows_iis_requests:rate2m",
        "error_ratio": "role:windows_iis_server_errors:ratio_rate2m",
        "latency_p99": "role:app_request_duration_seconds:p99_2m",
        "cpu_utilization": "role:windows_cpu_busy:ratio_rate2m",
        "memory_utilization": "role:windows_memory_committed:ratio_limit",
        "restarts": "role:windows_service_restarts:increase15m",
        "disk_utilization": "role:windows_logical_disk_used:ratio_max",
    }
    return {k: f'{v}{{role="{{service}}"}}' for k, v in names.items()}


LEDGER = Estate(
    label="role",
    name="ledger",
    namespace="corp",
    shipper="nxlog",
    signals=_signals(),
    nodes=(
        Node("web", "arr", ("payments-api",), 120),
        Node("payments-api", "iis", ("sql", "fraud-svc", "mq", "dc"), 110),
        Node("fraud-svc", "winsvc", ("sql", "scoring-vendor", "dc"), 100),
        Node("batch-runner", "winsvc", ("sql", "mq", "sftp-gw", "dc"), 8),
        Node("reporting", "ssrs", ("sql", "dc"), 4),
        Node("mq", "rabbitmq", (), 300),
        Node("sql", "mssql", (), 600),
        Node("dc", "ad", (), 250),
        Node("scoring-vendor", "saas", (), 100),
        Node("sftp-gw", "saas", (), 2),
    ),
)

ESTATES = {LEDGER.name: LEDGER}

# each line: SourceName|EventID|Channel|message
BACKGROUND = {
    "arr": ["Application Request Routing|1001|Application|Forwarded POST /v2/payments to payments-api-pool in 92 ms"],
    "iis": ["PaymentsApi|1000|Application|Request POST /v2/payments completed 200 in 84 ms (correlation 7f31c2)"],
    "winsvc": ["{Source}|1000|Application|Processed work item 88121 in 41 ms"],
    "ssrs": [
        "Report Server Windows Service (MSSQLSERVER)|107|Application|Report 'Daily Settlement' rendered in 812 ms"
    ],
    "rabbitmq": ["RabbitMQ|1|Application|accepting AMQP connection 10.10.4.21:51123 -> 10.10.6.5:5672"],
    "mssql": [
        "MSSQLSERVER|18265|Application|Log was backed up. Database: payments, creation date(time): 2024/03/02(11:04:"
        "12), pages dumped: 3412, first LSN: 9921:771:1, last LSN: 9921:802:1, number of dump devices: 1",
        "MSSQLSERVER|17137|Application|Starting up database 'reporting_snapshot'.",
    ],
    "ad": [
        "Microsoft-Windows-Security-Auditing|4624|Security|An account was successfully logged on. Account Name: "
        "svc-pay Logon Type: 3",
        "Microsoft-Windows-DNS-Server-Service|2501|DNS Server|The DNS server has completed a scavenging cycle: "
        "Visited Zones = 3, Visited Nodes = 1204, Scavenged Nodes = 0, Scavenged Records = 0",
    ],
}
NOISE = {
    "iis": "ASP.NET 4.0.30319.0|1309|Application|Event code: 3005 Event message: An unhandled exception has "
    "occurred. Exception type: HttpException Exception message: The client disconnected.",
    "ad": "Microsoft-Windows-Security-Auditing|4625|Security|An account failed to log on. Account Name: "
    "scanner01 Failure Reason: Unknown user name or bad password.",
}

SOURCES = {"fraud-svc": "FraudScoring", "batch-runner": "SettlementBatch", "payments-api": "PaymentsApi"}
_SEVERITY = {"error": ("ERROR", 4), "warn": ("WARNING", 3), "info": ("INFO", 2), "debug": ("DEBUG", 1)}


def host(service: str, pod: str) -> str:
    """The server's NetBIOS name (at most 15 characters, upper case) with the domain."""
    return f"{service.upper()[:12]}-{sum(map(ord, pod)) % 3 + 1:02d}.corp.example"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One event as NXLog's im_msvistalog reads it and to_json() writes it."""
    source, event_id, channel, message = text.replace("{Source}", SOURCES.get(service, service)).split("|", 3)
    severity, value = _SEVERITY.get(level, _SEVERITY["info"])
    received = at + timedelta(milliseconds=300 + sum(map(ord, pod)) % 900)
    return {
        "EventTime": f"{at:%Y-%m-%d %H:%M:%S}",
        "Hostname": host(service, pod),
        "Keywords": "36028797018963968",
        "EventType": severity,
        "SeverityValue": value,
        "Severity": severity,
        "EventID": int(event_id),
        "SourceName": source,
        "RecordNumber": int(at.timestamp()) % 10_000_000,
        "ProcessID": 1000 + sum(map(ord, pod)) % 7000,
        "ThreadID": 4000 + int(at.timestamp()) % 900,
        "Channel": channel,
        "Message": message,
        "EventReceivedTime": f"{received:%Y-%m-%d %H:%M:%S}",
        "SourceModuleName": "eventlog",
        "SourceModuleType": "im_msvistalog",
    }
