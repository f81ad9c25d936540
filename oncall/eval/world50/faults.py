"""World 50's faults, from ClickHouse, CoreDNS, PostgreSQL, RabbitMQ and payment-provider postmortems, in this
estate's words: a config change cutting the meter consumer's ClickHouse batch from 5,000 rows to 50, so
ClickHouse refuses inserts (too many parts), the consumer stops acking, RabbitMQ's memory alarm blocks the
gateway's publishes and charge points time out (the gateway alarms); a notifier release that builds a new
HTTPS agent per push, so every push resolves the provider's name through the search path and CoreDNS,
throttled, times out everyone's lookups (the driver API alarms); the roaming hub's mTLS client certificate for
Hubject expiring (the hub alarms; Hubject is fine); an evening's real demand outgrowing the sessions service
at its autoscaler's maximum; a managed-roles change in the PostgreSQL cluster taking the tariffs role out of
pg_read_all_data (the tariffs service alarms); a planned switchover of the PostgreSQL primary for a minor
upgrade (a minute of reset connections; no incident); the payment provider timing out authorisations (the
ingress alarms)."""

from __future__ import annotations

import json
import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """An Argo CD sync of the platform's GitOps repository, as its notifications record it: the values' diff."""
    path = f"apps/{svc}/values-prod.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -21 +21 @@\n-  {key}: {old}\n+  {key}: {new}\n{code}",
    }


def _cnpg(severity: str, message: str, state: str = "00000", user: str = "", backend: str = "client backend") -> str:
    record = {"error_severity": severity, "sql_state_code": state, "message": message, "backend_type": backend}
    if user:
        record |= {"user_name": user, "database_name": "voltline"}
    return json.dumps({"level": "info", "logger": "postgres", "msg": "record", "record": record})


def _zerolog(level: str, message: str, **fields: str) -> str:
    return json.dumps({"level": level, "service": "sessions", "message": message, **fields})


def _django(level: str, name: str, message: str, exc: str = "") -> str:
    return json.dumps({"levelname": level, "name": name, "message": message, **({"exc_info": exc} if exc else {})})


