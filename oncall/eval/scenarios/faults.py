"""Fault families: each picks where the fault is, what it does to metrics and
logs, which change (if any) caused it, which alert fires, and the truth."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from oncall.eval.scenarios import logstyle as ls
from oncall.eval.scenarios.logstyle import Exc, Line
from oncall.eval.scenarios.topology import NAMESPACE, TOPOLOGIES, Svc, by_name, callers, path_up

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


@dataclass
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


def _ts(t: datetime) -> str:
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
        "ts": _ts(at),
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
                partial(_caller_error, style, caller, text, exc),
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
        "bad_deploy",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate",
        "recent_change",
        "rollback",
        f"deploy {change['to']} of {root.name} introduced a new exception",
        onset,
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
        "bad_config",
        ctx.topology,
        root.name,
        chain[0],
        "HighLatencyP99" if variant == "pool" else "HighErrorRate",
        "recent_change",
        "rollback",
        "",
        onset,
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
                "ts": _ts(at),
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
                "ts": _ts(at),
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
                "ts": _ts(at),
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
        "pool_exhaustion",
        ctx.topology,
        root.name,
        chain[0],
        "HighLatencyP99",
        "resource_exhaustion",
        "scale",
        f"traffic rose and {root.name}'s connection pool ran out",
        onset,
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
        "memory_leak",
        ctx.topology,
        root.name,
        chain[0],
        alertname,
        "resource_exhaustion",
        "restart",
        f"{root.name} leaks memory until OOMKilled, then restarts",
        onset,
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
        "cpu_saturation",
        ctx.topology,
        root.name,
        chain[0],
        "HighLatencyP99",
        "capacity",
        "scale",
        f"{root.name} is CPU-bound at its HPA maximum of {root.hpa_max} replicas",
        onset,
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
        "deep_dependency",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate",
        "dependency_failure",
        "escalate",
        f"{root.name} (three hops below {chain[0]}) lost its backend {backend}",
        onset,
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


def expired_cert(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind == "api" and bool(callers(ctx.topology, s.name)))
    chain = ctx.chain(root.name)
    if len(chain) == 1:
        chain = [callers(ctx.topology, root.name)[0], root.name]
    onset = ctx.alert_at - rng.randint(5, 12) * M
    expiry = onset.strftime("%Y-%m-%dT%H:%M:%SZ")
    p = Plan(
        "expired_cert",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate",
        "expired_credential",
        "config_change",
        f"the TLS certificate of {root.name} expired at {expiry}",
        onset,
    )
    p.effects.append(Effect(root.name, "request_rate", onset, "mul", rng.uniform(0.05, 0.3), M))
    ns = NAMESPACE[ctx.topology]
    for caller in callers(ctx.topology, root.name):
        style = ctx.svcs[caller].style
        p.effects.append(Effect(caller, "error_ratio", onset, "add", rng.uniform(0.1, 0.4), M))
        host = f"{root.name}.{ns}.svc"
        text = rng.choice(
            [
                f'Get "https://{host}:8443/v1": x509: certificate has expired or is not yet valid: '
                f"current time {_ts(onset + 3 * M)} is after {expiry}",
                f"SSL handshake with {host} failed: certificate expired (notAfter={expiry})",
                f"PKIX path validation failed calling {host}: validity check failed: "
                f"java.security.cert.CertificateExpiredException: NotAfter: {expiry}",
            ]
        )
        p.bursts.append(
            ctx.burst(
                caller,
                onset,
                rng.randint(20, 70),
                partial(_caller_error, style, caller, text, None),
            )
        )
    if len(chain) > 2:  # the direct caller's failures travel on up to the alerting service
        propagate(p, ctx, chain[:-1], onset + M, 0.15, 0.3, caller_errors("5xx"))
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(10, 40),
            lambda r: (
                "warn",
                f"http: TLS handshake error from 10.{r.randint(0, 3)}.{r.randint(0, 255)}.{r.randint(1, 254)}:"
                f"{r.randint(30000, 60000)}: remote error: tls: bad certificate",
            ),
        )
    )
    return p


def expired_secret(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(
        lambda s: s.kind in ("api", "worker") and (bool(s.external) or any(ctx.svcs[d].kind == "db" for d in s.deps))
    )
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    dbs = [d for d in root.deps if ctx.svcs[d].kind == "db"]
    user = root.name.replace("-", "_") + "_app"
    if dbs and (not root.external or rng.random() < 0.5):
        text = f'FATAL: password authentication failed for user "{user}" (connecting to {dbs[0]}:5432)'
    else:
        text = f"{root.external} answered 401 Unauthorized: invalid API key (key id ak_{rng.getrandbits(20):05x})"
    p = Plan(
        "expired_secret",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate",
        "expired_credential",
        "config_change",
        f"the credential {root.name} uses was rotated but {root.name} kept the old one",
        onset,
        also_accept=["recent_change"],
    )
    if rng.random() < 0.5:
        p.changes.append(
            {
                "ts": _ts(onset - rng.randint(1, 30) * M),
                "service": root.name,
                "kind": "infra",
                "from": "secret version 7",
                "to": "secret version 8",
                "author": "vault-rotator",
                "ref": f"vault:secret/{root.name}/credentials",
                "diff": None,
            }
        )
    p.effects.append(Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.2, 0.6), M))
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(25, 80),
            lambda r: ls.error(root.style, root.name, text, r),
        )
    )
    propagate(p, ctx, chain, onset, 0.2, 0.3, caller_errors("5xx"))
    return p


def missing_permission(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind in ("api", "worker"))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    action, resource = rng.choice(
        [
            ("s3:PutObject", f"arn:aws:s3:::acme-{root.name}-exports/*"),
            ("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:123456789012:{root.name}-events"),
            ("kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:key/6f1c"),
        ]
    )
    p = Plan(
        "missing_permission",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate",
        "permission_denied",
        "config_change",
        f"{root.name}'s role lost {action}",
        onset,
        also_accept=["recent_change"],
    )
    if rng.random() < 0.6:  # the policy edit that dropped the permission: reverting it is the fix
        p.fix = "rollback"
        p.changes.append(
            {
                "ts": _ts(onset - rng.randint(2, 90) * M),
                "service": root.name,
                "kind": "infra",
                "from": f"iam policy {root.name}-role v12",
                "to": f"iam policy {root.name}-role v13",
                "author": rng.choice(AUTHORS),
                "ref": f"{rng.getrandbits(28):07x}",
                "diff": f"--- a/iam/{root.name}.tf\n+++ b/iam/{root.name}.tf\n@@ -4,4 +4,3 @@\n"
                f'   actions = [\n     "s3:GetObject",\n-    "{action}",\n   ]',
            }
        )
    text = (
        f"AccessDenied: User: arn:aws:sts::123456789012:assumed-role/{root.name}-role/i-0{rng.getrandbits(40):010x} "
        f"is not authorized to perform: {action} on resource: {resource}"
    )
    p.effects.append(Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.1, 0.4), M))
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(25, 80),
            lambda r: ls.error(root.style, root.name, text, r),
        )
    )
    propagate(p, ctx, chain, onset, 0.1, 0.2, caller_errors("5xx"))
    return p


def dns_failure(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind in ("api", "worker") and bool(s.deps))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    dep = rng.choice(root.deps)
    host = f"{dep}.{NAMESPACE[ctx.topology]}.svc.cluster.local"
    p = Plan(
        "dns_failure",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate",
        "network",
        "escalate",
        f"{root.name} cannot resolve {host}",
        onset,
    )
    text = rng.choice(
        [
            f"dial tcp: lookup {host} on 10.96.0.10:53: no such host",
            f"java.net.UnknownHostException: {host}: Name or service not known",
            f"[Errno -3] Temporary failure in name resolution ({host})",
        ]
    )
    p.effects += [
        Effect(root.name, "error_ratio", onset, "add", rng.uniform(0.2, 0.6), M),
        Effect(dep, "request_rate", onset, "mul", 0.3, M),
    ]
    p.bursts.append(
        ctx.burst(
            root.name,
            onset,
            rng.randint(25, 80),
            lambda r: ls.error(root.style, root.name, text, r),
        )
    )
    propagate(p, ctx, chain, onset, 0.2, 0.3, caller_errors("5xx"))
    return p


def disk_full(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.stateful and bool(callers(ctx.topology, s.name)))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        "disk_full",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate" if chain[0] != root.name else "PersistentVolumeFillingUp",
        "resource_exhaustion",
        "scale",
        f"{root.name}'s volume filled up",
        onset,
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


def rate_limited(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: bool(s.external))
    chain = ctx.chain(root.name)
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        "rate_limited",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate",
        "dependency_failure",
        "escalate",
        f"{root.external} is rate limiting {root.name}",
        onset,
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
        "db_contention",
        ctx.topology,
        root.name,
        chain[0],
        "HighLatencyP99",
        "dependency_failure",
        "escalate",
        f"lock contention on {root.name} made queries slow",
        onset,
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
        "retry_storm",
        ctx.topology,
        root.name,
        chain[0],
        "HighErrorRate",
        "capacity",
        "scale",
        f"a brief slowdown of {root.name} set off retries from its callers that keep it overloaded",
        onset,
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
                partial(_retry_warning, style, caller, root.name),
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


def traffic_surge(ctx: Ctx) -> Plan:
    rng = ctx.rng
    root = ctx.pick(lambda s: s.kind == "api" and not callers(ctx.topology, s.name))
    onset = ctx.alert_at - rng.randint(5, 12) * M
    p = Plan(
        "traffic_surge",
        ctx.topology,
        root.name,
        root.name,
        "HighLatencyP99",
        "capacity",
        "scale",
        f"legitimate traffic to {root.name} tripled",
        onset,
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
        "noisy_alert",
        ctx.topology,
        root.name,
        root.name,
        "HighLatencyP99",
        "no_incident",
        "none",
        f"{root.name}'s latency alert flaps on a 2-minute blip",
        onset,
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


FAMILIES: dict[str, Callable[[Ctx], Plan]] = {
    f.__name__: f
    for f in (
        bad_deploy,
        bad_config,
        pool_exhaustion,
        memory_leak,
        cpu_saturation,
        deep_dependency,
        expired_cert,
        expired_secret,
        missing_permission,
        dns_failure,
        disk_full,
        rate_limited,
        db_contention,
        retry_storm,
        traffic_surge,
        noisy_alert,
    )
}


def _caller_error(style: str, caller: str, text: str, exc: ls.Exc | None, r: random.Random) -> ls.Line:
    return ls.error(style, caller, text, r, exc)


def _retry_warning(style: str, caller: str, target: str, r: random.Random) -> ls.Line:
    return ls.error(style, caller, f"retrying call to {target} (attempt {r.randint(2, 3)} of 3)", r, level="warning")
