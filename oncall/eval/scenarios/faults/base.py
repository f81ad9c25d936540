"""What every fault family builds on: the plan a family returns (metric effects, log bursts,
changes, the alert and the truth), the context it draws from, and helpers for spreading a
fault to callers."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from oncall.eval.scenarios import logstyle as ls
from oncall.eval.scenarios.logstyle import Exc, Line
from oncall.eval.scenarios.topology import TOPOLOGIES, Svc, by_name, path_up

M = timedelta(minutes=1)


@dataclass
class Effect:
    service: str
    signal: str
    start: datetime
    mode: str  # add | mul | set
    value: float
    ramp: timedelta = timedelta(minutes=2)
    end: datetime | None = None


@dataclass
class Burst:
    """`count` log lines from `service` between start and end, each made by `make`."""

    service: str
    start: datetime
    end: datetime
    count: int
    make: Callable[[random.Random], Line]


@dataclass(kw_only=True)
class Plan:
    family: str
    topology: str
    root: str
    alert_service: str
    alertname: str
    category: str
    fix: str
    notes: str
    onset: datetime
    also_accept: list[str] = field(default_factory=list)
    severity: str = "critical"
    effects: list[Effect] = field(default_factory=list)
    bursts: list[Burst] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    config: dict[str, dict[str, object]] = field(default_factory=dict)  # service -> values.yaml overrides
    history: list[dict] = field(default_factory=list)  # past incidents the fault makes likely


@dataclass
class Ctx:
    rng: random.Random
    topology: str
    alert_at: datetime

    @property
    def svcs(self) -> dict[str, Svc]:
        return by_name(self.topology)

    def pick(self, pred: Callable[[Svc], bool]) -> Svc:
        options = [s for s in TOPOLOGIES[self.topology] if pred(s)]
        return self.rng.choice(options)

    def burst(self, service: str, start: datetime, count: int, make: Callable[[random.Random], Line]) -> Burst:
        """Log lines from `start` until the bundle ends (15 minutes after the alert)."""
        return Burst(service, start, self.alert_at + 15 * M, count, make)

    def chain(self, root: str, max_hops: int = 2) -> list[str]:
        """The caller chain from the alerting service down to the root."""
        hops = self.rng.randint(0, max_hops)
        for h in range(hops, -1, -1):
            ch = path_up(self.topology, root, h)
            if ch:
                return ch
        return [root]


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def version(rng: random.Random) -> tuple[str, str]:
    major, minor, patch = rng.randint(1, 9), rng.randint(0, 30), rng.randint(0, 9)
    return f"v{major}.{minor}.{patch}", f"v{major}.{minor}.{patch + 1}"


def deploy(svc: str, at: datetime, rng: random.Random, author: str, extra_diff: str = "") -> dict:
    old, new = version(rng)
    diff = (
        f"--- a/apps/{svc}/values.yaml\n+++ b/apps/{svc}/values.yaml\n@@ -1,6 +1,6 @@\n image:\n"
        f"   repository: registry.acme.internal/{svc}\n-  tag: {old}\n+  tag: {new}\n replicaCount: 3" + extra_diff
    )
    return {
        "ts": iso(at),
        "service": svc,
        "kind": "deploy",
        "from": old,
        "to": new,
        "author": author,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": diff,
    }


AUTHORS = ["dchen", "lnguyen", "aokafor", "mkowalski", "sgarcia", "tbrown", "ysato", "pjoshi", "rfischer"]


def propagate(
    p: Plan,
    ctx: Ctx,
    chain: list[str],
    onset: datetime,
    err: float,
    lat: float,
    why: Callable[[str, str], tuple[str, Exc | None]],
    loud: float = 1.0,
) -> None:
    """Failure travels up the caller chain: each caller errors a little later, naming its callee."""
    rng = ctx.rng
    for i in range(len(chain) - 2, -1, -1):
        caller, callee = chain[i], chain[i + 1]
        delay = onset + (len(chain) - 1 - i) * rng.uniform(0.6, 1.6) * M
        scale = 0.6 ** (len(chain) - 2 - i)
        p.effects.append(Effect(caller, "error_ratio", delay, "add", err * scale))
        p.effects.append(Effect(caller, "latency_p99", delay, "mul", 1 + lat * scale))
        style = ctx.svcs[caller].style
        text, exc = why(caller, callee)
        n = int(rng.randint(15, 40) * (loud if i == 0 else 1))
        p.bursts.append(
            ctx.burst(
                caller,
                delay,
                n,
                partial(caller_error, style, caller, text, exc),
            )
        )


def caller_errors(kind: str) -> Callable[[str, str], tuple[str, Exc | None]]:
    """How a caller words a failing callee."""

    def why(caller: str, callee: str) -> tuple[str, Exc | None]:
        if kind == "timeout":
            return (
                f"call to {callee} failed after retries",
                Exc(
                    "java.net.SocketTimeoutException",
                    "requests.exceptions.ReadTimeout",
                    "context deadline exceeded",
                    f"Read timed out calling http://{callee}:8080",
                ),
            )
        if kind == "5xx":
            return (f"upstream {callee} returned 503 Service Unavailable", None)
        return (
            f"request to {callee} failed",
            Exc(
                "java.net.ConnectException",
                "requests.exceptions.ConnectionError",
                f"dial tcp {callee}:8080: connect: connection refused",
                f"Connection refused: {callee}:8080",
            ),
        )

    return why


# ------------------------------------------------------------------ families


def caller_error(style: str, caller: str, text: str, exc: ls.Exc | None, r: random.Random) -> ls.Line:
    return ls.error(style, caller, text, r, exc)


def retry_warning(style: str, caller: str, target: str, r: random.Random) -> ls.Line:
    return ls.error(style, caller, f"retrying call to {target} (attempt {r.randint(2, 3)} of 3)", r, level="warning")
