"""World 98's faults, from release, provider, credential, storage, load and campaign incidents at an e-book store,
in its engineers' words: an application upgrade cut orders' GoPay timeout to three seconds and GoPay takes four to
create a payment (roll back); GoPay itself down (theirs: escalate); licensing's client certificate for Entra ID
expired and it can no longer reach Key Vault to sign licences (a new certificate); the Pulsar bookies' disks past
BookKeeper's threshold, so no ledger can be written and orders cannot publish (more disk); a flash sale starving
the storefront's thread pool (more nodes); and the newsletter's evening (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

PARAMETERS = "Ctecka/ApplicationParameters/Cloud.xml"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Azure DevOps release records it: the application upgrade it started."""
    if not code:
        code = (
            f"Start-ServiceFabricApplicationUpgrade -ApplicationName fabric:/Ctecka -ApplicationTypeVersion {new} "
            f"-Monitored -FailureAction Rollback  # {svc}: {old} -> {new}\n"
        )
    return change_record(at, svc, kind, key, old, new, who, ref=f"release Release-{rng.randint(400, 999)}", diff=code)


def gopay_timeout_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "gopay_timeout_cut",
        "orders",
        "recent_change",
        "rollback",
        "orders",
        "CheckoutErrorsHigh",
        "an application upgrade meant to shorten the catalog's timeouts also set orders' GoPay timeout from 30 s "
        "to 3 s; GoPay takes four to six seconds to create a payment, so every checkout is cancelled by orders "
        "itself; roll the application back",
    )
    diff = (
        f"--- a/{PARAMETERS}\n+++ b/{PARAMETERS}\n"
        '-    <Parameter Name="Orders_GoPayTimeoutSeconds" Value="30" />\n'
        '+    <Parameter Name="Orders_GoPayTimeoutSeconds" Value="3" />\n'
        '     <Parameter Name="Catalog_CassandraTimeoutSeconds" Value="2" />\n'
    )
    f.changes.append(change(at - 3 * M, "orders", "config", "Orders_GoPayTimeoutSeconds", "30", "3", rng,
                            "Azure DevOps (petra.novakova)", diff))  # fmt: skip
    f.effects += [
        Effect("orders", "error_ratio", at, 0.7, relative=False),
        Effect("orders", "latency_p99", at, 8.0),
        Effect("storefront", "error_ratio", at + M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("orders", at, 8, "error", "Ctecka.Orders.Payments.GoPayClient|Payment creation failed for order "
              "{k}{n}{k}{n}: System.Threading.Tasks.TaskCanceledException: The request was canceled due to the "
              "configured HttpClient.Timeout of 3 seconds elapsing. ---> System.TimeoutException: A task was "
              "canceled."),
        Burst("orders", at, 8, "info", "Microsoft.AspNetCore.Hosting.Diagnostics|Request finished HTTP/1.1 POST "
              "https://orders.ctecka.internal/api/checkout - 500 null application/problem+json 30{n}{k}.{k}ms"),
        Burst("storefront", at + M, 3, "error", "Ctecka.Storefront.Api|Checkout failed: orders answered 500 "
              "(Internal Server Error)"),
    ]  # fmt: skip
    f.failing_calls.append(("orders", "gopay"))
    return f


def gopay_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "gopay_outage",
        "gopay",
        "dependency_failure",
        "escalate",
        "orders",
        "CheckoutErrorsHigh",
        "GoPay's payment gateway answers 503 to every payment creation (their incident); checkouts fail; GoPay's: "
        "escalate, and show card payments as unavailable",
    )
    f.effects += [
        Effect("orders", "error_ratio", at, 0.6, relative=False),
        Effect("storefront", "error_ratio", at + M, 0.07, relative=False),
    ]
    f.bursts += [
        Burst("orders", at, 7, "error", "Ctecka.Orders.Payments.GoPayClient|Payment creation failed for order "
              "{k}{n}{k}{n}: System.Net.Http.HttpRequestException: Response status code does not indicate success: "
              "503 (Service Unavailable)."),
        Burst("storefront", at + M, 3, "error", "Ctecka.Storefront.Api|Checkout failed: orders answered 500 "
              "(Internal Server Error)"),
    ]  # fmt: skip
    f.failing_calls.append(("orders", "gopay"))
    return f


