"""World 19's faults, from public postmortems of streaming and IoT platforms, none a shape an earlier
world wrote: a consumer's poll interval cut below the time its batches take, so the group rebalances
over and over and readings go stale downstream; a release that makes the ingester insert row by row,
so ClickHouse refuses inserts with too many parts (the database is the loud one); a firmware campaign
sent to every device at once, whose reboots reconnect them all to the broker together; a consumer
scaled out to five times its replicas, whose connection pools take every connection the registry
database has; backups switched to the database's own volume hours before it fills; and a planned
partition reassignment that leaves partitions under-replicated while it copies (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"clusters/prod/{svc}/{'values.yaml' if kind == 'deploy' else 'config.yaml'}"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"!{rng.randint(100, 999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -12,1 +12,1 @@\n-{key} {old}\n+{key} {new}\n",
    }


def rebalance_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "rebalance_storm",
        "enricher",
        "recent_change",
        "rollback",
        "rules",
        "RuleInputsStale",
        "enricher's max.poll.interval.ms went from 300000 to 30000; at the day's volume a batch takes longer, "
        "so members are dropped from the group, it rebalances over and over, and readings reach the rules late",
    )
    f.changes.append(change(at - 3 * M, "enricher", "config", "max.poll.interval.ms:", "300000", "30000", rng,
                            "streaming-team"))  # fmt: skip
    f.effects += [
        Effect("enricher", "request_rate", at, 0.3),
        Effect("enricher", "latency_p99", at, 7.0),
        Effect("kafka", "cpu_utilization", at, 0.74, relative=False),
        Effect("tsdb", "request_rate", at, 0.6),
    ]
    f.bursts += [
        Burst("enricher", at, 6, "warn", "[enricher-StreamThread-2] o.a.k.c.c.i.ConsumerCoordinator - [Consumer "
              "clientId=enricher-StreamThread-2-consumer, groupId=enricher] consumer poll timeout has expired. This "
              "means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, "
              "which typically implies that the poll loop is spending too much time processing messages."),
        Burst("kafka", at, 8, "info", "[GroupCoordinator 1]: Preparing to rebalance group enricher in state "
              "PreparingRebalance with old generation 4412 (__consumer_offsets-31) (reason: Removing member "
              "enricher-StreamThread-2-consumer-7c1f on LeaveGroup; client reason: consumer poll timeout has expired.) "
              "(kafka.coordinator.group.GroupCoordinator)"),
        Burst("rules", at + 2 * M, 2, "warning", "warning|readings stale|newest=312s ago threshold=60s"),
    ]  # fmt: skip
    return f


def row_by_row_inserts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "row_by_row_inserts",
        "ingest",
        "recent_change",
        "rollback",
        "tsdb",
        "ClickHouseInsertsRejected",
        "ingest's release set flush_max_rows from 5000 to 1; each reading is its own insert and its own part, "
        "merges fall behind and ClickHouse refuses inserts with TOO_MANY_PARTS",
    )
    f.changes.append(change(at - 2 * M, "ingest", "deploy", "flush_max_rows:", "5000", "1", rng, "ci"))
    f.effects += [
        Effect("tsdb", "request_rate", at, 40.0),
        Effect("tsdb", "cpu_utilization", at, 0.94, relative=False),
        Effect("tsdb", "error_ratio", at + M, 0.31, relative=False),
        Effect("ingest", "error_ratio", at + M, 0.24, relative=False),
        Effect("ingest", "latency_p99", at, 8.0),
    ]
    f.bursts += [
        Burst("tsdb", at + M, 40, "error", "<Error> executeQuery: Code: 252. DB::Exception: Too many parts (300 with "
              "average size of 9.12 KiB) in table 'telemetry.readings'. Merges are processing significantly slower "
              "than inserts. (TOO_MANY_PARTS) (version 24.3.2.23 (official build)) (in query: INSERT INTO "
              "telemetry.readings FORMAT RowBinary)"),
        Burst("ingest", at + M, 20, "error", "ingest::writer: insert failed: bad response: Code: 252. DB::Exception: "
              "Too many parts (300). Merges are processing significantly slower than inserts. (TOO_MANY_PARTS)"),
    ]  # fmt: skip
    return f


def firmware_reconnect_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "firmware_reconnect_storm",
        "ota",
        "recent_change",
        "rollback",
        "mqtt-broker",
        "DevicesDisconnected",
        "ota's campaign for firmware 4.2.0 went from 5% to 100% of the fleet at once; every device rebooted and "
        "reconnected to the broker in the same minutes, its acceptors ran out of file descriptors",
    )
    f.changes.append(change(at - 3 * M, "ota", "config", "rollout_percent:", "5", "100", rng, "firmware-team"))
    f.effects += [
        Effect("mqtt-broker", "request_rate", at, 3.5),
        Effect("mqtt-broker", "cpu_utilization", at, 0.97, relative=False),
        Effect("mqtt-broker", "error_ratio", at, 0.38, relative=False),
        Effect("ingest", "request_rate", at + M, 0.55),
    ]
    f.bursts += [
        Burst("ota", at - 3 * M, 1, "info", "info|campaign fw-4.2.0 rollout 100%: 182000 devices notified", minutes=2),
        Burst("mqtt-broker", at, 25, "error", "error|esockd_acceptor_closed, reason: emfile, listener: ssl:default"),
        Burst("mqtt-broker", at, 30, "warn", "sensor-9a01c4|tls_handshake_timeout"),
    ]  # fmt: skip
    return f


def scale_out_takes_connections(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "scale_out_takes_connections",
        "enricher",
        "recent_change",
        "rollback",
        "device-api",
        "HighErrorRate",
        "enricher's maxReplicas went from 6 to 30; each replica opens a pool of 10 to registry-db, whose "
        "max_connections is 200, and the registry can no longer connect",
    )
    f.changes.append(change(at - 4 * M, "enricher", "scaling", "maxReplicas:", "6", "30", rng, "streaming-team"))
    f.effects += [
        Effect("registry", "error_ratio", at, 0.33, relative=False),
        Effect("device-api", "error_ratio", at + M, 0.21, relative=False),
        Effect("registry-db", "cpu_utilization", at, 0.71, relative=False),
    ]
    f.bursts += [
        Burst("enricher", at - 3 * M, 3, "info", "INFO  [main] c.f.enricher.Main - started enricher, connection pool "
              "registry-db size 10", minutes=4),
        Burst("registry-db", at, 30, "error", "FATAL:  sorry, too many clients already"),
        Burst("registry", at, 15, "error", "error|db connect failed|pq: sorry, too many clients already"),
        Burst("device-api", at + M, 8, "error", "error|registry lookup failed|rpc error: code = Unavailable desc = "
              "pq: sorry, too many clients already"),
    ]  # fmt: skip
    return f


def backups_fill_volume(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 8) * M
    began = t - timedelta(hours=rng.randint(4, 6))
    f = Fault(
        "backups_fill_volume",
        "tsdb",
        "recent_change",
        "rollback",
        "ingest",
        "IngestWriteErrors",
        "tsdb's backup destination moved from the object store to its own data volume hours ago; each hourly "
        "backup fills it further until inserts fail with NOT_ENOUGH_SPACE",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(began, "tsdb", "config", "backups.destination:", "s3:fleet-backups", "disk:default", rng,
                            "data-platform"))  # fmt: skip
    f.effects += [
        Effect("tsdb", "disk_utilization", began, 0.995, relative=False, ramp=at - began),
        Effect("tsdb", "error_ratio", at, 0.42, relative=False),
        Effect("ingest", "error_ratio", at + M, 0.3, relative=False),
        Effect("ingest", "latency_p99", at + M, 5.0),
    ]
    f.bursts += [
        Burst("tsdb", began, 1 / 60, "info", "<Information> BackupsWorker: Writing backup to disk 'default' path "
              "'backups/hourly'", minutes=int((t - began).total_seconds() // 60)),
        Burst("tsdb", at, 30, "error", "<Error> executeQuery: Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not "
              "enough space. (NOT_ENOUGH_SPACE) (version 24.3.2.23 (official build))"),
        Burst("ingest", at + M, 15, "error", "ingest::writer: insert failed: bad response: Code: 243. DB::Exception: "
              "Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)"),
    ]  # fmt: skip
    return f


def planned_reassignment(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "planned_reassignment",
        "kafka",
        "no_incident",
        "none",
        "kafka",
        "KafkaUnderReplicatedPartitions",
        "a planned reassignment moves the readings topic's partitions to three new brokers; while the new "
        "replicas copy, partitions are under-replicated as expected, and producers and consumers are unaffected",
    )
    f.changes.append(change(at - 2 * M, "kafka", "config", "readings.replicas:", "1,2,3", "4,5,6", rng, "data-eng"))
    f.effects += [Effect("kafka", "cpu_utilization", at, 0.58, relative=False)]
    f.bursts += [
        Burst("kafka", at, 4, "info", "[Controller id=1] Reassignment of partition readings-3 in progress: adding "
              "replicas 4,5,6 (kafka.controller.KafkaController)"),
        Burst("kafka", at, 6, "info", "[ReplicaFetcher replicaId=4, leaderId=1, fetcherId=0] Starting fetch of "
              "partition readings-3 from offset 0 (kafka.server.ReplicaFetcherThread)"),
    ]  # fmt: skip
    return f


FAULTS = [rebalance_storm, row_by_row_inserts, firmware_reconnect_storm, scale_out_takes_connections,
          backups_fill_volume, planned_reassignment]  # fmt: skip
