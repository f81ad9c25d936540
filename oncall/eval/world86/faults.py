"""World 86's faults, from network-path, queue-delivery, datastore, memory, provider and routine incidents, in
this estate's words: the Serverless VPC Access connector at its instance ceiling under the evening's orders, every
service behind it timing out to Redis and Cloud SQL while nothing of theirs changed (raise its maximum); a notifier
release attaching each order's PDF, its push handler slower than the subscription's ack deadline, Pub/Sub
redelivering every message and SendGrid refusing the flood (roll it back); an orders release keying documents by
time-ordered ids, every write landing on one Firestore tablet (roll it back); inventory's memory limit halved by
Terraform, its instances killed over it (roll it back); SendGrid down (the provider's, escalate); and the
nightly Firestore export (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

S = timedelta(seconds=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Cloud Deploy's releases and Terraform's applies record it."""
    path = f"terraform/run/{svc}.tf"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:8],
        "diff": code or f'--- a/{path}\n+++ b/{path}\n@@ -14 +14 @@\n-  {key} = "{old}"\n+  {key} = "{new}"\n',
    }


def connector_at_ceiling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "connector_at_ceiling",
        "vpc-connector",
        "capacity",
        "scale",
        "inventory",
        "InventoryErrors",
        "the evening's orders doubled the traffic through the Serverless VPC Access connector, already at its ten "
        "instances; its throughput is at its ceiling and connections through it to Redis and Cloud SQL time out "
        "for every Run service behind it; nothing changed; raise the connector's maximum instances",
    )
    for svc, k in (("web", 2.0), ("orders", 2.2), ("inventory", 2.0), ("vpc-connector", 2.0)):
        f.effects.append(Effect(svc, "request_rate", at - 6 * M, k, ramp=6 * M))
    f.effects += [
        Effect("vpc-connector", "cpu_utilization", at - M, 0.99, relative=False, ramp=2 * M),
        Effect("inventory", "error_ratio", at, 0.3, relative=False),
        Effect("inventory", "latency_p99", at, 10.0, relative=False),
        Effect("orders", "error_ratio", at + M, 0.2, relative=False),
        Effect("web", "error_ratio", at + M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("inventory", at, 8, "error", "event=stock read failed | sku=SKU-{n}{k}{k}2|exc|redis.exceptions."
              "TimeoutError|Timeout connecting to server 10.8.0.3:6379"),
        Burst("inventory", at, 4, "error", "event=stock read failed | sku=SKU-{n}{k}{k}2|exc|psycopg.errors."
              "ConnectionTimeout|connection timeout expired (host 10.20.0.5, port 5432)"),
        Burst("orders", at + M, 5, "error", "msg=reserve failed | order=SG{n}{k}{k}8|exc|*net.OpError|dial tcp "
              "10.8.0.3:6379: i/o timeout"),
    ]  # fmt: skip
    return f


def ack_deadline_redelivery(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "ack_deadline_redelivery",
        "notifier",
        "recent_change",
        "rollback",
        "notifier",
        "NotifierErrors",
        "a notifier release renders each order's invoice as a PDF before answering Pub/Sub's push, taking fifteen "
        "seconds where the subscription's ack deadline is ten; Pub/Sub redelivers every message, the notifier "
        "sends each e-mail several times and SendGrid answers 429; roll the release back",
    )
    f.changes.append(change(at - 3 * M, "notifier", "deploy", "image", "notifier:3.8.2", "notifier:3.9.0", rng,
                            "cloud-deploy"))  # fmt: skip
    f.effects += [
        Effect("notifier", "request_rate", at, 4.5, ramp=3 * M),
        Effect("notifier", "latency_p99", at, 15.0, relative=False),
        Effect("notifier", "error_ratio", at + 2 * M, 0.5, relative=False),
    ]
    f.bursts += [
        Burst("notifier", at, 30, "info", "msg=email sent | template=order_confirmed | order=SG{n}{k}{k}8 | "
              "attachment=invoice.pdf"),
        Burst("notifier", at + 2 * M, 12, "error", "msg=email failed | order=SG{n}{k}{k}8|exc|ResponseError|Too "
              "Many Requests: 429 (POST https://api.sendgrid.com/v3/mail/send)"),
    ]  # fmt: skip
    f.failing_calls.append(("notifier", "sendgrid"))
    return f


def sequential_document_ids(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "sequential_document_ids",
        "orders",
        "recent_change",
        "rollback",
        "orders",
        "OrdersErrors",
        "an orders release keys new order documents by a time-ordered id instead of a random one; every write "
        "lands on the same Firestore tablet, which throttles them with contention errors; roll the release back",
    )
    f.changes.append(change(at - 2 * M, "orders", "deploy", "image", "orders:5.2.0", "orders:5.3.0", rng,
                            "cloud-deploy"))  # fmt: skip
    f.effects += [
        Effect("orders", "error_ratio", at, 0.4, relative=False),
        Effect("orders", "latency_p99", at, 3.0, relative=False),
        Effect("web", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("orders", at, 10, "error", "msg=order write failed | order=SG{n}{k}{k}8|exc|*status.Error|rpc error: "
              "code = ResourceExhausted desc = Too much contention on these documents. Please try again."),
    ]  # fmt: skip
    f.failing_calls.append(("orders", "firestore"))
    return f


def memory_limit_halved(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "memory_limit_halved",
        "inventory",
        "recent_change",
        "rollback",
        "inventory",
        "InventoryErrors",
        "a Terraform clean-up set inventory's memory limit from 1Gi to 512Mi; its stock cache outgrows that within "
        "minutes and Cloud Run kills each instance over its limit; roll the limit back",
    )
    f.changes.append(change(at - 3 * M, "inventory", "config", "resources.limits.memory", "1Gi", "512Mi", rng,
                            "terraform"))  # fmt: skip
    f.effects += [
        Effect("inventory", "memory_utilization", at - 2 * M, 0.99, relative=False, ramp=2 * M),
        Effect("inventory", "restarts", at, 3, relative=False),
        Effect("inventory", "error_ratio", at, 0.35, relative=False),
        Effect("web", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("inventory", at, 3, "error", "system: Memory limit of 512 MiB exceeded with 531 MiB used. Consider "
              "increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits"),
    ]  # fmt: skip
    return f


def sendgrid_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "sendgrid_down",
        "sendgrid",
        "dependency_failure",
        "escalate",
        "notifier",
        "NotifierErrors",
        "SendGrid's v3 API answers 503 to every send; the notifier's confirmations fail and Pub/Sub keeps them "
        "for retry; nothing of ours changed; the provider's, escalate to SendGrid",
    )
    f.effects += [Effect("notifier", "error_ratio", at, 0.85, relative=False)]
    f.bursts += [
        Burst("notifier", at, 10, "error", "msg=email failed | order=SG{n}{k}{k}8|exc|ResponseError|Service "
              "Unavailable: 503 (POST https://api.sendgrid.com/v3/mail/send)"),
    ]  # fmt: skip
    f.failing_calls.append(("notifier", "sendgrid"))
    return f


def firestore_export(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "firestore_export",
        "orders",
        "no_incident",
        "none",
        "orders",
        "OrdersLatencyHigh",
        "the nightly managed export of Firestore to Cloud Storage runs; orders' reads are a little slower while it "
        "does, every request answered; nothing fails (no incident)",
    )
    f.changes.append(change(at - M, "orders", "job", "firestore.export", "idle", "running (gcloud firestore "
                            "export gs://segar-backups/nightly, scheduled)", rng, "cloud-scheduler"))  # fmt: skip
    f.effects += [Effect("orders", "latency_p99", at, 1.6, ramp=2 * M, until=at + 40 * M)]
    return f


FAULTS = [connector_at_ceiling, ack_deadline_redelivery, sequential_document_ids, memory_limit_halved,
          sendgrid_down, firestore_export]  # fmt: skip
