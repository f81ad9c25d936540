"""World 82's faults, from load-balancer, cache, identity, sidecar, demand and maintenance incidents, in this
estate's words: the pass-api's BackendConfig timeout cut from sixty seconds to five, the load balancer answering
every pass export 502 while the api logs nothing wrong (roll it back); Memorystore's eviction policy set to
noeviction, a cache that always sits full refusing every write (roll it back); Terraform removing the pricing
service account's Workload Identity binding, price tables unreadable (roll it back); the Cloud SQL Auth Proxy
sidecar bumped to v2, whose flags differ, so the api cannot reach its database (roll it back); a powder day's crowd
at the gates outgrowing the scan-processor (scale it); the early-bird sale served (no incident); and Cloud SQL's
maintenance failover, a minute of refused connections the services rode out (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M

H = timedelta(hours=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Config Sync records its syncs of the platform repository (Terraform's applies too)."""
    path = f"clusters/peaks-prod/{svc}/kustomization.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:12],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def backend_timeout_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "backend_timeout_cut",
        "pass-api",
        "recent_change",
        "rollback",
        "lb",
        "LoadBalancer5xxHigh",
        "the pass-api's BackendConfig timeoutSec was cut from 60 to 5 to shed slow clients; the load balancer now "
        "answers every season-pass export (twenty seconds of work) 502 backend_timeout while the api finishes "
        "and logs the client gone; roll the BackendConfig back",
    )
    f.changes.append(change(at - 3 * M, "pass-api", "config", "backendConfig.timeoutSec", "60", "5", rng,
                            "config-sync"))  # fmt: skip
    f.effects += [Effect("lb", "error_ratio", at, 0.06, relative=False)]
    f.bursts += [
        Burst("lb", at, 6, "error", "GET /api/v2/passes/export 502"),
        Burst("pass-api", at + 20 * timedelta(seconds=1), 6, "warn", "method=GET | path=/api/v2/passes/export | "
              "format=csv | controller=ExportsController | action=show | status=200 | duration=2{k}{n}1.{k}2 | "
              "client_gone=true"),
    ]  # fmt: skip
    return f


