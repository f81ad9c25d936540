"""World 80's faults, from payment-provider, schema, mail-provider, disk, cache and campaign incidents, in this
estate's words: checkout's release asking Stripe for every line item's price, Stripe rate-limiting it (roll it
back); catalog-sync's release publishing the catalogue as JSON where the indexer reads Avro, the indexer failing
every record (roll it back); SendGrid's API key revoked in a leaked-key sweep (a new key); the api's log level
set to DEBUG the evening before, its pods' disk full now (roll it back); the lessons cache's TTL set to exactly an
hour with no jitter, every key expiring at once each hour and PostgreSQL swamped on the hour (roll it back); and a
marketing e-mail sending a crowd to the app (no incident)."""

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
    """A change as the team's Argo CD records its syncs of the deploy repository."""
    path = f"deploy/lingo/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:12],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def stripe_rate_limited(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "stripe_rate_limited",
        "checkout",
        "recent_change",
        "rollback",
        "checkout",
        "CheckoutErrors",
        "checkout's release looks up every line item's price in Stripe instead of the cached price list, a dozen "
        "calls per purchase; Stripe rate-limits the account (429) and purchases fail; roll checkout back",
    )
    f.changes.append(change(at - 3 * M, "checkout", "deploy", "image.tag", "4.8.0", "4.9.0", rng, "argocd"))
    f.effects += [
        Effect("checkout", "error_ratio", at, 0.5, relative=False),
        Effect("checkout", "latency_p99", at, 6.0),
        Effect("api", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("checkout", at, 12, "error", "purchase failed for {order}|=|purchase failed for order {n}{k}77|exc|"
              "stripe.error.RateLimitError|Request rate limit exceeded. You can make up to 100 requests per second "
              "in live mode. (Request req_{hex})"),
    ]  # fmt: skip
    f.failing_calls.append(("checkout", "stripe"))
    return f


def avro_to_json(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "avro_to_json",
        "catalog-sync",
        "recent_change",
        "rollback",
        "search-indexer",
        "SearchIndexerFailing",
        "catalog-sync's release publishes course records as plain JSON where the indexer's consumer reads the "
        "registry's Avro; every new record fails to deserialise and the search index goes stale; roll catalog-sync "
        "back",
    )
    f.changes.append(change(at - 4 * M, "catalog-sync", "deploy", "image.tag", "4.2.1", "4.3.0", rng, "argocd"))
    f.effects += [Effect("search-indexer", "error_ratio", at, 0.95, relative=False)]
    f.bursts += [
        Burst("search-indexer", at, 15, "error", "could not index record at {offset}|=|could not index record at "
              "courses-{k}@{n}{k}331|exc|confluent_kafka.error.ValueDeserializationError|KafkaError{code=_VALUE_"
              "DESERIALIZATION,val=-159,str=\"Unexpected magic byte 123. This message was not produced with a "
              "Confluent Schema Registry serializer\"}"),
    ]  # fmt: skip
    return f


def sendgrid_key_revoked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "sendgrid_key_revoked",
        "notifier",
        "expired_credential",
        "config_change",
        "notifier",
        "NotifierErrors",
        "SendGrid revoked the notifier's API key after GitHub's secret scanning found it in a public gist; every "
        "mail is refused 401; issue a new key and set it",
    )
    f.effects += [Effect("notifier", "error_ratio", at, 0.95, relative=False)]
    f.bursts += [
        Burst("notifier", at, 10, "error", "mail to {user} failed|=|mail to user {n}{k}{k}41 failed|exc|python_http_"
              "client.exceptions.UnauthorizedError|HTTP Error 401: Unauthorized: The provided authorization grant is "
              "invalid, expired, or revoked"),
    ]  # fmt: skip
    f.failing_calls.append(("notifier", "sendgrid"))
    return f


