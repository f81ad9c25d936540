"""World 49's faults, from Kubernetes, Prometheus, PostgreSQL and EBS postmortems, in this estate's words: a
values change cutting the dispatch API's liveness timeout to one second, so the kubelet kills pods in their
ordinary GC pauses (restarts, the portal's 503s); a tracker release labelling a histogram by vehicle, so
Prometheus' series explode and it is OOM-killed (Prometheus alarms; the tracker shows nothing); TimescaleDB's
gp2 volume spending its I/O burst credits, so inserts crawl and the tracker's consumer lag grows; the reconcile
CronJob outgrowing its ten minutes, its runs overlapping (concurrencyPolicy Allow) until PostgreSQL refuses
connections to the dispatch API; a dispatch release wrapping the jobs table's time column in a function, so
its query scans every row (PostgreSQL alarms on CPU); the hosted maps API slowing down; a planned firmware
wave reconnecting vehicles to EMQX (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A helmfile apply from the deploy workflow, as the deploy log records it: the values' diff, and the code's."""
    path = f"deploy/values/{svc}.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -12 +12 @@\n-  {key}: {old}\n+  {key}: {new}\n{code}",
    }


def _spring(level: str, logger: str, message: str, trace: str = "") -> str:
    value = {"INFO": 20000, "WARN": 30000, "ERROR": 40000}[level]
    extra = f',"stack_trace":"{trace}"' if trace else ""
    return (
        f'{{"message":"{message}","logger_name":"{logger}","thread_name":"http-nio-8080-exec-3",'
        f'"level":"{level}","level_value":{value}{extra}}}'
    )


