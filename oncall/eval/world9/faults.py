"""World 9's faults, from public postmortems of freight and photo platforms: a host's connection
tracking table full, a database disk filled by write-ahead log an abandoned replication slot held, a
provider so slow that the caller's workers time out, a database's connection limit cut by config, a
gRPC service whose new release answers past its clients' message limit, a cache scaled in until the
database behind it saturates, a bucket policy that denies writes, an image built for the wrong CPU
architecture, and a planned database failover whose blip paged and healed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.telemetry import KEvent
from oncall.eval.world9.estates import KERNEL, Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record, front, pick_called

APPS = ("go", "grpc", "python", "node")


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"deploy/{svc}.nomad.hcl" if kind != "infra" else f"terraform/{svc}.tf"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"PR-{rng.randint(1000, 9999)}",
        diff=f'--- a/{path}\n+++ b/{path}\n@@ -12,1 +12,1 @@\n-  {key} = "{old}"\n+  {key} = "{new}"\n',
    )


def _says(tech: str, msg: str, err: str) -> str:
    """How a caller of each stack writes a failed call: go-kit and pino keep the error apart."""
    return f"{msg} | {err}" if tech in ("go", "grpc", "node") else err


def _caller_fails(f: Fault, e: Estate, peer: str, at: datetime, rate: float, texts: dict[str, str]) -> None:
    for c in e.callers(peer):
        tech = e.node(c).tech
        if tech in texts:
            f.effects.append(Effect(c, "error_ratio", at, rate, relative=False))
            f.bursts.append(Burst(c, at, 20, "error", texts[tech], peer=peer))


def conntrack_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, ("go", "grpc"))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "conntrack_full",
        svc,
        "resource_exhaustion",
        "config_change",
        front(e, svc),
        "HighLatency",
        f"the connection tracking table on {svc}'s host is full; new connections are dropped",
        also_accept=["network"],
    )
    f.effects += [Effect(svc, "error_ratio", at, 0.25, relative=False), Effect(svc, "latency_p99", at, 15.0)]
    f.bursts.append(Burst(svc, at, 40, "warn", KERNEL + "nf_conntrack: nf_conntrack: table full, dropping packet"))
    for i, dep in enumerate(e.node(svc).calls):
        dial = f"call to {dep} failed | dial tcp 10.0.4.{11 + i}:443: i/o timeout"
        f.bursts.append(Burst(svc, at, 10, "error", dial))
        f.failing_calls.append((svc, dep))  # its own calls fail, to whatever they go
    for c in e.callers(svc):
        f.effects.append(Effect(c, "latency_p99", at + M, 6.0))
        late = _says(e.node(c).tech, f"{svc} call failed", "context deadline exceeded")
        f.bursts.append(Burst(c, at + M, 8, "error", late, peer=svc))
    return f


def wal_disk_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = next(n.name for n in e.nodes if n.tech == "postgres")
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "wal_disk_full",
        db,
        "resource_exhaustion",
        "escalate",
        front(e, db),
        "HighErrorRate",
        f"{db}'s disk filled with write-ahead log held for an abandoned replication slot",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect(db, "disk_utilization", at - 6 * 60 * M, 1.0, relative=False, ramp=timedelta(hours=6)),
        Effect(db, "restarts", at + M, 1.0, relative=False, ramp=timedelta(0)),
        Effect(db, "error_ratio", at, 0.6, relative=False),
    ]
    f.bursts += [
        Burst(db, at, 2, "error", 'PANIC:  could not write to file "pg_wal/xlogtemp.2231": No space left on device'),
        Burst(db, at + M, 20, "error", "FATAL:  the database system is in recovery mode"),
    ]
    _caller_fails(
        f,
        e,
        db,
        at + M,
        0.5,
        {
            "go": "query failed | pq: the database system is in recovery mode",
            "python": f'psycopg2.OperationalError: connection to server at "{db}" (10.0.4.7), port 5432 failed: '
            "FATAL:  the database system is in recovery mode",
            "node": "query failed | Connection terminated unexpectedly",
        },
    )
    return f


def slow_provider_workers(e: Estate, rng: random.Random, t: datetime) -> Fault:
    ext = next(n.name for n in e.nodes if n.tech == "saas")
    svc = e.callers(ext)[0]
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "slow_provider_workers",
        ext,
        "dependency_failure",
        "escalate",
        front(e, svc),
        "HighLatency",
        f"{ext} answers in tens of seconds; {svc}'s gunicorn workers time out waiting on it",
    )
    f.effects += [Effect(svc, "latency_p99", at, 60.0), Effect(svc, "error_ratio", at, 0.3, relative=False)]
    f.bursts += [
        Burst(svc, at, 6, "error", "[CRITICAL] WORKER TIMEOUT (pid:4412)"),
        Burst(
            svc,
            at,
            15,
            "error",
            f"requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='{ext}.partners.example', port=443): "
            "Read timed out. (read timeout=30)",
            peer=ext,
        ),
    ]
    f.failing_calls.append((svc, ext))
    return f


def max_connections_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = next(n.name for n in e.nodes if n.tech == "postgres")
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "max_connections_cut",
        db,
        "recent_change",
        "rollback",
        front(e, db),
        "HighErrorRate",
        f"a config change cut {db}'s max_connections below what its clients hold open",
    )
    f.changes.append(change(at - 3 * M, db, "config", "max_connections", "400", "40", rng, "dba-team"))
    f.bursts.append(Burst(db, at, 30, "error", "FATAL:  sorry, too many clients already"))
    _caller_fails(
        f,
        e,
        db,
        at,
        0.3,
        {
            "go": "query failed | pq: sorry, too many clients already",
            "python": f'psycopg2.OperationalError: connection to server at "{db}" (10.0.4.7), port 5432 failed: '
            "FATAL:  sorry, too many clients already",
            "node": "query failed | sorry, too many clients already",
        },
    )
    return f


def grpc_message_size(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, ("grpc",))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "grpc_message_size",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"{svc}'s release answers with messages past its clients' 4 MB limit",
    )
    f.changes.append(change(at - 2 * M, svc, "deploy", "image", "2.14.0", "2.15.0", rng, "release-bot"))
    _caller_fails(
        f,
        e,
        svc,
        at,
        0.35,
        {
            "go": f"{svc} call failed | rpc error: code = ResourceExhausted desc = grpc: received message larger "
            "than max (5893112 vs. 4194304)",
            "node": f"{svc} call failed | 8 RESOURCE_EXHAUSTED: Received message larger than max (5893112 vs 4194304)",
        },
    )
    return f


def cache_scaled_in(e: Estate, rng: random.Random, t: datetime) -> Fault:
    cache = next(n.name for n in e.nodes if n.tech == "memcached")
    db = next(n.name for n in e.nodes if n.tech == "postgres")
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "cache_scaled_in",
        cache,
        "recent_change",
        "rollback",
        front(e, db),
        "HighLatency",
        f"{cache} was scaled in from 3 nodes to 1; misses send the reads to {db}, which saturates",
    )
    f.changes.append(change(at - 4 * M, cache, "scale", "count", "3", "1", rng, "cost-review"))
    f.effects += [
        Effect(cache, "memory_utilization", at - 2 * M, 0.99, relative=False),
        Effect(db, "request_rate", at, 4.0),
        Effect(db, "cpu_utilization", at + M, 0.97, relative=False),
        Effect(db, "latency_p99", at + M, 30.0),
    ]
    slow = "LOG:  duration: 2812.114 ms  statement: SELECT * FROM routes WHERE id = $1"
    f.bursts.append(Burst(db, at + M, 20, "info", slow))
    for c in e.callers(cache):
        if db in e.node(c).calls:
            f.effects += [
                Effect(c, "latency_p99", at + M, 8.0),
                Effect(c, "error_ratio", at + 2 * M, 0.05, relative=False),
            ]
            timeout = (
                "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout"
                if e.node(c).tech == "python"
                else _says(e.node(c).tech, "query failed", "pq: canceling statement due to statement timeout")
            )
            f.bursts.append(Burst(c, at + 2 * M, 6, "error", timeout, peer=db))
    return f


def bucket_policy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    bucket = next(n.name for n in e.nodes if n.tech == "bucket")
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "bucket_policy",
        bucket,
        "permission_denied",
        "rollback",
        front(e, bucket),
        "HighErrorRate",
        f"a policy change on {bucket} denies its writers PutObject",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - 2 * M, bucket, "infra", "put_object_effect", "Allow", "Deny", rng, "terraform-cloud"))
    _caller_fails(
        f,
        e,
        bucket,
        at,
        0.4,
        {
            "python": "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject "
            "operation: Access Denied",
            "node": "upload failed | AccessDenied: Access Denied",
            "grpc": "store thumbnail failed | operation error S3: PutObject, https response error StatusCode: 403, "
            "RequestID: 8F3B2C, api error AccessDenied: Access Denied",
        },
    )
    f.failing_calls += [(c, bucket) for c in e.callers(bucket)]
    return f


def wrong_architecture(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, APPS)
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "wrong_architecture",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"{svc}'s new image was built for arm64; its new instances cannot start on amd64 hosts",
    )
    f.changes.append(change(at - 2 * M, svc, "deploy", "image", "5.3.1", "5.4.0", rng, "ci"))
    f.effects += [
        Effect(svc, "restarts", at, 6.0, relative=False, ramp=10 * M),
        Effect(svc, "error_ratio", at, 0.2, relative=False),
        Effect(svc, "latency_p99", at, 3.0),
    ]
    if e.shipper == "journald":
        f.bursts += [
            Burst(svc, at, 4, "error", f"Failed to execute /opt/{svc}/bin/server: Exec format error"),
            Burst(svc, at, 4, "error", f"{svc}.service: Main process exited, code=exited, status=203/EXEC"),
        ]
    else:
        f.bursts.append(Burst(svc, at, 4, "error", "exec /app/server: exec format error"))
        backoff = f"Back-off restarting failed container {svc}"
        f.events.append(KEvent(svc, "BackOff", backoff, at, waiting="CrashLoopBackOff"))
    for c in e.callers(svc):
        if e.node(c).tech == "haproxy":
            f.bursts.append(
                Burst(
                    c,
                    at,
                    2,
                    "error",
                    f'Server be_{svc}/{svc}-03 is DOWN, reason: Layer4 connection problem, info: "Connection refused"',
                    peer=svc,
                )
            )
    return f


def planned_failover(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = next(n.name for n in e.nodes if n.tech == "postgres")
    caller = rng.choice(e.callers(db))
    f = Fault(
        "planned_failover",
        caller,
        "no_incident",
        "none",
        caller,
        "HighErrorRate",
        f"a planned minor-version upgrade failed {db} over; its clients' connections reset for a minute and healed",
    )
    f.changes.append(change(t - 7 * M, db, "infra", "engine_version", "15.6", "15.8", rng, "dba-team"))
    f.effects += [
        Effect(db, "restarts", t - 6 * M, 1.0, relative=False, ramp=timedelta(0), until=t - M),  # per 5 minutes
        Effect(caller, "error_ratio", t - 6 * M, 0.08, relative=False, ramp=timedelta(0), until=t - 4 * M),
    ]
    f.bursts.append(Burst(db, t - 6 * M, 3, "info", "LOG:  database system is ready to accept connections", minutes=1))
    tech = e.node(caller).tech
    reset = (
        "psycopg2.OperationalError: server closed the connection unexpectedly"
        if tech == "python"
        else _says(tech, "query failed", "read: connection reset by peer")
    )
    f.bursts.append(Burst(caller, t - 6 * M, 10, "warn", reset, minutes=2, peer=db))
    return f


FAULTS = [
    conntrack_full,
    wal_disk_full,
    slow_provider_workers,
    max_connections_cut,
    grpc_message_size,
    cache_scaled_in,
    bucket_policy,
    wrong_architecture,
    planned_failover,
]
