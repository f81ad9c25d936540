"""World 48's faults, from streaming and mesh postmortems, in this estate's words: the mesh's identity issuer
certificate left to expire, so proxies cannot renew and meshed calls fail their handshakes everywhere (shared
infrastructure nobody calls by name); an entitlements release changing a Temporal workflow's commands, so
replays fail as non-deterministic (logged as a warning) and playback waits on its checks; the sports-data
provider sending goal events without a team, crashing the live-scores consumer (a provider's bad data); the
Snowflake sink's key rotated by the secrets job while Snowflake still holds the old public key; an engineer
starting the clip archive's whole-season backfill by hand in the evening, flooding CockroachDB (the database
alarms); a derby's real audience saturating live-scores; the packager's nightly transcode batch (no
incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """An Argo CD sync as the deploy log records it: the Helm values' diff, and the code's when there is one."""
    path = f"charts/{svc}/values-prod.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-  {key}: {old}\n+  {key}: {new}\n{code}",
    }


def _zap(level: str, msg: str, **kv: object) -> str:
    fields = "".join(f',"{k}":{v}' if isinstance(v, int) else f',"{k}":"{v}"' for k, v in kv.items())
    return f'{{"level":"{level}","caller":"playback/entitle.go:57","msg":"{msg}"{fields}}}'


def mesh_issuer_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "mesh_issuer_expired",
        "linkerd-identity",
        "expired_credential",
        "config_change",
        "web-bff",
        "BffErrorRate",
        "the mesh's identity issuer certificate expired (its rotation was never automated); the identity controller "
        "refuses to certify, proxies' day-long certificates lapse one by one and meshed calls fail their TLS "
        "handshakes",
    )
    ident = "identity:identity{server.addr=linkerd-identity-headless.linkerd.svc.cluster.local:8080}"
    f.effects += [
        Effect("linkerd-identity", "error_ratio", at - 30 * M, 1.0, relative=False, ramp=0 * M),
        Effect("web-bff", "error_ratio", at, 0.4, relative=False),
        Effect("playback-api", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("recs", "error_ratio", at + 2 * M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("linkerd-identity", at - 30 * M, 4, "error", 'level=error msg="Failed to certify playback-api.live.'
              'serviceaccount.identity.linkerd.cluster.local: issuer certificate expired at 2026-05-09T18:00:00Z"'),
        Burst("playback-api", at - 20 * M, 1, "warn", f"proxy|  WARN ThreadId(01) {ident}: linkerd_app_core::control:"
              " Failed to certify error=grpc-status: Unknown, grpc-message: \"issuer certificate expired\""),
        Burst("web-bff", at, 20, "warn", "proxy|  WARN ThreadId(01) outbound:proxy{addr=10.8.3.14:8080}:service{ns=live"
              " name=playback-api port=8080}: linkerd_app_core::errors::respond: HTTP/1.1 request failed error=TLS "
              "handshake failed: invalid peer certificate: Expired"),
        Burst("web-bff", at, 15, "error", "ERROR [PlaybackController] POST /v1/playback/sessions failed: Request "
              "failed with status code 502"),
        Burst("playback-api", at + 1 * M, 10, "error", _zap("error", "entitlement check failed", status=502,
              error="upstream connect error or disconnect/reset before headers")),
    ]  # fmt: skip
    return f


def workflow_nondeterminism(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "workflow_nondeterminism",
        "entitlements",
        "recent_change",
        "rollback",
        "playback-api",
        "PlaybackLatencyHigh",
        "an entitlements release adds a timer before the plan lookup in a running workflow's code; replays of "
        "in-flight checks fail as non-deterministic (the SDK logs it as a warning and retries), and playback waits "
        "out its check timeout",
    )
    src = "entitlements/src/main/java/tv/goalline/entitlements/CheckWorkflowImpl.java"
    f.changes.append(change(at - 3 * M, "entitlements", "deploy", "image.tag", "2.14.0", "2.15.0", rng, "argocd",
                            code=f"--- a/{src}\n+++ b/{src}\n@@ -31 +31,2 @@\n+    Workflow.sleep(Duration."
                            "ofSeconds(1));\n     Plan plan = activities.lookupPlan(userId);\n"))  # fmt: skip
    f.effects += [
        Effect("entitlements", "latency_p99", at, 25.0),
        Effect("playback-api", "latency_p99", at, 18.0),
        Effect("playback-api", "error_ratio", at + 1 * M, 0.06, relative=False),
        Effect("web-bff", "latency_p99", at + 1 * M, 4.0),
    ]
    f.bursts += [
        Burst("entitlements", at - 2 * M, 1, "info", "INFO 1 --- [entitlements] [           main] "
              "i.t.worker.WorkerFactory                 : Started worker for task queue ENTITLEMENTS v2.15.0",
              minutes=1),
        Burst("entitlements", at, 18, "warn", "WARN 1 --- [entitlements] [ow-task-poller-2] i.t.internal.worker."
              "WorkflowWorker          : Workflow task processing failure. startedEventId=9, WorkflowId=check-u-88213,"
              " RunId=0f3c2a9e-5b1d-4e2f-9a7c-2d1e0b8f6a41, error=io.temporal.worker.NonDeterministicException: "
              "[TMPRL1100] Failure handling event 5 of type 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' during replay. Event 5"
              " of type EVENT_TYPE_ACTIVITY_TASK_SCHEDULED does not match command type COMMAND_TYPE_START_TIMER."),
        Burst("playback-api", at, 25, "warn", _zap("warn", "entitlement check timed out", after="3s",
              workflow="check-u-88213")),
    ]  # fmt: skip
    return f


def feed_bad_events(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "feed_bad_events",
        "sports-feed",
        "dependency_failure",
        "escalate",
        "live-scores",
        "LiveScoresErrorRate",
        "the sports-data provider starts sending goal events with no team; live-scores' feed consumer crashes on "
        "each one and its supervisor restarts it, so scores stall and the live endpoints fail",
    )
    f.changes.append(change(t - rng.randint(40, 55) * M, "live-scores", "deploy", "image.tag", "3.4.0", "3.4.1", rng,
                            "argocd"))  # fmt: skip
    crash = (
        "[error] GenServer LiveScores.Feed.Consumer terminating\n** (FunctionClauseError) no function clause "
        "matching in LiveScores.Parser.goal/1\n    (live_scores 3.4.1) lib/live_scores/parser.ex:41: "
        'LiveScores.Parser.goal(%{"event" => "goal", "match_id" => 2291, "minute" => 67, "team_id" => nil})\n'
        'Last message: {:feed_event, %{"event" => "goal", "source" => "sports-feed"}}'
    )
    f.effects += [
        Effect("live-scores", "error_ratio", at, 0.35, relative=False),
        Effect("web-bff", "error_ratio", at + 1 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("live-scores", at, 8, "error", crash),
        Burst("live-scores", at, 20, "error", "[error] GET /api/live/2291 failed: no snapshot for match 2291"),
        Burst("web-bff", at + 1 * M, 6, "error", "ERROR [MatchController] live score for match 2291 unavailable: "
              "Request failed with status code 500"),
    ]  # fmt: skip
    return f


def snowflake_key_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "snowflake_key_rotated",
        "kafka-connect",
        "expired_credential",
        "config_change",
        "kafka-connect",
        "ConnectorTaskFailed",
        "the secrets job rotated the Snowflake sink's private key, but the new public key was never set on the "
        "Snowflake user; the connector's task fails authentication and stops",
    )
    f.changes.append(change(at - 2 * M, "kafka-connect", "secret", "snowflake.private.key", "sf-sink-key-v7",
                            "sf-sink-key-v8", rng, "secrets-rotator"))  # fmt: skip
    f.effects.append(Effect("kafka-connect", "cpu_utilization", at, 0.05, relative=False))  # a killed task idles
    f.bursts += [
        Burst("kafka-connect", at, 6, "error", "ERROR [snowflake-sink|task-0] WorkerSinkTask{id=snowflake-sink-0} "
              "Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until "
              "manually restarted (org.apache.kafka.connect.runtime.WorkerTask:196)\nnet.snowflake.client.jdbc."
              "SnowflakeSQLException: JWT token is invalid. [0f3c2a9e-5b1d-4e2f-9a7c-2d1e0b8f6a41]"),
    ]  # fmt: skip
    return f


def archive_backfill_flood(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "archive_backfill_flood",
        "clip-archive",
        "recent_change",
        "rollback",
        "cockroach",
        "CockroachSQLLatencyHigh",
        "an engineer started the clip archive's whole-season backfill by hand at peak time; its full scans "
        "saturate CockroachDB, and playback and entitlements slow behind it",
    )
    manual = "manual clip-archive-backfill-x7k2 (season=all)"
    f.changes.append(change(at - 2 * M, "clip-archive", "job", "run", "nightly (season=current)", manual, rng,
                            "dana@goalline.example"))  # fmt: skip
    f.effects += [
        Effect("cockroach", "latency_p99", at, 14.0),
        Effect("cockroach", "cpu_utilization", at, 0.97, relative=False),
        Effect("clip-archive", "cpu_utilization", at - 1 * M, 0.9, relative=False),
        Effect("playback-api", "latency_p99", at + 1 * M, 5.0),
        Effect("entitlements", "latency_p99", at + 1 * M, 4.0),
        Effect("playback-api", "error_ratio", at + 2 * M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("clip-archive", at - 1 * M, 30, "info", "INFO clip_archive.run: archived 5000 clips (season=all, "
              "offset=120500)"),
        Burst("cockroach", at, 20, "warn", "W sql/exec_log.go:123 ⋮ [T1,Vsystem,n1,client=10.8.5.3:40112,hostssl,"
              "user=‹archive›] 9921 ={\"EventType\":\"slow_query\",\"Statement\":\"SELECT * FROM clips WHERE season"
              " >= ‹$1› ORDER BY id LIMIT ‹5000›\",\"ApplicationName\":\"clip-archive\",\"NumRows\":5000,"
              "\"Age\":8123.4,\"FullTableScan\":true}"),
        Burst("playback-api", at + 1 * M, 15, "warn", _zap("warn", "session lookup slow", ms=2480,
              db="cockroach")),
    ]  # fmt: skip
    return f


def derby_day_saturation(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "derby_day_saturation",
        "live-scores",
        "capacity",
        "scale",
        "live-scores",
        "LiveScoresLatencyHigh",
        "a derby's kick-off brings three times the usual audience; live-scores' pods run at their CPU limit at "
        "the autoscaler's maximum and the match servers answer late",
    )
    f.effects += [
        Effect("live-scores", "request_rate", at, 3.2, ramp=8 * M),
        Effect("web-bff", "request_rate", at, 2.8, ramp=8 * M),
        Effect("live-scores", "cpu_utilization", at, 0.98, relative=False, ramp=6 * M),
        Effect("live-scores", "latency_p99", at + 2 * M, 6.0),
        Effect("live-scores", "error_ratio", at + 3 * M, 0.03, relative=False),
        Effect("web-bff", "latency_p99", at + 3 * M, 2.0),
    ]
    f.bursts += [
        Burst("live-scores", at + 2 * M, 6, "error", "[error] GET /api/live/2291 failed: ** (exit) exited in: "
              "GenServer.call(LiveScores.MatchServer, :snapshot, 5000)\n    ** (EXIT) time out"),
        Burst("live-scores", at + 1 * M, 10, "warn", "[warning] Phoenix.PubSub broadcast took 2210ms "
              "topic=match:2291"),
    ]  # fmt: skip
    f.events.append(KEvent("live-scores", "FailedScheduling", "0/12 nodes are available: 12 Insufficient cpu.",
                           at + 3 * M, per_minute=0.5))  # fmt: skip
    return f


def transcode_batch(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "transcode_batch",
        "packager",
        "no_incident",
        "none",
        "packager",
        "PackagerCPUHigh",
        "the nightly transcode batch for on-demand replays runs on the packager's pods as scheduled; CPU is high "
        "and nothing waits on it (no incident)",
    )
    f.effects += [
        Effect("packager", "cpu_utilization", at - 15 * M, 0.93, relative=False),
        Effect("packager", "request_rate", at - 15 * M, 1.6),
    ]
    f.bursts += [
        Burst("packager", at - 15 * M, 1, "info", 'INFO packager::batch: batch transcode started job="vod-nightly" '
              "assets=412", minutes=1),
        Burst("packager", at - 15 * M, 30, "info", 'INFO packager::segment: segment packaged rendition="vod-1080p" '
              "seq=1 ms=380"),
    ]  # fmt: skip
    return f


FAULTS = [mesh_issuer_expired, workflow_nondeterminism, feed_bad_events, snowflake_key_rotated,
          archive_backfill_flood, derby_day_saturation, transcode_batch]  # fmt: skip
