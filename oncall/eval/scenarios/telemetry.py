"""World 1's faults in traces and Kubernetes: its plans read as the shared generator
(`oncall.eval.telemetry`) reads every world's fault, from what the plan does to metrics and logs,
never from its answer. Datastores and queues send no spans (their callers' CLIENT spans name them);
a service whose restarts an effect raises is seen crash-looping, OOMKilled when its memory was
driven up, Error otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from random import Random

from oncall.eval.scenarios.faults import Plan
from oncall.eval.scenarios.simulate import apply
from oncall.eval.scenarios.topology import ENTRY_RPS, NAMESPACE, TOPOLOGIES, by_name
from oncall.eval.telemetry import KEvent, write_telemetry

UNTRACED_KINDS = ("db", "cache", "queue")


@dataclass(frozen=True)
class _Node:
    name: str
    calls: tuple[str, ...]


@dataclass
class _Estate:
    name: str
    namespace: str
    nodes: list[_Node]
    entry: str | None = None  # where nobody calls: the generator finds it


@dataclass(frozen=True)
class _Effect:
    service: str
    signal: str
    at: datetime
    relative: bool


@dataclass(frozen=True)
class _Burst:
    service: str
    level: str
    text: str
    peer: str | None = None


@dataclass
class _Fault:
    """A plan as the shared generator reads a fault: relative request rate and latency, absolute error ratio."""

    plan: Plan
    topology: str
    effects: list[_Effect] = field(default_factory=list)
    bursts: list[_Burst] = field(default_factory=list)
    events: list[KEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.svcs = by_name(self.topology)  # value() runs for every hop of every sampled request

    @property
    def family(self) -> str:
        return self.plan.family

    def value(self, svc: str, signal: str, at: datetime, default: float) -> float:
        s = self.svcs[svc]
        unit = {"request_rate": ENTRY_RPS[self.topology] * s.share, "latency_p99": s.latency}.get(signal, 1.0)
        v = default
        for e in self.plan.effects:
            if e.service == svc and e.signal == signal:
                v = apply(e, at, v, unit)
        return v


def _events(plan: Plan) -> list[KEvent]:
    out = []
    for e in plan.effects:
        if e.signal != "restarts" or e.value <= 0:
            continue
        oom = any(x.service == e.service and x.signal == "memory_utilization" for x in plan.effects)
        message = "Back-off restarting failed container"
        out.append(KEvent(e.service, "BackOff", message, e.start, terminated="OOMKilled" if oom else "Error"))
    return out


def write(out: Path, plan: Plan, alert_at: datetime) -> None:
    """traces.jsonl, k8s.jsonl and k8s_state.json for a world-1 case."""
    svcs = TOPOLOGIES[plan.topology]
    estate = _Estate(plan.topology, NAMESPACE[plan.topology], [_Node(s.name, s.deps) for s in svcs])
    fault = _Fault(plan, plan.topology, events=_events(plan))
    relative = [e.mode == "mul" or e.signal == "latency_p99" for e in plan.effects]
    fault.effects = [_Effect(e.service, e.signal, e.start, r) for e, r in zip(plan.effects, relative, strict=True)]
    for b in plan.bursts:
        level, text = b.make(Random(f"{plan.family} {b.service} {b.start.isoformat()}"))
        fault.bursts.append(_Burst(b.service, level or "info", text.splitlines()[0] if text else ""))
    write_telemetry(out, estate, fault, alert_at, untraced={s.name for s in svcs if s.kind in UNTRACED_KINDS})
