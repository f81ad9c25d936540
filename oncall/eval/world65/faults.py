"""World 65's faults, from RabbitMQ, Azure Database for PostgreSQL, M-Pesa Daraja, Azure networking, .NET and
mobile-money incidents, in this estate's words: the SMS sender's release consuming a misspelt queue, so the
real one fills until RabbitMQ's memory alarm blocks every publisher (roll back); the PostgreSQL server at its
storage limit and read-only (grow the storage); the Daraja app's consumer secret regenerated on Safaricom's portal
but not in Key Vault (update the secret); the price bulletin's morning at the USSD gateway's replica ceiling
(scale); a Terraform change unlinking Redis' private DNS zone, so every caller reaches its public address, which
refuses them (roll back); a payments release blocking on async calls, starving .NET's thread pool under the noon
load (roll back); and the co-operatives' monthly payout notices draining through the SMS queue as planned (no
incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Azure DevOps release pipeline records it: a Helm upgrade, or a Terraform apply."""
    path = f"charts/{svc}/values.prod.yaml" if kind not in ("network", "iam") else "infra/terraform/network.tf"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"dev.azure.com/shamba/platform/_release?releaseId={rng.randint(2000, 9999)}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -5 +5 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def sms_queue_renamed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    deploy = at - rng.randint(18, 30) * M
    f = Fault(
        "sms_queue_renamed",
        "sms-sender",
        "recent_change",
        "rollback",
        "ussd",
        "UssdSessionFailures",
        "sms-sender 3.8.0 reads its queue name from a new setting spelt sms.outbound.v2 while every producer still "
        "publishes to sms.outbound; nothing consumes it, it grows until RabbitMQ's memory alarm blocks all "
        "publishers, and the USSD gateway's publishes time out; roll the sender back",
    )
    code = (
        "--- a/charts/sms-sender/values.prod.yaml\n+++ b/charts/sms-sender/values.prod.yaml\n@@ -2,4 +2,5 @@\n"
        " image:\n-  tag: 3.7.4\n+  tag: 3.8.0\n env:\n-  SMS_QUEUE: sms.outbound\n+  SMS_QUEUE_NAME: sms.outbound.v2\n"
    )
    f.changes.append(change(deploy, "sms-sender", "deploy", "image.tag", "3.7.4", "3.8.0", rng, "w.njoroge", code))
    f.effects += [
        Effect("sms-sender", "request_rate", deploy + 1 * M, 0.02, ramp=1 * M),
        Effect("rabbitmq", "memory_utilization", deploy + 2 * M, 0.97, relative=False, ramp=at - deploy - 2 * M),
        Effect("ussd", "error_ratio", at, 0.6, relative=False),
        Effect("ussd", "latency_p99", at, 12.0),
        Effect("marketplace", "error_ratio", at + 1 * M, 0.2, relative=False),
        Effect("traefik", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("sms-sender", deploy + 1 * M, 1, "info", "INFO:sms.sender:consumer ready queue=sms.outbound.v2 "
              "prefetch=50", minutes=2),
        Burst("rabbitmq", at, 2, "warn", "{rmq} [warning] <0.512.0> memory resource limit alarm set on node "
              "'rabbit@rabbitmq-0'.", minutes=3),
        Burst("rabbitmq", at, 6, "warn", "{rmq} [warning] <0.512.0> connection <0.{n}41.0> (10.244.{n}.17:5{n}12 -> "
              "10.244.3.9:5672) is blocked by a resource alarm"),
        Burst("ussd", at, 24, "error", '{"level":"error","session":"ATUid_{n}a9f3c","error":"publish '
              'session.closed: context deadline exceeded","time":"{iso_s}","message":"session event not published"}'),
        Burst("marketplace", at + 1 * M, 12, "error", "[{local}] production.ERROR: Publishing order.created timed "
              "out after 5s {\"exception\":\"[object] (PhpAmqpLib\\\\Exception\\\\AMQPTimeoutException(code: 0): The "
              "connection timed out after 5 sec while awaiting incoming data)\"}"),
    ]  # fmt: skip
    return f


def postgres_read_only(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "postgres_read_only",
        "postgresql",
        "resource_exhaustion",
        "scale",
        "marketplace",
        "OrderErrorsHigh",
        "the flexible server's 256 GiB reached 95 % (the listings' photo metadata grew after the harvest drive) and "
        "Azure set it read-only; every write fails, reads still work; grow the storage",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("marketplace", "error_ratio", at, 0.45, relative=False),
        Effect("payments", "error_ratio", at + 1 * M, 0.5, relative=False),
        Effect("traefik", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("marketplace", at, 20, "error", "[{local}] production.ERROR: SQLSTATE[25006]: Read only sql "
              "transaction: 7 ERROR:  cannot execute INSERT in a read-only transaction (Connection: pgsql, SQL: "
              "insert into \"orders\" (\"cooperative_id\", \"total_kes\") values (4{n}, 2450) returning \"id\") "
              "{\"exception\":\"[object] (Illuminate\\\\Database\\\\QueryException(code: 25006): SQLSTATE[25006] at "
              "/var/www/html/vendor/laravel/framework/src/Illuminate/Database/Connection.php:829)\"}"),
        Burst("payments", at + 1 * M, 10, "error", '{"EventId":0,"LogLevel":"Error","Category":"Shamba.Payments.'
              'CallbackHandler","Message":"Recording STK callback failed for CheckoutRequestID=ws_CO_03062026{n}4412",'
              '"Exception":"Npgsql.PostgresException (0x80004005): 25006: cannot execute UPDATE in a read-only '
              'transaction","State":{"{OriginalFormat}":"Recording STK callback failed for CheckoutRequestID='
              '{CheckoutRequestID}"}}'),
    ]  # fmt: skip
    f.failing_calls += [("marketplace", "postgresql"), ("payments", "postgresql")]
    return f


def daraja_secret_regenerated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "daraja_secret_regenerated",
        "payments",
        "expired_credential",
        "config_change",
        "payments",
        "MpesaCollectionFailures",
        "a developer regenerated the Daraja app's consumer secret on Safaricom's portal to test a new till; Key "
        "Vault still holds the old one, so every OAuth token request is refused and no STK push is sent; put the "
        "new secret in Key Vault",
        also_accept=["permission_denied"],
    )
    f.effects += [
        Effect("payments", "error_ratio", at, 0.95, relative=False),
        Effect("marketplace", "error_ratio", at + 1 * M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 6, "error", '{"EventId":1002,"LogLevel":"Error","Category":"Shamba.Payments.Daraja.'
              'TokenClient","Message":"Access token request to https://api.safaricom.co.ke/oauth/v1/generate failed: '
              '400 BadRequest {\\"errorCode\\":\\"400.008.01\\",\\"errorMessage\\":\\"Invalid Authentication '
              'passed\\"}","State":{"{OriginalFormat}":"Access token request to {Url} failed: {Status} {Body}"}}'),
        Burst("payments", at, 18, "error", '{"EventId":1010,"LogLevel":"Error","Category":"Shamba.Payments.Daraja.'
              'StkPushClient","Message":"STK push not sent order=SD-26{n}41: no valid access token",'
              '"State":{"{OriginalFormat}":"STK push not sent order={Order}: no valid access token"}}'),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "mpesa-daraja"))
    return f


