"""World 78's faults, from PostgreSQL, payment-provider, Envoy, Kafka, Firebase, PgBouncer and peak-hour incidents,
in this estate's words: the basket service's release leaving a transaction open on one path, its rows locked until
the order service's stock updates time out (roll it back); iyzico timing out (escalate); a Mapping change cutting
Emissary's circuit breaker for the storefront to 64 requests, Envoy answering 503 UO (roll it back); a topic's
retention raised from a day to a week, Kafka's volume full hours later and its producers refused (roll it back);
the notifier's Firebase service-account key deleted in a key clean-up, every token request refused (a new key);
PgBouncer switched to transaction pooling, the JDBC drivers' prepared statements gone between transactions (roll
it back); and iftar, the evening rush at sunset in Ramadan, the order service's CPU high while it serves it (no
incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

H = timedelta(hours=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD records its syncs of the platform repository."""
    path = f"clusters/ist1/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:12],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def _pg(level: str, text: str) -> str:
    return "{ymd} {hms}.{ms} UTC [{n}{k}] " + f"{level}:  {text}"


def _kafka(level: str, text: str, logger: str, exception: str = "") -> str:
    return "{ymd} {hms},{ms} " + f"{level} {text} ({logger})" + (f"\n{exception}" if exception else "")


def idle_tx_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "idle_tx_leak",
        "basket",
        "recent_change",
        "rollback",
        "order",
        "OrderCheckoutErrors",
        "the basket service's release opens a transaction on the coupon path and returns without committing it; "
        "the connection sits idle in transaction holding its row locks on stock_reservation, and the order "
        "service's stock updates wait on them until their lock timeout; roll the release back",
    )
    f.changes.append(change(at - 22 * M, "basket", "deploy", "image.tag", "7.3.0", "7.3.1", rng, "argocd"))
    f.effects += [
        Effect("basket", "pool_utilization", at - 12 * M, 1.0, relative=False, ramp=12 * M),
        Effect("order", "error_ratio", at, 0.3, relative=False),
        Effect("order", "latency_p99", at, 8.0),
        Effect("storefront", "error_ratio", at + M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("basket", at - 12 * M, 2, "warn", "Connection leak detection triggered for org.postgresql.jdbc."
              "PgConnection@{hex} on thread http-nio-8080-exec-{k}, stack trace follows|exc|java.lang.Exception|"
              "Apparent connection leak detected"),
        Burst("postgres", at, 6, "info", _pg("LOG", "process {n}{k}4 still waiting for ShareLock on transaction "
              "88{n}{k} after 1000.{k}12 ms\nDETAIL:  Process holding the lock: 41{k}. Wait queue: {n}{k}4.\n"
              "STATEMENT:  UPDATE stock_reservation SET quantity = quantity - $1 WHERE sku = $2")),
        Burst("postgres", at, 5, "error", _pg("ERROR", "canceling statement due to lock timeout\nCONTEXT:  while "
              "updating tuple (1{k},{n}) in relation \"stock_reservation\"")),
        Burst("order", at, 10, "error", "Checkout failed for order {n}{k}88|exc|org.postgresql.util.PSQLException|"
              "ERROR: canceling statement due to lock timeout\n  Where: while updating tuple (1{k},{n}) in relation "
              "\"stock_reservation\""),
    ]  # fmt: skip
    return f


def iyzico_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "iyzico_timeouts",
        "iyzico",
        "dependency_failure",
        "escalate",
        "payments",
        "PaymentErrors",
        "iyzico's payment API answers after 30 s or not at all; nothing of ours changed; escalate to iyzico (and offer "
        "pay at the door meanwhile)",
    )
    f.effects += [
        Effect("payments", "error_ratio", at, 0.45, relative=False),
        Effect("payments", "latency_p99", at, 30.0),
        Effect("order", "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 12, "error", "payment authorisation failed|exc|*url.Error|Post "
              "\"https://api.iyzipay.com/payment/auth\": context deadline exceeded (Client.Timeout exceeded while "
              "awaiting headers)"),
        Burst("order", at + M, 8, "error", "Payment for order {n}{k}88 failed|exc|com.cabuk.order.PaymentException|"
              "payments answered 502 Bad Gateway"),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "iyzico"))
    return f


