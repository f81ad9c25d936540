"""World 97's faults, from network, release, permission, provider, memory and load incidents at a transit-ticketing
company, in its engineers' words: the network team's firewall change on the shared VPC cut the Serverless VPC
connector off from Cloud SQL (the database is healthy; theirs, escalate); a journeys release set its VPC connector's
egress to all traffic and every call to the open vehicle-positions API now goes into a VPC with no NAT (roll it
back); a security clean-up took the Secret Manager accessor role from App Engine's service account and every new
topup instance fails at warm-up (give the role back); Carris Metropolitana's API is down (theirs: escalate); the
fare matrix for the new year's zones outgrew fares' F1 instances (a larger instance class); and the first working
day of the month's pass renewals (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

APP_YAML = "{svc}/app.yaml"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Cloud Build trigger records it: the deploy it ran, with app.yaml's diff if any."""
    if not code:
        code = f"gcloud app deploy {APP_YAML.format(svc=svc)} --version={new} --promote --quiet  # serving was {old}\n"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"build {rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}",
        diff=code,
    )


def sql_path_blocked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 11) * M
    f = Fault(
        "sql_path_blocked",
        "tejo-mysql",
        "network",
        "escalate",
        "topup",
        "GAEHighErrorRatio",
        "the network team's Terraform replaced the shared VPC's firewall rules and dropped the one letting the "
        "Serverless VPC Access connector's range (10.8.0.0/28) reach the private services range Cloud SQL sits in; "
        "every new connection from App Engine to tejo-mysql times out while the instance itself is healthy; the "
        "network team's: escalate",
    )
    f.effects += [
        Effect("topup", "error_ratio", at, 0.6, relative=False),
        Effect("topup", "latency_p99", at, 12.0),
        Effect("fares", "error_ratio", at, 0.5, relative=False),
        Effect("default", "error_ratio", at + M, 0.3, relative=False),
        Effect("tejo-mysql", "pool_utilization", at, 0.02, relative=False),
    ]
    f.bursts += [
        Burst("topup", at, 6, "error", "com.passetejo.topup.db.Pool getConnection: com.mysql.cj.jdbc.exceptions."
              "CommunicationsException: Communications link failure The last packet sent successfully to the "
              "server was 0 milliseconds ago. The driver has not received any packets from the server. Caused by: "
              "java.net.SocketTimeoutException: connect timed out"),
        Burst("fares", at, 5, "error", "[{ts}] ERROR in pricing: quote failed for zone {k}: (pymysql.err."
              "OperationalError) (2003, \"Can't connect to MySQL server on '10.71.0.3' (timed out)\")"),
        Burst("default", at + M, 4, "error", "upstream topup answered 500 for POST /api/topups"),
        Burst("tejo-mysql", at, 3, "info", "[Note] [MY-010914] [Server] Aborted connection {n}{k} to db: 'tejo' user: "
              "'topup' host: '10.8.0.{k}' (Got timeout reading communication packets).", minutes=2),
    ]  # fmt: skip
    f.failing_calls += [("topup", "tejo-mysql"), ("fares", "tejo-mysql")]
    return f


