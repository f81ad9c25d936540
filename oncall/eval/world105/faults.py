"""World 105's faults, from release, provider, capacity, certificate, broker, kernel-limit, billing and network
incidents at an electricity retailer on Kubernetes, in its engineers' words: billing's release raises Hangfire's
workers from 5 to 40 and they take every PostgreSQL connection, so accounts cannot open one (roll billing back); the
Electricity Authority's registry down (theirs: escalate); a cold snap's morning with accounts at its autoscaler's
maximum (more replicas); meters still presenting the distributor's client certificate it loaded at start, expired,
where cert-manager renewed the secret days ago (restart meters); a broker policy meant for the audit queues applied
to every queue, which then reject publishes at their length limit (roll it back); the portal out of inotify
instances, one leaked per tariff lookup (restart it); the monthly bill run (no incident); a NetworkPolicy that left
out meters' egress to the distributor (roll it back)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

MDR = "mdr.orion-network.example.nz"
NPGSQL_AT = "\n   at Npgsql.Internal.NpgsqlConnector.Open(NpgsqlTimeout timeout, Boolean async, CancellationToken ct)"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD records its syncs: the application, the revision, the Helm values' diff."""
    if not code:
        path = f"deploy/{svc}/values.yaml"
        code = f"--- a/{path}\n+++ b/{path}\n-  {key}: {old}\n+  {key}: {new}\n"
    ref = f"argocd app kowhai-{svc} sync revision {rng.getrandbits(160):040x}"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def billing_workers_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "billing_workers_raised",
        "billing",
        "recent_change",
        "rollback",
        "accounts",
        "KowhaiAccountsErrors",
        "billing's 3.15.0 raises Hangfire's worker count from 5 to 40 to finish the bill run sooner; each worker holds "
        "a PostgreSQL connection and together with their pools they reach max_connections, so accounts cannot open "
        "one; roll billing back (then give its workers a pool of their own)",
    )
    path = "deploy/billing/values.yaml"
    diff = (
        f"--- a/{path}\n+++ b/{path}\n-  tag: 3.14.2\n+  tag: 3.15.0\n env:\n"
        '-  HANGFIRE__WORKERCOUNT: "5"\n+  HANGFIRE__WORKERCOUNT: "40"\n'
    )
    f.changes.append(change(at - 2 * M, "billing", "deploy", "tag", "3.14.2", "3.15.0", rng, "argocd", diff))
    f.effects += [
        Effect("postgres", "pool_utilization", at, 1.0, relative=False),
        Effect("postgres", "cpu_utilization", at, 0.7, relative=False),
        Effect("billing", "request_rate", at - M, 6.0),
        Effect("billing", "cpu_utilization", at - M, 0.8, relative=False),
        Effect("accounts", "error_ratio", at, 0.35, relative=False),
        Effect("accounts", "latency_p99", at, 4.0),
        Effect("switching", "error_ratio", at + M, 0.2, relative=False),
        Effect("portal", "error_ratio", at + M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("billing", at - 2 * M, 1, "info", "Hangfire.BackgroundJobServer|Using the following options for "
              "Hangfire Server:\n    Worker count: {WorkerCount}\n    Listening queues: {Queues}~WorkerCount=40"
              "~Queues=\"'bills', 'default'\"", minutes=1),
        Burst("accounts", at, 6, "error", "Microsoft.EntityFrameworkCore.Database.Connection|An error occurred using "
              "the connection to database '{database}' on server '{server}'.~database=\"kowhai\""
              "~server=\"tcp://postgres.kowhai.svc:5432\"~@x=Npgsql.PostgresException (0x80004005): 53300: sorry, "
              f"too many clients already{NPGSQL_AT}"),
        Burst("postgres", at, 6, "error", "FATAL:  sorry, too many clients already"),
        Burst("switching", at + M, 2, "error", "Microsoft.EntityFrameworkCore.Database.Connection|An error occurred "
              "using the connection to database '{database}' on server '{server}'.~database=\"kowhai\""
              "~server=\"tcp://postgres.kowhai.svc:5432\"~@x=Npgsql.PostgresException (0x80004005): 53300: sorry, "
              f"too many clients already{NPGSQL_AT}"),
    ]  # fmt: skip
    return f


def registry_api_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "registry_api_down",
        "registry",
        "dependency_failure",
        "escalate",
        "switching",
        "KowhaiSwitchingFailures",
        "the Electricity Authority's registry answers 503 to every switch request (their outage); switching's "
        "requests fail after their retries and customers who join cannot be switched in; theirs: escalate to the "
        "registry's service desk and hold the switch queue",
    )
    f.effects += [Effect("switching", "error_ratio", at, 0.85, relative=False)]
    f.bursts += [
        Burst("switching", at, 5, "error", "Kowhai.Switching.Registry.RegistryClient|Registry call {Operation} "
              "failed with {StatusCode} after {Attempts} attempts~Operation=\"CreateSwitchRequest\"~StatusCode=503"
              "~Attempts=3~@x=System.Net.Http.HttpRequestException: Response status code does not indicate success: "
              "503 (Service Unavailable).\n   at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()\n   at "
              "Kowhai.Switching.Registry.RegistryClient.CreateSwitchRequestAsync(SwitchRequest request)"),
        Burst("portal", at + M, 2, "warn", "Kowhai.Portal.Join.JoinFlow|Switch request for ICP {Icp} queued for "
              "retry: {Reason}~Icp=\"000{n}{k}{n}7CA{k}3D\"~Reason=\"switching answered 502\""),
    ]  # fmt: skip
    f.failing_calls.append(("switching", "registry"))
    return f