def batch_size_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "batch_size_cut",
        "meter-ingest",
        "recent_change",
        "rollback",
        "ocpp-gateway",
        "OcppCallLatencyHigh",
        "a values change cut meter-ingest's ClickHouse batch from 5000 rows to 50 (to make the energy dashboard "
        "fresher); ClickHouse makes a part per insert, refuses inserts with TOO_MANY_PARTS, the consumer stops "
        "acking, RabbitMQ's queue grows until its memory alarm blocks publishers, and the OCPP gateway's calls "
        "time out",
    )
    f.changes.append(change(at - 5 * M, "meter-ingest", "config", "env.CLICKHOUSE_BATCH_ROWS", '"5000"', '"50"', rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("clickhouse", "cpu_utilization", at - 3 * M, 0.92, relative=False),
        Effect("meter-ingest", "cpu_utilization", at - 3 * M, 0.7, relative=False),
        Effect("rabbitmq", "memory_utilization", at, 0.97, relative=False, ramp=6 * M),
        Effect("ocpp-gateway", "latency_p99", at + 5 * M, 30.0),
        Effect("ocpp-gateway", "error_ratio", at + 6 * M, 0.09, relative=False),
    ]
    f.bursts += [
        Burst("clickhouse", at - 2 * M, 3, "info", "<Information> meter.values (8b1c2d3e): Delaying inserting block "
              "by 112 ms. because there are 281 parts and their average size is 1.02 KiB"),
        Burst("clickhouse", at, 20, "error", "<Error> executeQuery: Code: 252. DB::Exception: Too many parts (312 with "
              "average size of 1.02 KiB) in table 'meter.values'. Merges are processing significantly slower than "
              "inserts. (TOO_MANY_PARTS) (version 24.3.2.23 (official build))"),
        Burst("meter-ingest", at, 20, "error", "ERROR meter_ingest::sink: insert failed, will retry error=Code: 252. "
              "DB::Exception: Too many parts (312 with average size of 1.02 KiB) in table 'meter.values'"),
        Burst("rabbitmq", at + 5 * M, 1, "warn", "[warning] <0.512.0> memory resource limit alarm set on node "
              "rabbit@rabbitmq-server-0."),
        Burst("rabbitmq", at + 5 * M, 1, "warn", "[warning] <0.512.0> Publishers will be blocked until this alarm "
              "clears"),
        Burst("ocpp-gateway", at + 5 * M, 25, "error", "[error] [DE*VLT*C00412] MeterValues not stored: publish to "
              "meter.values timed out after 5000ms (connection blocked)"),
    ]  # fmt: skip
    return f


def dns_flood(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "dns_flood",
        "notifier",
        "recent_change",
        "rollback",
        "driver-api",
        "DriverApiErrorRate",
        "a notifier release builds a new HTTPS agent for every push, so each push resolves fcm.googleapis.com "
        "afresh, through the pods' five search domains (ndots:5); CoreDNS, at its CPU limit, answers slowly and "
        "drops queries, and the other services' own lookups of postgres-rw and rabbitmq time out",
    )
    src = "notifier/src/fcm.ts"
    f.changes.append(change(at - 4 * M, "notifier", "deploy", "image.tag", "3.7.4", "3.8.0", rng, "argocd",
                            code=f"--- a/{src}\n+++ b/{src}\n@@ -9,3 +9,3 @@\n-const agent = new https.Agent({{ "
                            "keepAlive: true }});\n export async function push(msg: Push) {\n-  return send(msg, "
                            "{ agent });\n+  return send(msg, { agent: new https.Agent() });\n"))  # fmt: skip
    f.effects += [
        Effect("coredns", "request_rate", at, 9.0, ramp=1 * M),
        Effect("coredns", "cpu_utilization", at, 1.0, relative=False, ramp=1 * M),
        Effect("coredns", "latency_p99", at + 1 * M, 60.0),
        Effect("sessions", "error_ratio", at + 2 * M, 0.06, relative=False),
        Effect("driver-api", "error_ratio", at + 2 * M, 0.11, relative=False),
        Effect("driver-api", "latency_p99", at + 2 * M, 5.0),
    ]
    f.bursts += [
        Burst("coredns", at, 40, "info", '[INFO] 10.42.5.9:39822 - 2210 "A IN fcm.googleapis.com.charging.svc.cluster'
              '.local. udp 48 false 512" NXDOMAIN qr,aa,rd 141 0.000211s'),
        Burst("coredns", at, 40, "info", '[INFO] 10.42.5.9:39822 - 2211 "AAAA IN fcm.googleapis.com.svc.cluster.'
              'local. udp 40 false 512" NXDOMAIN qr,aa,rd 133 0.000187s'),
        Burst("coredns", at + 1 * M, 2, "warn", '[WARNING] plugin/health: Local health request to '
              '"http://:8080/health" took more than 1s: 1.412s'),
        Burst("sessions", at + 2 * M, 10, "error", _zerolog("error", "begin tx failed", error="dial tcp: lookup "
              "postgres-rw.charging.svc.cluster.local on 10.43.0.10:53: read udp 10.42.2.31:41234->10.43.0.10:53: "
              "i/o timeout")),
        Burst("driver-api", at + 2 * M, 12, "error", _django("ERROR", "django.request", "Internal Server Error: "
              "/api/v1/sessions/start", 'Traceback (most recent call last):\n  File "/app/voltline/db.py", line 41, '
              'in connect\npsycopg.OperationalError: connection failed: could not translate host name "postgres-rw" '
              "to address: Temporary failure in name resolution")),
    ]  # fmt: skip
    f.events.append(KEvent("coredns", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503",
                           at + 1 * M, per_minute=0.5))  # fmt: skip
    return f


def cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "cert_expired",
        "ocpi-hub",
        "expired_credential",
        "config_change",
        "ocpi-hub",
        "OcpiPushFailures",
        "the roaming hub's mTLS client certificate for Hubject, uploaded by hand a year ago and not managed by "
        "cert-manager, expired at midnight; Hubject rejects every handshake with a certificate_expired alert and "
        "sessions and charge records stop reaching roaming partners",
    )
    f.changes.append(change(t - rng.randint(40, 70) * M, "driver-api", "deploy", "image.tag", "5.2.0", "5.2.1", rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("ocpi-hub", "error_ratio", at, 0.46, relative=False, ramp=0 * M),
        Effect("ocpi-hub", "latency_p99", at, 0.4),
    ]
    exc = ("System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner exception.\n"
           " ---> System.Security.Authentication.AuthenticationException: Authentication failed because the remote "
           "party sent a TLS alert: 'CertificateExpired'.\n   at System.Net.Security.SslStream."
           "ForceAuthenticationAsync[TIOAdapter](Boolean receiveFirst, Byte[] reAuthenticationData, "
           "CancellationToken cancellationToken)")  # fmt: skip
    f.bursts += [
        Burst("ocpi-hub", at, 14, "error", json.dumps({"@m": "Push of session s_8812 to Hubject failed",
              "@i": "9e1d7a30", "@l": "Error", "@x": exc, "SessionId": "s_8812",
              "SourceContext": "Voltline.Ocpi.HubjectClient"})),
        Burst("ocpi-hub", at, 4, "warn", json.dumps({"@m": "Retrying CDR 88121 for partner DE*EWE in 60 s",
              "@i": "2b7e9c14", "@l": "Warning", "Cdr": 88121, "SourceContext": "Voltline.Ocpi.CdrOutbox"})),
    ]  # fmt: skip
    f.failing_calls.append(("ocpi-hub", "hubject"))
    return f


def evening_peak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 15) * M
    f = Fault(
        "evening_peak",
        "sessions",
        "capacity",
        "scale",
        "driver-api",
        "DriverApiLatencyHigh",
        "a cold evening: drivers plug in at once after work, twice the usual starts; the sessions service is at "
        "its autoscaler's maximum of ten replicas, its CPU saturates and session starts queue behind it",
    )
    f.effects += [
        Effect("ingress-nginx", "request_rate", at, 2.3, ramp=8 * M),
        Effect("driver-api", "request_rate", at, 2.3, ramp=8 * M),
        Effect("ocpp-gateway", "request_rate", at, 1.9, ramp=8 * M),
        Effect("sessions", "request_rate", at, 2.2, ramp=8 * M),
        Effect("sessions", "cpu_utilization", at + 4 * M, 0.98, relative=False),
        Effect("sessions", "latency_p99", at + 5 * M, 12.0),
        Effect("driver-api", "latency_p99", at + 6 * M, 6.0),
        Effect("sessions", "error_ratio", at + 7 * M, 0.02, relative=False),
    ]
    f.bursts += [
        Burst("sessions", at + 5 * M, 10, "warn", _zerolog("warn", "slow request", path="/v1/sessions/start",
              duration_ms="2210")),
        Burst("driver-api", at + 6 * M, 6, "warn", _django("WARNING", "voltline.clients.sessions", "sessions answered "
              "slowly: 4.1 s for POST /v1/sessions/start")),
    ]  # fmt: skip
    return f


