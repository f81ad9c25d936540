"""World 59's faults, from Kong, Azure, Redis and ticketing on-sale incidents, in this estate's words (English
with Dutch): Kong's read timeout for the checkout service cut to 800 ms in a decK change, so payments that take
Adyen a second are cut off (roll back); a Terraform clean-up removing the resale service's federated identity
credential, so it gets no Entra ID token for PostgreSQL (put it back); the seat-holds Redis full under a presale
with no eviction (more memory); a stadium presale saturating the waiting room (scale); Azure Service Bus
degraded in the region (escalate); checkout running out of local ports to Adyen because it opens a new
connection for every payment (reuse connections); and an announced on-sale whose traffic jump is expected and
handled (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD's notifications record it: the application synced to a commit, and its diff."""
    sha = f"{rng.getrandbits(40):010x}"
    diff = code or (
        f"--- a/apps/{svc}/values-prod.yaml\n+++ b/apps/{svc}/values-prod.yaml\n@@ -12,7 +12,7 @@\n"
        f"-{key}: {old}\n+{key}: {new}\n"
    )
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"argocd app tickets-{svc} synced to {sha}",
        "diff": diff,
    }


def kong_timeout_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "kong_timeout_cut",
        "kong",
        "recent_change",
        "rollback",
        "checkout",
        "CheckoutErrorRateHigh",
        "a decK change meant to stop slow seat-map requests holding Kong's workers set read_timeout to 800 ms "
        "on the checkout service too; paying at Adyen takes about a second, so Kong cuts most payments off "
        "with 504 and buyers retry; roll the change back",
    )
    deck = (
        "--- a/kong/kong.yaml\n+++ b/kong/kong.yaml\n@@ -41,7 +41,7 @@ services:\n   - name: checkout\n"
        "     url: http://checkout.tickets.svc:8080\n-    read_timeout: 60000\n+    read_timeout: 800\n"
    )
    f.changes.append(change(at - 2 * M, "kong", "config", "services.checkout.read_timeout", "60000", "800", rng,
                            "edge-team", deck))  # fmt: skip
    f.effects += [
        Effect("kong", "error_ratio", at, 0.2, relative=False),
        Effect("checkout", "error_ratio", at, 0.25, relative=False),
        Effect("checkout", "request_rate", at, 1.8),
    ]
    f.bursts += [
        Burst("kong", at, 15, "error", "[error] 1281#0: *88{n}412 upstream timed out (110: Connection timed out) "
              "while reading response header from upstream, client: 10.244.{n}.17, server: kong, request: "
              '"POST /v1/orders HTTP/1.1", upstream: "http://10.0.41.7:8080/v1/orders", host: '
              '"tickets.podiumkaart.nl"'),
        Burst("kong", at, 15, "error", '10.244.{n}.17 - - [{date}] "POST /v1/orders HTTP/1.1" 504 51 "-" '
              '"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)"'),
        Burst("checkout", at, 10, "warn", '{"EventId":3,"LogLevel":"Warning","Category":'
              '"Podium.Checkout.OrdersController","Message":"Order 9{n}123: client disconnected after 800 ms; '
              'betaling bij Adyen nog in behandeling","State":{"OrderId":"9{n}123"}}'),
    ]  # fmt: skip
    return f


def federated_identity_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "federated_identity_removed",
        "resale",
        "permission_denied",
        "config_change",
        "resale",
        "ResaleErrorsHigh",
        "a Terraform clean-up of unused identities removed the federated credential that lets resale's service "
        "account get Entra ID tokens; as its cached tokens expire, resale cannot log in to PostgreSQL and every "
        "listing fails; put the federated credential back",
        also_accept=["recent_change", "expired_credential"],
    )
    tf = (
        "--- a/infra/identities.tf\n+++ b/infra/identities.tf\n@@ -88,12 +88,0 @@\n"
        '-resource "azurerm_federated_identity_credential" "resale" {\n-  name     = "resale-tickets"\n'
        '-  subject  = "system:serviceaccount:tickets:resale"\n-}\n'
    )
    f.changes.append(change(at - rng.randint(35, 50) * M, "resale", "infra",
                            "azurerm_federated_identity_credential.resale", "present", "removed (opruimen ongebruikte "
                            "identities)", rng, "platform-team", tf))  # fmt: skip
    f.effects += [
        Effect("resale", "error_ratio", at, 0.85, relative=False),
        Effect("kong", "error_ratio", at, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("resale", at, 12, "error", "ERROR resale.db: could not get a token for PostgreSQL: ClientAuthentication"
              "Error: WorkloadIdentityCredential authentication failed: AADSTS700213: No matching federated identity "
              "record found for presented assertion subject 'system:serviceaccount:tickets:resale'."),
        Burst("resale", at, 20, "error", 'INFO:     10.244.2.{n}:0 - "GET /v1/listings?event=81{n} HTTP/1.1" 500 '
              "Internal Server Error"),
    ]  # fmt: skip
    return f


def holds_redis_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "holds_redis_full",
        "redis",
        "resource_exhaustion",
        "scale",
        "seat-holds",
        "SeatHoldsFailing",
        "a presale put two million seats on hold and Redis reached its maxmemory; with the noeviction policy "
        "it refuses every write, so no seat can be held and buyers cannot reach checkout; give Redis more "
        "memory (or shorten the holds)",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("redis", "memory_utilization", at - 25 * M, 1.0, relative=False, ramp=25 * M),
        Effect("seat-holds", "error_ratio", at, 0.65, relative=False),
        Effect("checkout", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("seat-holds", at, 15, "error", '[error] Hold failed seat=R{n}-S4 event=812: %Redix.Error{message: '
              "\"OOM command not allowed when used memory > 'maxmemory'.\"}"),
        Burst("checkout", at + 1 * M, 4, "error", '{"EventId":7,"LogLevel":"Error","Category":'
              '"Podium.Checkout.HoldsClient","Message":"Geen hold voor order 9{n}123: seat-holds answered 503",'
              '"State":{"OrderId":"9{n}123"}}'),
    ]  # fmt: skip
    return f


def presale_surge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "presale_surge",
        "waiting-room",
        "capacity",
        "scale",
        "waiting-room",
        "WaitingRoomLatencyHigh",
        "a stadium tour's presale brought four times the buyers the waiting room was sized for; its pods are at "
        "their CPU limit with the autoscaler at its maximum, and the queue page times out",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("waiting-room", "request_rate", at - 5 * M, 4.0, ramp=5 * M),
        Effect("kong", "request_rate", at - 5 * M, 3.5, ramp=5 * M),
        Effect("waiting-room", "cpu_utilization", at, 0.98, relative=False),
        Effect("waiting-room", "latency_p99", at + 1 * M, 8.0),
        Effect("kong", "latency_p99", at + 1 * M, 5.0),
    ]
    f.bursts += [
        Burst("waiting-room", at + 1 * M, 3, "warn", '{"level":"WARN","fields":{"message":"admission loop behind '
              'schedule","lag_ms":4100,"queue_depth":41{n}331},"target":"waiting_room::admit"}'),
    ]  # fmt: skip
    return f