def redis_noeviction(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "redis_noeviction",
        "redis",
        "recent_change",
        "rollback",
        "pass-api",
        "PassApiErrors",
        "a Terraform change set Memorystore's maxmemory-policy from allkeys-lru to noeviction; a cache always sits "
        "at its maxmemory, so from that moment every write is refused and the api fails every session write; roll "
        "the policy back",
    )
    f.changes.append(change(at - 2 * M, "redis", "config", "redisConfigs.maxmemory-policy", "allkeys-lru",
                            "noeviction", rng, "terraform"))  # fmt: skip
    f.effects += [
        Effect("redis", "memory_utilization", t - 30 * H, 0.99, relative=False, ramp=M),
        Effect("pass-api", "error_ratio", at, 0.45, relative=False),
        Effect("pricing", "error_ratio", at + M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("pass-api", at, 12, "error", "method=POST | path=/api/v2/sessions | status=500 | duration={k}.{n}|exc|"
              "Redis::CommandError|OOM command not allowed when used memory > 'maxmemory'."),
    ]  # fmt: skip
    return f


def identity_binding_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "identity_binding_removed",
        "pricing",
        "permission_denied",
        "rollback",
        "pass-api",
        "PassApiErrors",
        "a Terraform clean-up removed the roles/iam.workloadIdentityUser binding of pricing's Kubernetes service "
        "account; pricing can no longer get a token to read its price tables from Cloud Storage and answers 503; "
        "restore the binding",
        also_accept=["recent_change"],
    )
    sa = f"pricing@{'coast-peaks-prod'}.iam.gserviceaccount.com"
    f.changes.append(change(at - 4 * M, "pricing", "iam", "workloadIdentityUser", f"serviceAccount:{sa}", "(none)",
                            rng, "terraform"))  # fmt: skip
    f.effects += [
        Effect("pricing", "error_ratio", at, 0.9, relative=False),
        Effect("pass-api", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("pricing", at, 10, "error", "{hms}.{ms} [error] price table refresh failed: %GoogleApi.Gax.Error{code: "
              "403, message: \"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not "
              "exist).\"}"),
        Burst("pass-api", at + M, 8, "error", "method=GET | path=/api/v2/passes/quote | status=502 | duration={k}{n}."
              "{k}|exc|Faraday::ServerError|the server responded with status 503 (pricing)"),
    ]  # fmt: skip
    f.failing_calls.append(("pass-api", "pricing"))
    return f


def proxy_v2_flags(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "proxy_v2_flags",
        "pass-api",
        "recent_change",
        "rollback",
        "pass-api",
        "PassApiErrors",
        "the pass-api release moved its Cloud SQL Auth Proxy sidecar to v2, which takes the instance as an "
        "argument and no longer knows -instances; the sidecar exits at start, the api's connections to "
        "127.0.0.1:5432 are refused; roll the release back",
    )
    f.changes.append(change(at - 2 * M, "pass-api", "deploy", "cloudSqlProxy.image", "gce-proxy:1.33.16",
                            "cloud-sql-proxy:2.8.0", rng, "config-sync"))  # fmt: skip
    f.effects += [
        Effect("pass-api", "error_ratio", at, 0.7, relative=False),
        Effect("pass-api", "restarts", at + M, 2, relative=False),
        Effect("lb", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("pass-api", at, 2, "error", "[cloud-sql-proxy] Error: unknown flag: --instances"),
        Burst("pass-api", at, 12, "error", "method=GET | path=/api/v2/passes/{n}{k}7 | status=500 | duration={k}.{n}"
              "|exc|PG::ConnectionBad|connection to server at \"127.0.0.1\", port 5432 failed: Connection refused"),
    ]  # fmt: skip
    f.events.append(KEvent("pass-api", "BackOff", "Back-off restarting failed container cloud-sql-proxy in pod "
                           "pass-api", at + M))  # fmt: skip
    return f


def powder_day(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 16) * M
    f = Fault(
        "powder_day",
        "scan-processor",
        "capacity",
        "scale",
        "scan-processor",
        "GateScansDelayed",
        "forty centimetres overnight: the gates scan five times their usual passes at opening; the scan-processor "
        "is CPU-bound at its replica ceiling and scans wait in Pub/Sub, gates letting skiers through late; scale it",
    )
    f.effects += [
        Effect("scan-processor", "request_rate", at, 5.0, ramp=6 * M),
        Effect("scan-processor", "cpu_utilization", at + 4 * M, 0.99, relative=False, ramp=2 * M),
        Effect("scan-processor", "latency_p99", at + 5 * M, 6.0, relative=False, ramp=2 * M),
        Effect("scan-processor", "error_ratio", at + 6 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("scan-processor", at, 60, "info", "msg=scan accepted | gate=G{k} | pass=P{n}{k}{k}21 | lift=chair-{k}",
              minutes=60),
        Burst("scan-processor", at + 5 * M, 3, "warn", "msg=scan handled late | gate=G{k} | waited_ms=4{k}{n}0"),
        Burst("scan-processor", at + 6 * M, 2, "error", "msg=scan failed | gate=G{k}|exc|context.deadlineExceededError"
              "|context deadline exceeded"),
    ]  # fmt: skip
    return f


def early_bird_sale(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "early_bird_sale",
        "pass-api",
        "no_incident",
        "none",
        "pass-api",
        "PassApiCPUHigh",
        "the early-bird season pass went on sale at noon; the api serves three times its usual requests with its "
        "CPU high and the autoscaler adding pods; nothing fails (no incident)",
    )
    f.changes.append(change(at + 3 * M, "pass-api", "scale", "replicas", "6", "12", rng,
                            "horizontal-pod-autoscaler"))  # fmt: skip
    f.effects += [
        Effect("pass-api", "request_rate", at, 3.0, ramp=6 * M, until=at + 55 * M),
        Effect("lb", "request_rate", at, 2.5, ramp=6 * M, until=at + 55 * M),
        Effect("checkout", "request_rate", at, 4.0, ramp=6 * M, until=at + 55 * M),
        Effect("pass-api", "cpu_utilization", at, 0.85, relative=False, ramp=6 * M, until=at + 55 * M),
        Effect("pass-api", "latency_p99", at, 1.3, ramp=6 * M, until=at + 55 * M),
    ]
    f.bursts += [
        Burst("pass-api", at, 30, "info", "method=GET | path=/api/v2/passes/{n}{k}7 | format=json | controller="
              "PassesController | action=show | status=200 | duration={k}{n}.{k}1", minutes=50),
    ]  # fmt: skip
    return f


def sql_maintenance(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "sql_maintenance",
        "cloudsql",
        "no_incident",
        "none",
        "pass-api",
        "PassApiErrors",
        "Cloud SQL's scheduled maintenance failed the instance over within its window; for a minute every service's "
        "connections were refused, then they reconnected and nothing has failed since (no incident)",
    )
    blip = at + 90 * timedelta(seconds=1)
    for svc, ratio in (("pass-api", 0.5), ("checkout", 0.4), ("ledger", 0.4), ("scan-processor", 0.3)):
        f.effects.append(Effect(svc, "error_ratio", at, ratio, relative=False, ramp=timedelta(seconds=30),
                                until=blip))  # fmt: skip
    f.bursts += [
        Burst("cloudsql", at - M, 1, "info", "{ymd} {hms}.{ms} UTC [1]: [7-1] db=,user= LOG:  received fast shutdown "
              "request", minutes=1),
        Burst("cloudsql", at + M, 1, "info", "{ymd} {hms}.{ms} UTC [1]: [8-1] db=,user= LOG:  database system is "
              "ready to accept connections", minutes=1),
        Burst("pass-api", at, 30, "error", "method=GET | path=/api/v2/passes/{n}{k}7 | status=500 | duration={k}.{n}"
              "|exc|PG::ConnectionBad|PQconsumeInput() server closed the connection unexpectedly", minutes=1),
        Burst("checkout", at, 6, "error", "event=charge failed | cart_id=c{n}{k}41|exc|django.db.utils."
              "OperationalError|server closed the connection unexpectedly", minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [backend_timeout_cut, redis_noeviction, identity_binding_removed, proxy_v2_flags, powder_day,
          early_bird_sale, sql_maintenance]  # fmt: skip
