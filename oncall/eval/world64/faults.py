"""World 64's faults, from Mosquitto, PostgreSQL, Yandex Cloud IAM, cert-manager, Go and payment-provider
incidents, in this estate's words: the broker's max_connections cut to a staging value, so most bikes cannot
connect and unlocks time out (roll back); the payments service account losing its Object Storage role in a
Terraform change, so receipts cannot be written and payments fail (roll back); the rebalancer's Celery
concurrency raised from 2 to 24 by a change, each worker holding its own connections, until Managed PostgreSQL
refuses the rides API's (roll back); the broker's certificate expired after cert-manager's DNS-01 renewals
failed for weeks (renew it); Kaspi Pay answering 503 for every charge (escalate); a goroutine leak shipped two
days ago growing the unlock service's memory until its pods are OOMKilled (restart, then fix); and the Almaty
marathon closing the city centre, rides down by three quarters with nothing failing (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the platform's GitLab pipeline records it: a Helm release upgraded, or a Terraform apply."""
    path = f"deploy/{svc}/values-prod.yaml" if kind != "iam" else "terraform/iam/service_accounts.tf"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"gitlab.velo.kz/platform/deploy!{rng.randint(300, 999)} pipeline {rng.randint(40000, 49999)}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def broker_max_connections(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "broker_max_connections",
        "mosquitto",
        "recent_change",
        "rollback",
        "rides-api",
        "RideStartFailures",
        "a values change copied mosquitto.conf from staging, max_connections 2000 where 20000 bikes connect; as "
        "bikes reconnect after the rollout only the first 2000 get in, the rest are refused and their unlock "
        "commands time out; roll the broker's change back",
    )
    f.changes.append(change(at - 2 * M, "mosquitto", "config", "max_connections", "20000", "2000", rng,
                            "d.abenov"))  # fmt: skip
    f.effects += [
        Effect("unlock", "error_ratio", at, 0.8, relative=False),
        Effect("unlock", "latency_p99", at, 30.0),
        Effect("rides-api", "error_ratio", at + 1 * M, 0.5, relative=False),
        Effect("edge", "error_ratio", at + 1 * M, 0.2, relative=False),
        Effect("mosquitto", "restarts", at - 2 * M, 1.0, relative=False, ramp=1 * M),
    ]
    f.bursts += [
        Burst("mosquitto", at, 40, "warn", "{epoch}: Client connection from 10.113.{n}.14 denied: max_connections "
              "exceeded."),
        Burst("unlock", at, 25, "error", 'time={iso} level=ERROR msg="unlock failed" bike=B-{n}07 '
              'err="publish to bikes/B-{n}07/cmd: no ack within 8s: client not connected"'),
        Burst("rides-api", at + 1 * M, 20, "error", "{local} ERROR 1 --- [rides-api] [nio-8080-exec-{n}] "
              "kz.velo.rides.RideController             : не удалось разблокировать велосипед B-{n}07: unlock "
              "returned 504 GATEWAY_TIMEOUT"),
    ]  # fmt: skip
    return f


def receipts_role_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "receipts_role_removed",
        "payments",
        "permission_denied",
        "rollback",
        "payments",
        "PaymentErrorRateHigh",
        "a Terraform change tidying service accounts removed storage.uploader from sa-payments; writing the "
        "fiscal receipt to Object Storage is refused with AccessDenied and the payment is rolled back; restore "
        "the binding",
        also_accept=["recent_change"],
    )
    tf = (
        "--- a/terraform/iam/service_accounts.tf\n+++ b/terraform/iam/service_accounts.tf\n"
        '@@ -31,6 +31,0 @@ resource "yandex_resourcemanager_folder_iam_member" "payments_storage" {\n'
        '-  folder_id = var.folder_id\n-  role      = "storage.uploader"\n'
        '-  member    = "serviceAccount:${yandex_iam_service_account.payments.id}"\n'
    )
    f.changes.append(change(at - 1 * M, "payments", "iam", "role", "storage.uploader", "(removed)", rng,
                            "terraform-ci", tf))  # fmt: skip
    f.effects += [
        Effect("payments", "error_ratio", at, 0.9, relative=False),
        Effect("rides-api", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 20, "error", "{local_py} ERROR payments.receipts: receipt upload failed "
              "order=P26{n}88: botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
              "PutObject operation: Access Denied"),
        Burst("payments", at, 20, "info", 'INFO:     10.112.1.{n}:4{n}12 - "POST /v1/payments HTTP/1.1" 500 '
              "Internal Server Error"),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "object-storage"))
    return f


