"""Load that is no fault of the service (a legitimate surge), and an alert with no incident behind it."""

from __future__ import annotations

from datetime import timedelta

from oncall.eval.scenarios import logstyle as ls
from oncall.eval.scenarios.faults.base import Ctx, Effect, M, Plan
from oncall.eval.scenarios.topology import callers


def traffic_surge(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind == "api" and not callers(ctx.topology, s.name))
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        family="traffic_surge",
        topology=ctx.topology,
        root=root.name,
        alert_service=root.name,
        alertname="HighLatencyP99",
        category="capacity",
        fix="scale",
        notes=f"legitimate traffic to {root.name} tripled",
        onset=onset,
    )
    mult = rng.uniform(2.8, 4)
    p.effects += [
        Effect(root.name, "request_rate", onset - 10 * M, "mul", mult, 8 * M),
        Effect(root.name, "replicas", onset - 8 * M, "set", root.hpa_max, 8 * M),
        Effect(root.name, "cpu_utilization", onset - 2 * M, "set", rng.uniform(0.9, 0.98), 4 * M),
        Effect(root.name, "latency_p99", onset, "mul", rng.uniform(3, 6), 3 * M),
    ]
    for d in root.deps:
        p.effects.append(Effect(d, "request_rate", onset - 10 * M, "mul", mult, 8 * M))
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(10, 30),
            lambda r: ls.error(
                root.style, root.name, f"request queue depth {r.randint(100, 800)} exceeds 100", r, level="warning"
            ),
        )
    )
    return p


def noisy_alert(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind == "api")
    onset = ctx.alert_at - 3 * M
    p = Plan(
        family="noisy_alert",
        topology=ctx.topology,
        root=root.name,
        alert_service=root.name,
        alertname="HighLatencyP99",
        category="no_incident",
        fix="none",
        notes=f"{root.name}'s latency alert flaps on a 2-minute blip",
        onset=onset,
        severity="warning",
    )
    p.effects.append(
        Effect(
            root.name, "latency_p99", onset, "mul", rng.uniform(1.6, 2.2), 30 * timedelta(seconds=1), end=onset + 2 * M
        )
    )
    for k in range(rng.randint(2, 4)):
        p.history.append(
            {
                "alertname": "HighLatencyP99",
                "service": root.name,
                "category": "no_incident",
                "root_cause": "latency blip under the 5-minute threshold window; no user impact",
                "fix": "none; alert threshold under review",
                "minutes_to_resolve": rng.randint(3, 15),
                "days_ago": 3 + 9 * k,
            }
        )
    return p
