"""World 71's faults, from payment-gateway, Redis, PostGIS, PHP-FPM, PostgreSQL and certificate incidents, in this
estate's words: Windcave's API failing for every merchant (escalate); the notifications worker's release keeping
every completed BullMQ job until Redis refuses writes at its maxmemory, the web app's sessions with it (roll back);
the matcher's migration dropping the jobs' PostGIS index, every match a sequential scan until PostgreSQL's CPU is
spent (roll back); a configuration push cutting PHP-FPM's pm.max_children from 50 to 5 (put it back); a
replication slot left behind by a decommissioned replica holding WAL until the database's disk is full (drop the
slot); HAProxy's renewed certificate installed without its intermediate, refused by the Android app (put the
chain back); and the nightly pg_dump slowing the API a little (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the Ansible runs from the ops repository record it (a deploy: the release's tag)."""
    path = f"group_vars/{svc}.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"ansible run {rng.randint(100000, 999999)} (tradie/ops@{rng.getrandbits(28):07x})",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -6 +6 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def windcave_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "windcave_outage",
        "windcave",
        "dependency_failure",
        "escalate",
        "invoicing",
        "InvoicePaymentsFailing",
        "Windcave's REST API answers 503 to every merchant (its status page says so); invoices cannot be charged; "
        "nothing of ours changed; escalate to Windcave and let Sidekiq's retries carry the backlog",
    )
    f.bursts += [
        Burst("invoicing", at, 10, "error", "pid=8 tid=ox{hex} class=InvoiceJob jid={hex} ERROR: Windcave::ApiError: "
              "POST https://sec.windcave.com/api/v1/transactions returned 503 Service Unavailable"),
        Burst("invoicing", at, 10, "warn", "pid=8 tid=ox{hex} class=InvoiceJob jid={hex} WARN: retrying in {n}s"),
        Burst("web", at + 1 * M, 4, "error", "[{local}] production.ERROR: Payment for booking {n}{k}41 failed: "
              "invoicing reported Windcave 503"),
    ]  # fmt: skip
    f.failing_calls.append(("invoicing", "windcave"))
    return f


JOBS_DIFF = (
    "--- a/src/queues.js\n+++ b/src/queues.js\n@@ -9,3 +9,3 @@\n const defaultJobOptions = {\n"
    "-  removeOnComplete: 1000,\n+  removeOnComplete: false, // keep history for the new dashboard\n"
)
OOM = "OOM command not allowed when used memory > 'maxmemory'."


