"""World 10's faults, from public postmortems of device-fleet and billing platforms: a Kafka broker's
disk filling until producers are refused for too few in-sync replicas, a PostgreSQL database that
stops taking writes to avoid transaction-ID wraparound, a release whose memory outgrows its quota, a
client leaking Redis connections after its deploy until Redis refuses everyone, a server keep-alive
cut below the load balancer's idle timeout, a producer renaming a field its consumer requires, and an
error ratio computed over a handful of requests (a bot probing a quiet admin service)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.telemetry import KEvent
from oncall.eval.world10.estates import HEROKU, Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record, front

APPS = ("node", "python", "go", "java", "rails", "ruby")


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"apps/{svc}/app.json" if kind != "deploy" else f"apps/{svc}/release.json"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"v{rng.randint(100, 999)}",
        diff=f'--- a/{path}\n+++ b/{path}\n@@ -3,1 +3,1 @@\n-  "{key}": "{old}",\n+  "{key}": "{new}",\n',
    )


def _of(e: Estate, tech: str) -> str:
    return next(n.name for n in e.nodes if n.tech == tech)


def _producer_consumer(e: Estate) -> tuple[str, str]:
    """Kafka's clients: the one something calls produces; the one nobody calls consumes."""
    kafka = _of(e, "kafka")
    clients = e.callers(kafka)
    return next(c for c in clients if e.callers(c)), next(c for c in clients if not e.callers(c))


def kafka_isr(e: Estate, rng: random.Random, t: datetime) -> Fault:
    kafka = _of(e, "kafka")
    producer, _ = _producer_consumer(e)
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "kafka_isr",
        kafka,
        "resource_exhaustion",
        "escalate",
        front(e, producer),
        "HighErrorRate",
        f"a {kafka} broker's disk filled; it left the in-sync replicas and writes needing two are refused",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect(kafka, "disk_utilization", at - 4 * 60 * M, 1.0, relative=False, ramp=timedelta(hours=4)),
        Effect(producer, "error_ratio", at, 0.4, relative=False),
    ]
    f.bursts.append(
        Burst(
            kafka,
            at,
            20,
            "error",
            "[ReplicaManager broker=2] Error processing append operation on partition events-3 "
            "(kafka.server.ReplicaManager) org.apache.kafka.common.errors.NotEnoughReplicasException: The size "
            "of the current ISR Set(1) is insufficient to satisfy the min.isr requirement of 2",
        )
    )
    f.bursts.append(
        Burst(
            kafka,
            at - 2 * M,
            2,
            "error",
            "Error while appending records to events-1 in dir /var/lib/kafka (kafka.server.LogDirFailureChannel) "
            "java.io.IOException: No space left on device",
        )
    )
    words = {
        "go": 'level=error msg="produce failed" err="kafka server: Messages are rejected since there are fewer '
        'in-sync replicas than required"',
        "python": 'cimpl.KafkaException: KafkaError{code=NOT_ENOUGH_REPLICAS,val=19,str="Broker: Not enough '
        'in-sync replicas"}',
    }
    f.bursts.append(Burst(producer, at, 25, "error", words[e.node(producer).tech], peer=kafka))
    return f


