"""World 57's faults, from Cilium, Kubernetes, MySQL and e-commerce incidents, in this estate's words (English
and Japanese): a CiliumNetworkPolicy rewritten on payments so checkout's pods no longer match it (their calls
time out at connect; roll the policy back); the delivery-slots pods' emptyDir slot cache filling their
ephemeral storage (evicted, again and again; give it a limit and a size); PAY.JP's secret key revoked by
finance in the provider's dashboard while payments still sends it (renew the secret); inventory's Role losing
`list` on configmaps in an RBAC tidy-up (its flag refresh forbidden; roll back); a televised sale's rush;
Yamato's slot API timing out; and the night's scheduled scale-in of the storefront (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.world57.estates import JST
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD's history records it: the app's sync to a commit of the GitOps repository, and the
    manifest's diff."""
    sha = f"{rng.getrandbits(40):010x}"
    diff = code or (
        f"--- a/apps/{svc}/values.yaml\n+++ b/apps/{svc}/values.yaml\n@@ -8,7 +8,7 @@\n"
        f"-  {key}: {old}\n+  {key}: {new}\n"
    )
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"argocd app sync shop-{svc} (revision {sha})",
        "diff": diff,
    }


def policy_excludes_checkout(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "policy_excludes_checkout",
        "payments",
        "network",
        "rollback",
        "checkout",
        "CheckoutErrorsHigh",
        "the platform team rewrote payments' CiliumNetworkPolicy to select callers by a new label "
        "(app.kubernetes.io/part-of: checkout) that checkout's pods do not carry yet; Cilium drops their packets, "
        "checkout's calls to payments time out at connect, and orders fail; roll the policy back",
        also_accept=["recent_change"],
    )
    policy = (
        "--- a/apps/payments/networkpolicy.yaml\n+++ b/apps/payments/networkpolicy.yaml\n@@ -9,4 +9,4 @@\n"
        "   ingress:\n     - fromEndpoints:\n         - matchLabels:\n-            app: checkout\n"
        "+            app.kubernetes.io/part-of: checkout\n"
    )
    f.changes.append(change(at - 1 * M, "payments", "config", "ingress fromEndpoints", "app: checkout",
                            "app.kubernetes.io/part-of: checkout", rng, "platform-team", policy))  # fmt: skip
    f.effects += [
        Effect("payments", "request_rate", at, 0.04),
        Effect("payments", "cpu_utilization", at, 0.05, relative=False),
        Effect("checkout", "error_ratio", at, 0.85, relative=False),
        Effect("checkout", "latency_p99", at, 20.0),
        Effect("storefront", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("checkout", at, 14, "error", '{"level":"ERROR","logger_name":"jp.kaimono.checkout.PaymentClient",'
              '"thread_name":"http-nio-8080-exec-9","message":"決済に失敗しました: I/O error on POST request for '
              '\\"http://payments.shop.svc:8080/v1/charges\\": Connect timed out"}'),
        Burst("storefront", at + 1 * M, 6, "error", '{"level":50,"msg":"POST /api/checkout 502 in 10012ms"}'),
    ]  # fmt: skip
    return f


def ephemeral_storage_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 11) * M
    f = Fault(
        "ephemeral_storage_full",
        "delivery-slots",
        "resource_exhaustion",
        "config_change",
        "delivery-slots",
        "DeliverySlotsRestarting",
        "the delivery-slots pods cache every area's slot calendar in an emptyDir; with the new prefectures the "
        "cache outgrew the pods' ephemeral storage, the kubelet evicts them one after another and the slot "
        "picker fails; give the cache a size limit (or a volume)",
    )
    f.effects += [
        Effect("delivery-slots", "disk_utilization", at - 6 * M, 0.99, relative=False, ramp=6 * M),
        Effect("delivery-slots", "restarts", at, 4.0, relative=False, ramp=0 * M),
        Effect("delivery-slots", "error_ratio", at, 0.45, relative=False),
        Effect("storefront", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("delivery-slots", at - 1 * M, 6, "warn", '{"level":"WARN","fields":{"message":"failed to write slot '
              'cache file /cache/slots/27.bin: No space left on device (os error 28)"},"target":"delivery_slots::'
              'cache"}'),
        Burst("delivery-slots", at, 0.6, "info", '{"level":"INFO","fields":{"message":"配送枠キャッシュを再構築します '
              '(47 prefectures)"},"target":"delivery_slots::cache"}'),
        Burst("storefront", at + 1 * M, 5, "error", '{"level":50,"msg":"GET /api/delivery-slots 503 in 4ms: '
              'upstream connect error or disconnect/reset before headers. reset reason: connection failure"}'),
    ]  # fmt: skip
    return f


def payjp_key_revoked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "payjp_key_revoked",
        "payments",
        "expired_credential",
        "config_change",
        "checkout",
        "CheckoutErrorsHigh",
        "finance rolled PAY.JP's live secret key in the provider's dashboard and revoked the old one at once; "
        "payments still sends the old key, every charge is refused as unauthorized; put the new key in "
        "payments' secret",
        also_accept=["permission_denied"],
    )
    f.effects += [
        Effect("payments", "error_ratio", at, 0.95, relative=False),
        Effect("checkout", "error_ratio", at, 0.8, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 12, "error", "ERROR [ktor-worker-5] j.k.payments.ChargeRoute - PAY.JP charge failed: "
              'HTTP 401 {"error":{"code":"invalid_api_key","message":"Invalid API Key: sk_live_****3f9a",'
              '"status":401,"type":"auth_error"}}'),
        Burst("checkout", at, 12, "error", '{"level":"ERROR","logger_name":"jp.kaimono.checkout.PaymentClient",'
              '"thread_name":"http-nio-8080-exec-2","message":"決済に失敗しました: payments returned 502 '
              'PAYMENT_PROVIDER_ERROR"}'),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "payjp"))
    return f


