"""World 61's faults, from Sentinel, Dubbo, RocketMQ, OSS, Alipay and ACK incidents, in this estate's words
(Chinese messages, English levels and exception names): a Sentinel flow rule pushed through Nacos with a
threshold a tenth of the old one, so order creation is refused as over the limit (roll back the rule); a flash
sale at ten times the usual orders, inventory's Dubbo thread pool exhausted (scale out); RocketMQ's commit log
disk full, the broker refusing every message (shorten retention and reclaim the disk); the OSS access key
disabled by the security team's rotation while the image service still signs with it (update the secret);
Alipay's gateway slow (escalate to Alipay); a rider-dispatch image built on an arm64 laptop and rolled out by
hand, every new pod failing with exec format error (roll back); and an alert rule whose threshold was mistyped
in a change, firing on a healthy gateway (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the release record keeps it: a Yunxiao pipeline run, or a Nacos configuration publish."""
    data_id, group = (f"{svc}-flow-rules", "SENTINEL_GROUP") if "sentinel" in key else (f"{svc}.yaml", "DEFAULT_GROUP")
    ref = f"nacos 配置发布 dataId={data_id} group={group}" if kind == "config" else (
        f"云效流水线 #{rng.randint(3000, 3999)}")  # fmt: skip
    path = f"charts/{svc}/values-prod.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": ref,
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def sentinel_rule_pushed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "sentinel_rule_pushed",
        "order-service",
        "recent_change",
        "rollback",
        "api-gateway",
        "GatewayOrderErrorRate",
        "a Sentinel flow rule for order creation was edited in the Nacos console and published with a threshold "
        "of 200 QPS where it had been 2000 (a zero lost); order-service refuses nine requests in ten as over the "
        "limit (HTTP 429) and the gateway's error rate jumps; publish the old rule again",
    )
    rule = (
        "--- a/SENTINEL_GROUP/order-service-flow-rules\n+++ b/SENTINEL_GROUP/order-service-flow-rules\n"
        "@@ -2,6 +2,6 @@\n"
        '   {\n     "resource": "POST:/api/orders",\n     "grade": 1,\n-    "count": 2000,\n+    "count": 200,\n'
        '     "controlBehavior": 0\n   }\n'
    )
    f.changes.append(change(at - 1 * M, "order-service", "config", "sentinel flow rule POST:/api/orders count",
                            "2000", "200", rng, "zhao.lei", rule))  # fmt: skip
    f.effects += [
        Effect("order-service", "error_ratio", at, 0.5, relative=False, ramp=0 * M),
        Effect("api-gateway", "error_ratio", at, 0.3, relative=False, ramp=0 * M),
        Effect("order-service", "latency_p99", at, 0.6),  # refused at once: faster than serving
    ]
    f.bursts += [
        Burst("order-service", at, 40, "warn", "请求被限流 resource=POST:/api/orders, blocked by "
              "FlowRule{resource=POST:/api/orders, limitApp=default, grade=1, count=200.0, strategy=0, "
              "controlBehavior=0}: com.alibaba.csp.sentinel.slots.block.flow.FlowException: null"),
        Burst("api-gateway", at, 40, "info", '10.12.1.{n} - - [{clf}] "POST /api/orders HTTP/1.1" 429 58 2 ms'),
    ]  # fmt: skip
    return f