def xid_wraparound(e: Estate, rng: random.Random, t: datetime) -> Fault:
    db = _of(e, "postgres")
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "xid_wraparound",
        db,
        "resource_exhaustion",
        "escalate",
        front(e, db),
        "HighErrorRate",
        f"{db} stopped taking writes to avoid transaction ID wraparound; autovacuum never caught up",
    )
    f.bursts += [
        Burst(
            db,
            at - 3 * 60 * M,
            1,
            "warn",
            'WARNING:  database "main" must be vacuumed within 9876543 transactions',
            minutes=180,
        ),
        Burst(
            db,
            at,
            20,
            "error",
            'ERROR:  database is not accepting commands to avoid wraparound data loss in database "main"',
        ),
    ]
    f.effects.append(Effect(db, "error_ratio", at, 0.5, relative=False))
    for c in e.callers(db):
        tech = e.node(c).tech
        line = {
            "node": "insert failed: database is not accepting commands to avoid wraparound data loss in "
            'database "main"',
            "java": "org.postgresql.util.PSQLException: ERROR: database is not accepting commands to avoid wraparound "
            'data loss in database "main"',
            "python": "psycopg2.errors.ProgramLimitExceeded: database is not accepting commands to avoid wraparound "
            'data loss in database "main"',
            "rails": "ActiveRecord::StatementInvalid (PG::ProgramLimitExceeded: ERROR:  database is not accepting "
            'commands to avoid wraparound data loss in database "main")',
            "ruby": "PG::ProgramLimitExceeded: ERROR:  database is not accepting commands to avoid wraparound data "
            'loss in database "main"',
        }.get(tech)
        if line:
            f.effects.append(Effect(c, "error_ratio", at + M, 0.4, relative=False))
            f.bursts.append(Burst(c, at + M, 15, "error", line, peer=db))
    return f


def memory_quota_deploy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = rng.choice([n.name for n in e.nodes if n.tech in APPS and e.callers(n.name) and n.rps >= 1])
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "memory_quota_deploy",
        svc,
        "recent_change",
        "rollback",
        front(e, svc),
        "HighLatency",
        f"{svc}'s release holds far more memory; it swaps past its quota and is restarted",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 25 * M, svc, "deploy", "release", "v311", "v312", rng, "deploy-bot"))
    f.effects += [
        Effect(svc, "memory_utilization", at - 20 * M, 1.0, relative=False, ramp=20 * M),
        Effect(svc, "latency_p99", at, 12.0),
        Effect(svc, "restarts", at + 2 * M, 3.0, relative=False, ramp=5 * M),
    ]
    if e.shipper == "papertrail":
        f.bursts += [
            Burst(svc, at, 6, "error", HEROKU + "Process running mem=1126M(220.0%)"),
            Burst(svc, at, 6, "error", HEROKU + "Error R14 (Memory quota exceeded)"),
        ]
    else:
        tech = e.node(svc).tech
        oom = {
            "node": "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            "go": "fatal error: runtime: out of memory",
            "python": "MemoryError",
            "java": "java.lang.OutOfMemoryError: Java heap space",
        }[tech]
        f.bursts.append(Burst(svc, at, 2, "error", oom))
        f.events.append(
            KEvent(svc, "BackOff", f"Back-off restarting failed container {svc}", at, terminated="OOMKilled")
        )
    return f


def redis_clients_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    redis = _of(e, "redis")
    leaker = rng.choice([c for c in e.callers(redis) if e.node(c).rps >= 1])
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "redis_clients_leak",
        leaker,
        "recent_change",
        "rollback",
        front(e, leaker),
        "HighErrorRate",
        f"{leaker}'s release opens a Redis connection per request and never closes it; {redis} hits maxclients",
    )
    f.changes.append(change(at - 40 * M, leaker, "deploy", "release", "v88", "v89", rng, "deploy-bot"))
    f.effects.append(Effect(redis, "pool_utilization", at - 38 * M, 1.0, relative=False, ramp=38 * M))
    f.bursts.append(Burst(redis, at, 6, "warn", "Error accepting a client connection: max number of clients reached"))
    for c in e.callers(redis):
        if e.node(c).rps < 1:
            continue
        f.effects.append(Effect(c, "error_ratio", at, 0.3, relative=False))
        f.bursts.append(Burst(c, at, 15, "error", _redis_refused(e.node(c).tech), peer=redis))
    return f


def _redis_refused(tech: str) -> str:
    return {
        "node": "ReplyError: ERR max number of clients reached",
        "go": 'level=error msg="cache get failed" err="ERR max number of clients reached"',
        "python": "redis.exceptions.ConnectionError: max number of clients reached",
        "rails": "Redis::CommandError (ERR max number of clients reached)",
    }[tech]