def rbac_list_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "rbac_list_removed",
        "inventory",
        "permission_denied",
        "rollback",
        "inventory",
        "InventoryErrorsHigh",
        "an RBAC tidy-up cut inventory's Role to `get` on configmaps; its feature-flag refresh lists them, is "
        "forbidden, and after its grace period it refuses stock reservations rather than guess; roll the Role "
        "back",
        also_accept=["recent_change"],
    )
    role = (
        '--- a/apps/inventory/rbac.yaml\n+++ b/apps/inventory/rbac.yaml\n@@ -7,3 +7,3 @@\n   - apiGroups: [""]\n'
        "     resources: [configmaps]\n-    verbs: [get, list, watch]\n+    verbs: [get]\n"
    )
    f.changes.append(change(at - 2 * M, "inventory", "config", "configmaps verbs", "[get, list, watch]", "[get]",
                            rng, "platform-team", role))  # fmt: skip
    f.effects += [
        Effect("inventory", "error_ratio", at, 0.6, relative=False),
        Effect("cart", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("inventory", at - 1 * M, 4, "error", '{"event":"flag refresh failed: configmaps is forbidden: User '
              '\\"system:serviceaccount:shop:inventory\\" cannot list resource \\"configmaps\\" in API group \\"\\" '
              'in the namespace \\"shop\\"","level":"error"}'),
        Burst("inventory", at, 10, "error", '{"event":"在庫引当を拒否しました: feature flags stale for 120s","level":'
              '"error","sku":"4901234567"}'),
        Burst("cart", at + 1 * M, 6, "error", '{"level":"error","caller":"cart/inventory.go:57","msg":"inventory '
              'reserve failed: 503 Service Unavailable"}'),
    ]  # fmt: skip
    return f


def tv_sale_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(9, 13) * M
    f = Fault(
        "tv_sale_rush",
        "storefront",
        "capacity",
        "scale",
        "storefront",
        "StorefrontLatencyHigh",
        "a morning TV show features the shop's half-price sale; visits rise fivefold, the storefront's pods are "
        "at their CPU with the autoscaler at its maximum, and pages queue",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("storefront", "request_rate", at - 4 * M, 5.0, ramp=4 * M),
        Effect("gateway", "request_rate", at - 4 * M, 4.6, ramp=4 * M),
        Effect("storefront", "cpu_utilization", at, 0.98, relative=False),
        Effect("storefront", "latency_p99", at + 1 * M, 9.0),
        Effect("gateway", "latency_p99", at + 1 * M, 7.0),
    ]
    f.bursts += [
        Burst("storefront", at + 1 * M, 3, "warn", '{"level":40,"msg":"event loop lag 412ms (render queue 380)"}'),
    ]  # fmt: skip
    return f


def yamato_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "yamato_timeouts",
        "yamato-slots",
        "dependency_failure",
        "escalate",
        "delivery-slots",
        "DeliverySlotsErrors",
        "Yamato's delivery-slot API stops answering within delivery-slots' 5 s; customers cannot pick a slot; "
        "nothing of ours changed; call the carrier and show the fallback calendar",
    )
    f.effects += [
        Effect("delivery-slots", "error_ratio", at, 0.4, relative=False),
        Effect("delivery-slots", "latency_p99", at, 12.0),
    ]
    f.bursts += [
        Burst("delivery-slots", at, 10, "error", '{"level":"ERROR","fields":{"message":"slot lookup failed: error '
              'sending request for url (https://api.slots.yamato.example/v2/slots?area=13): operation timed out"},'
              '"target":"delivery_slots::carrier"}'),
    ]  # fmt: skip
    f.failing_calls.append(("delivery-slots", "yamato-slots"))
    return f


def night_scale_in(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    loc = at.astimezone(JST)  # the schedule names the local time it runs
    f = Fault(
        "night_scale_in",
        "storefront",
        "no_incident",
        "none",
        "storefront",
        "StorefrontCPUHigh",
        "KEDA's cron scaler takes the storefront from 6 pods to 2 for the night, as scheduled; each pod's CPU "
        "rises past the alert's threshold while pages are as fast as ever and nothing fails (no incident)",
    )
    f.changes.append(change(at - 1 * M, "storefront", "ops", "replicas", "6", f"2 (keda cron scaler night-scale-in, "
                            f"schedule {loc.minute} {loc.hour} * * *, Asia/Tokyo)", rng, "keda"))  # fmt: skip
    f.effects += [
        Effect("storefront", "cpu_utilization", at, 0.84, relative=False, ramp=2 * M),
        Effect("storefront", "latency_p99", at, 1.15, ramp=2 * M),
    ]
    f.bursts += [
        Burst("storefront", at, 0.5, "info", '{"level":30,"msg":"SIGTERM received, draining connections"}',
              minutes=2),
    ]  # fmt: skip
    return f


FAULTS = [policy_excludes_checkout, ephemeral_storage_full, payjp_key_revoked, rbac_list_removed, tv_sale_rush,
          yamato_timeouts, night_scale_in]  # fmt: skip