def price_bulletin_ceiling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "price_bulletin_ceiling",
        "ussd",
        "capacity",
        "scale",
        "ussd",
        "UssdLatencyHigh",
        "the ministry's weekly price bulletin went out by SMS at 06:00 and 300 000 farmers dialled *483# within "
        "minutes; the USSD gateway sat at its autoscaler's maximum of 6 replicas, CPU at the limit, and Africa's "
        "Talking dropped sessions slower than 10 s; raise the maximum",
    )
    f.effects += [
        Effect("traefik", "request_rate", at - 3 * M, 3.5, ramp=3 * M),
        Effect("ussd", "request_rate", at - 3 * M, 5.0, ramp=3 * M),
        Effect("ussd", "cpu_utilization", at - 2 * M, 0.99, relative=False, ramp=2 * M),
        Effect("ussd", "latency_p99", at, 40.0),
        Effect("ussd", "error_ratio", at, 0.25, relative=False),
        Effect("prices", "request_rate", at - 3 * M, 3.0, ramp=3 * M),
    ]
    f.bursts += [
        Burst("ussd", at, 16, "warn", '{"level":"warn","session":"ATUid_{n}c1d0e","elapsed_ms":11{n}40,'
              '"time":"{iso_s}","message":"callback answered after the carrier deadline"}'),
    ]  # fmt: skip
    return f


