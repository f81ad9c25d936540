"""World 90's estate, written after world 89's rules and scored before any rule saw it.

A Tallinn telecom's analytics platform on Hadoop: Airflow schedules the nightly Spark jobs on YARN, which read
and write HDFS and the Hive metastore (on PostgreSQL); the cluster authenticates with Kerberos.

Logs are Filebeat's, shipped to Elasticsearch and saved by the team's script as each hit's `_source`, a line each:
`@timestamp` is when Filebeat read the line (a second or three after it was written), `message` the line as the
program wrote it, with its own time in its own format and its level among its words (no level field), the
service in the input's `fields.service`, `host.name`, `log.file.path`. The programs' formats are their own:
Hadoop's log4j (`2028-04-02 03:00:01,123 INFO org.apache...`), HDFS DataNode's classic `yyMMdd HHmmss pid`,
Spark's driver `yy/MM/dd HH:mm:ss`, Hive's log4j2 (`2028-04-02T03:00:01,123 INFO [thread] ...`), Airflow's task
and scheduler format. Metrics: the JMX exporter and statsd, recorded per `service`."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

WORKERS = tuple(f"dp-worker-{i:02d}" for i in range(1, 9))


def _signals() -> dict[str, str]:
    sel = 'service="{service}",cluster="dp-prod"'
    return {
        "request_rate": f"dp:operations:rate5m{{{sel}}}",
        "error_ratio": f"dp:operations_failed:ratio5m{{{sel}}}",
        "latency_p99": f"dp:operation_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"dp:process_cpu:ratio{{{sel}}}",
        "memory_utilization": f"dp:jvm_heap_used:ratio_max{{{sel}}}",
        "disk_utilization": f"dp:volume_used:ratio{{{sel}}}",
        "restarts": f"dp:process_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="dp-prod",
    namespace="dp-prod",
    shipper="filebeat-elasticsearch-source",
    signals=_signals(),
    nodes=(
        Node("airflow-scheduler", "airflow", ("spark-etl", "yarn-resourcemanager"), 5),
        Node("spark-etl", "spark", ("yarn-resourcemanager", "hdfs-namenode", "hdfs-datanode", "hive-metastore"), 40),
        Node("yarn-resourcemanager", "hadoop", ("hdfs-namenode",), 20),
        Node("hdfs-namenode", "hadoop", (), 150),
        Node("hdfs-datanode", "hdfs", (), 200),
        Node("hive-metastore", "hive", ("metastore-db", "hdfs-namenode"), 30),
        Node("metastore-db", "postgres", (), 60),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "airflow": ["{scheduler_job_runner.py:417} INFO - 1 tasks up for execution: <TaskInstance: cdr_daily.load_{k} "
                "scheduled__2028-04-0{k}T00:00:00+00:00 [scheduled]>"],
    "spark": ["INFO scheduler.TaskSetManager: Finished task {n}.0 in stage {k}.0 (TID {n}{k}) in {k}{n}12 ms on "
              "dp-worker-0{k} (executor {k}) ({n}/200)"],
    "hadoop": ["INFO org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit: allowed=true ugi=etl (auth:KERBEROS) "
               "ip=/10.20.1.{k} cmd=open src=/warehouse/cdr/day=0{k}/part-00{n}.parquet dst=null perm=null "
               "proto=rpc"],
    "hdfs": ["INFO datanode.DataNode$PacketResponder: PacketResponder {k} for block blk_10737{n}{k}{k}9 terminating"],
    "hive": ["INFO [pool-6-thread-{k}] metastore.HiveMetaStore: {k}: get_table : tbl=hive.cdr.daily_{n}"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); write={k}.{n}1 s, sync=0.00{k} s"],
}  # fmt: skip
NOISE = {
    "spark": "WARN scheduler.TaskSetManager: Stage {k} contains a task of very large size ({n}{k}2 KiB). The maximum "
    "recommended task size is 1000 KiB.",
    "hdfs": "WARN datanode.DataNode: Slow BlockReceiver write packet to mirror took {n}{k}ms (threshold=300ms)",
}
_PATH = {
    "airflow": "/opt/airflow/logs/scheduler/latest/cdr_daily.py.log",
    "spark": "/var/log/spark/etl/driver.log",
    "hadoop": "/var/log/hadoop/{svc}/hadoop-{svc}-{host}.log",
    "hdfs": "/var/log/hadoop/hdfs/hadoop-hdfs-datanode-{host}.log",
    "hive": "/var/log/hive/hivemetastore.log",
    "postgres": "/var/log/postgresql/postgresql-15-main.log",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str) -> str:
    n = int(at.timestamp()) % 61
    return text.replace("{k}", str(n % 9 + 1)).replace("{n}", str(n))


def _line(tech: str, at: datetime, level: str, said: str, pid: int) -> str:
    """The line as the program writes it: its own time format, its level among its words."""
    word = {"warn": "WARN", "error": "ERROR", "info": "INFO", "debug": "DEBUG"}[level]
    if said.startswith(("INFO ", "WARN ", "ERROR ")):
        said = said.split(" ", 1)[1]
    ms = f"{at.microsecond // 1000:03d}"
    if tech == "airflow":
        if "} INFO - " in said:
            said = said.replace("} INFO - ", f"}} {word} - ", 1)
        return f"[{at:%Y-%m-%dT%H:%M:%S}.{ms}+0000] {said}"
    if tech == "spark":
        return f"{at:%y/%m/%d %H:%M:%S} {word} {said}"
    if tech == "hdfs":
        return f"{at:%y%m%d %H%M%S} {pid} {word} {said}"
    if tech == "hive":
        return f"{at:%Y-%m-%dT%H:%M:%S},{ms} {word} {said}"
    if tech == "postgres":
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms} UTC [{pid}] {said}"
    return f"{at:%Y-%m-%d %H:%M:%S},{ms} {word} {said}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """Filebeat's events for one line a program wrote (a Java exception's lines each their own)."""
    node = estate.node(service)
    said, _, exception = text.partition("|exc|")
    kind, _, caught = exception.partition("|")
    said, caught = _fill(at, said), _fill(at, caught)
    h = _hex(service, pod, str(at.timestamp()), said)
    host = WORKERS[int(h[:2], 16) % len(WORKERS)] if node.tech in ("hdfs", "spark") else "dp-master-01"
    lines = [_line(node.tech, at, level, said, int(h[2:6], 16) % 30000 + 100)]
    if kind:
        lines += [f"{kind}: {caught}", f"\tat org.apache.hadoop.{service.split('-')[0]}.Client.call(Client.java:"
                  f"{int(h[6:8], 16) + 1400})"]  # fmt: skip
    read = at + timedelta(milliseconds=800 + int(h[8:11], 16) % 2200)
    path = _PATH[node.tech].format(svc=service.removeprefix("hdfs-").removeprefix("yarn-"), host=host)
    return [
        {
            "@timestamp": f"{read:%Y-%m-%dT%H:%M:%S}.{read.microsecond // 1000:03d}Z",
            "message": line,
            "fields": {"service": service, "cluster": "dp-prod"},
            "host": {"name": host},
            "log": {"file": {"path": path}, "offset": int(h[11:18], 16)},
            "agent": {"type": "filebeat", "version": "8.14.3"},
            "input": {"type": "filestream"},
        }
        for line in lines
    ]
