"""World 25's faults, from healthcare platforms' postmortems, the common families in this estate's
words: the FHIR server's connection pool cut in a config change (HikariCP times out); the integration
engine's message store filling its volume after its pruner was switched off; the portal's client
secret at the national identity provider expiring; an appointments release blocking on async calls
until ASP.NET's thread pool starves; the sessions Redis reaching its memory limit with no eviction
(logins fail); and cert-manager renewing the portal's certificate while the expiry warning fires
(no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"environments/prod/{svc}.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"CHG{rng.randint(100000, 999999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -21,1 +21,1 @@\n-  {key} {old}\n+  {key} {new}\n",
    }


def fhir_pool_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "fhir_pool_cut",
        "fhir",
        "recent_change",
        "rollback",
        "portal",
        "PortalLatencyHigh",
        "a config change meant for the test environment set the FHIR server's HikariCP maximum pool size "
        "from 40 to 4 in production; requests wait for a connection and time out",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 3 * M, "fhir", "config", "spring.datasource.hikari.maximum-pool-size:", "40",
                            "4", rng, "integration-team"))  # fmt: skip
    f.effects += [
        Effect("fhir", "latency_p99", at, 40.0),
        Effect("fhir", "error_ratio", at, 0.12, relative=False),
        Effect("portal", "latency_p99", at + M, 9.0),
        Effect("portal", "error_ratio", at + M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("fhir", at, 10, "error", "Failed to process request: org.springframework.jdbc.CannotGetJdbcConnection"
              "Exception: Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnection"
              "Exception: HikariPool-1 - Connection is not available, request timed out after 30000ms."),
        Burst("portal", at + M, 6, "error", "Upstream FHIR call failed: ReadTimeout(\"HTTPConnectionPool(host='fhir', "
              "port=8080): Read timed out. (read timeout=30)\")"),
    ]  # fmt: skip
    return f


def message_store_fills(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "message_store_fills",
        "integration",
        "resource_exhaustion",
        "config_change",
        "integration",
        "InterfaceQueueBacklog",
        "the integration engine's data pruner was switched off during an upgrade two days earlier; its "
        "message store filled the volume and every channel stopped accepting messages",
        also_accept=["recent_change"],
    )
    f.changes.append(change(t - rng.randint(2800, 2900) * M, "integration", "config", "pruner.enabled:", "true",
                            "false", rng, "integration-team"))  # fmt: skip
    f.effects += [
        Effect("integration", "disk_utilization", t - 2900 * M, 1.0, relative=False, ramp=timedelta(minutes=2890)),
        Effect("integration", "error_ratio", at, 0.97, relative=False),
        Effect("integration", "request_rate", at, 0.2),
    ]
    f.bursts += [
        Burst("integration", at, 12, "error", "Error processing message in channel ADT_IN: com.mirth.connect."
              "donkey.server.data.DonkeyDaoException: org.postgresql.util.PSQLException: could not write to file "
              '"base/16384/t3_88121": No space left on device'),
    ]  # fmt: skip
    return f


def idp_client_secret_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "idp_client_secret_expired",
        "portal",
        "expired_credential",
        "config_change",
        "portal",
        "PortalLoginFailures",
        "the portal's client secret registered with the national identity provider reached its two-year "
        "expiry; every login's token exchange is refused",
    )
    f.effects += [
        Effect("portal", "error_ratio", at, 0.29, relative=False),
        Effect("ingress", "error_ratio", at + M, 0.08, relative=False),
    ]
    f.bursts.append(Burst("portal", at, 14, "error", "Login callback failed: OAuthError: invalid_client: "
                          "AADSTS7000222: The provided client secret keys for app '5f1c9b2e-portal' are expired. "
                          "Visit the Azure portal to create new keys for your app."))  # fmt: skip
    f.failing_calls.append(("portal", "national-id"))
    return f


def thread_pool_starved(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "thread_pool_starved",
        "appointments",
        "recent_change",
        "rollback",
        "portal",
        "PortalLatencyHigh",
        "appointments 8.3.0 waits synchronously on an async call in every request (.Result); under the "
        "afternoon's load ASP.NET's thread pool starves and requests queue for seconds",
    )
    f.changes.append(change(at - 5 * M, "appointments", "deploy", "image.tag:", "8.2.6", "8.3.0", rng, "flux"))
    f.effects += [
        Effect("appointments", "latency_p99", at, 60.0),
        Effect("appointments", "cpu_utilization", at, 0.22, relative=False),
        Effect("portal", "latency_p99", at + M, 6.0),
    ]
    f.bursts += [
        Burst("appointments", at, 4, "warn", 'warn: Microsoft.AspNetCore.Server.Kestrel[22]\n      Heartbeat took '
              'longer than "00:00:01" at "03/09/2026 14:05:11 +01:00". This could be caused by thread pool '
              "starvation."),
        Burst("portal", at + M, 5, "warn", "Appointments slow: GET http://appointments/api/slots took 7.9s"),
    ]  # fmt: skip
    return f


def sessions_store_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "sessions_store_full",
        "sessions",
        "resource_exhaustion",
        "config_change",
        "portal",
        "PortalLoginFailures",
        "the sessions Redis reached its maxmemory with the noeviction policy; every new session write is "
        "refused and logins fail",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("sessions", "memory_utilization", at - 60 * M, 1.0, relative=False, ramp=timedelta(minutes=60)),
        Effect("portal", "error_ratio", at, 0.31, relative=False),
    ]
    f.bursts.append(Burst("portal", at, 14, "error", "Internal Server Error: /portal/login/ redis.exceptions."
                          "OutOfMemoryError: command not allowed when used memory > 'maxmemory'."))  # fmt: skip
    return f


def cert_renewal_warning(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 15) * M
    f = Fault(
        "cert_renewal_warning",
        "ingress",
        "no_incident",
        "none",
        "ingress",
        "CertificateExpiringSoon",
        "the portal's certificate is 20 days from expiry, which the warning rule alerts on; cert-manager "
        "renewed it minutes later as scheduled (no incident)",
    )
    f.bursts += [
        Burst("cert-manager", at, 1, "info", '"msg"="Renewing certificate as renewal was scheduled at '
              '2026-03-09 13:00:00 +0000 UTC" "key"="clinical/portal-tls"', minutes=1),
        Burst("cert-manager", at + 2 * M, 1, "info", '"msg"="Certificate issued" "key"="clinical/portal-tls" '
              '"serial"="0x4f2a"', minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [fhir_pool_cut, message_store_fills, idp_client_secret_expired, thread_pool_starved,
          sessions_store_full, cert_renewal_warning]  # fmt: skip
