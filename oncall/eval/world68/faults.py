"""World 68's faults, from Cosmos DB, App Service, Entra ID, Service Bus, TLS and Node incidents, in this
estate's words: Cosmos DB's orders container told to index every path, each write costing several times its
request units until the account throttles (roll it back); the storefront's autoscale rule scaling in below 70 %
CPU at the evening peak (roll back); the prescriptions API's client secret for the regulator expiring (a new
secret); the orders API renaming a field of the event the notifications function reads, every message
dead-lettered (roll back); Openpay's certificate expiring (escalate); the storefront's release caching pages in
memory with no bound until the worker recycles hours later (roll back); and an availability test pointed at a
page that does not exist (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the Azure DevOps release (or the Activity Log, for a resource's setting) records it."""
    path = f"infra/{svc}/main.bicep"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"release farmalia-{svc} #{rng.randint(1000, 9999)}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -21 +21 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


COSMOS_429 = (
    "Response status code does not indicate success: TooManyRequests (429); Substatus: 3200; ActivityId: {uuid}; "
    "Reason: (Message: Request rate is large. More Request Units may be needed, so no changes were made. Please "
    "retry this request later.)"
)


def cosmos_index_everything(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "cosmos_index_everything",
        "cosmos",
        "recent_change",
        "rollback",
        "pedidos-api",
        "OrdersFailing",
        "the orders container's indexing policy went from three paths to every path (/*); each write now costs "
        "five times the request units and the account's 10,000 RU/s throttle every write with 429; put the "
        "indexing policy back",
    )
    f.changes.append(change(at - 3 * M, "cosmos", "config", "indexingPolicy.includedPaths", "[/customerId/?, "
                            "/status/?, /createdAt/?]", "[/*]", rng, "m.hernandez"))  # fmt: skip
    f.effects += [
        Effect("pedidos-api", "error_ratio", at, 0.45, relative=False),
        Effect("pedidos-api", "latency_p99", at, 6.0),
        Effect("recetas-api", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("apim", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("pedidos-api", at, 18, "error", f"AppExceptions|Microsoft.Azure.Cosmos.CosmosException|{COSMOS_429}"),
        Burst("pedidos-api", at, 18, "info", "AppRequests|POST /v1/orders|500|3{n}12"),
        Burst("recetas-api", at + 1 * M, 8, "error", "AppExceptions|com.azure.cosmos.CosmosException|Request rate is "
              "large. More Request Units may be needed, so no changes were made. Please retry this request later. "
              "(429/3200)"),
    ]  # fmt: skip
    return f


def autoscale_scale_in(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "autoscale_scale_in",
        "tienda-web",
        "recent_change",
        "rollback",
        "tienda-web",
        "StorefrontSlow",
        "the storefront plan's autoscale rule was edited to scale in below 70 % CPU (it was 30 %); at the evening "
        "peak it took the plan from 6 instances to 2, which run at their CPU limit; put the rule back",
    )
    f.changes.append(change(at - 6 * M, "tienda-web", "autoscale", "rules[1].metricTrigger.threshold", "30", "70", rng,
                            "j.ramirez"))  # fmt: skip
    f.effects += [
        Effect("tienda-web", "cpu_utilization", at - 1 * M, 96.0, relative=False),
        Effect("tienda-web", "latency_p99", at, 5.0),
        Effect("tienda-web", "error_ratio", at + 1 * M, 0.12, relative=False),
        Effect("apim", "latency_p99", at, 3.0),
    ]
    f.bursts += [
        Burst("tienda-web", at, 10, "warn", "AppTraces|event loop delay p99 2{n}40 ms over the last 10 s"),
        Burst("tienda-web", at + 1 * M, 10, "info", "AppRequests|GET /producto/[sku]|503|300{n}1"),
    ]  # fmt: skip
    return f


def regulator_secret_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "regulator_secret_expired",
        "recetas-api",
        "expired_credential",
        "config_change",
        "recetas-api",
        "PrescriptionValidationFailing",
        "the app registration recetas-api signs in with to call COFEPRIS's validation API had its client secret "
        "expire today; once the cached token lapsed every validation fails; create a new secret and set it",
    )
    f.effects += [
        Effect("recetas-api", "error_ratio", at, 0.9, relative=False),
        Effect("apim", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("recetas-api", at, 12, "error", "AppExceptions|com.microsoft.aad.msal4j.MsalServiceException|"
              "AADSTS7000222: The provided client secret keys for app '5f1c2e90-7a41-4c1e-9d3b-0e8f6a2b7c11' are "
              "expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or "
              "consider using certificate credentials for added security: https://aka.ms/certCreds."),
        Burst("recetas-api", at, 12, "info", "AppRequests|POST /v1/recetas|500|2{n}3"),
    ]  # fmt: skip
    return f


EVENT_DIFF = (
    "--- a/src/Pedidos/Events/PedidoCreado.cs\n+++ b/src/Pedidos/Events/PedidoCreado.cs\n@@ -9,3 +9,3 @@\n"
    "     public string PedidoId { get; init; }\n"
    "-    public string Telefono { get; init; }\n"
    "+    public string CustomerPhone { get; init; }\n"
)


def order_event_renamed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "order_event_renamed",
        "pedidos-api",
        "recent_change",
        "rollback",
        "notificaciones-fn",
        "DeadLetteredMessages",
        "pedidos-api 5.8.0 renamed the order event's Telefono to CustomerPhone; the notifications function reads "
        "telefono, fails every message, and after ten deliveries each goes to the dead-letter queue; roll the "
        "orders API back",
    )
    f.changes.append(change(at - 3 * M, "pedidos-api", "deploy", "image", "pedidos-api:5.7.4", "pedidos-api:5.8.0",
                            rng, "azure-devops", code=EVENT_DIFF))  # fmt: skip
    f.effects += [Effect("notificaciones-fn", "error_ratio", at, 1.0, relative=False)]
    f.bursts += [
        Burst("notificaciones-fn", at, 16, "error", "AppExceptions|TypeError|Cannot read properties of undefined "
              "(reading 'replace') at normalizarTelefono (/home/site/wwwroot/enviar_whatsapp/index.js:14:32)"),
        Burst("notificaciones-fn", at, 16, "warn", "AppTraces|mensaje {hex} sin campo telefono; entrega {k} de 10"),
        Burst("notificaciones-fn", at + 2 * M, 2, "error", "AppTraces|mensaje {hex} movido a la cola de mensajes "
              "fallidos: MaxDeliveryCountExceeded"),
    ]  # fmt: skip
    return f


def openpay_certificate(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "openpay_certificate",
        "openpay",
        "dependency_failure",
        "escalate",
        "pagos-api",
        "PaymentsFailing",
        "Openpay's API certificate expired at midnight their time; every charge fails its TLS verification; "
        "nothing of ours changed; escalate to Openpay",
        also_accept=["expired_credential"],
    )
    f.effects += [
        Effect("pagos-api", "error_ratio", at, 0.85, relative=False),
        Effect("pedidos-api", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("apim", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("pagos-api", at, 14, "error", "AppExceptions|httpx.ConnectError|[SSL: CERTIFICATE_VERIFY_FAILED] "
              "certificate verify failed: certificate has expired (_ssl.c:1006)"),
        Burst("pagos-api", at, 14, "error", "AppTraces|charge {hex} failed: POST https://api.openpay.mx/v1/"
              "mx4ztd2ot7dlyyjqkzsm/charges could not connect"),
        Burst("pedidos-api", at + 1 * M, 6, "error", "AppTraces|Payment for order {hex} failed: pagos-api returned "
              "502 Bad Gateway"),
    ]  # fmt: skip
    f.failing_calls.append(("pagos-api", "openpay"))
    return f


CACHE_DIFF = (
    "--- a/next.config.js\n+++ b/next.config.js\n@@ -4,3 +4,3 @@\n module.exports = {\n"
    "-  cacheMaxMemorySize: 50 * 1024 * 1024,\n+  cacheMaxMemorySize: Infinity, // keep every rendered page\n"
)


def storefront_page_cache(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    deploy = t - timedelta(hours=4, minutes=rng.randint(0, 50))
    f = Fault(
        "storefront_page_cache",
        "tienda-web",
        "recent_change",
        "rollback",
        "tienda-web",
        "StorefrontErrors",
        "tienda-web 12.4.0 lifted the in-memory page cache's bound; every product page rendered since is kept, "
        "the workers' memory climbed for hours until they recycle, and requests fail while they restart; roll "
        "back (a restart only buys hours)",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(deploy, "tienda-web", "deploy", "image", "tienda-web:12.3.1", "tienda-web:12.4.0", rng,
                            "azure-devops", code=CACHE_DIFF))  # fmt: skip
    f.effects += [
        Effect("tienda-web", "memory_utilization", deploy, 98.0, relative=False, ramp=at - deploy),
        Effect("tienda-web", "error_ratio", at, 0.25, relative=False),
        Effect("tienda-web", "latency_p99", at, 4.0),
        Effect("apim", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("tienda-web", at, 6, "critical", "AppTraces|heap watchdog: 15{n}0 MB of 1536 MB used, restarting the "
              "worker"),
        Burst("apim", at, 12, "info", "AppRequests|GET /tienda/producto/[sku]|502|{n}12"),
    ]  # fmt: skip
    return f


def availability_test_moved(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "availability_test_moved",
        "tienda-web",
        "no_incident",
        "none",
        "tienda-web",
        "AvailabilityTestFailed",
        "someone pointed the storefront's availability test at /salud, a page that does not exist (the health "
        "page is /api/health); every test run gets a 404 while customers are served as always; no incident (fix "
        "the test)",
    )
    f.changes.append(change(at - 2 * M, "tienda-web", "config", "availabilityTest.url", "/api/health", "/salud", rng,
                            "ops-bot"))  # fmt: skip
    f.bursts += [
        Burst("tienda-web", at, 5, "info", "AppRequests|GET /salud|404|1{n}"),
    ]  # fmt: skip
    return f


FAULTS = [cosmos_index_everything, autoscale_scale_in, regulator_secret_expired, order_event_renamed,
          openpay_certificate, storefront_page_cache, availability_test_moved]  # fmt: skip