def edge_circuit_breaker(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "edge_circuit_breaker",
        "edge",
        "recent_change",
        "rollback",
        "edge",
        "StorefrontAvailability",
        "a Mapping change set the storefront cluster's circuit breaker to 64 concurrent requests (it was 1024); at the "
        "evening's load Envoy refuses the rest itself with 503 UO (upstream overflow) while the storefront is idle; "
        "roll the Mapping back",
    )
    f.changes.append(change(at - 3 * M, "edge", "config", "circuit_breakers.max_requests", "1024", "64", rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("edge", "error_ratio", at, 0.35, relative=False),
        Effect("storefront", "request_rate", at, 0.6),
    ]
    f.bursts += [
        Burst("edge", at, 40, "error", '[{iso}Z] "GET /api/v2/basket HTTP/1.1" 503 UO 0 81 0 - "-" "Cabuk/7.{k} '
              '(Android 14)" "{hex}" "storefront.cabuk-prod:3000" "-"'),
    ]  # fmt: skip
    return f


def kafka_retention_disk(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "kafka_retention_disk",
        "kafka",
        "recent_change",
        "rollback",
        "dispatch",
        "CourierTrackingStale",
        "a KafkaTopic change raised courier-locations' retention from a day to a week; the brokers' volumes filled "
        "over the afternoon and now refuse appends, and every producer of any topic is refused; roll the retention "
        "back (the old segments are then deleted) before growing the volumes",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 6 * H, "kafka", "config", "courier-locations.retention.ms", "86400000",
                            "604800000", rng, "argocd"))  # fmt: skip
    f.effects += [
        Effect("kafka", "disk_utilization", at - 6 * H, 1.0, relative=False, ramp=6 * H),
        Effect("dispatch", "error_ratio", at, 0.5, relative=False),
        Effect("order", "error_ratio", at + M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("kafka", at, 5, "error", _kafka("ERROR", "Error while appending records to courier-locations-{k} in dir "
              "/var/lib/kafka/data-0/kafka-log0", "kafka.server.LogDirFailureChannel",
              "java.io.IOException: No space left on device")),
        Burst("dispatch", at, 10, "error", "publishing courier location failed|exc|aiokafka.errors.KafkaStorageError|"
              "[Error 56] KafkaStorageError: Disk error when trying to access log file on the disk."),
        Burst("order", at + M, 4, "error", "Order event not published|exc|org.apache.kafka.common.errors."
              "KafkaStorageException|Disk error when trying to access log file on the disk."),
    ]  # fmt: skip
    return f


def fcm_key_deleted(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "fcm_key_deleted",
        "notify",
        "expired_credential",
        "config_change",
        "notify",
        "PushDeliveryFailures",
        "the security team's clean-up of service-account keys older than 90 days deleted the notifier's Firebase key; "
        "every token request it signs with it is refused (invalid_grant), so no push goes out; issue a new key (from "
        "Workload Identity, not a file) and set it",
    )
    f.effects += [Effect("notify", "error_ratio", at, 0.9, relative=False)]
    f.bursts += [
        Burst("notify", at, 20, "error", "push failed|exc|*oauth2.RetrieveError|oauth2: \"invalid_grant\" \"Invalid "
              "JWT Signature.\""),
    ]  # fmt: skip
    f.failing_calls.append(("notify", "fcm"))
    return f


def pgbouncer_transaction_mode(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "pgbouncer_transaction_mode",
        "pgbouncer",
        "recent_change",
        "rollback",
        "storefront",
        "StorefrontErrors",
        "the platform team switched PgBouncer to transaction pooling to fit more clients; the JDBC drivers' "
        "server-side prepared statements live on a server connection the next transaction may not get, and "
        "queries fail with 'prepared statement does not exist'; roll the pool mode back",
    )
    f.changes.append(change(at - 2 * M, "pgbouncer", "config", "pool_mode", "session", "transaction", rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("order", "error_ratio", at, 0.4, relative=False),
        Effect("basket", "error_ratio", at, 0.2, relative=False),
        Effect("storefront", "error_ratio", at + M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("pgbouncer", at - M, 1, "info", "{ymd} {hms}.{ms} UTC [1] LOG config file loaded: "
              "/etc/pgbouncer/pgbouncer.ini", minutes=2),
        Burst("order", at, 15, "error", "Listing orders failed|exc|org.postgresql.util.PSQLException|ERROR: "
              "prepared statement \"S_3\" does not exist"),
        Burst("basket", at, 8, "error", "Loading basket {hex} failed|exc|org.postgresql.util.PSQLException|ERROR: "
              "prepared statement \"S_1\" does not exist"),
        Burst("storefront", at + M, 6, "error", "GET /api/orders 500 in {n}ms: order answered 500"),
    ]  # fmt: skip
    return f


def iftar_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "iftar_rush",
        "order",
        "no_incident",
        "none",
        "order",
        "OrderCPUHigh",
        "iftar: at sunset in Ramadan the whole city orders at once; the order service's CPU is high while it serves "
        "three times its usual orders, the autoscaler adds pods, nothing fails (no incident)",
    )
    f.changes.append(change(at + 2 * M, "order", "scale", "replicas", "6", "12", rng, "horizontal-pod-autoscaler"))
    f.effects += [
        Effect("order", "request_rate", at, 3.0, ramp=8 * M, until=at + 50 * M),
        Effect("storefront", "request_rate", at, 2.6, ramp=8 * M, until=at + 50 * M),
        Effect("dispatch", "request_rate", at, 2.8, ramp=8 * M, until=at + 50 * M),
        Effect("order", "cpu_utilization", at, 0.84, relative=False, ramp=8 * M, until=at + 50 * M),
        Effect("order", "latency_p99", at, 1.3, ramp=8 * M, until=at + 50 * M),
    ]
    f.bursts += [
        Burst("order", at, 30, "info", "Order {n}{k}88 placed for store IST-{n}", minutes=45),
        Burst("dispatch", at, 20, "info", "courier {n}{k} assigned to order {n}{k}88 (eta {k} min)", minutes=45),
    ]
    return f


FAULTS = [idle_tx_leak, iyzico_timeouts, edge_circuit_breaker, kafka_retention_disk, fcm_key_deleted,
          pgbouncer_transaction_mode, iftar_rush]  # fmt: skip
