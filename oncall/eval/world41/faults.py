"""World 41's faults, from travel companies' and Cloud Run users' postmortems, in this estate's words: search's
maximum instances cut from 100 to 10 in a cost review, so requests wait for an instance and are turned away;
a booking release raising its database pool tenfold, so Cloud SQL's connections run out for everyone; rates
pinned to a secret version the rotation disabled, so its new instances cannot start; a notifier release
failing every push, which Pub/Sub then redelivers again and again; the booking sites' partner API failing;
rates' minimum instances set to none, so the morning's traffic meets cold starts (slow, nothing failing); and
a marketing email blast that autoscaling absorbs (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"{svc}-{rng.randint(40, 99):05d}-{rng.choice(['xaz', 'kqp', 'mvd'])}",
        diff=f"--- a/services/{svc}.yaml\n+++ b/services/{svc}.yaml\n@@ -12 +12 @@\n-        {key}: '{old}'\n"
        f"+        {key}: '{new}'\n",
    )


def max_instances_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "max_instances_cut",
        "search",
        "recent_change",
        "rollback",
        "gateway",
        "GatewayErrorRate",
        "a cost review cut search's maximum instances from 100 to 10; at the evening's traffic requests wait for "
        "an instance and Cloud Run turns them away",
    )
    f.changes.append(change(at - 12 * M, "search", "config", "autoscaling.knative.dev/maxScale", "100", "10", rng,
                            "terraform"))  # fmt: skip
    f.effects += [
        Effect("search", "error_ratio", at, 0.3, relative=False),
        Effect("search", "latency_p99", at - 1 * M, 7.0),
        Effect("search", "cpu_utilization", at - 1 * M, 0.93, relative=False),
        Effect("gateway", "error_ratio", at + 1 * M, 0.18, relative=False),
        Effect("gateway", "latency_p99", at, 4.0),
    ]
    f.bursts += [
        Burst("search", at, 4, "error", "SYS The request was aborted because there was no available instance. "
              "Additional troubleshooting documentation can be found at: https://cloud.google.com/run/docs/"
              "troubleshooting#abort-request"),
        Burst("search", at, 30, "warn", "REQ 429 GET /v1/search?city=lisbon 10.002"),
        Burst("gateway", at + 1 * M, 12, "error", "upstream search answered 429 Too Many Requests for GET "
              "/api/search?city=lisbon"),
    ]  # fmt: skip
    return f


def pool_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "pool_raised",
        "booking",
        "recent_change",
        "rollback",
        "availability",
        "AvailabilityErrorRate",
        "a booking release raised its database pool from 5 to 50 connections an instance; as it scaled to a dozen "
        "instances Cloud SQL's 500 connections ran out and availability and rates are refused",
    )
    f.changes.append(change(at - 6 * M, "booking", "deploy", "image", "booking:2026.03.1", "booking:2026.03.2", rng,
                            "cloud-build"))  # fmt: skip
    f.effects += [
        Effect("cloudsql", "pool_utilization", at - 2 * M, 1.0, relative=False, ramp=3 * M),
        Effect("availability", "error_ratio", at, 0.4, relative=False),
        Effect("rates", "error_ratio", at, 0.3, relative=False),
        Effect("search", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]
    refused = (
        'psycopg2.OperationalError: connection to server at "10.20.0.3", port 5432 failed: FATAL:  remaining '
        "connection slots are reserved for non-replication superuser connections"
    )
    f.bursts += [
        Burst("availability", at, 20, "error", f"availability refresh failed for hotel 8821: {refused}"),
        Burst("rates", at, 12, "error", f"rate push failed: {refused}"),
        Burst("cloudsql", at - 1 * M, 25, "fatal", "FATAL:  remaining connection slots are reserved for "
              "non-replication superuser connections"),
        Burst("booking", at - 5 * M, 2, "info", "HikariPool-1 - Start completed. maximumPoolSize=50"),
    ]  # fmt: skip
    return f


def secret_version_disabled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "secret_version_disabled",
        "rates",
        "expired_credential",
        "config_change",
        "rates",
        "RatesPushFailing",
        "the partner key's rotation disabled version 7 of the secret, to which rates is pinned; its new instances "
        "cannot start and the old ones are being retired",
    )
    f.effects += [
        Effect("rates", "error_ratio", at, 0.5, relative=False),
        Effect("rates", "request_rate", at, 0.6),
    ]
    f.bursts += [
        Burst("rates", at, 3, "error", "SYS Error: failed to access secret version projects/stayhub-prod/secrets/"
              "partner-key/versions/7: Secret Version [projects/412233/secrets/partner-key/versions/7] is in "
              "DISABLED state."),
        Burst("rates", at, 10, "error", "REQ 503 POST /v1/rates/push 0.003"),
    ]  # fmt: skip
    return f


def push_redelivered(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "push_redelivered",
        "notifier",
        "recent_change",
        "rollback",
        "notifier",
        "PushDeliveryFailing",
        "a notifier release reads a message attribute that booking's events do not carry; every push fails with "
        "500 and Pub/Sub redelivers each one again and again",
    )
    f.changes.append(change(at - 3 * M, "notifier", "deploy", "image", "notifier:2026.03.4", "notifier:2026.03.5",
                            rng, "cloud-build"))  # fmt: skip
    f.effects += [
        Effect("notifier", "error_ratio", at, 0.95, relative=False),
        Effect("notifier", "request_rate", at, 5.0, ramp=6 * M),
    ]
    f.bursts += [
        Burst("notifier", at, 20, "error", "TypeError: Cannot read properties of undefined (reading 'locale')\n"
              "    at renderConfirmation (/app/src/templates.js:41:22)\n    at handlePush (/app/src/server.js:88:11)"),
        Burst("notifier", at, 40, "error", "REQ 500 POST /push/booking-events 0.012"),
    ]  # fmt: skip
    return f


def partner_api_failing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "partner_api_failing",
        "partner-api",
        "dependency_failure",
        "escalate",
        "availability",
        "AvailabilityErrorRate",
        "the booking sites' partner API began answering 503 to most calls; availability cannot refresh and "
        "serves what it has cached",
    )
    f.effects.append(Effect("availability", "error_ratio", at, 0.35, relative=False))
    failed = (
        "partner availability call failed for hotel 8821: 503 Service Unavailable from "
        "https://api.channel-partner.example/v2/availability"
    )
    f.bursts.append(Burst("availability", at, 18, "error", failed))
    f.failing_calls.append(("availability", "partner-api"))
    return f


def min_instances_zero(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "min_instances_zero",
        "rates",
        "recent_change",
        "rollback",
        "rates",
        "RatesLatencyHigh",
        "to save money rates' minimum instances were set from 3 to none overnight; the morning's traffic meets "
        "cold starts of a slow-starting container, and the p99 is seconds (nothing fails)",
    )
    f.changes.append(change(at - 9 * M, "rates", "config", "autoscaling.knative.dev/minScale", "3", "0", rng,
                            "terraform"))  # fmt: skip
    f.effects += [
        Effect("rates", "latency_p99", at, 25.0, ramp=1 * M),
        Effect("rates", "cpu_utilization", at, 0.7, relative=False),
    ]
    f.bursts.append(Burst("rates", at, 3, "info", 'SYS Default STARTUP TCP probe succeeded after 1 attempt for '
                          'container "rates-1" on port 8080.'))  # fmt: skip
    return f


def email_blast(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "email_blast",
        "gateway",
        "no_incident",
        "none",
        "gateway",
        "GatewayRequestRateHigh",
        "marketing's spring sale email went to two million subscribers; traffic tripled within minutes and "
        "autoscaling absorbed it, nothing slowed or failed (no incident)",
    )
    f.effects += [
        Effect("gateway", "request_rate", at - 3 * M, 3.0, ramp=3 * M),
        Effect("search", "request_rate", at - 3 * M, 2.6, ramp=3 * M),
        Effect("availability", "request_rate", at - 2 * M, 2.0, ramp=3 * M),
    ]
    return f


FAULTS = [max_instances_cut, pool_raised, secret_version_disabled, push_redelivered, partner_api_failing,
          min_instances_zero, email_blast]  # fmt: skip
