"""World 23's faults, from brokerage and trading-platform postmortems, told in this estate's idioms: a
Vault policy narrowed so the order service can no longer read its database credentials (Vault itself
healthy); a portfolio release too slow to keep up with its NATS subject (the server cuts it off as a
slow consumer: the bus is the one that logs it); the market opening on a meme-stock morning with the
risk service at its autoscaler's maximum; the market-data provider's feed going dark; the exchange
refusing our FIX session because the client certificate it checks expired; Keycloak's session cache
outgrowing its heap hours after the idle timeout was raised to a month; and a trading halt on one
symbol whose rejected orders trip the reject-rate alert (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"clusters/prod/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"https://git.brokerage.example/platform/deploy/-/merge_requests/{rng.randint(1000, 9999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -3,1 +3,1 @@\n-  {key} {old}\n+  {key} {new}\n",
    }


def vault_policy_narrowed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "vault_policy_narrowed",
        "secrets",
        "permission_denied",
        "rollback",
        "orders",
        "OrderErrorRateHigh",
        "a tidy-up of Vault's policies left the orders role with only list on database/creds/orders; when "
        "the orders pods renewed their database credentials Vault answered 403 and every order failed",
        also_accept=["recent_change"],
    )
    path = "policies/orders.hcl"
    f.changes.append({
        "ts": at - rng.randint(3, 6) * M,
        "service": "secrets",
        "kind": "config",
        "from": 'path "database/creds/orders" capabilities ["read"]',
        "to": 'path "database/creds/orders" capabilities ["list"]',
        "author": "platform-security",
        "ref": f"https://git.brokerage.example/platform/vault-config/-/merge_requests/{rng.randint(100, 999)}",
        "diff": f'--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,3 @@\n path "database/creds/orders" {{\n'
                f'-  capabilities = ["read"]\n+  capabilities = ["list"]\n }}\n',
    })  # fmt: skip
    f.effects += [
        Effect("orders", "error_ratio", at, 0.38, relative=False),
        Effect("app-api", "error_ratio", at + M, 0.07, relative=False),
    ]
    f.bursts += [
        Burst("orders", at, 8, "error", "cannot renew orders-db credentials: Error making API request.\n\nURL: "
              "GET http://secrets:8200/v1/database/creds/orders\nCode: 403. Errors:\n\n* 1 error occurred:\n"
              "\t* permission denied"),
        Burst("orders", at, 20, "error", "order ord_7c21 failed: store unavailable: authentication failed "
              "(mechanism SCRAM-SHA-256)"),
        Burst("orders-db", at, 10, "info", 'Authentication failed :: {"_c": "ACCESS", "_id": 20249, "mechanism": '
              '"SCRAM-SHA-256", "user": "v-orders-Qz81", "db": "admin", "error": "UserNotFound: Could not find '
              'user \\"v-orders-Qz81\\" for db \\"admin\\""}'),
    ]  # fmt: skip
    return f


def slow_consumer_release(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "slow_consumer_release",
        "portfolio",
        "recent_change",
        "rollback",
        "app-api",
        "PortfolioEndpointSlow",
        "portfolio 5.2.0 writes every price tick to positions-db before acknowledging it; it falls behind "
        "the quotes subject, the NATS server drops it as a slow consumer again and again, and valuations "
        "go stale",
    )
    f.changes.append(change(at - 3 * M, "portfolio", "deploy", "tag:", "5.1.4", "5.2.0", rng, "flux"))
    f.effects += [
        Effect("portfolio", "latency_p99", at, 9.0),
        Effect("portfolio", "cpu_utilization", at, 0.88, relative=False),
        Effect("positions-db", "cpu_utilization", at, 0.71, relative=False),
        Effect("app-api", "latency_p99", at + M, 4.0),
    ]
    f.bursts += [
        Burst("bus", at, 6, "warn", '10.12.5.21:53112 - cid:8812 - "v1.32.0:elixir:portfolio" - Slow Consumer '
              "Detected: WriteDeadline of 10s exceeded with 1 chunks of 262144 total bytes."),
        Burst("bus", at, 6, "info", '10.12.5.21:53112 - cid:8812 - "v1.32.0:elixir:portfolio" - Client '
              "connection closed: Slow Consumer (Write Deadline)"),
        Burst("portfolio", at, 6, "warn", "Gnat.ConnectionSupervisor connection lost (:closed), reconnecting"),
        Burst("portfolio", at + M, 10, "error", "valuation for account A-20931 is stale by 47s, serving last "
              "known prices"),
    ]  # fmt: skip
    return f


def open_surge_at_max(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "open_surge_at_max",
        "risk",
        "capacity",
        "scale",
        "orders",
        "OrderLatencyHigh",
        "a meme-stock morning: orders at the open four times a normal day's; risk's autoscaler is at its "
        "maximum of 10 pods, every pod's CPU is pinned and pre-trade checks queue",
    )
    for svc, k in (("edge", 3.6), ("app-api", 3.6), ("orders", 4.2), ("risk", 4.2), ("fix-gateway", 3.9)):
        f.effects.append(Effect(svc, "request_rate", at - 2 * M, k, ramp=timedelta(minutes=6)))
    f.effects += [
        Effect("risk", "replicas", at - 2 * M, 10.0, relative=False, ramp=timedelta(minutes=4)),
        Effect("risk", "cpu_utilization", at, 0.97, relative=False),
        Effect("risk", "latency_p99", at, 14.0),
        Effect("orders", "latency_p99", at + M, 7.0),
        Effect("orders", "error_ratio", at + M, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("risk", at, 12, "warn", "check queue full (4096/4096), asking orders to retry ord_91ad later"),
        Burst("orders", at + M, 8, "warn", "risk check took 2.8s for ord_91ad (budget 500ms)"),
    ]
    return f


def market_feed_dark(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "market_feed_dark",
        "market-feed",
        "dependency_failure",
        "escalate",
        "quotes",
        "QuoteTicksLow",
        "the market-data provider's TotalView feed stopped sending and then refused connections; quotes has "
        "nothing to publish and the app shows stale prices",
    )
    f.effects += [
        Effect("quotes", "request_rate", at, 0.06, ramp=timedelta(0)),
        Effect("bus", "request_rate", at, 0.55),
    ]
    f.bursts += [
        Burst("quotes", at, 2, "warn", "feed XNAS-TOTALVIEW: no heartbeat for 30s, reconnecting"),
        Burst("quotes", at + M, 4, "error", "feed XNAS-TOTALVIEW: connect to totalview.feed-vendor.example:9441 "
              "failed: Connection refused"),
        Burst("quotes", at + M, 1, "info", "published 0 ticks on quotes.us.equities in last 1s"),
    ]  # fmt: skip
    f.failing_calls.append(("quotes", "market-feed"))
    return f


def fix_client_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "fix_client_cert_expired",
        "fix-gateway",
        "expired_credential",
        "config_change",
        "orders",
        "OrderErrorRateHigh",
        "the client certificate fix-gateway presents to the exchange's FIX acceptor expired; the exchange "
        "ends every handshake and no order can be routed",
        also_accept=["network"],
    )
    f.effects += [
        Effect("fix-gateway", "error_ratio", at, 0.93, relative=False),
        Effect("orders", "error_ratio", at + M, 0.41, relative=False),
        Effect("app-api", "error_ratio", at + M, 0.09, relative=False),
    ]
    f.bursts += [
        Burst("fix-gateway", at, 2, "error", "Disconnecting: javax.net.ssl.SSLHandshakeException: Received fatal "
              "alert: certificate_expired"),
        Burst("fix-gateway", at, 2, "warn", "FIX.4.4:BRKR->XNAS: Logon failed, next attempt in 30s"),
        Burst("orders", at + M, 15, "error", "order ord_3e07 not routed: venue XNAS session not logged on"),
    ]  # fmt: skip
    f.failing_calls.append(("fix-gateway", "exchange"))
    return f


def session_cache_outgrows_heap(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "session_cache_outgrows_heap",
        "auth",
        "resource_exhaustion",
        "config_change",
        "app-api",
        "LoginFailures",
        "the realm's SSO session idle timeout was raised from 30 minutes to 30 days five hours earlier; "
        "Keycloak's session cache grew with every login until the heap filled and the pods were OOMKilled",
        also_accept=["recent_change"],
    )
    f.changes.append(change(t - rng.randint(290, 330) * M, "auth", "config", "ssoSessionIdleTimeout:", "1800",
                            "2592000", rng, "iam-team"))  # fmt: skip
    f.effects += [
        Effect("auth", "memory_utilization", t - 300 * M, 0.98, relative=False, ramp=timedelta(minutes=290)),
        Effect("auth", "restarts", at, 3.0, relative=False),
        Effect("auth", "latency_p99", at - 3 * M, 25.0),
        Effect("auth", "error_ratio", at, 0.32, relative=False),
        Effect("app-api", "error_ratio", at + M, 0.11, relative=False),
    ]
    f.bursts += [
        Burst("auth", at - 4 * M, 3, "warn", "ISPN000094: Received new cluster view for channel ISPN: "
              "[keycloak-0|41] (2) [keycloak-0, keycloak-2]"),
        Burst("auth", at - 2 * M, 4, "error", "ISPN000136: Error executing command PutKeyValueCommand on Cache "
              "'sessions', writing keys [f3c1b2e0-7d51-4c1e-9a77-2b8d0c6e1f44]: java.lang.OutOfMemoryError: "
              "Java heap space"),
        Burst("app-api", at + M, 10, "error", "login failed: %Mint.TransportError{reason: :timeout} from "
              "http://auth:8080/realms/brokerage/protocol/openid-connect/token"),
    ]  # fmt: skip
    f.events.append(KEvent("auth", "BackOff", "Back-off restarting failed container keycloak", at,
                           terminated="OOMKilled"))  # fmt: skip
    return f


def halted_symbol_rejects(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "halted_symbol_rejects",
        "orders",
        "no_incident",
        "none",
        "orders",
        "OrderRejectRateHigh",
        "the exchange paused one symbol for five minutes under the limit-up/limit-down rule; orders for it "
        "were rejected by the venue as designed and trading resumed (no incident)",
    )
    halt = timedelta(minutes=5)
    f.effects.append(Effect("orders", "error_ratio", at, 0.06, relative=False, ramp=timedelta(0), until=at + halt))
    f.bursts += [
        Burst("fix-gateway", at, 25, "warn", "FIX.4.4:BRKR->XNAS: 35=8 39=8 150=8 55=GMEX 58=Trading halted: "
              "LULD pause", minutes=5),
        Burst("orders", at, 25, "warn", 'order ord_5b2c rejected by venue: reason="Trading halted: LULD pause" '
              "symbol=GMEX", minutes=5),
        Burst("fix-gateway", at + halt, 1, "info", "FIX.4.4:BRKR->XNAS: 35=f 326=17 55=GMEX SecurityStatus "
              "TradingResumed", minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [vault_policy_narrowed, slow_consumer_release, open_surge_at_max, market_feed_dark,
          fix_client_cert_expired, session_cache_outgrows_heap, halted_symbol_rejects]  # fmt: skip
