"""World 70's faults, from Npgsql, Stripe, RabbitMQ, KEDA, Blazor, SFTP and Kubernetes incidents, in this estate's
words: the records API's connection string, rotated with the database password, carrying Maximum Pool Size=10
where it had 100 (put the old setting back); the billing worker's release retrying failed charges every five
seconds without backoff until Stripe rate-limits the whole account, the bookings API's deposits too (roll the
worker back); the reminders consumer's KEDA ScaledObject pointed at a queue that does not exist, scaling it to
zero while its queue fills RabbitMQ's disk until the broker blocks every publisher (roll back); the portal's
release keeping every closed circuit's state in a static dictionary until its pods are OOM-killed (roll back);
the partner laboratory's SFTP host key changing under lab-sync (confirm it with them); a vaccination reminder
campaign's morning rush on the bookings API (scale); and the gateway's rolling restart after cert-manager renewed
its certificate, a few 502s that are over (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the GitLab pipeline that applies the platform's Helm releases records it."""
    path = f"deploy/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"gitlab pipeline vetcare/platform#{rng.randint(40000, 49999)}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -14 +14 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


POOL = (
    "Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted, either raise 'Max Pool Size' "
    "(currently 10) or 'Timeout' (currently 15 seconds) in your connection string.\n"
    " ---> System.TimeoutException: The operation has timed out.\n"
    "   at Npgsql.PoolingDataSource.<Get>g__RentAsync|34_0(NpgsqlConnection conn, NpgsqlTimeout timeout, "
    "Boolean async, CancellationToken cancellationToken)"
)


def pool_cut_in_rotation(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "pool_cut_in_rotation",
        "records-api",
        "recent_change",
        "rollback",
        "portal",
        "PortalErrors",
        "the database password's rotation rewrote records-api's connection string from a template carrying "
        "Maximum Pool Size=10 (it was 100); at the morning's consultations the pool runs dry and requests wait 15 s "
        "then fail; put the pool size back",
    )
    f.changes.append(change(at - 2 * M, "records-api", "secret", "ConnectionStrings__Records", "Host=pg.vetcare;"
                            "Maximum Pool Size=100", "Host=pg.vetcare;Maximum Pool Size=10", rng,
                            "vault-rotation"))  # fmt: skip
    f.effects += [
        Effect("records-api", "latency_p99", at, 30.0),
        Effect("records-api", "error_ratio", at, 0.4, relative=False),
        Effect("portal", "error_ratio", at + 1 * M, 0.25, relative=False),
        Effect("gateway", "error_ratio", at + 1 * M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("records-api", at, 14, "error", "An unhandled exception has occurred while executing the request."
              f"||RequestPath=/api/records##{POOL}"),
        Burst("portal", at + 1 * M, 10, "error", "Unhandled exception in circuit {hex}: records-api answered 500"
              "##System.Net.Http.HttpRequestException: Response status code does not indicate success: 500 (Internal "
              "Server Error)."),
    ]  # fmt: skip
    return f


RETRY_DIFF = (
    "--- a/src/Billing/Jobs/ChargeInvoice.cs\n+++ b/src/Billing/Jobs/ChargeInvoice.cs\n@@ -18,2 +18,2 @@\n"
    "-    [AutomaticRetry(Attempts = 5, DelaysInSeconds = new[] { 60, 300, 900, 3600, 14400 })]\n"
    "+    [AutomaticRetry(Attempts = 100, DelaysInSeconds = new[] { 5 })]\n"
)
RATE_LIMITED = (
    "Stripe.StripeException: Request rate limit exceeded. You can learn more about rate limits here "
    "https://stripe.com/docs/rate-limits."
)


def charge_retry_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "charge_retry_storm",
        "billing-worker",
        "recent_change",
        "rollback",
        "bookings-api",
        "DepositsFailing",
        "billing-worker 4.2.0 retries a failed charge every 5 s up to 100 times; the month's failed cards, retried "
        "together, took the account past Stripe's rate limit, and the bookings API's deposits are refused with "
        "429 too; roll the billing worker back",
    )
    f.changes.append(change(at - 3 * M, "billing-worker", "deploy", "image.tag", "4.1.7", "4.2.0", rng, "gitlab-ci",
                            code=RETRY_DIFF))  # fmt: skip
    f.effects += [
        Effect("bookings-api", "error_ratio", at, 0.3, relative=False),
        Effect("gateway", "error_ratio", at + 1 * M, 0.1, relative=False),
        Effect("billing-worker", "cpu_utilization", at - 3 * M, 0.6, relative=False),
    ]
    f.bursts += [
        Burst("billing-worker", at - 3 * M, 60, "warn", "Job {n}{k}412 'ChargeInvoice' failed, retrying in 5 s "
              "(attempt {k} of 100)##Stripe.StripeException: Your card was declined."),
        Burst("billing-worker", at, 20, "warn", "Job {n}{k}412 'ChargeInvoice' failed, retrying in 5 s "
              f"(attempt {{k}} of 100)##{RATE_LIMITED}"),
        Burst("bookings-api", at, 12, "error", "Deposit for booking B-{hex} failed||StatusCode=429"
              f"##{RATE_LIMITED}"),
    ]  # fmt: skip
    f.failing_calls.append(("bookings-api", "stripe"))
    return f


