"""World 81's faults, from mobile-money, messaging, connection-pooler, batch-job, credential and surge incidents,
in this estate's words: a Terraform run re-registering Daraja's confirmation URL at the staging host, so no payment
reaches the company and nothing errors (roll it back); Africa's Talking answering in thirty seconds, the SMS queue
filling RabbitMQ to its memory alarm and the broker blocking payments' publishes (the provider's; escalate);
PgBouncer switched to session pooling, every client holding a server connection and the rest timing out (roll it
back); the credit-engine's release committing the accrual job in one transaction, locking every loan while it
runs (roll it back); RabbitMQ's password rotated, the sms-gateway's pods still holding the old one once their
connections drop (restart them); the month's-end salary day outgrowing payments at its replica ceiling (scale it);
and a training day for the field agents (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

H = timedelta(hours=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Flux records its reconciliations of the platform repository."""
    path = f"apps/mwangaza/{svc}/helmrelease.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:12],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -12 +12 @@\n-    {key}: {old}\n+    {key}: {new}\n",
    }


def confirmation_url_moved(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "confirmation_url_moved",
        "mpesa-callbacks",
        "recent_change",
        "rollback",
        "payments",
        "PaymentsRecordedLow",
        "a Terraform run meant for staging re-registered the C2B confirmation URL with Daraja at the staging "
        "host; Safaricom stops calling production, no payment is recorded and customers' lamps lock, yet nothing "
        "errors; roll the registration back",
    )
    url = "https://{h}.mwangaza.co.ke/mpesa/c2b/confirmation"
    f.changes.append(change(at - 2 * M, "mpesa-callbacks", "config", "daraja.c2b.confirmationURL",
                            url.format(h="pay"), url.format(h="pay-staging"), rng, "terraform-cloud"))  # fmt: skip
    f.effects += [
        Effect("mpesa-callbacks", "request_rate", at, 0.02, ramp=2 * M),
        Effect("payments", "request_rate", at, 0.45, ramp=2 * M),
        Effect("ingress", "request_rate", at, 0.7, ramp=2 * M),
    ]
    f.bursts += [
        Burst("unlock-tokens", at + 6 * M, 3, "info", "no payment for device SHS-{n}{k}{k}0 within grace, lock "
              "scheduled", minutes=40),
    ]  # fmt: skip
    return f


