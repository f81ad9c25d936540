"""World 77's faults, from IIS, TLS-hardening, SQL Server, Windows-service, AD FS and third-party-API incidents, in
this estate's words: the claims API's application-pool identity, a domain account whose password expired under the
domain's policy, so WAS disables the pool and IIS answers 503 (set the new password); a group policy disabling TLS
1.0 and 1.1 on the document servers, which the scanning import, on .NET Framework 4.5, cannot connect without
(roll the policy back); tempdb full under a report's sorts (grow it); the claims worker's release leaking memory
until the runtime kills it, the service restarted again and again (restart it; the release came a day before);
AD FS rolling its token-signing certificate over while the portal keeps the old one from the federation metadata
it read at start (restart it to read the metadata again); the postcode lookup timing out (escalate); and the
month-end payout run keeping SQL Server's processors busy, healthy (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's release pipeline (Azure DevOps) and its change log record it."""
    path = f"deploy/{svc}/appsettings.Production.json" if kind == "deploy" else f"infra/{svc}/{kind}.md"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"CHG{rng.randint(100000, 999999)}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def _core(category: str, text: str, event: int = 0) -> str:
    """ASP.NET Core's EventLog provider: the category, the event id, a blank line, the message."""
    return f"Category: {category}\r\nEventId: {event}\r\n\r\n{text}"


def pool_identity_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "pool_identity_expired",
        "claims-api",
        "expired_credential",
        "config_change",
        "portal-web",
        "PortalErrors",
        "the claims API's application pool runs as SCHADE\\svc-claimsapi, whose password expired under the domain's "
        "90-day policy; as each worker process recycles WAS cannot log the identity on, disables the pool, and IIS "
        "answers 503; set the account's new password on the pool (and exempt it from expiry)",
    )
    f.effects += [
        Effect("claims-api", "error_ratio", at, 0.95, relative=False, ramp=2 * M),
        Effect("claims-api", "request_rate", at, 0.6, ramp=2 * M),
        Effect("portal-web", "error_ratio", at + 1 * M, 0.35, relative=False),
    ]
    f.bursts += [
        Burst("claims-api", at, 1, "warn", "Microsoft-Windows-WAS|5021|The identity of application pool ClaimsApi is "
              "invalid. The user name or password that is specified for the identity may be incorrect, or the user may "
              "not have batch logon rights. If the identity is not corrected, the application pool will be disabled "
              "when the application pool receives its first request.  If batch logon rights are causing the problem, "
              "the identity in the IIS configuration store must be changed after rights have been granted before "
              "Windows Process Activation Service (WAS) can retry the logon. If the identity remains invalid after "
              "the first request for the application pool is processed, the application pool will be disabled. The "
              "data field contains the error number.", minutes=3),
        Burst("claims-api", at + 1 * M, 1, "error", "Microsoft-Windows-WAS|5059|Application pool ClaimsApi has been "
              "disabled. Windows Process Activation Service (WAS) encountered a failure when it started a worker "
              "process to serve the application pool.", minutes=2),
        Burst("portal-web", at + 1 * M, 10, "error", _core("Schade.Portal.ClaimsClient", "Submitting claim for "
              "policy P-{hex} failed: System.Net.Http.HttpRequestException: Response status code does not indicate "
              "success: 503 (Service Unavailable).")),
    ]  # fmt: skip
    return f


