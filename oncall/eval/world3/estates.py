"""World 3's estates, written apart from worlds 1 and 2: a payments ledger and a telemetry
pipeline, shipped the way fluent-bit ships Kubernetes container logs (raw text in `log`, the pod
and container under `kubernetes`, no service field: pods are named by their workload and host),
in the text formats of Spring Boot, klog, Python logging, bunyan, PostgreSQL, nginx, ZooKeeper
and ClickHouse (styles as in ../shared/corpora/loghub), with recording-rule metric names keyed
by `job` and infrastructure signals scraped every 60 s beside 15 s application signals."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Node:
    name: str
    style: str  # spring | klog | python | bunyan | postgres | nginx | zookeeper | clickhouse | rust
    calls: tuple[str, ...] = ()
    rps: float = 10.0
    shared: bool = False  # infrastructure many services use
    stateful: str | None = None  # a StatefulSet's pod stem, e.g. "ledger-db-rs3": pods ledger-db-rs3-0..2


@dataclass(frozen=True)
class Estate:
    name: str
    namespace: str
    nodes: tuple[Node, ...]
    label: str
    signals: dict[str, str] = field(default_factory=dict)
    cloudwatch: bool = False  # alerts arrive as CloudWatch alarms through EventBridge

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def callers(self, name: str) -> list[str]:
        return [n.name for n in self.nodes if name in n.calls]

    def pod(self, name: str, rng: random.Random) -> str:
        n = self.node(name)
        if n.stateful:
            return f"{n.stateful}-{rng.randint(0, 2)}"
        return f"{name}-{rng.choice(['6f7c9d8b4', '58d4b9c7f', '7b9f6c5d2'])}-{rng.choice(['hx2vq', 'k9m4t', 'z7p2c'])}"


LEDGER = Estate(
    name="ledger",
    namespace="payments",
    label="job",
    signals={
        "request_rate": 'job:http_requests:rate1m{job="{service}"}',
        "error_ratio": 'job:http_requests_failed:ratio_rate1m{job="{service}"}',
        "latency_p99": 'job:http_request_duration_seconds:p99_1m{job="{service}"}',
        "cpu_utilization": 'job:container_cpu:usage_over_limit{job="{service}"}',
        "memory_utilization": 'job:container_memory:usage_over_limit{job="{service}"}',
        "disk_utilization": 'job:volume:used_ratio{job="{service}"}',
        "restarts": 'job:container_restarts:increase15m{job="{service}"}',
        "pool_utilization": 'job:db_pool:active_over_max{job="{service}"}',
    },
    nodes=(
        Node("edge", "nginx", ("payments-api", "accounts"), 80),
        Node("payments-api", "spring", ("ledger", "fx-rates", "risk", "consul"), 40),
        Node("accounts", "spring", ("ledger-db", "consul"), 25),
        Node("ledger", "klog", ("ledger-db", "kafka", "consul"), 35),
        Node("ledger-db", "postgres", (), 60, stateful="ledger-db-rs3"),
        Node("fx-rates", "python", ("consul",), 20),
        Node("risk", "python", ("ledger-db", "consul"), 15),
        Node("notifier", "bunyan", ("kafka",), 10),
        Node("kafka", "zookeeper", (), 30, stateful="kafka-broker"),
        Node("consul", "klog", (), 150, shared=True, stateful="consul-server"),
    ),
)

PIPELINE = Estate(
    name="pipeline",
    namespace="telemetry",
    label="Service",
    cloudwatch=True,
    signals={
        "request_rate": 'pipeline_requests_per_second{Service="{service}"}',
        "error_ratio": 'pipeline_error_fraction{Service="{service}"}',
        "latency_p99": 'pipeline_latency_p99_seconds{Service="{service}"}',
        "cpu_utilization": 'pipeline_cpu_fraction{Service="{service}"}',
        "memory_utilization": 'pipeline_memory_fraction{Service="{service}"}',
        "disk_utilization": 'pipeline_disk_fraction{Service="{service}"}',
        "restarts": 'pipeline_restarts{Service="{service}"}',
    },
    nodes=(
        Node("collector", "rust", ("router", "config-server"), 120),
        Node("router", "klog", ("clickhouse", "config-server"), 110),
        Node("clickhouse", "clickhouse", ("zookeeper",), 90, stateful="chi-events-0"),
        Node("zookeeper", "zookeeper", (), 40, stateful="zk"),
        Node("query-api", "python", ("clickhouse", "config-server"), 20),
        Node("dashboards", "bunyan", ("query-api",), 15),
        Node("rollup", "spring", ("clickhouse",), 5),
        Node("config-server", "spring", (), 60, shared=True),
    ),
)

ESTATES = {e.name: e for e in (LEDGER, PIPELINE)}


def text(style: str, level: str, msg: str, at: datetime, rng: random.Random) -> str:
    """One raw log line in the style's own format, the level spelled as that runtime spells it."""
    pid = rng.randint(100, 9000)
    ms = f"{at.microsecond // 1000:03d}"
    if style == "spring":
        lv = {"error": "ERROR", "warn": " WARN", "info": " INFO"}[level]
        thread = f"http-nio-8080-exec-{rng.randint(1, 40)}"
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms} {lv} 1 --- [{thread}] c.l.{rng.choice(['api', 'core'])}.Handler : {msg}"
    if style == "klog":
        where = f"{rng.choice(['server', 'store'])}.go:{rng.randint(40, 900)}"
        return f"{level[0].upper()}{at:%m%d %H:%M:%S}.{at.microsecond:06d}       1 {where}] {msg}"
    if style == "python":
        lv = {"error": "ERROR", "warn": "WARNING", "info": "INFO"}[level]
        return f"{at:%Y-%m-%d %H:%M:%S},{ms} {lv} [app.worker] {msg}"
    if style == "bunyan":
        lv = {"error": "ERROR", "warn": "WARN", "info": "INFO"}[level]
        return f"[{at:%Y-%m-%dT%H:%M:%S}.{ms}Z] {lv:>5}: app/{pid} on node-{rng.randint(1, 9)}: {msg}"
    if style == "postgres":
        lv = {"error": "ERROR", "warn": "WARNING", "info": "LOG"}[level]
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms} UTC [{pid}] {lv}:  {msg}"
    if style == "nginx":
        if level == "info":
            return f'10.0.{rng.randint(0, 9)}.{rng.randint(2, 250)} - - [{at:%d/%b/%Y:%H:%M:%S} +0000] "{msg}" 200 512'
        return f"{at:%Y/%m/%d %H:%M:%S} [{level}] 29#29: *{rng.randint(1000, 99999)} {msg}"
    if style == "zookeeper":
        lv = {"error": "ERROR", "warn": "WARN ", "info": "INFO "}[level]
        return f"{at:%Y-%m-%d %H:%M:%S},{ms} - {lv} [QuorumPeer[myid={rng.randint(1, 3)}]/0.0.0.0:2181] - {msg}"
    if style == "clickhouse":
        lv = {"error": "Error", "warn": "Warning", "info": "Information"}[level]
        return f"{at:%Y.%m.%d %H:%M:%S}.{at.microsecond:06d} [ {pid} ] {{}} <{lv}> {msg}"
    lv = {"error": "ERROR", "warn": " WARN", "info": " INFO"}[level]  # rust tracing's fmt layer
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {lv} collector::pipeline: {msg}"


