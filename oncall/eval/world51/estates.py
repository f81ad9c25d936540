"""World 51's estate, written after world 50's rules and scored before any rule saw it.

A podcast host with dynamic ad insertion on Amazon EKS: listeners' apps fetch RSS feeds from a Rails service
(Rails' own logger: `I, [2026-06-03T07:41:12.123456 #1]  INFO -- : ...`) and MP3s from a Go edge that stitches
ads into each download (zap's production JSON: epoch seconds in `ts`), asking a FastAPI ad-decision service
(uvicorn's and the app's text) that asks MySQL, Redis and Google Ad Manager; download events go through a
Node ingest service (bunyan's JSON: numeric levels) into Kafka and are rolled up into Elasticsearch; creators
upload through a Laravel studio API (`[2026-06-03 07:41:12] production.ERROR: ...`) whose Celery transcoder
runs ffmpeg and writes to S3; PostgreSQL holds the feeds. The logs are bundled as the team's shipper posts
them to **Coralogix's REST API** (`/logs/v1/singles`, a copy kept in S3): `applicationName` the environment,
`subsystemName` the service, `computerName` the pod, `timestamp` epoch milliseconds with a fraction,
`severity` on Coralogix's own scale (1 debug, 2 verbose, 3 info, 4 warn, 5 error, 6 critical: the pipeline
maps a JSON logger's level to it and gives every other line 3), `category` the logger, `text` the line (a
JSON logger's object as an object). Metrics: the OpenTelemetry Collector's span metrics and kubelet's,
through recording rules keyed by `service_name`, every 20 s."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: rails zap fastapi bunyan laravel celery mysql postgres redis kafka elasticsearch saas


def _signals() -> dict[str, str]:
    server = 'service_name="{service}",span_kind="SPAN_KIND_SERVER"'
    pod = 'service_name="{service}",k8s_cluster_name="podwave-use1"'
    return {
        "request_rate": f"podwave:span_calls:rate5m{{{server}}}",
        "error_ratio": f"podwave:span_calls:error_ratio5m{{{server}}}",
        "latency_p99": f"podwave:span_duration_seconds:p99_5m{{{server}}}",
        "cpu_utilization": f"podwave:container_cpu_usage:ratio_limit{{{pod}}}",
        "memory_utilization": f"podwave:container_memory_working_set:ratio_limit{{{pod}}}",
        "restarts": f"podwave:container_restarts:increase10m{{{pod}}}",
        "disk_utilization": f"podwave:pvc_used:ratio_capacity{{{pod}}}",
    }


PODWAVE = Estate(
    label="service_name",
    name="podwave",
    namespace="podwave",
    shipper="coralogix",
    signals=_signals(),
    nodes=(
        Node("feeds", "rails", ("postgres", "redis"), 380),
        Node("dai-edge", "zap", ("ad-decision", "redis", "s3"), 520),
        Node("ad-decision", "fastapi", ("mysql", "redis", "gam"), 510),
        Node("analytics-ingest", "bunyan", ("kafka",), 600),
        Node("stats-rollup", "rollup", ("kafka", "elasticsearch"), 40),
        Node("studio-api", "laravel", ("mysql", "redis", "transcoder", "stripe"), 35),
        Node("transcoder", "celery", ("s3", "redis"), 6),
        Node("mysql", "mysql", (), 900),
        Node("postgres", "postgres", (), 420),
        Node("redis", "redis", (), 2400),
        Node("kafka", "kafka", (), 700),
        Node("elasticsearch", "elasticsearch", (), 90),
        Node("gam", "saas", (), 480),
        Node("s3", "saas", (), 600),
        Node("stripe", "saas", (), 4),
    ),
)

ESTATES = {PODWAVE.name: PODWAVE}

BACKGROUND = {
    "rails": ["INFO -- : [9c1e4a7d] Completed 200 OK in 14ms (Views: 6.1ms | ActiveRecord: 3.2ms | Allocations: 4120)",
              "INFO -- : [2f7b1c9e] Started GET \"/shows/the-daily-drive/feed.xml\" for 10.1.4.22"],
    "zap": ['{"level":"info","caller":"stitch/stitch.go:88","msg":"episode stitched","show":"the-daily-drive",'
            '"ads":3,"bytes":48211993}'],
    "fastapi": ['INFO:     10.1.7.31:51234 - "POST /v1/decide HTTP/1.1" 200 OK',
                "INFO decide: filled 3 of 3 slots for the-daily-drive (gam 2, house 1)"],
    "bunyan": ['{"name":"analytics-ingest","pid":1,"level":30,"msg":"batch produced","topic":"downloads","n":500,'
               '"v":0}'],
    "rollup": ["INFO  io.podwave.rollup.Rollup - rolled up 5000 downloads into downloads-2026.06 in 212 ms"],
    "laravel": ["production.INFO: Episode 88213 published for show the-daily-drive"],
    "celery": ["INFO/ForkPoolWorker-2] Task transcoder.tasks.encode[4c1f9e2a] succeeded in 41.2s: None"],
    "mysql": ["[Note] [MY-010914] [Server] Aborted connection 8812 to db: 'ads' user: 'decide' host: '10.1.7.31' "
              "(Got timeout reading communication packets)."],
    "postgres": ["LOG:  checkpoint complete: wrote 912 buffers (5.6%); write=89.9 s, sync=0.003 s"],
    "redis": ["* 10000 changes in 60 seconds. Saving...", "* Background saving terminated with success"],
    "kafka": ["INFO [LocalLog partition=downloads-4, dir=/var/lib/kafka/data] Rolled new log segment at offset "
              "11820331 in 2 ms. (kafka.log.LocalLog)"],
    "elasticsearch": ['{"log.level":"INFO","message":"[downloads-2026.06][2] primary-replica resync completed with 0 '
                      'operations","log.logger":"org.elasticsearch.index.shard.IndexShard"}'],
}  # fmt: skip
NOISE = {
    "rails": "WARN -- : [6d2e8f1a] Feed for show the-late-edit has 1204 episodes; rendering the newest 300",
    "zap": '{"level":"warn","caller":"stitch/stitch.go:140","msg":"ad creative missing a loudness tag",'
           '"creative":"c-88213"}',
    "fastapi": "WARNING decide: gam answered slowly (812 ms) for the-daily-drive",
    "mysql": "[Warning] [MY-010055] [Server] IP address '10.1.9.4' could not be resolved: Name or service not known",
}  # fmt: skip
SEVERITY = {"debug": 1, "info": 3, "warn": 4, "warning": 4, "error": 5, "fatal": 6, "critical": 6}
BUNYAN = {20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal"}
STATEFUL = ("mysql", "postgres", "redis", "kafka", "elasticsearch")


def _text(tech: str, at: datetime, text: str) -> str | dict[str, Any]:
    """The line as the program writes it (a JSON logger's object, its own time in its own idiom)."""
    ms = at.microsecond // 1000
    if tech == "rails":  # Ruby's Logger: `I, [time #pid]  INFO -- : message`
        level = text.split(" ", 1)[0]
        return f"{level[0]}, [{at:%Y-%m-%dT%H:%M:%S.%f} #1] {level:>5} {text.split(' ', 1)[1]}"
    if tech == "zap":
        return {"ts": round(at.timestamp(), 3), **json.loads(text)}
    if tech == "bunyan":
        return {**json.loads(text), "hostname": "analytics-ingest", "time": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z"}
    if tech == "elasticsearch":
        fields = json.loads(text)
        return {"@timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z", "log.level": fields.pop("log.level"), **fields,
                "ecs.version": "1.2.0", "service.name": "ES_ECS", "event.dataset": "elasticsearch.server"}  # fmt: skip
    if tech == "rollup":  # log4j2's pattern
        return f"{at:%Y-%m-%d %H:%M:%S},{ms:03d} {text}"
    if tech == "laravel":
        return f"[{at:%Y-%m-%d %H:%M:%S}] {text}"
    if tech == "celery":
        return f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}: {text}"
    if tech == "mysql":
        return f"{at:%Y-%m-%dT%H:%M:%S.%f}Z 0 {text}"
    if tech == "postgres":
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d} UTC [{at.second * 41 % 9000 + 100}] {text}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms:03d} {text}"
    if tech == "kafka":
        return f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}] {text}"
    return text  # uvicorn and the app's text: no time of their own


def _severity(tech: str, line: str | dict[str, Any]) -> int:
    """The pipeline's mapping onto Coralogix's scale: a JSON logger's level, else 3 (it parses no text)."""
    if isinstance(line, dict):
        level = line.get("level", line.get("log.level", "info"))
        return SEVERITY.get(BUNYAN.get(level, "") if isinstance(level, int) else str(level).lower(), 3)
    return 3


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One entry as the shipper posts it to Coralogix's /singles."""
    tech = estate.node(service).tech
    line = _text(tech, at, text)
    name = f"{service}-{sum(map(ord, pod)) % 3}" if tech in STATEFUL else pod
    out: dict[str, Any] = {
        "timestamp": round(at.timestamp() * 1000, 3),
        "applicationName": "podwave-prod",
        "subsystemName": service,
        "computerName": name,
        "severity": _severity(tech, line),
        "category": {"rails": "rails", "laravel": "laravel", "celery": "celery.worker"}.get(tech, tech),
        "text": line,
    }
    if isinstance(line, dict) and "caller" in line:
        out["className"] = str(line["caller"]).split(":")[0]
    return out