def keepalive_mismatch(e: Estate, rng: random.Random, t: datetime) -> Fault:
    edge = next(n.name for n in e.nodes if n.tech in ("nginx", "rails") and not e.callers(n.name))
    backend = e.node(edge).calls[0] if e.node(edge).tech == "nginx" else edge
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "keepalive_mismatch",
        backend,
        "recent_change",
        "rollback",
        edge,
        "HighErrorRate",
        f"{backend}'s keep-alive timeout was cut below the load balancer's idle timeout; reused connections close",
    )
    key = "keepAliveTimeout" if e.shipper == "loki" else "PUMA_PERSISTENT_TIMEOUT"
    f.changes.append(change(at - 2 * M, backend, "config", key, "75", "5", rng, "platform"))
    f.effects.append(Effect(edge, "error_ratio", at, 0.06, relative=False))
    if e.shipper == "loki":
        text = (
            "*8812 upstream prematurely closed connection while reading response header from upstream, client: "
            '10.2.0.7, server: fleet.example, request: "GET /v1/devices HTTP/1.1", '
            'upstream: "http://10.4.1.9:8080/v1/devices"'
        )
        f.bursts.append(Burst(edge, at, 12, "error", text))
    else:
        f.bursts.append(
            Burst(
                edge,
                at,
                12,
                "error",
                HEROKU + 'at=error code=H13 desc="Connection closed without response" method=POST path="/checkout" '
                'host=storefront.example request_id=5f0e fwd="81.2.69.160" dyno=web.2 connect=0ms service=2ms '
                "status=503 bytes=0 protocol=https",
            )
        )
    return f


def producer_renamed_field(e: Estate, rng: random.Random, t: datetime) -> Fault:
    producer, consumer = _producer_consumer(e)
    at = t - rng.randint(5, 10) * M
    field, renamed = ("deviceId", "device_id") if e.shipper == "loki" else ("customer_id", "customerId")
    f = Fault(
        "producer_renamed_field",
        producer,
        "recent_change",
        "rollback",
        consumer,
        "ConsumerLagHigh",
        f"{producer}'s release renamed '{field}' in the events it publishes; {consumer} fails on every one",
    )
    f.changes.append(change(at - 2 * M, producer, "deploy", "event.schema.id_field", field, renamed, rng, "deploy-bot"))
    f.effects += [
        Effect(consumer, "error_ratio", at, 0.9, relative=False),
        Effect(consumer, "restarts", at + M, 4.0, relative=False, ramp=8 * M),
        Effect(consumer, "request_rate", at, 0.1),
    ]
    line = (
        "com.fasterxml.jackson.databind.exc.MismatchedInputException: Missing required creator property "
        f"'{field}' (index 0)"
        if e.node(consumer).tech == "java"
        else f'KeyError: key not found: "{field}"'
    )
    f.bursts.append(Burst(consumer, at, 30, "error", line))
    return f


def probe_on_quiet_service(e: Estate, rng: random.Random, t: datetime) -> Fault:
    svc = next(n.name for n in e.nodes if n.rps < 1)
    f = Fault(
        "probe_on_quiet_service",
        svc,
        "no_incident",
        "none",
        svc,
        "HighErrorRate",
        f"{svc} serves a few requests an hour; a bot's probe of a missing path made its error ratio 0.5 for a minute",
    )
    f.effects.append(Effect(svc, "error_ratio", t - 3 * M, 0.5, relative=False, ramp=timedelta(0), until=t + 2 * M))
    f.bursts.append(Burst(svc, t - 3 * M, 2, "warn", 'request for unknown path "/wp-login.php": 404', minutes=1))
    return f


FAULTS = [
    kafka_isr,
    xid_wraparound,
    memory_quota_deploy,
    redis_clients_leak,
    keepalive_mismatch,
    producer_renamed_field,
    probe_on_quiet_service,
]
