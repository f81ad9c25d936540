"""World 83's faults, from identity, database, webhook, provider, runtime-limit and demand incidents, in this
estate's words: the auth signing key rotated and the previous key revoked at once, every session's access token
refused by PostgREST, Storage and Realtime while auth itself answers (undo the revoke); a migration's row-level
security policy with a subquery per row on the stamps table, Postgres at full CPU and the API timing out (roll it
back); a migration turning the points-ledger push webhook from once a statement to once a row, the nightly
stamp backfill firing send-push thousands of times and Expo refusing it (roll it back); Square's API down under
redeem-points (the provider's, escalate); a redeem-points release importing Square's whole SDK at start, every
worker over its CPU time limit (roll it back); a double-stamps Saturday outgrowing the database's compute
(scale it); and a new café's forty thousand members imported through the auth admin API (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

H = timedelta(hours=1)
S = timedelta(seconds=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team records it: a GitHub Actions run of `supabase db push` or `supabase functions deploy`,
    or a Management API call in the project's audit log."""
    path = f"supabase/{svc}/config.toml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:12],
        "diff": code or f'--- a/{path}\n+++ b/{path}\n@@ -4 +4 @@\n-{key} = "{old}"\n+{key} = "{new}"\n',
    }


def signing_key_revoked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "signing_key_revoked",
        "auth",
        "recent_change",
        "rollback",
        "api-gateway",
        "ApiGateway4xxHigh",
        "the JWT signing keys were rotated and the previous key revoked in the same minute; every access token the "
        "apps hold was signed by it, so PostgREST, Storage and Realtime refuse them until each app refreshes its "
        "session, while auth answers normally; move the revoked key back to previously used",
        also_accept=["expired_credential"],
    )
    f.changes.append(change(at - 2 * M, "auth", "config", "jwt_signing_keys.previous", "standby (ES256 kid 4c1e)",
                            "revoked", rng, "mia.tran"))  # fmt: skip
    f.effects += [
        Effect("api-gateway", "error_ratio", at, 0.55, relative=False),
        Effect("rest", "error_ratio", at, 0.6, relative=False),
        Effect("storage", "error_ratio", at, 0.5, relative=False),
        Effect("auth", "request_rate", at + M, 1.6, ramp=4 * M),
    ]
    f.bursts += [
        Burst("api-gateway", at, 20, "info", "GET /rest/v1/stamps?select=*&member_id=eq.m{n}{k}1 401"),
        Burst("rest", at, 18, "info", '172.31.{k}.{n} - anon [{clf}] "GET /stamps?select=*&member_id=eq.m{n}{k}1 '
              'HTTP/1.1" 401 - "" "Beanstalk/4.2 (iPhone; iOS 18.1)"'),
        Burst("storage", at, 4, "error", "msg=request errored | req.method=GET | req.url=/object/authenticated/"
              "receipts/r{n}{k}.jpg | res.statusCode=400|exc|InvalidJWT|invalid signature"),
        Burst("realtime", at, 3, "error", "Tenant {ref}: channel join refused for stamps: InvalidJWTToken: "
              "signature error"),
    ]  # fmt: skip
    return f


