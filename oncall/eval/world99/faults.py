"""World 99's faults, from release, certificate, memory, provider, permission and holiday incidents at a toll
e-wallet, in its engineers' words: a toll release set its tag cache's TTL to 0, meaning "no expiry" to Redis, which
fills until it refuses writes (roll back, then flush the keys); topup's FPX client certificate expired and PayNet's
server refuses the handshake (renew it); the discount rules engine compiles a Groovy class per transaction and toll's
Metaspace is full after nine days (restart it, then fix the cache of compiled rules); FPX itself times out (PayNet's:
escalate); the security team's bucket policy on the KYC documents bucket denies kyc's role (give it back); and the
Hari Raya exodus at the plazas (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

REGISTRY = "registry-vpc.ap-southeast-3.aliyuncs.com/tolpay"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's GitLab pipeline records it: the image it rolled out, or the config's diff."""
    if not code:
        code = f"kubectl -n tolpay set image deployment/{svc} {svc}={REGISTRY}/{svc}:{new}  # was {old}\n"
    return change_record(at, svc, kind, key, old, new, who, ref=f"pipeline #{rng.randint(48000, 49999)}", diff=code)


def tag_cache_ttl_zero(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "tag_cache_ttl_zero",
        "toll",
        "recent_change",
        "rollback",
        "toll",
        "TollTransactionErrors",
        "toll's release set the tag cache's TTL to 0 meaning the library's default; the Redis client passes it as no "
        "expiry, every tag lookup is kept forever and Redis filled to maxmemory in forty minutes (noeviction): every "
        "write is refused and transactions fail; roll toll back, then let the keys expire",
    )
    path = "toll/src/main/resources/application-prod.yml"
    diff = (
        f"--- a/{path}\n+++ b/{path}\n tolpay:\n   cache:\n-    tag-ttl: 300s\n+    tag-ttl: 0\n"
        "     tag-prefix: tag:v2\n"
    )
    f.changes.append(change(at - 40 * M, "toll", "deploy", "image", "5.8.2", "5.9.0", rng, "gitlab-ci", diff))
    f.effects += [
        Effect("redis", "memory_utilization", at - 40 * M, 1.0, relative=False, ramp=40 * M),
        Effect("toll", "error_ratio", at, 0.5, relative=False),
        Effect("wallet", "error_ratio", at + M, 0.2, relative=False),
        Effect("gateway", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("toll", at, 8, "error", "m.t.toll.PlazaTransactionService|Transaction {h8} at plaza {plaza} failed: "
              "org.springframework.data.redis.RedisSystemException: Error in execution; nested exception is "
              "io.lettuce.core.RedisCommandExecutionException: OOM command not allowed when used memory > "
              "'maxmemory'."),
        Burst("wallet", at + M, 3, "error", "hold not recorded|OOM command not allowed when used memory > "
              "'maxmemory'."),
    ]  # fmt: skip
    return f


def fpx_client_certificate_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "fpx_client_certificate_expired",
        "topup",
        "expired_credential",
        "config_change",
        "topup",
        "TopupFailures",
        "topup's client certificate for PayNet's FPX (mutual TLS, issued for a year) expired at midnight Malaysian "
        "time; PayNet's server answers every handshake with the certificate-expired alert and no top-up by online "
        "banking goes through; install the renewed certificate PayNet issued last week",
    )
    f.effects += [
        Effect("topup", "error_ratio", at, 0.75, relative=False),
        Effect("gateway", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("topup", at, 6, "error", "FPX authorisation request failed: write EPROTO 40E8B2F1C87F0000:error:0A000415:"
              "SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:../deps/openssl/openssl/ssl/record/"
              "rec_layer_s3.c:1605:SSL alert number 45|POST /v1/topup/fpx 502"),
    ]  # fmt: skip
    f.failing_calls.append(("topup", "fpx"))
    return f


def rules_metaspace_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "rules_metaspace_leak",
        "toll",
        "resource_exhaustion",
        "restart",
        "toll",
        "TollTransactionErrors",
        "the discount rules engine compiles a new Groovy class for every transaction's rule set and never unloads "
        "them; after nine days toll's Metaspace is full and every rule evaluation throws OutOfMemoryError; restart "
        "toll, then cache the compiled rule sets",
    )
    f.effects += [
        Effect("toll", "memory_utilization", t - 400 * M, 0.97, relative=False, ramp=390 * M),
        Effect("toll", "error_ratio", at, 0.35, relative=False),
        Effect("toll", "latency_p99", at, 4.0),
        Effect("gateway", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("toll", at, 7, "error", "m.t.toll.rules.DiscountEngine|Discount rules failed for tx {h8}: "
              "java.lang.OutOfMemoryError: Metaspace"),
        Burst("gateway", at + M, 3, "warn", "o.s.c.g.filter.LoadBalancerClientFilter|Routed POST /api/v2/toll/tx to "
              "toll: 500 INTERNAL_SERVER_ERROR ({n}{k} ms)"),
    ]  # fmt: skip
    return f


def fpx_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "fpx_timeouts",
        "fpx",
        "dependency_failure",
        "escalate",
        "topup",
        "TopupFailures",
        "PayNet's FPX stops answering authorisation requests (their incident, on their status page forty minutes "
        "later); top-ups by online banking time out after 30 s and stay pending; PayNet's: escalate, and tell "
        "drivers to top up by card",
    )
    f.effects += [
        Effect("topup", "error_ratio", at, 0.6, relative=False),
        Effect("topup", "latency_p99", at, 60.0),
    ]
    f.bursts += [
        Burst("topup", at, 6, "error", "FPX authorisation request timed out after 30000 ms (https://www.mepsfpx.com.my"
              "/FPXMain/sellerNVPReceiver.jsp)|POST /v1/topup/fpx 504"),
        Burst("notify", at + 2 * M, 2, "info", "top-up pending notice sent|"),
    ]  # fmt: skip
    f.failing_calls.append(("topup", "fpx"))
    return f


