"""World 38's faults, from betting and gaming operators' postmortems, in this estate's words: the odds feed
going stale (an upstream data error: markets are suspended, nothing of ours broke); a wallet release whose
balance page runs a query per bet, so the database's CPU is taken (the database alarms, the cause is its
caller); a cup final's kick-off bringing six times the bets until risk checks queue (real load); the
identity-check vendor revoking our API key at contract renewal; a change setting Redis to refuse writes at its
memory limit instead of evicting; the odds service's memory growing with every live event until it is
killed; and the evening's login peak tripping an alert while every login succeeds (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"charts/{svc}/values-prod.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def feed_stale(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "feed_stale",
        "feed",
        "dependency_failure",
        "escalate",
        "odds",
        "MarketsSuspended",
        "the odds feed stopped updating prices while keeping its connection open; the odds service suspends "
        "every market whose prices are older than ten seconds",
    )
    f.effects += [
        Effect("odds", "error_ratio", at, 0.3, relative=False),
        Effect("bets", "error_ratio", at + M, 0.25, relative=False),
        Effect("bets", "request_rate", at + M, 0.5),
    ]
    f.bursts += [
        Burst("odds", at, 30, "warn", "[OddsFeed] prices for event 8812 are 93 s old (limit 10 s) from the feed; "
              "suspending 14 markets"),
        Burst("bets", at + M, 15, "warn", 'bet refused	{"reason": "market suspended", "market": "1X2", '
              '"event": 8812}'),
    ]  # fmt: skip
    return f


def wallet_query_per_bet(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "wallet_query_per_bet",
        "wallet",
        "recent_change",
        "rollback",
        "postgres",
        "PostgresCPUHigh",
        "a wallet release rendered the balance page with one query per open bet; customers with hundreds of "
        "bets made the database's CPU the bottleneck for everyone",
    )
    f.changes.append(change(at - 3 * M, "wallet", "deploy", "image.tag", "wallet:2026.01.19-1", "wallet:2026.01.19-2",
                            rng, "argocd"))  # fmt: skip
    f.effects += [
        Effect("postgres", "request_rate", at, 6.0, ramp=3 * M),
        Effect("postgres", "cpu_utilization", at + M, 0.97, relative=False),
        Effect("postgres", "latency_p99", at + M, 15.0),
        Effect("wallet", "latency_p99", at + M, 12.0),
        Effect("risk", "latency_p99", at + 2 * M, 4.0),
    ]
    f.bursts.append(Burst("wallet", at + M, 10, "warn", "Completed 200 OK in 4812ms (Views: 12.1ms | ActiveRecord: "
                          "4790.3ms | Allocations: 981223)"))  # fmt: skip
    return f


def cup_final(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "cup_final",
        "risk",
        "capacity",
        "scale",
        "bets",
        "BetPlacementSlow",
        "the cup final kicked off and six times the usual bets arrived in a minute; every risk worker is busy "
        "and bets wait for their check",
    )
    f.effects += [
        Effect("bets", "request_rate", at - 12 * M, 6.0, ramp=5 * M),
        Effect("risk", "request_rate", at - 12 * M, 6.0, ramp=5 * M),
        Effect("risk", "cpu_utilization", at - 6 * M, 0.98, relative=False),
        Effect("risk", "latency_p99", at - 4 * M, 14.0),
        Effect("bets", "latency_p99", at - 4 * M, 9.0),
    ]
    f.bursts.append(Burst("risk", at - 4 * M, 3, "warn", 'check queue is long	{"queued": 4412, "workers": 64, '
                          '"oldest_ms": 8120}'))  # fmt: skip
    return f


def kyc_key_revoked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "kyc_key_revoked",
        "signup",
        "expired_credential",
        "config_change",
        "signup",
        "SignupsFailing",
        "the identity-check vendor issued a new API key at contract renewal and revoked the old one at midnight; "
        "signup still sends the old key and every check is refused",
    )
    f.effects.append(Effect("signup", "error_ratio", at, 0.95, relative=False))
    f.bursts.append(
        Burst(
            "signup",
            at,
            4,
            "error",
            "identity check for signup 88213 failed: 401 from the kyc "
            'vendor: {"error": "api_key_revoked", "message": "This API key has been revoked"}',
        )
    )
    return f


def redis_noeviction(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "redis_noeviction",
        "redis",
        "recent_change",
        "rollback",
        "odds",
        "OddsErrors",
        "a chart change set Redis' maxmemory-policy from allkeys-lru to noeviction; once it reached its memory "
        "limit it refused every write, and the odds and wallet services' caches failed",
    )
    f.changes.append(change(at - 25 * M, "redis", "config", "maxmemory-policy", "allkeys-lru", "noeviction", rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("redis", "memory_utilization", at - 25 * M, 1.0, relative=False, ramp=25 * M),
        Effect("odds", "error_ratio", at, 0.2, relative=False),
        Effect("wallet", "error_ratio", at, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("odds", at, 20, "error", "[OddsCache] write failed: %Redix.Error{message: \"OOM command not allowed "
              "when used memory > 'maxmemory'.\"}"),
        Burst("wallet", at, 8, "error", "Redis::CommandError: OOM command not allowed when used memory > "
              "'maxmemory'."),
    ]  # fmt: skip
    return f


def odds_memory_growth(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "odds_memory_growth",
        "odds",
        "resource_exhaustion",
        "restart",
        "odds",
        "OddsPodsRestarting",
        "every live event's channel process kept the full price history in its state; over the evening the "
        "odds pods' memory grew to their limit and they are being killed",
    )
    f.effects += [
        Effect("odds", "memory_utilization", at - 90 * M, 0.99, relative=False, ramp=90 * M),
        Effect("odds", "restarts", at, 3, relative=False),
        Effect("odds", "error_ratio", at, 0.12, relative=False),
    ]
    f.events.append(KEvent("odds", "BackOff", "Back-off restarting failed container odds", at + M,
                           terminated="OOMKilled"))  # fmt: skip
    f.bursts.append(Burst("bets", at, 8, "error", 'odds lookup failed	{"error": "dial tcp 10.60.2.14:4000: '
                          'connect: connection refused", "event": 8812}'))  # fmt: skip
    return f


def login_peak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "login_peak",
        "wallet",
        "no_incident",
        "none",
        "wallet",
        "LoginRateUnusual",
        "half an hour before the evening's matches three times the usual customers logged in to top up; every "
        "login and deposit succeeded (no incident)",
    )
    f.effects += [
        Effect("wallet", "request_rate", at - 10 * M, 3.0, ramp=8 * M),
        Effect("wallet", "cpu_utilization", at - 6 * M, 0.66, relative=False),
    ]
    return f


FAULTS = [feed_stale, wallet_query_per_bet, cup_final, kyc_key_revoked, redis_noeviction, odds_memory_growth,
          login_peak]  # fmt: skip
