"""World 75's faults, from serverless, payment-webhook, edge-config, provider-quota and auth-provider incidents,
in this estate's words: the Stripe webhook's signing secret rotated in Vercel's environment but not in Stripe's
dashboard, every webhook refused (roll back); an Edge Config flag meant for preview turning maintenance mode on in
production, every page a 503 from the middleware (roll it back); the bookings API's release cutting its functions'
maxDuration to 10 s, slow availability searches killed (roll back); Upstash's plan reaching its daily request
limit, the middleware's rate limiter failing every request (raise the limit); Clerk's API failing its JWKS
fetches (escalate); the bookings API's release rendering PDFs in the function, each invocation out of memory
(roll back); and the Saturday tournament sign-ups opening, busy but healthy (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Vercel's deployments and project settings (its audit log) record it."""
    path = "vercel.json" if kind == "deploy" else f"projects/pista-{svc}/settings"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"dpl_{rng.getrandbits(140):035x}"[:32],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def _pino(level: int, route: str, msg: str) -> str:
    return ('{{"level":' + str(level) + ',"time":{epoch},"pid":9,"hostname":"169.254.{k}.{n}","route":"' + route
            + '","msg":"' + msg + '"}}')  # fmt: skip


def webhook_secret_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "webhook_secret_rotated",
        "payments",
        "recent_change",
        "rollback",
        "payments",
        "PaymentsWebhookFailures",
        "a developer rotated STRIPE_WEBHOOK_SECRET in Vercel's production environment but not the endpoint's secret "
        "in Stripe's dashboard; every webhook fails its signature check and bookings stay unpaid; put the old "
        "secret back",
    )
    f.changes.append(change(at - 2 * M, "payments", "secret", "STRIPE_WEBHOOK_SECRET", "whsec_***Q2x",
                            "whsec_***9Lm", rng, "alvaro@pista.es"))  # fmt: skip
    f.effects += [Effect("payments", "error_ratio", at, 0.6, relative=False)]
    f.bursts += [
        Burst("payments", at, 6, "error", "ERROR:payments.webhooks:stripe.error.SignatureVerificationError: No "
              "signatures found matching the expected signature for payload"),
        Burst("bookings-api", at + 2 * M, 3, "warn", _pino(40, "/api/bookings", "booking b_{hex} still unpaid "
              "after 5 min, hold extended")),
    ]  # fmt: skip
    return f


def maintenance_flag(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "maintenance_flag",
        "middleware",
        "recent_change",
        "rollback",
        "web",
        "WebErrors",
        "an engineer testing the maintenance page set Edge Config's maintenanceMode to true in the production store "
        "instead of preview's; the middleware answers every page with 503; set it back",
    )
    f.changes.append(change(at - 1 * M, "middleware", "flag", "edge-config.maintenanceMode", "false", "true", rng,
                            "lucia@pista.es"))  # fmt: skip
    f.effects += [
        Effect("middleware", "error_ratio", at, 0.95, relative=False, ramp=M),
        Effect("web", "request_rate", at, 0.05, ramp=M),
        Effect("bookings-api", "request_rate", at, 0.3, ramp=M),
    ]
    f.bursts += [
        Burst("middleware", at, 30, "info", "maintenance mode on: /clubs/{n}{k} answered 503"),
    ]
    return f


