"""World 72's faults, from tax-authority, CronJob, service-mesh, Kafka, DNS and memory incidents, in this estate's
words: SEFAZ-SP's NF-e authorisation paralysed for every issuer (escalate); the reports CronJob's
concurrencyPolicy turned to Allow with runs every five minutes, the overlapping runs holding PostgreSQL's
connections until it refuses clients (roll back); invoicing's DestinationRule ejecting a pod at its first 5xx
for fifteen minutes, every pod then ejected and the portal's calls answered "no healthy upstream" (roll back);
the gate-events consumer's max.poll.records raised so far that a batch outlasts the group's poll interval, the
consumer thrown out of its group again and again (roll back); CoreDNS's memory limit cut until it is OOMKilled
and every lookup in the cluster times out (roll back); the portal's release caching every rendered page with
no bound until it is OOMKilled (roll back); and the morning's trucks arriving at the gates, the scheduling
service slower while its autoscaler catches up (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD's sync of the platform repository records it."""
    path = f"apps/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"argocd sync porto-{svc} rev {rng.getrandbits(40):010x}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def _quarkus(logger: str, level: str, message: str) -> str:
    head = '{{"timestamp":"{iso}","sequence":1{n}{k}7,"loggerClassName":"org.jboss.logging.Logger","loggerName":"'
    tail = '","threadName":"executor-thread-{k}","threadId":1{n},"mdc":{{}},"ndc":"","hostName":"{pod}",'
    end = '"processName":"quarkus-run.jar","processId":1}}'
    return head + logger + '","level":"' + level + '","message":"' + message + tail + end


def sefaz_paralysed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "sefaz_paralysed",
        "sefaz",
        "dependency_failure",
        "escalate",
        "invoicing",
        "NFeAuthorisationFailing",
        "SEFAZ-SP's NF-e authorisation web service answers cStat 108 (service paralysed for a short time) to every "
        "issuer; no booking's invoice can be authorised; nothing of ours changed; escalate (or switch to SVC-AN "
        "contingency) and let the retries carry the backlog",
    )
    f.bursts += [
        Burst("invoicing", at, 8, "error", '{{"event": "nfe rejected by sefaz", "cStat": "108", "xMotivo": "Servico '
              'Paralisado Momentaneamente (curto prazo)", "uf": "SP", "url": "https://nfe.fazenda.sp.gov.br/ws/'
              'nfeautorizacao4.asmx", "booking": "B-{hex}", "level": "error", "timestamp": "{iso}"}}'),
        Burst("invoicing", at, 8, "warn", '{{"event": "nfe queued for retry", "attempt": {k}, "level": "warning", '
              '"timestamp": "{iso}"}}'),
        Burst("portal", at + 1 * M, 3, "error", '{{"level":"error","message":"invoice for booking B-{hex} failed: '
              'invoicing answered 502 (sefaz 108)","timestamp":"{iso}"}}'),
    ]  # fmt: skip
    f.effects += [Effect("invoicing", "error_ratio", at, 0.6, relative=False)]
    f.failing_calls.append(("invoicing", "sefaz"))
    return f


CRON_DIFF = (
    "--- a/apps/reports/cronjob.yaml\n+++ b/apps/reports/cronjob.yaml\n@@ -6,3 +6,3 @@\n spec:\n"
    '-  schedule: "0 * * * *"\n-  concurrencyPolicy: Forbid\n+  schedule: "*/5 * * * *"\n+  concurrencyPolicy: Allow\n'
)
TOO_MANY = "FATAL: sorry, too many clients already"


