"""The helpers world 2's fault shapes share (the vocabulary a fault is told in is oncall.eval.worlds)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from oncall.eval.world2.estates import Estate, Node


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
