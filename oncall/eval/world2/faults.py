"""Fault shapes taken from public postmortems and incident benchmarks (ITBench, the OpenTelemetry
demo's flagd failure flags, DeathStarBench chaos), each told only through the telemetry it would
leave: metric effects, log lines in the runtime's own idiom, the change that caused it, the alert
that fires, and the truth. Independent of the first generator's families."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.telemetry import KEvent
from oncall.eval.world2.estates import Estate
from oncall.eval.world2.shapes import callers_chain, change, pick, values_path
from oncall.eval.worlds import Burst, Effect, Fault, M


def shared_config_flip(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A flag or DNS setting flipped on shared infrastructure; the services that read it break."""
    infra = next(n.name for n in e.nodes if n.shared)
    users = [n.name for n in e.nodes if infra in n.calls and not n.shared]
    hit = rng.sample(users, k=min(2, len(users)))
    at = t - rng.randint(6, 14) * M
    if infra == "flagd":
        flag = rng.choice(["productCatalogFailure", "cartFailure", "adFailure", "paymentFailure"])
        c = change(at - 2 * M, infra, "flag", "off", "on", values_path(e, infra), flag, rng, "fflores")
        text = f"evaluating feature flag {flag}: flag is on, failing request as configured"
    else:
        c = change(
            at - 2 * M,
            infra,
            "config",
            "forward . /etc/resolv.conf",
            "forward . 10.0.0.253",
            values_path(e, infra),
            "corefile",
            rng,
            "netops",
        )
        text = "lookup {peer}.{ns}.svc.cluster.local on 10.96.0.10:53: no such host"
    f = Fault(
        "shared_config_flip",
        infra,
        "recent_change",
        "rollback",
        callers_chain(e, hit[0]),
        "HighErrorRate",
        f"a change to {infra} broke {', '.join(hit)}",
        also_accept=["network"] if infra != "flagd" else [],
    )
    f.changes.append(c)
    for s in hit:
        peer = next((p for p in e.node(s).calls if p != infra), infra)
        f.bursts.append(Burst(s, at, 20, "error", text.format(peer=peer, ns=e.namespace)))
        f.effects.append(Effect(s, "error_ratio", at, 0.35, relative=False))
    f.effects.append(Effect(f.alert_service, "error_ratio", at + M, 0.2, relative=False))
    return f


def caller_retry_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A caller's deploy multiplies its retries; the dependency it floods is what alarms."""
    caller = e.entry if e.node(e.entry).runtime != "envoy" else e.node(e.entry).calls[0]
    target = rng.choice([c for c in e.node(caller).calls if not e.node(c).shared])
    at = t - rng.randint(8, 15) * M
    f = Fault(
        "caller_retry_storm",
        caller,
        "recent_change",
        "rollback",
        target,
        "HighLatency",
        f"{caller}'s deploy raised retries and flooded {target}",
        also_accept=["capacity"],
    )
    f.changes.append(change(at - 3 * M, caller, "deploy", "1.8.2", "1.9.0", values_path(e, caller), "image.tag", rng))
    f.changes[-1]["diff"] = str(f.changes[-1]["diff"]) + "-    retries: 2\n+    retries: 12\n"
    f.effects += [
        Effect(caller, "request_rate", at, 1.2),
        Effect(target, "request_rate", at, 5.0),
        Effect(target, "cpu_utilization", at, 0.97, relative=False),
        Effect(target, "latency_p99", at, 9.0),
    ]
    f.bursts.append(Burst(caller, at, 30, "warn", f"retrying call to {target}: attempt 7 of 12", peer=target))
    return f