def redis_private_dns_unlinked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "redis_private_dns_unlinked",
        "redis",
        "network",
        "rollback",
        "ussd",
        "UssdSessionFailures",
        "a Terraform change moving DNS zones to the hub network dropped privatelink.redis.cache.windows.net's link "
        "to the cluster's VNet; the cache's name resolves to its public address, where public access is disabled, "
        "so every connection to Redis times out; restore the link",
        also_accept=["recent_change"],
    )
    tf = (
        "--- a/infra/terraform/network.tf\n+++ b/infra/terraform/network.tf\n"
        '@@ -88,7 +88,0 @@ resource "azurerm_private_dns_zone_virtual_network_link" "redis_aks" {\n'
        '-  name                  = "redis-aks"\n'
        "-  private_dns_zone_name = azurerm_private_dns_zone.redis.name\n"
        "-  virtual_network_id    = azurerm_virtual_network.aks.id\n"
    )
    f.changes.append(change(at - 2 * M, "redis", "network", "private_dns_zone_link", "redis-aks", "(removed)", rng,
                            "terraform-pipeline", tf))  # fmt: skip
    f.effects += [
        Effect("ussd", "error_ratio", at, 0.8, relative=False),
        Effect("ussd", "latency_p99", at, 15.0),
        Effect("marketplace", "error_ratio", at, 0.3, relative=False),
        Effect("marketplace", "latency_p99", at, 6.0),
        Effect("prices", "latency_p99", at, 5.0),
        Effect("traefik", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("ussd", at, 22, "error", '{"level":"error","session":"ATUid_{n}a9f3c","error":"dial tcp '
              '20.87.{n}.12:6380: i/o timeout","time":"{iso_s}","message":"session state load failed"}'),
        Burst("marketplace", at, 12, "error", "[{local}] production.ERROR: Connection timed out "
              "[tls://shamba-cache.redis.cache.windows.net:6380] {\"exception\":\"[object] "
              "(Predis\\\\Connection\\\\ConnectionException(code: 110): Connection timed out "
              "[tls://shamba-cache.redis.cache.windows.net:6380])\"}"),
        Burst("prices", at, 6, "error", "[{local_clf}] [12] [ERROR] prices.cache: redis.exceptions.TimeoutError: "
              "Timeout connecting to server"),
    ]  # fmt: skip
    f.failing_calls += [("ussd", "redis"), ("marketplace", "redis"), ("prices", "redis")]
    return f


def payments_thread_starvation(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    deploy = at - rng.randint(35, 50) * M
    f = Fault(
        "payments_thread_starvation",
        "payments",
        "recent_change",
        "rollback",
        "marketplace",
        "CheckoutLatencyHigh",
        "payments 2.14.0 calls Daraja's status query with .Result inside the callback handler; at the noon peak the "
        "thread pool starves, Kestrel's heartbeat lags and requests wait tens of seconds; checkout times out at the "
        "marketplace; roll payments back",
    )
    f.changes.append(change(deploy, "payments", "deploy", "image.tag", "2.13.2", "2.14.0", rng, "b.achieng"))
    f.effects += [
        Effect("payments", "latency_p99", at - 4 * M, 25.0, ramp=4 * M),
        Effect("payments", "cpu_utilization", at - 4 * M, 0.3, relative=False),
        Effect("payments", "error_ratio", at, 0.3, relative=False),
        Effect("marketplace", "latency_p99", at, 8.0),
        Effect("marketplace", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("payments", at - 4 * M, 4, "warn", '{"EventId":22,"LogLevel":"Warning","Category":"Microsoft.AspNetCore.'
              'Server.Kestrel","Message":"As of \\"{iso}\\", the heartbeat has been running for \\"00:00:04.{n}\\" '
              'which is longer than \\"00:00:01\\". This could be caused by thread pool starvation.",'
              '"State":{"{OriginalFormat}":"As of \\"{now}\\", the heartbeat has been running for '
              '\\"{heartbeatDuration}\\" which is longer than \\"{interval}\\". This could be caused by thread '
              'pool starvation."}}'),
        Burst("marketplace", at + 1 * M, 14, "error", "[{local}] production.ERROR: cURL error 28: Operation timed out "
              "after 15001 milliseconds with 0 bytes received (see https://curl.haxx.se/libcurl/c/libcurl-errors.html) "
              "for http://payments.shamba.svc.cluster.local/api/stk-push"),
    ]  # fmt: skip
    f.failing_calls.append(("marketplace", "payments"))
    return f


def payout_notices(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 20) * M
    f = Fault(
        "payout_notices",
        "sms-sender",
        "no_incident",
        "none",
        "sms-sender",
        "SmsQueueBacklog",
        "the co-operatives' monthly payout run queued 180 000 payout notices at once; the sender drains them at "
        "Africa's Talking's contracted rate, as every month, and the backlog alert fires on depth; nothing fails; "
        "no incident",
    )
    f.effects += [
        Effect("sms-sender", "request_rate", at, 2.2, ramp=2 * M),
        Effect("sms-sender", "cpu_utilization", at, 0.7, relative=False, ramp=2 * M),
        Effect("rabbitmq", "memory_utilization", at, 0.62, relative=False, ramp=5 * M),
    ]
    f.bursts += [
        Burst("marketplace", at, 1, "info", "[{local}] production.INFO: Payout run queued notices "
              "{\"run\":\"2026-0{n}\",\"notices\":180000,\"queue\":\"sms.outbound\"}", minutes=1),
        Burst("sms-sender", at + 2 * M, 1, "info", "INFO:sms.sender:backlog 1{n}2000 messages, sending at 40/s",
              minutes=15),
    ]  # fmt: skip
    return f


FAULTS = [sms_queue_renamed, postgres_read_only, daraja_secret_regenerated, price_bulletin_ceiling,
          redis_private_dns_unlinked, payments_thread_starvation, payout_notices]  # fmt: skip
