"""World 51's faults, from ad-tech, Kafka, MySQL, IAM and launch-day postmortems, in this estate's words: an
edge release that leaks a buffer per stitched download, its memory climbing for hours until pods are
OOM-killed (already under way when the alert's window opens); an ingest release setting its Kafka producer's
linger to zero and acks to all, so Kafka's request handlers saturate (Kafka alarms); a Terraform change
narrowing the transcoder's IAM role so S3 refuses its uploads (S3 itself is fine); a celebrity episode's launch
sending six times the downloads, the ad-decision service saturating at its autoscaler's maximum; MySQL's binary
logs filling its volume until it stops itself; a flag turning on chapter markers that make every feed render
query its episodes one by one (PostgreSQL alarms on CPU); a planned Elasticsearch reindex (no incident)."""

from __future__ import annotations

import json
import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A Spinnaker pipeline's record of what it applied (a manifest's values, a flag, a Terraform plan)."""
    path = {"iam": f"terraform/iam/{svc}.tf", "flag": f"flags/{svc}.json"}.get(kind, f"k8s/{svc}/values.yaml")
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"{rng.getrandbits(32):08x}",
        diff=f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-{key} = {old}\n+{key} = {new}\n{code}",
    )


def _zap(level: str, caller: str, msg: str, **fields: str) -> str:
    return json.dumps({"level": level, "caller": caller, "msg": msg, **fields})


def _bunyan(level: int, msg: str, **fields: str) -> str:
    return json.dumps({"name": "analytics-ingest", "pid": 1, "level": level, "msg": msg, **fields, "v": 0})


def dai_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    deployed = t - rng.randint(170, 200) * M
    f = Fault(
        "dai_leak",
        "dai-edge",
        "recent_change",
        "rollback",
        "dai-edge",
        "DaiEdgeErrorRate",
        "an edge release keeps a reference to each stitched download's ad buffer; its memory has climbed since the "
        "release three hours ago, and for the last twenty minutes pods reach their limit, are OOM-killed and "
        "drop the downloads they were serving",
        also_accept=["resource_exhaustion"],
    )
    src = "stitch/buffers.go"
    f.changes.append(change(deployed, "dai-edge", "deploy", "image.tag", "2.41.3", "2.42.0", rng, "spinnaker",
                            code=f"--- a/{src}\n+++ b/{src}\n@@ -31,2 +31,3 @@\n func (p *Pool) Get() *Buffer {{\n"
                            "+\tp.all = append(p.all, b) // for the stats endpoint\n"))  # fmt: skip
    oom = t - rng.randint(18, 24) * M
    f.effects += [
        Effect("dai-edge", "memory_utilization", deployed + 5 * M, 0.97, relative=False, ramp=oom - deployed - 5 * M),
        Effect("dai-edge", "restarts", oom, 2.0, relative=False, ramp=0 * M),
        Effect("dai-edge", "error_ratio", oom, 0.06, relative=False),
        Effect("dai-edge", "latency_p99", oom, 3.0),
    ]
    f.bursts += [
        Burst("dai-edge", oom, 1, "warn", _zap("warn", "stitch/pool.go:57", "buffer pool above soft limit",
              pooled="18211", mb="3710")),
        Burst("dai-edge", oom, 0.7, "info", _zap("info", "cmd/edge/main.go:41", "edge starting", version="2.42.0")),
    ]  # fmt: skip
    f.events.append(KEvent("dai-edge", "BackOff", "Back-off restarting failed container edge in pod dai-edge",
                           oom, per_minute=0.6, terminated="OOMKilled"))  # fmt: skip
    return f


def producer_linger_zero(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "producer_linger_zero",
        "analytics-ingest",
        "recent_change",
        "rollback",
        "kafka",
        "KafkaRequestHandlerSaturated",
        "an ingest config change set its Kafka producer's linger to 0 ms and acks to all (meant to lose no event on "
        "a broker restart); each download event is now its own request, the brokers' request handlers saturate "
        "and the rollup's fetches time out",
    )
    f.changes.append(change(at - 3 * M, "analytics-ingest", "config", "KAFKA_LINGER_MS", "50", "0", rng,
                            "spinnaker"))  # fmt: skip
    f.effects += [
        Effect("kafka", "cpu_utilization", at, 0.96, relative=False),
        Effect("kafka", "latency_p99", at, 25.0),
        Effect("analytics-ingest", "latency_p99", at + 1 * M, 8.0),
        Effect("stats-rollup", "error_ratio", at + 2 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("kafka", at, 3, "warn", "WARN [SocketServer listenerType=ZK_BROKER, nodeId=1] Request queue is full "
              "(500 requests), processor 3 blocked (kafka.network.Processor)"),
        Burst("analytics-ingest", at + 1 * M, 12, "warn", _bunyan(40, "produce slow", topic="downloads",
              elapsed_ms="2810")),
        Burst("stats-rollup", at + 2 * M, 8, "error", "ERROR io.podwave.rollup.Rollup - fetch from downloads failed: "
              "org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired before the position for "
              "partition downloads-4 could be determined"),
    ]  # fmt: skip
    return f


def s3_policy_narrowed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "s3_policy_narrowed",
        "transcoder",
        "permission_denied",
        "rollback",
        "studio-api",
        "StudioUploadFailures",
        "a Terraform change meant to stop the transcoder reading other buckets scoped its role's S3 policy to the "
        "raw-uploads prefix; it can no longer write the encoded episodes, S3 answers AccessDenied and creators' "
        "uploads fail",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - 2 * M, "transcoder", "iam", "s3_resources", '["arn:aws:s3:::podwave-media/*"]',
                            '["arn:aws:s3:::podwave-media/raw/*"]', rng, "terraform-cloud"))  # fmt: skip
    f.effects += [
        Effect("studio-api", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("transcoder", at, 6, "error", "ERROR/ForkPoolWorker-1] Task transcoder.tasks.encode[88213] raised "
              "unexpected: ClientError('An error occurred (AccessDenied) when calling the PutObject operation: "
              "User: arn:aws:sts::318811:assumed-role/podwave-transcoder/botocore-session is not authorized to "
              "perform: s3:PutObject on resource: \"arn:aws:s3:::podwave-media/encoded/88213.mp3\"')"),
        Burst("studio-api", at + 1 * M, 6, "error", "production.ERROR: Encoding failed for episode 88213: transcoder "
              "task failed {\"exception\":\"[object] (App\\\\Exceptions\\\\EncodingFailed(code: 0): transcoder task "
              "failed at /app/app/Jobs/Publish.php:58)\"}"),
    ]  # fmt: skip
    f.failing_calls.append(("transcoder", "s3"))
    return f


def celebrity_episode(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "celebrity_episode",
        "ad-decision",
        "capacity",
        "scale",
        "ad-decision",
        "AdDecisionLatencyHigh",
        "a celebrity guest's episode went out at the top of the hour: six times the usual downloads, every one "
        "asking for its ads; ad-decision is at its autoscaler's maximum of twelve replicas and its CPU saturates",
    )
    f.effects += [
        Effect("feeds", "request_rate", at - 1 * M, 3.0, ramp=4 * M),
        Effect("dai-edge", "request_rate", at, 6.0, ramp=5 * M),
        Effect("ad-decision", "request_rate", at, 5.5, ramp=5 * M),
        Effect("analytics-ingest", "request_rate", at + 1 * M, 5.0, ramp=5 * M),
        Effect("ad-decision", "cpu_utilization", at + 3 * M, 0.99, relative=False),
        Effect("ad-decision", "latency_p99", at + 4 * M, 9.0),
        Effect("dai-edge", "latency_p99", at + 5 * M, 2.5),
    ]
    f.bursts += [
        Burst("ad-decision", at + 4 * M, 10, "warn", "WARNING decide: deadline of 800 ms missed, serving house ads "
              "for the-late-edit"),
        Burst("dai-edge", at + 5 * M, 6, "warn", _zap("warn", "stitch/decide.go:72", "ad decision timed out, "
              "stitching house ads", show="the-late-edit")),
    ]  # fmt: skip
    return f


def binlog_disk_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 8) * M
    f = Fault(
        "binlog_disk_full",
        "mysql",
        "resource_exhaustion",
        "config_change",
        "ad-decision",
        "AdDecisionErrorRate",
        "MySQL's binary logs, kept thirty days since a replica was rebuilt, filled its volume; binlog_error_action "
        "ABORT_SERVER stops it at the first commit it cannot log, and it restarts into the same full disk",
    )
    f.effects += [
        Effect("mysql", "disk_utilization", at - 120 * M, 1.0, relative=False, ramp=118 * M),
        Effect("mysql", "restarts", at, 2.0, relative=False, ramp=0 * M),
        Effect("ad-decision", "error_ratio", at + 1 * M, 0.25, relative=False),
        Effect("studio-api", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("mysql", at, 1, "error", "[ERROR] [MY-011072] [Server] Binary logging not possible. Message: An error "
              "occurred during flush stage of the commit. 'binlog_error_action' is set to 'ABORT_SERVER'. Server is "
              "being stopped.."),
        Burst("mysql", at, 0.5, "error", "[ERROR] [MY-000035] [Server] Disk is full writing './binlog.000812' "
              "(OS errno 28 - No space left on device). Waiting for someone to free space... Retry in 60 secs."),
        Burst("ad-decision", at + 1 * M, 15, "error", "ERROR decide: campaign lookup failed: (pymysql.err."
              "OperationalError) (2003, \"Can't connect to MySQL server on 'mysql' ([Errno 111] Connection "
              "refused)\")"),
        Burst("studio-api", at + 1 * M, 4, "error", "production.ERROR: SQLSTATE[HY000] [2002] Connection refused "
              "(SQL: select * from `episodes` where `id` = 88213 limit 1)"),
    ]  # fmt: skip
    return f


def chapters_flag(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 8) * M
    f = Fault(
        "chapters_flag",
        "feeds",
        "recent_change",
        "rollback",
        "postgres",
        "PostgresCPUHigh",
        "a flag turned on chapter markers in feeds; each feed render now loads every episode's chapters one query "
        "at a time (an N+1), PostgreSQL's CPU saturates and feeds slow down",
    )
    f.changes.append(change(at - 2 * M, "feeds", "flag", "podcast_chapters_in_feed", "false", "true", rng,
                            "lena@podwave.example"))  # fmt: skip
    f.effects += [
        Effect("postgres", "cpu_utilization", at, 0.97, relative=False),
        Effect("postgres", "latency_p99", at, 12.0),
        Effect("feeds", "latency_p99", at + 1 * M, 7.0),
        Effect("feeds", "error_ratio", at + 2 * M, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 20, "info", "LOG:  duration: 212.881 ms  statement: SELECT \"chapters\".* FROM "
              "\"chapters\" WHERE \"chapters\".\"episode_id\" = $1 ORDER BY \"chapters\".\"starts_at\" ASC"),
        Burst("feeds", at + 1 * M, 8, "warn", "WARN -- : [5d2e8f1a] Feed render took 6210ms for show the-daily-drive "
              "(1204 episodes)"),
    ]  # fmt: skip
    return f


def reindex_planned(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 20) * M
    f = Fault(
        "reindex_planned",
        "elasticsearch",
        "no_incident",
        "none",
        "elasticsearch",
        "ElasticsearchCPUHigh",
        "the data team's planned reindex of last year's downloads into the new mapping: Elasticsearch's CPU and "
        "search latency rise while it runs, the rollup keeps writing, and nothing fails (no incident)",
    )
    f.changes.append(change(at - 1 * M, "elasticsearch", "maintenance", "reindex", "none",
                            "downloads-2025 -> downloads-2025-v2", rng, "data-team"))  # fmt: skip
    f.effects += [
        Effect("elasticsearch", "cpu_utilization", at, 0.88, relative=False, ramp=3 * M),
        Effect("elasticsearch", "latency_p99", at, 3.0, ramp=3 * M),
        Effect("elasticsearch", "disk_utilization", at, 0.61, relative=False, ramp=15 * M),
    ]
    f.bursts += [
        Burst("elasticsearch", at, 2, "info", '{"log.level":"INFO","message":"[downloads-2025-v2] creating index, '
              'cause [api], templates [], shards [6]/[1]","log.logger":"org.elasticsearch.cluster.metadata.'
              'MetadataCreateIndexService"}'),
        Burst("elasticsearch", at + 2 * M, 1, "warn", '{"log.level":"WARN","message":"[gc][88121] overhead, spent '
              '[1.2s] collecting in the last [1.8s]","log.logger":"org.elasticsearch.monitor.jvm.'
              'JvmGcMonitorService"}'),
    ]  # fmt: skip
    return f


FAULTS = [dai_leak, producer_linger_zero, s3_policy_narrowed, celebrity_episode, binlog_disk_full, chapters_flag,
          reindex_planned]  # fmt: skip
