"""World 76's faults, from cache, database, payment-provider, certificate-rotation, Kafka and network-policy
incidents, in this estate's words: Data Grid's routes cache cut to ten thousand entries by a config change, the
journey planner planning every trip from scratch (roll the cache config back); the ridership report's release
reading with 48 workers, each its own connection, ticket-db's slots gone at its first hourly run (roll it back);
Paytrail answering 502 (escalate); the service CA's rotation re-issuing Data Grid's serving certificate while the
journey planner keeps the trust bundle it read at start (restart it); AMQ Streams rolling its brokers one by one
after a config change, as planned (no incident); the validator publisher's release cutting max.poll.interval.ms
below its batch time, the consumer thrown out of its group again and again (roll back); and a network policy
that leaves the payment service no way out to Paytrail (roll it back)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as OpenShift GitOps (Argo CD) records its syncs of the deploy repository."""
    path = f"apps/{svc}/overlays/prod/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -12 +12 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def _quarkus(level: str, category: str, text: str) -> str:
    return "{ymd} {hms},{ms} " + f"{level:<5} [{category}] (executor-thread-{{k}}) {text}"


def _spring(level: str, logger: str, text: str) -> str:
    return "{iso}Z " + f"{level:>5} 1 --- [payment] [nio-8080-exec-{{k}}] {logger:<40}: {text}"


def _zap(level: str, caller: str, msg: str, fields: str) -> str:
    return "{iso}Z\t" + f"{level}\t{caller}\t{msg}\t{{{{{fields}}}}}"


def _structlog(level: str, event: str, kv: str) -> str:
    return "{iso}Z " + f"[{level:<9}] {event:<30} {kv}"


def _kafka(text: str, logger: str, thread: str) -> str:
    return "{ymd} {hms},{ms} INFO " + f"{text} ({logger}) [{thread}]"


def _apicast_error(text: str, path: str) -> str:
    request = f'request: "POST {path} HTTP/1.1", upstream: "http://172.30.{{k}}.{{n}}:8080{path}"'
    return (
        "{slash} [error] 27#27: *{n}{k}1 "
        + f'{text}, client: 10.128.{{k}}.{{n}}, server: _, {request}, host: "api.matkalippu.fi"'
    )


def planner_cache_shrunk(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "planner_cache_shrunk",
        "datagrid",
        "recent_change",
        "rollback",
        "journey-planner",
        "JourneyPlannerSlow",
        "a change to Data Grid's cache configuration cut the routes cache's memory.max-count from 1,000,000 to "
        "10,000 (a test value copied into prod); nearly every lookup misses and the journey planner computes each "
        "trip from the timetable, at its CPU limit; roll the cache configuration back",
    )
    diff = ("--- a/apps/datagrid/overlays/prod/caches/routes.yaml\n+++ b/apps/datagrid/overlays/prod/caches/"
            "routes.yaml\n@@ -5,3 +5,3 @@\n     memory:\n-      maxCount: 1000000\n+      maxCount: 10000\n"
            "       whenFull: REMOVE\n")  # fmt: skip
    f.changes.append(change(at - 2 * M, "datagrid", "config", "caches.routes.memory.maxCount", "1000000", "10000",
                            rng, "openshift-gitops", code=diff))  # fmt: skip
    f.effects += [
        Effect("journey-planner", "cpu_utilization", at, 0.97, relative=False, ramp=2 * M),
        Effect("journey-planner", "latency_p99", at, 9.0),
        Effect("journey-planner", "error_ratio", at + 1 * M, 0.06, relative=False),
        Effect("apicast", "latency_p99", at, 3.0),
        Effect("datagrid", "cpu_utilization", at, 1.3),
    ]
    f.bursts += [
        Burst("datagrid", at - 1 * M, 2, "info", "{ymd} {hms},{ms} INFO  (blocking-thread--p3-t{k}) "
              "[org.infinispan.CONFIG] cache 'routes' updated from the operator: memory.max-count=10000", minutes=2),
        Burst("journey-planner", at, 40, "warn", _zap("WARN", "cache/client.go:71", "route cache miss, planning "
              "from timetable", '"key": "route:{hex}", "ms": 2{n}40')),
        Burst("journey-planner", at + 1 * M, 4, "error", _zap("ERROR", "route/planner.go:240", "plan timed out",
              '"from": "HSL:10{n}601", "deadline_ms": 5000, "error": "context deadline exceeded"')),
        Burst("apicast", at + 1 * M, 5, "error", _apicast_error("upstream timed out (110: Connection timed out) "
              "while reading response header from upstream", "/v2/journeys/plan")),
    ]  # fmt: skip
    return f