def bullmq_jobs_kept(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    release = t - timedelta(hours=4, minutes=rng.randint(0, 40))
    f = Fault(
        "bullmq_jobs_kept",
        "notifications",
        "recent_change",
        "rollback",
        "web",
        "WebErrors",
        "notifications 2.6.0 keeps every completed BullMQ job; Redis filled for four hours until it refuses writes "
        "at maxmemory (noeviction), and the web app cannot store its sessions; roll notifications back and trim "
        "the completed jobs",
    )
    f.changes.append(change(release, "notifications", "deploy", "version", "2.5.3", "2.6.0", rng, "ansible",
                            code=JOBS_DIFF))  # fmt: skip
    f.effects += [
        Effect("redis", "memory_utilization", release, 0.99, relative=False, ramp=at - release),
        Effect("web", "error_ratio", at, 0.4, relative=False),
        Effect("lb", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("web", at, 14, "error", "[{local}] production.ERROR: Predis\\Response\\ServerException: " + OOM),
        Burst("notifications", at, 6, "error", '{{"level":50,"time":{ms},"pid":41,"hostname":"notify-1","msg":'
              '"job failed to complete","err":{{"type":"ReplyError","message":"' + OOM + '"}}}}'),
    ]  # fmt: skip
    return f


INDEX_DIFF = (
    "--- a/migrations/0042_jobs_location.up.sql\n+++ b/migrations/0042_jobs_location.up.sql\n@@ -1,2 +1,3 @@\n"
    " ALTER TABLE jobs ALTER COLUMN location TYPE geography(Point, 4326);\n"
    "+DROP INDEX IF EXISTS jobs_location_gist;\n"
)


def geo_index_dropped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "geo_index_dropped",
        "matcher",
        "recent_change",
        "rollback",
        "api",
        "ApiLatencyHigh",
        "matcher 3.4.0's migration dropped the jobs' GiST index; every match is a sequential scan over the jobs "
        "table, PostgreSQL's CPU is spent, and the API's queries wait behind them; roll back and recreate the index",
    )
    f.changes.append(change(at - 3 * M, "matcher", "deploy", "version", "3.3.9", "3.4.0", rng, "ansible",
                            code=INDEX_DIFF))  # fmt: skip
    f.effects += [
        Effect("postgres", "cpu_utilization", at, 0.99, relative=False),
        Effect("matcher", "latency_p99", at, 25.0),
        Effect("api", "latency_p99", at + 1 * M, 8.0),
        Effect("api", "error_ratio", at + 2 * M, 0.1, relative=False),
        Effect("web", "latency_p99", at + 1 * M, 4.0),
    ]
    f.bursts += [
        Burst("postgres", at, 12, "info", "[{n}1{k}]: [2-1] user=matcher,db=tradie LOG:  duration: 8{n}12.4 ms  "
              "statement: SELECT id FROM jobs WHERE ST_DWithin(location, $1, 25000) AND status = 'open'"),
        Burst("api", at + 2 * M, 8, "error", '{{"asctime": "{local}", "levelname": "ERROR", "name": "django.request",'
              ' "message": "Internal Server Error: /api/v2/jobs/match", "exc_info": "django.db.utils.OperationalError:'
              ' canceling statement due to statement timeout"}}'),
    ]  # fmt: skip
    return f


def fpm_children_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "fpm_children_cut",
        "web",
        "recent_change",
        "rollback",
        "web",
        "WebSlow",
        "an Ansible run set php_fpm_pm_max_children to 5 (a copy of the staging value; it was 50); PHP-FPM queues "
        "every request beyond five and HAProxy times them out; put the setting back",
    )
    f.changes.append(change(at - 2 * M, "web", "config", "php_fpm_pm_max_children", "50", "5", rng, "ansible"))
    f.effects += [
        Effect("web", "latency_p99", at, 12.0),
        Effect("web", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("web", "cpu_utilization", at, 0.2, relative=False),
        Effect("lb", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("web", at, 1, "warn", "[pool www] server reached pm.max_children setting (5), consider raising it"),
        Burst("lb", at + 1 * M, 10, "info", '10.0.{k}.{n}:5{n}12 [{clf}] https~ web/web1 0/3{n}01/-1/-1/30001 504 '
              '194 - - sH-- 88/88/86/5/0 0/41 "GET /jobs/{n}{k}1 HTTP/1.1"'),
    ]  # fmt: skip
    return f


def wal_slot_left_behind(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    removed = t - timedelta(days=6, hours=rng.randint(0, 12))
    f = Fault(
        "wal_slot_left_behind",
        "postgres",
        "resource_exhaustion",
        "config_change",
        "api",
        "ApiErrors",
        "the replica db-2 was decommissioned six days ago but its replication slot was not dropped; the primary has "
        "kept every WAL segment since, its disk is full, and every write fails; drop the slot",
    )
    f.changes.append(change(removed, "postgres", "config", "replicas", "[db-1, db-2]", "[db-1]", rng, "ansible"))
    f.effects += [
        Effect("postgres", "disk_utilization", removed, 1.0, relative=False, ramp=at - removed),
        Effect("api", "error_ratio", at, 0.6, relative=False),
        Effect("web", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("lb", "error_ratio", at + 1 * M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 8, "critical", "[{n}1{k}]: [1-1] PANIC:  could not write to file "
              "\"pg_wal/xlogtemp.{n}1{k}\": No space left on device"),
        Burst("api", at, 12, "error", '{{"asctime": "{local}", "levelname": "ERROR", "name": "django.request", '
              '"message": "Internal Server Error: /api/v2/bookings", "exc_info": "django.db.utils.OperationalError: '
              'server closed the connection unexpectedly"}}'),
        Burst("web", at + 1 * M, 8, "error", "[{local}] production.ERROR: SQLSTATE[08006] [7] FATAL:  the database "
              "system is in recovery mode"),
    ]  # fmt: skip
    return f


def chain_without_intermediate(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "chain_without_intermediate",
        "lb",
        "recent_change",
        "rollback",
        "lb",
        "AppRequestsDropped",
        "the renewed certificate was installed on HAProxy without its intermediate; browsers fetch it themselves, "
        "but the Android app refuses the chain, so the app's requests stopped arriving; put the full chain back",
    )
    f.changes.append(change(at - 2 * M, "lb", "certificate", "ssl_crt", "tradie.co.nz.pem (fullchain, 2026-09)",
                            "tradie.co.nz.pem (leaf only, 2026-12)", rng, "certbot"))  # fmt: skip
    f.effects += [
        Effect("lb", "request_rate", at, 0.55, ramp=M),
        Effect("api", "request_rate", at, 0.35, ramp=M),
    ]
    f.bursts += [
        Burst("lb", at, 30, "info", "10.0.{k}.{n}:5{n}12 [{clf}] https/1: SSL handshake failure"),
    ]  # fmt: skip
    return f


def nightly_dump(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "nightly_dump",
        "api",
        "no_incident",
        "none",
        "api",
        "ApiLatencyHigh",
        "the nightly pg_dump began at two; PostgreSQL's CPU and the API's p99 rise a little while it runs; nothing "
        "fails and it ends by itself; no incident",
    )
    f.effects += [
        Effect("postgres", "cpu_utilization", at, 0.75, relative=False),
        Effect("api", "latency_p99", at, 1.8),
    ]
    f.bursts += [
        Burst("postgres", at, 0.2, "info", "[{n}1{k}]: [1-1] user=backup,db=tradie LOG:  connection authorized: "
              "user=backup database=tradie application_name=pg_dump", minutes=2),
    ]  # fmt: skip
    return f


FAULTS = [windcave_outage, bullmq_jobs_kept, geo_index_dropped, fpm_children_cut, wal_slot_left_behind,
          chain_without_intermediate, nightly_dump]  # fmt: skip
