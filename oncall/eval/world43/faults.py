"""World 43's faults, from small SaaS teams' and Fly.io users' postmortems, in this estate's words: an API
release that builds a whole CSV export in memory, so its Machine is killed by the kernel again and again; the
database's volume filling with WAL until PostgreSQL panics (already near full when the window opens); a secret
unset by mistake, so the web app can no longer check Stripe's webhook signatures; a web release that queries
the database once per table on the busiest page (the database is taken, the API alarms: its caller is the
cause); Twilio failing the worker's reminder texts; Valentine's Day's real bookings on the API; and the
proxy stopping idle Machines at night (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"apps/{svc}/fly.toml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} = {old}",
        "to": f"{key} = {new}",
        "author": who,
        "ref": f"01HQ{rng.getrandbits(60):015X}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n [build]\n-  {key} = {old}\n+  {key} = {new}\n",
    }


def _release(at: datetime, svc: str, old: int, rng: random.Random) -> dict:
    return change(at, svc, "deploy", "image", f'"registry.fly.io/tablely-{svc}:deployment-{old}"',
                  f'"registry.fly.io/tablely-{svc}:deployment-{old + 1}"', rng, "flyctl")  # fmt: skip


def api_export_oom(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "api_export_oom",
        "api",
        "recent_change",
        "rollback",
        "api",
        "ApiErrorRate",
        "an API release builds a restaurant's whole booking export in memory; the largest customers' exports take "
        "the 512 MB Machine past its memory and the kernel kills it, again and again",
    )
    f.changes.append(_release(at - 8 * M, "api", 212, rng))
    f.effects += [
        Effect("api", "memory_utilization", at - 2 * M, 0.98, relative=False, ramp=2 * M),
        Effect("api", "error_ratio", at, 0.3, relative=False),
        Effect("api", "latency_p99", at, 4.0),
        Effect("web", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("api", at - 2 * M, 2, "info", "INFO api::exports: exporting bookings for restaurant 4411 as CSV "
              "(212880 rows)"),
        Burst("api", at, 2, "info", "RUNNER Out of memory: Killed process 582 (api) total-vm:1211932kB, "
              "anon-rss:498112kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1220kB oom_score_adj:0"),
        Burst("api", at, 2, "info", "RUNNER Process appears to have been OOM killed!"),
        Burst("api", at, 2, "info", "RUNNER Main child exited with signal (with signal 'SIGKILL', core dumped? "
              "false)"),
        Burst("web", at + 1 * M, 10, "error", "Error: api request failed: GET http://tablely-api.internal:8080/v1/"
              "bookings?restaurant=4411 -> 502 Bad Gateway"),
    ]  # fmt: skip
    return f


def volume_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "volume_full",
        "db",
        "resource_exhaustion",
        "scale",
        "api",
        "ApiErrorRate",
        "WAL kept for a replica that was destroyed last week filled the primary's 10 GB volume over the day; at "
        "100 % PostgreSQL panics and every write fails",
    )
    f.effects += [
        Effect("db", "disk_utilization", t - timedelta(hours=9), 100.0, relative=False, ramp=timedelta(hours=9)),
        Effect("api", "error_ratio", at, 0.5, relative=False),
        Effect("web", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("worker", "error_ratio", at + 1 * M, 0.4, relative=False),
    ]
    f.bursts += [
        Burst("db", at - 1 * M, 4, "fatal", 'postgres | PANIC:  could not write to file "pg_wal/xlogtemp.8812": No '
              "space left on device"),
        Burst("db", at - 1 * M, 4, "error", "postgres | LOG:  server process (PID 8812) was terminated by signal 6: "
              "Aborted"),
        Burst("api", at, 20, "error", "api::db: query failed: pool timed out while waiting for an open connection"),
        Burst("worker", at + 1 * M, 6, "error", '{"level":"ERROR","msg":"job failed","job":"reminders","error":'
              '"failed to connect to `host=tablely-db.internal user=worker database=tablely`: server error '
              '(FATAL: the database system is in recovery mode (SQLSTATE 57P03))"}'),
    ]  # fmt: skip
    return f


def webhook_secret_unset(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "webhook_secret_unset",
        "web",
        "recent_change",
        "rollback",
        "web",
        "StripeWebhooksFailing",
        "cleaning up old secrets, someone ran `fly secrets unset` on the web app's Stripe webhook secret; web "
        "restarted without it and fails every webhook, so payments are never marked paid",
    )
    f.changes.append({
        "ts": at - 3 * M,
        "service": "web",
        "kind": "secrets",
        "from": "STRIPE_WEBHOOK_SECRET (set, digest 9f3c2a71)",
        "to": "STRIPE_WEBHOOK_SECRET (unset)",
        "author": "maria@tablely.example",
        "ref": f"01HQ{rng.getrandbits(60):015X}",
        "diff": "",
    })  # fmt: skip
    f.effects.append(Effect("web", "error_ratio", at, 0.07, relative=False))
    f.bursts += [
        Burst("web", at - 2 * M, 1, "info", "RUNNER Starting init (commit: 5dd2ecc)...", minutes=1),
        Burst("web", at, 12, "error", "StripeSignatureVerificationError: No signatures found matching the expected "
              "signature for payload. Are you passing the raw request body you received from Stripe?"),
        Burst("web", at, 12, "info", "POST /webhooks/stripe 500 - 3.118 ms"),
    ]  # fmt: skip
    return f


def page_n_plus_one(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "page_n_plus_one",
        "web",
        "recent_change",
        "rollback",
        "api",
        "ApiLatencyHigh",
        "a web release renders the floor plan with one query per table, straight to the database; on the busiest "
        "page the database's CPU is taken and the API, which shares it, slows",
    )
    f.changes.append(_release(at - 5 * M, "web", 318, rng))
    f.effects += [
        Effect("db", "cpu_utilization", at - 1 * M, 0.97, relative=False),
        Effect("api", "latency_p99", at, 6.0),
        Effect("api", "error_ratio", at + 1 * M, 0.05, relative=False),
        Effect("web", "latency_p99", at - 1 * M, 5.0),
    ]
    f.bursts += [
        Burst("db", at - 1 * M, 20, "warn", 'postgres | LOG:  duration: 1204.331 ms  statement: SELECT "public".'
              '"Table"."id", "public"."Table"."seats" FROM "public"."Table" WHERE "public"."Table"."id" = $1 LIMIT $2'),
        Burst("api", at + 1 * M, 8, "warn", "api::db: slow statement: 2.8 s for SELECT bookings by restaurant"),
        Burst("web", at - 1 * M, 6, "info", "GET /r/la-piazza/floor 200 - 4211.870 ms"),
    ]  # fmt: skip
    return f


def twilio_failing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "twilio_failing",
        "twilio",
        "dependency_failure",
        "escalate",
        "worker",
        "ReminderJobsFailing",
        "Twilio's messaging API answers most requests with 503; the worker's reminder texts fail and are retried",
    )
    f.effects.append(Effect("worker", "error_ratio", at, 0.6, relative=False))
    f.bursts.append(Burst("worker", at, 15, "error", '{"level":"ERROR","msg":"sending reminder SMS failed","job":'
                          '"reminders","booking":88213,"error":"POST https://api.twilio.com/2010-04-01/Accounts/'
                          'AC5f0b/Messages.json: 503 Service Unavailable"}'))  # fmt: skip
    f.failing_calls.append(("worker", "twilio"))
    return f


def valentines_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "valentines_rush",
        "api",
        "capacity",
        "scale",
        "api",
        "ApiLatencyHigh",
        "Valentine's Day: bookings at three and a half times any evening's; the API's two Machines are at their "
        "CPU and requests queue",
    )
    f.effects += [
        Effect("web", "request_rate", at - 5 * M, 3.5, ramp=4 * M),
        Effect("api", "request_rate", at - 5 * M, 3.5, ramp=4 * M),
        Effect("search", "request_rate", at - 5 * M, 3.0, ramp=4 * M),
        Effect("api", "cpu_utilization", at, 0.96, relative=False),
        Effect("api", "latency_p99", at, 5.0),
        Effect("api", "error_ratio", at + 1 * M, 0.04, relative=False),
        Effect("web", "latency_p99", at + 1 * M, 3.0),
    ]
    f.bursts.append(Burst("api", at + 1 * M, 6, "error", "api::http: service overloaded, shedding request "
                          "(in_flight=512)"))  # fmt: skip
    return f


def autostop_night(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "autostop_night",
        "web",
        "no_incident",
        "none",
        "web",
        "FlyMachinesStopped",
        "late at night the proxy stopped the web app's idle Machines, as configured; the alert counts stopped "
        "Machines, but every request was served (no incident)",
    )
    f.effects.append(Effect("web", "request_rate", at - 10 * M, 0.5, ramp=10 * M))
    f.bursts.append(Burst("web", at - 2 * M, 1, "info", "PROXY App tablely-web has excess capacity, autostopping "
                          "machine 148ed193b95489. 1 out of 3 machines left running (region=ams, process group=app)",
                          minutes=3))  # fmt: skip
    return f


FAULTS = [api_export_oom, volume_full, webhook_secret_unset, page_n_plus_one, twilio_failing, valentines_rush,
          autostop_night]  # fmt: skip