def grant_revoked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "grant_revoked",
        "postgres",
        "permission_denied",
        "rollback",
        "tariffs",
        "TariffsErrorRate",
        "a managed-roles change to the PostgreSQL cluster (least privilege for the reporting role) also dropped "
        "the tariffs role from pg_read_all_data; tariffs cannot read its plans and every price lookup fails",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - 2 * M, "postgres", "config", "cluster.managed.roles[tariffs].inRoles",
                            "[pg_read_all_data]", "[]", rng, "argocd"))  # fmt: skip
    f.effects += [
        Effect("tariffs", "error_ratio", at, 0.55, relative=False, ramp=0 * M),
        Effect("sessions", "error_ratio", at + 1 * M, 0.05, relative=False),
        Effect("driver-api", "error_ratio", at + 1 * M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 25, "info", _cnpg("ERROR", "permission denied for table tariff_plans", "42501",
              "tariffs")),
        Burst("tariffs", at, 25, "error", json.dumps({"loggerName": "io.voltline.tariffs.TariffResource",
              "level": "ERROR", "message": "Failed to load tariff plan for DE*VLT*E1234*1",
              "threadName": "executor-thread-7", "sequence": 9120, "exception": {
                  "refId": 1, "exceptionType": "org.postgresql.util.PSQLException",
                  "message": "ERROR: permission denied for table tariff_plans",
                  "frames": [{"class": "org.postgresql.core.v3.QueryExecutorImpl", "method": "receiveErrorResponse",
                              "line": 2725}]}})),
        Burst("sessions", at + 1 * M, 6, "error", _zerolog("error", "tariff lookup failed", status="500",
              evse="DE*VLT*E1234*1")),
    ]  # fmt: skip
    return f


