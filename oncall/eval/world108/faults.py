"""World 108's faults, from ingress, credential, capacity, provider, maintenance, network and storage incidents at a
Porto restaurant-reservation company on Azure, in its engineers' words: a Bicep refactor moved floor onto the shared
Container App module, which has no session affinity, while floor runs three replicas (roll it back); the monthly
rotation regenerated Service Bus' key while bookings' Dapr sidecar keeps the connection string it loaded (restart
bookings); a television programme's Friday dinner rush holding bookings at its maximum replicas (more capacity);
ifthenpay's MB WAY API failing (theirs: escalate); autovacuum freezing the reservations table (no incident); a
Terraform change dropping the private DNS zone's link to the apps' network (roll it back); the server's storage
past 95 % and Azure setting it read-only (more storage)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

BICEP = "infra/apps/{svc}/main.bicep"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's deploy log keeps it: the GitHub Actions run that deployed it, and the diff."""
    path = BICEP.format(svc=svc)
    if not code:
        code = f"--- a/{path}\n+++ b/{path}\n-  {key}: '{old}'\n+  {key}: '{new}'\n"
    ref = f"github-actions deploy-{svc} run {rng.randint(3000, 9999)} (az deployment group create, by {who})"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def floor_affinity_dropped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "floor_affinity_dropped",
        "floor",
        "recent_change",
        "rollback",
        "floor",
        "MesaFloorTabletsReconnecting",
        "a Bicep refactor moved floor onto the shared Container App module, which sets no sticky-session affinity, "
        "while floor runs three replicas: Socket.IO's polling requests land on replicas that never saw the "
        "session and are answered 400 'Session ID unknown', and the tablets reconnect over and over; roll it back",
    )
    path = BICEP.format(svc="floor")
    diff = (
        f"--- a/{path}\n+++ b/{path}\n-resource floor 'Microsoft.App/containerApps@2024-03-01' = {{\n"
        "-  properties: { configuration: { ingress: { external: true, targetPort: 3000,\n"
        "-    stickySessions: { affinity: 'sticky' } } } }\n+module floor '../modules/app.bicep' = {\n"
        "+  params: { name: 'floor', targetPort: 3000, minReplicas: 3 }\n"
    )
    f.changes.append(change(at - 2 * M, "floor", "config", "stickySessions.affinity", "sticky", "none", rng, "ines",
                            diff))  # fmt: skip
    f.effects += [
        Effect("floor", "request_rate", at, 2.8),
        Effect("floor", "error_ratio", at, 0.35, relative=False),
        Effect("edge", "error_ratio", at, 0.09, relative=False),
        Effect("floor", "cpu_utilization", at, 0.6, relative=False),
    ]
    f.bursts += [
        Burst("edge", at, 8, "info", "GET|/socket.io/?EIO=4&transport=polling&sid={sid}|400|{k}"),
        Burst("floor", at, 6, "info", "[TablesGateway] Tablet {k} at {restaurant} connected (transport polling)"),
        Burst("floor", at, 5, "warn", "[TablesGateway] Tablet {k} at {restaurant} disconnected: transport error"),
    ]  # fmt: skip
    return f


def bus_key_regenerated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "bus_key_regenerated",
        "bookings",
        "expired_credential",
        "restart",
        "bookings",
        "MesaReservationEventsFailing",
        "the monthly rotation regenerated the Service Bus namespace's primary key and wrote the new connection "
        "string to Key Vault; bookings' Dapr sidecar loaded the component's connection string when the replica "
        "started and still signs with the old key, so every publish is refused 401; restart bookings (a new "
        "revision loads the new secret)",
    )
    f.changes.append(
        change_record(at - M, "bus", "config", "RootManageSharedAccessKey.primaryKey", "sha256:5d1e…", "sha256:a94c…",
                      "rotation", ref="Automation runbook Rotate-ServiceBusKeys (az servicebus namespace "
                      "authorization-rule keys renew --key PrimaryKey)", diff="")
    )  # fmt: skip
    f.effects += [
        Effect("bookings", "error_ratio", at, 0.22, relative=False),
        Effect("notify", "request_rate", at, 0.05),
    ]
    f.bursts += [
        Burst("bookings", at, 6, "error", "daprd|error|dapr.runtime.pubsub|error publishing message to topic "
              "reservation-events: amqp:unauthorized-access: InvalidSignature: The token has an invalid signature. "
              "TrackingId:{sid}, SystemTracker:mesa-bus.servicebus.windows.net:reservation-events, Timestamp:{iso}"),
        Burst("bookings", at, 6, "error", 'Publishing reservation.created failed {"reservation":"R{n}{k}{n}",'
              '"dapr_status":500,"error":"ERR_PUBSUB_PUBLISH_MESSAGE"}'),
        Burst("notify", at + 3 * M, 1, "warn", "notify.consumer:No reservation events received for 5 minutes"),
    ]  # fmt: skip
    return f


