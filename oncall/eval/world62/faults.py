"""World 62's faults, from Oracle Database, APISIX, OCI Streaming, BSE StAR MF, AMFI and Quarkus incidents,
in this estate's words: the portfolio service's database user reaching its profile's password lifetime
(ORA-28001; set the new password in the secret); a route change at the gateway sending KYC uploads to a port
nothing listens on, KYC itself healthy (roll back the route); the statement backfill, switched on by a
CronJob change, flooding the shared stream so that every producer is throttled and orders cannot publish
their trade events (suspend the job again); the client certificate BSE StAR MF asks for expiring (renew it);
AMFI's NAV file arriving with N.A. in place of hundreds of schemes' values, rejected by the import for hours
before the staleness check alerts (AMFI's to fix: escalate); the first-of-the-month SIP debits at five times
the usual rate, the mandate service at its autoscaler's ceiling with its worker pool full (scale out); and
the nightly rolling restart of the portfolio service, alerting on restarts alone (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the GitOps repository records it: an OCI DevOps deployment, or a merged pull request."""
    path = f"apps/{svc}/overlays/prod/kustomization.yaml"
    ref = (f"oci-devops deployment ocid1.devopsdeployment.oc1.ap-mumbai-1.amaaaa{rng.getrandbits(40):010x}"
           if kind == "deploy" else f"platform-gitops!{rng.randint(1200, 1999)}")  # fmt: skip
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": ref,
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n-    {key}: {old}\n+    {key}: {new}\n",
    }


