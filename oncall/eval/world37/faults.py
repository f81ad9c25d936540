"""World 37's faults, from retailers' postmortems, in this estate's words: an Ansible change shrinking the
cache's memory so its hit ratio collapses and the database takes every read (the cache logs nothing and
looks healthy; the database is what alarms); a pricing release that throws on products without a unit
price; the payment provider slowing until payments' request threads are all waiting on it; the message
broker's certificate expiring so its clients refuse its handshake; an inventory release whose migration
locks the stock table; the weekly flyer's real load on the cart; and the external probe failing from one
location while every customer is served (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"group_vars/{svc}.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def cache_shrunk(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "cache_shrunk",
        "cache",
        "recent_change",
        "rollback",
        "db",
        "MySQLHighLoad",
        "an Ansible change meant for the staging cache set memcached's memory from 4096 MB to 512 MB in "
        "production; its hit ratio collapsed, and every read the cache no longer holds goes to the database",
    )
    f.changes.append(change(at - 3 * M, "cache", "config", "memcached_memory_mb", "4096", "512", rng, "ansible"))
    f.effects += [
        Effect("db", "request_rate", at, 3.5, ramp=4 * M),
        Effect("db", "cpu_utilization", at + 2 * M, 0.96, relative=False),
        Effect("db", "latency_p99", at + 2 * M, 12.0),
        Effect("pricing", "latency_p99", at + 3 * M, 6.0),
        Effect("storefront", "latency_p99", at + 3 * M, 4.0),
    ]
    f.bursts.append(Burst("pricing", at + 3 * M, 8, "warn", "slow query to db: SELECT price, promo_id FROM "
                          "product_price WHERE sku = ? took 2.8 s"))  # fmt: skip
    return f


def pricing_null_unit_price(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "pricing_null_unit_price",
        "pricing",
        "recent_change",
        "rollback",
        "storefront",
        "StorefrontErrors",
        "a pricing release applied promotions before checking for a unit price; products sold by weight have "
        "none, and every page showing one fails",
    )
    f.changes.append(change(at - 2 * M, "pricing", "deploy", "pricing_version", "5.12.0", "5.13.0", rng, "jenkins"))
    f.effects += [
        Effect("pricing", "error_ratio", at, 0.22, relative=False),
        Effect("storefront", "error_ratio", at, 0.15, relative=False),
        Effect("cart", "error_ratio", at, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("pricing", at, 20, "error", "Promotion evaluation failed for sku 40021\n"
              "java.lang.NullPointerException: Cannot invoke \"java.math.BigDecimal.multiply(java.math.BigDecimal)\""
              " because \"unitPrice\" is null\n"
              "\tat com.freshway.pricing.PromoCalculator.apply(PromoCalculator.java:88)\n"
              "\tat com.freshway.pricing.PriceController.price(PriceController.java:41)\n"
              "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)"),
        Burst("storefront", at, 15, "error", "price lookup for sku 40021 failed: 500 Internal Server Error from "
              "pricing"),
    ]  # fmt: skip
    return f


def psp_slow(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "psp_slow",
        "psp",
        "dependency_failure",
        "escalate",
        "payments",
        "CheckoutFailing",
        "the payment provider's authorisation API began answering in thirty seconds; payments' request threads "
        "all wait on it, so new checkouts are refused",
    )
    f.effects += [
        Effect("payments", "latency_p99", at, 30.0),
        Effect("payments", "error_ratio", at + 2 * M, 0.4, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 6, "warn", "authorisation for order 771203 still waiting on the provider after "
              "30000 ms (read timeout)"),
        Burst("payments", at + 2 * M, 10, "error", "Request rejected: all 200 request-processing threads are busy "
              "(maxThreads reached)"),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "psp"))
    return f


def mq_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "mq_cert_expired",
        "mq",
        "expired_credential",
        "config_change",
        "storesync",
        "StoreSyncStalled",
        "the broker's TLS certificate from the internal CA expired overnight; its clients refuse the handshake, "
        "so store sales stop flowing to inventory",
    )
    f.effects += [
        Effect("storesync", "error_ratio", at, 0.9, relative=False),
        Effect("inventory", "error_ratio", at, 0.08, relative=False),
        Effect("mq", "request_rate", at, 0.1),
    ]
    f.bursts += [
        Burst("storesync", at, 12, "error", "publish to mq failed: tls: failed to verify certificate: x509: "
              "certificate has expired or is not yet valid: current time is after 2026-01-19T00:00:00Z"),
        Burst("inventory", at, 4, "error", "stock consumer lost its connection to mq: [SSL: "
              "CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)"),
    ]  # fmt: skip
    return f


def stock_table_locked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "stock_table_locked",
        "inventory",
        "recent_change",
        "rollback",
        "storefront",
        "StorefrontSlow",
        "an inventory release's migration rebuilt the stock table to add a column, holding a lock on it; every "
        "stock read and write waits until it times out",
    )
    f.changes.append(change(at - M, "inventory", "deploy", "inventory_version", "3.40.2", "3.41.0", rng, "jenkins"))
    f.effects += [
        Effect("inventory", "latency_p99", at, 50.0),
        Effect("inventory", "error_ratio", at + M, 0.3, relative=False),
        Effect("storefront", "latency_p99", at, 8.0),
        Effect("storesync", "error_ratio", at + M, 0.4, relative=False),
        Effect("db", "cpu_utilization", at, 0.55, relative=False),
    ]
    f.bursts += [
        Burst("inventory", at, 1, "info", "Applying stock.0042_stocklevel_reserved... (ALTER TABLE stock_level "
              "ADD COLUMN reserved int NOT NULL DEFAULT 0)", minutes=1),
        Burst("inventory", at + M, 12, "error", "django.db.utils.OperationalError: (1205, 'Lock wait timeout "
              "exceeded; try restarting transaction')"),
        Burst("storefront", at + M, 8, "warn", "stock for store 118 unavailable: read timed out after 5000 ms"),
    ]  # fmt: skip
    return f


def flyer_day(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "flyer_day",
        "cart",
        "capacity",
        "scale",
        "storefront",
        "StorefrontSlow",
        "the weekly flyer went out at seven and four times the usual shoppers filled their carts; the cart "
        "service's hosts are out of CPU",
    )
    f.effects += [
        Effect("storefront", "request_rate", at - 14 * M, 4.0, ramp=8 * M),
        Effect("cart", "request_rate", at - 14 * M, 4.0, ramp=8 * M),
        Effect("cart", "cpu_utilization", at - 7 * M, 0.98, relative=False),
        Effect("cart", "latency_p99", at - 5 * M, 10.0),
        Effect("storefront", "latency_p99", at - 5 * M, 5.0),
    ]
    f.bursts.append(Burst("cart", at - 5 * M, 3, "warn", "Thread pool http-nio-8080 is 92% busy (184 of 200 "
                          "threads)"))  # fmt: skip
    return f


def probe_location(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "probe_location",
        "storefront",
        "no_incident",
        "none",
        "storefront",
        "StorefrontProbeFailed",
        "the external uptime probe in one location lost its route to the shop; every real customer is served "
        "(no incident)",
    )
    f.effects.append(Effect("storefront", "request_rate", at, 0.99))
    return f


FAULTS = [cache_shrunk, pricing_null_unit_price, psp_slow, mq_cert_expired, stock_table_locked, flyer_day,
          probe_location]  # fmt: skip
