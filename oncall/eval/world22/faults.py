"""World 22's faults, from public postmortems of Windows and SQL Server estates, none a shape an earlier
world wrote: a reporting release whose new query sorts forty million rows and fills the shared SQL
Server's tempdb, so the payments API's writes fail; the settlement batch runner's service account
password expiring, so the service cannot log on after its nightly restart; a web.config transform that
crashes the payments API's worker processes until IIS's rapid-fail protection disables the pool; DNS
scavenging switched on at the domain controller deleting the availability group listener's record, so
nothing can resolve the database; and an announced availability-group failover drill (a few seconds
of errors, no incident, though the error rate alerts)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"roles/{svc}/{'release.psd1' if kind == 'deploy' else 'settings.json'}"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"CHG{rng.randint(100000, 999999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -3,1 +3,1 @@\n-{key} {old}\n+{key} {new}\n",
    }


def tempdb_filled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "tempdb_filled",
        "reporting",
        "recent_change",
        "rollback",
        "payments-api",
        "PaymentsServerErrors",
        "reporting 8.14 shipped a settlement report whose query sorts forty million rows in tempdb; tempdb's "
        "files fill, and every payments write that needs a worktable fails",
    )
    f.changes.append(change(at - rng.randint(3, 6) * M, "reporting", "deploy", "ModuleVersion =", "'8.13.2'",
                            "'8.14.0'", rng, "reporting-team"))  # fmt: skip
    f.effects += [
        Effect("sql", "disk_utilization", at, 0.99, relative=False, ramp=4 * M),
        Effect("sql", "cpu_utilization", at - 2 * M, 0.78, relative=False),
        Effect("reporting", "latency_p99", at - 2 * M, 30.0),
        Effect("payments-api", "error_ratio", at, 0.29, relative=False),
        Effect("fraud-svc", "error_ratio", at + M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("sql", at, 20, "error", "MSSQLSERVER|1105|Application|Could not allocate space for object "
              "'dbo.SORT temporary run storage:  140737488355328' in database 'tempdb' because the 'PRIMARY' "
              "filegroup is full. Create disk space by deleting unneeded files, dropping objects in the filegroup, "
              "adding additional files to the filegroup, or setting autogrowth on for existing files in the "
              "filegroup."),
        Burst("payments-api", at, 30, "error", "PaymentsApi|1026|Application|Payment 88231 failed: System.Data."
              "SqlClient.SqlException (0x80131904): Could not allocate space for object 'dbo.SORT temporary run "
              "storage' in database 'tempdb' because the 'PRIMARY' filegroup is full."),
        Burst("fraud-svc", at + M, 10, "error", "FraudScoring|1026|Application|Scoring 77120 failed: System.Data."
              "SqlClient.SqlException (0x80131904): The transaction log for database 'tempdb' is full due to "
              "'ACTIVE_TRANSACTION'."),
        Burst("reporting", at - 2 * M, 2, "warn", "Report Server Windows Service (MSSQLSERVER)|107|Application|"
              "Report 'Settlement Detail' is still running after 300 seconds"),
    ]  # fmt: skip
    return f


def service_password_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "service_password_expired",
        "batch-runner",
        "expired_credential",
        "config_change",
        "batch-runner",
        "SettlementBatchNotRunning",
        "the settlement batch runner's service account CORP\\svc-settle had a password that expired overnight; "
        "after its scheduled restart the service cannot log on, so no settlement file is produced",
    )
    f.effects += [
        Effect("batch-runner", "request_rate", at, 0.02),
        Effect("batch-runner", "restarts", at, 4.0, relative=False, ramp=0 * M),
        Effect("mq", "request_rate", at + 2 * M, 0.9),
    ]
    f.bursts += [
        Burst("batch-runner", at, 3, "error", "Service Control Manager|7038|System|The SettlementBatch service was "
              "unable to log on as CORP\\svc-settle with the currently configured password due to the following "
              "error: The user's password must be changed before signing in."),
        Burst("batch-runner", at, 3, "error", "Service Control Manager|7000|System|The SettlementBatch service "
              "failed to start due to the following error: The service did not start due to a logon failure."),
        Burst("dc", at, 6, "info", "Microsoft-Windows-Security-Auditing|4625|Security|An account failed to log "
              "on. Account Name: svc-settle Failure Reason: The specified account's password has expired. "
              "Status: 0xC000006D Sub Status: 0xC0000071"),
    ]  # fmt: skip
    return f


def app_pool_disabled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "app_pool_disabled",
        "payments-api",
        "recent_change",
        "rollback",
        "web",
        "EdgeServiceUnavailable",
        "payments-api 5.2.0's web.config transform dropped the binding redirect for Newtonsoft.Json; every "
        "worker process crashes on its first request, and after five failures in five minutes IIS's "
        "rapid-fail protection disables the application pool, so HTTP.sys answers 503 for it",
    )
    f.changes.append(change(at - 2 * M, "payments-api", "deploy", "ModuleVersion =", "'5.1.9'", "'5.2.0'", rng,
                            "payments-team"))  # fmt: skip
    f.effects += [
        Effect("payments-api", "error_ratio", at, 0.97, relative=False, ramp=M),
        Effect("payments-api", "restarts", at, 5.0, relative=False, ramp=0 * M),
        Effect("web", "error_ratio", at + M, 0.64, relative=False),
    ]
    f.bursts += [
        Burst("payments-api", at - M, 3, "error", "Application Error|1000|Application|Faulting application name: "
              "w3wp.exe, version: 10.0.20348.1, faulting module name: KERNELBASE.dll, exception code: 0xe0434352"),
        Burst("payments-api", at - M, 3, "error", ".NET Runtime|1026|Application|Application: w3wp.exe Description: "
              "The process was terminated due to an unhandled exception. Exception Info: System.IO."
              "FileLoadException: Could not load file or assembly 'Newtonsoft.Json, Version=13.0.0.0'"),
        Burst("payments-api", at, 1, "error", "WAS|5002|System|Application pool 'PaymentsApi' is being "
              "automatically disabled due to a series of failures in the process(es) serving that application "
              "pool.", minutes=1),
        Burst("web", at + M, 25, "warn", "Application Request Routing|1005|Application|POST /v2/payments returned "
              "503 Service Unavailable from payments-api-pool"),
    ]  # fmt: skip
    return f


def dns_record_scavenged(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "dns_record_scavenged",
        "dc",
        "recent_change",
        "rollback",
        "payments-api",
        "PaymentsServerErrors",
        "scavenging was switched on at the domain controller's DNS with a one-hour no-refresh interval; its "
        "next cycle deleted the availability group listener's A record (registered once, never refreshed), "
        "so nothing can resolve sql-ag.corp.example",
        also_accept=["network"],
    )
    f.changes.append(change(at - rng.randint(40, 70) * M, "dc", "config", "ScavengingInterval =", "0",
                            "01:00:00", rng, "infra-team"))  # fmt: skip
    f.effects += [
        Effect("payments-api", "error_ratio", at, 0.88, relative=False),
        Effect("fraud-svc", "error_ratio", at, 0.81, relative=False),
        Effect("reporting", "error_ratio", at, 0.9, relative=False),
        Effect("sql", "request_rate", at, 0.05),
    ]
    f.bursts += [
        Burst("dc", at, 1, "info", "Microsoft-Windows-DNS-Server-Service|2501|DNS Server|The DNS server has "
              "completed a scavenging cycle: Visited Zones = 3, Visited Nodes = 1204, Scavenged Nodes = 41, "
              "Scavenged Records = 41", minutes=1),
        Burst("payments-api", at, 30, "error", "PaymentsApi|1026|Application|Payment 88231 failed: System.Data."
              "SqlClient.SqlException (0x80131904): A network-related or instance-specific error occurred while "
              "establishing a connection to SQL Server. The server was not found or was not accessible. (provider: "
              "TCP Provider, error: 0 - No such host is known.)"),
        Burst("fraud-svc", at, 20, "error", "FraudScoring|1026|Application|Scoring 77120 failed: System.Data."
              "SqlClient.SqlException (0x80131904): A network-related or instance-specific error occurred while "
              "establishing a connection to SQL Server. (provider: TCP Provider, error: 0 - No such host is known.)"),
        Burst("reporting", at, 3, "error", "Report Server Windows Service (MSSQLSERVER)|107|Application|Cannot "
              "create a connection to data source 'SettlementDS'. No such host is known"),
    ]  # fmt: skip
    return f


def ag_failover_drill(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "ag_failover_drill",
        "payments-api",
        "no_incident",
        "none",
        "payments-api",
        "PaymentsServerErrors",
        "the announced quarterly drill failed the availability group over to its secondary; for about twenty "
        "seconds connections were refused and retried, then everything ran on the new primary as before",
    )
    f.changes.append(change(at - M, "sql", "infra", "AvailabilityGroup PAY-AG primary:", "SQL-01", "SQL-02", rng,
                            "dba-team"))  # fmt: skip
    f.effects += [Effect("payments-api", "error_ratio", at, 0.06, relative=False, ramp=0 * M, until=at + 2 * M)]
    f.bursts += [
        Burst("sql", at, 2, "info", "MSSQLSERVER|19406|Application|The state of the local availability replica in "
              "availability group 'PAY-AG' has changed from 'SECONDARY_NORMAL' to 'RESOLVING_NORMAL'. The state "
              "changed because the availability group is going offline. For more information, see the SQL Server "
              "error log.", minutes=1),
        Burst("payments-api", at, 12, "warn", "PaymentsApi|1027|Application|Payment 88231 retried after "
              "SqlException (0x80131904): A transport-level error has occurred when receiving results from the "
              "server.", minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [tempdb_filled, service_password_expired, app_pool_disabled, dns_record_scavenged, ag_failover_drill]