def switchover_planned(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 20) * M
    f = Fault(
        "switchover_planned",
        "postgres",
        "no_incident",
        "none",
        "postgres",
        "CNPGClusterHAWarning",
        "the platform team's planned minor upgrade of PostgreSQL (16.3 to 16.4): CloudNativePG restarts the "
        "replicas one by one, then switches the primary over; clients see a minute of reset connections and "
        "reconnect, and the cluster is healthy again (no incident)",
    )
    f.changes.append(change(at - 2 * M, "postgres", "upgrade", "cluster.imageName",
                            "ghcr.io/cloudnative-pg/postgresql:16.3", "ghcr.io/cloudnative-pg/postgresql:16.4", rng,
                            "platform-team"))  # fmt: skip
    f.effects += [
        Effect("postgres", "restarts", at, 1.0, relative=False, ramp=0 * M, until=at + 15 * M),
        Effect("postgres", "latency_p99", at + 3 * M, 4.0, ramp=0 * M, until=at + 5 * M),
        Effect("sessions", "error_ratio", at + 3 * M, 0.03, relative=False, ramp=0 * M, until=at + 5 * M),
    ]
    f.bursts += [
        Burst("postgres", at + 3 * M, 6, "info", _cnpg("FATAL", "terminating connection due to administrator command",
              "57P01", "sessions"), minutes=1),
        Burst("postgres", at + 3 * M, 1, "info", json.dumps({"level": "info", "logger": "instance-manager",
              "msg": "switchover completed", "targetPrimary": "postgres-2"}), minutes=1),
        Burst("sessions", at + 3 * M, 5, "warn", _zerolog("warn", "connection reset, retrying", error="FATAL: "
              "terminating connection due to administrator command (SQLSTATE 57P01)"), minutes=1),
    ]  # fmt: skip
    return f


def adyen_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "adyen_timeouts",
        "adyen",
        "dependency_failure",
        "escalate",
        "ingress-nginx",
        "IngressErrorRate",
        "the payment provider's EU checkout endpoint slows to twenty seconds and answers some authorisations with "
        "502; the driver API's pre-authorisation for a session start times out at ten seconds and fails",
    )
    f.changes.append(change(t - rng.randint(30, 50) * M, "tariffs", "deploy", "image.tag", "2.14.0", "2.14.1", rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("driver-api", "latency_p99", at, 25.0),
        Effect("driver-api", "error_ratio", at + 1 * M, 0.14, relative=False),
        Effect("ingress-nginx", "error_ratio", at + 1 * M, 0.07, relative=False),
        Effect("ingress-nginx", "latency_p99", at, 12.0),
    ]
    f.bursts += [
        Burst("driver-api", at + 1 * M, 10, "error", _django("ERROR", "voltline.payments.adyen", "pre-authorisation "
              "failed for session start", "Traceback (most recent call last):\n  File \"/app/voltline/payments/"
              "adyen.py\", line 77, in authorise\nrequests.exceptions.ReadTimeout: HTTPSConnectionPool(host='checkout-"
              "live.adyenpayments.com', port=443): Read timed out. (read timeout=10)")),
        Burst("ingress-nginx", at + 1 * M, 10, "info", '10.42.0.1 - - [{clf}] "POST /api/v1/sessions/start HTTP/2.0" '
              '504 160 "-" "Voltline/5.2 (iOS 18.1)" 211 10.002 [charging-driver-api-8000] [] 10.42.1.17:8000 160 '
              "10.002 504 5d2e8f1a3c"),
    ]  # fmt: skip
    f.failing_calls.append(("driver-api", "adyen"))
    return f


FAULTS = [batch_size_cut, dns_flood, cert_expired, evening_peak, grant_revoked, switchover_planned, adyen_timeouts]
