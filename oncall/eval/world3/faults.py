"""World 3's fault shapes, from public postmortems (connection pools cut by config, volumes that
fill, internal certificates that lapse, batch jobs rescheduled into peak, ZooKeeper fsync stalls,
nil-pointer deploys, heap exhaustion, real traffic surges, slow burns that began hours before the
page, telemetry that stopped arriving, and alerts that were only noise). Each is told through the
telemetry it would leave; none reuses a wording of worlds 1 or 2."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.world3.estates import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def diff(path: str, lines: list[tuple[str, str]], context: str) -> str:
    body = "".join(f"-{a}\n+{b}\n" for a, b in lines)
    return f"--- a/{path}\n+++ b/{path}\n@@ -10,{len(lines) + 1} +10,{len(lines) + 1} @@\n {context}\n{body}"


def change(at: datetime, svc: str, kind: str, old: str, new: str, d: str, who: str, rng: random.Random) -> dict:
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": old,
        "to": new,
        "author": who,
        "ref": f"!{rng.randint(1000, 9999)}",
        "diff": d,
    }


def path(e: Estate, svc: str, f: str = "values.yaml") -> str:
    return f"charts/{svc}/{f}" if e.name == "ledger" else f"env/prod/{svc}/{f}"


def front(e: Estate, svc: str) -> str:
    """The service users feel when `svc` fails: a caller that is not infrastructure, else itself."""
    callers = [c for c in e.callers(svc) if not e.node(c).shared]
    return callers[0] if callers else svc


def choose(e: Estate, rng: random.Random, styles: tuple[str, ...], callers: bool = True) -> str:
    fits = [n.name for n in e.nodes if n.style in styles and not n.shared]
    return rng.choice([n for n in fits if e.callers(n) or not callers] or fits)


def pool_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = choose(e, rng, ("spring", "python"))
    at = t - rng.randint(9, 16) * M
    f = Fault(
        "pool_cut",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "ApiLatencyHigh",
        f"a config change cut {svc}'s database pool",
        also_accept=["resource_exhaustion"],
    )
    key = "maximumPoolSize" if e.node(svc).style == "spring" else "pool_size"
    f.changes.append(
        change(
            at - 4 * M,
            svc,
            "config",
            "100",
            "10",
            diff(path(e, svc), [(f"    {key}: 100", f"    {key}: 10")], "  datasource:"),
            "j.okafor",
            rng,
        )
    )
    msg = (
        "HikariPool-1 - Connection is not available, request timed out after 30000ms."
        if e.node(svc).style == "spring"
        else "QueuePool limit of size 10 overflow 0 reached, connection timed out, timeout 30.00"
    )
    f.bursts.append(Burst(svc, at, 25, "error", msg))
    f.effects += [
        Effect(svc, "pool_utilization", at, 1.0, relative=False),
        Effect(svc, "latency_p99", at, 40.0),
        Effect(f.alert_service, "latency_p99", at + M, 20.0),
    ]
    return f


def volume_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    store = rng.choice([n.name for n in e.nodes if n.style in ("postgres", "clickhouse")])
    at = t - rng.randint(6, 12) * M
    user = e.callers(store)[0]
    f = Fault(
        "volume_full",
        store,
        "resource_exhaustion",
        "scale",
        front(e, user),
        "ErrorBudgetBurn",
        f"{store}'s data volume filled up",
    )
    msg = (
        'could not extend file "base/16385/24611.7": No space left on device'
        if e.node(store).style == "postgres"
        else "Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)"
    )
    f.bursts += [
        Burst(store, at, 15, "error", msg),
        Burst(user, at + M, 20, "error", f"write to {store} failed: {msg}"),
    ]
    f.effects += [
        Effect(store, "disk_utilization", at - 50 * M, 1.0, relative=False, ramp=50 * M),
        Effect(user, "error_ratio", at + M, 0.4, relative=False),
        Effect(f.alert_service, "error_ratio", at + 2 * M, 0.2, relative=False),
    ]
    return f


def internal_cert_lapsed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = choose(e, rng, ("spring", "klog", "python"))
    at = t - rng.randint(5, 11) * M
    callers = e.callers(svc)
    f = Fault(
        "internal_cert_lapsed",
        svc,
        "expired_credential",
        "config_change",
        front(e, svc),
        "ErrorBudgetBurn",
        f"{svc}'s serving certificate expired; its callers refuse the handshake",
    )
    for c in callers:
        f.bursts.append(
            Burst(
                c,
                at,
                20,
                "error",
                f'Get "https://{svc}.{e.namespace}.svc:8443/v1": x509: certificate has expired or is '
                f"not yet valid: current time {at:%Y-%m-%dT%H:%M:%SZ} is after {at - M:%Y-%m-%dT%H:%M:%SZ}",
            )
        )
        f.effects.append(Effect(c, "error_ratio", at, 0.6, relative=False))
    f.bursts.append(
        Burst(svc, at, 20, "warn", "http: TLS handshake error from 10.4.1.9:51844: remote error: tls: bad certificate")
    )
    f.effects.append(Effect(svc, "request_rate", at, 0.1))
    return f


def batch_rescheduled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A batch job's schedule moved into peak hours; it floods the shared store; the store's users page."""
    batch = "rollup" if e.name == "pipeline" else "risk"
    store = next(c for c in e.node(batch).calls if not e.node(c).shared)
    users = [c for c in e.callers(store) if c != batch]
    at = t - rng.randint(7, 14) * M
    f = Fault(
        "batch_rescheduled",
        batch,
        "recent_change",
        "rollback",
        front(e, users[0]),
        "ApiLatencyHigh",
        f"{batch}'s schedule moved into peak; it floods {store}",
        also_accept=["capacity"],
    )
    f.changes.append(
        change(
            at - 2 * M,
            batch,
            "config",
            "0 3 * * *",
            "*/5 * * * *",
            diff(path(e, batch, "cronjob.yaml"), [('  schedule: "0 3 * * *"', '  schedule: "*/5 * * * *"')], "spec:"),
            "m.lindqvist",
            rng,
        )
    )
    flood = (
        "Code: 202. DB::Exception: Too many simultaneous queries. Maximum: 100. (TOO_MANY_SIMULTANEOUS_QUERIES)"
        if e.node(store).style == "clickhouse"
        else "sorry, too many clients already"
    )
    f.bursts += [Burst(store, at, 20, "error", flood)]
    for u in users:
        f.bursts.append(Burst(u, at + M, 15, "error", f"query failed after 3 attempts: {flood}"))
        f.effects.append(Effect(u, "latency_p99", at + M, 15.0))
    f.effects += [
        Effect(batch, "request_rate", at, 12.0),
        Effect(store, "cpu_utilization", at, 0.98, relative=False),
        Effect(store, "latency_p99", at, 20.0),
        Effect(f.alert_service, "latency_p99", at + 2 * M, 8.0),
    ]
    return f