def sms_provider_slow(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(14, 20) * M
    f = Fault(
        "sms_provider_slow",
        "africastalking",
        "dependency_failure",
        "escalate",
        "payments",
        "PaymentsLatencyHigh",
        "Africa's Talking's SMS API answers in thirty seconds; sms-gateway's consumers wait on it, the token-SMS "
        "queue grows until RabbitMQ reaches its memory high watermark and blocks every publishing connection, and "
        "payments' requests hang on their publish; the provider's, escalate to it (and drain the queue)",
    )
    f.effects += [
        Effect("sms-gateway", "latency_p99", at, 30.0, relative=False),
        Effect("sms-gateway", "error_ratio", at, 0.4, relative=False),
        Effect("rabbitmq", "memory_utilization", at, 0.41, relative=False, ramp=9 * M),
        Effect("payments", "latency_p99", at + 9 * M, 10.0, relative=False),
        Effect("payments", "error_ratio", at + 10 * M, 0.3, relative=False),
        Effect("mpesa-callbacks", "error_ratio", at + 10 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("sms-gateway", at, 10, "warn", "send to +2547{k}{n}{k}{n}{k}{n}1 timed out after 30000 ms, requeued "
              "(POST https://api.africastalking.com/version1/messaging)"),
        Burst("rabbitmq", at + 9 * M, 0.5, "warn", "{ymd} {hms}.{ms}000+00:00 [warning] <0.{n}{k}1.0> memory resource "
              "limit alarm set on node 'rabbit@rabbitmq-0.rabbitmq-nodes.mwangaza'.", minutes=20),
        Burst("rabbitmq", at + 9 * M, 0.5, "warn", "{ymd} {hms}.{ms}000+00:00 [warning] <0.{n}{k}1.0> Publishers will "
              "be blocked until this alarm clears", minutes=20),
        Burst("payments", at + 10 * M, 8, "error", "publish payment.recorded failed: connection blocked by broker "
              "(low on memory)|exc|*errors.errorString|context deadline exceeded"),
    ]  # fmt: skip
    f.failing_calls.append(("sms-gateway", "africastalking"))
    return f


def pool_mode_session(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "pool_mode_session",
        "pgbouncer",
        "recent_change",
        "rollback",
        "agent-api",
        "AgentApiErrors",
        "PgBouncer's pool_mode was switched from transaction to session to let credit-engine use prepared "
        "statements; every client now holds one of the twenty server connections for its whole session and the "
        "rest wait until query_wait_timeout; roll it back",
    )
    f.changes.append(change(at - 3 * M, "pgbouncer", "config", "pool_mode", "transaction", "session", rng,
                            "wanjiru.k"))  # fmt: skip
    f.effects += [
        Effect("agent-api", "error_ratio", at, 0.35, relative=False),
        Effect("agent-api", "latency_p99", at, 25.0, relative=False),
        Effect("payments", "error_ratio", at + M, 0.25, relative=False),
        Effect("unlock-tokens", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("pgbouncer", at, 6, "warn", "{ymd} {hms}.{ms} UTC [1] LOG C-0x55d5c8a0{k}{n}c0: mwangaza/app@10.42.{k}"
              ".{n}:4{n}{k}2 closing because: query_wait_timeout (age=120s)"),
        Burst("pgbouncer", at, 2, "warn", "{ymd} {hms}.{ms} UTC [1] WARNING C-0x55d5c8a0{k}{n}c0: mwangaza/app@10.42."
              "{k}.{n}:4{n}{k}2 pooler error: query_wait_timeout"),
        Burst("agent-api", at, 8, "error", "Failed to load customer 07{k}{n}{k}{n}1 for agent KE-{k}{n}3|exc|org."
              "springframework.jdbc.CannotGetJdbcConnectionException|Failed to obtain JDBC Connection; nested "
              "exception is org.postgresql.util.PSQLException: ERROR: query_wait_timeout"),
        Burst("payments", at + M, 5, "error", "post payment failed: ERROR: query_wait_timeout (SQLSTATE 08P01)"),
    ]  # fmt: skip
    return f


def accrual_one_transaction(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "accrual_one_transaction",
        "credit-engine",
        "recent_change",
        "rollback",
        "payments",
        "PaymentsErrors",
        "credit-engine's release of the evening before runs the accrual job in one transaction instead of "
        "committing every 500 loans; from the moment the job starts it holds a lock on every loan and payments' "
        "balance updates time out on the lock; roll credit-engine back (and cancel the run)",
    )
    f.changes.append(change(t - 9 * H, "credit-engine", "deploy", "image.tag", "2.13.4", "2.14.0", rng, "flux",
                            code="--- a/credit/accrual.py\n+++ b/credit/accrual.py\n@@ -41,6 +41,4 @@\n-    for "
                            "batch in chunked(loans, 500):\n-        with session.begin():\n+    with session.begin():"
                            "\n+        for batch in chunked(loans, 500):\n"))  # fmt: skip
    f.effects += [
        Effect("credit-engine", "cpu_utilization", at, 0.7, relative=False),
        Effect("payments", "error_ratio", at + M, 0.4, relative=False),
        Effect("payments", "latency_p99", at + M, 5.0, relative=False),
        Effect("mpesa-callbacks", "error_ratio", at + 2 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("credit-engine", at, 0.2, "info", "accrual run started: {n}{k}881 loans"),
        Burst("postgres", at + M, 4, "warn", "process {n}{k}1 still waiting for ShareLock on transaction 889{k}{n}1 "
              "after 1000.{n}{k}3 ms"),
        Burst("postgres", at + M, 3, "error", "canceling statement due to lock timeout"),
        Burst("payments", at + M, 6, "error", "post payment failed: ERROR: canceling statement due to lock timeout "
              "(SQLSTATE 55P03)"),
    ]  # fmt: skip
    return f


def rotated_broker_password(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "rotated_broker_password",
        "sms-gateway",
        "expired_credential",
        "restart",
        "rabbitmq",
        "TokenSmsQueueBacklog",
        "the external-secrets operator rotated RabbitMQ's application password; the broker took the new one at "
        "once, sms-gateway's pods kept the old one in their environment and, once their connections dropped, "
        "cannot log in again; restart sms-gateway to read the new secret",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - 6 * M, "rabbitmq", "secret", "auth.password", "<rotated>", "<rotated>", rng,
                            "external-secrets"))  # fmt: skip
    f.effects += [
        Effect("sms-gateway", "request_rate", at, 0.05, ramp=M),
        Effect("sms-gateway", "restarts", at + M, 1, relative=False),
        Effect("rabbitmq", "memory_utilization", at, 0.37, relative=False, ramp=10 * M),
    ]
    f.bursts += [
        Burst("sms-gateway", at, 4, "error", "amqp connect failed, retrying in 5s|exc|Error|Handshake terminated by "
              "server: 403 (ACCESS-REFUSED) with message \"ACCESS_REFUSED - Login was refused using authentication "
              "mechanism PLAIN. For details see the broker logfile.\""),
        Burst("rabbitmq", at, 4, "error", "{ymd} {hms}.{ms}000+00:00 [error] <0.{n}{k}1.0> PLAIN login refused: user "
              "'sms-gateway' - invalid credentials"),
    ]  # fmt: skip
    return f


def salary_day_surge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 15) * M
    f = Fault(
        "salary_day_surge",
        "payments",
        "capacity",
        "scale",
        "payments",
        "PaymentsLatencyHigh",
        "the month's end: salaries land and customers pay their arrears at once, four times payments' usual "
        "requests; its pods are at the autoscaler's ceiling of eight, CPU-bound, and requests time out; raise the "
        "ceiling",
    )
    f.effects += [
        Effect("payments", "request_rate", at, 4.0, ramp=8 * M),
        Effect("mpesa-callbacks", "request_rate", at, 4.0, ramp=8 * M),
        Effect("ingress", "request_rate", at, 2.5, ramp=8 * M),
        Effect("payments", "cpu_utilization", at + 5 * M, 0.99, relative=False, ramp=3 * M),
        Effect("payments", "latency_p99", at + 6 * M, 8.0, relative=False, ramp=2 * M),
        Effect("payments", "error_ratio", at + 7 * M, 0.08, relative=False),
        Effect("mpesa-callbacks", "error_ratio", at + 8 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 40, "info", "payment posted account=07{k}{n}{k}{n}1 amount_kes={k}{n}0 "
              "balance_days={k}", minutes=60),
        Burst("payments", at + 7 * M, 3, "error", "post payment failed: context deadline exceeded"),
    ]  # fmt: skip
    return f


def agent_training_day(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "agent_training_day",
        "agent-api",
        "no_incident",
        "none",
        "agent-api",
        "AgentApiCPUHigh",
        "four hundred field agents practise sales in the app at the quarterly training day; agent-api serves "
        "three times its usual requests with its CPU high and the autoscaler adding pods; nothing fails (no "
        "incident)",
    )
    f.changes.append(change(at + 3 * M, "agent-api", "scale", "replicas", "4", "8", rng,
                            "horizontal-pod-autoscaler"))  # fmt: skip
    f.effects += [
        Effect("agent-api", "request_rate", at, 3.0, ramp=6 * M, until=at + 55 * M),
        Effect("ingress", "request_rate", at, 2.0, ramp=6 * M, until=at + 55 * M),
        Effect("agent-api", "cpu_utilization", at, 0.86, relative=False, ramp=6 * M, until=at + 55 * M),
        Effect("agent-api", "latency_p99", at, 1.3, ramp=6 * M, until=at + 55 * M),
    ]
    f.bursts += [
        Burst("agent-api", at, 25, "info", "Sale {n}{k}07 recorded for agent KE-TRAIN-{k}{n}", minutes=50),
    ]
    return f


FAULTS = [confirmation_url_moved, sms_provider_slow, pool_mode_session, accrual_one_transaction,
          rotated_broker_password, salary_day_surge, agent_training_day]  # fmt: skip
