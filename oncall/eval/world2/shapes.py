"""What a world-2 fault is made of: metric effects, log bursts, changes, the alert and the truth,
and the helpers the fault shapes share."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oncall.eval.world2.estates import Estate, Node

M = timedelta(minutes=1)


@dataclass
class Effect:
    service: str
    signal: str
    at: datetime
    value: float  # the level the signal goes to (a multiple of its normal for rates)
    relative: bool = True  # value multiplies the normal level; False: the level itself
    ramp: timedelta = timedelta(minutes=3)
    until: datetime | None = None


@dataclass
class Burst:
    service: str
    start: datetime
    per_minute: float
    level: str
    text: str
    minutes: int = 60
    peer: str | None = None


@dataclass
class Fault:
    family: str
    root: str
    category: str
    fix: str
    alert_service: str
    alertname: str
    notes: str
    also_accept: list[str] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    bursts: list[Burst] = field(default_factory=list)
    changes: list[dict[str, object]] = field(default_factory=list)


def change(
    at: datetime,
    service: str,
    kind: str,
    old: str,
    new: str,
    path: str,
    key: str,
    rng: random.Random,
    who: str = "release-bot",
) -> dict[str, object]:
    diff = f"--- a/{path}\n+++ b/{path}\n@@ -3,3 +3,3 @@\n   {service}:\n-    {key}: {old}\n+    {key}: {new}\n"
    return {
        "ts": at,
        "service": service,
        "kind": kind,
        "from": old,
        "to": new,
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": diff,
    }


def values_path(e: Estate, service: str) -> str:
    return f"deploy/{e.name}/{service}.yaml"


def callers_chain(e: Estate, service: str) -> str:
    """The service the alert fires on: a caller of `service` (the one users feel), else itself."""
    callers = [c for c in e.callers(service) if not e.node(c).shared]
    return callers[0] if callers else service


def pick(e: Estate, rng: random.Random, pred: Callable[[Node], object]) -> str:
    return rng.choice([n.name for n in e.nodes if pred(n)])
