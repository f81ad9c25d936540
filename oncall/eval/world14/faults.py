"""World 14's faults, from public postmortems of shapes no earlier world has: a token issuer whose clock
ran ahead (its tokens are "not yet valid" wherever they are checked, by services that never call it); a
connection pooler switched to transaction pooling under clients that use server-side prepared
statements; a Redis failover after which one service keeps writing to the old primary, now a replica
(a restart makes it look the primary up again); a log shipper's upgrade leaking memory until the
kernel's OOM killer takes the application beside it; and a target alert for a service that was
retired on purpose the day before."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.world14.estates import KERNEL, Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"ansible/roles/{svc}/defaults/main.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -4,1 +4,1 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def issuer_clock_ahead(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "issuer_clock_ahead",
        "auth",
        "expired_credential",
        "escalate",
        "web-api",
        "HighErrorRate",
        "chrony on auth's host lost its sources and the clock ran ahead; every token auth issues is 'not yet "
        "valid' where accounts and payments check it",
        also_accept=["network"],
    )
    for svc, lag in (("accounts", 0), ("payments", 0), ("web-api", 1)):
        f.effects.append(Effect(svc, "error_ratio", at + lag * M, 0.45, relative=False))
    f.bursts += [
        Burst("accounts", at, 30, "error", "JWT rejected: io.jsonwebtoken.PrematureJwtException: JWT must not be "
              "accepted before 2026-06-01T10:14:02Z. Current time: 2026-06-01T10:09:41Z"),
        Burst("payments", at, 15, "error", "request refused: jwt.exceptions.ImmatureSignatureError: The token is not "
              "yet valid (iat)"),
        Burst("web-api", at + M, 20, "error", "downstream call failed: accounts responded 401 Unauthorized"),
        Burst("auth", at - 30 * M, 2, "warn", "chronyd[611]: Can't synchronise: no selectable sources", minutes=90),
    ]  # fmt: skip
    return f


def pooler_mode_changed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "pooler_mode_changed",
        "pgbouncer",
        "recent_change",
        "rollback",
        "web-api",
        "HighErrorRate",
        "pgbouncer's pool_mode went from session to transaction; the Java services' JDBC driver uses server-side "
        "prepared statements, which do not survive a transaction pool",
    )
    f.changes.append(change(at - 2 * M, "pgbouncer", "config", "pool_mode", "session", "transaction", rng, "dba"))
    f.effects += [
        Effect("accounts", "error_ratio", at, 0.4, relative=False),
        Effect("web-api", "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("accounts", at, 40, "error", 'Failed to load account: org.postgresql.util.PSQLException: ERROR: '
              'prepared statement "S_3" does not exist'),
        Burst("web-api", at + M, 20, "error", "downstream call failed: accounts responded 500 Internal Server Error"),
        Burst("pgbouncer", at - 2 * M, 1, "info", "RELOAD command issued", minutes=1),
    ]  # fmt: skip
    return f


def stale_redis_primary(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "stale_redis_primary",
        "payments",
        "dependency_failure",
        "restart",
        "payments",
        "HighErrorRate",
        "a planned Redis failover promoted the replica; payments kept its connections to the old primary, now a "
        "read-only replica, and every write fails until it reconnects",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - M, "redis", "infra", "primary", "redis-01", "redis-02", rng, "sre-oncall"))
    f.effects.append(Effect("payments", "error_ratio", at, 0.6, relative=False))
    f.bursts += [
        Burst("payments", at, 40, "error", "idempotency lock failed: redis.exceptions.ReadOnlyError: You can't "
              "write against a read only replica."),
        Burst("redis", at - M, 1, "info", "* MASTER MODE enabled (user request from 'id=11 addr=10.9.2.7:40122')",
              minutes=1),
        Burst("accounts", at - M, 2, "warn", "Redis connection reset; reconnected to redis-02:6379", minutes=1),
    ]  # fmt: skip
    return f


def shipper_leak_oom(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = rng.choice(["accounts", "payments"])
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "shipper_leak_oom",
        "log-shipper",
        "recent_change",
        "rollback",
        svc,
        "ServiceRestarting",
        f"the log shipper's upgrade leaks memory on every host; the kernel's OOM killer took {svc}'s process",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(
        change(t - timedelta(hours=3), "log-shipper", "deploy", "filebeat_version", "8.11.4", "8.12.2", rng, "obs")
    )
    f.effects += [
        Effect("log-shipper", "memory_utilization", t - timedelta(hours=3), 0.92, relative=False, ramp=150 * M),
        Effect(svc, "restarts", at, 3.0, relative=False),
        Effect(svc, "error_ratio", at, 0.2, relative=False),
    ]
    proc = "java" if svc == "accounts" else "python3"
    f.bursts += [
        Burst(svc, at, 2, "info", f"{KERNEL}Out of memory: Killed process 4321 ({proc}) total-vm:8123456kB, "
              "anon-rss:1012344kB, file-rss:0kB, shmem-rss:0kB, UID:998 pgtables:4112kB oom_score_adj:0"),
        Burst(svc, at, 2, "info", f"{KERNEL}[   2211]     0  2211  3894120  3101776 26411008   0   0 filebeat"),
        Burst("log-shipper", t - timedelta(hours=2), 1, "warn", "Harvester could not keep up: 18234 events queued",
              minutes=150),
    ]  # fmt: skip
    return f


def retired_target(e: Estate, rng: random.Random, t: datetime) -> Fault:
    f = Fault(
        "retired_target",
        "reports",
        "no_incident",
        "none",
        "reports",
        "TargetDown",
        "reports was retired yesterday (its VMs stopped on purpose); the scrape target was left in the config",
    )
    f.changes.append(change(t - timedelta(hours=20), "reports", "scale", "instances", "2", "0", rng, "platform"))
    f.effects += [
        Effect("reports", sig, t - timedelta(hours=20), 0.0, relative=False, ramp=M)
        for sig in ("request_rate", "cpu_utilization", "memory_utilization")
    ]
    return f


FAULTS = [issuer_clock_ahead, pooler_mode_changed, stale_redis_primary, shipper_leak_oom, retired_target]