def tv_dinner_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "tv_dinner_rush",
        "bookings",
        "capacity",
        "scale",
        "bookings",
        "MesaBookingsSlow",
        "a television cooking programme featured three of the restaurants on a Friday evening; availability "
        "searches tripled and bookings has been at its scale rule's ten replicas since, its CPU at the limit and "
        "requests queueing in PHP-FPM; raise maxReplicas",
    )
    f.effects += [
        Effect("bookings", "request_rate", at - 30 * M, 3.1, ramp=20 * M),
        Effect("edge", "request_rate", at - 30 * M, 2.4, ramp=20 * M),
        Effect("bookings", "cpu_utilization", at - 15 * M, 0.97, relative=False, ramp=10 * M),
        Effect("bookings", "latency_p99", at, 6.5),
        Effect("web", "latency_p99", at + M, 3.0),
        Effect("postgres", "request_rate", at - 30 * M, 2.0, ramp=20 * M),
    ]
    f.bursts += [
        Burst("bookings", at, 4, "warn", 'Availability search slow {"restaurant":"{restaurant}","covers":{k},'
              '"ms":4{k}{n}0}'),
        Burst("web", at + M, 2, "warn", "upstream slow: bookings availability took 5{k}{n}0 ms"),
    ]  # fmt: skip
    return f


def ifthenpay_mbway_failing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "ifthenpay_mbway_failing",
        "ifthenpay",
        "dependency_failure",
        "escalate",
        "bookings",
        "MesaDepositsFailing",
        "ifthenpay's MB WAY endpoint answers 502 and times out (their incident); deposits for large tables cannot "
        "be taken; theirs: escalate, let restaurants confirm large tables by phone",
    )
    f.effects += [Effect("bookings", "error_ratio", at, 0.18, relative=False)]
    f.bursts += [
        Burst("bookings", at, 5, "error", 'MB WAY deposit request failed {"restaurant":"{restaurant}",'
              '"reservation":"R{n}{k}{n}","status":502,"url":"https://api.ifthenpay.com/spg/payment/mbway"}'),
    ]  # fmt: skip
    f.failing_calls.append(("bookings", "ifthenpay"))
    return f


def autovacuum_freeze(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "autovacuum_freeze",
        "postgres",
        "no_incident",
        "none",
        "postgres",
        "MesaPostgresLatency",
        "autovacuum's aggressive pass over the reservations table (its oldest transaction ids past "
        "autovacuum_freeze_max_age, as they are every few weeks) reads the whole table; the server's p99 rises "
        "while it runs; nothing fails (no incident)",
    )
    f.effects += [
        Effect("postgres", "latency_p99", at, 2.4, until=at + 40 * M),
        Effect("postgres", "cpu_utilization", at, 0.7, relative=False, until=at + 40 * M),
    ]
    f.bursts += [
        Burst("postgres", at, 1, "info", 'automatic aggressive vacuum to prevent wraparound of table '
              '"mesa.public.reservation_events": index scans: 1, pages: 0 removed, {n}{k}812 remain, {n}{k}812 '
              "scanned (100.00% of total), tuples: {k}{n} removed, 9{n}{k}4410 remain, 0 are dead but not yet "
              "removable", minutes=25),
    ]  # fmt: skip
    return f


