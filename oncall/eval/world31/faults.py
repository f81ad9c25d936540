"""World 31's faults, from Azure and payroll postmortems, in this estate's words: a reports release that
queries once per employee until Azure SQL's request limit refuses everyone (error 10928); a cost-saving
change that cut Cosmos DB's provisioned throughput tenfold (429, "Request rate is large"); the export job's
app registration secret expiring (AADSTS7000222); a payslip renderer release that fails its options
validation at start, so the queue it drains fills to its size quota and the API cannot publish; a tax
client release that opens a new connection per call until the cluster's outbound SNAT ports run out
(EADDRNOTAVAIL); the gateway's WAF moved to a newer rule set that blocks payroll file uploads as SQL
injection; and the monthly pay run keeping the payroll engine's CPU busy (no incident)."""

from __future__ import annotations

import json
import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"infra/{svc}/main.bicepparam" if kind in ("scale", "config") else f"charts/{svc}/values.prod.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} = {old}",
        "to": f"{key} = {new}",
        "author": who,
        "ref": f"PR {rng.randint(2000, 4999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-{key} = {old}\n+{key} = {new}\n",
    }


def _sql_error(number: int, text: str) -> str:
    return json.dumps({"category": "Errors", "properties": {"error_number": number, "Severity": 16, "Message": text}})


LIMIT_10928 = "Resource ID : 1. The request limit for the database is 200 and has been reached."


def report_per_employee(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "report_per_employee",
        "reports",
        "recent_change",
        "rollback",
        "api",
        "ApiErrorRateHigh",
        "reports 5.2.0 builds the headcount report with a query per employee; Azure SQL reached its worker limit "
        "and refuses every caller's new requests with error 10928",
    )
    f.changes.append(change(at - rng.randint(3, 5) * M, "reports", "deploy", "image.tag", "5.1.4", "5.2.0", rng,
                            "azure-pipelines"))  # fmt: skip
    f.effects += [
        Effect("sql", "request_rate", at, 6.0),
        Effect("sql", "cpu_utilization", at, 1.0, relative=False),
        Effect("sql", "latency_p99", at, 20.0),
        Effect("reports", "latency_p99", at, 10.0),
        Effect("api", "error_ratio", at + M, 0.3, relative=False),
        Effect("engine", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("sql", at + M, 4, "error", _sql_error(10928, LIMIT_10928)),
        Burst("api", at + M, 14, "error", "Request failed\nMicrosoft.Data.SqlClient.SqlException (0x80131904): "
              + LIMIT_10928 + " See 'http://go.microsoft.com/fwlink/?LinkId=267637' for assistance."),
        Burst("engine", at + M, 6, "error", "Pay calculation failed for employee 88213\nMicrosoft.Data.SqlClient."
              "SqlException (0x80131904): " + LIMIT_10928),
    ]  # fmt: skip
    return f


def throughput_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "throughput_cut",
        "docs",
        "recent_change",
        "rollback",
        "api",
        "ApiLatencyHigh",
        "a cost-saving change set the documents container's provisioned throughput from 10000 to 1000 RU/s; "
        "Cosmos DB throttles with 429 and the API's retries slow every payslip request",
    )
    f.changes.append(change(at - 2 * M, "docs", "scale", "throughput", "10000", "1000", rng, "finops-bot"))
    f.effects += [
        Effect("docs", "error_ratio", at, 0.45, relative=False),
        Effect("api", "latency_p99", at, 6.0),
        Effect("api", "error_ratio", at + M, 0.15, relative=False),
        Effect("renderer", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("api", at, 16, "warn", "Retrying document read\nMicrosoft.Azure.Cosmos.CosmosException : Response "
              "status code does not indicate success: TooManyRequests (429); Substatus: 3200; Reason: (Message: "
              "Request rate is large. More Request Units may be needed, so no changes were made. Please retry "
              "this request later.)"),
        Burst("renderer", at + M, 6, "error", "Payslip 88213 not stored\nMicrosoft.Azure.Cosmos.CosmosException : "
              "Response status code does not indicate success: TooManyRequests (429); Substatus: 3200"),
    ]  # fmt: skip
    return f


def client_secret_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "client_secret_expired",
        "export",
        "expired_credential",
        "config_change",
        "export",
        "PaymentExportFailed",
        "the client secret of the export job's app registration reached its end date; Microsoft Entra ID "
        "refuses its tokens and no payment file reaches the bank",
    )
    f.effects.append(Effect("export", "error_ratio", at, 1.0, relative=False))
    f.bursts.append(
        Burst("export", at, 3, "error", "ClientSecretCredential.get_token failed: Authentication failed: "
              "AADSTS7000222: The provided client secret keys for app '6f1c2a9e-3b7d-4e0a-9c51-2d8e7f4a1b36' are "
              "expired. Visit the Azure portal to create new keys for your app.")
    )  # fmt: skip
    return f


