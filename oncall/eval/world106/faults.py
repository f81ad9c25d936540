"""World 106's faults, from release, key, capacity, provider, storage, resolver and maintenance incidents at a
French-language e-learning platform, in its engineers' words: the API's release cuts its CouchDB connection pool from
32 to 4 and requests overflow its queue (roll it back); Hydra's signing keys rotated while the API keeps the key set
it fetched at start (restart the API); the first Monday of term with the transcoding workers all busy (more
workers); Mux's upload API failing (theirs: escalate); the Ceph cluster full and the gateway refusing writes (more
capacity); OpenResty's resolver pointed at a node-local DNS cache that is not deployed (roll it back); Typesense's
nightly re-index of the catalogue (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Flux records its reconciliations: the Kustomization, the Git revision, the values' diff."""
    if not code:
        path = f"apps/{svc}/release.yaml"
        code = f"--- a/{path}\n+++ b/{path}\n-      {key}: {old}\n+      {key}: {new}\n"
    ref = f"flux kustomization erable-{svc} main@sha1:{rng.getrandbits(160):040x}"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def api_pool_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "api_pool_cut",
        "api",
        "recent_change",
        "rollback",
        "web",
        "ErableWeb5xx",
        "the API's 4.12.0 moves its CouchDB client to a host connection pool of 4 (it was 32); requests wait for a "
        "connection, fill the pool's queue and are refused; roll the API back",
    )
    path = "apps/api/application.conf"
    diff = (
        f"--- a/{path}\n+++ b/{path}\n pekko.http.host-connection-pool {{\n-  max-connections = 32\n"
        "+  max-connections = 4\n   max-open-requests = 32\n"
    )
    f.changes.append(change(at - 2 * M, "api", "deploy", "tag", "4.11.3", "4.12.0", rng, "flux", diff))
    overflow = (
        "org.apache.pekko.stream.BufferOverflowException: Exceeded configured max-open-requests value of [32]. This "
        "means that the request queue of this pool (HostConnectionPoolSetup(couchdb.erable.svc,5984,...)) has "
        "completely filled up because the pool currently does not process requests fast enough"
    )
    f.effects += [
        Effect("api", "latency_p99", at, 12.0),
        Effect("api", "error_ratio", at, 0.3, relative=False),
        Effect("web", "error_ratio", at + M, 0.2, relative=False),
        Effect("web", "latency_p99", at + M, 5.0),
        Effect("couchdb", "request_rate", at, 0.4),
    ]
    f.bursts += [
        Burst("api", at, 6, "error", f"ca.erable.api.progress.ProgressStore|lecture de la progression échouée: "
              f"{overflow}"),
        Burst("web", at + M, 4, "error", "*{n}{k}{n} upstream prematurely closed connection while reading response "
              "header from upstream, client: 10.44.{k}.{n}, server: cours.erable.ca, request: \"GET /v2/progression "
              "HTTP/2.0\", upstream: \"http://10.44.3.17:8080/v2/progression\", host: \"cours.erable.ca\""),
    ]  # fmt: skip
    return f


def hydra_keys_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "hydra_keys_rotated",
        "api",
        "expired_credential",
        "restart",
        "api",
        "ErableApiAuthFailures",
        "the platform team rotated Hydra's ID-token signing keys; the API fetched the key set at start and never "
        "again, so every token signed with the new key is refused; restart the API (then have it refetch on an "
        "unknown kid)",
    )
    f.changes.append(change(at - 3 * M, "auth", "config", "jwks", "hydra.openid.id-token@kid=7c1e",
                            "hydra.openid.id-token@kid=b3f9", rng, "platform",
                            "hydra create jwks hydra.openid.id-token --alg RS256: new signing key b3f9 added, "
                            "7c1e kept for verification only\n"))  # fmt: skip
    f.effects += [
        Effect("api", "error_ratio", at, 0.55, relative=False),
        Effect("web", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("api", at, 6, "warn", "ca.erable.api.Auth|JWT refusé: no JWK with kid 'b3f9' in the cached key set "
              "(fetched at startup from http://auth.erable.svc:4444/.well-known/jwks.json)"),
        Burst("auth", at - 2 * M, 4, "info", "completed handling request|200"),
    ]  # fmt: skip
    return f


def term_start_transcodes(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "term_start_transcodes",
        "jobs",
        "capacity",
        "scale",
        "media",
        "ErableTranscodeBacklog",
        "the first Monday of the term: teachers upload the week's lessons at once and every Dramatiq worker is "
        "busy; the transcode queue grows by the minute and uploads wait; add workers",
    )
    f.effects += [
        Effect("media", "request_rate", at - 30 * M, 3.0, ramp=20 * M),
        Effect("jobs", "request_rate", at - 25 * M, 2.0, ramp=10 * M),
        Effect("jobs", "pool_utilization", at - 15 * M, 1.0, relative=False, ramp=10 * M),
        Effect("jobs", "cpu_utilization", at - 15 * M, 0.95, relative=False, ramp=10 * M),
        Effect("media", "latency_p99", at, 4.0),
    ]
    f.bursts += [
        Burst("jobs", at - 20 * M, 5, "info", "transcode.worker|lesson {n}{k}{n} transcoded in {k}{n}.{k}s (1080p, "
              "720p, 480p), errors=0"),
        Burst("media", at, 3, "warn", "erable.media.uploads|téléversement {n}{k}{n} en attente de transcodage "
              "depuis {k}{n} min (file: {n}{k}{n} messages)"),
    ]  # fmt: skip
    return f


def mux_upload_failing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "mux_upload_failing",
        "mux",
        "dependency_failure",
        "escalate",
        "jobs",
        "ErableTranscodeFailures",
        "Mux's direct-upload API answers 503 (their incident); the jobs that hand lessons to Mux fail and are "
        "retried; theirs: escalate, pause the hand-over",
    )
    f.effects += [Effect("jobs", "error_ratio", at, 0.7, relative=False)]
    f.bursts += [
        Burst("jobs", at, 5, "error", "mux.handover|requests.exceptions.HTTPError: 503 Server Error: Service "
              "Unavailable for url: https://api.mux.com/video/v1/uploads"),
    ]  # fmt: skip
    f.failing_calls.append(("jobs", "mux"))
    return f