def rls_policy_per_row(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "rls_policy_per_row",
        "postgres",
        "recent_change",
        "rollback",
        "rest",
        "RestLatencyHigh",
        "a migration replaced the stamps table's row-level security policy with one that looks up the member's "
        "café in a subquery evaluated for every row, with no index behind it; each stamp-card read scans the table, "
        "Postgres sits at full CPU and PostgREST's statements hit their eight-second timeout; roll the migration "
        "back",
    )
    sql = ("--- a/supabase/migrations/20271212_stamps_policy.sql\n+++ b/supabase/migrations/20271212_stamps_policy."
           "sql\n@@ -0,0 +1,4 @@\n+drop policy \"members read own stamps\" on stamps;\n+create policy \"staff and "
           "members read stamps\" on stamps for select\n+  using (cafe_id in (select cafe_id from staff where "
           "user_id = auth.uid()) or member_id = auth.uid());\n")  # fmt: skip
    f.changes.append(change(at - 3 * M, "postgres", "migration", "migration", "20271130_cards",
                            "20271212_stamps_policy", rng, "github-actions", sql))  # fmt: skip
    f.effects += [
        Effect("postgres", "cpu_utilization", at, 0.98, relative=False, ramp=2 * M),
        Effect("rest", "latency_p99", at, 8.0, relative=False, ramp=2 * M),
        Effect("rest", "error_ratio", at + M, 0.3, relative=False),
        Effect("api-gateway", "latency_p99", at, 8.1, relative=False, ramp=2 * M),
        Effect("api-gateway", "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at + M, 10, "error", "canceling statement due to statement timeout"),
        Burst("rest", at + M, 10, "info", '172.31.{k}.{n} - authenticated [{clf}] "GET /stamps?select=*&member_id='
              'eq.m{n}{k}1 HTTP/1.1" 500 - "" "Beanstalk/4.2 (iPhone; iOS 18.1)"'),
        Burst("api-gateway", at + M, 10, "info", "GET /rest/v1/stamps?select=*&member_id=eq.m{n}{k}1 500"),
    ]  # fmt: skip
    return f


def push_trigger_per_row(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "push_trigger_per_row",
        "postgres",
        "recent_change",
        "rollback",
        "send-push",
        "SendPushErrors",
        "a migration turned the points_ledger webhook that calls send-push from once per statement to once per "
        "row; the nightly stamp backfill inserts forty thousand rows, pg_net posts send-push forty thousand times "
        "and Expo answers 429 to all but a few; roll the migration back",
    )
    sql = ("--- a/supabase/migrations/20271213_points_push.sql\n+++ b/supabase/migrations/20271213_points_push.sql\n"
           "@@ -0,0 +1,3 @@\n+drop trigger points_push on points_ledger;\n+create trigger points_push after insert on "
           "points_ledger\n+  for each row execute function supabase_functions.http_request('https://qzvbnhtkpmwla"
           "rsoyedc.supabase.co/functions/v1/send-push', 'POST');\n")  # fmt: skip
    f.changes.append(change(at - 4 * M, "postgres", "migration", "migration", "20271212_stamps_policy",
                            "20271213_points_push", rng, "github-actions", sql))  # fmt: skip
    f.effects += [
        Effect("send-push", "request_rate", at, 40.0, ramp=M),
        Effect("send-push", "error_ratio", at + M, 0.85, relative=False),
        Effect("api-gateway", "request_rate", at, 2.5, ramp=M),
    ]
    f.bursts += [
        Burst("api-gateway", at, 60, "info", "POST /functions/v1/send-push 200"),
        Burst("send-push", at + M, 40, "error", "push for member m{n}{k}1 not sent|exc|ExpoPushError|429 Too Many "
              "Requests: TOO_MANY_REQUESTS, exceeded 600 notifications per second for this project"),
        Burst("postgres", at, 2, "warn", "pg_net: 4{n}{k} requests queued in net.http_request_queue"),
    ]  # fmt: skip
    f.failing_calls.append(("send-push", "expo"))
    return f


def square_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "square_outage",
        "square",
        "dependency_failure",
        "escalate",
        "redeem-points",
        "RedeemFailures",
        "Square's Terminal API answers 503 for every checkout in the region; redeem-points cannot put a redemption "
        "on the café's terminal and fails it; nothing of ours changed; the provider's, escalate to Square",
    )
    f.effects += [
        Effect("redeem-points", "error_ratio", at, 0.8, relative=False),
        Effect("redeem-points", "latency_p99", at, 4.2, relative=False),
    ]
    f.bursts += [
        Burst("redeem-points", at, 8, "error", "redemption for member m{n}{k}1 failed|exc|SquareError|503 Service "
              "Unavailable: SERVICE_UNAVAILABLE from POST https://connect.squareup.com/v2/terminals/checkouts"),
        Burst("api-gateway", at, 8, "info", "POST /functions/v1/redeem-points 502"),
    ]  # fmt: skip
    f.failing_calls.append(("redeem-points", "square"))
    return f


