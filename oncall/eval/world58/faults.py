"""World 58's faults, from EMQX, PostgreSQL, TLS and parcel-logistics incidents, in this estate's words (English
and Polish): EMQX's listener limit cut in a Helm values change so lockers are refused (roll back); the locker
API's client certificate for EMQX expiring (renew it); a stuck routing job holding a transaction open so
autovacuum cannot clean the parcels table and every lookup slows (end the session: restart the job); a
courier-app release that retries every failed scan at once (roll back); Black Week's parcel peak; SMSAPI failing
to send pickup codes; a planned PostgreSQL failover drill (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Flux notifications record it: the HelmRelease upgraded, and its values' diff."""
    revision = rng.randint(40, 900)
    diff = code or (
        f"--- a/releases/{svc}.yaml\n+++ b/releases/{svc}.yaml\n@@ -21,7 +21,7 @@ spec:\n   values:\n"
        f"-    {key}: {old}\n+    {key}: {new}\n"
    )
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"helmrelease lockers/{svc} upgraded to revision {revision}",
        "diff": diff,
    }


def listener_limit_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "listener_limit_cut",
        "emqx",
        "recent_change",
        "rollback",
        "locker-api",
        "LockersOffline",
        "a values change meant for the staging broker set EMQX's mqtt:ssl:default max_connections to 5000 in "
        "production, where 38,000 lockers connect; the rest are refused, lockers go offline and the locker API "
        "cannot open their compartments; roll the change back",
    )
    f.changes.append(change(at - 1 * M, "emqx", "config", "listeners.ssl.default.max_connections", "60000",
                            "5000", rng, "platform-team"))  # fmt: skip
    f.effects += [
        Effect("emqx", "request_rate", at, 0.15),
        Effect("locker-api", "error_ratio", at, 0.6, relative=False),
        Effect("courier-api", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("emqx", at, 20, "warn", "warning msg: listener_max_connections_reached listener: ssl:default, "
              "max_connections: 5000"),
        Burst("locker-api", at, 12, "error", "ERROR p.l.mqtt.LockerGateway - nie można otworzyć skrytki: locker "
              "WAW-{n}M offline (no session)"),
    ]  # fmt: skip
    return f


def mqtt_client_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "mqtt_client_cert_expired",
        "locker-api",
        "expired_credential",
        "config_change",
        "locker-api",
        "LockerApiErrors",
        "the locker API's client certificate for EMQX, issued by hand a year ago outside cert-manager, expired "
        "at midnight UTC; its MQTT connections are refused at the handshake and no compartment can be opened; "
        "issue a new one and put it in the secret",
    )
    f.effects += [
        Effect("locker-api", "error_ratio", at, 0.9, relative=False),
        Effect("customer-app", "error_ratio", at + 1 * M, 0.35, relative=False),
        Effect("courier-api", "error_ratio", at + 1 * M, 0.35, relative=False),
    ]
    f.bursts += [
        Burst("locker-api", at, 10, "error", "ERROR p.l.mqtt.LockerGateway - MQTT connect failed: "
              "javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_expired"),
        Burst("emqx", at, 10, "warn", "warning msg: ssl_handshake_failed reason: {tls_alert,{certificate_expired,"
              "\"TLS server: In state certify received CLIENT ALERT: Fatal - Certificate Expired\"}}, peername: "
              "10.2.5.17:40112"),
        Burst("customer-app", at + 1 * M, 6, "error", "ERROR paczka.parcels Nie udało się otworzyć skrytki: "
              "locker-api returned 503"),
    ]  # fmt: skip
    return f


def vacuum_blocked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "vacuum_blocked",
        "routing",
        "resource_exhaustion",
        "restart",
        "customer-app",
        "ParcelLookupsSlow",
        "the routing optimiser's nightly job hung holding a transaction open since yesterday (idle in "
        "transaction); autovacuum cannot remove the parcels table's dead rows, the table and its indexes bloat, "
        "and every parcel lookup slows; restarting the job ends its session",
        also_accept=["dependency_failure"],
    )
    f.effects += [
        Effect("postgres", "latency_p99", at - 10 * M, 12.0, ramp=10 * M),
        Effect("postgres", "cpu_utilization", at - 10 * M, 0.85, relative=False, ramp=10 * M),
        Effect("customer-app", "latency_p99", at, 7.0),
        Effect("courier-api", "latency_p99", at, 5.0),
    ]
    f.bursts += [
        Burst("postgres", at - 30 * M, 1, "warn", 'WARNING:  oldest xmin is far in the past\nHINT:  Close open '
              'transactions soon to avoid wraparound problems.', minutes=40),
        Burst("postgres", at - 20 * M, 0.5, "info", 'LOG:  automatic vacuum of table "paczka.public.parcels": index '
              'scans: 1 pages: 0 removed, 412330 remain; tuples: 0 removed, 8123312 remain, 7342118 are dead but '
              'not yet removable, oldest xmin: 88123412', minutes=30),
        Burst("routing", at - 60 * M, 0.2, "warn", "WARN  [pool-2-thread-1] p.r.NightlyJob - czekam na blokadę "
              "depot_routes (idle 14 h)", minutes=70),
        Burst("customer-app", at, 6, "warn", "WARNING paczka.parcels wolne zapytanie: parcel lookup took 4.8 s"),
    ]  # fmt: skip
    return f