def renderer_fails_start(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    released = at - rng.randint(35, 45) * M
    f = Fault(
        "renderer_fails_start",
        "renderer",
        "recent_change",
        "rollback",
        "api",
        "PayslipPublishFailures",
        "renderer 3.4.0 requires a font cache directory its chart does not set and fails at start; the payslips "
        "queue it drains filled to its size quota and the API's publishes are refused",
    )
    f.changes.append(change(released, "renderer", "deploy", "image.tag", "3.3.9", "3.4.0", rng, "azure-pipelines"))
    f.effects += [
        Effect("renderer", "restarts", released + M, 6.0, relative=False),
        Effect("renderer", "request_rate", released + M, 0.0, relative=False),
        Effect("queue", "disk_utilization", released + M, 1.0, relative=False, ramp=at - released - M),
        Effect("api", "error_ratio", at, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("renderer", released + M, 2, "fatal", "Application startup exception\nMicrosoft.Extensions.Options."
              "OptionsValidationException: DataAnnotation validation failed for 'FontOptions' members: 'CacheDir' "
              "with the error: 'The CacheDir field is required.'"),
        Burst("api", at, 12, "error", "Publishing payslip batch failed\nAzure.Messaging.ServiceBus."
              "ServiceBusException: The maximum entity size has been reached or exceeded for Queue: 'payslips'. "
              "Size of entity in bytes:1073741824, Max entity size in bytes: 1073741824. (QuotaExceeded)"),
    ]  # fmt: skip
    f.events.append(KEvent("renderer", "BackOff", "Back-off restarting failed container renderer", released + 2 * M,
                           waiting="CrashLoopBackOff"))  # fmt: skip
    return f


def new_socket_per_call(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "new_socket_per_call",
        "tax-client",
        "recent_change",
        "rollback",
        "engine",
        "PayRunErrors",
        "tax-client 2.8.0 creates an HTTP agent per call without keep-alive; the cluster's outbound SNAT ports "
        "to the tax authority ran out and new connections fail",
    )
    f.changes.append(change(at - rng.randint(8, 14) * M, "tax-client", "deploy", "image.tag", "2.7.5", "2.8.0", rng,
                            "azure-pipelines"))  # fmt: skip
    f.effects += [
        Effect("tax-client", "error_ratio", at, 0.5, relative=False),
        Effect("tax-client", "latency_p99", at, 12.0),
        Effect("engine", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("tax-client", at, 20, "error", "tax table request failed: connect EADDRNOTAVAIL 20.50.113.10:443 - "
              "Local (0.0.0.0:0)"),
        Burst("engine", at + M, 8, "error", "Pay calculation failed for employee 88213\nSystem.Net.Http."
              "HttpRequestException: Response status code does not indicate success: 502 (Bad Gateway)."),
    ]  # fmt: skip
    f.failing_calls.append(("tax-client", "tax-api"))
    return f


def waf_rule_set_upgrade(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "waf_rule_set_upgrade",
        "appgw",
        "recent_change",
        "rollback",
        "uploads",
        "PayrollUploadsDropped",
        "the gateway's WAF policy moved from OWASP CRS 3.2 to Microsoft's Default Rule Set 2.1, whose SQL "
        "injection rule matches payroll CSV files; uploads are blocked with 403 before they reach the service",
    )
    f.changes.append(change(at - 2 * M, "appgw", "config", "wafPolicy.managedRuleSet", "'OWASP_3.2'",
                            "'Microsoft_DefaultRuleSet_2.1'", rng, "platform-team"))  # fmt: skip
    f.effects += [
        Effect("uploads", "request_rate", at, 0.08),
        Effect("appgw", "error_ratio", at, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("appgw", at, 5, "warn", "Mandatory rule. Cannot be disabled. Inbound Anomaly Score Exceeded (Total "
              "Score: 10) ruleId 949110; SQL Injection Attack Detected via libinjection (ruleId 942100) on "
              "POST /uploads/v1/payroll-files"),
        Burst("appgw", at, 5, "info", "POST /uploads/v1/payroll-files 403"),
    ]  # fmt: skip
    return f


def pay_run(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 15) * M
    f = Fault(
        "pay_run",
        "engine",
        "no_incident",
        "none",
        "engine",
        "EngineCpuHigh",
        "the monthly pay run calculates every employee's pay; the engine's CPU alert fires while it runs, as it "
        "does every month (no incident)",
    )
    f.effects += [
        Effect("engine", "cpu_utilization", at, 0.93, relative=False, until=at + 40 * M),
        Effect("sql", "cpu_utilization", at, 0.78, relative=False, until=at + 40 * M),
    ]
    f.bursts.append(Burst("engine", at, 1, "info", "Pay run 2026-11 started for 18412 employees", minutes=1))
    return f


FAULTS = [report_per_employee, throughput_cut, client_secret_expired, renderer_fails_start, new_socket_per_call,
          waf_rule_set_upgrade, pay_run]  # fmt: skip