def db_password_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "db_password_expired",
        "portfolio-service",
        "expired_credential",
        "config_change",
        "edge-gateway",
        "GatewayErrorBudgetBurn",
        "portfolio-service's database user is under the DEFAULT profile, whose PASSWORD_LIFE_TIME is 180 days; "
        "the day came, its pool's new connections are refused with ORA-28001 and, as old connections are "
        "recycled, holdings cannot be read; set a new password and put it in the service's secret",
    )
    f.effects += [
        Effect("portfolio-service", "error_ratio", at, 0.7, relative=False),
        Effect("edge-gateway", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("portfolio-service", "latency_p99", at, 3.0),
    ]
    f.bursts += [
        Burst("portfolio-service", at, 25, "error", "{date} [DefaultDispatcher-worker-{n}] ERROR "
              "c.n.portfolio.db.Database - HikariPool-1 - Failed to create connection: java.sql.SQLException: "
              "ORA-28001: the password has expired (CONNECTION_ID=Xq{n}Rk2bTTe1lQ==)"),
        Burst("portfolio-service", at + 1 * M, 20, "error", "{date} [eventLoopGroupProxy-4-{n}] ERROR "
              "Application - 500 Internal Server Error: GET - /api/v1/portfolio/holdings: "
              "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request "
              "timed out after 3000ms."),
        Burst("edge-gateway", at + 1 * M, 30, "info", '10.0.10.{n} - - [{clf}] api.nivesh.example "GET '
              '/api/v1/portfolio/holdings HTTP/1.1" 500 96 3.004 "-" "NiveshApp/7.4.1 (Android 14)" '
              '10.244.1.{n}:8080 500 3.002 "http://api.nivesh.example"'),
    ]  # fmt: skip
    return f


def kyc_route_port(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "kyc_route_port",
        "edge-gateway",
        "recent_change",
        "rollback",
        "edge-gateway",
        "KycUploadFailures",
        "a change to APISIX's declarative routes moved the KYC upstream to port 8001 (the metrics port's old "
        "number) where the service listens on 8000; every KYC call is refused at the gateway while kyc-service "
        "itself is healthy and idle; revert the route",
    )
    route = (
        "--- a/apisix/apisix.yaml\n+++ b/apisix/apisix.yaml\n@@ -41,7 +41,7 @@ upstreams:\n"
        "   - id: kyc-service\n     type: roundrobin\n     nodes:\n"
        '-      "kyc-service.nivesh-prod.svc.cluster.local:8000": 1\n'
        '+      "kyc-service.nivesh-prod.svc.cluster.local:8001": 1\n'
    )
    f.changes.append(change(at - 1 * M, "edge-gateway", "config", "upstream kyc-service node",
                            "kyc-service.nivesh-prod.svc.cluster.local:8000",
                            "kyc-service.nivesh-prod.svc.cluster.local:8001", rng, "ritika.sharma", route))  # fmt: skip
    f.effects += [
        Effect("edge-gateway", "error_ratio", at, 0.06, relative=False),
        Effect("kyc-service", "request_rate", at, 0.05),
    ]
    f.bursts += [
        Burst("edge-gateway", at, 12, "error", "{date} [error] 48#48: *88{n}31 connect() failed (111: Connection "
              "refused) while connecting to upstream, client: 10.0.10.{n}, server: _, request: \"POST "
              "/api/v1/kyc/documents HTTP/1.1\", upstream: \"http://10.96.14.22:8001/api/v1/kyc/documents\", host: "
              "\"api.nivesh.example\""),
        Burst("edge-gateway", at, 12, "info", '10.0.10.{n} - - [{clf}] api.nivesh.example "POST /api/v1/kyc/documents '
              'HTTP/1.1" 502 154 0.001 "-" "NiveshApp/7.4.1 (Android 14)" 10.96.14.22:8001 502 0.001 '
              '"http://api.nivesh.example"'),
    ]  # fmt: skip
    return f


def backfill_floods_stream(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "backfill_floods_stream",
        "statement-backfill",
        "recent_change",
        "rollback",
        "orders-api",
        "TradeEventPublishFailures",
        "a merged change un-suspended the statement-backfill CronJob to regenerate last year's statements; it "
        "publishes to the shared trade-events stream as fast as it can, past the stream's 1 MB/s a partition, "
        "and OCI Streaming throttles every producer on it; orders cannot publish their events; suspend the job",
    )
    cron = (
        "--- a/apps/statement-backfill/overlays/prod/cronjob.yaml\n"
        "+++ b/apps/statement-backfill/overlays/prod/cronjob.yaml\n@@ -6,3 +6,3 @@ spec:\n"
        '   schedule: "*/10 * * * *"\n-  suspend: true\n+  suspend: false\n'
    )
    f.changes.append(change(at - 2 * M, "statement-backfill", "config", "suspend", "true", "false", rng,
                            "arjun.menon", cron))  # fmt: skip
    f.effects += [
        Effect("orders-api", "error_ratio", at, 0.25, relative=False),
        Effect("orders-api", "latency_p99", at, 4.0),
        Effect("notifier", "request_rate", at + 1 * M, 0.4),
        Effect("edge-gateway", "error_ratio", at + 1 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("statement-backfill", at - 1 * M, 20, "info", "{date} [info     ] published statement batch        "
              "batch={n}11 messages=5000 bytes=4812033 stream=trade-events"),
        Burst("orders-api", at, 18, "error", '{"time":"{iso}","level":"ERROR","msg":"publish trade event failed",'
              '"order_id":"ORD26{n}0412","stream":"trade-events","err":"PutMessages: Service error:'
              'TooManyRequests. Too many requests. http status code: 429. Opc request id: 8c1e{n}f2"}'),
        Burst("notifier", at + 1 * M, 3, "warn", '{"level":40,"time":{epoch_ms},"pid":1,"hostname":"{pod}",'
              '"msg":"consumer lag rising","stream":"trade-events","lag":1{n}400}'),
    ]  # fmt: skip
    return f


def bse_client_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 8) * M
    f = Fault(
        "bse_client_cert_expired",
        "orders-api",
        "expired_credential",
        "config_change",
        "orders-api",
        "OrderPlacementFailures",
        "BSE StAR MF authenticates members by a client certificate; orders-api's expired at midnight and the "
        "exchange ends every handshake with certificate_expired; no order reaches the exchange; install the "
        "renewed certificate",
    )
    f.effects += [
        Effect("orders-api", "error_ratio", at, 0.85, relative=False),
        Effect("edge-gateway", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("orders-api", at, 20, "error", '{"time":"{iso}","level":"ERROR","msg":"bse order submit failed",'
              '"order_id":"ORD26{n}0412","err":"Post \\"https://bsestarmf.in/StarMFWebService/StarMFWebService.svc'
              '/Secure\\": remote error: tls: expired certificate"}'),
    ]  # fmt: skip
    f.failing_calls.append(("orders-api", "bse-starmf"))
    return f


def amfi_nav_na(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(70, 110) * M
    f = Fault(
        "amfi_nav_na",
        "amfi",
        "dependency_failure",
        "escalate",
        "nav-ingest",
        "NavStalenessHigh",
        "AMFI's daily NAV file came with N.A. in place of the value for 412 schemes; the import rejects those "
        "rows, as it must, and the staleness check alerts once they are a day old; nothing of ours is broken: "
        "ask AMFI for a corrected file",
    )
    f.effects += [Effect("nav-ingest", "error_ratio", at, 0.3, relative=False)]
    f.bursts += [
        Burst("nav-ingest", at, 4, "warn", "{date} [warning  ] nav row rejected               "
              "scheme_code=1{n}903 nav=N.A. reason='not a number' source=NAVAll.txt", minutes=120),
        Burst("nav-ingest", t - 2 * M, 1, "error", "{date} [error    ] nav staleness above threshold  "
              "stale_schemes=412 oldest_nav_date=2026-07-0{n} threshold_days=1"),
    ]  # fmt: skip
    return f


def sip_day_ceiling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 11) * M
    f = Fault(
        "sip_day_ceiling",
        "mandate-service",
        "capacity",
        "scale",
        "orders-api",
        "OrderLatencyHigh",
        "the first of the month: SIP debits at five times the usual rate; mandate-service is at its "
        "autoscaler's ceiling of four pods, CPU at the limit and its worker pool full, so debits queue and "
        "orders waiting on them time out; raise maxReplicas and scale out",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("mandate-service", "request_rate", at - 8 * M, 5.0, ramp=8 * M),
        Effect("orders-api", "request_rate", at - 8 * M, 2.0, ramp=8 * M),
        Effect("mandate-service", "cpu_utilization", at, 0.97, relative=False),
        Effect("mandate-service", "latency_p99", at, 12.0),
        Effect("orders-api", "latency_p99", at + 1 * M, 6.0),
        Effect("orders-api", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("mandate-service", at, 10, "error", "{date},{ms} ERROR [io.qua.ver.htt.run.QuarkusErrorHandler] "
              "(vert.x-eventloop-thread-{n}) HTTP Request to /api/v1/mandates/debit failed, error id: "
              "7a3c{n}e1-0c2d-4b8e-9f10-2b6d{n}a1c9e0-1: java.util.concurrent.RejectedExecutionException: Task "
              "io.quarkus.vertx.core.runtime.VertxCoreRecorder$14@5d1{n}e2 rejected from "
              "org.jboss.threads.EnhancedQueueExecutor@3f2a{n}c1[Running, pool size = 200, active threads = 200, "
              "queued tasks = 10000]"),
        Burst("orders-api", at + 1 * M, 12, "error", '{"time":"{iso}","level":"ERROR","msg":"mandate debit '
              'failed","order_id":"ORD26{n}0412","err":"Post \\"http://mandate-service:8080/api/v1/mandates/debit\\": '
              'context deadline exceeded (Client.Timeout exceeded while awaiting headers)"}'),
    ]  # fmt: skip
    return f


def nightly_restart(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "nightly_restart",
        "portfolio-service",
        "no_incident",
        "none",
        "portfolio-service",
        "PodRestartsHigh",
        "the nightly CronJob restarts portfolio-service's pods one by one (kubectl rollout restart, to clear a "
        "known slow leak until its fix ships); every pod restarted once, no request failed; no incident: the "
        "alert should not count planned restarts",
    )
    who = "system:serviceaccount:ops:nightly-restart"
    f.changes.append(change(at - 1 * M, "portfolio-service", "restart", "kubectl.kubernetes.io/restartedAt",
                            "2026-06-30T20:30:00Z", "now", rng, who))  # fmt: skip
    f.effects += [Effect("portfolio-service", "restarts", at, 4.0, relative=False, ramp=3 * M)]
    f.bursts += [
        Burst("portfolio-service", at, 2, "info", "{date} [main] INFO  Application - Application started in "
              "4.2{n} seconds.", minutes=4),
        Burst("portfolio-service", at, 2, "info", "{date} [main] INFO  Application - Responding at "
              "http://0.0.0.0:8080", minutes=4),
    ]  # fmt: skip
    return f


FAULTS = [db_password_expired, kyc_route_port, backfill_floods_stream, bse_client_cert_expired, amfi_nav_na,
          sip_day_ceiling, nightly_restart]  # fmt: skip
