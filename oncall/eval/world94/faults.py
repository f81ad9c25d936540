"""World 94's faults, from credential, release, provider, network and load incidents on a bubble-tea chain's ordering
platform, in its engineers' words: the printer cloud's user key (UKEY) expired, so no store prints cup labels and
the orders wait at the counter (renew the key in the order service's config); WeChat Pay's platform certificate
rotated and the payment service, still holding the old one, rejects every payment callback as unsigned (load the
new certificate); a menu release that dropped its local cache, every menu request now a MySQL query, the database's
CPU taken (roll it back); the SMS package used up, no sign-in code sent (Tencent's, and finance's: escalate); a
security group change on the load balancer that left WeChat Pay's callback addresses out (roll it back); and the
lunch rush (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's CODING DevOps pipeline records it: the release or the values file it applied."""
    if not code:
        code = (
            f"--- a/deploy/{svc}/values-prod.yaml\n+++ b/deploy/{svc}/values-prod.yaml\n-{key}: {old}\n+{key}: {new}\n"
            if kind == "config"
            else f"helm upgrade {svc} chali/{svc} --set image.tag={new}  # was {old}\n"
        )
    return change_record(
        at, svc, kind, key, old, new, who, ref=f"coding-pipeline-{rng.randint(100000, 999999)}", diff=code
    )


def printer_ukey_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 11) * M
    f = Fault(
        "printer_ukey_expired",
        "order-svc",
        "expired_credential",
        "config_change",
        "order-svc",
        "LabelPrintFailures",
        "the user key (UKEY) order-svc signs its calls to Feie's printer cloud with expired at its yearly renewal "
        "date; no store's printer gets a cup label and drinks wait unlabelled at the counter; renew the UKEY and "
        "set it in order-svc's secret",
    )
    f.effects += [Effect("order-svc", "error_ratio", at, 0.2, relative=False)]
    f.bursts += [
        Burst("order-svc", at, 6, "error", "msg=打印小票失败 print label failed || order_id=CL{n}{k}77{k} || "
              "printer=FE-{k}{n} || err=feie api: ret=1002 msg=UKEY已过期 (ukey expired)"),
        Burst("order-svc", at + M, 2, "warn", "msg=label queued for retry || order_id=CL{n}{k}77{k} || attempt={k}"),
    ]  # fmt: skip
    f.failing_calls.append(("order-svc", "feie-cloud"))
    return f


def wechatpay_platform_cert(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 12) * M
    f = Fault(
        "wechatpay_platform_cert",
        "pay-svc",
        "expired_credential",
        "config_change",
        "pay-svc",
        "PaymentCallbacksRejected",
        "WeChat Pay switched its callbacks to its new platform certificate; pay-svc still verifies with the old "
        "serial and answers every callback 401, so paid orders stay unpaid and WeChat keeps retrying; load the new "
        "platform certificate (download it with the API v3 key) and restart pay-svc",
    )
    f.effects += [
        Effect("pay-svc", "error_ratio", at, 0.85, relative=False),
        Effect("order-svc", "request_rate", at + 2 * M, 1.4),
    ]
    f.bursts += [
        Burst("pay-svc", at, 5, "error", "msg=微信支付回调验签失败 notify signature verification failed || "
              "serial=5157F09EFDC096DE15EBE81A47057A72{k}{n} || err=platform certificate not found for serial"),
        Burst("ingress-nginx", at, 5, "info", '{ip} - - [{local}] "POST /api/pay/wechat/notify HTTP/1.1" 401 61 "-" '
              '"Mozilla/4.0" 0.004 [chali-pay-svc-80]'),
        Burst("order-svc", at + 2 * M, 3, "warn", "msg=order still unpaid after 5 min, querying WeChat Pay || "
              "order_id=CL{n}{k}77{k}"),
    ]  # fmt: skip
    return f


