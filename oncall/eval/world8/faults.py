"""World 8's faults, from public postmortems of insurance and ticketing platforms: a search cluster
stuck in old-generation garbage collection, the public certificate on the front door left to
expire, a rate limit lowered by a config change, a rolling deploy whose brief blip paged and healed,
a flag that turns on a path leaking database connections, and a cache's eviction policy switched
to refuse writes when full."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.world8.estates import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record, front, pick_called


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"apps/{svc}/values.yaml"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"!{rng.randint(100, 999)}",
        diff=f"--- a/{path}\n+++ b/{path}\n@@ -4,1 +4,1 @@\n-{key}: {old}\n+{key}: {new}\n",
    )


def _edge(e: Estate) -> str:
    return next(n.name for n in e.nodes if not e.callers(n.name))


def search_gc(e: Estate, rng: random.Random, t: datetime) -> Fault:
    es = pick_called(e, rng, ("elasticsearch",))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "search_gc",
        es,
        "resource_exhaustion",
        "escalate",
        front(e, es),
        "HighLatency",
        f"{es} spends seconds at a time in old-generation garbage collection",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect(es, "memory_utilization", at - 30 * M, 0.97, relative=False, ramp=30 * M),
        Effect(es, "latency_p99", at, 40.0),
    ]
    f.bursts.append(
        Burst(
            es,
            at,
            3,
            "warn",
            "[o.e.m.j.JvmGcMonitorService] [es-1] [gc][old][88213][412] duration "
            "[14.2s], collections [1]/[14.6s], total [14.2s]/[2.1h], memory [7.9gb]->[7.8gb]/[8gb]",
        )
    )
    for c in e.callers(es):
        f.effects += [Effect(c, "latency_p99", at + M, 8.0), Effect(c, "error_ratio", at + M, 0.1, relative=False)]
        f.bursts.append(Burst(c, at + M, 10, "error", f"search request to {es} timed out after 10000ms", peer=es))
    return f


def edge_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    edge = _edge(e)
    at = t - rng.randint(5, 12) * M
    f = Fault(
        "edge_cert_expired",
        edge,
        "expired_credential",
        "config_change",
        edge,
        "ProbeFailure",
        f"{edge}'s public certificate expired; clients refuse the handshake",
    )
    f.effects.append(Effect(edge, "request_rate", at, 0.15))
    f.bursts.append(
        Burst(
            edge,
            at,
            20,
            "info",
            "SSL_do_handshake() failed (SSL: error:0A000415:SSL routines::sslv3 "
            "alert certificate expired:SSL alert number 45) while SSL handshaking",
        )
    )
    return f


def rate_limit_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    edge = _edge(e)
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "rate_limit_cut",
        edge,
        "recent_change",
        "rollback",
        edge,
        "HighErrorRate",
        f"a config change lowered {edge}'s rate limit below normal traffic",
    )
    f.changes.append(change(at - M, edge, "config", "limit_req_zone.rate", "200r/s", "20r/s", rng, "platform"))
    f.effects.append(Effect(edge, "error_ratio", at, 0.35, relative=False))
    f.bursts.append(Burst(edge, at, 30, "error", 'limiting requests, excess: 20.540 by zone "api", client: 10.1.7.4'))
    return f


def rollout_blip(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, ("spring", "aspnet", "express"))
    f = Fault(
        "rollout_blip",
        svc,
        "no_incident",
        "none",
        svc,
        "HighErrorRate",
        f"{svc}'s rolling deploy reset a few connections for a minute; the alert paged on the blip",
    )
    f.changes.append(change(t - 6 * M, svc, "deploy", "image.tag", "7.2.0", "7.2.1", rng, "flux"))
    f.effects.append(Effect(svc, "error_ratio", t - 5 * M, 0.06, relative=False, ramp=timedelta(0), until=t - 3 * M))
    f.bursts.append(Burst(svc, t - 5 * M, 8, "warn", "connection reset by peer during shutdown", minutes=2))
    return f


def flag_connection_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    dbs = ("postgres", "sqlserver")
    svc = rng.choice(
        [n.name for n in e.nodes if n.tech in ("spring", "aspnet") and any(e.node(c).tech in dbs for c in n.calls)]
    )
    db = next(c for c in e.node(svc).calls if e.node(c).tech in dbs)
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "flag_connection_leak",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"a flag turned on a path in {svc} that never returns its {db} connections",
    )
    f.changes.append(change(at - 15 * M, svc, "flag", "newRenewalFlow", "false", "true", rng, "product"))
    f.effects += [Effect(svc, "error_ratio", at, 0.3, relative=False), Effect(svc, "latency_p99", at, 12.0)]
    word = (
        "HikariPool-1 - Connection is not available, request timed out after 30000ms"
        if e.node(svc).tech == "spring"
        else "System.InvalidOperationException: Timeout expired. The timeout period elapsed prior to obtaining a "
        "connection from the pool. This may have occurred because all pooled connections were in use"
    )
    f.bursts.append(Burst(svc, at, 25, "error", word))
    return f


def eviction_policy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    cache = pick_called(e, rng, ("redis",))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "eviction_policy",
        cache,
        "recent_change",
        "rollback",
        front(e, cache),
        "HighErrorRate",
        f"{cache}'s maxmemory-policy was switched to noeviction; full, it refuses writes",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 40 * M, cache, "config", "maxmemory-policy", "allkeys-lru", "noeviction", rng, "dba"))
    f.effects.append(Effect(cache, "memory_utilization", at - 30 * M, 1.0, relative=False, ramp=30 * M))
    for c in e.callers(cache):
        f.effects.append(Effect(c, "error_ratio", at, 0.2, relative=False))
        f.bursts.append(
            Burst(c, at, 15, "error", f"{cache}: OOM command not allowed when used memory > 'maxmemory'.", peer=cache)
        )
    return f


FAULTS = [search_gc, edge_cert_expired, rate_limit_cut, rollout_blip, flag_connection_leak, eviction_policy]
