"""World 87's faults, from scaling, deploy, memory, credential, provider, disk and routine incidents, in this
estate's words: the api scaled from two replicas to eight, each with its own connection pool, past Postgres'
hundred connections (scale it back); a worker release whose reminder job raises on lessons with no tutor time
zone, Sidekiq retrying each (roll it back); Redis at its maxmemory with noeviction, sessions kept without an
expiry for weeks, every write refused (raise its memory); the api's Stripe key variable replaced with the
test-mode key (put the live key back); Postmark failing every send (the provider's, escalate); Postgres' volume
filled by the WAL an abandoned replication slot keeps (grow the volume); and the newsletter's evening (no
incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

S = timedelta(seconds=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's script saves Railway's deployments and variable changes."""
    path = f"services/{svc}/railway.json"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(128):032x}"[:12],
        "diff": code or f'--- a/{path}\n+++ b/{path}\n@@ -6 +6 @@\n-    "{key}": "{old}"\n+    "{key}": "{new}"\n',
    }


def replicas_exhaust_connections(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "replicas_exhaust_connections",
        "api",
        "recent_change",
        "rollback",
        "api",
        "ApiErrors",
        "the api was scaled from two replicas to eight for the evening; each opens a pool of up to twenty "
        "connections, past Postgres' max_connections of 100; new connections are refused and bookings fail; "
        "scale the api back (or shrink its pool) before adding replicas",
    )
    f.changes.append(change(at - 2 * M, "api", "scale", "deploy.numReplicas", "2", "8", rng, "rita@falar.pt",
                            code='--- a/services/api/railway.json\n+++ b/services/api/railway.json\n@@ -4 +4 @@\n'
                                 '-    "numReplicas": 2,\n+    "numReplicas": 8,\n'))  # fmt: skip
    f.effects += [
        Effect("api", "error_ratio", at, 0.3, relative=False),
        Effect("api", "latency_p99", at, 4.0, relative=False),
        Effect("postgres", "cpu_utilization", at - M, 0.7, relative=False),
        Effect("web", "error_ratio", at + M, 0.2, relative=False),
        Effect("scheduler", "error_ratio", at + M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 10, "error", "FATAL:  sorry, too many clients already"),
        Burst("api", at, 8, "error", "ERROR [falar.bookings] booking failed lesson={n}{k}{k}4|exc|psycopg."
              "OperationalError|connection failed: connection to server at \"postgres.railway.internal\" "
              "(fd12:3456::2), port 5432 failed: FATAL:  sorry, too many clients already"),
        Burst("api", at, 6, "info", 'INFO:     10.250.{k}.{n}:0 - "POST /v1/bookings HTTP/1.1" 500 Internal Server '
              "Error"),
        Burst("web", at + M, 5, "error", "message=api call failed | path=/book/{n}{k} | status=500|exc|"
              "FetchError|POST http://api.railway.internal:8000/v1/bookings answered 500"),
    ]  # fmt: skip
    return f


def reminder_job_raises(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "reminder_job_raises",
        "worker",
        "recent_change",
        "rollback",
        "worker",
        "ReminderJobsFailing",
        "a worker release formats each reminder in the tutor's own time zone; tutors who never set one have none "
        "and the job raises NoMethodError for their lessons; Sidekiq retries each, the retry set grows and "
        "reminders go out late or not at all; roll the release back",
    )
    f.changes.append(change(at - 3 * M, "worker", "deploy", "source.image", "worker:2.14.0", "worker:2.15.0", rng,
                            "railway"))  # fmt: skip
    f.effects += [
        Effect("worker", "error_ratio", at, 0.35, relative=False),
        Effect("worker", "request_rate", at, 1.8, ramp=4 * M),
    ]
    f.bursts += [
        Burst("worker", at, 12, "error", "msg=fail | class=ReminderJob | jid={n}c{k}a{k}e | elapsed=0.0{k}|exc|"
              "NoMethodError|undefined method `strftime' for nil:NilClass"),
        Burst("worker", at + M, 8, "warn", "msg=retrying | class=ReminderJob | jid={n}c{k}a{k}e | retry_count={k}"),
    ]  # fmt: skip
    return f


