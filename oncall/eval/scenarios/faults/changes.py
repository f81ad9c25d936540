"""Faults a change causes: a bad deploy, a bad config change."""

from __future__ import annotations

import random
from collections.abc import Callable

from oncall.eval.scenarios import logstyle as ls
from oncall.eval.scenarios.faults.base import AUTHORS, Ctx, Effect, M, Plan, caller_errors, deploy, iso, propagate
from oncall.eval.scenarios.logstyle import Exc


def bad_deploy(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind in ("api", "worker"))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    change = deploy(root.name, onset - rng.randint(1, 25) * M, rng, rng.choice(AUTHORS))
    exc = rng.choice(
        [
            Exc(
                "java.lang.NullPointerException",
                "AttributeError",
                "invalid memory address or nil pointer dereference",
                'Cannot invoke "Order.getCurrency()" because "order" is null',
            ),
            Exc(
                "java.lang.IllegalStateException", "KeyError", "index out of range [3] with length 3", "'currency_code'"
            ),
            Exc(
                "java.lang.ClassCastException",
                "TypeError",
                "interface conversion: interface {} is nil, not string",
                "unsupported operand type(s) for +: 'NoneType' and 'float'",
            ),
        ]
    )
    p = Plan(
        family="bad_deploy",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate",
        category="recent_change",
        fix="rollback",
        notes=f"deploy {change['to']} of {root.name} introduced a new exception",
        onset=onset,
        changes=[change],
    )
    p.effects += [
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.12, 0.45), M),
        Effect(root.name, "latency_p99", onset, "mul", rng.uniform(1.2, 2.0)),
    ]
    if root.style == "go" and rng.random() < 0.5:
        make: Callable[[random.Random], tuple[str | None, str]] = lambda r: (  # noqa: E731
            None,
            ls.go_panic(root.name, r, f"runtime error: {exc.go}"),
        )
        p.effects.append(Effect(root.name, "restarts", onset, "add", rng.randint(2, 5), M))
    else:
        make = lambda r: ls.error(root.style, root.name, "Unhandled exception while processing request", r, exc)  # noqa: E731
    p.bursts.append(ctx.burst(root.name, onset, rng.randint(30, 120), make))
    propagate(p, ctx, chain, onset, 0.2, 0.5, caller_errors("5xx"), loud=rng.choice([1, 3]))
    return p


def bad_config(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind in ("api", "worker") and bool(s.deps))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    at = onset - rng.choice([rng.randint(2, 30), rng.randint(60, 600)]) * M
    variant = rng.choice(["pool", "timeout", "flag"])
    dep = rng.choice(root.deps)
    p = Plan(
        family="bad_config",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighLatencyP99" if variant == "pool" else "HighErrorRate",
        category="recent_change",
        fix="rollback",
        notes="",
        onset=onset,
    )
    if variant == "pool":
        old = rng.choice([50, 64, 100, 200])
        new = old // rng.choice([5, 10])
        diff = (
            f"--- a/apps/{root.name}/values.yaml\n+++ b/apps/{root.name}/values.yaml\n@@ -8,4 +8,4 @@\n"
            f" database:\n   pool:\n-    maxSize: {old}\n+    maxSize: {new}\n     idleTimeout: 60s"
        )
        p.config[root.name] = {"pool_max": new}
        p.changes.append(
            {
                "ts": iso(at),
                "service": root.name,
                "kind": "config",
                "from": f"pool.maxSize={old}",
                "to": f"pool.maxSize={new}",
                "author": rng.choice(AUTHORS),
                "ref": f"{rng.getrandbits(28):07x}",
                "diff": diff,
            }
        )
        p.effects += [
            Effect(root.name, "pool_utilization", onset - 2 * M, "set", 1.0, 4 * M),
            Effect(root.name, "latency_p99", onset, "mul", rng.uniform(6, 25), 4 * M),
            Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.03, 0.15), 4 * M),
        ]
        text = rng.choice(
            [
                f"Connection is not available, request timed out after 30000ms (total={new}, active={new}, idle=0, waiting={{w}})",
                f"timed out waiting for a connection from the pool (pool size {new})",
            ]
        )
        p.bursts.append(
            ctx.burst(
                root.name,
                onset,
                rng.randint(25, 90),
                lambda r: ls.error(root.style, root.name, text.replace("{w}", str(r.randint(5, 80))), r),
            )
        )
        p.notes = f"config change cut {root.name}'s pool from {old} to {new}"
    elif variant == "timeout":
        old, new = rng.choice([(5000, 300), (3000, 200), (10000, 500)])
        diff = (
            f"--- a/apps/{root.name}/values.yaml\n+++ b/apps/{root.name}/values.yaml\n@@ -14,3 +14,3 @@\n"
            f" clients:\n   {dep}:\n-    timeoutMs: {old}\n+    timeoutMs: {new}"
        )
        p.config[root.name] = {"timeout_ms": new}
        p.changes.append(
            {
                "ts": iso(at),
                "service": root.name,
                "kind": "config",
                "from": f"{dep}.timeoutMs={old}",
                "to": f"{dep}.timeoutMs={new}",
                "author": rng.choice(AUTHORS),
                "ref": f"{rng.getrandbits(28):07x}",
                "diff": diff,
            }
        )
        p.effects += [Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.1, 0.3), 2 * M)]
        p.bursts.append(
            ctx.burst(
                root.name,
                onset,
                rng.randint(30, 100),
                lambda r: ls.error(root.style, root.name, f"call to {dep} timed out after {new}ms", r),
            )
        )
        p.notes = f"config change lowered {root.name}'s timeout to {dep} from {old}ms to {new}ms"
    else:
        flag = rng.choice(["new-pricing-engine", "async-checkout", "v2-serializer", "batch-writes"])
        p.changes.append(
            {
                "ts": iso(at),
                "service": root.name,
                "kind": "flag",
                "from": f"{flag}=off",
                "to": f"{flag}=on",
                "author": rng.choice(AUTHORS),
                "ref": f"flags:{root.name}/{flag}",
                "diff": None,
            }
        )
        exc = Exc(
            "java.lang.UnsupportedOperationException",
            "NotImplementedError",
            "not implemented",
            f"{flag} path does not support legacy requests",
        )
        p.effects += [Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.1, 0.35), M)]
        p.bursts.append(
            ctx.burst(
                root.name,
                onset,
                rng.randint(30, 100),
                lambda r: ls.error(root.style, root.name, "request failed", r, exc),
            )
        )
        p.notes = f"feature flag {flag} turned on for {root.name}"
    propagate(p, ctx, chain, onset, 0.15, 1.0, caller_errors("timeout"))
    return p