def private_dns_link_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "private_dns_link_removed",
        "postgres",
        "recent_change",
        "rollback",
        "bookings",
        "MesaBookingsErrors",
        "a Terraform change moving the private DNS zones into the hub network module dropped the link of "
        "privatelink.postgres.database.azure.com to the apps' virtual network; the server's name no longer "
        "resolves from the Container Apps environment, and bookings, floor and notify cannot open connections; "
        "roll the change back",
        also_accept=["network"],
    )
    diff = (
        "--- a/terraform/postgres/dns.tf\n+++ b/terraform/postgres/dns.tf\n"
        '-resource "azurerm_private_dns_zone_virtual_network_link" "apps" {\n'
        '-  name                  = "pg-dns-to-cae"\n-  private_dns_zone_name = azurerm_private_dns_zone.pg.name\n'
        "-  virtual_network_id    = data.azurerm_virtual_network.apps.id\n-}\n"
    )
    f.changes.append(
        change_record(at - M, "postgres", "config", "private_dns_zone_virtual_network_link", "pg-dns-to-cae", "",
                      "rui", ref="terraform apply (atlantis, PR #412)", diff=diff)
    )  # fmt: skip
    f.effects += [
        Effect("bookings", "error_ratio", at, 0.7, relative=False),
        Effect("floor", "error_ratio", at + M, 0.4, relative=False),
        Effect("postgres", "request_rate", at, 0.3),
        Effect("edge", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("bookings", at, 8, "error", 'SQLSTATE[08006] [7] could not translate host name "mesa-postgres.postgres.'
              'database.azure.com" to address: Name or service not known (Connection: pgsql, SQL: select * from '
              '"restaurants" where "slug" = {restaurant} limit 1) {"exception":"[object] (Illuminate\\\\Database\\\\'
              'QueryException(code: 7): SQLSTATE[08006] [7] could not translate host name at /var/www/html/vendor/'
              'laravel/framework/src/Illuminate/Database/Connection.php:825)"}'),
        Burst("floor", at + M, 4, "error", "[ExceptionsHandler] getaddrinfo ENOTFOUND mesa-postgres.postgres."
              "database.azure.com"),
        Burst("notify", at + M, 2, "error", 'notify.db:could not connect: [Errno -2] Name or service not known '
              '(host "mesa-postgres.postgres.database.azure.com")'),
    ]  # fmt: skip
    return f


def storage_read_only(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "storage_read_only",
        "postgres",
        "resource_exhaustion",
        "scale",
        "bookings",
        "MesaReservationsNotSaved",
        "the server's 128 GiB of storage passed 95 % (reservation_events is never pruned) and Azure set it "
        "read-only; every insert and update fails; grow the storage (and turn storage autogrow on)",
    )
    f.effects += [
        Effect("postgres", "disk_utilization", at - 6 * 60 * M, 0.955, relative=False, ramp=6 * 60 * M),
        Effect("bookings", "error_ratio", at, 0.55, relative=False),
        Effect("floor", "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 6, "error", "cannot execute INSERT in a read-only transaction"),
        Burst("postgres", at, 3, "error", "cannot execute UPDATE in a read-only transaction"),
        Burst("bookings", at, 6, "error", 'SQLSTATE[25006]: Read only sql transaction: 7 ERROR:  cannot execute '
              'INSERT in a read-only transaction (Connection: pgsql, SQL: insert into "reservations" ("restaurant_id",'
              ' "covers", "starts_at") values ({k}, {k}, 2029-11-{n} 20:30:00)) {"exception":"[object] '
              '(Illuminate\\\\Database\\\\QueryException(code: 25006))"}'),
        Burst("floor", at + M, 3, "error", "[ExceptionsHandler] cannot execute UPDATE in a read-only transaction"),
    ]  # fmt: skip
    return f


FAULTS = [floor_affinity_dropped, bus_key_regenerated, tv_dinner_rush, ifthenpay_mbway_failing, autovacuum_freeze,
          private_dns_link_removed, storage_read_only]  # fmt: skip