def consumer_scaled_to_zero(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    since = t - timedelta(hours=3, minutes=rng.randint(0, 40))
    f = Fault(
        "consumer_scaled_to_zero",
        "reminders",
        "recent_change",
        "rollback",
        "bookings-api",
        "BookingsSlow",
        "the reminders ScaledObject was changed to scale on queue reminders.sms.v2, which does not exist; KEDA saw "
        "no messages and scaled reminders to zero; reminders.sms filled RabbitMQ's disk for three hours until the "
        "disk alarm blocked every publisher, the bookings API among them; roll the ScaledObject back",
    )
    f.changes.append(change(since, "reminders", "config", "keda.triggers[0].metadata.queueName", "reminders.sms",
                            "reminders.sms.v2", rng, "gitlab-ci"))  # fmt: skip
    f.effects += [
        Effect("reminders", "request_rate", since + 2 * M, 0.0, relative=False),
        Effect("rabbitmq", "disk_utilization", since, 0.97, relative=False, ramp=at - since),
        Effect("bookings-api", "latency_p99", at, 20.0),
        Effect("bookings-api", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("rabbitmq", at, 1, "warn", "disk resource limit alarm set on node rabbit@rabbitmq-0.\n\n"
              "**********************************************************\n*** Publishers will be blocked until "
              "this alarm clears ***\n**********************************************************"),
        Burst("bookings-api", at, 10, "warn", "RabbitMQ connection blocked: low on disk; publishing reminder for "
              "booking B-{hex} waits"),
        Burst("bookings-api", at + 1 * M, 8, "error", "Booking B-{hex} failed: publishing to reminders.sms timed out "
              "after 15000 ms##RabbitMQ.Client.Exceptions.AlreadyClosedException: Already closed: The AMQP operation "
              "was interrupted"),
    ]  # fmt: skip
    return f


CIRCUIT_DIFF = (
    "--- a/src/Portal/Circuits/AgendaState.cs\n+++ b/src/Portal/Circuits/AgendaState.cs\n@@ -7,2 +7,3 @@\n"
    " public sealed class AgendaState\n {\n"
    "+    public static readonly ConcurrentDictionary<string, AgendaState> ByCircuit = new();\n"
)


def circuit_state_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    deploy = t - timedelta(hours=5, minutes=rng.randint(0, 40))
    f = Fault(
        "circuit_state_leak",
        "portal",
        "recent_change",
        "rollback",
        "portal",
        "PortalRestarting",
        "portal 8.3.0 keeps each circuit's agenda in a static dictionary never cleared; every closed tab's state "
        "stays; memory climbed since the release until the pods are OOM-killed one after another; roll back (a "
        "restart only buys hours)",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(deploy, "portal", "deploy", "image.tag", "8.2.5", "8.3.0", rng, "gitlab-ci",
                            code=CIRCUIT_DIFF))  # fmt: skip
    f.effects += [
        Effect("portal", "memory_utilization", deploy, 0.99, relative=False, ramp=at - deploy),
        Effect("portal", "restarts", at, 2.0, relative=False),
        Effect("portal", "error_ratio", at, 0.2, relative=False),
        Effect("gateway", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("portal", at, 3, "warn", "Circuit {hex} disconnected: the connection was closed by the server"),
        Burst("gateway", at, 6, "error", "HTTP GET /portail/agenda responded 502 in 1.{n}12 ms"),
    ]  # fmt: skip
    f.events.append(KEvent("portal", "BackOff", "Back-off restarting failed container portal in pod portal", at,
                           terminated="OOMKilled"))  # fmt: skip
    return f


def lab_host_key_changed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "lab_host_key_changed",
        "labopartner",
        "dependency_failure",
        "escalate",
        "lab-sync",
        "LabResultsStale",
        "the partner laboratory moved its SFTP server and its host key changed; lab-sync refuses the new key, as "
        "it should, and no result has arrived since; confirm the new key with the laboratory before trusting it",
    )
    f.bursts += [
        Burst("lab-sync", at, 2, "error", "fetching results from labopartner failed||Host=sftp.labopartner.fr"
              "##paramiko.ssh_exception.BadHostKeyException: Host key for server 'sftp.labopartner.fr' does not "
              "match: got 'AAAAC3NzaC1lZDI1NTE5AAAAIH9x', expected 'AAAAC3NzaC1lZDI1NTE5AAAAIK2q'"),
        Burst("lab-sync", at + 1 * M, 1, "warn", "no result imported for 1{k} minutes"),
    ]  # fmt: skip
    f.failing_calls.append(("lab-sync", "labopartner"))
    return f


def campaign_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "campaign_rush",
        "bookings-api",
        "capacity",
        "scale",
        "bookings-api",
        "BookingsSlow",
        "the clinics' rabies-vaccination reminder campaign went out at nine and owners book at five times a normal "
        "morning; the bookings API's pods sit at their CPU limit and requests queue; scale it out (nothing changed)",
    )
    f.effects += [
        Effect("bookings-api", "request_rate", at - 2 * M, 5.0),
        Effect("gateway", "request_rate", at - 2 * M, 2.5),
        Effect("bookings-api", "cpu_utilization", at - 1 * M, 0.98, relative=False),
        Effect("bookings-api", "latency_p99", at, 8.0),
        Effect("bookings-api", "error_ratio", at + 1 * M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("bookings-api", at, 8, "warn", "Request queue length 2{n} exceeds 200; thread pool starvation "
              "suspected"),
        Burst("gateway", at + 1 * M, 6, "error", "HTTP POST /api/bookings responded 504 in 30{n}1.4412 ms"),
    ]  # fmt: skip
    return f


def gateway_rolling_restart(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(22, 30) * M
    f = Fault(
        "gateway_rolling_restart",
        "gateway",
        "no_incident",
        "none",
        "gateway",
        "GatewayErrors",
        "cert-manager renewed the gateway's certificate and reloader rolled its pods; for a minute a few requests "
        "met a closing pod and got 502; it is over; no incident",
    )
    f.changes.append(change(at - 1 * M, "gateway", "certificate", "tls.secretName", "gateway-tls (2026-09)",
                            "gateway-tls (2026-12)", rng, "cert-manager"))  # fmt: skip
    f.effects += [Effect("gateway", "error_ratio", at, 0.03, relative=False, ramp=timedelta(0), until=at + 2 * M)]
    f.bursts += [
        Burst("gateway", at, 6, "error", "HTTP GET /portail/agenda responded 502 in 0.{n}41 ms", minutes=2),
        Burst("gateway", at, 2, "info", "Application is shutting down...", minutes=2),
    ]  # fmt: skip
    return f


FAULTS = [pool_cut_in_rotation, charge_retry_storm, consumer_scaled_to_zero, circuit_state_leak, lab_host_key_changed,
          campaign_rush, gateway_rolling_restart]  # fmt: skip