def bad_image(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A new image built for the wrong architecture: the container never starts."""
    svc = pick(e, rng, lambda n: n.runtime in ("go", "java", "python", "dotnet") and not n.shared and e.callers(n.name))
    at = t - rng.randint(5, 12) * M
    f = Fault(
        "bad_image",
        svc,
        "recent_change",
        "rollback",
        callers_chain(e, svc),
        "HighErrorRate",
        f"{svc}'s new image does not run on the nodes",
    )
    f.changes.append(change(at - 2 * M, svc, "deploy", "2.3.1", "2.4.0", values_path(e, svc), "image.tag", rng))
    f.bursts += [
        Burst(svc, at, 6, "error", "exec /app/server: exec format error"),
        Burst(svc, at, 3, "warn", "Back-off restarting failed container: CrashLoopBackOff"),
    ]
    f.events += [
        KEvent(svc, "Failed", "Error: failed to start container: exec /app/server: exec format error", at),
        KEvent(svc, "BackOff", "Back-off restarting failed container app", at + M, waiting="CrashLoopBackOff"),
    ]
    f.effects += [
        Effect(svc, "restarts", at, 6, relative=False),
        Effect(svc, "replicas", at, 0.0),
        Effect(svc, "request_rate", at, 0.05),
        Effect(f.alert_service, "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts.append(
        Burst(
            f.alert_service, at + M, 15, "error", f"call to {svc} failed: 14 UNAVAILABLE: no healthy upstream", peer=svc
        )
    )
    return f


def namespace_quota(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A quota lowered for the namespace: new pods of a scaling service are refused."""
    svc = pick(e, rng, lambda n: n.runtime in ("go", "python", "java", "node") and not n.shared and e.callers(n.name))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "namespace_quota",
        svc,
        "resource_exhaustion",
        "rollback",
        callers_chain(e, svc),
        "HighErrorRate",
        f"a lower memory quota left {svc} without pods",
        also_accept=["recent_change", "capacity"],
    )
    f.changes.append(
        change(
            at - 20 * M,
            svc,
            "infra",
            "limits.memory: 16Gi",
            "limits.memory: 4Gi",
            values_path(e, svc),
            "quota",
            rng,
            "platform-team",
        )
    )
    f.bursts.append(
        Burst(
            svc,
            at,
            4,
            "error",
            f'pods "{svc}-7d9f" is forbidden: exceeded quota: mem-quota, requested: limits.memory=1Gi',
        )
    )
    f.events.append(
        KEvent(svc, "FailedCreate", f'Error creating: pods "{svc}-7d9f-" is forbidden: exceeded quota: mem-quota', at)
    )
    f.effects += [
        Effect(svc, "replicas", at, 0.34),
        Effect(svc, "cpu_utilization", at, 0.96, relative=False),
        Effect(svc, "latency_p99", at, 6.0),
        Effect(f.alert_service, "error_ratio", at + M, 0.15, relative=False),
    ]
    return f


