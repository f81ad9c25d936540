"""World 11's faults, from public postmortems of dispatch and marketplace platforms: debug logging
switched on until the host's disk fills, a map provider slow enough that the caller's thread pool
starves, a consumer release that stops acknowledging until RabbitMQ's memory alarm blocks every
publisher, an edge route edited to send a path to the wrong service, a heap cut until the JVM spends
its time in GC, and Grafana's own alert about a query that returned no data for a minute."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.telemetry import KEvent
from oncall.eval.world11.estates import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record, front


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"jobs/{svc}.nomad.hcl"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"{rng.getrandbits(28):07x}",
        diff=f'--- a/{path}\n+++ b/{path}\n@@ -14,1 +14,1 @@\n-      {key} = "{old}"\n+      {key} = "{new}"\n',
    )


def _of(e: Estate, tech: str) -> str:
    return next(n.name for n in e.nodes if n.tech == tech)


def _callers_fail(f: Fault, e: Estate, svc: str, at: datetime, words: dict[str, str], ratio: float = 0.3) -> None:
    for c in e.callers(svc):
        line = words.get(e.node(c).tech)
        if line:
            f.effects.append(Effect(c, "error_ratio", at + M, ratio, relative=False))
            f.bursts.append(Burst(c, at + M, 12, "error", line, peer=svc))


def debug_log_disk(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = rng.choice(["driver-gw", "routing-engine"])
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "debug_log_disk",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighErrorRate",
        f"LOG_LEVEL=debug on {svc} filled its client's disk in two hours; writes now fail",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 120 * M, svc, "config", "LOG_LEVEL", "info", "debug", rng, "oncall-eu"))
    f.effects += [
        Effect(svc, "disk_utilization", at - 118 * M, 1.0, relative=False, ramp=118 * M),
        Effect(svc, "error_ratio", at, 0.45, relative=False),
    ]
    text = {
        "go": "failed to persist location batch: write /alloc/data/spool/batch-88121: no space left on device",
        "java": "Failed to write route cache snapshot: java.io.IOException: No space left on device",
    }[e.node(svc).tech]
    f.bursts.append(Burst(svc, at, 20, "error", text))
    f.bursts.append(Burst(svc, at - 110 * M, 30, "info", "DEBUG request headers dumped", minutes=110))
    _callers_fail(f, e, svc, at, {"traefik": f"502 GET /v1/{svc}", "node": f"call to {svc} failed: 500"}, 0.25)
    return f


def provider_slow_threadpool(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "provider_slow_threadpool",
        "maps-provider",
        "dependency_failure",
        "escalate",
        "edge",
        "HighLatency",
        "the map provider answers in 20 s instead of 200 ms; routing-engine's request threads all wait on it",
        also_accept=["network"],
    )
    f.failing_calls.append(("routing-engine", "maps-provider"))
    f.effects += [
        Effect("routing-engine", "latency_p99", at, 40.0),
        Effect("routing-engine", "error_ratio", at + 2 * M, 0.35, relative=False),
        Effect("routing-engine", "pool_utilization", at, 1.0, relative=False, ramp=2 * M),
        Effect("dispatch-api", "latency_p99", at + M, 15.0),
        Effect("edge", "latency_p99", at + M, 12.0),
    ]
    f.bursts += [
        Burst(
            "routing-engine",
            at,
            15,
            "warn",
            'I/O error on GET request for "https://api.maps-provider.example/v2/route": Read timed out',
        ),
        Burst(
            "routing-engine",
            at + 2 * M,
            20,
            "error",
            "Task java.util.concurrent.FutureTask@5c1e rejected from java.util.concurrent.ThreadPoolExecutor@3f1a"
            "[Running, pool size = 200, active threads = 200, queued tasks = 1000, completed tasks = 8812331]",
        ),
        Burst(
            "dispatch-api",
            at + 2 * M,
            10,
            "error",
            "quote failed: routing-engine timed out after 10000 ms",
            peer="routing-engine",
        ),
    ]
    return f


def consumer_stops_acking(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "consumer_stops_acking",
        "assigner",
        "recent_change",
        "rollback",
        "dispatch-api",
        "HighErrorRate",
        "assigner's release turned on manual acks it never sends; rabbit's queue grew until its memory alarm "
        "blocked publishers",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 35 * M, "assigner", "deploy", "task_acks_late", "false", "true", rng, "deploy-bot"))
    f.effects += [
        # with every delivery unacknowledged, the broker stops sending it more once its prefetch is full
        Effect("assigner", "request_rate", at - 33 * M, 0.05, ramp=2 * M),
        Effect("rabbit", "memory_utilization", at - 33 * M, 0.98, relative=False, ramp=33 * M),
        Effect("dispatch-api", "error_ratio", at, 0.4, relative=False),
        Effect("driver-gw", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts += [
        Burst(
            "rabbit",
            at,
            1,
            "warn",
            "memory resource limit alarm set on node rabbit@mq-1.\n\n"
            "**********************************************************\n"
            "*** Publishers will be blocked until this alarm clears ***",
        ),
        Burst(
            "dispatch-api",
            at,
            20,
            "error",
            "publish failed: Channel blocked by broker (connection.blocked: low on memory)",
            peer="rabbit",
        ),
        Burst("driver-gw", at, 15, "error", "amqp publish: connection blocked by server: low on memory", peer="rabbit"),
    ]
    return f


def edge_route_misconfig(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 8) * M
    f = Fault(
        "edge_route_misconfig",
        "edge",
        "recent_change",
        "rollback",
        "edge",
        "HighErrorRate",
        "a router rule on the edge now sends /v2/ to driver-gw, which answers 404",
    )
    f.changes.append(
        change(at - M, "edge", "config", "rule", "PathPrefix(`/v2/rides`)", "PathPrefix(`/v2`)", rng, "platform")
    )
    f.effects.append(Effect("edge", "error_ratio", at, 0.3, relative=False))
    f.bursts.append(Burst("edge", at, 40, "info", "404 GET /v2/rides/quote"))
    f.bursts.append(Burst("driver-gw", at, 40, "warn", "no route for GET /v2/rides/quote"))
    return f


def heap_cut_gc(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "heap_cut_gc",
        "routing-engine",
        "recent_change",
        "rollback",
        "edge",
        "HighLatency",
        "routing-engine's heap was cut from 4g to 1g; it spends its time collecting garbage and is restarted",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(
        change(at - 30 * M, "routing-engine", "config", "JAVA_OPTS", "-Xmx4g", "-Xmx1g", rng, "capacity-bot")
    )
    f.effects += [
        Effect("routing-engine", "memory_utilization", at - 25 * M, 0.99, relative=False, ramp=25 * M),
        Effect("routing-engine", "cpu_utilization", at - 5 * M, 0.97, relative=False),
        Effect("routing-engine", "latency_p99", at, 25.0),
        Effect("routing-engine", "restarts", at + 3 * M, 2.0, relative=False),
        Effect("dispatch-api", "latency_p99", at + M, 10.0),
        Effect("edge", "latency_p99", at + M, 8.0),
    ]
    f.bursts.append(Burst("routing-engine", at, 3, "error", "java.lang.OutOfMemoryError: GC overhead limit exceeded"))
    f.events.append(
        KEvent(
            "routing-engine",
            "BackOff",
            "Back-off restarting failed container routing-engine",
            at + 3 * M,
            terminated="OOMKilled",
        )
    )
    return f


def grafana_no_data(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = rng.choice(["auth", "driver-gw"])
    return Fault(
        "grafana_no_data",
        svc,
        "no_incident",
        "none",
        svc,
        "DatasourceNoData",
        f"Grafana's query for {svc} returned no data for one evaluation while Prometheus restarted; nothing was wrong",
    )


FAULTS = [
    debug_log_disk,
    provider_slow_threadpool,
    consumer_stops_acking,
    edge_route_misconfig,
    heap_cut_gc,
    grafana_no_data,
]