def retry_release(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 10) * M
    f = Fault(
        "retry_release",
        "courier-api",
        "recent_change",
        "rollback",
        "courier-api",
        "CourierApiErrors",
        "courier-api 7.3.0 retries a failed scan at once and without limit; a brief routing hiccup became a "
        "storm of retries that keeps routing busy and scans failing; roll the release back",
    )
    f.changes.append(change(at - 3 * M, "courier-api", "deploy", "image.tag", "7.2.4", "7.3.0", rng, "flux"))
    f.effects += [
        Effect("courier-api", "request_rate", at, 6.0),
        Effect("routing", "request_rate", at, 9.0),
        Effect("routing", "cpu_utilization", at, 0.97, relative=False),
        Effect("courier-api", "error_ratio", at, 0.4, relative=False),
        Effect("routing", "latency_p99", at, 6.0),
    ]
    f.bursts += [
        Burst("courier-api", at, 30, "error", 'level=error msg="scan retry failed" parcel=6201{n} attempt=14 '
              'err="routing: 503 Service Unavailable"'),
        Burst("routing", at, 4, "warn", "WARN  [http-nio-8080-exec-31] p.r.Api - kolejka żądań pełna (200), "
              "odrzucam"),
    ]  # fmt: skip
    return f


def black_week(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(9, 13) * M
    f = Fault(
        "black_week",
        "customer-app",
        "capacity",
        "scale",
        "customer-app",
        "CustomerAppLatencyHigh",
        "Black Week: pickups and returns triple; the customer app's pods are at their CPU with the autoscaler "
        "at its maximum, and requests queue",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("customer-app", "request_rate", at - 4 * M, 3.2, ramp=4 * M),
        Effect("ingress", "request_rate", at - 4 * M, 3.0, ramp=4 * M),
        Effect("customer-app", "cpu_utilization", at, 0.97, relative=False),
        Effect("customer-app", "latency_p99", at + 1 * M, 6.0),
        Effect("ingress", "latency_p99", at + 1 * M, 5.0),
    ]
    f.bursts += [
        Burst("customer-app", at + 1 * M, 2, "warn", "WARNING django.request wszystkie workery gunicorna zajęte "
              "(17/17), żądania czekają"),
    ]  # fmt: skip
    return f


def smsapi_failing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "smsapi_failing",
        "smsapi",
        "dependency_failure",
        "escalate",
        "notifier",
        "PickupCodesNotSent",
        "SMSAPI answers 500 to most sends; customers do not get their pickup codes; nothing of ours changed; "
        "ask SMSAPI and switch the codes to push notifications",
    )
    f.effects += [
        Effect("notifier", "error_ratio", at, 0.7, relative=False),
        Effect("notifier", "latency_p99", at, 3.0),
    ]
    f.bursts += [
        Burst("notifier", at, 12, "error", '{"level":"error","msg":"nie wysłano SMS: SMSAPI HTTP 500 '
              'Internal Server Error","provider":"smsapi","code":"ERR_BAD_RESPONSE"}'),
    ]  # fmt: skip
    f.failing_calls.append(("notifier", "smsapi"))
    return f


def failover_drill(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "failover_drill",
        "postgres",
        "no_incident",
        "none",
        "postgres",
        "PostgresPrimaryChanged",
        "the quarterly failover drill: the DBAs promote the standby as planned; connections drop for seconds "
        "and come back, nothing fails for long (no incident)",
    )
    f.changes.append(change(at - 1 * M, "postgres", "ops", "primary", "postgres-0", "postgres-1 (quarterly "
                            "failover drill, planned maintenance)", rng, "dba-team",
                            "kubectl cnpg promote paczka postgres-1\n"))  # fmt: skip
    f.effects += [
        Effect("postgres", "restarts", at, 1.0, relative=False, ramp=0 * M),
        Effect("postgres", "latency_p99", at, 1.5, ramp=1 * M, until=at + 4 * M),
    ]
    f.bursts += [
        Burst("postgres", at, 1, "info", "LOG:  received promote request", minutes=1),
        Burst("postgres", at, 1, "info", "LOG:  database system is ready to accept connections", minutes=1),
        Burst("locker-api", at, 2, "warn", "WARN  p.l.db.Pool - HikariPool-1 - Connection is not available, "
              "retrying (failover?)", minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [listener_limit_cut, mqtt_client_cert_expired, vacuum_blocked, retry_release, black_week, smsapi_failing,
          failover_drill]  # fmt: skip
