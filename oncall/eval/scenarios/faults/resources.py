"""Faults of a resource running out: a connection pool, memory, CPU at the HPA maximum, a disk."""

from __future__ import annotations

from oncall.eval.scenarios import logstyle as ls
from oncall.eval.scenarios.faults.base import Burst, Ctx, Effect, M, Plan, caller_errors, propagate
from oncall.eval.scenarios.logstyle import Exc
from oncall.eval.scenarios.topology import callers


def pool_exhaustion(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(
        lambda s: (
            (s.pooled and s.kind != "db" and any(ctx.svcs[d].kind == "db" for d in s.deps))
            or (s.kind == "api" and bool(s.deps))
        )
    )
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        family="pool_exhaustion",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighLatencyP99",
        category="resource_exhaustion",
        fix="scale",
        notes=f"traffic rose and {root.name}'s connection pool ran out",
        onset=onset,
        also_accept=["capacity"],
    )
    surge = rng.uniform(1.6, 2.4)
    for s in [root.name, *callers(ctx.topology, root.name)]:
        p.effects.append(Effect(s, "request_rate", onset - 8 * M, "mul", surge, 8 * M))
    p.effects += [
        Effect(root.name, "pool_utilization", onset - M, "set", 1.0, 3 * M),
        Effect(root.name, "latency_p99", onset, "mul", rng.uniform(5, 15), 3 * M),
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.02, 0.1), 3 * M),
    ]
    size = rng.choice([20, 32, 50])
    text = rng.choice(
        [
            f"HikariPool-1 - Connection is not available, request timed out after 30000ms (total={size}, active={size}, idle=0, waiting={{w}})",
            "sorry, too many clients already: connection pool exhausted",
            f"pool exhausted: all {size} connections in use, {{w}} requests queued",
        ]
    )
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(30, 90),
            lambda r: ls.error(root.style, root.name, text.replace("{w}", str(r.randint(5, 90))), r),
        )
    )
    propagate(p, ctx, chain, onset, 0.1, 2.0, caller_errors("timeout"))
    return p


def memory_leak(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind in ("api", "worker"))
    chain = ctx.chain(root.name, 1)
    onset = ctx.alert_at - rng.randint(4, 10) * M
    alertname = "KubernetesContainerOomKiller" if chain[0] == root.name else "HighErrorRate"
    p = Plan(
        family="memory_leak",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname=alertname,
        category="resource_exhaustion",
        fix="restart",
        notes=f"{root.name} leaks memory until OOMKilled, then restarts",
        onset=onset,
    )
    p.effects += [
        Effect(
            root.name, "memory_utilization", onset - rng.randint(120, 300) * M, "set", 0.97, rng.randint(110, 290) * M
        ),
        Effect(root.name, "restarts", onset, "add", rng.randint(2, 4), M),
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.03, 0.12), M),
    ]
    exc = Exc("java.lang.OutOfMemoryError", "MemoryError", "runtime: out of memory", "Java heap space")
    if root.style == "java":
        make = lambda r: ls.error("java", root.name, "Handler dispatch failed", r, exc)  # noqa: E731
    elif root.style == "go":
        make = lambda r: (  # noqa: E731
            None,
            f"fatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw({{0x{r.getrandbits(20):x}, 0x16}})\n\t/usr/local/go/src/runtime/panic.go:1047 +0x5d",
        )
    else:
        make = lambda r: ls.error(root.style, root.name, "worker crashed", r, exc)  # noqa: E731
    p.bursts.append(ctx.burst(root.name, onset, rng.randint(4, 12), make))
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(3, 8),
            lambda r: (
                "WARN" if root.style == "java" else "warning",
                f"Container {root.name} in pod {root.name}-{r.getrandbits(32):08x} was OOMKilled (exit code 137); restarting",
            ),
        )
    )
    propagate(p, ctx, chain, onset, 0.1, 0.5, caller_errors("refused"))
    return p


def cpu_saturation(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind == "api" and s.hpa_max > 1)
    chain = ctx.chain(root.name, 1)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        family="cpu_saturation",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighLatencyP99",
        category="capacity",
        fix="scale",
        notes=f"{root.name} is CPU-bound at its HPA maximum of {root.hpa_max} replicas",
        onset=onset,
        also_accept=["resource_exhaustion"],
    )
    p.effects += [
        Effect(root.name, "request_rate", onset - 15 * M, "mul", rng.uniform(1.5, 2.0), 10 * M),
        Effect(root.name, "replicas", onset - 12 * M, "set", root.hpa_max, 6 * M),
        Effect(root.name, "cpu_utilization", onset - 2 * M, "set", rng.uniform(0.95, 0.99), 4 * M),
        Effect(root.name, "latency_p99", onset, "mul", rng.uniform(4, 9), 4 * M),
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.01, 0.05), 4 * M),
    ]
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(20, 60),
            lambda r: ls.error(
                root.style,
                root.name,
                f"request took {r.randint(2000, 9000)}ms, over the 1000ms budget",
                r,
                level="warning",
            ),
        )
    )
    p.bursts.append(
        Burst(
            root.name,
            onset - 10 * M,
            onset,
            2,
            lambda r: (
                "info",
                f"HorizontalPodAutoscaler {root.name}: desired replicas {root.hpa_max + r.randint(2, 6)} capped at "
                f"maxReplicas {root.hpa_max}",
            ),
        )
    )
    propagate(p, ctx, chain, onset, 0.05, 1.5, caller_errors("timeout"))
    return p


def disk_full(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.stateful and bool(callers(ctx.topology, s.name)))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        family="disk_full",
        topology=ctx.topology,
        root=root.name,
        alert_service=chain[0],
        alertname="HighErrorRate" if chain[0] != root.name else "PersistentVolumeFillingUp",
        category="resource_exhaustion",
        fix="scale",
        notes=f"{root.name}'s volume filled up",
        onset=onset,
    )
    p.effects += [
        Effect(root.name, "disk_utilization", onset - 90 * M, "set", 1.0, 90 * M),
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.2, 0.6), M),
    ]
    text = {
        "pg": 'could not extend file "base/16384/24576": No space left on device',
        "redis": "Write error saving DB on disk: No space left on device",
        "kafka": "Error while appending records to events-3 in dir /var/lib/kafka/data",
    }.get(root.style, "")
    exc = Exc("java.io.IOException", "OSError", "write: no space left on device", "No space left on device")
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(20, 60),
            lambda r: ls.error(root.style, root.name, text, r, exc if root.style == "kafka" else None),
        )
    )
    propagate(p, ctx, chain, onset, 0.25, 0.5, caller_errors("5xx"), loud=2)
    return p
