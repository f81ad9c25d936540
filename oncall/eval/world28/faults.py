"""World 28's faults, from SaaS postmortems, in this estate's words: Caddy's certificate renewals refused
for the ACME server's rate limit until the site's certificate expired (browsers refuse it: Go's
"remote error: tls: expired certificate"); the mail worker's concurrency raised above its database pool
(ActiveRecord times out waiting for a connection); a reports release whose new dashboard query exceeds
ClickHouse's memory limit; the mail provider's key rotated to one without the send scope; the search
reindex moved from 03:00 to when users search; a render image whose new Ghostscript crashes on some
PDFs (Celery's workers die with SIGSEGV); and the monthly statements batch raising the CPU alert (no
incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"ecs/{svc}/task-definition.json"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"{rng.getrandbits(40):010x}",
        diff=f'--- a/{path}\n+++ b/{path}\n@@ -31,1 +31,1 @@\n-  "{key}": "{old}",\n+  "{key}": "{new}",\n',
    )


def acme_rate_limited(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "acme_rate_limited",
        "edge",
        "expired_credential",
        "config_change",
        "edge",
        "SiteRequestsDropped",
        "a redeploy loop had used up the ACME server's weekly certificate quota; Caddy's renewals were refused "
        "for days until the site's certificate expired and browsers stopped connecting",
    )
    f.effects += [
        Effect("edge", "request_rate", at, 0.25),
        Effect("app", "request_rate", at + M, 0.3),
    ]
    f.bursts += [
        Burst("edge", at - 600 * M, 1, "warn", "tls.renew: could not get certificate from issuer: "
              "urn:ietf:params:acme:error:rateLimited: Error creating new order :: too many certificates (5) "
              "already issued for this exact set of domains in the last 168h0m0s", minutes=600),
        Burst("edge", at, 40, "error", "http.stdlib: http: TLS handshake error from 81.2.69.160:51234: remote "
              "error: tls: expired certificate"),
    ]  # fmt: skip
    return f


def worker_pool_mismatch(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "worker_pool_mismatch",
        "notify",
        "recent_change",
        "rollback",
        "notify",
        "EmailBacklogGrowing",
        "the mail worker's Sidekiq concurrency was raised from 10 to 50 while its database pool stayed at 10; "
        "threads wait for a connection and time out",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 4 * M, "notify", "config", "SIDEKIQ_CONCURRENCY", "10", "50", rng, "ops"))
    f.effects += [
        Effect("notify", "error_ratio", at, 0.38, relative=False),
        Effect("notify", "latency_p99", at, 9.0),
    ]
    f.bursts.append(Burst("notify", at, 14, "warn", "ActiveRecord::ConnectionTimeoutError: could not obtain a "
                          "connection from the pool within 5.000 seconds (waited 5.002 seconds); all pooled "
                          "connections were in use"))  # fmt: skip
    return f


def dashboard_query_heavy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "dashboard_query_heavy",
        "reports",
        "recent_change",
        "rollback",
        "analytics",
        "ClickHouseQueryErrors",
        "reports 2.6.0 groups the new usage dashboard by envelope id over a year of events; each load of it "
        "runs ClickHouse into its per-query memory limit",
    )
    f.changes.append(change(at - rng.randint(3, 6) * M, "reports", "deploy", "image",
                            "inkwell/reports:2.5.3", "inkwell/reports:2.6.0", rng, "ci"))  # fmt: skip
    f.effects += [
        Effect("analytics", "memory_utilization", at, 0.93, relative=False, ramp=timedelta(minutes=1)),
        Effect("analytics", "cpu_utilization", at, 0.9, relative=False),
        Effect("analytics", "error_ratio", at, 0.3, relative=False),
        Effect("reports", "error_ratio", at, 0.5, relative=False),
    ]
    f.bursts += [
        Burst("analytics", at, 6, "error", "executeQuery: Code: 241. DB::Exception: Memory limit (for query) "
              "exceeded: would use 9.31 GiB (attempt to allocate chunk of 4194304 bytes), maximum: 9.31 GiB: While "
              "executing AggregatingTransform. (MEMORY_LIMIT_EXCEEDED) (version 24.3.2.23 (official build)) "
              "(from 10.0.3.7:51234)"),
        Burst("reports", at, 6, "error", "dashboard usage: clickhouse query failed: code: 241, message: Memory limit "
              "(for query) exceeded: would use 9.31 GiB, maximum: 9.31 GiB"),
    ]  # fmt: skip
    return f


def mailer_key_scope(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "mailer_key_scope",
        "notify",
        "permission_denied",
        "rollback",
        "notify",
        "EmailSendFailures",
        "the mail provider's API key was rotated to a new key created without the mail.send scope; every "
        "send is refused",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - rng.randint(2, 5) * M, "notify", "secret", "MAIL_API_KEY", "SG.kv1 (rotated)",
                            "SG.kv2", rng, "secrets-rotation"))  # fmt: skip
    f.effects.append(Effect("notify", "error_ratio", at, 0.97, relative=False))
    f.bursts.append(Burst("notify", at, 16, "error", 'SendGrid::Error: 403 Forbidden: {"errors":[{"message":'
                          '"access forbidden","field":null,"help":null}]}'))  # fmt: skip
    f.failing_calls.append(("notify", "mailer"))
    return f


def reindex_in_working_day(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "reindex_in_working_day",
        "indexer",
        "recent_change",
        "rollback",
        "search",
        "SearchLatencyHigh",
        "the nightly reindex's schedule was moved from 03:00 by mistake the day before; it fired while users "
        "were searching and saturates the search cluster",
    )
    # the schedule set is the clock time the reindex then started (cron's zone, UTC)
    f.changes.append(change(at - rng.randint(18, 21) * 60 * M, "indexer", "config", "REINDEX_CRON", "0 3 * * *",
                            f"{at.minute} {at.hour} * * *", rng, "search-team"))  # fmt: skip
    f.effects += [
        Effect("search", "cpu_utilization", at, 0.97, relative=False),
        Effect("search", "latency_p99", at + M, 15.0),
        Effect("api", "latency_p99", at + 2 * M, 3.0),
    ]
    f.bursts += [
        Burst("indexer", at, 1, "info", "reindex: started full reindex of 4120331 envelopes", minutes=1),
        Burst("search", at + M, 20, "warn", "[search-0] [envelopes][2] took[12.1s], took_millis[12100], "
              "total_hits[88 hits], types[], stats[], search_type[QUERY_THEN_FETCH], total_shards[5]"),
    ]  # fmt: skip
    return f


def render_segfaults(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "render_segfaults",
        "render",
        "recent_change",
        "rollback",
        "render",
        "RenderFailuresHigh",
        "render's new image bumped Ghostscript to a release that crashes on PDFs with embedded Type 3 fonts; "
        "workers die with SIGSEGV and their tasks fail",
    )
    f.changes.append(change(at - rng.randint(3, 7) * M, "render", "deploy", "image", "inkwell/render:5.2.1",
                            "inkwell/render:5.3.0", rng, "ci"))  # fmt: skip
    f.effects += [
        Effect("render", "error_ratio", at, 0.33, relative=False),
        Effect("render", "restarts", at, 3.0, relative=False),
    ]
    f.bursts.append(Burst("render", at, 8, "error", "Task render.pdf[5f1c9b2e] raised unexpected: "
                          "WorkerLostError('Worker exited prematurely: signal 11 (SIGSEGV) Job: 88213.')"))  # fmt: skip
    return f


def monthly_statements(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 15) * M
    f = Fault(
        "monthly_statements",
        "reports",
        "no_incident",
        "none",
        "reports",
        "ReportsCpuHigh",
        "the first-of-the-month statements batch renders every account's usage statement; reports' CPU "
        "alert fires while it runs, as it does every month (no incident)",
    )
    f.effects.append(Effect("reports", "cpu_utilization", at, 0.92, relative=False, until=at + 25 * M))
    f.bursts.append(Burst("reports", at, 1, "info", "statements: generating 88213 monthly statements", minutes=1))
    return f


FAULTS = [acme_rate_limited, worker_pool_mismatch, dashboard_query_heavy, mailer_key_scope,
          reindex_in_working_day, render_segfaults, monthly_statements]  # fmt: skip