def credential_rotation(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A secret rotated upstream but not in the service: every call it makes is refused."""
    svc = pick(e, rng, lambda n: n.runtime in ("node", "go", "dotnet") and not n.shared and e.callers(n.name))
    at = t - rng.randint(4, 10) * M
    text = rng.choice(
        [
            "charge failed: 401 invalid_api_key: the API key provided has been revoked",
            "WRONGPASS invalid username-password pair or user is disabled",
            "AuthenticationFailed: SCRAM authentication failed, storedKey mismatch",
        ]
    )
    f = Fault(
        "credential_rotation",
        svc,
        "expired_credential",
        "config_change",
        callers_chain(e, svc),
        "HighErrorRate",
        f"{svc} still uses the credential that was rotated",
        also_accept=["recent_change"],
    )
    f.changes.append(
        change(
            at - 30 * M,
            svc,
            "config",
            "secret-v7",
            "secret-v8",
            values_path(e, svc),
            "credentials.secretRef",
            rng,
            "vault-rotator",
        )
    )
    f.bursts.append(Burst(svc, at, 25, "error", text))
    f.effects += [
        Effect(svc, "error_ratio", at, 0.6, relative=False),
        Effect(f.alert_service, "error_ratio", at + M, 0.2, relative=False),
    ]
    return f


def permission_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick(e, rng, lambda n: n.runtime in ("go", "rust", "java", "python") and not n.shared and e.callers(n.name))
    at = t - rng.randint(4, 10) * M
    f = Fault(
        "permission_removed",
        svc,
        "permission_denied",
        "rollback",
        callers_chain(e, svc),
        "HighErrorRate",
        f"an IAM change removed a permission {svc} needs",
        also_accept=["recent_change"],
    )
    f.changes.append(
        change(
            at - 5 * M,
            svc,
            "infra",
            "s3:GetObject,s3:PutObject",
            "s3:PutObject",
            values_path(e, svc),
            "iam.actions",
            rng,
            "terraform",
        )
    )
    f.bursts.append(
        Burst(
            svc,
            at,
            20,
            "error",
            f"upload label failed: AccessDenied: User: arn:aws:sts::123456789012:assumed-role/{svc} "
            "is not authorized to perform: s3:GetObject",
        )
    )
    f.effects += [
        Effect(svc, "error_ratio", at, 0.5, relative=False),
        Effect(f.alert_service, "error_ratio", at + M, 0.12, relative=False),
    ]
    return f


def slow_datastore(e: Estate, rng: random.Random, t: datetime) -> Fault:
    store = pick(e, rng, lambda n: n.runtime in ("mongo", "redis") and e.callers(n.name))
    caller = e.callers(store)[0]
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "slow_datastore",
        store,
        "resource_exhaustion",
        "escalate",
        callers_chain(e, caller),
        "HighLatency",
        f"{store} slowed under lock contention",
        also_accept=["dependency_failure"],
    )
    f.bursts += [
        Burst(store, at, 12, "warn", "Slow query took 4870ms: planSummary COLLSCAN, waiting for lock"),
        Burst(caller, at + M, 15, "error", f"query to {store} failed: context deadline exceeded", peer=store),
    ]
    f.effects += [
        Effect(store, "cpu_utilization", at, 0.95, relative=False),
        Effect(store, "latency_p99", at, 25.0),
        Effect(caller, "latency_p99", at + M, 12.0),
        Effect(f.alert_service, "latency_p99", at + 2 * M, 8.0),
    ]
    return f


def underway_before_window(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A cache that filled up hours ago: the window opens on an incident already under way."""
    cache = pick(e, rng, lambda n: n.runtime == "redis" and e.callers(n.name))
    caller = e.callers(cache)[0]
    at = t - rng.randint(90, 150) * M
    f = Fault(
        "underway_before_window",
        cache,
        "resource_exhaustion",
        "scale",
        callers_chain(e, caller),
        "HighLatency",
        f"{cache} ran out of memory {int((t - at).total_seconds() // 60)} minutes before the alert",
    )
    f.effects += [
        Effect(cache, "memory_utilization", at, 0.99, relative=False, ramp=timedelta(minutes=40)),
        Effect(caller, "latency_p99", at + 30 * M, 4.0, ramp=timedelta(minutes=60)),
        Effect(f.alert_service, "latency_p99", at + 40 * M, 3.0, ramp=timedelta(minutes=60)),
    ]
    f.bursts.append(
        Burst(cache, at + 20 * M, 8, "warn", "OOM command not allowed when used memory > 'maxmemory'", minutes=200)
    )
    return f


def third_party_throttling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick(e, rng, lambda n: n.runtime in ("cpp", "node", "go", "python") and not n.shared and e.callers(n.name))
    at = t - rng.randint(4, 10) * M
    f = Fault(
        "third_party_throttling",
        svc,
        "dependency_failure",
        "escalate",
        callers_chain(e, svc),
        "HighErrorRate",
        f"{svc}'s third-party API throttles it",
    )
    f.bursts.append(
        Burst(
            svc,
            at,
            25,
            "error",
            "GET https://api.exchangerates.example/v2/latest: 429 Too Many Requests (retry-after 60)",
        )
    )
    f.effects += [
        Effect(svc, "error_ratio", at, 0.4, relative=False),
        Effect(f.alert_service, "error_ratio", at + M, 0.1, relative=False),
    ]
    return f


def poison_producer(e: Estate, rng: random.Random, t: datetime) -> Fault:
    """A producer's deploy changes what it sends; the consumer fails on every message and alarms."""
    consumer = pick(e, rng, lambda n: n.runtime in ("java", "dotnet", "go") and e.callers(n.name) and not n.shared)
    producer = e.callers(consumer)[0]
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "poison_producer",
        producer,
        "recent_change",
        "rollback",
        consumer,
        "HighErrorRate",
        f"{producer}'s deploy changed its payload; {consumer} cannot decode it",
    )
    f.changes.append(
        change(at - 4 * M, producer, "deploy", "3.1.0", "3.2.0", values_path(e, producer), "image.tag", rng)
    )
    f.bursts.append(
        Burst(
            consumer,
            at,
            25,
            "error",
            f'failed to decode request from {producer}: unknown field "shippingCostV2" (schema 3.2)',
        )
    )
    f.effects += [Effect(consumer, "error_ratio", at, 0.7, relative=False)]
    return f


def memory_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick(e, rng, lambda n: n.runtime in ("java", "node", "python", "dotnet", "go") and not n.shared)
    at = t - rng.randint(10, 20) * M
    f = Fault(
        "memory_leak",
        svc,
        "resource_exhaustion",
        "restart",
        svc,
        "KubePodCrashLooping",
        f"{svc} leaks memory until the kernel kills it",
    )
    f.effects += [
        Effect(svc, "memory_utilization", at - 40 * M, 0.99, relative=False, ramp=timedelta(minutes=40)),
        Effect(svc, "restarts", at, 4, relative=False),
        Effect(svc, "latency_p99", at, 3.0),
    ]
    f.bursts.append(Burst(svc, at, 2, "error", "container killed: OOMKilled (exit code 137), memory limit 512Mi"))
    f.events.append(KEvent(svc, "BackOff", "Back-off restarting failed container app", at, terminated="OOMKilled"))
    return f


def noisy_alert(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick(e, rng, lambda n: not n.shared and n.runtime not in ("mongo", "redis", "kafka"))
    f = Fault("noisy_alert", svc, "no_incident", "none", svc, "HighLatency", f"{svc} spiked for a minute and recovered")
    f.effects.append(Effect(svc, "latency_p99", t - 3 * M, 2.5, ramp=timedelta(0), until=t - 2 * M))
    return f


FAULTS = [
    shared_config_flip,
    caller_retry_storm,
    bad_image,
    namespace_quota,
    credential_rotation,
    permission_removed,
    slow_datastore,
    underway_before_window,
    third_party_throttling,
    poison_producer,
    memory_leak,
    noisy_alert,
]