def max_duration_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "max_duration_cut",
        "bookings-api",
        "recent_change",
        "rollback",
        "bookings-api",
        "BookingsErrors",
        "the bookings API's release set its functions' maxDuration to 10 s (it was 60) to save on compute; the "
        "availability search across a city's clubs takes 15-40 s at the evening peak and every one is killed; roll "
        "back",
    )
    diff = ('--- a/vercel.json\n+++ b/vercel.json\n@@ -4,3 +4,3 @@\n   "functions": {\n-    "api/**/*.ts": '
            '{ "maxDuration": 60 }\n+    "api/**/*.ts": { "maxDuration": 10 }\n   },\n')  # fmt: skip
    f.changes.append(change(at - 2 * M, "bookings-api", "deploy", "version", "3.14.2", "3.15.0", rng, "vercel-git",
                            code=diff))  # fmt: skip
    f.effects += [
        Effect("bookings-api", "error_ratio", at, 0.25, relative=False),
        Effect("bookings-api", "latency_p99", at, 10.0 / 0.2, ramp=M),
        Effect("web", "error_ratio", at, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("bookings-api", at, 8, "error", "Vercel Runtime Timeout Error: Task timed out after 10 seconds"),
        Burst("web", at + 1 * M, 4, "error", "[web] availability for /clubs/{n}{k} failed: bookings-api answered 504"),
    ]  # fmt: skip
    return f


def upstash_daily_limit(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "upstash_daily_limit",
        "upstash",
        "resource_exhaustion",
        "config_change",
        "middleware",
        "EdgeErrors",
        "the Upstash database behind the rate limiter reached its plan's daily request limit; every command is "
        "refused until midnight UTC and the middleware, failing closed, answers 500; raise the limit",
    )
    f.effects += [
        Effect("middleware", "error_ratio", at, 0.7, relative=False, ramp=M),
        Effect("web", "request_rate", at, 0.3, ramp=M),
    ]
    f.bursts += [
        Burst("middleware", at, 20, "error", "rate limit check failed: UpstashError: ERR max daily request limit "
              "exceeded. Limit: 500000, Usage: 500000."),
        Burst("bookings-api", at, 4, "warn", _pino(40, "/api/bookings", "hold cache unavailable "
              "(ERR max daily request limit exceeded), reading holds from neon")),
    ]  # fmt: skip
    f.failing_calls += [("middleware", "upstash"), ("bookings-api", "upstash")]
    return f


def clerk_jwks_failing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "clerk_jwks_failing",
        "clerk",
        "dependency_failure",
        "escalate",
        "middleware",
        "EdgeErrors",
        "Clerk's API answers 503 to the JWKS fetches every session check needs once its cache expires; signed-in "
        "pages fail; nothing of ours changed; escalate to Clerk",
    )
    f.effects += [Effect("middleware", "error_ratio", at, 0.4, relative=False)]
    f.bursts += [
        Burst("middleware", at, 12, "error", "Clerk: Failed to load JWKS from Clerk Backend API. Contact "
              "support@clerk.com. (reason=jwk-remote-failed-to-load) status 503"),
    ]  # fmt: skip
    f.failing_calls.append(("middleware", "clerk"))
    return f


def pdf_out_of_memory(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "pdf_out_of_memory",
        "bookings-api",
        "recent_change",
        "rollback",
        "bookings-api",
        "BookingsErrors",
        "bookings-api 3.16.0 renders each confirmation's PDF in the function with a headless browser; with the "
        "1024 MB function memory every booking's invocation runs out of memory; roll back",
    )
    f.changes.append(change(at - 3 * M, "bookings-api", "deploy", "version", "3.15.4", "3.16.0", rng, "vercel-git"))
    f.effects += [
        Effect("bookings-api", "memory_utilization", at - 1 * M, 1.0, relative=False, ramp=M),
        Effect("bookings-api", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("bookings-api", at, 6, "error", "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap "
              "out of memory"),
        Burst("bookings-api", at, 6, "error", "Error: Runtime exited with error: signal: killed"),
    ]  # fmt: skip
    return f


def tournament_signups(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "tournament_signups",
        "bookings-api",
        "no_incident",
        "none",
        "bookings-api",
        "BookingsTrafficHigh",
        "sign-ups for the Saturday tournament open at ten: bookings arrive at five times a normal morning and the "
        "functions scale with them; every request is answered; no incident",
    )
    f.effects += [
        Effect("bookings-api", "request_rate", at, 5.0, ramp=2 * M),
        Effect("middleware", "request_rate", at, 2.5, ramp=2 * M),
        Effect("web", "request_rate", at, 2.5, ramp=2 * M),
        Effect("bookings-api", "latency_p99", at, 1.4, ramp=2 * M),
    ]
    f.bursts += [
        Burst("bookings-api", at, 10, "info", _pino(30, "/api/tournaments", "sign-up t_{hex} accepted"), minutes=20),
    ]
    return f


FAULTS = [webhook_secret_rotated, maintenance_flag, max_duration_cut, upstash_daily_limit, clerk_jwks_failing,
          pdf_out_of_memory, tournament_signups]  # fmt: skip