def ceph_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "ceph_full",
        "rgw",
        "resource_exhaustion",
        "scale",
        "media",
        "ErableMediaUploadErrors",
        "the Ceph cluster reached its full ratio after a term's recordings; the RADOS gateway refuses every write "
        "and uploads fail; add OSDs (or raise the full ratio for the hour it takes)",
    )
    f.effects += [
        Effect("rgw", "disk_utilization", at - 40 * M, 0.95, relative=False, ramp=40 * M),
        Effect("rgw", "error_ratio", at, 0.4, relative=False),
        Effect("media", "error_ratio", at + M, 0.35, relative=False),
    ]
    f.bursts += [
        Burst("rgw", at, 6, "error", "req {n}{k}{n}{k} 0.00{k}s s3:put_obj ERROR: failed to write object: (28) "
              "No space left on device; http status=507"),
        Burst("media", at + M, 4, "error", "erable.media.storage|botocore.exceptions.ClientError: An error occurred "
              "(InsufficientCapacity) when calling the PutObject operation: Unknown"),
    ]  # fmt: skip
    return f


def resolver_not_deployed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "resolver_not_deployed",
        "web",
        "recent_change",
        "rollback",
        "web",
        "ErableWeb5xx",
        "a change to OpenResty's configuration pointed its resolver at NodeLocal DNSCache's 169.254.20.10, which "
        "this cluster does not run; every upstream name lookup times out; roll the change back",
        also_accept=["network"],
    )
    path = "apps/web/nginx.conf"
    diff = f"--- a/{path}\n+++ b/{path}\n-resolver 10.96.0.10 valid=30s;\n+resolver 169.254.20.10 valid=30s;\n"
    f.changes.append(change(at - M, "web", "config", "resolver", "10.96.0.10", "169.254.20.10", rng, "flux", diff))
    f.effects += [
        Effect("web", "error_ratio", at, 0.8, relative=False),
        Effect("web", "latency_p99", at, 30.0),
        Effect("api", "request_rate", at, 0.2),
        Effect("media", "request_rate", at, 0.2),
    ]
    f.bursts += [
        Burst("web", at, 8, "error", "*{n}{k}{n} api.erable.svc.cluster.local could not be resolved (110: "
              "Operation timed out), client: 10.44.{k}.{n}, server: cours.erable.ca, request: \"GET /v2/cours/{n}{k} "
              "HTTP/2.0\", host: \"cours.erable.ca\""),
    ]  # fmt: skip
    return f


def search_nightly_reindex(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "search_nightly_reindex",
        "search",
        "no_incident",
        "none",
        "search",
        "ErableSearchSlow",
        "Typesense's nightly re-index of the course catalogue into a new collection, then the alias swap; search's "
        "p99 rises while it writes; nothing fails (no incident)",
    )
    f.effects += [
        Effect("search", "latency_p99", at, 2.5, until=at + 30 * M),
        Effect("search", "cpu_utilization", at, 0.8, relative=False, until=at + 30 * M),
    ]
    f.bursts += [
        Burst("search", at, 3, "info", "batched_indexer.cpp:1{k}{n}] Imported {n}{k}00 documents into collection "
              "cours_{h6}", minutes=25),
        Burst("api", at, 1, "warn", "ca.erable.api.SearchRoutes|recherche lente: {k}{n}00 ms pour \"{school}\"",
              minutes=20),
    ]  # fmt: skip
    return f


FAULTS = [api_pool_cut, hydra_keys_rotated, term_start_transcodes, mux_upload_failing, ceph_full,
          resolver_not_deployed, search_nightly_reindex]  # fmt: skip
