"""Faults that travel along calls: a dependency failing hops down, third-party rate limiting, database lock contention, a retry storm."""

from __future__ import annotations

from functools import partial

from oncall.eval.scenarios import logstyle as ls
from oncall.eval.scenarios.faults.base import Ctx, Effect, M, Plan, caller_errors, propagate, retry_warning
from oncall.eval.scenarios.logstyle import Exc
from oncall.eval.scenarios.topology import TOPOLOGIES, callers, path_up


def deep_dependency(ctx: Ctx) -> Plan:
    rng = ctx.rng
    roots = [s for s in TOPOLOGIES[ctx.topology] if s.kind in ("api", "worker") and path_up(ctx.topology, s.name, 3)]
    root = rng.choice(roots)
    chain = path_up(ctx.topology, root.name, 3) or [root.name]
    onset = ctx.alert_at - rng.randint(6, 12) * M
    backend = rng.choice(
        ["search-cluster.internal:9200", "vault.internal:8200", "ldap.corp.internal:636", "nfs-share.internal:2049"]
    )
    p = Plan(
        family="deep_dependency",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate",
        category="dependency_failure",
        fix="escalate",
        notes=f"{root.name} (three hops below {chain[0]}) lost its backend {backend}",
        onset=onset,
        also_accept=["network"],
    )
    p.effects += [
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.3, 0.7), M),
        Effect(root.name, "latency_p99", onset, "mul", rng.uniform(1.5, 4)),
    ]
    exc = Exc(
        "java.net.ConnectException",
        "ConnectionRefusedError",
        f"dial tcp {backend}: connect: connection refused",
        f"Connection refused ({backend})",
    )
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(20, 60),
            lambda r: ls.error(ctx.svcs[root.name].style, root.name, "backend unavailable", r, exc),
        )
    )
    propagate(p, ctx, chain, onset, 0.25, 0.8, caller_errors(rng.choice(["5xx", "timeout"])), loud=3)
    return p


def rate_limited(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: bool(s.external))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        family="rate_limited",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate",
        category="dependency_failure",
        fix="escalate",
        notes=f"{root.external} is rate limiting {root.name}",
        onset=onset,
    )
    text = rng.choice(
        [
            f"POST https://{root.external}/v1/charges: 429 Too Many Requests (retry-after: 30)",
            f"{root.external} throttled the request: Rate exceeded",
            f"received HTTP 429 from {root.external}; request quota exhausted for this minute",
        ]
    )
    p.effects += [
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.15, 0.5), M),
        Effect(root.name, "latency_p99", onset, "mul", rng.uniform(2, 6), M),
    ]
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(30, 90),
            lambda r: ls.error(root.style, root.name, text, r, level=r.choice(["error", "warning"])),
        )
    )
    propagate(p, ctx, chain, onset, 0.15, 1.0, caller_errors("5xx"))
    return p


def db_contention(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind == "db" and bool(callers(ctx.topology, s.name)))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        family="db_contention",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighLatencyP99",
        category="dependency_failure",
        fix="escalate",
        notes=f"lock contention on {root.name} made queries slow",
        onset=onset,
        also_accept=["resource_exhaustion"],
    )
    p.effects += [
        Effect(root.name, "latency_p99", onset, "mul", rng.uniform(30, 200), 2 * M),
        Effect(root.name, "cpu_utilization", onset, "add", 0.25, 2 * M),
        Effect(root.name, "pool_utilization", onset, "set", 0.95, 3 * M),
    ]
    texts = [
        "process {p} still waiting for ShareLock on transaction {x} after 1000.{ms} ms",
        "deadlock detected",
        "duration: {d}.{ms} ms  statement: UPDATE accounts SET balance = balance - $1 WHERE id = $2",
        "canceling statement due to lock timeout",
    ]
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(30, 90),
            lambda r: ls.error(
                "pg",
                root.name,
                r.choice(texts).format(
                    p=r.randint(100, 9999), x=r.randint(10**5, 10**7), ms=r.randint(100, 999), d=r.randint(8000, 30000)
                ),
                r,
                level=r.choice(["error", "warning"]),
            ),
        )
    )
    propagate(p, ctx, chain, onset, 0.1, 3.0, caller_errors("timeout"), loud=2)
    return p


def retry_storm(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind == "api" and bool(path_up(ctx.topology, s.name, 1)))
    chain = ctx.chain(root.name)
    if len(chain) == 1:
        chain = path_up(ctx.topology, root.name, 1) or chain
    onset = ctx.alert_at - rng.randint(6, 12) * M
    p = Plan(
        family="retry_storm",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate",
        category="capacity",
        fix="scale",
        notes=f"a brief slowdown of {root.name} set off retries from its callers that keep it overloaded",
        onset=onset,
        also_accept=["dependency_failure", "resource_exhaustion"],
    )
    p.effects += [
        Effect(root.name, "latency_p99", onset - 2 * M, "mul", rng.uniform(4, 10), M),
        Effect(root.name, "request_rate", onset, "mul", rng.uniform(3, 4.5), 2 * M),
        Effect(root.name, "cpu_utilization", onset, "set", rng.uniform(0.93, 0.99), 2 * M),
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.1, 0.3), 2 * M),
    ]
    for caller in callers(ctx.topology, root.name):
        style = ctx.svcs[caller].style
        p.bursts.append(
            ctx.burst(
                caller,
                onset,
                rng.randint(30, 90),
                partial(retry_warning, style, caller, root.name),
            )
        )
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(20, 50),
            lambda r: ls.error(
                root.style, root.name, f"request queue full ({r.randint(500, 2000)} pending); shedding load", r
            ),
        )
    )
    propagate(p, ctx, chain, onset, 0.2, 1.0, caller_errors("timeout"))
    return p
