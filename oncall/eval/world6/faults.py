"""World 6's faults, from public postmortems of streaming and game platforms: a deploy that turns
off keep-alive and runs out of source ports, a cache restarted empty whose misses stampede the
database, a schema migration holding a lock, debug logging left on until the volume fills, an
autoscaler at its maximum during a launch, a database volume out of I/O credits, a renewed
certificate served without its intermediate, a load balancer health check pointed at a path that
does not exist, a partner's domain that stopped resolving, a deploy with a flag the binary does not
know (crash loop), a leak that began hours before the window, and a latency blip that healed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.telemetry import KEvent
from oncall.eval.world6.estates import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record, front, pick_called

APPS = ("fastapi", "rust", "go")


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"deploy/{svc}/kustomization.yaml"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"PR#{rng.randint(2000, 9999)}",
        diff=f"--- a/{path}\n+++ b/{path}\n@@ -12,1 +12,1 @@\n-    {key}: {old}\n+    {key}: {new}\n",
    )


def _edge(e: Estate) -> str:
    return next(n.name for n in e.nodes if n.tech == "envoy")


def _callers_fail(f: Fault, e: Estate, target: str, at: datetime, text: str, ratio: float = 0.25) -> None:
    for c in e.callers(target):
        f.bursts.append(Burst(c, at + M, 25, "error", text.format(caller=c, target=target), peer=target))
        f.effects.append(Effect(c, "error_ratio", at + M, ratio, relative=False))


def keepalive_ports(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, APPS)
    at = t - rng.randint(5, 12) * M
    callee = e.node(svc).calls[0]
    f = Fault(
        "keepalive_ports",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"{svc}'s new release opens a connection per request and runs out of source ports",
    )
    f.changes.append(change(at - 2 * M, svc, "deploy", "image.tag", "3.8.1", "3.9.0", rng, "ci-bot"))
    f.effects += [Effect(svc, "error_ratio", at, 0.35, relative=False), Effect(svc, "latency_p99", at, 4.0)]
    f.bursts.append(
        Burst(svc, at, 30, "error", f"dial tcp {callee}:8080: connect: cannot assign requested address", peer=callee)
    )
    return f


def cache_stampede(e: Estate, rng: random.Random, t: datetime) -> Fault:
    cache = pick_called(e, rng, ("redis",))
    users = e.callers(cache)
    db = next((c for u in users for c in e.node(u).calls if e.node(c).tech in ("postgres", "cassandra")), None)
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "cache_stampede",
        cache,
        "recent_change",
        "escalate",
        front(e, users[0]),
        "HighLatency",
        f"{cache} was restarted empty; its users' misses stampede {db or 'their database'}",
        also_accept=["capacity", "resource_exhaustion"],
    )
    f.changes.append(change(at - M, cache, "restart", "restartedAt", "2026-01-01T00:00:00Z", "now", rng, "sre-bot"))
    f.bursts.append(Burst(cache, at - M, 2, "warn", "Server initialized; DB loaded from disk: 0 keys", minutes=2))
    for u in users:
        f.effects += [Effect(u, "latency_p99", at, 9.0), Effect(u, "error_ratio", at + M, 0.12, relative=False)]
        f.bursts.append(Burst(u, at, 15, "warn", f"cache miss storm: hit ratio 0.02 on {cache}", peer=cache))
    if db:
        f.effects += [Effect(db, "cpu_utilization", at, 0.99, relative=False), Effect(db, "latency_p99", at, 15.0)]
    return f


def migration_lock(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = pick_called(e, rng, ("postgres",))
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "migration_lock",
        db,
        "recent_change",
        "rollback",
        front(e, db),
        "HighLatency",
        f"a schema migration on {db} holds an ACCESS EXCLUSIVE lock",
    )
    f.changes.append(change(at - M, db, "migration", "schema_version", "0142", "0143_add_region_index", rng, "flyway"))
    f.effects.append(Effect(db, "latency_p99", at, 40.0))
    f.bursts.append(
        Burst(
            db,
            at,
            10,
            "warn",
            "process 4711 still waiting for AccessShareLock on relation 16402 of database 5 after 1000.112 ms",
        )
    )
    _callers_fail(f, e, db, at, "canceling statement due to statement timeout on {target}", ratio=0.2)
    return f


def debug_logging_disk(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, ("fastapi", "go"))
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "debug_logging_disk",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"LOG_LEVEL=debug on {svc} filled its volume",
    )
    f.changes.append(change(at - 90 * M, svc, "config", "LOG_LEVEL", "info", "debug", rng, "dev"))
    f.effects += [
        Effect(svc, "disk_utilization", at - 80 * M, 1.0, relative=False, ramp=80 * M),
        Effect(svc, "error_ratio", at, 0.4, relative=False),
    ]
    f.bursts.append(Burst(svc, at, 25, "error", "OSError: [Errno 28] No space left on device: '/var/log/app/app.log'"))
    return f


def autoscaler_max(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _edge(e)
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "autoscaler_max",
        svc,
        "capacity",
        "scale",
        svc,
        "HighLatency",
        f"a launch tripled {svc}'s traffic and its autoscaler is at its maximum",
    )
    f.effects += [
        Effect(svc, "request_rate", at - 5 * M, 3.0, ramp=5 * M),
        Effect(svc, "cpu_utilization", at, 0.99, relative=False),
        Effect(svc, "latency_p99", at, 8.0),
        Effect(svc, "error_ratio", at + M, 0.08, relative=False),
    ]
    f.events.append(
        KEvent(svc, "ScalingLimited", "the desired replica count is more than the maximum replica count", at)
    )
    f.bursts.append(
        Burst(svc, at, 10, "warn", "upstream overflow: pending requests 1024 exceeded max_pending_requests")
    )
    return f


def volume_iops(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = pick_called(e, rng, ("postgres", "cassandra"))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "volume_iops",
        db,
        "resource_exhaustion",
        "escalate",
        front(e, db),
        "HighLatency",
        f"{db}'s volume ran out of burst I/O credits",
        also_accept=["capacity", "dependency_failure"],
    )
    f.effects.append(Effect(db, "latency_p99", at, 30.0))
    text = (
        "checkpoint complete: wrote 9120 buffers (55.7%); write=28.112 s, sync=41.771 s, total=69.990 s"
        if e.node(db).tech == "postgres"
        else "Dropped 212 MUTATION messages: internal latency 41230 ms (disk)"
    )
    f.bursts.append(Burst(db, at, 2, "warn", text))
    for c in e.callers(db):
        f.effects.append(Effect(c, "latency_p99", at + M, 6.0))
    return f


def missing_intermediate(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, APPS)
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "missing_intermediate",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"{svc}'s renewed certificate is served without its intermediate",
        also_accept=["expired_credential"],
    )
    f.changes.append(change(at - M, svc, "secret", "tls.crt", "sha256:9f3a", "sha256:c771", rng, "cert-manager"))
    _callers_fail(f, e, svc, at, "x509: certificate signed by unknown authority (calling {target})")
    return f


def healthcheck_path(e: Estate, rng: random.Random, t: datetime) -> Fault:
    edge = _edge(e)
    backend = rng.choice(e.node(edge).calls)
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "healthcheck_path",
        edge,
        "recent_change",
        "rollback",
        edge,
        "HighErrorRate",
        f"{edge}'s health check for {backend} now probes a path that answers 404",
    )
    f.changes.append(
        change(at - M, edge, "config", f"clusters.{backend}.health_check.path", "/healthz", "/health", rng, "dev")
    )
    f.effects += [
        Effect(edge, "error_ratio", at, 0.3, relative=False),
        Effect(backend, "request_rate", at, 0.05),
    ]
    f.bursts.append(
        Burst(edge, at, 30, "error", f'"GET /v1/{backend.split("-")[0]} HTTP/2" 503 UH 0 19 0 - "no healthy upstream"')
    )
    return f


def partner_dns(e: Estate, rng: random.Random, t: datetime) -> Fault:
    ext = rng.choice([n.name for n in e.nodes if n.tech == "saas"])
    caller = e.callers(ext)[0]
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "partner_dns",
        ext,
        "network",
        "escalate",
        front(e, caller),
        "HighErrorRate",
        f"{ext}'s domain stopped resolving",
        also_accept=["dependency_failure"],
    )
    f.effects.append(Effect(caller, "error_ratio", at, 0.3, relative=False))
    f.bursts.append(Burst(caller, at, 25, "error", f"getaddrinfo ENOTFOUND api.{ext}.partner.example", peer=ext))
    f.failing_calls.append((caller, ext))
    return f


def unknown_flag(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, ("go", "rust"))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "unknown_flag",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"{svc}'s new args carry a flag its binary does not define: it crash-loops",
    )
    f.changes.append(
        change(at - M, svc, "deploy", "args", "[--port=8080]", "[--port=8080,--enable-shadow-reads]", rng, "dev")
    )
    f.effects += [Effect(svc, "restarts", at, 4, relative=False), Effect(svc, "request_rate", at, 0.1)]
    f.bursts.append(Burst(svc, at, 2, "error", "flag provided but not defined: -enable-shadow-reads"))
    f.events.append(KEvent(svc, "BackOff", "Back-off restarting failed container", at, waiting="CrashLoopBackOff"))
    _callers_fail(
        f, e, svc, at, "upstream connect error or disconnect/reset before headers. reset reason: connection failure"
    )
    return f


def leak_before_window(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, APPS)
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "leak_before_window",
        svc,
        "resource_exhaustion",
        "restart",
        front(e, svc),
        "HighErrorRate",
        f"{svc}'s memory has grown since a release five hours ago; it is now killed at its limit",
    )
    f.effects += [
        Effect(svc, "memory_utilization", t - 5 * 60 * M, 1.0, relative=False, ramp=5 * 60 * M),
        Effect(svc, "restarts", at, 3, relative=False),
        Effect(svc, "error_ratio", at, 0.2, relative=False),
    ]
    f.events.append(KEvent(svc, "BackOff", "Back-off restarting failed container", at, terminated="OOMKilled"))
    f.bursts.append(Burst(svc, at, 3, "error", "memory allocation of 1048576 bytes failed"))
    return f


def healed_blip(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _edge(e)
    f = Fault(
        "healed_blip",
        svc,
        "no_incident",
        "none",
        svc,
        "HighLatency",
        f"{svc}'s latency rose for two minutes during a node drain and came back",
    )
    f.effects.append(Effect(svc, "latency_p99", t - 3 * M, 3.0, ramp=timedelta(0), until=t - M))
    return f


FAULTS = [
    keepalive_ports,
    cache_stampede,
    migration_lock,
    debug_logging_disk,
    autoscaler_max,
    volume_iops,
    missing_intermediate,
    healthcheck_path,
    partner_dns,
    unknown_flag,
    leak_before_window,
    healed_blip,
]
