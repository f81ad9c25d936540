"""World 16's faults, from public postmortems of shapes no earlier world has: a search cluster moved to
new addresses while one client's JVM caches the old one forever (it keeps timing out connecting; the
other client follows); a marketing push that pins a service at its autoscaler's maximum; a canary pod
of a release that fails on its share of requests; a batch job's concurrency raised until the cloud
storage API throttles the whole project, another service included; a geocoding provider's API key
that expired (nothing changed); and a probe alert from one region whose own network failed (no
incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"deploy/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(32):08x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def stale_dns_cache(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "stale_dns_cache",
        "catalog-api",
        "network",
        "restart",
        "catalog-api",
        "HighErrorRate",
        "search-index moved to a new node pool and new addresses; catalog-api's JVM caches DNS forever "
        "(networkaddress.cache.ttl=-1) and keeps connecting to the old address; recs follows the new one",
        also_accept=["dependency_failure"],
    )
    f.changes.append(change(at - 2 * M, "search-index", "infra", "loadBalancerIP", "10.4.3.17", "10.4.9.40", rng,
                            "platform"))  # fmt: skip
    f.effects += [
        Effect("catalog-api", "error_ratio", at, 0.5, relative=False),
        Effect("catalog-api", "latency_p99", at, 12.0),
        Effect("ingress", "error_ratio", at + M, 0.18, relative=False),
    ]
    f.bursts += [
        Burst("catalog-api", at, 25, "error", "search failed: org.apache.http.conn.ConnectTimeoutException: Connect "
              "to search-index:9200 [search-index/10.4.3.17] failed: connect timed out"),
        Burst("ingress", at + M, 10, "info", '"GET /v2/parcels/search?q=berlin HTTP/1.1" 503 UT 0 91 10000 - "-" '
              '"okhttp/4.12.0" "7c1e" "catalog-api" "10.4.11.19:8080"'),
        Burst("search-index", at - 2 * M, 1, "info", "publish_address {10.4.9.40:9300}, bound_addresses "
              "{0.0.0.0:9300}", minutes=2),
    ]  # fmt: skip
    return f


def autoscaler_at_max(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "autoscaler_at_max",
        "rates",
        "capacity",
        "scale",
        "ingress",
        "HighLatency",
        "a marketing push tripled quote requests; rates' autoscaler reached its maximum of 12 replicas and its "
        "pods run at full CPU",
    )
    f.effects += [
        Effect("ingress", "request_rate", at - 3 * M, 2.2, ramp=6 * M),
        Effect("rates", "request_rate", at - 3 * M, 3.0, ramp=6 * M),
        Effect("checkout", "request_rate", at - 3 * M, 2.0, ramp=6 * M),
        Effect("rates", "cpu_utilization", at, 0.97, relative=False),
        Effect("rates", "latency_p99", at, 7.0),
        Effect("ingress", "latency_p99", at + M, 3.0),
        Effect("checkout", "latency_p99", at + M, 3.5),
    ]
    f.bursts.append(Burst("rates", at, 3, "warn", "event loop lag 840ms above threshold 200ms"))
    return f


def canary_fails(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "canary_fails",
        "checkout",
        "recent_change",
        "rollback",
        "ingress",
        "HighErrorRate",
        "checkout's canary (one pod of four) runs a release that throws on parcels with no declared value; a "
        "quarter of checkout's requests fail",
    )
    f.changes.append(change(at - 3 * M, "checkout", "deploy", "image.tag", "2026.41.2", "2026.42.0-canary", rng,
                            "argo-rollouts"))  # fmt: skip
    f.effects += [
        Effect("checkout", "error_ratio", at, 0.24, relative=False),
        Effect("ingress", "error_ratio", at + M, 0.05, relative=False),
    ]
    npe = ('Checkout failed: java.lang.NullPointerException: Cannot invoke "java.math.BigDecimal.multiply('
           'java.math.BigDecimal)" because "declared" is null')  # fmt: skip
    f.bursts.append(Burst("checkout", at, 8, "error", npe))
    return f


def storage_quota_taken(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "storage_quota_taken",
        "thumbnailer",
        "recent_change",
        "rollback",
        "uploads",
        "HighErrorRate",
        "thumbnailer's concurrency went from 4 to 48; its writes took the project's request rate on the storage "
        "API, which now throttles uploads too",
        also_accept=["capacity"],
    )
    f.changes.append(change(at - 2 * M, "thumbnailer", "config", "concurrency", "4", "48", rng, "media-team"))
    f.effects += [
        Effect("thumbnailer", "request_rate", at - M, 9.0, ramp=2 * M),
        Effect("thumbnailer", "error_ratio", at, 0.3, relative=False),
        Effect("uploads", "error_ratio", at, 0.35, relative=False),
        Effect("ingress", "error_ratio", at + M, 0.06, relative=False),
    ]
    quota = ("googleapi: Error 429: The rate of change requests to the bucket is too high, please slow down, "
             "rateLimitExceeded")  # fmt: skip
    f.bursts += [
        Burst("uploads", at, 15, "error", f"store object failed: {quota}"),
        Burst("thumbnailer", at, 30, "warn", f"write thumbnail, retrying: {quota}"),
    ]
    return f


def provider_key_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "provider_key_expired",
        "address-svc",
        "expired_credential",
        "config_change",
        "checkout",
        "HighErrorRate",
        "the geocoding provider's API key that address-svc uses expired at midnight in the provider's zone; "
        "every geocode is refused and checkout cannot validate addresses",
        also_accept=["permission_denied"],
    )
    f.effects += [
        Effect("address-svc", "error_ratio", at, 0.8, relative=False),
        Effect("checkout", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("address-svc", at, 20, "error", "Internal Server Error: /v1/address/normalize "
              "requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: "
              'https://geo.example.com/v1/geocode?key=REDACTED body={"error":"API key expired. Renew it in the '
              'console."}'),
        Burst("checkout", at + M, 10, "error", "address validation failed: address-svc responded 500"),
    ]  # fmt: skip
    return f


def probe_region_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    return Fault(
        "probe_region_down",
        "ingress",
        "no_incident",
        "none",
        "ingress",
        "EndpointDown",
        "the blackbox exporter in one region lost its own network; users and the other regions' probes reach "
        "the ingress as usual",
    )


FAULTS = [stale_dns_cache, autoscaler_at_max, canary_fails, storage_quota_taken, provider_key_expired,
          probe_region_down]  # fmt: skip