def coordination_stall(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """ZooKeeper's disk stalls its fsync; every session on it expires; its users go read-only."""
    zk = next(n.name for n in e.nodes if n.style == "zookeeper")
    users = e.callers(zk)
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "coordination_stall",
        zk,
        "resource_exhaustion",
        "escalate",
        front(e, users[0]) if users else zk,
        "ErrorBudgetBurn",
        f"{zk}'s fsync stalled and its sessions expired",
        also_accept=["dependency_failure"],
    )
    f.bursts.append(
        Burst(
            zk,
            at,
            6,
            "warn",
            "fsync-ing the write ahead log in SyncThread:1 took 14211ms which will "
            "adversely effect operation latency. File size is 67108880 bytes.",
        )
    )
    f.effects += [Effect(zk, "latency_p99", at, 50.0), Effect(zk, "disk_utilization", at, 0.97, relative=False)]
    for u in users:
        f.bursts.append(
            Burst(
                u,
                at + M,
                15,
                "error",
                "Coordination::Exception: Session expired (Session expired): table is in readonly mode",
            )
        )
        f.effects.append(Effect(u, "error_ratio", at + M, 0.5, relative=False))
    if users and f.alert_service not in users:
        f.effects.append(Effect(f.alert_service, "error_ratio", at + 2 * M, 0.3, relative=False))
    return f


def nil_deref_deploy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = choose(e, rng, ("klog",))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "nil_deref_deploy",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "ErrorBudgetBurn",
        f"{svc}'s new build panics on a nil pointer",
    )
    f.changes.append(
        change(
            at - 2 * M,
            svc,
            "deploy",
            "v4.12.0",
            "v4.13.0",
            diff(path(e, svc), [("  tag: v4.12.0", "  tag: v4.13.0")], "image:"),
            "ci",
            rng,
        )
    )
    f.bursts.append(
        Burst(
            svc,
            at,
            8,
            "error",
            "panic: runtime error: invalid memory address or nil pointer dereference\n"
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18]\n\ngoroutine 212 [running]:",
        )
    )
    f.effects += [Effect(svc, "restarts", at, 5, relative=False), Effect(svc, "error_ratio", at, 0.45, relative=False)]
    for c in e.callers(svc):
        f.bursts.append(Burst(c, at + M, 10, "error", f"upstream {svc}: connect: connection refused"))
        f.effects.append(Effect(c, "error_ratio", at + M, 0.25, relative=False))
    return f