def licensing_certificate_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "licensing_certificate_expired",
        "licensing",
        "expired_credential",
        "config_change",
        "licensing",
        "LicencesNotIssued",
        "the client certificate licensing signs in to Entra ID with (to reach Key Vault's signing key) expired at "
        "midnight; no token, so no licence is signed and bought books cannot be opened; upload a new certificate "
        "to the app registration and deploy it to the nodes",
    )
    f.effects += [
        Effect("licensing", "error_ratio", at, 0.9, relative=False),
        Effect("storefront", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("licensing", at, 5, "error", "Ctecka.Licensing.KeyVaultSigner|Licence signing failed for book {k}{n}{k}:"
              " Azure.Identity.AuthenticationFailedException: ClientCertificateCredential authentication failed: "
              "AADSTS700027: The certificate with identifier used to sign the client assertion is expired on "
              "application. [Reason - The key used is expired., Thumbprint of key used by client: "
              "'3F2A9C41D0B7E65A18C2F03D94E7B1A6C5D8E240']"),
        Burst("storefront", at + M, 3, "warn", "Ctecka.Storefront.Api|Licence for book {k}{n}{k} not issued: "
              "licensing answered 500 (Internal Server Error)"),
    ]  # fmt: skip
    f.failing_calls.append(("licensing", "entra"))
    return f


def bookie_disk_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "bookie_disk_full",
        "pulsar",
        "resource_exhaustion",
        "scale",
        "orders",
        "CheckoutErrorsHigh",
        "the bookies' ledger disks passed BookKeeper's 95 % threshold (retention was raised for the audit topic and "
        "no one grew the disks); every bookie turned read-only, no new ledger can be written and orders cannot "
        "publish order-paid, so checkouts fail; grow the bookies' disks",
    )
    f.effects += [
        Effect("pulsar", "disk_utilization", t - 240 * M, 0.96, relative=False, ramp=230 * M),
        Effect("orders", "error_ratio", at, 0.45, relative=False),
        Effect("storefront", "error_ratio", at + M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("pulsar", at - M, 2, "error", "bookie|[LedgerDirsMonitorThread] ERROR org.apache.bookkeeper.util."
              "DiskChecker - Space left on device /data/bookkeeper/ledgers : {n}{k}4435072, Used space fraction: "
              "0.96{k} > threshold 0.95."),
        Burst("pulsar", at, 5, "warn", "[pulsar-ordered-OrderedExecutor-{k}-0] WARN  org.apache.bookkeeper.mledger."
              "impl.ManagedLedgerImpl - [ctecka/shop/persistent/order-paid] Error creating ledger rc=-6 Not enough "
              "non-faulty bookies available"),
        Burst("orders", at, 6, "error", "Ctecka.Orders.Events|Publishing order-paid for order {k}{n}{k}{n} failed: "
              "DotPulsar.Exceptions.PersistenceException: Not enough non-faulty bookies available"),
        Burst("storefront", at + M, 2, "error", "Ctecka.Storefront.Api|Checkout failed: orders answered 500 "
              "(Internal Server Error)"),
    ]  # fmt: skip
    return f


def flash_sale_starvation(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "flash_sale_starvation",
        "storefront",
        "capacity",
        "scale",
        "storefront",
        "StorefrontLatencyHigh",
        "the publisher's 24-hour sale went out on national radio: six times the usual readers; the storefront's "
        "three nodes run out of thread-pool threads and every request queues; add nodes to the storefront's node "
        "type (and instances)",
    )
    f.effects += [
        Effect("storefront", "request_rate", at - 2 * M, 6.0),
        Effect("storefront", "cpu_utilization", at, 0.97, relative=False),
        Effect("storefront", "pool_utilization", at, 0.98, relative=False),
        Effect("storefront", "latency_p99", at, 12.0),
        Effect("storefront", "error_ratio", at + M, 0.06, relative=False),
        Effect("catalog", "request_rate", at - 2 * M, 4.0),
    ]
    f.bursts += [
        Burst("storefront", at, 4, "warn", "Microsoft.AspNetCore.Server.Kestrel|Heartbeat took longer than "
              "\"00:00:01\". This could be caused by thread pool starvation."),
        Burst("storefront", at, 20, "info", "Microsoft.AspNetCore.Hosting.Diagnostics|Request finished HTTP/1.1 GET "
              "https://storefront.ctecka.internal/api/sale - 200 {n}{k}12 application/json {k}{n}41.{k}ms"),
    ]  # fmt: skip
    return f


def newsletter_evening(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "newsletter_evening",
        "storefront",
        "no_incident",
        "none",
        "storefront",
        "StorefrontLatencyHigh",
        "the Thursday newsletter went to 400,000 readers at 19:00: the storefront's requests rose two and a half "
        "times and its latency crossed the alert for ten minutes, then settled; nothing failed (no incident)",
    )
    f.effects += [
        Effect("storefront", "request_rate", at, 2.5),
        Effect("catalog", "request_rate", at, 2.4),
        Effect("storefront", "latency_p99", at, 2.2, until=at + 10 * M),
        Effect("storefront", "cpu_utilization", at, 0.7, relative=False, until=at + 10 * M),
    ]
    f.bursts += [
        Burst("storefront", at, 25, "info", "Ctecka.Storefront.Api|Newsletter landing served to reader {h8} in {n}{k} "
              "ms"),
    ]  # fmt: skip
    return f


FAULTS = [gopay_timeout_cut, gopay_outage, licensing_certificate_expired, bookie_disk_full, flash_sale_starvation,
          newsletter_evening]  # fmt: skip