def liveness_timeout_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "liveness_timeout_cut",
        "dispatch-api",
        "recent_change",
        "rollback",
        "portal",
        "PortalErrorRate",
        "a values change cut the dispatch API's liveness probe timeout from 5 s to 1 s; its ordinary GC pauses now "
        "outlast the probe, the kubelet kills and restarts its pods, and the portal gets 503s while they start",
    )
    f.changes.append(change(at - 4 * M, "dispatch-api", "config", "livenessProbe.timeoutSeconds", "5", "1", rng,
                            "deploy-bot"))  # fmt: skip
    f.effects += [
        Effect("dispatch-api", "restarts", at, 3.0, relative=False, ramp=0 * M),
        Effect("dispatch-api", "error_ratio", at, 0.12, relative=False),
        Effect("dispatch-api", "request_rate", at, 0.8),
        Effect("portal", "error_ratio", at, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("dispatch-api", at, 0.6, "info", _spring("INFO", "c.r.dispatch.DispatchApplicationKt",
              "Started DispatchApplicationKt in 17.412 seconds (process running for 18.9)")),
        Burst("dispatch-api", at, 1, "warn", _spring("WARN", "o.s.b.a.availability.LivenessStateHealthIndicator",
              "Application availability state LivenessState changed to BROKEN")),
        Burst("portal", at, 14, "error", '{"level":50,"msg":"GET /api/jobs failed","err":{"type":"Error",'
              '"message":"Request failed with status code 503"},"upstream":"dispatch-api"}'),
    ]  # fmt: skip
    f.events += [
        KEvent("dispatch-api", "Unhealthy", 'Liveness probe failed: Get "http://10.42.3.17:8080/actuator/health/'
               'liveness": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', at,
               per_minute=2),
        KEvent("dispatch-api", "Killing", "Container app failed liveness probe, will be restarted", at,
               per_minute=0.6),
    ]  # fmt: skip
    return f


def cardinality_explosion(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "cardinality_explosion",
        "tracker",
        "recent_change",
        "rollback",
        "prometheus",
        "PrometheusMemoryHigh",
        "a tracker release labels its position-lag histogram by vehicle id; forty thousand vehicles times the "
        "buckets multiply Prometheus' head series until it is OOM-killed and replays its WAL in a loop",
    )
    src = "tracker/src/sink.rs"
    f.changes.append(change(at - 6 * M, "tracker", "deploy", "image.tag", "0.31.2", "0.32.0", rng, "deploy-bot",
                            code=f"--- a/{src}\n+++ b/{src}\n@@ -88 +88 @@\n-    histogram!(\"tracker_position_lag_"
                            "seconds\").record(lag);\n+    histogram!(\"tracker_position_lag_seconds\", \"vehicle_id\" "
                            "=> pos.vehicle_id.to_string()).record(lag);\n"))  # fmt: skip
    f.effects += [
        Effect("prometheus", "memory_utilization", at - 4 * M, 0.99, relative=False, ramp=5 * M),
        Effect("prometheus", "cpu_utilization", at - 4 * M, 0.85, relative=False),
        Effect("prometheus", "restarts", at, 2.0, relative=False, ramp=0 * M),
        Effect("prometheus", "latency_p99", at, 12.0),
    ]
    f.bursts += [
        Burst("prometheus", at - 3 * M, 2, "warn", 'level=warn component=tsdb msg="Head series count is high" '
              "series=4812210"),
        Burst("prometheus", at, 0.5, "info", 'level=info component=tsdb msg="Replaying WAL, this may take a while"'),
        Burst("prometheus", at, 0.5, "info", 'level=info msg="Starting Prometheus Server" mode=server '
              'version="(version=2.53.1, branch=HEAD, revision=4c35b9250afefede41c5f5acd76191f90f625898)"'),
    ]  # fmt: skip
    f.events.append(KEvent("prometheus", "BackOff", "Back-off restarting failed container prometheus in pod "
                           "prometheus-0", at, per_minute=0.5, terminated="OOMKilled"))  # fmt: skip
    return f


def burst_credits_exhausted(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "burst_credits_exhausted",
        "timescale",
        "capacity",
        "scale",
        "tracker",
        "TrackerConsumerLagHigh",
        "TimescaleDB's gp2 volume has spent its I/O burst credits (the fleet's growth kept it above its baseline "
        "IOPS); it falls to 300 IOPS, inserts crawl and the tracker's Kafka consumer lag grows",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("timescale", "disk_utilization", at, 1.0, relative=False, ramp=2 * M),
        Effect("timescale", "latency_p99", at, 20.0),
        Effect("timescale", "cpu_utilization", at, 0.2, relative=False),
        Effect("tracker", "latency_p99", at + 1 * M, 12.0),
        Effect("tracker", "request_rate", at + 1 * M, 0.35),
    ]
    f.bursts += [
        Burst("timescale", at, 4, "info", "LOG:  checkpoints are occurring too frequently (11 seconds apart)"),
        Burst("timescale", at, 10, "info", "LOG:  duration: 4210.551 ms  execute <unnamed>: INSERT INTO "
              "positions (vehicle_id, ts, lat, lon, speed) SELECT * FROM unnest($1, $2, $3, $4, $5)"),
        Burst("tracker", at + 1 * M, 6, "warn", '{"level":"WARN","fields":{"message":"insert batch slow",'
              '"rows":500,"elapsed_ms":4380},"target":"tracker::sink"}'),
        Burst("tracker", at + 3 * M, 2, "warn", '{"level":"WARN","fields":{"message":"consumer lag rising",'
              '"topic":"vehicle-positions","lag":182311},"target":"tracker::consumer"}'),
    ]  # fmt: skip
    return f


def cron_overlap(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 8) * M
    f = Fault(
        "cron_overlap",
        "reconcile",
        "resource_exhaustion",
        "config_change",
        "dispatch-api",
        "DispatchErrorRate",
        "the reconcile CronJob now takes longer than its ten-minute schedule and its concurrencyPolicy is Allow; "
        "runs pile up, each holding twenty connections, until PostgreSQL refuses new ones and the dispatch API "
        "fails",
    )
    f.effects += [
        Effect("reconcile", "cpu_utilization", at - 25 * M, 0.9, relative=False, ramp=20 * M),
        Effect("postgres", "cpu_utilization", at - 10 * M, 0.8, relative=False),
        Effect("dispatch-api", "error_ratio", at, 0.2, relative=False),
        Effect("dispatch-api", "latency_p99", at, 8.0),
        Effect("portal", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("reconcile", at - 30 * M, 0.1, "info", "INFO reconcile: run started jobs=61204 batch=500"),
        Burst("reconcile", at - 30 * M, 2, "info", "INFO reconcile: batch reconciled offset=30500 mismatches=0"),
        Burst("postgres", at, 12, "error", "FATAL:  sorry, too many clients already"),
        Burst("dispatch-api", at, 15, "error", _spring("ERROR", "o.h.engine.jdbc.spi.SqlExceptionHelper",
              "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
              "org.postgresql.util.PSQLException: FATAL: sorry, too many clients already")),
    ]  # fmt: skip
    f.events.append(KEvent("reconcile", "SuccessfulCreate", "Created job reconcile-29381220", at - 30 * M,
                           minutes=40, per_minute=0.1))  # fmt: skip
    return f


def query_wrapped_column(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 8) * M
    f = Fault(
        "query_wrapped_column",
        "dispatch-api",
        "recent_change",
        "rollback",
        "postgres",
        "PostgresCPUHigh",
        "a dispatch release filters today's jobs with date(created_at) instead of a range on created_at; the index "
        "cannot serve it, each board refresh scans the jobs table and PostgreSQL's CPU saturates",
    )
    src = "dispatch-api/src/main/kotlin/io/routewise/dispatch/jobs/JobRepository.kt"
    f.changes.append(change(at - 3 * M, "dispatch-api", "deploy", "image.tag", "4.18.2", "4.19.0", rng, "deploy-bot",
                            code=f"--- a/{src}\n+++ b/{src}\n@@ -41 +41 @@\n-    \"SELECT * FROM jobs WHERE depot_id"
                            " = :depot AND created_at >= :from AND created_at < :to\"\n+    \"SELECT * FROM jobs WHERE "
                            "depot_id = :depot AND date(created_at) = :day\"\n"))  # fmt: skip
    f.effects += [
        Effect("postgres", "cpu_utilization", at, 0.97, relative=False),
        Effect("postgres", "latency_p99", at, 15.0),
        Effect("dispatch-api", "latency_p99", at + 1 * M, 9.0),
        Effect("dispatch-api", "error_ratio", at + 2 * M, 0.03, relative=False),
        Effect("portal", "latency_p99", at + 2 * M, 4.0),
    ]
    f.bursts += [
        Burst("postgres", at, 18, "info", "LOG:  duration: 3881.207 ms  execute <unnamed>: SELECT * FROM jobs WHERE "
              "depot_id = $1 AND date(created_at) = $2"),
        Burst("dispatch-api", at + 1 * M, 8, "warn", _spring("WARN", "c.r.dispatch.web.JobController",
              "Slow request GET /v2/jobs?depot=berlin-3 took 4412ms")),
    ]  # fmt: skip
    return f


def maps_api_slow(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "maps_api_slow",
        "maps-api",
        "dependency_failure",
        "escalate",
        "dispatch-api",
        "DispatchLatencyHigh",
        "the hosted maps provider's matrix API slows to eight seconds in this region; the dispatch API's ETA calls "
        "time out and job boards load slowly",
    )
    f.changes.append(change(t - rng.randint(50, 70) * M, "notifier", "deploy", "image.tag", "2.3.0", "2.3.1", rng,
                            "deploy-bot"))  # fmt: skip
    f.effects += [
        Effect("dispatch-api", "latency_p99", at, 14.0),
        Effect("dispatch-api", "error_ratio", at + 1 * M, 0.05, relative=False),
        Effect("portal", "latency_p99", at + 1 * M, 5.0),
    ]
    f.bursts += [
        Burst("dispatch-api", at, 12, "warn", _spring("WARN", "c.r.dispatch.eta.EtaService",
              "ETA lookup failed, falling back to straight-line estimate for job 77140",
              "java.net.SocketTimeoutException: Read timed out\\n\\tat io.routewise.dispatch.maps.MatrixClient.post("
              "MatrixClient.kt:61)")),
        Burst("dispatch-api", at + 1 * M, 4, "error", _spring("ERROR", "c.r.dispatch.maps.MatrixClient",
              "POST https://api.maps.example.com/v1/matrix failed after 3 attempts: Read timed out")),
    ]  # fmt: skip
    f.failing_calls.append(("dispatch-api", "maps-api"))
    return f


def ota_wave(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 20) * M
    f = Fault(
        "ota_wave",
        "emqx",
        "no_incident",
        "none",
        "emqx",
        "EmqxConnectionChurnHigh",
        "fleet operations started wave 3 of the planned firmware rollout; vehicles reboot and reconnect in turn, "
        "so EMQX's connection rate and CPU rise and nothing fails (no incident)",
    )
    f.changes.append(change(at - 1 * M, "emqx", "firmware", "ota.wave", "2 of 5", "3 of 5", rng,
                            "fleet-ops@routewise.example"))  # fmt: skip
    f.effects += [
        Effect("emqx", "request_rate", at, 2.4, ramp=5 * M),
        Effect("emqx", "cpu_utilization", at, 0.78, relative=False, ramp=5 * M),
        Effect("telemetry-ingest", "request_rate", at + 1 * M, 1.3, ramp=5 * M),
    ]
    f.bursts += [
        Burst("emqx", at, 30, "info", "[info] msg: client_disconnected, clientid: veh-88213, reason: normal"),
        Burst("emqx", at, 30, "info", "[info] msg: client_connected, clientid: veh-88213, proto_ver: 5, "
              "keepalive: 60"),
    ]  # fmt: skip
    return f


FAULTS = [liveness_timeout_cut, cardinality_explosion, burst_credits_exhausted, cron_overlap, query_wrapped_column,
          maps_api_slow, ota_wave]  # fmt: skip
