"""World 17's faults, from public postmortems, told in the words of programs no earlier world used:
php-fpm's worker limit cut in a config change (nginx times out on it, the workers stay idle-looking);
RabbitMQ's disk alarm blocking publishers (nothing changed); a release whose migration dropped an
index, so the database is the loud one; a transcoding worker killed for memory by one customer's huge
uploads (nothing changed); a payment provider's outage; a flag that made the web tier ask the
recommender once per course card; and a replication-lag alert during the nightly backup (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str,
           path: str | None = None) -> dict:  # fmt: skip
    path = path or f"k8s/{svc}/deployment.yaml"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"{rng.getrandbits(40):010x}",
        diff=f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -11,1 +11,1 @@\n-{key} = {old}\n"
        f"+{key} = {new}\n",
    )


def fpm_children_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "fpm_children_cut",
        "web",
        "recent_change",
        "rollback",
        "edge",
        "HighErrorRate",
        "a php-fpm pool change cut pm.max_children from 40 to 8 on web; requests queue for a worker and nginx "
        "times out waiting on the FastCGI socket",
        also_accept=["capacity"],
    )
    f.changes.append(change(at - 3 * M, "web", "config", "pm.max_children", "40", "8", rng, "j.okafor",
                            "php/fpm/pool.d/www.conf"))  # fmt: skip
    f.effects += [
        Effect("web", "latency_p99", at, 25.0),
        Effect("web", "request_rate", at, 0.35),
        Effect("edge", "error_ratio", at + M, 0.22, relative=False),
        Effect("edge", "latency_p99", at + M, 30.0),
    ]
    f.bursts += [
        Burst("web", at, 2, "warn", "WARNING: [pool www] server reached pm.max_children setting (8), consider "
              "raising it"),
        Burst("edge", at + M, 20, "error", 'upstream timed out (110: Connection timed out) while reading response '
              'header from upstream, client: 10.2.0.14, server: campus.example, request: "GET /courses/412 '
              'HTTP/1.1", upstream: "fastcgi://10.2.1.7:9000", host: "campus.example"'),
        Burst("edge", at + M, 30, "info", "GET /courses/412 504"),
    ]  # fmt: skip
    return f


def mq_disk_alarm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "mq_disk_alarm",
        "jobs-mq",
        "resource_exhaustion",
        "config_change",
        "api",
        "HighLatency",
        "dead-lettered messages filled jobs-mq's volume; RabbitMQ's disk alarm blocks every publishing "
        "connection, and api's uploads wait on publisher confirms",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("jobs-mq", "disk_utilization", at - 40 * M, 0.985, relative=False, ramp=40 * M),
        Effect("api", "latency_p99", at, 14.0),
        Effect("api", "error_ratio", at, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("jobs-mq", at, 0.2, "warn", "Free disk space is insufficient. Free bytes: 48211968. Limit: 50000000"),
        Burst("jobs-mq", at, 0.2, "warn", "disk resource limit alarm set on node 'rabbit@jobs-mq-0'.\n\n"
              "**********************************************************\n*** Publishers will be blocked until "
              "this alarm clears ***\n**********************************************************"),
        Burst("api", at + M, 12, "error", "Bunny::ConnectionClosedError (connection is blocked by the broker: "
              "low on disk) in Uploads::EnqueueTranscode"),
    ]  # fmt: skip
    return f


def migration_dropped_index(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "migration_dropped_index",
        "api",
        "recent_change",
        "rollback",
        "api",
        "HighLatency",
        "api's release ran a migration that replaced the index on enrollments(user_id) by one on "
        "enrollments(course_id); every enrollment lookup scans the table and course-db's CPU is pinned",
    )
    f.changes.append(change(at - 2 * M, "api", "deploy", "image", "registry.campus.example/api:2026.47.1",
                            "registry.campus.example/api:2026.48.0", rng, "deploybot"))  # fmt: skip
    f.effects += [
        Effect("course-db", "cpu_utilization", at, 0.97, relative=False),
        Effect("api", "latency_p99", at, 22.0),
        Effect("api", "error_ratio", at + M, 0.07, relative=False),
        Effect("web", "latency_p99", at + M, 3.0),
        Effect("search", "latency_p99", at + M, 2.5),
    ]
    f.bursts += [
        Burst("course-db", at, 25, "info", "# Query_time: 8.412331  Lock_time: 0.000112 Rows_sent: 14  "
              "Rows_examined: 4812331"),
        Burst("api", at + M, 6, "error", "Mysql2::Error::TimeoutError (Timeout waiting for a response from the "
              "last query. (waited 10 seconds)) in EnrollmentsController#index"),
    ]  # fmt: skip
    return f


def transcoder_oom_huge_input(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "transcoder_oom_huge_input",
        "transcoder",
        "resource_exhaustion",
        "config_change",
        "transcoder",
        "ContainerRestartingOften",
        "one customer uploaded a batch of 4K, three-hour lectures; each render holds the whole file in memory "
        "and the kernel kills the worker over and over",
    )
    f.effects += [
        Effect("transcoder", "memory_utilization", at - 2 * M, 1.0, relative=False, ramp=2 * M),
        Effect("transcoder", "restarts", at, 3.0, relative=False),
    ]
    f.bursts += [
        Burst("transcoder", at, 2, "error", "Process 'ForkPoolWorker-2' pid:412 exited with 'signal 9 (SIGKILL)'"),
        Burst("transcoder", at, 2, "error", "Task transcode.render[9a1e7c44-0b2d-4f6e-8c1a-5d3e2f1a0b9c] raised "
              "unexpected: WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) Job: 17.')"),
    ]  # fmt: skip
    return f


def payment_provider_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "payment_provider_outage",
        "paygate",
        "dependency_failure",
        "escalate",
        "api",
        "HighErrorRate",
        "the card payment provider's API stopped answering in our region; api's checkout calls time out",
    )
    f.effects += [
        Effect("api", "error_ratio", at, 0.14, relative=False),
        Effect("api", "latency_p99", at, 8.0),
        Effect("edge", "error_ratio", at + M, 0.03, relative=False),
    ]
    f.bursts.append(Burst("api", at, 10, "error", "Faraday::ConnectionFailed (Failed to open TCP connection to "
                          "api.paygate.example:443 (execution expired)) in CheckoutController#create"))  # fmt: skip
    f.failing_calls.append(("api", "paygate"))
    return f


def card_recs_flag(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "card_recs_flag",
        "web",
        "recent_change",
        "rollback",
        "recs",
        "HighLatency",
        "a flag turned on for everyone made web ask recs once per course card instead of once per page; recs "
        "runs out of CPU under eight times its traffic",
    )
    f.changes.append(change(at - 2 * M, "web", "flag", "course_card_recommendations", "off", "on", rng,
                            "growth-team", "flags/web.yaml"))  # fmt: skip
    f.effects += [
        Effect("recs", "request_rate", at - M, 8.0, ramp=M),
        Effect("recs", "cpu_utilization", at, 0.98, relative=False),
        Effect("recs", "latency_p99", at, 12.0),
        Effect("recs", "error_ratio", at + M, 0.09, relative=False),
        Effect("web", "latency_p99", at + M, 3.5),
    ]
    f.bursts.append(Burst("recs", at + M, 8, "error", '{"level":"error","path":"/v1/recs","status":503,'
                          '"error":"shed: 512 requests in flight"}'))  # fmt: skip
    return f


def backup_replica_lag(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(15, 30) * M
    f = Fault(
        "backup_replica_lag",
        "course-db",
        "no_incident",
        "none",
        "course-db",
        "MySQLReplicationLagHigh",
        "the nightly backup on the replica holds a lock that delays replication by a few minutes, as every "
        "night; no reader sees an error",
    )
    f.effects.append(Effect("course-db", "cpu_utilization", at, 0.62, relative=False, until=at + 25 * M))
    f.bursts.append(Burst("course-db", at, 0.2, "info", "[Note] [MY-011825] [Xtrabackup] Starting to backup "
                          "non-InnoDB tables and files", minutes=10))  # fmt: skip
    return f


FAULTS = [fpm_children_cut, mq_disk_alarm, migration_dropped_index, transcoder_oom_huge_input,
          payment_provider_outage, card_recs_flag, backup_replica_lag]  # fmt: skip
