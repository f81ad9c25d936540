"""World 4's faults, from public postmortems of mesh-based platforms: a connection leak shipped in a
deploy, a flag rolled out to everyone, an OAuth client secret that expired at a provider, CoreDNS
running out of memory, a cloud API having a regional outage, a lock that backs up a thread pool, a
CPU limit lowered, a client timeout cut into a retry storm, a deploy missing an environment
variable, a slow leak, a sports-final surge, a canary blip, and a legacy service nobody
instrumented."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.world4.estates import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

APP = ("kotlin", "go", "python", "node", "elixir", "rust")


def change(at: datetime, svc: str, kind: str, old: str, new: str, key: str, rng: random.Random, who: str) -> dict:
    path = f"k8s/{svc}/deployment.yaml" if kind in ("deploy", "infra") else f"k8s/{svc}/configmap.yaml"
    diff = f"--- a/{path}\n+++ b/{path}\n@@ -21,1 +21,1 @@\n-        {key}: {old}\n+        {key}: {new}\n"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": old,
        "to": new,
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": diff,
    }


def _app(e: Estate, rng: random.Random, need_callers: bool = True, langs: tuple[str, ...] = APP) -> str:
    fits = [n.name for n in e.nodes if n.lang in langs and not n.shared and (e.callers(n.name) or not need_callers)]
    return rng.choice(fits or [n.name for n in e.nodes if n.lang in APP])


def _entry(e: Estate, svc: str) -> str:
    """Where users feel a failure of `svc`: the first caller chain up to a service nobody calls."""
    seen = svc
    while callers := [c for c in e.callers(seen) if not e.node(c).shared]:
        seen = callers[0]
    return seen


def _provider(e: Estate, rng: random.Random, t: datetime) -> tuple[str, str, datetime]:
    """An external provider, the service that calls it, and when things went wrong."""
    ext = rng.choice([n.name for n in e.nodes if n.lang == "external" and e.callers(n.name)])
    return ext, e.callers(ext)[0], t - rng.randint(5, 10) * M


def _calls_fail(f: Fault, e: Estate, svc: str, at: datetime, text: str, ratio: float) -> Fault:
    """`svc` logs `text` 25 times a minute and fails `ratio` of its requests; users feel it a minute later."""
    f.bursts.append(Burst(svc, at, 25, "error", text))
    f.effects += [
        Effect(svc, "error_ratio", at, ratio, relative=False),
        Effect(_entry(e, svc), "error_ratio", at + M, 0.2, relative=False),
    ]
    return f


def connection_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _app(e, rng, langs=("kotlin", "python", "go"))
    deployed = t - rng.randint(35, 50) * M
    full = deployed + 30 * M
    f = Fault(
        "connection_leak",
        svc,
        "recent_change",
        "rollback",
        _entry(e, svc),
        "SLOBurnRateHigh",
        f"{svc}'s new release leaks database connections",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(deployed, svc, "deploy", "7.2.0", "7.3.0", "image", rng, "argo-rollouts"))
    f.effects += [
        Effect(svc, "pool_utilization", deployed, 1.0, relative=False, ramp=30 * M),
        Effect(svc, "latency_p99", full, 30.0),
        Effect(_entry(e, svc), "latency_p99", full + M, 8.0),
    ]
    f.bursts.append(
        Burst(svc, full, 20, "error", "unable to acquire connection from pool within 5000ms (max=50, in use=50)")
    )
    return f


def flag_rollout(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _app(e, rng)
    at = t - rng.randint(6, 12) * M
    flag = rng.choice(["new_matching_v2", "async_receipts", "hevc_default"])
    f = Fault(
        "flag_rollout",
        svc,
        "recent_change",
        "rollback",
        _entry(e, svc),
        "SLOBurnRateHigh",
        f"flag {flag} went to 100% on {svc}",
    )
    f.changes.append(change(at - M, svc, "flag", "5%", "100%", flag, rng, "launchdarkly"))
    f.bursts.append(
        Burst(svc, at, 30, "error", f"unhandled error in {flag} code path: index out of range [3] with length 3")
    )
    f.effects += [
        Effect(svc, "error_ratio", at, 0.4, relative=False),
        Effect(_entry(e, svc), "error_ratio", at + M, 0.15, relative=False),
    ]
    return f


def provider_secret_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    ext, svc, at = _provider(e, rng, t)
    f = Fault(
        "provider_secret_expired",
        svc,
        "expired_credential",
        "config_change",
        _entry(e, svc),
        "SLOBurnRateHigh",
        f"{svc}'s client secret at {ext} expired",
    )
    text = (
        f"POST https://{ext}.example.com/oauth/token -> 401 "
        '{"error":"invalid_client","error_description":"client secret expired"}'
    )
    f.failing_calls.append((svc, ext))  # the provider answers 401: the caller's calls to it fail
    return _calls_fail(f, e, svc, at, text, 0.7)


def dns_oom(e: Estate, rng: random.Random, t: datetime) -> Fault:
    dns = next((n.name for n in e.nodes if n.shared), None) or _app(e, rng)
    users = [n.name for n in e.nodes if dns in n.calls]
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "dns_oom",
        dns,
        "resource_exhaustion",
        "scale",
        _entry(e, users[0]) if users else dns,
        "SLOBurnRateHigh",
        f"{dns} ran out of memory; lookups fail everywhere",
        also_accept=["network"],
    )
    f.effects += [
        Effect(dns, "memory_utilization", at - 20 * M, 1.0, relative=False, ramp=20 * M),
        Effect(dns, "restarts", at, 4, relative=False),
    ]
    f.bursts.append(Burst(dns, at, 2, "error", "Container coredns terminated: OOMKilled (exit code 137)"))
    for u in users:
        f.bursts.append(
            Burst(
                u,
                at + M,
                15,
                "error",
                f"dial tcp: lookup {rng.choice(e.node(u).calls)}.{e.namespace}.svc.cluster.local: i/o timeout",
            )
        )
        f.effects.append(Effect(u, "error_ratio", at + M, 0.3, relative=False))
    return f


def cloud_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    ext, svc, at = _provider(e, rng, t)
    f = Fault(
        "cloud_outage",
        ext,
        "dependency_failure",
        "escalate",
        _entry(e, svc),
        "SLOBurnRateHigh",
        f"{ext} had a regional outage; {svc} cannot reach it",
    )
    f.effects.append(Effect(svc, "latency_p99", at, 6.0))
    text = f"{ext}: 503 Service Unavailable (SlowDown/InternalError), request id {rng.getrandbits(32):08x}"
    f.failing_calls.append((svc, ext))
    return _calls_fail(f, e, svc, at, text, 0.5)


def lock_backs_up_pool(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = rng.choice([n.name for n in e.nodes if n.lang == "postgres" and e.callers(n.name)])
    svc = e.callers(db)[0]
    at = t - rng.randint(7, 12) * M
    f = Fault(
        "lock_backs_up_pool",
        db,
        "resource_exhaustion",
        "escalate",
        _entry(e, svc),
        "SLOBurnRateHigh",
        f"a long transaction on {db} holds a lock; {svc}'s threads wait on it",
        also_accept=["dependency_failure"],
    )
    f.bursts += [
        Burst(db, at, 10, "warn", "process 4121 still waiting for ShareLock on transaction 99182 after 1000.125 ms"),
        Burst(svc, at + M, 20, "error", f"thread pool exhausted (200/200 busy) waiting on {db}"),
    ]
    f.effects += [
        Effect(db, "latency_p99", at, 40.0),
        Effect(svc, "latency_p99", at + M, 20.0),
        Effect(svc, "pool_utilization", at + M, 1.0, relative=False),
        Effect(_entry(e, svc), "latency_p99", at + 2 * M, 6.0),
    ]
    return f


def cpu_limit_lowered(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _app(e, rng)
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "cpu_limit_lowered",
        svc,
        "recent_change",
        "rollback",
        _entry(e, svc),
        "SLOBurnRateHigh",
        f"{svc}'s CPU limit was cut to a quarter",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 2 * M, svc, "infra", "2000m", "500m", "cpu", rng, "platform-bot"))
    f.effects += [
        Effect(svc, "cpu_utilization", at, 1.0, relative=False),
        Effect(svc, "latency_p99", at, 12.0),
        Effect(_entry(e, svc), "latency_p99", at + M, 5.0),
    ]
    return f


def timeout_cut_retry_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _app(e, rng, langs=("kotlin", "go", "node", "rust"))
    dep = next(
        (d for d in e.node(svc).calls if not e.node(d).shared and e.node(d).lang != "external"), e.node(svc).calls[0]
    )
    at = t - rng.randint(7, 12) * M
    f = Fault(
        "timeout_cut_retry_storm",
        svc,
        "recent_change",
        "rollback",
        dep,
        "SLOBurnRateHigh",
        f"{svc}'s client timeout to {dep} was cut; its retries flood {dep}",
        also_accept=["capacity"],
    )
    f.changes.append(
        change(at - 2 * M, svc, "config", "2s", "200ms", f"{dep.upper().replace('-', '_')}_TIMEOUT", rng, "dev")
    )
    f.effects += [
        Effect(svc, "request_rate", at, 1.0),
        Effect(dep, "request_rate", at, 6.0),
        Effect(dep, "cpu_utilization", at, 0.97, relative=False),
        Effect(dep, "latency_p99", at, 10.0),
    ]
    f.bursts.append(Burst(svc, at, 40, "warn", f"call to {dep} timed out after 200ms, retrying (attempt 3/5)"))
    return f


def missing_env_var(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _app(e, rng, langs=("python", "go", "elixir", "node"))
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "missing_env_var",
        svc,
        "recent_change",
        "rollback",
        _entry(e, svc),
        "SLOBurnRateHigh",
        f"{svc}'s new release expects an environment variable nobody set",
    )
    f.changes.append(change(at - 2 * M, svc, "deploy", "3.9.4", "3.10.0", "image", rng, "argo-rollouts"))
    f.bursts.append(Burst(svc, at, 4, "error", "fatal: required setting SETTLEMENT_ENDPOINT is not set; exiting"))
    f.effects += [
        Effect(svc, "restarts", at, 6, relative=False),
        Effect(svc, "error_ratio", at, 0.6, relative=False),
        Effect(_entry(e, svc), "error_ratio", at + M, 0.2, relative=False),
    ]
    return f


def slow_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _app(e, rng, langs=("kotlin", "node", "python"), need_callers=False)
    at = t - rng.randint(8, 15) * M
    f = Fault(
        "slow_leak", svc, "resource_exhaustion", "restart", svc, "PodMemoryNearLimit", f"{svc} leaks memory over hours"
    )
    f.effects += [
        Effect(svc, "memory_utilization", at - 120 * M, 0.97, relative=False, ramp=120 * M),
        Effect(svc, "latency_p99", at, 4.0),
        Effect(svc, "restarts", at + 5 * M, 1, relative=False),
    ]
    f.bursts.append(Burst(svc, at, 3, "warn", "heap usage 96% of limit; GC pauses rising"))
    return f


def final_surge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    entry = e.nodes[0].name
    svc = next(c for c in e.node(entry).calls if not e.node(c).shared)
    at = t - rng.randint(8, 14) * M
    f = Fault("final_surge", svc, "capacity", "scale", entry, "SLOBurnRateHigh", "the final drew four times the users")
    f.effects += [
        Effect(entry, "request_rate", at, 4.0),
        Effect(svc, "request_rate", at, 4.0),
        Effect(svc, "cpu_utilization", at, 0.98, relative=False),
        Effect(svc, "latency_p99", at, 9.0),
        Effect(entry, "latency_p99", at + M, 4.0),
    ]
    return f


def canary_blip(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _app(e, rng, need_callers=False)
    f = Fault("canary_blip", svc, "no_incident", "none", svc, "SLOBurnRateHigh", f"{svc}'s canary spiked for a minute")
    f.effects.append(Effect(svc, "latency_p99", t - 5 * M, 3.0, ramp=timedelta(0), until=t - 4 * M))
    return f


def dark_dependency(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A legacy service nobody instrumented fails; only its callers' errors say so."""
    ext, svc, at = _provider(e, rng, t)
    f = Fault(
        "dark_dependency",
        ext,
        "dependency_failure",
        "escalate",
        _entry(e, svc),
        "SLOBurnRateHigh",
        f"{ext} is down; it has no telemetry of its own",
    )
    f.failing_calls.append((svc, ext))
    return _calls_fail(f, e, svc, at, f"connect to {ext} failed: connection refused", 0.5)


FAULTS = [
    connection_leak,
    flag_rollout,
    provider_secret_expired,
    dns_oom,
    cloud_outage,
    lock_backs_up_pool,
    cpu_limit_lowered,
    timeout_cut_retry_storm,
    missing_env_var,
    slow_leak,
    final_surge,
    canary_blip,
    dark_dependency,
]
