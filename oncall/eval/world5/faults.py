"""World 5's faults, from public postmortems of banks and logistics platforms: a WAF rule whose
regex burns the ingress's CPU, a database failover that drops connections, an internal certificate
left to expire, a carrier API rate-limiting us, a search cluster's disk reaching its flood stage, a
flag that turns on an N+1 query, a batch schedule changed to run every five minutes, a JVM heap cut
in a config change, a peak-season surge, a message broker hitting its memory alarm, a config
server push every service reads, an IAM role losing a permission, and a blip that healed itself."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.telemetry import KEvent
from oncall.eval.world5.estates import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

APPS = ("spring", "dotnet", "django", "gin", "express")


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"envs/prod/{svc}/values.yaml"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"MR-{rng.randint(1000, 9999)}",
        diff=f"--- a/{path}\n+++ b/{path}\n@@ -8,1 +8,1 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    )


def _front(e: Estate, svc: str) -> str:
    """Where users feel it: up the first caller chain to a service nobody calls."""
    seen = svc
    while callers := [c for c in e.callers(seen) if not e.node(c).shared]:
        seen = callers[0]
    return seen


def _one(e: Estate, rng: random.Random, techs: tuple[str, ...], callers: bool = True) -> str:
    fits = [n.name for n in e.nodes if n.tech in techs and not n.shared and (e.callers(n.name) or not callers)]
    return rng.choice(fits or [n.name for n in e.nodes if n.tech in APPS])


def _callers_fail(f: Fault, e: Estate, target: str, at: datetime, text: str, ratio: float = 0.3) -> None:
    for c in e.callers(target):
        if e.node(c).shared:
            continue
        f.bursts.append(Burst(c, at + M, 20, "error", text.format(caller=c, target=target), peer=target))
        f.effects.append(Effect(c, "error_ratio", at + M, ratio, relative=False))


def waf_regex(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = next((n.name for n in e.nodes if n.tech == "nginx"), _one(e, rng, APPS, callers=False))
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "waf_regex",
        svc,
        "recent_change",
        "rollback",
        svc,
        "IngressLatencyHigh",
        f"a new WAF rule on {svc} backtracks on every request",
    )
    f.changes.append(change(at - M, svc, "config", "modsecurity.rule_942100", "off", r"(?:.*?=.*?)*", rng, "secops"))
    f.effects += [
        Effect(svc, "cpu_utilization", at, 1.0, relative=False, ramp=M),
        Effect(svc, "latency_p99", at, 25.0),
        Effect(svc, "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts.append(
        Burst(
            svc,
            at,
            15,
            "error",
            "upstream timed out (110: Connection timed out) while reading response "
            "header from upstream, worker process is busy",
        )
    )
    return f


def db_failover(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = _one(e, rng, ("mysql", "postgres"))
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "db_failover",
        db,
        "dependency_failure",
        "escalate",
        _front(e, db),
        "HighErrorRate",
        f"{db}'s primary failed over; clients lost their connections",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [Effect(db, "restarts", at, 1, relative=False), Effect(db, "latency_p99", at, 12.0, until=at + 6 * M)]
    f.bursts.append(Burst(db, at, 3, "error", "[ERROR] InnoDB: Unable to lock ./ibdata1 error: 11; promoting replica"))
    _callers_fail(f, e, db, at, "Lost connection to MySQL server at '{target}:3306' during query")
    return f


def internal_cert(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _one(e, rng, ("dotnet", "spring", "gin"))
    at = t - rng.randint(3, 8) * M
    f = Fault(
        "internal_cert",
        svc,
        "expired_credential",
        "config_change",
        _front(e, svc),
        "HighErrorRate",
        f"{svc}'s serving certificate expired",
    )
    _callers_fail(
        f,
        e,
        svc,
        at,
        "The SSL connection could not be established: the remote certificate of {target} is "
        "invalid because of errors in the certificate chain: NotTimeValid",
    )
    return f


def carrier_rate_limit(e: Estate, rng: random.Random, t: datetime) -> Fault:
    ext = rng.choice([n.name for n in e.nodes if n.tech == "saas" and e.callers(n.name)])
    svc = e.callers(ext)[0]
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "carrier_rate_limit",
        ext,
        "dependency_failure",
        "escalate",
        _front(e, svc),
        "HighErrorRate",
        f"{ext} rate-limits {svc}",
    )
    f.failing_calls.append((svc, ext))
    f.bursts.append(
        Burst(
            svc,
            at,
            25,
            "error",
            f"HTTPError: 429 Client Error: Too Many Requests for url: "
            f"https://{ext}.example.net/v2/shipments (retry-after: 60)",
        )
    )
    f.effects += [
        Effect(svc, "error_ratio", at, 0.45, relative=False),
        Effect(_front(e, svc), "error_ratio", at + M, 0.15, relative=False),
    ]
    return f


def index_flood_stage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    idx = next(n.name for n in e.nodes if n.tech in ("elastic", "mysql", "postgres") and e.callers(n.name))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "index_flood_stage",
        idx,
        "resource_exhaustion",
        "escalate",
        _front(e, idx),
        "HighErrorRate",
        f"{idx}'s disk passed its flood stage; its indices went read-only",
    )
    f.effects.append(Effect(idx, "disk_utilization", at - 90 * M, 0.96, relative=False, ramp=90 * M))
    f.bursts.append(
        Burst(
            idx,
            at,
            4,
            "warn",
            "flood stage disk watermark [95%] exceeded on [node-1][/usr/share/data]; "
            "all indices on this node will be marked read-only",
        )
    )
    _callers_fail(
        f,
        e,
        idx,
        at,
        "cluster_block_exception: index [shipments] blocked by: [FORBIDDEN/12/index read-only "
        "/ allow delete (api)] on {target}",
    )
    return f


def n_plus_one_flag(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = next(
        (
            c
            for c in (n.name for n in e.nodes if n.tech in APPS)
            if any(e.node(d).tech in ("mysql", "postgres") for d in e.node(c).calls)
        ),
        _one(e, rng, APPS),
    )
    db = next((d for d in e.node(svc).calls if e.node(d).tech in ("mysql", "postgres")), svc)
    at = t - rng.randint(6, 12) * M
    flag = rng.choice(["eager_line_items", "show_delivery_history"])
    f = Fault(
        "n_plus_one_flag",
        svc,
        "recent_change",
        "rollback",
        _front(e, svc),
        "HighLatency",
        f"flag {flag} on {svc} issues a query per row against {db}",
    )
    f.changes.append(change(at - M, svc, "flag", flag, "false", "true", rng, "unleash"))
    f.effects += [
        Effect(db, "cpu_utilization", at, 0.97, relative=False),
        Effect(db, "request_rate", at, 9.0),
        Effect(svc, "latency_p99", at, 12.0),
        Effect(_front(e, svc), "latency_p99", at + M, 5.0),
    ]
    f.bursts.append(Burst(svc, at, 10, "warn", f"slow request: 212 queries to {db} for one response"))
    return f


def batch_schedule(e: Estate, rng: random.Random, t: datetime) -> Fault:
    dbs = ("mysql", "postgres")
    users = [n.name for n in e.nodes if n.tech in APPS and any(e.node(d).tech in dbs for d in n.calls)]
    job = next((u for u in users if not e.callers(u)), None) or rng.choice(users)  # a batch job if there is one
    db = next(d for d in e.node(job).calls if e.node(d).tech in dbs)
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "batch_schedule",
        job,
        "recent_change",
        "rollback",
        _front(e, next(iter(e.callers(db)), db)),
        "HighLatency",
        f"{job}'s schedule was changed to every five minutes; it floods {db}",
        also_accept=["capacity"],
    )
    f.changes.append(change(at - 2 * M, job, "config", "schedule", '"0 3 * * *"', '"*/5 * * * *"', rng, "ops"))
    f.effects += [
        Effect(job, "request_rate", at, 8.0),
        Effect(db, "request_rate", at, 6.0),
        Effect(db, "cpu_utilization", at, 0.98, relative=False),
        Effect(db, "latency_p99", at, 15.0),
    ]
    for c in e.callers(db):
        if c != job:
            f.effects.append(Effect(c, "latency_p99", at + M, 6.0))
    return f


def heap_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _one(e, rng, ("spring", "dotnet"))
    at = t - rng.randint(8, 15) * M
    f = Fault(
        "heap_cut",
        svc,
        "recent_change",
        "rollback",
        _front(e, svc),
        "KubePodCrashLooping",
        f"{svc}'s heap was cut in a config change; it runs out of memory",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 3 * M, svc, "config", "JAVA_TOOL_OPTIONS", '"-Xmx2g"', '"-Xmx384m"', rng, "perf-team"))
    f.effects += [
        Effect(svc, "memory_utilization", at - 2 * M, 0.99, relative=False),
        Effect(svc, "restarts", at, 5, relative=False),
        Effect(svc, "error_ratio", at, 0.25, relative=False),
    ]
    f.bursts.append(Burst(svc, at, 4, "error", "java.lang.OutOfMemoryError: Java heap space"))
    f.events.append(KEvent(svc, "BackOff", "Back-off restarting failed container", at + M, terminated="OOMKilled"))
    return f


def peak_season(e: Estate, rng: random.Random, t: datetime) -> Fault:
    front = next(n.name for n in e.nodes if not e.callers(n.name) and not n.shared)
    svc = e.node(front).calls[0]
    at = t - rng.randint(10, 20) * M
    f = Fault(
        "peak_season",
        svc,
        "capacity",
        "scale",
        front,
        "HighLatency",
        f"peak-season traffic through {front} saturates {svc}",
    )
    f.effects += [
        Effect(front, "request_rate", at, 3.5, ramp=10 * M),
        Effect(svc, "request_rate", at, 3.5, ramp=10 * M),
        Effect(svc, "cpu_utilization", at + 5 * M, 0.97, relative=False),
        Effect(svc, "latency_p99", at + 6 * M, 7.0),
        Effect(front, "latency_p99", at + 7 * M, 4.0),
    ]
    return f


def broker_memory_alarm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    mq = next(n.name for n in e.nodes if n.tech in ("rabbitmq", "redis") and e.callers(n.name))
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "broker_memory_alarm",
        mq,
        "resource_exhaustion",
        "escalate",
        _front(e, mq),
        "HighLatency",
        f"{mq} hit its memory high watermark and blocked publishers",
    )
    f.effects += [Effect(mq, "memory_utilization", at - 20 * M, 0.95, relative=False, ramp=20 * M)]
    f.bursts.append(
        Burst(
            mq,
            at,
            3,
            "warn",
            "vm_memory_high_watermark set. Memory used:1642864640 allowed:1639030784; publishers will be blocked",
        )
    )
    for c in e.callers(mq):
        f.bursts.append(
            Burst(c, at + M, 15, "warn", f"connection to {mq} blocked by the broker: low on memory", peer=mq)
        )
        f.effects.append(Effect(c, "latency_p99", at + M, 9.0))
    return f


def config_server_push(e: Estate, rng: random.Random, t: datetime) -> Fault:
    cfg = next((n.name for n in e.nodes if n.shared), None)
    if cfg is None:  # an estate without one: the same push, through the first service's own config
        return heap_cut(e, rng, t)
    at = t - rng.randint(4, 8) * M
    users = [n.name for n in e.nodes if n.tech == "spring" and n.name != cfg][:3]
    f = Fault(
        "config_server_push",
        cfg,
        "recent_change",
        "rollback",
        _front(e, users[0]),
        "HighErrorRate",
        f"a push to {cfg} removed a property its clients need",
    )
    f.changes.append(change(at - M, cfg, "config", "payments.limits.daily", "25000", "null", rng, "config-bot"))
    for u in users:
        f.bursts.append(
            Burst(
                u,
                at,
                12,
                "error",
                "Could not resolve placeholder 'payments.limits.daily' in value \"${payments.limits.daily}\"",
            )
        )
        f.effects.append(Effect(u, "error_ratio", at, 0.3, relative=False))
    return f


def role_lost_permission(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _one(e, rng, APPS)
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "role_lost_permission",
        svc,
        "permission_denied",
        "config_change",
        _front(e, svc),
        "HighErrorRate",
        f"{svc}'s IAM role lost kms:Decrypt",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - 2 * M, svc, "infra", "iam.policy", "kms-decrypt-read", "read-only", rng, "terraform"))
    f.bursts.append(
        Burst(
            svc,
            at,
            20,
            "error",
            f"AccessDeniedException: User: arn:aws:sts::1234:assumed-role/{svc} "
            "is not authorized to perform: kms:Decrypt",
        )
    )
    f.effects += [
        Effect(svc, "error_ratio", at, 0.5, relative=False),
        Effect(_front(e, svc), "error_ratio", at + M, 0.2, relative=False),
    ]
    return f


def healed_blip(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = _one(e, rng, APPS)
    at = t - rng.randint(12, 20) * M
    f = Fault(
        "healed_blip", svc, "no_incident", "none", svc, "HighLatency", f"{svc} was slow for two minutes, then fine"
    )
    f.effects.append(Effect(svc, "latency_p99", at, 4.0, ramp=timedelta(0), until=at + 2 * M))
    return f


FAULTS = [
    waf_regex,
    db_failover,
    internal_cert,
    carrier_rate_limit,
    index_flood_stage,
    n_plus_one_flag,
    batch_schedule,
    heap_cut,
    peak_season,
    broker_memory_alarm,
    config_server_push,
    role_lost_permission,
    healed_blip,
]