def tls_hardening_gpo(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "tls_hardening_gpo",
        "documents",
        "recent_change",
        "rollback",
        "documents",
        "DocumentsErrors",
        "the security team linked a group policy to the document servers' OU that disables TLS 1.0 and 1.1 in "
        "SCHANNEL; the claims worker's document calls from .NET Framework 4.5 code default to TLS 1.0 and every "
        "handshake is refused; unlink the policy, then make the caller use TLS 1.2",
    )
    f.changes.append(change(at - 4 * M, "documents", "gpo", "SCHANNEL\\Protocols\\TLS 1.0\\Server\\Enabled", "1", "0",
                            rng, "SCHADE\\sec-baseline"))  # fmt: skip
    f.effects += [
        Effect("documents", "request_rate", at, 0.4, ramp=M),
        Effect("claims-worker", "error_ratio", at, 0.3, relative=False),
        Effect("portal-web", "error_ratio", at, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("documents", at, 12, "error", "Schannel|36874|An TLS 1.0 connection request was received from a remote "
              "client application, but none of the protocols requested by the client application are supported by "
              "the server. The SSL connection request has failed."),
        Burst("claims-worker", at, 6, "error", _core("Schade.Claims.Worker.DocumentsClient", "Archiving claim "
              "{n}{k}88 failed: System.ServiceModel.CommunicationException: An error occurred while making the HTTP "
              "request to https://documents.schade.local/DocumentService.svc. ---> System.Net.WebException: The "
              "underlying connection was closed: An unexpected error occurred on a send. ---> System.IO.IOException: "
              "Authentication failed because the remote party has closed the transport stream.")),
    ]  # fmt: skip
    f.failing_calls.append(("claims-worker", "documents"))
    return f


def tempdb_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "tempdb_full",
        "claims-db",
        "resource_exhaustion",
        "scale",
        "claims-api",
        "ClaimsApiErrors",
        "tempdb's data files, capped at 8 GB on a small volume, filled under the quarter's fraud report's sorts and "
        "every query that spills to tempdb fails; grow tempdb (add a file on the larger volume)",
    )
    full = ("Could not allocate space for object 'dbo.SORT temporary run storage:  140737{n}88{k}2816' in database "
            "'tempdb' because the 'PRIMARY' filegroup is full. Create disk space by deleting unneeded files, dropping "
            "objects in the filegroup, adding additional files to the filegroup, or setting autogrowth on for "
            "existing files in the filegroup.")  # fmt: skip
    f.effects += [
        Effect("claims-db", "cpu_utilization", at - 3 * M, 0.7, relative=False),
        Effect("claims-api", "error_ratio", at, 0.25, relative=False),
        Effect("claims-api", "latency_p99", at, 3.0),
        Effect("portal-web", "error_ratio", at, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("claims-db", at, 10, "error", full),
        Burst("claims-api", at, 8, "error", _core("Microsoft.EntityFrameworkCore.Query", "An exception occurred while "
              "iterating over the results of a query for context type 'Schade.Claims.ClaimsDbContext'.\r\n"
              "Microsoft.Data.SqlClient.SqlException (0x80131904): " + full, 10100)),
    ]  # fmt: skip
    return f


def worker_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "worker_leak",
        "claims-worker",
        "resource_exhaustion",
        "restart",
        "claims-worker",
        "ClaimsWorkerRestarting",
        "claims-worker 3.4.0, released yesterday, keeps every payout's PDF in a static cache; about a day later the "
        "process runs out of memory, the runtime kills it and the Service Control Manager restarts it; restart it on "
        "a schedule until 3.4.1 clears the cache",
    )
    f.changes.append(change(at - 26 * 60 * M, "claims-worker", "deploy", "version", "3.3.2", "3.4.0", rng,
                            "azure-devops"))  # fmt: skip
    f.effects += [
        Effect("claims-worker", "memory_utilization", at - 40 * M, 0.97, relative=False, ramp=35 * M),
        Effect("claims-worker", "error_ratio", at, 0.2, relative=False),
    ]
    oom = (".NET Runtime|1026|Application: Schade.Claims.Worker.exe\r\nCoreCLR Version: 8.0.824.36612\r\n.NET Version: "
           "8.0.8\r\nDescription: The process was terminated due to an unhandled exception.\r\nException Info: "
           "System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.\r\n   at "
           "Schade.Claims.Worker.PayoutPdf.Render(Claim claim)\r\n")  # fmt: skip
    f.bursts += [
        Burst("claims-worker", at, 0.5, "error", oom),
        Burst("claims-worker", at, 0.5, "error", "Service Control Manager|7031|The Schade Claims Worker service "
              "terminated unexpectedly.  It has done this {k} time(s).  The following corrective action will be taken "
              "in 60000 milliseconds: Restart the service."),
        Burst("claims-worker", at - 20 * M, 3, "warn", _core("Schade.Claims.Worker.PayoutJob", "Payout batch {n} slow: "
              "GC pause {n}{k}0 ms, working set {k}.{n} GB")),
    ]  # fmt: skip
    return f