def winter_morning_peak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "winter_morning_peak",
        "accounts",
        "capacity",
        "scale",
        "portal",
        "KowhaiPortalSlow",
        "the first frost of the winter: prices spike at the 7:30 peak and a push notification sends half the "
        "customers to their usage page at once; accounts has been at its autoscaler's maximum of 8 replicas for "
        "twenty minutes, CPU pinned; raise the maximum",
    )
    f.effects += [
        Effect("portal", "request_rate", at - 25 * M, 2.6, ramp=15 * M),
        Effect("accounts", "request_rate", at - 25 * M, 2.6, ramp=15 * M),
        Effect("accounts", "cpu_utilization", at - 5 * M, 0.97, relative=False, ramp=5 * M),
        Effect("accounts", "latency_p99", at, 8.0),
        Effect("portal", "latency_p99", at, 6.0),
        Effect("portal", "error_ratio", at + M, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("portal", at, 4, "warn", "Kowhai.Portal.Api.AccountsClient|GET {Path} took {ElapsedMilliseconds}ms, "
              "over its {Budget}ms budget~Path=\"/v1/accounts/{n}{k}{n}/usage\"~ElapsedMilliseconds=8{n}{k}0"
              "~Budget=2000"),
        Burst("accounts", at - 20 * M, 6, "info", "Microsoft.AspNetCore.Hosting.Diagnostics|Request finished "
              "{Protocol} {Method} {Path} - {StatusCode} in {ElapsedMilliseconds}ms~Protocol=HTTP/1.1~Method=GET"
              "~Path=/v1/accounts/{n}{k}{n}/usage~StatusCode=200~ElapsedMilliseconds={k}{n}{k}.{n}"),
    ]  # fmt: skip
    return f


def meters_client_cert_not_reloaded(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "meters_client_cert_not_reloaded",
        "meters",
        "expired_credential",
        "restart",
        "meters",
        "KowhaiMeterUploadsFailing",
        "the distributor's meter-data API asks for a client certificate; cert-manager renewed meters' secret three "
        "days ago, but meters read the certificate once at start and still presents the old one, which expired this "
        "morning; restart meters so it loads the renewed one (then have it reload on change)",
    )
    renewed = (
        "--- a/Certificate/kowhai/meters-mdr-client\n+++ b/Certificate/kowhai/meters-mdr-client\n"
        "-  notAfter: 2029-06-14T03:12:00Z\n+  notAfter: 2029-09-10T03:12:00Z\n"
        "   renewalTime: reached; cert-manager issued revision 7 into Secret meters-mdr-client-tls\n"
    )
    f.changes.append(change(at - 3 * 1440 * M, "meters", "config", "certificate_revision", "6", "7", rng,
                            "cert-manager", renewed))  # fmt: skip
    tls = f'Post "https://{MDR}/v2/reads": remote error: tls: expired certificate'
    f.effects += [
        Effect("meters", "error_ratio", at, 0.9, relative=False),
        Effect("meters", "request_rate", at, 0.4),
    ]
    f.bursts += [
        Burst("meters", at, 6, "error", f"mdr upload failed~distributor=orion~err={tls}~attempt=3"),
    ]
    f.failing_calls.append(("meters", "mdr"))
    return f


def broker_policy_too_wide(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "broker_policy_too_wide",
        "rabbitmq",
        "recent_change",
        "rollback",
        "billing",
        "KowhaiBillingJobsFailing",
        "the platform team's RabbitMQ policy capping the audit queues at 10,000 messages with reject-publish was "
        "applied with the pattern '.*', every queue; billing's bills queue and meters' reads queue are longer than "
        "that in the morning and the broker rejects their publishes; roll the policy back",
    )
    diff = (
        "--- a/platform/rabbitmq/policies.yaml\n+++ b/platform/rabbitmq/policies.yaml\n"
        " kind: Policy\n metadata:\n   name: queue-length-limit\n spec:\n"
        '-  pattern: "^audit\\\\."\n+  pattern: ".*"\n   definition:\n     max-length: 10000\n'
        "     overflow: reject-publish\n"
    )
    f.changes.append(change(at - 2 * M, "rabbitmq", "config", "policy_pattern", "^audit\\.", ".*", rng, "argocd",
                            diff))  # fmt: skip
    f.effects += [
        Effect("billing", "error_ratio", at, 0.55, relative=False),
        Effect("meters", "error_ratio", at, 0.3, relative=False),
        Effect("rabbitmq", "request_rate", at, 0.5),
    ]
    f.bursts += [
        Burst("rabbitmq", at - 2 * M, 1, "info", "Setting policy \"queue-length-limit\" for pattern \".*\" to "
              "\"{\\\"max-length\\\":10000,\\\"overflow\\\":\\\"reject-publish\\\"}\" with priority \"0\" for vhost "
              "\"/\" by user \"messaging-topology-operator\"", minutes=1),
        Burst("billing", at, 5, "error", "Kowhai.Billing.Messaging.Publisher|Publish of {MessageType} to "
              "{RoutingKey} was not confirmed~MessageType=\"BillIssued\"~RoutingKey=\"bills.issue\""
              "~@x=RabbitMQ.Client.Exceptions.PublishException: Message was nacked by the broker (delivery tag "
              "48{n}{k})\n   at Kowhai.Billing.Messaging.Publisher.PublishAsync[T](T message)"),
        Burst("meters", at, 3, "error", "publish reads failed~queue=reads.half_hour~err=publish nacked by broker"
              "~batch=4{n}{k}"),
    ]  # fmt: skip
    return f


def portal_inotify_exhausted(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "portal_inotify_exhausted",
        "portal",
        "resource_exhaustion",
        "restart",
        "portal",
        "KowhaiPortalErrors",
        "the portal builds a configuration with reloadOnChange for each tariff lookup, each one a file watcher that "
        "is never disposed; after nine days up it holds the 128 inotify instances the node allows a user and every "
        "new one fails; restart the portal (then build the configuration once)",
    )
    trace = (
        "System.IO.IOException: The configured user limit (128) on the number of inotify instances has been reached, "
        "or the per-process limit on the number of open file descriptors has been reached.\n   at "
        "System.IO.FileSystemWatcher.StartRaisingEvents()\n   at Microsoft.Extensions.FileProviders.Physical."
        "PhysicalFilesWatcher.TryEnableFileSystemWatcher()\n   at Microsoft.Extensions.Configuration."
        "FileConfigurationProvider..ctor(FileConfigurationSource source)\n   at Kowhai.Portal.Tariffs."
        "TariffOptionsFactory.Create(String region)"
    )
    f.effects += [Effect("portal", "error_ratio", at, 0.6, relative=False)]
    f.bursts += [
        Burst("portal", at, 6, "error", "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware|An unhandled "
              f"exception has occurred while executing the request.~@x={trace}"),
    ]  # fmt: skip
    return f


def monthly_bill_run(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "monthly_bill_run",
        "billing",
        "no_incident",
        "none",
        "billing",
        "KowhaiBillingSlow",
        "the monthly bill run: billing works through 60,000 accounts' half-hours and its jobs' p99 rises with "
        "PostgreSQL's load for an hour, as every month; nothing fails (no incident)",
    )
    f.effects += [
        Effect("billing", "latency_p99", at, 3.0, until=at + 50 * M),
        Effect("billing", "cpu_utilization", at, 0.85, relative=False, until=at + 50 * M),
        Effect("billing", "request_rate", at, 4.0, until=at + 50 * M),
        Effect("postgres", "cpu_utilization", at, 0.6, relative=False, until=at + 50 * M),
        Effect("postgres", "latency_p99", at, 1.5, until=at + 50 * M),
    ]
    f.bursts += [
        Burst("billing", at, 2, "info", "Kowhai.Billing.Jobs.BillRun|Bill run {Run}: {Done} of {Total} accounts "
              "billed~Run=\"2029-06\"~Done=1{n}{k}00~Total=60214", minutes=30),
    ]  # fmt: skip
    return f


def meters_egress_policy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "meters_egress_policy",
        "meters",
        "recent_change",
        "rollback",
        "meters",
        "KowhaiMeterReadsStale",
        "the platform team's default-deny egress for the namespace came with an allow-list of the cluster's own "
        "services and left out meters' egress to the distributor's API; every poll times out; roll the policy back",
        also_accept=["network", "permission_denied"],  # as world 12's egress policy
    )
    diff = (
        "--- a/platform/kowhai/networkpolicies.yaml\n+++ b/platform/kowhai/networkpolicies.yaml\n"
        " kind: NetworkPolicy\n metadata:\n   name: default-egress\n spec:\n   podSelector: {}\n"
        "   policyTypes: [Egress]\n   egress:\n-  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n"
        "+  - to: [{namespaceSelector: {}}]\n"
    )
    f.changes.append(change(at - M, "meters", "config", "egress", "0.0.0.0/0", "cluster", rng, "argocd", diff))
    timeout = f'Get "https://{MDR}/v2/reads?since=30m": dial tcp 203.0.113.40:443: i/o timeout'
    f.effects += [
        Effect("meters", "error_ratio", at, 0.9, relative=False),
        Effect("meters", "request_rate", at, 0.3),
        Effect("meters", "latency_p99", at, 20.0),
    ]
    f.bursts += [
        Burst("meters", at, 5, "error", f"mdr poll failed~distributor=orion~err={timeout}"),
    ]
    f.failing_calls.append(("meters", "mdr"))
    return f


FAULTS = [billing_workers_raised, registry_api_down, winter_morning_peak, meters_client_cert_not_reloaded,
          broker_policy_too_wide, portal_inotify_exhausted, monthly_bill_run, meters_egress_policy]  # fmt: skip
