"""World 7's faults, from public postmortems of lending and delivery platforms: a provider that
changed its API contract under us, a Java deadlock shipped in a release, a canary given all the
traffic by a weight typo, one client still dialling a database's old primary long after the failover
(a JVM caching DNS forever), a proxy out of file descriptors under real growth, a volume out of
inodes with space to spare, a vertical autoscaler cutting a memory limit, a consumer stuck after its
deploy while its queue grows, and an alert whose threshold sits inside the daily curve."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.telemetry import KEvent
from oncall.eval.world7.estates import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record, front, pick_called

APPS = ("java", "node", "python")


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"services/{svc}/deploy.yaml"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"{rng.getrandbits(28):07x}",
        diff=f"--- a/{path}\n+++ b/{path}\n@@ -20,1 +20,1 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    )


def provider_contract(e: Estate, rng: random.Random, t: datetime) -> Fault:
    ext = rng.choice([n.name for n in e.nodes if n.tech == "saas"])
    caller = e.callers(ext)[0]
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "provider_contract",
        ext,
        "dependency_failure",
        "escalate",
        front(e, caller),
        "HighErrorRate",
        f"{ext} changed its API: it now rejects a field {caller} sends",
    )
    f.effects.append(Effect(caller, "error_ratio", at, 0.3, relative=False))
    f.bursts.append(
        Burst(caller, at, 25, "error", f"{ext} returned 400 Bad Request: unknown field 'currency_code'", peer=ext)
    )
    f.failing_calls.append((caller, ext))
    return f


def java_deadlock(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, ("java",))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "java_deadlock",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighLatency",
        f"{svc}'s release takes two locks in opposite orders; its request threads deadlock",
    )
    f.changes.append(change(at - 20 * M, svc, "deploy", "image", "2.31.0", "2.32.0", rng, "spinnaker"))
    f.effects += [
        Effect(svc, "latency_p99", at, 60.0),
        Effect(svc, "request_rate", at, 0.3),
        Effect(svc, "error_ratio", at + 2 * M, 0.2, relative=False),
    ]
    f.bursts.append(
        Burst(svc, at, 1, "error", 'Found one Java-level deadlock: "http-nio-8080-exec-7" waiting to lock monitor')
    )
    return f


def canary_weight(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, APPS)
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "canary_weight",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"a typo gave {svc}'s canary all of its traffic; the canary throws",
    )
    f.changes.append(change(at - M, svc, "config", "canary.weight", "5", "100", rng, "dev"))
    f.effects.append(Effect(svc, "error_ratio", at, 0.45, relative=False))
    f.bursts.append(Burst(svc, at, 30, "error", "TypeError: Cannot read properties of undefined (reading 'amount')"))
    return f


def stale_primary(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = pick_called(e, rng, ("postgres", "mysql"))
    java = [c for c in e.callers(db) if e.node(c).tech == "java"] or e.callers(db)
    svc = java[0]
    failover = t - rng.randint(25, 40) * M
    f = Fault(
        "stale_primary",
        svc,
        "network",
        "restart",
        front(e, svc),
        "HighErrorRate",
        f"{db} failed over; {svc} caches its old primary's address forever and keeps dialling it",
        also_accept=["dependency_failure"],
    )
    f.effects += [
        Effect(db, "restarts", failover, 1, relative=False, until=failover + 6 * M),
        Effect(db, "latency_p99", failover, 10.0, until=failover + 2 * M),
        Effect(svc, "error_ratio", failover, 0.5, relative=False),
    ]
    for c in e.callers(db):
        if c != svc:  # everyone else reconnected within the minute
            f.bursts.append(Burst(c, failover, 20, "error", f"connection to {db} lost, reconnecting", minutes=1))
    f.bursts.append(Burst(svc, failover, 20, "error", "Connection refused: /10.20.3.12:5432 (primary)", minutes=90))
    return f


def fd_exhaustion(e: Estate, rng: random.Random, t: datetime) -> Fault:
    edge = next(n.name for n in e.nodes if not e.callers(n.name) and n.tech in ("nginx", "node"))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "fd_exhaustion",
        edge,
        "resource_exhaustion",
        "config_change",
        edge,
        "HighErrorRate",
        f"{edge} ran out of file descriptors as its traffic grew past its ulimit",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect(edge, "request_rate", at - 20 * M, 1.6, ramp=20 * M),
        Effect(edge, "error_ratio", at, 0.15, relative=False),
    ]
    f.bursts.append(Burst(edge, at, 20, "error", "accept4() failed (24: Too many open files)"))
    return f


def inode_exhaustion(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, ("python", "java"))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "inode_exhaustion",
        svc,
        "resource_exhaustion",
        "escalate",
        front(e, svc),
        "HighErrorRate",
        f"{svc}'s volume ran out of inodes (millions of small temp files) with space to spare",
    )
    f.effects.append(Effect(svc, "error_ratio", at, 0.3, relative=False))
    f.bursts.append(
        Burst(svc, at, 25, "error", "OSError: [Errno 28] No space left on device: '/tmp/upload-8f1c2e.part'")
    )
    return f


def vpa_memory_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = pick_called(e, rng, ("java", "node"))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "vpa_memory_cut",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"the vertical autoscaler cut {svc}'s memory limit below its working set",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 3 * M, svc, "scale", "resources.limits.memory", "2Gi", "768Mi", rng, "vpa-updater"))
    f.effects += [
        Effect(svc, "memory_utilization", at, 1.0, relative=False, ramp=M),
        Effect(svc, "restarts", at, 3, relative=False),
        Effect(svc, "error_ratio", at, 0.25, relative=False),
    ]
    f.events.append(KEvent(svc, "BackOff", "Back-off restarting failed container", at, terminated="OOMKilled"))
    return f


def consumer_stuck(e: Estate, rng: random.Random, t: datetime) -> Fault:
    mq = next(n.name for n in e.nodes if n.tech == "rabbitmq")
    worker = next(n.name for n in e.nodes if mq in n.calls and not e.callers(n.name))
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "consumer_stuck",
        worker,
        "recent_change",
        "rollback",
        mq,
        "QueueBacklogGrowing",
        f"{worker}'s release acks nothing (prefetch set to 0); {mq}'s queue grows",
    )
    f.changes.append(change(at - 2 * M, worker, "deploy", "image", "5.4.2", "5.5.0", rng, "spinnaker"))
    f.effects += [
        Effect(worker, "request_rate", at, 0.02),
        Effect(mq, "memory_utilization", at, 0.9, relative=False, ramp=10 * M),
    ]
    f.bursts.append(
        Burst(mq, at + 3 * M, 2, "warn", "queue 'decisions' in vhost '/' has 48211 messages ready, 0 consumers acking")
    )
    return f


def tight_threshold(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = next(n.name for n in e.nodes if not e.callers(n.name))
    return Fault(
        "tight_threshold",
        svc,
        "no_incident",
        "none",
        svc,
        "HighLatency",
        f"{svc}'s latency alert threshold sits inside its normal evening curve",
    )


FAULTS = [
    provider_contract,
    java_deadlock,
    canary_weight,
    stale_primary,
    fd_exhaustion,
    inode_exhaustion,
    vpa_memory_cut,
    consumer_stuck,
    tight_threshold,
]