def flash_sale_threadpool(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 11) * M
    f = Fault(
        "flash_sale_threadpool",
        "inventory-service",
        "capacity",
        "scale",
        "order-service",
        "OrderCreateFailRate",
        "the noon flash sale (秒杀) brought ten times the usual orders; every order deducts stock through "
        "inventory-service's Dubbo provider, whose 200 server threads are all busy; Dubbo aborts the rest and "
        "order creation fails; add inventory-service replicas",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("api-gateway", "request_rate", at - 6 * M, 4.0, ramp=6 * M),
        Effect("order-service", "request_rate", at - 6 * M, 4.5, ramp=6 * M),
        Effect("inventory-service", "request_rate", at - 6 * M, 5.0, ramp=6 * M),
        Effect("inventory-service", "cpu_utilization", at, 0.94, relative=False),
        Effect("inventory-service", "latency_p99", at, 14.0),
        Effect("order-service", "latency_p99", at + 1 * M, 6.0),
        Effect("order-service", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("inventory-service", at, 6, "warn", "[DUBBO] Thread pool is EXHAUSTED! Thread Name: "
              "DubboServerHandler-10.12.3.7:20880, Pool Size: 200 (active: 200, core: 200, max: 200, largest: 200), "
              "Task: 88{n}1921 (completed: 88{n}1721), Executor status:(isShutdown:false, isTerminated:false, "
              "isTerminating:false), in dubbo://10.12.3.7:20880!, dubbo version: 3.2.9, current host: 10.12.3.7, "
              "error code: 0-1."),
        Burst("order-service", at + 1 * M, 20, "error", "下单失败 orderNo=WM20260603{n}1288: "
              "org.apache.dubbo.rpc.RpcException: Failed to invoke the method deduct in the service "
              "com.waimai.inventory.api.StockService. Tried 3 times of the providers [10.12.3.7:20880, "
              "10.12.3.11:20880] (2/2) from the registry nacos-headless.waimai:8848 on the consumer 10.12.4.9 using "
              "the dubbo version 3.2.9. Last error is: Server side(10.12.3.7,20880) thread pool is exhausted, "
              "detail msg:Thread pool is EXHAUSTED!"),
    ]  # fmt: skip
    return f


def commitlog_disk_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "commitlog_disk_full",
        "rocketmq-broker",
        "resource_exhaustion",
        "config_change",
        "order-service",
        "OrderEventSendFailures",
        "the broker keeps commit logs for 72 hours and a replay of last week's order events filled its disk; "
        "past 95 % the broker marks itself unwritable and refuses every message, so orders cannot publish their "
        "events; shorten fileReservedTime and let the broker reclaim the disk",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("rocketmq-broker", "disk_utilization", at - 50 * M, 0.97, relative=False, ramp=50 * M),
        Effect("order-service", "error_ratio", at, 0.35, relative=False),
        Effect("payment-service", "error_ratio", at + 1 * M, 0.2, relative=False),
        Effect("rider-dispatch", "request_rate", at + 1 * M, 0.3),
    ]
    f.bursts += [
        Burst("rocketmq-broker", at - 25 * M, 0.5, "warn", "{date} WARN StoreScheduledThread1 - physic disk maybe "
              "full soon 0.9{n}, so reclaim space, storePathPhysic=/home/rocketmq/store/commitlog", minutes=25),
        Burst("rocketmq-broker", at, 2, "error", "{date} ERROR StoreScheduledThread1 - physic disk maybe full soon "
              "0.96, so mark disk full, storePathPhysic=/home/rocketmq/store/commitlog"),
        Burst("rocketmq-broker", at, 10, "warn", "{date} WARN SendMessageThread_{n} - message store is not "
              "writeable, so putMessage is forbidden 16"),
        Burst("order-service", at, 15, "error", "订单事件发送失败 topic=ORDER_CREATED "
              "orderNo=WM20260603{n}1288: org.apache.rocketmq.client.exception.MQBrokerException: CODE: 14  DESC: "
              "service not available now. It may be caused by one of the following reasons: the broker's disk is "
              "full [CL:  0.96 CQ:  0.96 INDEX:  0.96], messages are put to the slave, message store has been shut "
              "down, etc. BROKER: 10.12.5.11:10911"),
    ]  # fmt: skip
    return f


