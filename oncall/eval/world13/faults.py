"""World 13's faults, from public postmortems of serverless estates, shapes no earlier world has: an S3
trigger widened onto the bucket the function writes to, whose recursive invocations take the account's
whole concurrency so that unrelated functions are throttled; a VPC endpoint removed by an
infrastructure change, so that every function reaching DynamoDB from the VPC times out; a queue's
visibility timeout cut below its consumer's run time, so that payments are delivered twice; an
authorizer that cached its identity provider's signing keys and rejects every token after the
provider rotated them (a restart clears it); an extension layer that makes a Java function's cold
start exceed the init limit; and a one-error alarm tripped by one malformed request."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.world13.estates import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

INFRA = ("network", "payments-queue")


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"infra/{svc}/main.tf" if svc in INFRA else f"services/{svc}/serverless.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -12,1 +12,1 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def recursive_trigger(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 11) * M
    f = Fault(
        "recursive_trigger",
        "thumbnailer",
        "recent_change",
        "rollback",
        "checkout",
        "LambdaErrorsHigh",
        "thumbnailer's S3 trigger lost its uploads/ prefix, so it fires on its own thumbnails; the recursion "
        "takes the account's concurrency and every other function is throttled",
        also_accept=["capacity"],
    )
    f.changes.append(change(at - 4 * M, "thumbnailer", "config", "events.s3.prefix", "uploads/", '""', rng, "media"))
    f.effects += [
        Effect("thumbnailer", "request_rate", at - 3 * M, 45.0),
        Effect("thumbnailer", "latency_p99", at - 3 * M, 1.6),
        Effect("checkout", "error_ratio", at, 0.35, relative=False),
        Effect("orders", "error_ratio", at, 0.3, relative=False),
        Effect("catalog", "error_ratio", at + M, 0.25, relative=False),
        Effect("search", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst(
            "thumbnailer",
            at - 3 * M,
            150,
            "info",
            "resized s3://shop-prod-media/thumbnails/thumbnails/a7/91.jpg to 3 sizes",
        ),
        Burst("api", at, 30, "error", "POST /checkout 500 Rate Exceeded."),
        Burst("api", at + M, 20, "error", "GET /products 500 Rate Exceeded."),
        Burst(
            "checkout",
            at,
            15,
            "error",
            "TooManyRequestsException: Rate Exceeded.\n    at de_TooManyRequestsExceptionRes "
            "(/var/runtime/node_modules/@aws-sdk/client-lambda/dist-cjs/index.js:2131:21)",
            peer="orders",
        ),
    ]
    return f


def vpc_endpoint_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "vpc_endpoint_removed",
        "network",
        "recent_change",
        "rollback",
        "catalog",
        "LambdaErrorsHigh",
        "a network change removed the VPC's DynamoDB gateway endpoint; functions in the VPC, which has no NAT, "
        "can no longer reach DynamoDB",
        also_accept=["network"],
    )
    f.changes.append(
        change(at - 2 * M, "network", "infra", "vpc_endpoints", "[s3, dynamodb]", "[s3]", rng, "platform-iac")
    )
    f.failing_calls += [("checkout", "orders-table"), ("orders", "orders-table"), ("catalog", "catalog-table")]
    for svc, lag in (("checkout", 0), ("orders", 0), ("catalog", 1)):
        f.effects += [
            Effect(svc, "error_ratio", at + lag * M, 0.5, relative=False),
            Effect(svc, "latency_p99", at + lag * M, 25.0),
        ]
    node_timeout = (
        "GetItem on orders-table failed: TimeoutError: Socket timed out without establishing a connection "
        "within 1000 ms"
    )
    f.bursts += [
        Burst("checkout", at, 10, "error", node_timeout, peer="orders-table"),
        Burst("orders", at, 25, "error", node_timeout, peer="orders-table"),
        Burst("orders", at, 8, "error", "Task timed out after 6.01 seconds"),
        Burst(
            "catalog",
            at + M,
            30,
            "error",
            "Failed to load product\nConnectTimeoutError: Connect timeout on endpoint URL: "
            '"https://dynamodb.eu-west-1.amazonaws.com/"',
            peer="catalog-table",
        ),
        Burst("api", at, 25, "error", "GET /products 504 Endpoint request timed out"),
    ]
    return f


def visibility_timeout_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "visibility_timeout_cut",
        "payments-queue",
        "recent_change",
        "rollback",
        "payment-worker",
        "DeadLetterQueueNotEmpty",
        "the payments queue's visibility timeout went from 180 s to 20 s, below payment-worker's run time; "
        "messages come back while still being processed and payments are attempted twice",
    )
    f.changes.append(
        change(at - 3 * M, "payments-queue", "infra", "visibility_timeout_seconds", "180", "20", rng, "platform-iac")
    )
    f.effects += [
        Effect("payment-worker", "request_rate", at, 3.0),
        Effect("payment-worker", "error_ratio", at, 0.55, relative=False),
        Effect("payment-worker", "pool_utilization", at, 0.95, relative=False),
    ]
    f.bursts += [
        Burst(
            "payment-worker",
            at,
            12,
            "error",
            "Failed to process record\nIdempotencyAlreadyInProgressError: Execution already in progress with "
            "idempotency key: payment-worker#8c1f0a6e2d",
        ),
        Burst(
            "payment-worker",
            at,
            6,
            "warn",
            "Stripe returned 409 idempotency_key_in_use for charge pi_3QJ8x2; will retry",
            peer="stripe",
        ),
    ]
    return f


def stale_signing_keys(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 8) * M
    f = Fault(
        "stale_signing_keys",
        "authorizer",
        "expired_credential",
        "restart",
        "authorizer",
        "AuthorizerErrors",
        "the identity provider rotated its signing keys; the authorizer fetched the key set once per container "
        "and rejects every token signed with the new key until its containers are replaced",
        also_accept=["permission_denied"],
    )
    f.effects += [
        Effect("authorizer", "error_ratio", at, 0.7, relative=False),
        Effect("checkout", "request_rate", at, 0.4),
        Effect("orders", "request_rate", at, 0.4),
        Effect("catalog", "request_rate", at, 0.4),
    ]
    f.bursts += [
        Burst(
            "authorizer",
            at,
            60,
            "error",
            'token rejected\nPyJWKClientError: Unable to find a signing key that matches: "k-2026-09"',
        ),
        Burst("api", at, 40, "warn", "POST /checkout 401"),
        Burst("api", at, 30, "warn", "GET /orders 401"),
    ]
    return f


def init_layer_timeout(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    layer = "arn:aws:lambda:eu-west-1:210987654321:layer:apm-extension:41"
    f = Fault(
        "init_layer_timeout",
        "search",
        "recent_change",
        "rollback",
        "catalog",
        "LambdaErrorsHigh",
        "an APM extension layer added to search makes its cold start exceed the 10 s init limit",
    )
    f.changes.append(change(at - 12 * M, "search", "config", "layers", "[]", f"[{layer}]", rng, "observability"))
    f.effects += [
        Effect("search", "latency_p99", at, 15.0, ramp=5 * M),
        Effect("search", "error_ratio", at, 0.3, relative=False),
        Effect("catalog", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("search", at - 10 * M, 6, "info", "EXTENSION\tName: apm-extension\tState: Ready\tEvents: [INVOKE]"),
        Burst("search", at, 15, "error", "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout"),
        Burst(
            "catalog",
            at + M,
            25,
            "error",
            "search request failed\nReadTimeoutError: Read timeout on endpoint URL: "
            '"https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/shop-prod-search/invocations"',
            peer="search",
        ),
    ]
    return f


def one_malformed_request(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = rng.choice(["checkout", "orders"])
    f = Fault(
        "one_malformed_request",
        svc,
        "no_incident",
        "none",
        svc,
        "LambdaErrors",
        f"{svc}'s any-error alarm fired on one request whose body was not JSON; nothing is wrong",
    )
    f.bursts.append(
        Burst(
            svc,
            t - 2 * M,
            1,
            "error",
            'Invoke Error \t{"errorType":"SyntaxError","errorMessage":"Unexpected token < in JSON at position 0",'
            '"stack":["SyntaxError: Unexpected token < in JSON at position 0","    at JSON.parse (<anonymous>)"]}',
            minutes=1,
        )
    )
    return f


FAULTS = [
    recursive_trigger,
    vpc_endpoint_removed,
    visibility_timeout_cut,
    stale_signing_keys,
    init_layer_timeout,
    one_malformed_request,
]