def redis_maxmemory(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "redis_maxmemory",
        "redis",
        "resource_exhaustion",
        "scale",
        "api",
        "ApiErrors",
        "sessions have been kept in Redis without an expiry for weeks; Redis reached its maxmemory with the "
        "noeviction policy and refuses every write with OOM; logins and the scheduler's job pushes fail; raise "
        "Redis' memory now, then give sessions an expiry",
    )
    f.effects += [
        Effect("redis", "memory_utilization", t - 180 * M, 1.0, relative=False, ramp=180 * M - (t - at)),
        Effect("api", "error_ratio", at, 0.25, relative=False),
        Effect("scheduler", "error_ratio", at, 0.5, relative=False),
        Effect("web", "error_ratio", at + M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("api", at, 7, "error", "ERROR [falar.sessions] session save failed user=u{n}{k}|exc|redis.exceptions."
              "OutOfMemoryError|command not allowed when used memory > 'maxmemory'."),
        Burst("scheduler", at, 4, "error", "message=enqueue failed | queue=reminders | tutor=t{k}{n}|exc|OOM "
              "command not allowed when used memory > 'maxmemory'."),
    ]  # fmt: skip
    return f


def stripe_test_key(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "stripe_test_key",
        "api",
        "recent_change",
        "rollback",
        "api",
        "PaymentsFailing",
        "the api's STRIPE_SECRET_KEY variable was replaced with the test-mode key while someone set up a staging "
        "environment; the api redeployed with it and Stripe finds none of the live customers; put the live key "
        "back",
    )
    f.changes.append(change(at - 2 * M, "api", "variables", "STRIPE_SECRET_KEY", "(sealed)", "(sealed)", rng,
                            "joao@falar.pt", code="variables changed: STRIPE_SECRET_KEY\n"))  # fmt: skip
    f.effects += [
        Effect("api", "error_ratio", at, 0.2, relative=False),
        Effect("worker", "error_ratio", at + 2 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("api", at, 6, "error", "ERROR [falar.payments] charge failed lesson={n}{k}{k}4|exc|stripe._error."
              "InvalidRequestError|Request req_{n}Qk{k}Lm: No such customer: 'cus_P{n}x{k}Rt'; a similar object "
              "exists in live mode, but a test mode key was used to make this request."),
        Burst("worker", at + 2 * M, 3, "error", "msg=fail | class=PayoutJob | jid={n}b{k}e{k}d|exc|Stripe::"
              "InvalidRequestError|No such destination: 'acct_1N{n}x{k}'; a similar object exists in live mode, but "
              "a test mode key was used to make this request."),
    ]  # fmt: skip
    f.failing_calls += [("api", "stripe"), ("worker", "stripe")]
    return f


def postmark_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "postmark_down",
        "postmark",
        "dependency_failure",
        "escalate",
        "worker",
        "ReminderJobsFailing",
        "Postmark's API answers 503 to every send; the worker's reminder and receipt jobs fail and Sidekiq keeps "
        "retrying them; nothing of ours changed; the provider's, escalate to Postmark",
    )
    f.effects += [Effect("worker", "error_ratio", at, 0.6, relative=False)]
    f.bursts += [
        Burst("worker", at, 10, "error", "msg=fail | class=ReminderJob | jid={n}c{k}a{k}e | elapsed=10.0{k}|exc|"
              "Postmark::InternalServerError|The service is unavailable (503)"),
    ]  # fmt: skip
    f.failing_calls.append(("worker", "postmark"))
    return f


def wal_fills_volume(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "wal_fills_volume",
        "postgres",
        "resource_exhaustion",
        "scale",
        "api",
        "ApiErrors",
        "the analytics connector paused three weeks ago left its logical replication slot behind; Postgres keeps "
        "every WAL segment since for it and the volume filled; Postgres cannot write and the api's bookings fail; "
        "grow the volume now, then drop the slot",
    )
    f.effects += [
        Effect("postgres", "disk_utilization", t - 240 * M, 1.0, relative=False, ramp=240 * M - (t - at)),
        Effect("api", "error_ratio", at, 0.4, relative=False),
        Effect("web", "error_ratio", at + M, 0.25, relative=False),
        Effect("worker", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 6, "error", 'PANIC:  could not write to file "pg_wal/xlogtemp.{n}{k}": No space left '
              "on device"),
        Burst("postgres", at, 2, "info", "LOG:  server process (PID 3{n}{k}) was terminated by signal 6: Aborted"),
        Burst("api", at, 8, "error", "ERROR [falar.bookings] booking failed lesson={n}{k}{k}4|exc|psycopg."
              "OperationalError|consuming input failed: server closed the connection unexpectedly"),
    ]  # fmt: skip
    return f


def newsletter_evening(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "newsletter_evening",
        "api",
        "no_incident",
        "none",
        "api",
        "ApiLatencyHigh",
        "the monthly newsletter went out at six; visits and lesson searches doubled and the api's p99 rose a "
        "little while every request was answered; nothing fails (no incident)",
    )
    f.changes.append(change(at - 2 * M, "web", "campaign", "newsletter", "draft", "sent (March, 41,210 "
                            "recipients)", rng, "marketing"))  # fmt: skip
    for svc in ("web", "api"):
        f.effects.append(Effect(svc, "request_rate", at, 2.0, ramp=4 * M, until=at + 50 * M))
    f.effects += [Effect("api", "latency_p99", at, 1.7, ramp=3 * M, until=at + 50 * M)]
    return f


FAULTS = [replicas_exhaust_connections, reminder_job_raises, redis_maxmemory, stripe_test_key, postmark_down,
          wal_fills_volume, newsletter_evening]  # fmt: skip