def kyc_bucket_policy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "kyc_bucket_policy",
        "kyc",
        "permission_denied",
        "config_change",
        "kyc",
        "KycUploadFailures",
        "the security team's new bucket policy on tolpay-kyc-docs allows only its own RAM roles; kyc's role is not "
        "among them and every document upload is denied; add kyc's role to the policy",
    )
    f.effects += [Effect("kyc", "error_ratio", at, 0.85, relative=False)]
    f.bursts += [
        Burst("kyc", at, 2, "error", "ERROR:kyc.storage:upload of document {h8} failed: oss2.exceptions.AccessDenied: "
              "{'status': 403, 'details': {'Code': 'AccessDenied', 'Message': 'You have no right to access this object "
              "because of bucket acl.', 'BucketName': 'tolpay-kyc-docs'}}"),
        Burst("kyc", at, 2, "info", "INFO:     10.8.{k}.{n}:5{n}{k}1 - \"POST /v1/kyc/documents HTTP/1.1\" 500 "
              "Internal Server Error"),
    ]  # fmt: skip
    f.failing_calls.append(("kyc", "oss"))
    return f


def raya_exodus(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "raya_exodus",
        "toll",
        "no_incident",
        "none",
        "toll",
        "TollLatencyHigh",
        "the eve of Hari Raya: the balik kampung exodus takes the plazas to five times an ordinary evening's "
        "transactions; toll's latency crossed its alert until the autoscaler had added pods; every transaction was "
        "charged (no incident)",
    )
    f.changes.append(change(at + 3 * M, "toll", "scale", "replicas", "6", "14", rng, "horizontal-pod-autoscaler",
                            "HorizontalPodAutoscaler tolpay/toll: New size: 14; reason: cpu resource utilization "
                            "(percentage of request) above target\n"))  # fmt: skip
    f.effects += [
        Effect("toll", "request_rate", at, 5.0),
        Effect("wallet", "request_rate", at, 3.5),
        Effect("toll", "latency_p99", at, 2.3, until=at + 12 * M),
        Effect("toll", "cpu_utilization", at, 0.85, relative=False, until=at + 12 * M),
    ]
    f.bursts += [
        Burst("toll", at, 40, "info", "m.t.toll.PlazaTransactionService|Plaza {plaza} lane {k}: tag 6{n}{k}{n}{k} "
              "charged RM {k}.{n}0"),
    ]  # fmt: skip
    return f


FAULTS = [tag_cache_ttl_zero, fpx_client_certificate_expired, rules_metaspace_leak, fpx_timeouts, kyc_bucket_policy,
          raya_exodus]  # fmt: skip