def menu_release_no_cache(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "menu_release_no_cache",
        "menu-svc",
        "recent_change",
        "rollback",
        "order-svc",
        "OrderLatencyHigh",
        "menu-svc 2.8.0 dropped the Caffeine cache in front of the store menus; every menu request is now a MySQL "
        "query, the database's CPU is taken and order-svc's price checks wait on it; roll menu-svc back to 2.7.6",
    )
    f.changes.append(change(at - 3 * M, "menu-svc", "deploy", "image.tag", "2.7.6", "2.8.0", rng, "ci-bot"))
    f.effects += [
        Effect("mysql", "cpu_utilization", at, 0.97, relative=False),
        Effect("menu-svc", "latency_p99", at, 14.0),
        Effect("menu-svc", "request_rate", at, 1.0),
        Effect("order-svc", "latency_p99", at + M, 6.0),
        Effect("order-svc", "error_ratio", at + 2 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("menu-svc", at, 4, "warn", "c.chali.menu.repo.MenuRepository - 慢查询 slow query 3{n}{k}1 ms: select * "
              "from menu_item where store_id = ?"),
        Burst("order-svc", at + 2 * M, 3, "error", "msg=price check failed || order_id=CL{n}{k}77{k} || "
              "err=menu-svc: context deadline exceeded"),
    ]  # fmt: skip
    return f


def sms_package_used_up(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 14) * M
    f = Fault(
        "sms_package_used_up",
        "tencent-sms",
        "dependency_failure",
        "escalate",
        "member-svc",
        "SmsSendFailures",
        "the chain's Tencent Cloud SMS package ran out during the summer campaign; every sign-in code is refused "
        "(FailedOperation.InsufficientBalanceInSmsPackage) and new members cannot sign in; finance must buy a "
        "package: escalate",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [Effect("member-svc", "error_ratio", at, 0.35, relative=False)]
    f.bursts += [
        Burst("member-svc", at, 4, "error", "[SmsService] 验证码发送失败 send code failed: "
              "FailedOperation.InsufficientBalanceInSmsPackage - 套餐包余量不足"),
        Burst("member-svc", at, 2, "warn", "[AuthService] sign-in aborted: no code sent to 1{k}8****{n}{k}"),
    ]  # fmt: skip
    f.failing_calls.append(("member-svc", "tencent-sms"))
    return f


def callback_security_group(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "callback_security_group",
        "ingress-nginx",
        "recent_change",
        "rollback",
        "order-svc",
        "UnpaidOrdersRising",
        "a security group change on the CLB in front of ingress-nginx, meant to close the admin port, replaced the "
        "rule that let WeChat Pay's callback addresses in; no payment callback arrives, and paid orders stay unpaid "
        "until order-svc queries them; put the rule back",
    )
    f.changes.append(change(at - 2 * M, "ingress-nginx", "config", "clb.securityGroup.ingress",
                            "0.0.0.0/0:443,10.0.0.0/8:8443", "10.0.0.0/8:443,10.0.0.0/8:8443", rng,
                            "zhang.wei"))  # fmt: skip
    f.effects += [
        Effect("pay-svc", "request_rate", at, 0.02, ramp=M),
        Effect("order-svc", "request_rate", at + 5 * M, 1.5),
        Effect("ingress-nginx", "request_rate", at, 0.7),
    ]
    f.bursts += [
        Burst("order-svc", at + 5 * M, 6, "warn", "msg=order still unpaid after 5 min, querying WeChat Pay || "
              "order_id=CL{n}{k}77{k}"),
        Burst("order-svc", at + 5 * M, 6, "info", "msg=payment confirmed by query (no callback) || "
              "order_id=CL{n}{k}77{k} || trade_state=SUCCESS"),
    ]  # fmt: skip
    return f


def lunch_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 18) * M
    f = Fault(
        "lunch_rush",
        "order-svc",
        "no_incident",
        "none",
        "order-svc",
        "OrderLatencyHigh",
        "the lunch rush doubled the orders in twenty minutes; order-svc's p99 crossed its alert threshold while the "
        "HPA added pods, then came back; nothing is wrong (no incident)",
    )
    f.effects += [
        Effect("order-svc", "request_rate", at, 2.2),
        Effect("ingress-nginx", "request_rate", at, 2.0),
        Effect("menu-svc", "request_rate", at, 1.8),
        Effect("order-svc", "latency_p99", at, 1.5, until=at + 8 * M),
        Effect("order-svc", "cpu_utilization", at, 0.7, relative=False),
    ]
    f.bursts += [
        Burst("order-svc", at, 30, "info", "msg=order created || order_id=CL{n}{k}77{k} || store={store} || cups={k}"),
    ]
    return f


FAULTS = [printer_ukey_expired, wechatpay_platform_cert, menu_release_no_cache, sms_package_used_up,
          callback_security_group, lunch_rush]  # fmt: skip