def debug_logs_disk(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "debug_logs_disk",
        "api",
        "recent_change",
        "rollback",
        "api",
        "ApiErrors",
        "the api's log level was set to DEBUG the evening before to chase a bug and never set back; its request "
        "logs to a file on the pods' volume filled it through the night, and now every write fails; roll the "
        "level back (and clear the files)",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(t - 13 * H, "api", "config", "LOG_LEVEL", "INFO", "DEBUG", rng, "joana.m"))
    f.effects += [
        Effect("api", "disk_utilization", t - 8 * H, 1.0, relative=False, ramp=8 * H - 9 * M),
        Effect("api", "error_ratio", at, 0.6, relative=False),
        Effect("web", "error_ratio", at + M, 0.3, relative=False),
        Effect("api", "restarts", at + 2 * M, 2, relative=False),
    ]
    f.bursts += [
        Burst("api", at, 20, "error", "request failed|=|request failed: POST /v2/progress|exc|OSError|[Errno 28] No "
              "space left on device: '/var/log/lingo/api-debug.log'"),
    ]  # fmt: skip
    f.events.append(KEvent("api", "Evicted", "The node was low on resource: ephemeral-storage. Container api was "
                           "using 9Gi, which exceeds its request of 2Gi.", at + 2 * M))  # fmt: skip
    return f


def cache_expiry_herd(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 7) * M
    f = Fault(
        "cache_expiry_herd",
        "lessons",
        "recent_change",
        "rollback",
        "lessons",
        "LessonsLatencyHigh",
        "the lessons service's cache TTL was set to exactly an hour with its jitter removed; every cached lesson "
        "expires at the same second each hour, every request misses at once and PostgreSQL is swamped on the "
        "hour, worse each hour as traffic grows; roll the TTL change back",
    )
    f.changes.append(change(at - 3 * H + M, "lessons", "config", "cache.ttl", "3600s ± 10%", "3600s", rng,
                            "argocd"))  # fmt: skip
    for k in (2, 1, 0):  # the herd on each hour since the change, each hour worse
        f.effects += [
            Effect("postgres", "cpu_utilization", at - k * H, 0.97 - 0.1 * k, relative=False, ramp=M,
                   until=at - k * H + 12 * M),
            Effect("lessons", "latency_p99", at - k * H, 12.0 - 4 * k, ramp=M, until=at - k * H + 12 * M),
            Effect("lessons", "error_ratio", at - k * H, 0.2 - 0.07 * k, relative=False, ramp=M,
                   until=at - k * H + 12 * M),
        ]  # fmt: skip
        f.bursts += [
            Burst("lessons", at - k * H, 20 - 6 * k, "warn", "cache miss storm|=|cache miss for lesson {n}{k}7, "
                  "loading from database", minutes=10),
            Burst("lessons", at - k * H + M, 8 - 2 * k, "error", "lesson load failed|=|lesson {n}{k}7 load failed|"
                  "exc|sqlalchemy.exc.TimeoutError|QueuePool limit of size 20 overflow 10 reached, connection timed "
                  "out, timeout 30.00", minutes=10),
        ]  # fmt: skip
    return f


def campaign_crowd(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "campaign_crowd",
        "api",
        "no_incident",
        "none",
        "api",
        "ApiCPUHigh",
        "the spring campaign's e-mail went to two million learners; the api serves three times its usual requests "
        "with its CPU high and the autoscaler adding pods; nothing fails (no incident)",
    )
    f.changes.append(change(at + 2 * M, "api", "scale", "replicas", "6", "12", rng, "horizontal-pod-autoscaler"))
    f.effects += [
        Effect("api", "request_rate", at, 3.0, ramp=6 * M, until=at + 50 * M),
        Effect("web", "request_rate", at, 3.0, ramp=6 * M, until=at + 50 * M),
        Effect("ingress", "request_rate", at, 3.0, ramp=6 * M, until=at + 50 * M),
        Effect("lessons", "request_rate", at, 2.5, ramp=6 * M, until=at + 50 * M),
        Effect("api", "cpu_utilization", at, 0.85, relative=False, ramp=6 * M, until=at + 50 * M),
        Effect("api", "latency_p99", at, 1.3, ramp=6 * M, until=at + 50 * M),
    ]
    f.bursts += [
        Burst("api", at, 30, "info", "lesson {lesson_id} served to {user}|=|lesson {n}{k}7 served to user {n}{k}{k}41",
              minutes=45),
    ]  # fmt: skip
    return f


FAULTS = [stripe_rate_limited, avro_to_json, sendgrid_key_revoked, debug_logs_disk, cache_expiry_herd,
          campaign_crowd]  # fmt: skip