def servicebus_degraded(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "servicebus_degraded",
        "servicebus",
        "dependency_failure",
        "escalate",
        "ticket-delivery",
        "TicketDeliveryFailing",
        "Azure Service Bus is degraded in West Europe (Azure's status page says so); ticket delivery cannot "
        "receive paid orders and checkout's publishes time out, so e-tickets are not sent; nothing of ours "
        "changed; open a case with Azure",
    )
    f.effects += [
        Effect("ticket-delivery", "error_ratio", at, 0.7, relative=False),
        Effect("ticket-delivery", "request_rate", at, 0.2),
        Effect("checkout", "latency_p99", at, 2.5),
    ]
    f.bursts += [
        Burst("ticket-delivery", at, 12, "error", '{"level":"error","message":"ontvangen van topic order-paid '
              "mislukt: ServiceBusError: connect ETIMEDOUT podiumkaart-prod.servicebus.windows.net:5671\","
              '"code":"ServiceCommunicationProblem"}'),
        Burst("checkout", at, 4, "error", '{"EventId":9,"LogLevel":"Error","Category":"Podium.Checkout.Outbox",'
              '"Message":"Publishing OrderPaid 9{n}123 failed; will retry","Exception":"Azure.Messaging.'
              "ServiceBus.ServiceBusException: The operation did not complete within the allocated time 00:01:00 "
              '(ServiceTimeout)","State":{"OrderId":"9{n}123"}}'),
    ]  # fmt: skip
    f.failing_calls += [("ticket-delivery", "servicebus"), ("checkout", "servicebus")]
    return f


def local_ports_exhausted(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "local_ports_exhausted",
        "checkout",
        "resource_exhaustion",
        "config_change",
        "checkout",
        "PaymentsFailing",
        "checkout's Adyen client opens a new connection for every payment; at the evening on-sale's rate the "
        "connections closed in the last minute (TIME_WAIT) hold every local port to Adyen's address, and new "
        "ones fail with 'Cannot assign requested address'; Adyen is fine; reuse connections (one HttpClient)",
        also_accept=["network", "capacity"],
    )
    f.effects += [
        Effect("checkout", "request_rate", at - 6 * M, 2.2, ramp=6 * M),
        Effect("checkout", "error_ratio", at, 0.45, relative=False),
        Effect("checkout", "latency_p99", at, 3.0),
    ]
    f.bursts += [
        Burst("checkout", at, 15, "error", '{"EventId":5,"LogLevel":"Error","Category":"Podium.Checkout.AdyenClient",'
              '"Message":"Autorisatie voor order 9{n}123 bij Adyen mislukt","Exception":"System.Net.Http.'
              "HttpRequestException: Cannot assign requested address (checkout-live.adyen.com:443)\\n ---> System."
              'Net.Sockets.SocketException (99): Cannot assign requested address","State":{"OrderId":"9{n}123"}}'),
    ]  # fmt: skip
    return f


def announced_onsale(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "announced_onsale",
        "kong",
        "no_incident",
        "none",
        "kong",
        "KongRequestRateAnomaly",
        "the announced 19:00 on-sale of a festival: traffic jumps threefold as expected, the platform was scaled "
        "up beforehand, and errors and latency stay where they were (no incident)",
    )
    f.changes.append(change(at - rng.randint(50, 70) * M, "waiting-room", "ops", "autoscaling.minReplicas", "6",
                            "24 (voorverkoop festival 19:00, gepland)", rng, "edge-team"))  # fmt: skip
    f.effects += [
        Effect("kong", "request_rate", at, 3.0, ramp=2 * M),
        Effect("waiting-room", "request_rate", at, 3.5, ramp=2 * M),
        Effect("events-api", "request_rate", at, 2.0, ramp=2 * M),
    ]
    f.bursts += [
        Burst("waiting-room", at, 2, "info", '{"level":"INFO","fields":{"message":"on-sale opened","event":"812",'
              '"queue_depth":1{n}0231},"target":"waiting_room::sale"}', minutes=2),
    ]  # fmt: skip
    return f


FAULTS = [kong_timeout_cut, federated_identity_removed, holds_redis_full, presale_surge, servicebus_degraded,
          local_ports_exhausted, announced_onsale]  # fmt: skip