def report_floods_db(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "report_floods_db",
        "ridership-report",
        "recent_change",
        "rollback",
        "ticket-api",
        "TicketApiErrors",
        "the hourly ridership report's release 1.4.0 reads the validations table with 48 workers (it had 4), each "
        "with its own connection; at its first run after the deploy ticket-db's connection slots are gone and the "
        "ticket API and payments cannot connect; roll the report back (suspend the CronJob)",
    )
    diff = ("--- a/apps/ridership-report/overlays/prod/values.yaml\n+++ b/apps/ridership-report/overlays/prod/"
            "values.yaml\n@@ -3,4 +3,4 @@\n image:\n-  tag: 1.3.2\n+  tag: 1.4.0\n env:\n-  REPORT_WORKERS: \"4\"\n"
            "+  REPORT_WORKERS: \"48\"\n")  # fmt: skip
    f.changes.append(change(at - rng.randint(20, 45) * M, "ridership-report", "deploy", "image.tag", "1.3.2",
                            "1.4.0", rng, "openshift-gitops", code=diff))  # fmt: skip
    f.effects += [
        Effect("ridership-report", "cpu_utilization", at, 0.85, relative=False, ramp=M),
        Effect("ticket-db", "cpu_utilization", at, 2.8, ramp=M),
        Effect("ticket-api", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("ticket-api", "latency_p99", at + 1 * M, 6.0),
        Effect("payment", "error_ratio", at + 1 * M, 0.15, relative=False),
        Effect("apicast", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]
    refused = "FATAL: remaining connection slots are reserved for non-replication superuser connections"
    f.bursts += [
        Burst("ridership-report", at, 48, "info", _structlog("info", "worker started", "of=48 table=validations "
              "worker={n}"), minutes=1),
        Burst("ridership-report", at, 12, "info", _structlog("info", "partition scanned", "rows=1{n}{k}000 "
              "worker={n}")),
        Burst("ticket-db", at + 1 * M, 15, "error", "{ymd} {hms}.{ms} UTC [{n}{k}] " + refused.replace(": ", ":  ")),
        Burst("ticket-api", at + 1 * M, 12, "error", _quarkus("ERROR", "io.qua.ver.htt.run.QuarkusErrorHandler",
              "HTTP Request to /tickets failed, error id: {hex}-1: jakarta.persistence.PersistenceException: "
              "org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection [Acquisition timeout "
              "while waiting for new connection]")),
        Burst("payment", at + 1 * M, 3, "error", _spring("ERROR", "o.h.engine.jdbc.spi.SqlExceptionHelper",
              refused)),
    ]  # fmt: skip
    return f


def paytrail_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "paytrail_outage",
        "paytrail",
        "dependency_failure",
        "escalate",
        "payment",
        "PaymentErrors",
        "Paytrail's API answers 502 Bad Gateway to most payment creations; nothing of ours changed; escalate to "
        "Paytrail and tell riders to pay on board",
    )
    f.effects += [
        Effect("payment", "error_ratio", at, 0.5, relative=False),
        Effect("payment", "latency_p99", at, 3.0),
        Effect("ticket-api", "error_ratio", at, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("payment", at, 8, "error", _spring("ERROR", "f.l.payment.PaytrailClient", "create payment P{hex} "
              "failed: org.springframework.web.client.HttpServerErrorException$BadGateway: 502 Bad Gateway: "
              '"<html><body><h1>502 Bad Gateway</h1></body></html>"')),
        Burst("ticket-api", at, 4, "warn", _quarkus("WARN", "fi.lip.tic.PaymentClient", "payment for T{hex} "
              "failed: payment answered 502, ticket not issued")),
    ]  # fmt: skip
    f.failing_calls.append(("payment", "paytrail"))
    return f


def stale_ca_bundle(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "stale_ca_bundle",
        "journey-planner",
        "expired_credential",
        "restart",
        "journey-planner",
        "JourneyPlannerErrors",
        "the service CA operator rotated its signing CA and re-issued Data Grid's serving certificate; the ticket "
        "API reread the injected CA bundle, but the journey planner read it once at start and no longer trusts "
        "Data Grid; restart the journey planner",
    )
    f.changes.append({
        "ts": at - 1 * M,
        "service": "datagrid",
        "kind": "certificate",
        "from": "secret/datagrid-tls signed by openshift-service-serving-signer@1714000000",
        "to": "secret/datagrid-tls signed by openshift-service-serving-signer@1777180000",
        "author": "service-ca-operator",
        "ref": "service.beta.openshift.io/serving-cert-secret-name=datagrid-tls",
        "diff": "",
    })  # fmt: skip
    f.effects += [
        Effect("journey-planner", "error_ratio", at, 0.55, relative=False, ramp=M),
        Effect("apicast", "error_ratio", at, 0.1, relative=False, ramp=M),
    ]
    unknown = ('tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because '
               'of \\"crypto/rsa: verification error\\" while trying to verify candidate authority certificate '
               '\\"openshift-service-serving-signer@1714000000\\")')  # fmt: skip
    f.bursts += [
        Burst("journey-planner", at, 20, "error", _zap("ERROR", "cache/client.go:77", "datagrid get failed",
              '"key": "route:{hex}", "error": "Get \\"https://datagrid.lippu-prod.svc.cluster.local:11222/rest/v2/'
              'caches/routes/route:{hex}\\": ' + unknown + '"')),
        Burst("datagrid", at, 5, "warn", "{ymd} {hms},{ms} WARN  (non-blocking-thread--p2-t{k}) "
              "[io.netty.channel.DefaultChannelPipeline] An exceptionCaught() event was fired, and it reached at the "
              "tail of the pipeline: io.netty.handler.codec.DecoderException: javax.net.ssl.SSLHandshakeException: "
              "Received fatal alert: bad_certificate"),
        Burst("apicast", at, 8, "info", '10.128.{k}.{n} - - [{clf}] "POST /v2/journeys/plan HTTP/1.1" 500 1{n}2 "-" '
              '"Matkalippu/6.4 (Android 14)"'),
    ]  # fmt: skip
    f.failing_calls.append(("journey-planner", "datagrid"))
    return f


def kafka_planned_roll(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "kafka_planned_roll",
        "kafka",
        "no_incident",
        "none",
        "kafka",
        "KafkaUnderReplicatedPartitions",
        "a reviewed change raised the brokers' num.io.threads and AMQ Streams rolls the three brokers one at a "
        "time, as it should; partitions are under-replicated while each broker restarts and clients reconnect; "
        "nothing is lost and nobody is failed; no incident",
    )
    f.changes.append(change(at - 2 * M, "kafka", "config", "spec.kafka.config.num.io.threads", "8", "16", rng,
                            "openshift-gitops"))  # fmt: skip
    f.effects += [
        Effect("kafka", "cpu_utilization", at, 1.4, ramp=M),
        Effect("ticket-api", "latency_p99", at, 1.2, ramp=M),
    ]
    f.bursts += [
        Burst("kafka", at, 6, "info", _kafka("[ReplicaFetcher replicaId={k}, leaderId=0, fetcherId=0] Error sending "
              "fetch request (sessionId=1{n}{k}22, epoch=INITIAL) to node 0:",
              "org.apache.kafka.clients.FetchSessionHandler", "ReplicaFetcherThread-0-0"), minutes=9),
        Burst("kafka", at, 2, "info", _kafka("[KafkaServer id={k}] shut down completed", "kafka.server.KafkaServer",
              "main"), minutes=9),
        Burst("kafka", at, 2, "info", _kafka("[KafkaServer id={k}] started", "kafka.server.KafkaServer", "main"),
              minutes=9),
        Burst("validator-sync", at, 3, "warn", _structlog("warning", "kafka broker down", "broker=lippu-kafka-kafka-"
              "{k}.lippu-kafka-kafka-brokers.lippu-prod.svc:9093/{k} error=\"Disconnected (after 5{n}12ms in state "
              "UP)\""), minutes=8),
        Burst("ticket-api", at, 3, "warn", _quarkus("WARN", "org.apa.kaf.cli.NetworkClient", "[Producer clientId="
              "ticket-events] Node {k} disconnected."), minutes=8),
    ]  # fmt: skip
    f.events.append(KEvent("kafka", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503",
                           at, minutes=9, per_minute=0.5))  # fmt: skip
    return f


def validator_poll_timeout(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "validator_poll_timeout",
        "validator-sync",
        "recent_change",
        "rollback",
        "validator-sync",
        "ValidatorListsStale",
        "validator-sync 2.8.0 set max.poll.interval.ms to 30 s while signing a batch of validity lists takes about "
        "45 s; the consumer leaves its group mid-batch, its commits are refused, the group rebalances over and over "
        "and the buses' validators get no new lists; roll back",
    )
    diff = ("--- a/apps/validator-sync/overlays/prod/values.yaml\n+++ b/apps/validator-sync/overlays/prod/"
            "values.yaml\n@@ -3,4 +3,4 @@\n image:\n-  tag: 2.7.3\n+  tag: 2.8.0\n kafka:\n"
            "-  maxPollIntervalMs: 300000\n+  maxPollIntervalMs: 30000\n")  # fmt: skip
    f.changes.append(change(at - 3 * M, "validator-sync", "deploy", "image.tag", "2.7.3", "2.8.0", rng,
                            "openshift-gitops", code=diff))  # fmt: skip
    f.effects += [
        Effect("validator-sync", "cpu_utilization", at, 2.5, ramp=M),
        Effect("kafka", "cpu_utilization", at, 1.3, ramp=M),
    ]
    f.bursts += [
        Burst("validator-sync", at, 2, "warn", _structlog("warning", "kafka consumer event", 'code=MAXPOLL message='
              '"Application maximum poll interval (30000ms) exceeded by 1{n}412ms (adjust max.poll.interval.ms for '
              'long-running message processing): leaving group"')),
        Burst("validator-sync", at, 3, "error", _structlog("error", "commit failed", 'error="KafkaError{{code='
              'UNKNOWN_MEMBER_ID,val=25,str=\\"Commit failed: Broker: Unknown member\\"}}" partition={k}')),
        Burst("kafka", at, 2, "info", _kafka("[GroupCoordinator {k}]: Preparing to rebalance group validator-sync in "
              "state PreparingRebalance with old generation 4{n}{k} (__consumer_offsets-17) (reason: Removing member "
              "rdkafka-{hex} on LeaveGroup; client reason: consumer poll timeout has expired.)",
              "kafka.coordinator.group.GroupCoordinator", "data-plane-kafka-request-handler-{k}")),
        Burst("kafka", at, 2, "info", _kafka("[GroupCoordinator {k}]: Stabilized group validator-sync generation "
              "4{n}{k} (__consumer_offsets-17) with 1 members", "kafka.coordinator.group.GroupCoordinator",
              "data-plane-kafka-request-handler-{k}")),
    ]  # fmt: skip
    return f


def egress_policy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "egress_policy",
        "payment",
        "recent_change",
        "rollback",
        "payment",
        "PaymentErrors",
        "the platform team applied a NetworkPolicy to the payment pods allowing egress only inside the cluster; "
        "every call to Paytrail now times out connecting; Paytrail is fine; roll the policy back",
    )
    diff = ("--- a/apps/payment/overlays/prod/networkpolicy.yaml\n+++ b/apps/payment/overlays/prod/"
            "networkpolicy.yaml\n@@ -9,4 +9,6 @@\n   egress:\n-    - {}\n+    - to:\n+        - ipBlock:\n"
            "+            cidr: 10.128.0.0/14\n+        - ipBlock:\n+            cidr: 172.30.0.0/16\n")  # fmt: skip
    f.changes.append(change(at - 2 * M, "payment", "network_policy", "NetworkPolicy/payment-egress", "allow all",
                            "cluster only", rng, "platform-team", code=diff))  # fmt: skip
    f.effects += [
        Effect("payment", "error_ratio", at, 0.6, relative=False),
        Effect("payment", "latency_p99", at, 8.0, ramp=M),
        Effect("ticket-api", "error_ratio", at, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("payment", at, 8, "error", _spring("ERROR", "f.l.payment.PaytrailClient", "create payment P{hex} "
              "failed: org.springframework.web.client.ResourceAccessException: I/O error on POST request for "
              '"https://services.paytrail.com/payments": Connect timed out')),
        Burst("ticket-api", at, 4, "warn", _quarkus("WARN", "fi.lip.tic.PaymentClient", "payment for T{hex} "
              "failed: payment answered 500, ticket not issued")),
    ]  # fmt: skip
    f.failing_calls.append(("payment", "paytrail"))
    return f


FAULTS = [planner_cache_shrunk, report_floods_db, paytrail_outage, stale_ca_bundle, kafka_planned_roll,
          validator_poll_timeout, egress_policy]  # fmt: skip
