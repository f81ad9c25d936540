"""World 45's faults, from weather and data-platform teams' postmortems, in this estate's words: a station
gateway release registering a new schema version its consumer cannot read (the gateway is healthy; the stream
job behind Kafka dies); Kafka's disk filling over the day after its retention was raised two days earlier
(near full when the window opens); an Airflow change letting a reanalysis backfill run 32 at once, flooding
TimescaleDB so the forecasts API slows (the database is taken, forecasts alarm, the cause is their shared
caller's change); object storage failing tiles; the global model's feed publishing a run of missing values;
the tile cache's memory cut with eviction off; and TimescaleDB's nightly compression job (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"deploy/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def producer_schema_break(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "producer_schema_break",
        "station-gateway",
        "recent_change",
        "rollback",
        "ingest",
        "IngestStalled",
        "a station gateway release sends pressure as a double and registers it as version 7 of the readings "
        "schema (the subject's compatibility had been set to NONE); the stream job cannot read it and stops",
    )
    c = change(at - 3 * M, "station-gateway", "deploy", "image", "ghcr.io/stormcast/station-gateway:3.14.2",
               "ghcr.io/stormcast/station-gateway:3.15.0", rng, "argocd")  # fmt: skip
    c["diff"] += (
        "--- a/schemas/station_reading.avsc\n+++ b/schemas/station_reading.avsc\n@@ -12 +12 @@\n"
        '-    {"name": "pressure_hpa", "type": "long"},\n+    {"name": "pressure_hpa", "type": "double"},\n'
    )
    f.changes.append(c)
    f.effects += [
        Effect("ingest", "restarts", at, 3.0, relative=False, ramp=0 * M),
        Effect("ingest", "cpu_utilization", at, 0.05, relative=False, ramp=1 * M),
        Effect("forecasts", "error_ratio", at + 4 * M, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("station-gateway", at - 1 * M, 1, "info", '{"level":"info","ts":1,"caller":"avro/registry.go:61","msg":'
              '"registered schema","subject":"station.readings-value","version":7,"id":412}', minutes=1),
        Burst("ingest", at, 6, "error", "ERROR o.a.k.s.p.i.StreamThread - stream-thread [ingest-StreamThread-1] "
              "Encountered the following exception during processing and the thread is going to shut down: "
              "org.apache.kafka.streams.errors.StreamsException: Deserialization exception handler is set to fail "
              "upon a deserialization error."),
        Burst("ingest", at, 6, "error", "ERROR o.a.k.s.p.i.StreamThread - Caused by: org.apache.kafka.common.errors."
              "SerializationException: Error deserializing Avro message for id 412 (topic station.readings) "
              "Caused by: org.apache.avro.AvroTypeException: Found double, expecting long"),
        Burst("ingest", at, 3, "info", "INFO  o.a.k.s.KafkaStreams - stream-client [ingest] State transition from "
              "RUNNING to PENDING_ERROR"),
    ]  # fmt: skip
    return f


def retention_disk_fill(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "retention_disk_fill",
        "kafka",
        "resource_exhaustion",
        "scale",
        "station-gateway",
        "StationReadingsDropped",
        "two days ago the readings topic's retention went from 3 to 30 days; Kafka's volume filled over the day "
        "and at 100 % the broker takes its log directory offline, so every produce fails",
    )
    f.changes.append(change(t - timedelta(hours=50), "kafka", "config", "retention.ms", "259200000", "2592000000",
                            rng, "dana@stormcast.example"))  # fmt: skip
    f.effects += [
        Effect("kafka", "disk_utilization", t - timedelta(hours=9), 1.0, relative=False, ramp=timedelta(hours=9)),
        Effect("station-gateway", "error_ratio", at, 0.7, relative=False),
        Effect("ingest", "cpu_utilization", at + 1 * M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("kafka", at - 1 * M, 4, "error", "ERROR Error while appending records to station.readings-3 in dir "
              "/var/lib/kafka/data (kafka.server.LogDirFailureChannel) java.io.IOException: No space left on device"),
        Burst("kafka", at, 1, "error", "ERROR [ReplicaManager broker=1] Stopping serving replicas in dir "
              "/var/lib/kafka/data (kafka.server.ReplicaManager)", minutes=2),
        Burst("station-gateway", at, 20, "error", '{"level":"error","ts":1,"caller":"kafka/producer.go:112","msg":'
              '"produce failed","topic":"station.readings","error":"kafka server: Disk error when trying to '
              'access log file on the disk (KAFKA_STORAGE_ERROR)"}'),
    ]  # fmt: skip
    return f


def backfill_flood(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "backfill_flood",
        "batch",
        "recent_change",
        "rollback",
        "forecasts",
        "ForecastsLatencyHigh",
        "a change let the reanalysis backfill run 32 days at once; its inserts take TimescaleDB's CPU and "
        "connections, and the forecasts API, reading the same database, slows and fails",
    )
    f.changes.append(change(at - 6 * M, "batch", "config", "max_active_runs", "1", "32", rng, "argocd"))
    f.effects += [
        Effect("tsdb", "cpu_utilization", at - 1 * M, 0.99, relative=False),
        Effect("tsdb", "pool_utilization", at - 1 * M, 1.0, relative=False),
        Effect("forecasts", "latency_p99", at, 9.0),
        Effect("forecasts", "error_ratio", at + 1 * M, 0.12, relative=False),
        Effect("api", "latency_p99", at + 1 * M, 3.0),
        Effect("ingest", "cpu_utilization", at + 1 * M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("batch", at - 4 * M, 1, "info", "INFO - Backfill started for dag era5_reanalysis: 45 dag runs from "
              "2026-01-01 to 2026-02-14 (max_active_runs=32)", minutes=1),
        Burst("batch", at - 3 * M, 30, "info", "INFO - Inserting 1038240 rows into readings_hourly"),
        Burst("tsdb", at - 1 * M, 12, "warn", "LOG:  duration: 8123.402 ms  statement: INSERT INTO readings_hourly "
              "SELECT * FROM staging_era5"),
        Burst("tsdb", at, 8, "fatal", "FATAL:  sorry, too many clients already"),
        Burst("forecasts", at, 15, "error", "ERROR:forecasts.db:query failed: psycopg.OperationalError: connection "
              "failed: FATAL:  sorry, too many clients already"),
    ]  # fmt: skip
    return f


def object_store_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "object_store_outage",
        "object-store",
        "dependency_failure",
        "escalate",
        "api",
        "ApiErrorRate",
        "the region's object storage answers half of tiles' reads with 503; tiles not in the cache fail",
    )
    f.effects += [
        Effect("tiles", "error_ratio", at, 0.45, relative=False),
        Effect("tiles", "latency_p99", at, 4.0),
        Effect("api", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts.append(Burst("tiles", at, 25, "error", "ERROR tiles::store: GetObject failed for "
                          "s3://stormcast-tiles/precip/6/33/21.webp: service error: ServiceUnavailable: Service "
                          "Unavailable (status 503)"))  # fmt: skip
    f.failing_calls.append(("tiles", "object-store"))
    return f


def gfs_bad_run(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "gfs_bad_run",
        "gfs-feed",
        "dependency_failure",
        "escalate",
        "forecasts",
        "ForecastsErrorRate",
        "the global model's 06z run was published with its temperature grid missing; batch loaded it and the "
        "forecasts API fails on every point it reads",
    )
    f.effects.append(Effect("forecasts", "error_ratio", at, 0.4, relative=False))
    f.bursts += [
        Burst("batch", at - 3 * M, 1, "warn", "WARNING - gfs 2026030206 f000: TMP:2 m above ground has 1038240 "
              "missing values of 1038240; loading anyway", minutes=1),
        Burst("batch", at - 3 * M, 1, "info", "INFO - Marking task as SUCCESS. dag_id=gfs_ingest, task_id=load_run",
              minutes=1),
        Burst("forecasts", at, 20, "error", "ERROR:forecasts.api:GET /v2/forecast failed: ValueError: cannot "
              "convert float NaN to integer"),
    ]  # fmt: skip
    return f


def tile_cache_memory_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "tile_cache_memory_cut",
        "tile-cache",
        "recent_change",
        "rollback",
        "tiles",
        "TilesLatencyHigh",
        "a values change meant for staging set the tile cache's maxmemory to 800mb with eviction off; once full "
        "every write is refused and tiles renders every request from object storage",
    )
    f.changes.append(change(at - 8 * M, "tile-cache", "config", "maxmemory", "8gb", "800mb", rng, "argocd"))
    f.effects += [
        Effect("tile-cache", "memory_utilization", at - 2 * M, 1.0, relative=False, ramp=2 * M),
        Effect("tiles", "latency_p99", at, 7.0),
        Effect("tiles", "cpu_utilization", at, 0.93, relative=False),
        Effect("tiles", "error_ratio", at + 1 * M, 0.03, relative=False),
        Effect("api", "latency_p99", at + 1 * M, 2.5),
    ]
    f.bursts += [
        Burst("tiles", at, 20, "warn", "WARN tiles::cache: SET failed, rendering without cache: OOM command not "
              "allowed when used memory > 'maxmemory'."),
        Burst("tile-cache", at - 8 * M, 1, "info", "1:M 02 Mar 2026 06:00:01.123 # CONFIG SET maxmemory 800mb",
              minutes=1),
    ]  # fmt: skip
    return f


def nightly_compression(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "nightly_compression",
        "tsdb",
        "no_incident",
        "none",
        "tsdb",
        "TsdbCpuHigh",
        "TimescaleDB's nightly compression policy ran as scheduled and took the CPU for a while; every query was "
        "answered in time (no incident)",
    )
    f.effects.append(Effect("tsdb", "cpu_utilization", at - 3 * M, 0.86, relative=False, ramp=2 * M))
    f.bursts += [
        Burst("tsdb", at - 4 * M, 1, "info", "LOG:  job 1002 (policy_compression) started", minutes=1),
        Burst("tsdb", at - 4 * M, 2, "info", "LOG:  compressing chunk _timescaledb_internal._hyper_1_812_chunk"),
    ]
    return f


FAULTS = [producer_schema_break, retention_disk_fill, backfill_flood, object_store_outage, gfs_bad_run,
          tile_cache_memory_cut, nightly_compression]  # fmt: skip