def cron_overlap(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    changed = at - rng.randint(25, 40) * M
    f = Fault(
        "cron_overlap",
        "reports",
        "recent_change",
        "rollback",
        "scheduling",
        "SchedulingErrors",
        "the reports CronJob now runs every five minutes with concurrencyPolicy Allow; each run takes twenty, so "
        "runs pile up, each holding its connections, until PostgreSQL refuses clients at max_connections and the "
        "scheduling service cannot get one; put the schedule and the policy back and delete the extra jobs",
    )
    f.changes.append(change(changed, "reports", "config", "concurrencyPolicy", "Forbid", "Allow", rng, "argocd",
                            code=CRON_DIFF))  # fmt: skip
    f.effects += [
        Effect("postgres", "pool_utilization", changed + 5 * M, 1.0, relative=False, ramp=at - changed - 5 * M),
        Effect("postgres", "cpu_utilization", changed + 5 * M, 0.7, relative=False, ramp=at - changed - 5 * M),
        Effect("scheduling", "error_ratio", at, 0.35, relative=False),
        Effect("scheduling", "latency_p99", at, 8.0),
        Effect("gateway", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("reports", changed + 5 * M, 0.2, "info", "{local},{ms3} INFO reports.yard: starting yard occupancy "
              "run (pid {n}{k})", minutes=int((t - changed).total_seconds() // 60)),
        Burst("postgres", at, 12, "info", "{local}.{ms3} UTC [{n}{k}] " + TOO_MANY),
        Burst("scheduling", at, 12, "error", _quarkus("io.quarkus.agroal.runtime", "ERROR", "Acquisition timeout "
              "while waiting for new connection: org.postgresql.util.PSQLException: " + TOO_MANY)),
        Burst("reports", at, 1, "error", "{local},{ms3} ERROR reports.yard: psycopg.OperationalError: connection "
              "failed: " + TOO_MANY),
    ]  # fmt: skip
    return f


OUTLIER_DIFF = (
    "--- a/apps/invoicing/destinationrule.yaml\n+++ b/apps/invoicing/destinationrule.yaml\n@@ -8,4 +8,4 @@\n"
    "     outlierDetection:\n-      consecutive5xxErrors: 5\n-      baseEjectionTime: 30s\n"
    "-      maxEjectionPercent: 10\n+      consecutive5xxErrors: 1\n+      baseEjectionTime: 15m\n"
    "+      maxEjectionPercent: 100\n"
)


def outlier_ejection(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "outlier_ejection",
        "invoicing",
        "recent_change",
        "rollback",
        "portal",
        "PortalErrors",
        "invoicing's DestinationRule now ejects a pod at its first 5xx for fifteen minutes, up to all of them; "
        "the ordinary few 5xx eject every pod and the portal's sidecar answers 'no healthy upstream' for invoicing; "
        "put the outlier detection back",
    )
    f.changes.append(change(at - 3 * M, "invoicing", "config", "outlierDetection.consecutive5xxErrors", "5", "1", rng,
                            "argocd", code=OUTLIER_DIFF))  # fmt: skip
    f.effects += [
        Effect("invoicing", "request_rate", at, 0.05, ramp=M),
        Effect("portal", "error_ratio", at, 0.3, relative=False),
        Effect("gateway", "error_ratio", at + 1 * M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("portal", at, 12, "error", '{{"level":"error","message":"POST http://invoicing.porto.svc.cluster.local:'
              '8000/v1/invoices failed: 503 no healthy upstream","timestamp":"{iso}"}}'),
    ]  # fmt: skip
    return f


POLL = "kafka server: The provided member is not known in the current generation"


def poll_records_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "poll_records_raised",
        "gate-events",
        "recent_change",
        "rollback",
        "gate-events",
        "GateEventsNotCommitted",
        "gate-events now fetches 20,000 records a poll; a batch takes longer than the group's five-minute poll "
        "interval, so Kafka throws the consumer out of its group, its commits fail and the batch is read again, "
        "round after round; put max.poll.records back",
    )
    f.changes.append(change(at - 6 * M, "gate-events", "config", "kafka.maxPollRecords", "500", "20000", rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("gate-events", "cpu_utilization", at - 5 * M, 0.9, relative=False),
        Effect("gate-events", "memory_utilization", at - 5 * M, 0.8, relative=False),
        Effect("kafka", "cpu_utilization", at, 0.55, relative=False),
    ]
    f.bursts += [
        Burst("gate-events", at, 4, "error", '{{"time":"{iso}","level":"ERROR","msg":"commit failed","group":'
              '"gate-events","err":"' + POLL + '"}}'),
        Burst("gate-events", at, 4, "warn", '{{"time":"{iso}","level":"WARN","msg":"group rebalanced, batch will be '
              're-read","generation":1{n}{k}}}'),
        Burst("kafka", at, 4, "info", "[{local},{ms3}] INFO [GroupCoordinator 1]: Member gate-events-{hex} in group "
              "gate-events has failed, removing it from the group (kafka.coordinator.group.GroupCoordinator)"),
        Burst("kafka", at, 4, "info", "[{local},{ms3}] INFO [GroupCoordinator 1]: Preparing to rebalance group "
              "gate-events in state PreparingRebalance with old generation {n}{k} (__consumer_offsets-{k}) (reason: "
              "removing member gate-events-{hex} on heartbeat expiration) (kafka.coordinator.group.GroupCoordinator)"),
    ]  # fmt: skip
    return f


def coredns_memory_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "coredns_memory_cut",
        "coredns",
        "recent_change",
        "rollback",
        "scheduling",
        "SchedulingErrors",
        "the platform team cut CoreDNS's memory limit from 170Mi to 70Mi; under the day's lookups it is OOMKilled "
        "and restarted, and lookups across the cluster time out; put the limit back",
    )
    f.changes.append(change(at - 4 * M, "coredns", "config", "resources.limits.memory", "170Mi", "70Mi", rng,
                            "platform-team"))  # fmt: skip
    f.effects += [
        Effect("coredns", "memory_utilization", at - 3 * M, 0.99, relative=False, ramp=2 * M),
        Effect("scheduling", "error_ratio", at, 0.3, relative=False),
        Effect("invoicing", "error_ratio", at, 0.25, relative=False),
        Effect("gateway", "error_ratio", at + 1 * M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("scheduling", at, 10, "error", _quarkus("br.porto.agenda.SlotResource", "ERROR", "Failed to reserve "
              "slot: java.net.UnknownHostException: postgres.porto.svc.cluster.local: Temporary failure in name "
              "resolution")),
        Burst("invoicing", at, 4, "error", '{{"event": "sefaz call failed", "error": "httpx.ConnectError: [Errno -3] '
              'Temporary failure in name resolution", "level": "error", "timestamp": "{iso}"}}'),
        Burst("gate-events", at, 4, "error", '{{"time":"{iso}","level":"ERROR","msg":"store failed","err":"dial tcp: '
              'lookup postgres.porto.svc.cluster.local on 10.247.3.10:53: read udp 10.16.2.31:4{n}1->10.247.3.10:53: '
              'i/o timeout"}}'),
    ]  # fmt: skip
    f.events.append(KEvent("coredns", "BackOff", "Back-off restarting failed container coredns in pod coredns", at,
                           terminated="OOMKilled"))  # fmt: skip
    return f


CACHE_DIFF = (
    "--- a/lib/render-cache.ts\n+++ b/lib/render-cache.ts\n@@ -1,4 +1,3 @@\n-import { LRUCache } from 'lru-cache'\n"
    "-const pages = new LRUCache<string, string>({ max: 500 })\n+const pages = new Map<string, string>() // "
    "every page, fast\n"
)


def portal_page_cache(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    deploy = t - timedelta(hours=2, minutes=rng.randint(0, 40))
    f = Fault(
        "portal_page_cache",
        "portal",
        "recent_change",
        "rollback",
        "gateway",
        "GatewayErrors",
        "portal 3.4.0 keeps every rendered page in a Map with no bound; its memory climbs for two hours until the "
        "pods are OOMKilled and the gateway answers 503 while they restart; roll portal back",
    )
    f.changes.append(change(deploy, "portal", "deploy", "image.tag", "3.3.2", "3.4.0", rng, "argocd",
                            code=CACHE_DIFF))  # fmt: skip
    f.effects += [
        Effect("portal", "memory_utilization", deploy, 0.99, relative=False, ramp=at - deploy),
        Effect("portal", "error_ratio", at, 0.2, relative=False),
        Effect("gateway", "error_ratio", at, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("gateway", at, 10, "info", '{{"start_time":"{iso}","method":"GET","path":"/agenda","protocol":"HTTP/2",'
              '"response_code":503,"response_flags":"UF,URX","bytes_sent":91,"duration":{n},"upstream_host":'
              '"10.16.{k}.{n}:3000","upstream_cluster":"outbound|3000||portal.porto.svc.cluster.local",'
              '"upstream_transport_failure_reason":"delayed connect error: 111"}}'),
    ]  # fmt: skip
    f.events.append(KEvent("portal", "BackOff", "Back-off restarting failed container portal in pod portal", at,
                           terminated="OOMKilled"))  # fmt: skip
    return f


def morning_trucks(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "morning_trucks",
        "scheduling",
        "no_incident",
        "none",
        "scheduling",
        "SchedulingLatencyHigh",
        "the morning's trucks reach the gates at once; scheduling's requests double and its p99 rises a little "
        "while the autoscaler adds pods; nothing fails; no incident",
    )
    f.effects += [
        Effect("gateway", "request_rate", at, 1.9, ramp=10 * M),
        Effect("scheduling", "request_rate", at, 2.0, ramp=10 * M),
        Effect("scheduling", "latency_p99", at, 1.5, ramp=10 * M),
        Effect("scheduling", "cpu_utilization", at, 0.6, relative=False, ramp=10 * M),
    ]
    f.changes.append(change(at + 4 * M, "scheduling", "scale", "replicas", "4", "7", rng,
                            "horizontal-pod-autoscaler"))  # fmt: skip
    return f


FAULTS = [sefaz_paralysed, cron_overlap, outlier_ejection, poll_records_raised, coredns_memory_cut,
          portal_page_cache, morning_trucks]  # fmt: skip
