"""World 45's estate, written after world 44's rules and scored before any rule saw it.

A weather-data company's platform on Amazon EKS: weather stations stream readings through a Go gateway into
Kafka (Avro, with Confluent's Schema Registry); a Kafka Streams job writes them into TimescaleDB; Airflow's
workers load the global model's runs and reanalyses; a FastAPI service answers forecasts, a Rust service
renders map tiles from object storage through Redis, and a Go API fronts them behind Keycloak. Bundled the
plain way DESIGN.md describes (`ts`, `service`, `pod`, `level`, `message`), the lines in each program's own
idiom. Metrics by OpenTelemetry's semantic conventions as the Prometheus exporter names them
(`http_server_request_duration_seconds`, keyed by **`service_name`**) through recording rules, and
kube-state-metrics and the kubelet's by **`container`** and by **`persistentvolumeclaim`**
(`data-kafka-0`), every 30 s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: go rust fastapi kstreams airflow keycloak kafka registry timescale redis saas


def _signals() -> dict[str, str]:
    svc = 'service_name="{service}"'
    return {
        "request_rate": f"service:http_server_request_duration_seconds_count:rate1m{{{svc}}}",
        "error_ratio": f"service:http_server_request_errors:ratio1m{{{svc}}}",
        "latency_p99": f"service:http_server_request_duration_seconds:p99_1m{{{svc}}}",
        "cpu_utilization": 'container:cpu_usage_seconds:ratio_limit{container="{service}"}',
        "memory_utilization": 'container:memory_working_set_bytes:ratio_limit{container="{service}"}',
        "restarts": 'container:kube_pod_container_status_restarts:increase5m{container="{service}"}',
        "disk_utilization": 'pvc:kubelet_volume_stats_used_bytes:ratio{persistentvolumeclaim="data-{service}-0"}',
        "pool_utilization": f"service:db_client_connections_usage:ratio_max{{{svc}}}",
    }


STORMCAST = Estate(
    label="service_name",
    name="stormcast",
    namespace="weather",
    shipper="plain",
    signals=_signals(),
    nodes=(
        Node("api", "go", ("auth", "tiles", "forecasts"), 420),
        Node("tiles", "rust", ("object-store", "tile-cache"), 900),
        Node("forecasts", "fastapi", ("tsdb", "tile-cache"), 260),
        Node("ingest", "kstreams", ("kafka", "schema-registry", "tsdb"), 1500),
        Node("station-gateway", "go", ("kafka", "schema-registry"), 1500),
        Node("batch", "airflow", ("tsdb", "object-store", "gfs-feed"), 5),
        Node("auth", "keycloak", (), 60),
        Node("kafka", "kafka", (), 3000),
        Node("schema-registry", "registry", (), 20),
        Node("tsdb", "timescale", (), 1800),
        Node("tile-cache", "redis", (), 2000),
        Node("object-store", "saas", (), 500),
        Node("gfs-feed", "saas", (), 1),
    ),
)

ESTATES = {STORMCAST.name: STORMCAST}

BACKGROUND = {
    "go": ['{"level":"info","ts":1,"caller":"http/server.go:88","msg":"request served","path":"/v2/forecast",'
           '"status":200,"duration":0.021}',
           '{"level":"info","ts":1,"caller":"ingest/batch.go:41","msg":"readings accepted","stations":212}'],
    "rust": ["INFO tiles::render: tile served z=6 x=33 y=21 layer=precip cache=hit elapsed_ms=3",
             "INFO tiles::render: tile served z=8 x=131 y=87 layer=temp cache=miss elapsed_ms=41"],
    "fastapi": ['INFO:     10.2.3.4:51122 - "GET /v2/forecast?lat=51.5&lon=-0.12 HTTP/1.1" 200 OK'],
    "kstreams": ["INFO  o.a.k.s.p.i.StreamThread - stream-thread [ingest-StreamThread-1] Processed 15022 total "
                 "records, ran 0 punctuators, and committed 4 total tasks since the last update"],
    "airflow": ["INFO - Task exited with return code 0",
                "INFO - Marking task as SUCCESS. dag_id=gfs_ingest, task_id=load_run"],
    "keycloak": ['INFO  [org.keycloak.events] (executor-thread-12) type="LOGIN", realmId="stormcast", '
                 'clientId="api"'],
    "kafka": ["INFO [ReplicaManager broker=1] Fetch offset 88123412 is out of range for partition "
              "station.readings-3, resetting offset (kafka.server.ReplicaManager)",
              "INFO [LogCleaner] Log cleaner thread 0 cleaned log __consumer_offsets-12 (kafka.log.LogCleaner)"],
    "registry": ['INFO 10.2.7.1 - - "GET /subjects/station.readings-value/versions/latest HTTP/1.1" 200 812 '
                 "(io.confluent.rest-utils.requests)"],
    "timescale": ["LOG:  checkpoint complete: wrote 2212 buffers (1.7%); 0 WAL file(s) added, 1 removed",
                  "LOG:  automatic vacuum of table \"weather.public.readings_hourly\": index scans: 0"],
    "redis": ["1:M 02 Mar 2026 06:00:01.123 * 10000 changes in 60 seconds. Saving...",
              "1:M 02 Mar 2026 06:00:01.456 * Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "go": '{"level":"warn","ts":1,"caller":"ingest/batch.go:77","msg":"station clock skew","station":"EGLL-04",'
          '"skew_s":3.2}',
    "rust": "WARN tiles::render: requested zoom 19 above the layer's maximum, clamped to 14",
    "kstreams": "WARN  o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=ingest-StreamThread-1-consumer, "
                "groupId=ingest] Offset commit took 1203 ms",
    "airflow": "WARNING - Dag 'era5_reanalysis' is paused; skipping scheduling",
}  # fmt: skip


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One line as the bundle's plain format has it."""
    if text.startswith('{"level"'):  # zap's JSON: its own time in epoch seconds
        text = text.replace('"ts":1,', f'"ts":{at.timestamp():.6f},', 1)
    return {
        "ts": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
        "service": service,
        "pod": pod,
        "level": level,
        "message": text,
    }
