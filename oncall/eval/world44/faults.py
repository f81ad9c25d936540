"""World 44's faults, from library-lending and Azure Container Apps users' postmortems, in this estate's
words: a Bicep change taking the holds state store's Cosmos DB from autoscale to a tenth of its throughput
(the change is on the store, its users break: Cosmos answers 429 and Dapr passes it on); a loans release
whose migration builds an index offline, locking the loans table so every checkout times out; catalog's
scale rule cut to two replicas before the morning peak; an access review removing loans' managed identity's
right to send to Service Bus; the content distributor's API failing; a celebrity's book-club pick bringing
real load to holds; and a routine revision of notify replacing its replicas (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.world44.estates import GROUP
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"infra/apps/{svc}.bicep"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"deployment-{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -21 +21 @@\n-    {key}: {old}\n+    {key}: {new}\n",
    }


def holds_store_throughput_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "holds_store_throughput_cut",
        "holds-store",
        "recent_change",
        "rollback",
        "holds",
        "HoldsFailedRequests",
        "a cost-saving Bicep change moved the holds state store's Cosmos DB container from autoscale (4000 RU/s "
        "at most) to 400 RU/s manual; at the lunchtime peak Cosmos answers 429 and every hold fails",
    )
    f.changes.append(change(at - 6 * M, "holds-store", "infrastructure", "throughput",
                            "{ autoscaleSettings: { maxThroughput: 4000 } }", "{ throughput: 400 }", rng,
                            "platform-pipeline"))  # fmt: skip
    f.effects += [
        Effect("holds-store", "error_ratio", at, 0.55, relative=False),
        Effect("holds", "error_ratio", at, 0.45, relative=False),
        Effect("holds", "latency_p99", at, 6.0),
        Effect("gateway", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("holds", at, 20, "error", 'DAPR error saving state: failed to upsert document holds||55012-88213: '
              "PUT https://cosmos-leafline-prod.documents.azure.com:443/dbs/leafline/colls/holds/docs "
              "-------------------------------------------------------------------------------- RESPONSE 429: 429 "
              "Too Many Requests ERROR CODE: 429 Request rate is large. More Request Units may be needed, so no "
              "changes were made. Please retry this request later."),
        Burst("holds", at, 20, "error", "ERROR:holds.api:placing hold failed: state store holds-store returned "
              "500 ERR_STATE_SAVE"),
        Burst("holds", at, 20, "error", 'INFO:     10.0.1.7:43512 - "POST /holds HTTP/1.1" 500 Internal Server Error'),
    ]  # fmt: skip
    return f


def loans_migration_lock(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "loans_migration_lock",
        "loans",
        "recent_change",
        "rollback",
        "gateway",
        "GatewayResponseTimeHigh",
        "a loans release's Entity Framework migration builds an index on the loans table without ONLINE = ON; the "
        "table is locked while it builds and every checkout waits out its 30 s command timeout",
    )
    f.changes.append(change(at - 3 * M, "loans", "deploy", "image", "leaflineacr.azurecr.io/loans:2.31.0",
                            "leaflineacr.azurecr.io/loans:2.32.0", rng, "github-actions"))  # fmt: skip
    f.effects += [
        Effect("loans", "latency_p99", at, 40.0),
        Effect("loans", "error_ratio", at + 1 * M, 0.35, relative=False),
        Effect("gateway", "latency_p99", at, 9.0),
        Effect("gateway", "error_ratio", at + 1 * M, 0.1, relative=False),
        Effect("loans-db", "cpu_utilization", at - 1 * M, 55.0, relative=False),
    ]
    f.bursts += [
        Burst("loans", at - 1 * M, 1, "info", "Microsoft.EntityFrameworkCore.Migrations[20402]|Applying migration "
              "'20260302094112_AddDueDateIndex'.", minutes=1),
        Burst("loans", at, 12, "error", "Microsoft.EntityFrameworkCore.Database.Command[20102]|Failed executing "
              "DbCommand (30,012ms) [Parameters=[@__patronId_0='?' (DbType = Int32)], CommandType='Text', "
              "CommandTimeout='30']\nSELECT [l].[Id], [l].[DueAt] FROM [Loans] AS [l] WHERE [l].[PatronId] = "
              "@__patronId_0"),
        Burst("loans", at, 12, "error", "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]|An unhandled "
              "exception has occurred while executing the request.\nMicrosoft.Data.SqlClient.SqlException "
              "(0x80131904): Execution Timeout Expired.  The timeout period elapsed prior to completion of the "
              "operation or the server is not responding."),
        Burst("gateway", at + 1 * M, 10, "warn", "Yarp.ReverseProxy.Forwarder.HttpForwarder[48]|Request: An error was "
              "encountered before receiving a response.\nSystem.Threading.Tasks.TaskCanceledException: The request "
              "was canceled due to the configured HttpClient.Timeout of 30 seconds elapsing."),
    ]  # fmt: skip
    return f


def catalog_max_replicas(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "catalog_max_replicas",
        "catalog",
        "recent_change",
        "rollback",
        "catalog",
        "CatalogResponseTimeHigh",
        "a revision meant for the test environment set catalog's scale rule to two replicas at most; at the "
        "morning peak both are at their CPU and requests queue",
    )
    f.changes.append(change(at - 7 * M, "catalog", "scale", "maxReplicas", "10", "2", rng, "github-actions"))
    f.effects += [
        Effect("catalog", "replicas", at - 6 * M, 2.0, relative=False, ramp=0 * M),
        Effect("catalog", "cpu_utilization", at - 1 * M, 98.0, relative=False, ramp=2 * M),
        Effect("catalog", "latency_p99", at, 12.0),
        Effect("catalog", "error_ratio", at + 1 * M, 0.04, relative=False),
        Effect("gateway", "latency_p99", at + 1 * M, 4.0),
    ]
    f.bursts += [
        Burst("catalog", at, 8, "warn", "[io.ver.cor.imp.BlockedThreadChecker] (vertx-blocked-thread-checker) "
              "Thread Thread[vert.x-eventloop-thread-1,5,main] has been blocked for 2871 ms, time limit is 2000 ms"),
        Burst("catalog", at - 6 * M, 1, "info", "SYSTEM RevisionReady Normal Revision 'catalog--r31' is ready: "
              "minReplicas 1, maxReplicas 2", minutes=1),
    ]  # fmt: skip
    return f


def loans_sender_role_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "loans_sender_role_removed",
        "loans",
        "recent_change",
        "rollback",
        "loans",
        "LoansFailedRequests",
        "a quarterly access review removed the Azure Service Bus Data Sender role from loans' managed identity; "
        "every checkout fails when it publishes its LoanCreated event",
    )
    f.changes.append({
        "ts": at - 2 * M,
        "service": "loans",
        "kind": "iam",
        "from": "role assignment: Azure Service Bus Data Sender (id-leafline-loans on sb-leafline-prod)",
        "to": "role assignment removed",
        "author": "access-review@leafline.example",
        "ref": f"/subscriptions/x/resourceGroups/{GROUP}/providers/Microsoft.Authorization/roleAssignments/"
               f"{rng.getrandbits(64):016x}",
        "diff": "",
    })  # fmt: skip
    f.effects += [
        Effect("loans", "error_ratio", at, 0.6, relative=False),
        Effect("gateway", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("loans", at, 15, "error", "DAPR error publishing message to pubsub loans-events: rpc error: code = "
              "Unauthenticated desc = Unauthorized access. 'Send' claim(s) are required to perform this operation. "
              "Resource: 'sb://sb-leafline-prod.servicebus.windows.net/loan-events'."),
        Burst("loans", at, 15, "error", "Leafline.Loans.Checkout[7]|Publishing LoanCreated for loan 771204 failed\n"
              "Dapr.DaprException: Publish operation failed: the Dapr endpoint indicated a failure. See "
              "InnerException for details."),
    ]  # fmt: skip
    return f


def distributor_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "distributor_outage",
        "distributor",
        "dependency_failure",
        "escalate",
        "catalog",
        "CatalogFailedRequests",
        "the content distributor's availability API answers 503; catalog cannot say which titles can be borrowed",
    )
    f.effects += [
        Effect("catalog", "error_ratio", at, 0.3, relative=False),
        Effect("catalog", "latency_p99", at, 3.0),
    ]
    f.bursts.append(
        Burst(
            "catalog",
            at,
            15,
            "error",
            "[com.lea.cat.sync.AvailabilityClient] (executor-thread-4) "
            "availability lookup failed for title 88213: RESTEASY004655: Unable to invoke request: "
            "HTTP 503 Service Unavailable from https://api.distributor.example/v3/availability",
        )
    )
    f.failing_calls.append(("catalog", "distributor"))
    return f


def book_club_pick(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "book_club_pick",
        "holds",
        "capacity",
        "scale",
        "holds",
        "HoldsResponseTimeHigh",
        "a television book club named its pick at 9 pm; patrons placed holds at four times the evening's rate and "
        "holds' replicas are at their CPU",
    )
    f.effects += [
        Effect("gateway", "request_rate", at - 6 * M, 3.0, ramp=4 * M),
        Effect("holds", "request_rate", at - 6 * M, 4.0, ramp=4 * M),
        Effect("holds-store", "request_rate", at - 6 * M, 4.0, ramp=4 * M),
        Effect("holds", "cpu_utilization", at, 97.0, relative=False),
        Effect("holds", "latency_p99", at, 6.0),
        Effect("holds", "error_ratio", at + 1 * M, 0.03, relative=False),
    ]
    f.bursts.append(Burst("holds", at + 1 * M, 6, "warn", "WARNING:holds.api:request queue is deep "
                          "(in_flight=380, workers=4)"))  # fmt: skip
    return f


def notify_revision_swap(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "notify_revision_swap",
        "notify",
        "no_incident",
        "none",
        "notify",
        "NotifyReplicasLow",
        "a routine notify revision replaced its replicas; the old revision's were stopped as the new ones became "
        "ready, and the alert counted replicas in between (every message was sent: no incident)",
    )
    f.effects.append(Effect("notify", "replicas", at - 1 * M, 1.0, relative=False, ramp=0 * M, until=at + 3 * M))
    f.bursts += [
        Burst("notify", at - 2 * M, 1, "info", "SYSTEM RevisionDeactivating Normal Deactivating old revision "
              "'notify--r52'", minutes=2),
        Burst("notify", at - 2 * M, 1, "info", "SYSTEM RevisionReady Normal Revision 'notify--r53' is ready",
              minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [holds_store_throughput_cut, loans_migration_lock, catalog_max_replicas, loans_sender_role_removed,
          distributor_outage, book_club_pick, notify_revision_swap]  # fmt: skip