def rebalancer_concurrency(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "rebalancer_concurrency",
        "rebalancer",
        "recent_change",
        "rollback",
        "rides-api",
        "RideApiErrors",
        "a change raised the rebalancer's Celery concurrency from 2 to 24 to plan the evening faster; each worker "
        "opens its own pool of 10 connections, and Managed PostgreSQL's 200 are used up: the rides API is refused "
        "new ones; roll the concurrency back",
    )
    f.changes.append(change(at - 3 * M, "rebalancer", "config", "celery.concurrency", "2", "24", rng,
                            "a.tulegenova"))  # fmt: skip
    f.effects += [
        Effect("rebalancer", "cpu_utilization", at - 2 * M, 0.9, relative=False, ramp=2 * M),
        Effect("rides-api", "error_ratio", at, 0.35, relative=False),
        Effect("rides-api", "latency_p99", at, 4.0),
        Effect("edge", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("rebalancer", at - 2 * M, 30, "info", "[{local_py}: INFO/ForkPoolWorker-{n}] Task rebalance.plan"
              "[7c1e{n}a2-4b5d-4e6f-8a9b-0c1d2e3f4a{n}] succeeded in 0.{n}s: None"),
        Burst("rides-api", at, 22, "error", "{local} ERROR 1 --- [rides-api] [nio-8080-exec-{n}] "
              "o.h.engine.jdbc.spi.SqlExceptionHelper   : FATAL: remaining connection slots are reserved for "
              "roles with the SUPERUSER attribute"),
    ]  # fmt: skip
    return f


def broker_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "broker_cert_expired",
        "mosquitto",
        "expired_credential",
        "config_change",
        "unlock",
        "UnlockErrorRateHigh",
        "cert-manager could not renew mqtt.velo.kz for three weeks (its DNS-01 solver's token was revoked) and "
        "the certificate expired; the unlock service's TLS connection to the broker fails, as do the bikes'; "
        "issue the certificate (fix the solver's token)",
    )
    f.effects += [
        Effect("unlock", "error_ratio", at, 0.95, relative=False),
        Effect("rides-api", "error_ratio", at + 1 * M, 0.6, relative=False),
    ]
    f.bursts += [
        Burst("unlock", at, 20, "error", 'time={iso} level=ERROR msg="mqtt connect failed" '
              'broker=mqtts://mosquitto:8883 err="tls: failed to verify certificate: x509: certificate has expired '
              'or is not yet valid: current time {iso} is after 2026-01-01T00:00:00Z"'),
        Burst("mosquitto", at, 30, "warn", "{epoch}: OpenSSL Error[0]: error:0A000416:SSL routines::sslv3 alert "
              "certificate unknown"),
    ]  # fmt: skip
    return f


def kaspi_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "kaspi_outage",
        "kaspi-pay",
        "dependency_failure",
        "escalate",
        "payments",
        "PaymentErrorRateHigh",
        "Kaspi Pay's API answers 503 Service Unavailable for every charge (their incident); nothing of ours "
        "changed; escalate to Kaspi and show riders the card option",
    )
    f.effects += [
        Effect("payments", "error_ratio", at, 0.85, relative=False),
        Effect("payments", "latency_p99", at, 3.0),
    ]
    f.bursts += [
        Burst("payments", at, 18, "error", "{local_py} ERROR payments.kaspi: charge failed order=P26{n}88: "
              "httpx.HTTPStatusError: Server error '503 Service Unavailable' for url "
              "'https://api.kaspi.kz/pay/v2/payments'"),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "kaspi-pay"))
    return f


def unlock_goroutine_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "unlock_goroutine_leak",
        "unlock",
        "resource_exhaustion",
        "restart",
        "unlock",
        "UnlockPodsRestarting",
        "4.6.1, deployed two days ago, starts a goroutine per unlock that waits forever on a lost ack; memory "
        "climbs for hours until the pods are OOMKilled one by one, unlocks failing while they restart; restart "
        "them to buy time and ship the fix",
    )
    f.effects += [
        Effect("unlock", "memory_utilization", t - timedelta(hours=7), 0.99, relative=False,
               ramp=timedelta(hours=7) - 8 * M),
        Effect("unlock", "restarts", at, 3.0, relative=False, ramp=2 * M),
        Effect("unlock", "error_ratio", at, 0.2, relative=False),
        Effect("rides-api", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]  # fmt: skip
    f.bursts += [
        Burst("unlock", at, 4, "error", "fatal error: runtime: out of memory"),
        Burst("unlock", t - 90 * M, 2, "warn", 'time={iso} level=WARN msg="ack waiters growing" waiters=1{n}400',
              minutes=100),
    ]  # fmt: skip
    f.events.append(KEvent("unlock", "BackOff", "Back-off restarting failed container unlock", at,
                           terminated="OOMKilled"))  # fmt: skip
    return f


def marathon_closure(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(15, 25) * M
    f = Fault(
        "marathon_closure",
        "rides-api",
        "no_incident",
        "none",
        "rides-api",
        "RideStartsLow",
        "the Almaty marathon closes the centre's streets and stations for the morning (announced a month ago): "
        "ride starts fall by three quarters; nothing fails or slows; no incident",
    )
    f.effects += [
        Effect("rides-api", "request_rate", at, 0.25, ramp=10 * M),
        Effect("edge", "request_rate", at, 0.4, ramp=10 * M),
        Effect("unlock", "request_rate", at, 0.25, ramp=10 * M),
        Effect("payments", "request_rate", at + 5 * M, 0.3, ramp=10 * M),
    ]
    f.bursts += [
        Burst("rides-api", at, 1, "info", "{local}  INFO 1 --- [rides-api] [scheduling-1] kz.velo.rides.Stations   "
              "                : станции ST-{n} закрыты по расписанию (event=marathon), docking disabled",
              minutes=30),
    ]  # fmt: skip
    return f


FAULTS = [broker_max_connections, receipts_role_removed, rebalancer_concurrency, broker_cert_expired, kaspi_outage,
          unlock_goroutine_leak, marathon_closure]  # fmt: skip
