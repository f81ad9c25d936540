"""World 42's faults, from micromobility operators' and AWS users' postmortems, in this estate's words: a
Terraform change dropping payments' permission to decrypt card tokens with KMS; a rider API release retrying
unanswered unlocks at once and forever, flooding the fleet gateway (the gateway alarms, its caller is the
cause); the city's open-data parking zones published with latitude and longitude swapped (an upstream data
error: every ride end is refused); the trips database's password rotated by Secrets Manager while pricing's
running tasks keep the old one; a sunny Saturday's real load on the fleet gateway; the rides table switched
from on-demand to provisioned capacity in a cost review, so the morning peak is throttled (the change is on
the table, its users break); and a routine rolling deploy whose draining tasks trip the load balancer's
unhealthy-host alarm (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"ecs/{svc}/main.tf"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} = {old}",
        "to": f"{key} = {new}",
        "author": who,
        "ref": f"run-{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -14 +14 @@\n-  {key} = {old}\n+  {key} = {new}\n",
    }


def kms_grant_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "kms_grant_removed",
        "payments",
        "recent_change",
        "rollback",
        "rider-api",
        "scootly-prod-rider-api-alb-5xx",
        "a Terraform change tidying IAM dropped the statement letting payments' task role decrypt card tokens "
        "with KMS; every charge fails and riders cannot end their rides",
    )
    path = "iam/payments.tf"
    f.changes.append({
        "ts": at - 6 * M,
        "service": "payments",
        "kind": "iam",
        "from": 'statement { actions = ["kms:Decrypt"], resources = [aws_kms_key.card_tokens.arn] }',
        "to": "(statement removed)",
        "author": "terraform-cloud",
        "ref": f"run-{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n"
        '@@ -18,10 +18,6 @@ data "aws_iam_policy_document" "payments_task" {\n'
        "   statement {\n     actions   = [\"secretsmanager:GetSecretValue\"]\n"
        "     resources = [aws_secretsmanager_secret.psp.arn]\n   }\n-  statement {\n"
        "-    actions   = [\"kms:Decrypt\"]\n-    resources = [aws_kms_key.card_tokens.arn]\n-  }\n }\n",
    })  # fmt: skip
    f.effects += [
        Effect("payments", "error_ratio", at, 0.9, relative=False),
        Effect("rider-api", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    denied = (
        "software.amazon.awssdk.services.kms.model.KmsException: User: arn:aws:sts::724559211803:assumed-role/"
        "payments-task/8f2e0b9c41d24a6b is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:"
        "eu-west-1:724559211803:key/5b1e7c2a-90d4-4f1e-a1c3-6e2f9b8d0a11 because no identity-based policy allows "
        "the kms:Decrypt action (Service: Kms, Status Code: 400, Request ID: 6c0c2f1e-8a5b-4e0d-9b7a-3f1d2c4e5a6b)"
    )
    f.bursts += [
        Burst("payments", at, 20, "error", f"Could not decrypt the card token for rider 88213\n{denied}\n\tat "
              "software.amazon.awssdk.core.internal.http.CombinedResponseHandler.handleErrorResponse("
              "CombinedResponseHandler.java:125)\n\tat com.scootly.payments.CardTokenVault.decrypt("
              "CardTokenVault.java:58)"),
        Burst("payments", at, 20, "info", "ACCESS 500 POST /v1/charges 41"),
        Burst("rider-api", at + 1 * M, 10, "error", "ride end failed for RD-88213 | HTTPError: payments answered "
              "500 Internal Server Error for POST /v1/charges"),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "kms"))
    return f


def unlock_retry_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "unlock_retry_storm",
        "rider-api",
        "recent_change",
        "rollback",
        "fleet-gateway",
        "scootly-prod-fleet-gateway-cpu-high",
        "a rider API release retries an unlock the scooter has not acknowledged at once and without limit; the "
        "fleet gateway receives six times its calls, its CPU is taken and its command queue fills",
    )
    f.changes.append(change(at - 5 * M, "rider-api", "deploy", "image", '"rider-api:2026.05.3"',
                            '"rider-api:2026.05.4"', rng, "github-actions"))  # fmt: skip
    f.effects += [
        Effect("fleet-gateway", "request_rate", at, 6.0, ramp=3 * M),
        Effect("fleet-gateway", "cpu_utilization", at + 1 * M, 97.0, relative=False),
        Effect("fleet-gateway", "latency_p99", at + 1 * M, 8.0),
        Effect("fleet-gateway", "error_ratio", at + 2 * M, 0.2, relative=False),
        Effect("rider-api", "latency_p99", at + 2 * M, 3.0),
        Effect("rider-api", "error_ratio", at + 2 * M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("rider-api", at, 60, "warn", "unlock not acknowledged by SC-31207 after 800ms; retrying now "
              "(attempt 9)"),
        Burst("fleet-gateway", at + 2 * M, 15, "error", "command queue full (4096 pending); rejecting unlock for "
              "SC-50981"),
    ]  # fmt: skip
    return f


def zones_feed_swapped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "zones_feed_swapped",
        "city-zones",
        "dependency_failure",
        "escalate",
        "rider-api",
        "scootly-prod-ride-end-failures",
        "the city's open-data portal published the parking zones with latitude and longitude swapped; the zones "
        "service loads it and every parking check fails, so no ride can end",
    )
    f.effects += [
        Effect("zones", "error_ratio", at, 0.7, relative=False),
        Effect("rider-api", "error_ratio", at + 1 * M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("zones", at - 1 * M, 1, "info", "loaded parking zones feed version 2026-05-02T04:00:00Z from "
              "https://opendata.city.example/api/parking-zones.geojson (212 zones)", minutes=1),
        Burst("zones", at, 25, "error", "parking check failed for RD-88213: ValueError: zone berlin-mitte vertex 0 "
              "has latitude 13.3777, outside the city's bounds 52.33..52.68"),
        Burst("rider-api", at + 1 * M, 12, "error", "ride end failed for RD-88213 | HTTPError: zones answered 500 "
              "Internal Server Error for POST /v1/zones/check"),
    ]  # fmt: skip
    return f


def db_password_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "db_password_rotated",
        "pricing",
        "expired_credential",
        "restart",
        "pricing",
        "scootly-prod-pricing-errors",
        "Secrets Manager's scheduled rotation changed the trips database's password for pricing; its running "
        "tasks read the secret at start and keep the old one, so each connection the pool renews is refused",
    )
    f.changes.append({
        "ts": at - 20 * M,
        "service": "pricing",
        "kind": "secret_rotation",
        "from": "AWSCURRENT = version 41",
        "to": "AWSCURRENT = version 42",
        "author": "secretsmanager-rotation",
        "ref": f"rds!cluster-{rng.getrandbits(32):08x}",
        "diff": "",
    })  # fmt: skip
    f.effects += [
        Effect("pricing", "error_ratio", at, 0.55, relative=False, ramp=6 * M),
        Effect("rider-api", "error_ratio", at + 1 * M, 0.1, relative=False, ramp=6 * M),
    ]
    refused = (
        'psycopg.OperationalError: connection failed: connection to server at "10.0.21.45", port 5432 failed: '
        'FATAL:  password authentication failed for user "pricing"'
    )
    f.bursts += [
        Burst("pricing", at, 18, "error", f"could not open a connection to trips-db: {refused}"),
        Burst("rider-api", at + 1 * M, 6, "error", "quote failed for RD-88213 | HTTPError: pricing answered 500 "
              "Internal Server Error for GET /v1/quote"),
    ]  # fmt: skip
    f.failing_calls.append(("pricing", "trips-db"))
    return f


def sunny_saturday(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "sunny_saturday",
        "fleet-gateway",
        "capacity",
        "scale",
        "fleet-gateway",
        "scootly-prod-fleet-gateway-cpu-high",
        "the first warm Saturday of spring: rides tripled within the hour and the fleet gateway's tasks are at "
        "their CPU limit, unlocks slowing; every call is a rider's",
    )
    f.effects += [
        Effect("rider-api", "request_rate", at - 4 * M, 3.0, ramp=5 * M),
        Effect("fleet-gateway", "request_rate", at - 4 * M, 3.0, ramp=5 * M),
        Effect("pricing", "request_rate", at - 4 * M, 2.5, ramp=5 * M),
        Effect("zones", "request_rate", at - 4 * M, 2.5, ramp=5 * M),
        Effect("fleet-gateway", "cpu_utilization", at, 96.0, relative=False),
        Effect("fleet-gateway", "latency_p99", at, 5.0),
        Effect("fleet-gateway", "error_ratio", at + 1 * M, 0.04, relative=False),
        Effect("rider-api", "latency_p99", at + 1 * M, 2.0),
    ]
    f.bursts.append(Burst("fleet-gateway", at, 10, "warn", "unlock for SC-31207 took 2.8s (command queue 900 "
                          "pending)"))  # fmt: skip
    return f


def rides_table_provisioned(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "rides_table_provisioned",
        "rides-table",
        "recent_change",
        "rollback",
        "rider-api",
        "scootly-prod-rider-api-alb-latency",
        "a cost review switched the rides table from on-demand to 400 provisioned read units; the morning peak "
        "needs more, and the rider API's and pricing's reads are throttled",
    )
    f.changes.append(change(at - 15 * M, "rides-table", "config", "billing_mode", '"PAY_PER_REQUEST"',
                            '"PROVISIONED" # read_capacity = 400', rng, "terraform-cloud"))  # fmt: skip
    f.effects += [
        Effect("rider-api", "latency_p99", at, 6.0),
        Effect("rider-api", "error_ratio", at + 1 * M, 0.1, relative=False),
        Effect("pricing", "latency_p99", at, 4.0),
        Effect("pricing", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]
    throttled = (
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
        "provisioning level with the UpdateTable API."
    )
    f.bursts += [
        Burst("rider-api", at, 20, "error", f"loading ride RD-88213 failed | ProvisionedThroughputExceededException: "
              f"{throttled}"),
        Burst("pricing", at, 8, "error", "quote failed for zone berlin-mitte: botocore.errorfactory."
              "ProvisionedThroughputExceededException: An error occurred (ProvisionedThroughputExceededException) "
              f"when calling the GetItem operation (reached max retries: 3): {throttled}"),
    ]  # fmt: skip
    f.failing_calls += [("rider-api", "rides-table"), ("pricing", "rides-table")]
    return f


def rolling_deploy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "rolling_deploy",
        "rider-api",
        "no_incident",
        "none",
        "rider-api",
        "scootly-prod-rider-api-unhealthy-hosts",
        "a routine rider API deploy replaced its tasks; the old ones failed health checks while draining and "
        "the load balancer's unhealthy-host alarm fired, but every request was served (no incident)",
    )
    f.changes.append(change(at - 2 * M, "rider-api", "deploy", "image", '"rider-api:2026.05.6"',
                            '"rider-api:2026.05.7"', rng, "github-actions"))  # fmt: skip
    f.effects.append(Effect("rider-api", "latency_p99", at - 1 * M, 1.3, until=at + 5 * M))
    f.bursts += [
        Burst("rider-api", at - 1 * M, 3, "info", "received SIGTERM; draining 12 open connections", minutes=5),
        Burst("rider-api", at - 1 * M, 3, "info", "server listening on 0.0.0.0:8080 (release 2026.05.7)",
              minutes=5),
    ]  # fmt: skip
    return f


FAULTS = [kms_grant_removed, unlock_retry_storm, zones_feed_swapped, db_password_rotated, sunny_saturday,
          rides_table_provisioned, rolling_deploy]  # fmt: skip