def function_cpu_limit(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "function_cpu_limit",
        "redeem-points",
        "recent_change",
        "rollback",
        "redeem-points",
        "RedeemFailures",
        "a redeem-points release imports Square's whole Node SDK through npm: at every cold start its workers spend "
        "more than the two seconds of CPU an edge function may, the runtime shuts them down and the gateway answers "
        "546; roll the release back",
    )
    f.changes.append(change(at - 2 * M, "redeem-points", "deploy", "release", "1.14.2", "1.15.0", rng,
                            "github-actions"))  # fmt: skip
    f.effects += [
        Effect("redeem-points", "error_ratio", at, 0.7, relative=False),
        Effect("redeem-points", "latency_p99", at, 2.4, relative=False),
    ]
    f.bursts += [
        Burst("redeem-points", at, 6, "info", "shutdown: CPU time soft limit reached: isolate: {n}{k}a1"),
        Burst("api-gateway", at, 8, "info", "POST /functions/v1/redeem-points 546"),
    ]  # fmt: skip
    return f


def double_stamps_saturday(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 16) * M
    f = Fault(
        "double_stamps_saturday",
        "postgres",
        "capacity",
        "scale",
        "rest",
        "RestLatencyHigh",
        "double stamps on Saturday morning: four times the usual members open their cards and redeem at once; "
        "Postgres on the Small compute add-on is at full CPU and every API read waits on it; nothing changed; "
        "upgrade its compute",
    )
    for svc, k in (("api-gateway", 4.0), ("rest", 4.0), ("redeem-points", 3.0), ("realtime", 3.0)):
        f.effects.append(Effect(svc, "request_rate", at, k, ramp=6 * M))
    f.effects += [
        Effect("postgres", "request_rate", at, 4.0, ramp=6 * M),
        Effect("postgres", "cpu_utilization", at + 5 * M, 0.99, relative=False, ramp=3 * M),
        Effect("rest", "latency_p99", at + 6 * M, 5.5, relative=False, ramp=2 * M),
        Effect("api-gateway", "latency_p99", at + 6 * M, 5.6, relative=False, ramp=2 * M),
        Effect("rest", "error_ratio", at + 8 * M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("api-gateway", at, 60, "info", "GET /rest/v1/stamps?select=*&member_id=eq.m{n}{k}1 200", minutes=60),
        Burst("postgres", at + 8 * M, 1, "error", "canceling statement due to statement timeout"),
    ]  # fmt: skip
    return f


def member_import(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "member_import",
        "auth",
        "no_incident",
        "none",
        "auth",
        "AuthRequestsHigh",
        "a new café's forty thousand members are being imported through the auth admin API by a script; auth "
        "serves eight times its usual requests, every one answered; nothing fails (no incident)",
    )
    f.effects += [
        Effect("auth", "request_rate", at, 8.0, ramp=2 * M, until=at + 50 * M),
        Effect("auth", "latency_p99", at, 1.4, ramp=2 * M, until=at + 50 * M),
        Effect("postgres", "cpu_utilization", at, 0.55, relative=False, ramp=2 * M, until=at + 50 * M),
    ]
    f.bursts += [
        Burst("auth", at, 60, "info", "msg=request completed | method=POST | path=/admin/users | status=200 | "
              "component=api", minutes=50),
    ]  # fmt: skip
    return f


FAULTS = [signing_key_revoked, rls_policy_per_row, push_trigger_per_row, square_outage, function_cpu_limit,
          double_stamps_saturday, member_import]  # fmt: skip