def oss_key_disabled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "oss_key_disabled",
        "image-service",
        "expired_credential",
        "config_change",
        "merchant-service",
        "MerchantMenuSaveErrors",
        "the security team's 90-day rotation disabled the RAM user's old AccessKey; image-service's Kubernetes "
        "secret still holds it, so every upload to OSS is refused and merchants cannot save dishes with "
        "pictures; put the new key in the secret",
    )
    f.effects += [
        Effect("image-service", "error_ratio", at, 0.65, relative=False),
        Effect("merchant-service", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("image-service", at, 15, "error", '{"level":"error","ts":{epoch},"caller":"storage/oss.go:74","msg":'
              '"put object failed","bucket":"waimai-menu-images","key":"menu/m88{n}/dish.jpg","error":"oss: service '
              'returned error: StatusCode=403, ErrorCode=InvalidAccessKeyId, ErrorMessage=\\"The OSS Access Key Id '
              'you provided is disabled.\\", RequestId=6650A1B2C3D4E5F6{n}, Ec=0003-00000001"}'),
        Burst("merchant-service", at + 1 * M, 4, "error", "菜品图片上传失败 dishId=77{n}1: "
              "feign.FeignException$InternalServerError: [500 Internal Server Error] during [POST] to "
              "[http://image-service/v1/images] [ImageClient#upload(MultipartFile)]"),
    ]  # fmt: skip
    return f


def alipay_gateway_slow(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "alipay_gateway_slow",
        "alipay",
        "dependency_failure",
        "escalate",
        "payment-service",
        "PaymentLatencyHigh",
        "Alipay's open-platform gateway answers in seconds instead of milliseconds (their incident, posted on "
        "their status page later); payments wait and time out; nothing of ours changed; open a ticket with Alipay",
    )
    f.effects += [
        Effect("payment-service", "latency_p99", at, 9.0),
        Effect("payment-service", "error_ratio", at, 0.2, relative=False),
        Effect("order-service", "latency_p99", at + 1 * M, 2.5),
    ]
    f.bursts += [
        Burst("payment-service", at, 12, "error", "支付宝下单接口超时 method=alipay.trade.app.pay "
              "out_trade_no=WM20260603{n}1288: java.net.SocketTimeoutException: Read timed out"),
        Burst("payment-service", at, 6, "warn", "调用支付宝网关耗时过长 cost=8{n}12ms "
              "url=https://openapi.alipay.com/gateway.do"),
    ]  # fmt: skip
    f.failing_calls.append(("payment-service", "alipay"))
    return f


def arm64_image(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 8) * M
    f = Fault(
        "arm64_image",
        "rider-dispatch",
        "recent_change",
        "rollback",
        "rider-dispatch",
        "RiderDispatchLatencyHigh",
        "a hotfix of rider-dispatch was built on an arm64 laptop and pushed by hand; the rollout's new pods on "
        "the amd64 nodes die at start with exec format error, the old pods left carry all the load; roll back",
    )
    image = "registry-vpc.cn-hangzhou.aliyuncs.com/waimai/rider-dispatch"
    f.changes.append(change(at - 1 * M, "rider-dispatch", "deploy", "image", f"{image}:1.18.3",
                            f"{image}:1.18.4-hotfix", rng, "sun.hao"))  # fmt: skip
    f.effects += [
        Effect("rider-dispatch", "restarts", at, 4.0, relative=False, ramp=0 * M),
        Effect("rider-dispatch", "cpu_utilization", at + 1 * M, 0.9, relative=False),
        Effect("rider-dispatch", "latency_p99", at + 1 * M, 5.0),
    ]
    f.bursts.append(Burst("rider-dispatch", at, 4, "error", "exec /app/rider-dispatch: exec format error"))
    f.events.append(KEvent("rider-dispatch", "BackOff", "Back-off restarting failed container rider-dispatch in "
                           "pod rider-dispatch", at, waiting="CrashLoopBackOff"))  # fmt: skip
    return f


def alert_threshold_typo(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "alert_threshold_typo",
        "api-gateway",
        "no_incident",
        "none",
        "api-gateway",
        "GatewayP99High",
        "an edit of the ARMS alert rules set the gateway's p99 threshold to 0.2 s where 2 s was meant; the "
        "gateway's p99 sits where it always does; no incident: correct the rule",
    )
    f.changes.append(change(at - rng.randint(2, 5) * M, "api-gateway", "alert_rule", "GatewayP99High threshold",
                            "p99 > 2s for 5m", "p99 > 0.2s for 5m", rng, "wang.fang"))  # fmt: skip
    return f


FAULTS = [sentinel_rule_pushed, flash_sale_threadpool, commitlog_disk_full, oss_key_disabled, alipay_gateway_slow,
          arm64_image, alert_threshold_typo]  # fmt: skip
