"""A day of an estate's life, minute by minute: traffic on a daily curve and background
noise for every service, with the fault plan's effects on metrics and its log bursts on top."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from oncall.eval.scenarios import logstyle as ls
from oncall.eval.scenarios.faults import Effect, Plan
from oncall.eval.scenarios.topology import ENTRY_RPS, TOPOLOGIES, Svc

M = timedelta(minutes=1)
SIGNALS = {
    "request_rate": "service:requests:rate1m",
    "error_ratio": "service:errors:ratio_rate1m",
    "latency_p99": "service:latency_seconds:p99",
    "cpu_utilization": "service:cpu:utilization",
    "memory_utilization": "service:memory:utilization",
    "disk_utilization": "service:disk:utilization",
    "restarts": "service:restarts:increase5m",
    "pool_utilization": "service:pool:utilization",
    "replicas": "service:replicas:available",
}


def daily(t: datetime) -> float:
    """Traffic relative to the daily peak: trough near 04:00 UTC, peak near 16:00."""
    h = t.hour + t.minute / 60
    return 0.3 + 0.7 * (0.5 - 0.5 * math.cos(2 * math.pi * (h - 4) / 24))


def ramp(t: datetime, e: Effect) -> float:
    if t < e.start or (e.end and t > e.end + e.ramp):
        return 0.0
    up = min(1.0, (t - e.start) / e.ramp) if e.ramp else 1.0
    if e.end and t > e.end:
        return up * max(0.0, 1 - (t - e.end) / e.ramp)
    return up


def apply(e: Effect, t: datetime, val: float, unit: float = 1.0) -> float:
    """A signal's value at `t` under effect `e`; `unit` is what 1.0 of `val` stands for (an `add` or `set`
    effect is in the signal's own units, so a value relative to the service's normal level divides by it)."""
    k = ramp(t, e)
    if e.mode == "add":
        return val + e.value / unit * k
    if e.mode == "mul":
        return val * (1 + (e.value - 1) * k)
    return val + (e.value / unit - val) * k


def signals_of(s: Svc) -> list[str]:
    out = [
        "request_rate",
        "error_ratio",
        "latency_p99",
        "cpu_utilization",
        "memory_utilization",
        "restarts",
        "replicas",
    ]
    if s.pooled:
        out.append("pool_utilization")
    if s.stateful:
        out.append("disk_utilization")
    return out


def metric_times(alert_at: datetime) -> list[datetime]:
    """10-minute resolution for the baseline, 1 minute around the incident, as a recording rule
    downsampled by age would give; it keeps bundles small."""
    t, out = alert_at - timedelta(hours=6, minutes=40), []
    while t < alert_at - 40 * M:
        out.append(t)
        t += 10 * M
    while t <= alert_at + 15 * M:
        out.append(t)
        t += M
    return out


def simulate_metrics(topology: str, plan: Plan, rng: random.Random, alert_at: datetime) -> list[str]:
    svcs = TOPOLOGIES[topology]
    base = {
        s.name: {
            "err": rng.uniform(0.001, 0.012),
            "mem": rng.uniform(0.35, 0.7),
            "cpu": rng.uniform(0.1, 0.3),
            "disk": rng.uniform(0.3, 0.65),
            "pool": rng.uniform(0.1, 0.3),
        }
        for s in svcs
    }
    effects: dict[tuple[str, str], list[Effect]] = {}
    for e in plan.effects:
        effects.setdefault((e.service, e.signal), []).append(e)
    lines: dict[str, list[str]] = {sig: [] for sig in SIGNALS}
    for t in metric_times(alert_at):
        d = daily(t)
        ts = int(t.timestamp())
        for s in svcs:
            b = base[s.name]
            rps = ENTRY_RPS[topology] * s.share * d
            v = {
                "request_rate": rps * (1 + rng.gauss(0, 0.04)),
                "error_ratio": b["err"] * (1 + rng.gauss(0, 0.15)),
                "latency_p99": s.latency * (0.9 + 0.2 * d) * (1 + rng.gauss(0, 0.05)),
                "cpu_utilization": b["cpu"] + 0.35 * d + rng.gauss(0, 0.015),
                "memory_utilization": b["mem"] + rng.gauss(0, 0.006),
                "restarts": 0.0,
                "replicas": float(min(s.hpa_max, max(s.replicas, math.ceil(s.replicas * d * 1.1)))),
                "pool_utilization": b["pool"] + 0.3 * d + rng.gauss(0, 0.02),
                "disk_utilization": b["disk"] + 0.01 * (t - alert_at).total_seconds() / 86400,
            }
            for sig in signals_of(s):
                val = v[sig]
                for e in effects.get((s.name, sig), []):
                    val = apply(e, t, val)
                if sig.endswith("utilization") or sig == "error_ratio":
                    val = min(1.0, val)
                lines[sig].append(f'{SIGNALS[sig]}{{service="{s.name}"}} {max(0.0, val):.4g} {ts}')
    out = []
    for sig, name in SIGNALS.items():
        if lines[sig]:
            out.append(f"# TYPE {name} gauge")
            out += sorted(lines[sig], key=lambda x: (x.split(" ")[0], int(x.rsplit(" ", 1)[1])))
    return [*out, "# EOF"]


def simulate_logs(topology: str, plan: Plan, rng: random.Random, alert_at: datetime, scale: float) -> list[dict]:
    svcs = TOPOLOGIES[topology]
    start, end = alert_at - timedelta(hours=2), alert_at + 15 * M
    rows: list[tuple[datetime, dict]] = []
    pods = {
        s.name: [
            f"{s.name}-{rng.getrandbits(36):09x}"[: len(s.name) + 10] + f"-{rng.getrandbits(20):05x}"
            for _ in range(min(3, s.replicas))
        ]
        for s in svcs
    }
    slow = {e.service for e in plan.effects if e.signal == "latency_p99"}

    def emit(t: datetime, svc: str, line: ls.Line) -> None:
        level, msg = line
        rec: dict[str, object] = {
            "ts": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
            "service": svc,
            "pod": rng.choice(pods[svc]),
        }
        if level is not None:
            rec["level"] = level
        rec["message"] = msg
        rows.append((t, rec))

    background = {s.name: rng.sample(ls.BACKGROUND[s.style], k=min(len(ls.BACKGROUND[s.style]), 2)) for s in svcs}
    t = start
    while t < end:
        d = daily(t)
        for s in svcs:
            n = rng.random() * scale * (0.5 + 1.5 * s.share) * d
            surge = any(e.service == s.name and e.signal == "request_rate" and t >= e.start for e in plan.effects)
            n *= 1.8 if surge else 1.0
            for _ in range(int(n) + (1 if rng.random() < n % 1 else 0)):
                emit(
                    t + rng.random() * M,
                    s.name,
                    ls.access(s.style, s.name, rng, 3.0 if s.name in slow and t >= plan.onset else 0.0),
                )
            for level, text in background[s.name]:
                if rng.random() < 0.04:
                    emit(t + rng.random() * M, s.name, ls.error(s.style, s.name, text, rng, level=level))
        t += M
    for b in plan.bursts:
        span = max(1.0, (b.end - b.start).total_seconds())
        for _ in range(b.count):
            emit(b.start + timedelta(seconds=rng.uniform(0, span)), b.service, b.make(rng))
    rows.sort(key=lambda r: r[0])
    return [rec for t, rec in rows if t < end]
