"""World 36's estate, written after world 35's rules and scored before any rule saw it.

A power-trading firm's market-data and settlement platform on Kubernetes, bundled the plain way DESIGN.md
describes by a Vector pipeline whose team writes `ts` as **epoch seconds with microseconds, a JSON number**
(`1768801272.123456`), and `level` as the level its parser found in each program's header: **klog's single
letter** for the Go programs (`E`, `W`, `I`, from `E0119 05:41:12.123456  1 feed.go:88] ...`), the word
for the rest (logback's `ERROR`, Flink's log4j `WARN`, Airflow's `ERROR`, Kafka's `ERROR`, PostgreSQL's
`FATAL`, Trino's `INFO`). The programs: a Java ingester taking the exchange vendor's feed, Kafka, a Flink
job keeping positions, a Go risk API (klog) on TimescaleDB, Airflow running settlement with its metadata
database, Trino over a MinIO object store (Go, klog-style through its own console logger here), and a
schema registry; the market-data vendor and Vault are others', seen only through what the platform logs.
Metrics carry kube-state-metrics' and cAdvisor's `workload` label, every 30 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: logback kafka flink goklog airflow postgres trino saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "workload:requests:rate2m",
        "error_ratio": "workload:request_errors:ratio2m",
        "latency_p99": "workload:request_latency_seconds:p99_2m",
        "cpu_utilization": "workload:container_cpu_usage_seconds:ratio_limit",
        "memory_utilization": "workload:container_memory_working_set_bytes:ratio_limit",
        "disk_utilization": "workload:kubelet_volume_stats_used_bytes:ratio",
        "restarts": "workload:kube_pod_container_status_restarts:increase10m",
    }
    return {k: f'{v}{{workload="{{service}}"}}' for k, v in names.items()}


POWER = Estate(
    label="workload",
    name="voltmark",
    namespace="markets",
    shipper="vector",
    signals=_signals(),
    nodes=(
        Node("md-ingest", "logback", ("feed", "kafka", "schema-registry"), 900),
        Node("kafka", "kafka", (), 2400),
        Node("positions", "flink", ("kafka", "schema-registry"), 600),
        Node("risk-api", "goklog", ("timescale", "kafka"), 80),
        Node("timescale", "postgres", (), 500),
        Node("settlement", "airflow", ("airflow-db", "trino", "vault"), 3),
        Node("airflow-db", "postgres", (), 120),
        Node("trino", "trino", ("objectstore",), 25),
        Node("objectstore", "goklog", (), 700),
        Node("schema-registry", "logback", (), 60),
        Node("feed", "saas", (), 900),
        Node("vault", "saas", (), 2),
    ),
)

ESTATES = {POWER.name: POWER}

BACKGROUND = {
    "logback": ["Committed offsets for partition ticks-3 at 88121442"],
    "kafka": ["[ProducerStateManager partition=ticks-3] Wrote producer snapshot at offset 88121442 with 12 producer "
              "ids in 4 ms."],
    "flink": ["Completed checkpoint 12873 for job 7d1f0b2a9c3e4d5f (48213 bytes, checkpointDuration=812 ms, "
              "finalizationTime=3 ms)."],
    "goklog": ["served GET /v1/exposure?book=EEX-DE-BASE in 41ms"],
    "airflow": ["Marking run <DagRun settle_day_ahead @ 2026-01-19 05:00:00+00:00: scheduled__2026-01-19T05:00:00"
                "+00:00, state:running> successful"],
    "postgres": ["checkpoint complete: wrote 1822 buffers (11.1%); 0 WAL file(s) added, 0 removed, 2 recycled"],
    "trino": ["TIMELINE: Query 20260119_054112_00412_x8k2p :: FINISHED :: elapsed 2210ms :: planning 102ms"],
}  # fmt: skip
NOISE = {
    "logback": "Consumer clientId=md-ingest-1 groupId=md-ingest: Offset commit took 1210 ms, longer than usual",
    "postgres": "could not receive data from client: Connection reset by peer",
    "goklog": "request canceled by client after 30s: GET /v1/exposure?book=EEX-FR-PEAK",
}
_WORD = {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "fatal": "ERROR"}
_LETTER = {"debug": "I", "info": "I", "warn": "W", "error": "E", "fatal": "F"}
_PG = {"debug": "DEBUG1", "info": "LOG", "warn": "WARNING", "error": "ERROR", "fatal": "FATAL"}
_SOURCE = {
    "logback": "c.v.md.FeedConsumer",
    "flink": "org.apache.flink.runtime.taskmanager.Task",
    "kafka": "kafka.server.KafkaApis",
    "airflow": "taskinstance.py:1937",
    "trino": "io.trino.execution",
}


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it, header and all."""
    if tech == "goklog":
        return f"{_LETTER[level]}{at:%m%d %H:%M:%S}.{at.microsecond:06d}       1 main.go:212] {text}"
    if tech == "logback":
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} [main] {_WORD[level]:<5} {_SOURCE[tech]} - {text}"
    if tech == "flink":
        return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {_WORD[level]:<5} {_SOURCE[tech]} [] - {text}"
    if tech == "kafka":
        return f"[{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}] {_WORD[level]} {text} ({_SOURCE[tech]})"
    if tech == "airflow":
        return f"[{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+0000] {{{_SOURCE[tech]}}} {_WORD[level]} - {text}"
    if tech == "postgres":
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC [88] {_PG[level]}:  {text}"
    if tech == "trino":
        stamp = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
        return f"{stamp}\t{_WORD[level]}\tdispatcher-query-12\t{_SOURCE[tech]}\t{text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the Vector pipeline writes it: epoch seconds, the header's level as the program spelt it."""
    tech = estate.node(service).tech
    spelt = {"goklog": _LETTER, "postgres": _PG}.get(tech, _WORD)[level]
    return {
        "ts": round(at.timestamp(), 6),
        "service": service,
        "pod": pod,
        "level": spelt,
        "message": line(tech, at, level, text),
    }