def heap_exhaustion(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = choose(e, rng, ("spring",))
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "heap_exhaustion",
        svc,
        "resource_exhaustion",
        "restart",
        front(e, svc),
        "ApiLatencyHigh",
        f"{svc}'s heap filled; it spends its time in GC",
    )
    f.bursts += [
        Burst(svc, at, 6, "warn", "GC pause (G1 Evacuation Pause) (young) 2043M->2039M(2048M) 1874.221ms"),
        Burst(svc, at + 3 * M, 2, "error", "Handler dispatch failed: java.lang.OutOfMemoryError: Java heap space"),
    ]
    f.effects += [
        Effect(svc, "memory_utilization", at - 30 * M, 0.99, relative=False, ramp=30 * M),
        Effect(svc, "latency_p99", at, 12.0),
        Effect(svc, "cpu_utilization", at, 0.95, relative=False),
        Effect(f.alert_service, "latency_p99", at + M, 6.0),
    ]
    return f


def real_surge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """Real users, many more of them: the busiest service saturates; nothing changed."""
    entry = e.nodes[0].name
    svc = next(c for c in e.node(entry).calls if not e.node(c).shared)
    at = t - rng.randint(8, 14) * M
    f = Fault("real_surge", svc, "capacity", "scale", svc, "ApiLatencyHigh", f"a real surge saturated {svc}")
    f.effects += [
        Effect(entry, "request_rate", at, 3.5),
        Effect(svc, "request_rate", at, 3.5),
        Effect(svc, "cpu_utilization", at, 0.99, relative=False),
        Effect(svc, "latency_p99", at, 10.0),
    ]
    f.bursts.append(Burst(svc, at + M, 8, "warn", "request queue at capacity (512), shedding load"))
    return f


def slow_burn(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """It began hours before the page: the window opens on an incident already under way."""
    store = rng.choice([n.name for n in e.nodes if n.style in ("postgres", "clickhouse")])
    user = e.callers(store)[0]
    at = t - rng.randint(300, 420) * M
    f = Fault(
        "slow_burn",
        store,
        "resource_exhaustion",
        "escalate",
        front(e, user),
        "ApiLatencyHigh",
        f"{store} has slowed since {at:%H:%M}, hours before the page",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect(store, "latency_p99", at, 8.0, ramp=120 * M),
        Effect(store, "cpu_utilization", at, 0.93, relative=False, ramp=120 * M),
        Effect(user, "latency_p99", at + 30 * M, 5.0, ramp=200 * M),
        Effect(f.alert_service, "latency_p99", at + 40 * M, 4.0, ramp=240 * M),
    ]
    slow = (
        "duration: 5234.118 ms  statement: SELECT * FROM entries WHERE account_id = $1"
        if e.node(store).style == "postgres"
        else "executeQuery: Read 91234567 rows, 8.1 GiB in 11.2 sec."
    )
    f.bursts.append(Burst(store, at + 10 * M, 6, "warn", slow, minutes=600))
    return f


def telemetry_gap(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """The alert is real but the logs and metrics stopped arriving hours ago: nothing to go on."""
    svc = choose(e, rng, ("spring", "klog", "python"))
    f = Fault(
        "telemetry_gap",
        svc,
        "unknown",
        "escalate",
        svc,
        "ErrorBudgetBurn",
        "the shipper stopped three hours before the alert",
    )
    return f


def blip(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = choose(e, rng, ("spring", "klog", "python", "bunyan"), callers=False)
    f = Fault("blip", svc, "no_incident", "none", svc, "ApiLatencyHigh", f"{svc} spiked for ninety seconds")
    f.effects.append(
        Effect(svc, "latency_p99", t - 4 * M, 3.0, ramp=timedelta(0), until=t - 4 * M + timedelta(seconds=90))
    )
    return f


def discovery_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """Shared service discovery loses quorum; every service that resolves through it fails."""
    infra = next(n.name for n in e.nodes if n.shared)
    users = [n.name for n in e.nodes if infra in n.calls and not n.shared]
    hit = rng.sample(users, k=min(3, len(users)))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "discovery_down",
        infra,
        "dependency_failure",
        "escalate",
        front(e, hit[0]),
        "ErrorBudgetBurn",
        f"{infra} lost quorum",
        also_accept=["network"],
    )
    f.bursts.append(
        Burst(infra, at, 10, "error", "raft: failed to heartbeat to peer: dial tcp 10.4.0.12:8300: i/o timeout")
    )
    f.effects += [
        Effect(infra, "restarts", at, 3, relative=False),
        Effect(infra, "error_ratio", at, 0.8, relative=False),
    ]
    for s in hit:
        f.bursts.append(Burst(s, at + M, 15, "error", f"resolve {infra}: lookup {s}.service.{infra}: i/o timeout"))
        f.effects.append(Effect(s, "error_ratio", at + M, 0.4, relative=False))
    return f


FAULTS = [
    pool_cut,
    volume_full,
    internal_cert_lapsed,
    batch_rescheduled,
    coordination_stall,
    nil_deref_deploy,
    heap_exhaustion,
    real_surge,
    slow_burn,
    telemetry_gap,
    blip,
    discovery_down,
]