def journeys_egress_all_traffic(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "journeys_egress_all_traffic",
        "journeys",
        "recent_change",
        "rollback",
        "journeys",
        "GAEHighLatencyP99",
        "a journeys release set its VPC connector's egress_setting to all-traffic (to reach a partner over the VPN); "
        "calls to Carris Metropolitana's public API now leave through the VPC, which has no Cloud NAT, and time out; "
        "plans are built on stale positions and then fail; route traffic back to the previous version",
    )
    diff = (
        "--- a/journeys/app.yaml\n+++ b/journeys/app.yaml\n vpc_access_connector:\n"
        "   name: projects/passe-tejo-prod/locations/europe-west1/connectors/tejo-conn\n"
        "-  egress_setting: private-ranges-only\n+  egress_setting: all-traffic\n"
    )
    f.changes.append(change(at - 3 * M, "journeys", "deploy", "version", "20281230t152201", "20290107t091204", rng,
                            "cloud-build", diff))  # fmt: skip
    f.effects += [
        Effect("journeys", "latency_p99", at, 14.0),
        Effect("journeys", "error_ratio", at + 2 * M, 0.4, relative=False),
        Effect("default", "latency_p99", at, 4.0),
        Effect("default", "error_ratio", at + 2 * M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("journeys", at, 6, "error", "vehicle positions refresh failed|Get \"https://api.carrismetropolitana.pt"
              "/vehicles\": dial tcp 104.21.{k}.{n}:443: i/o timeout"),
        Burst("journeys", at + M, 4, "warn", "plan built on stale vehicle positions (age {k}{n}0s)"),
        Burst("journeys", at + 2 * M, 8, "error", "access|GET /v1/plan 500 passe-tejo-default"),
        Burst("default", at + 2 * M, 3, "error", "upstream journeys timed out for GET /api/plan"),
    ]  # fmt: skip
    f.failing_calls.append(("journeys", "gtfs"))
    return f


def secret_accessor_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "secret_accessor_removed",
        "topup",
        "permission_denied",
        "config_change",
        "topup",
        "GAEHighErrorRatio",
        "the security team's clean-up of unused grants took roles/secretmanager.secretAccessor on sibs-client-key "
        "from App Engine's default service account; instances already running keep the key, but every new topup "
        "instance fails its warm-up reading it and answers 500; grant the role back",
    )
    f.effects += [
        Effect("topup", "error_ratio", at, 0.35, relative=False),
        Effect("default", "error_ratio", at + M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("topup", at, 3, "error", "req|GET /_ah/warmup 500|com.passetejo.topup.SecretsConfig load: com.google."
              "api.gax.rpc.PermissionDeniedException: io.grpc.StatusRuntimeException: PERMISSION_DENIED: Permission "
              "'secretmanager.versions.access' denied for resource 'projects/passe-tejo-prod/secrets/sibs-client-key/"
              "versions/latest' (or it may not exist)."),
        Burst("topup", at, 6, "error", "com.passetejo.topup.TopUpServlet doPost: MB WAY purchase not sent: SIBS "
              "client key not loaded"),
        Burst("default", at + M, 3, "error", "upstream topup answered 500 for POST /api/topups"),
    ]  # fmt: skip
    return f


def gtfs_api_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "gtfs_api_down",
        "gtfs",
        "dependency_failure",
        "escalate",
        "journeys",
        "GAEHighErrorRatio",
        "Carris Metropolitana's open API is down behind its CDN (503 to every call); journeys can only plan on "
        "timetables, and live plans fail; theirs: escalate (and say so on the status page)",
    )
    f.effects += [
        Effect("journeys", "error_ratio", at, 0.3, relative=False),
        Effect("default", "error_ratio", at + M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("journeys", at, 6, "error", "vehicle positions refresh failed|unexpected status 503 Service "
              "Unavailable from https://api.carrismetropolitana.pt/vehicles (cf-ray 8f{k}{n}a1c2)"),
        Burst("journeys", at + M, 4, "warn", "plan built on stale vehicle positions (age {k}{n}0s)"),
        Burst("journeys", at + M, 5, "error", "access|GET /v1/plan 500 passe-tejo-default"),
    ]  # fmt: skip
    f.failing_calls.append(("journeys", "gtfs"))
    return f


def fares_memory_limit(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "fares_memory_limit",
        "fares",
        "resource_exhaustion",
        "scale",
        "default",
        "GAEHighErrorRatio",
        "the fare matrix with the new year's metropolitan zones is loaded by every fares instance and no longer fits "
        "in an F1's 256 MiB; App Engine kills each instance after a few requests and the requests it was serving "
        "fail; move fares to F2 (instance_class in app.yaml)",
    )
    f.effects += [
        Effect("fares", "memory_utilization", t - 90 * M, 0.99, relative=False, ramp=80 * M),
        Effect("fares", "restarts", at, 6.0, relative=False),
        Effect("fares", "error_ratio", at, 0.25, relative=False),
        Effect("default", "error_ratio", at + M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("fares", at, 4, "error", "req|GET /v1/quote 500|Exceeded hard memory limit of 256 MiB with 2{k}{n} MiB "
              "after servicing {n}{k} requests total. Consider setting a larger instance class in app.yaml."),
        Burst("fares", at, 4, "info", "[{ts}] [1{k}] [INFO] Booting worker with pid: 1{n}{k}"),
        Burst("default", at + M, 3, "error", "upstream fares answered 500 for GET /api/fares/quote"),
    ]  # fmt: skip
    return f


def pass_renewal_day(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "pass_renewal_day",
        "topup",
        "no_incident",
        "none",
        "topup",
        "GAEHighLatencyP99",
        "the first working day of the month: monthly passes are renewed at five times an ordinary morning's rate; "
        "topup's latency crossed its alert until App Engine's automatic scaling had started enough instances; "
        "every top-up was authorised (no incident)",
    )
    f.effects += [
        Effect("topup", "request_rate", at, 5.0),
        Effect("tejo-mysql", "pool_utilization", at, 0.62, relative=False),
        Effect("topup", "latency_p99", at, 2.4, until=at + 12 * M),
        Effect("topup", "cpu_utilization", at, 0.8, relative=False, until=at + 12 * M),
    ]
    f.bursts += [
        Burst("topup", at, 30, "info", "com.passetejo.topup.TopUpServlet doPost: monthly pass {card} renewed on card "
              "04{n}{k}{n}{k}, authorised by MB WAY"),
    ]  # fmt: skip
    return f


FAULTS = [sql_path_blocked, journeys_egress_all_traffic, secret_accessor_removed, gtfs_api_down, fares_memory_limit,
          pass_renewal_day]  # fmt: skip