BACKGROUND = {
    "spring": ["Completed request in 42ms", "HikariPool-1 - Pool stats (total=20, active=3, idle=17, waiting=0)"],
    "klog": ["handled request", "watch channel refreshed", "lease renewed"],
    "python": ["refreshed cache in 0.31s", "served 200 for /v1/quote"],
    "bunyan": ["delivered message", "GET /health 200"],
    "postgres": ["checkpoint complete: wrote 112 buffers (0.7%)", 'automatic vacuum of table "ledger.entries"'],
    "nginx": ["GET /v1/payments HTTP/1.1", "POST /v1/accounts HTTP/1.1"],
    "zookeeper": [
        "Accepted socket connection from /10.2.0.14:51020",
        "Established session 0x17 with negotiated timeout 30000",
    ],
    "clickhouse": [
        "executeQuery: Read 81920 rows, 2.50 MiB in 0.05 sec.",
        "MergeTreeBackgroundExecutor: merged 4 parts",
    ],
    "rust": ["batch flushed rows=5000", "exporter connected"],
}
NOISE = {  # failures every service logs now and then, incident or not
    "spring": "Retrying request after transient I/O error (attempt 1)",
    "klog": "failed to refresh watch, will retry: context canceled",
    "python": "Upstream slow, served stale quote",
    "rust": "export retry scheduled after broken pipe",
}