def adfs_rollover(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "adfs_rollover",
        "portal-web",
        "expired_credential",
        "restart",
        "portal-web",
        "PortalSignInFailures",
        "AD FS's AutoCertificateRollover promoted the new token-signing certificate; the portal reads the federation "
        "metadata (and the signing keys in it) once at start, so every token signed with the new key fails "
        "validation; restart the portal to read the metadata again",
    )
    f.changes.append(change(at - 2 * M, "adfs", "certificate", "token-signing primary", "thumbprint 4F1A…C2",
                            "thumbprint 9B07…E1", rng, "AD FS AutoCertificateRollover"))  # fmt: skip
    f.effects += [Effect("portal-web", "error_ratio", at, 0.5, relative=False)]
    f.bursts += [
        Burst("portal-web", at, 14, "error", _core("Microsoft.AspNetCore.Authentication.WsFederation."
              "WsFederationHandler", "Exception occurred while processing message.\r\nMicrosoft.IdentityModel.Tokens."
              "SecurityTokenSignatureKeyNotFoundException: IDX10501: Signature validation failed. Unable to match "
              "key: \r\nkid: '9B07E1{hex}'.", 4)),
        Burst("adfs", at - 2 * M, 1, "info", "AD FS|385|AD FS detected that one or more certificates in the AD FS "
              "configuration database need to be updated manually because they are expired, or will expire soon.",
              minutes=3),
    ]  # fmt: skip
    return f


def postcode_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "postcode_timeouts",
        "postcode-api",
        "dependency_failure",
        "escalate",
        "claims-api",
        "ClaimsApiSlow",
        "the postcode lookup the claims API calls for every address answers after 10 s or not at all; nothing of "
        "ours changed; escalate to the provider (and let claims through without the lookup)",
    )
    f.effects += [
        Effect("claims-api", "latency_p99", at, 40.0, ramp=M),
        Effect("claims-api", "error_ratio", at, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("claims-api", at, 10, "error", _core("Schade.Claims.PostcodeClient", "Address check for claim {n}{k}88 "
              "failed: System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured "
              "HttpClient.Timeout of 10 seconds elapsing.\r\n ---> System.TimeoutException: The operation was "
              "canceled.")),
    ]  # fmt: skip
    f.failing_calls.append(("claims-api", "postcode-api"))
    return f


def month_end_payouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "month_end_payouts",
        "claims-db",
        "no_incident",
        "none",
        "claims-db",
        "SqlCpuHigh",
        "the month-end payout run started at its scheduled hour; SQL Server's processors are busy with its queries "
        "and the worker's batches, and every request is answered; no incident",
    )
    f.effects += [
        Effect("claims-db", "cpu_utilization", at, 0.86, relative=False, ramp=2 * M),
        Effect("claims-worker", "cpu_utilization", at, 0.7, relative=False, ramp=2 * M),
        Effect("claims-api", "latency_p99", at, 1.3, ramp=2 * M),
    ]
    f.bursts += [
        Burst("claims-worker", at, 6, "info", _core("Schade.Claims.Worker.PayoutJob", "Month-end payout batch "
              "{n}{k} of 412 paid ({k}{n} claims)"), minutes=30),
    ]  # fmt: skip
    return f


FAULTS = [pool_identity_expired, tls_hardening_gpo, tempdb_full, worker_leak, adfs_rollover, postcode_timeouts,
          month_end_payouts]  # fmt: skip
