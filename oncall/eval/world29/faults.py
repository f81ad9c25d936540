"""World 29's faults, from telecom operators' postmortems, in this estate's words: a rating release whose
consumer stops acknowledging (the message broker's address fills and mediation is blocked); the
self-care database account locked after its password was rotated under pods still holding the old one;
the SMS centre changing our bind password (Kannel's login refused); an API gateway rate limit typed a
zero short; a self-care release leaking database connections; the database's archive destination
filling (Oracle's archiver stuck: every session refused); and a planned Data Guard switchover whose
minute of errors raises the connection alert (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"overlays/prod/{svc}/kustomization.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"RFC-{rng.randint(10000, 99999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -12,1 +12,1 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def consumer_stalled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "consumer_stalled",
        "rater",
        "recent_change",
        "rollback",
        "mediation",
        "UsageMediationBacklog",
        "rater 6.4.0 no longer acknowledges usage records after a failed batch; the broker's usage.cdr "
        "address filled to its limit and blocks mediation's producers",
    )
    f.changes.append(change(at - rng.randint(3, 6) * M, "rater", "deploy", "newTag", "6.3.2", "6.4.0", rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("rater", "request_rate", at, 0.05),
        Effect("events", "memory_utilization", at, 1.0, relative=False, ramp=timedelta(minutes=4)),
        Effect("mediation", "error_ratio", at + 4 * M, 0.6, relative=False),
    ]
    f.bursts += [
        Burst("events", at + 4 * M, 4, "warn", "AMQ222183: Blocking message production on address 'usage.cdr'; "
              "size is currently: 2147483648 bytes; max-size-bytes on address: 2147483648, global-size is "
              "2147483648 of 4294967296"),
        Burst("mediation", at + 4 * M, 12, "error", "Send failed for CDR batch 88213\n"
              "org.springframework.jms.UncategorizedJmsException: Uncategorized exception occurred during JMS "
              "processing\nCaused by: javax.jms.JMSException: AMQ229102: Address \"usage.cdr\" is full. Message "
              "encode size = 812B"),
    ]  # fmt: skip
    return f


def db_account_locked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "db_account_locked",
        "selfcare",
        "expired_credential",
        "config_change",
        "selfcare",
        "SelfcareErrorsHigh",
        "the self-care database password was rotated, but pods started before the rotation kept the old "
        "one; their retries reached the profile's failed-login limit and Oracle locked the account for all",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - 20 * M, "selfcare", "secret", "BSS_DB_PASSWORD", "vault:v41", "vault:v42", rng,
                            "vault-rotator"))  # fmt: skip
    f.effects += [
        Effect("selfcare", "error_ratio", at, 0.92, relative=False),
        Effect("api-gw", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("selfcare", at - 12 * M, 2, "error", "HikariPool-1 - Connection is not available\njava.sql."
              "SQLException: ORA-01017: invalid username/password; logon denied", minutes=12),
        Burst("selfcare", at, 16, "error", "Request failed: GET /v2/balance\norg.springframework.jdbc."
              "CannotGetJdbcConnectionException: Failed to obtain JDBC Connection\nCaused by: java.sql."
              "SQLException: ORA-28000: The account is locked."),
    ]  # fmt: skip
    return f


def smsc_password_changed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "smsc_password_changed",
        "sms-gw",
        "expired_credential",
        "config_change",
        "sms-gw",
        "SmsQueueGrowing",
        "the SMS centre's operator changed our ESME's bind password in a maintenance window; Kannel's binds "
        "are refused and messages queue",
    )
    f.effects += [
        Effect("sms-gw", "error_ratio", at, 0.9, relative=False),
        Effect("sms-gw", "latency_p99", at, 20.0),
    ]
    f.bursts += [
        Burst("sms-gw", at, 6, "error", "SMPP[smsc1]: SMSC rejected login to transmit, code 0x0000000e "
              "(Invalid Password)."),
        Burst("sms-gw", at, 6, "error", "SMPP[smsc1]: Couldn't connect to SMS center (retrying in 10 seconds)."),
    ]  # fmt: skip
    f.failing_calls.append(("sms-gw", "smsc"))
    return f


def rate_limit_typo(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "rate_limit_typo",
        "api-gw",
        "recent_change",
        "rollback",
        "portal",
        "PortalErrorsHigh",
        "a change to the gateway's rate-limiting plugin meant to set 6000 requests a minute per consumer set "
        "600; the portal's users are refused with 429",
    )
    f.changes.append(change(at - 3 * M, "api-gw", "config", "rate-limiting.config.minute", "6000", "600", rng,
                            "api-team"))  # fmt: skip
    f.effects += [
        Effect("api-gw", "error_ratio", at, 0.45, relative=False),
        Effect("portal", "error_ratio", at + M, 0.4, relative=False),
        Effect("selfcare", "request_rate", at, 0.5),
    ]
    f.bursts += [
        Burst("api-gw", at, 80, "info", "GET /selfcare/v2/balance 429"),
        Burst("portal", at + M, 14, "error", "AxiosError: Request failed with status code 429\n    at settle "
              "(/app/node_modules/axios/dist/node/axios.cjs:1966:12)"),
    ]  # fmt: skip
    return f


def connection_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "connection_leak",
        "selfcare",
        "recent_change",
        "rollback",
        "api-gw",
        "SelfcareLatencyHigh",
        "selfcare 7.2.0 returns no connection to the pool when a tariff lookup fails; in 25 minutes the pool "
        "was empty and requests wait 30 s for one",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 25 * M, "selfcare", "deploy", "newTag", "7.1.9", "7.2.0", rng, "argocd"))
    f.effects += [
        Effect("selfcare", "latency_p99", at, 40.0),
        Effect("selfcare", "error_ratio", at + M, 0.3, relative=False),
        Effect("api-gw", "latency_p99", at + M, 10.0),
    ]
    f.bursts += [
        Burst("selfcare", at - 20 * M, 3, "warn", "Connection leak detection triggered for oracle.jdbc.driver."
              "T4CConnection@4f2a1c on thread http-nio-8080-exec-12, stack trace follows", minutes=20),
        Burst("selfcare", at, 12, "error", "HikariPool-1 - Connection is not available, request timed out after "
              "30000ms."),
    ]  # fmt: skip
    return f


def archiver_stuck(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "archiver_stuck",
        "bss-db",
        "resource_exhaustion",
        "scale",
        "selfcare",
        "SelfcareErrorsHigh",
        "the database's recovery area filled with archived logs after their backup job failed for two "
        "nights; the archiver stopped and Oracle refuses every session but SYSDBA",
    )
    f.effects += [
        Effect("bss-db", "disk_utilization", at - 180 * M, 1.0, relative=False, ramp=timedelta(minutes=180)),
        Effect("selfcare", "error_ratio", at, 0.95, relative=False),
        Effect("topup", "error_ratio", at, 0.9, relative=False),
        Effect("rater", "error_ratio", at + M, 0.7, relative=False),
    ]
    f.bursts += [
        Burst("bss-db", at, 2, "error", "ORA-19809: limit exceeded for recovery files\nORA-19804: cannot reclaim "
              "52428800 bytes disk space from 107374182400 limit\nARC1: Error 19809 Creating archive log file to "
              "'+FRA'"),
        Burst("selfcare", at, 14, "error", "Request failed: GET /v2/balance\njava.sql.SQLException: ORA-00257: "
              "Archiver error. Connect AS SYSDBA only until resolved."),
        Burst("topup", at, 6, "error", "Top-up 88213 failed\njava.sql.SQLException: ORA-00257: Archiver error. "
              "Connect AS SYSDBA only until resolved."),
    ]  # fmt: skip
    return f


def planned_switchover(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "planned_switchover",
        "selfcare",  # (an alert with no incident behind it is answered on the service alerted, as in every world)
        "no_incident",
        "none",
        "selfcare",
        "BssDbConnectionErrors",
        "the monthly Data Guard switchover ran as planned; sessions were cut for under a minute and the "
        "connection-error rule fired on that minute (no incident)",
    )
    f.effects.append(Effect("selfcare", "error_ratio", at, 0.2, relative=False, until=at + M))
    f.bursts += [
        Burst("bss-db", at, 1, "info", "Switchover to standby initiated: ALTER DATABASE SWITCHOVER TO bssdb_stby",
              minutes=1),
        Burst("bss-db", at + M, 1, "info", "Switchover complete. Database role is now PRIMARY", minutes=1),
        Burst("selfcare", at, 20, "error", "java.sql.SQLRecoverableException: ORA-03113: end-of-file on "
              "communication channel", minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [consumer_stalled, db_account_locked, smsc_password_changed, rate_limit_typo, connection_leak,
          archiver_stuck, planned_switchover]  # fmt: skip
