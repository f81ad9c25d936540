"""World 12's faults, from public postmortems of fault shapes no earlier world has: a service-mesh sidecar
upgrade whose new TLS settings its callers cannot speak, an upload path change that puts every object
under one hot prefix until the object store throttles it, a 32-bit id sequence that runs out, a read
replica that falls hours behind under an analytics query, an egress policy that cuts a service off from
its SMS provider, and a nightly job's alert that fired once and cleared on the job's own retry."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.world12.estates import Estate
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
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -7,1 +7,1 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def sidecar_tls_upgrade(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = rng.choice(["booking", "records"])
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "sidecar_tls_upgrade",
        svc,
        "recent_change",
        "rollback",
        "portal-bff",
        "HighErrorRate",
        f"{svc}'s mesh sidecar was upgraded with TLS 1.3 only; portal-bff's older proxy cannot handshake with it",
        also_accept=["network"],
    )
    f.changes.append(change(at - 2 * M, svc, "image", "proxyImage", "envoy:v1.27.4", "envoy:v1.31.0", rng, "mesh-team"))
    f.failing_calls.append(("portal-bff", svc))
    f.effects += [
        Effect("portal-bff", "error_ratio", at, 0.35, relative=False),
        Effect(svc, "request_rate", at, 0.1, ramp=M),
        Effect("ingress", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst(
            "portal-bff",
            at,
            25,
            "error",
            f"HTTP GET /api/{svc} failed: upstream connect error or disconnect/reset before headers. reset reason: "
            "connection failure, transport failure reason: TLS error: 268435703:SSL routines:"
            "OPENSSL_internal:WRONG_VERSION_NUMBER",
            peer=svc,
        ),
        Burst("ingress", at + M, 10, "error", "upstream prematurely closed connection while reading response header"),
    ]
    return f


def hot_prefix_throttled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "hot_prefix_throttled",
        "uploads",
        "recent_change",
        "rollback",
        "video-gw",
        "HighErrorRate",
        "an uploads release writes every object under one date prefix; the object store throttles the prefix",
        also_accept=["dependency_failure"],
    )
    f.changes.append(
        change(at - 12 * M, "uploads", "deploy", "keyLayout", "{tenant}/{uuid}", "{date}/{uuid}", rng, "ci-argo")
    )
    f.failing_calls.append(("uploads", "blob-store"))
    f.effects += [
        Effect("uploads", "error_ratio", at, 0.4, relative=False),
        Effect("uploads", "latency_p99", at, 6.0),
        Effect("video-gw", "error_ratio", at + M, 0.25, relative=False),
        Effect("records", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst(
            "uploads",
            at,
            30,
            "error",
            "PutObject recordings/2026-05-04/c1f2.webm: operation error S3: PutObject, https response error "
            "StatusCode: 503, api error SlowDown: Please reduce your request rate.",
        ),
        Burst("video-gw", at + M, 12, "error", "recording upload failed: uploads returned 503", peer="uploads"),
    ]
    return f


def id_sequence_exhausted(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 8) * M
    f = Fault(
        "id_sequence_exhausted",
        "visits-db",
        "resource_exhaustion",
        "escalate",
        "portal-bff",
        "HighErrorRate",
        "the visits table's 32-bit id sequence reached 2147483647; every booking insert fails",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("booking", "error_ratio", at, 0.5, relative=False),
        Effect("portal-bff", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst(
            "visits-db",
            at,
            20,
            "error",
            'ERROR:  nextval: reached maximum value of sequence "visits_id_seq" (2147483647)',
        ),
        Burst(
            "booking",
            at,
            20,
            "error",
            'failed to reserve slot: db error: ERROR: nextval: reached maximum value of sequence "visits_id_seq" '
            "(2147483647)",
            peer="visits-db",
        ),
        Burst("portal-bff", at + M, 10, "error", "HTTP POST /api/visits responded 500 in 12.1 ms", peer="booking"),
    ]
    return f


def replica_lag(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "replica_lag",
        "records-replica",
        "dependency_failure",
        "escalate",
        "portal-bff",
        "HighErrorRate",
        "an analytics query on the read replica holds replay back; records reads stale rows and 404s new charts",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("records-replica", "cpu_utilization", at - 20 * M, 0.9, relative=False, ramp=5 * M),
        Effect("records", "error_ratio", at, 0.3, relative=False),
        Effect("portal-bff", "error_ratio", at + M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst(
            "records-replica",
            at - 20 * M,
            2,
            "warn",
            "LOG:  duration: 1183421.554 ms  statement: SELECT clinic_id, count(*) FROM visits v JOIN charts c "
            "USING (visit_id) GROUP BY 1",
            minutes=80,
        ),
        Burst(
            "records-replica",
            at,
            6,
            "error",
            "FATAL:  terminating connection due to conflict with recovery",
        ),
        Burst(
            "records",
            at,
            20,
            "error",
            'ActiveRecord::RecordNotFound (Couldn\'t find Chart with \'id\'=88123 [WHERE "charts"."visit_id" = $1])',
            peer="records-replica",
        ),
    ]
    return f


def egress_policy_blocks_sms(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "egress_policy_blocks_sms",
        "notifier",
        "recent_change",
        "rollback",
        "notifier",
        "HighErrorRate",
        "a NetworkPolicy change for notifier left out the SMS provider's egress; every send times out",
        also_accept=["network", "permission_denied"],
    )
    f.changes.append(
        change(
            at - M,
            "notifier",
            "config",
            "egress.allowedCIDRs",
            "[10.0.0.0/8, 198.51.100.0/24]",
            "[10.0.0.0/8]",
            rng,
            "sec-eng",
        )
    )
    f.failing_calls.append(("notifier", "sms-provider"))
    f.effects += [
        Effect("notifier", "error_ratio", at, 0.9, relative=False),
        Effect("notifier", "latency_p99", at, 30.0),
    ]
    f.bursts.append(
        Burst(
            "notifier",
            at,
            15,
            "error",
            "sms send failed: HTTPSConnectionPool(host='api.sms-provider.example', port=443): Max retries exceeded "
            "with url: /v1/messages (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object>, "
            "'Connection to api.sms-provider.example timed out. (connect timeout=10)'))",
        )
    )
    return f


def nightly_job_retried(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = rng.choice(["records", "notifier"])
    return Fault(
        "nightly_job_retried",
        svc,
        "no_incident",
        "none",
        svc,
        "KubeJobFailed",
        f"{svc}'s nightly export job failed once on a node drain and succeeded on its retry; nothing is wrong",
    )


FAULTS = [
    sidecar_tls_upgrade,
    hot_prefix_throttled,
    id_sequence_exhausted,
    replica_lag,
    egress_policy_blocks_sms,
    nightly_job_retried,
]
