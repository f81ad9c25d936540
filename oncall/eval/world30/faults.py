"""World 30's faults, from ad-tech and platform postmortems, in this estate's words: a bidder release
that stops caching user profiles and floods the profile store (the store alarms, the caller is the
cause); a feature flag rolled from a tenth of bidders to all of them, whose new pricing model saturates
the bidders (the auction alarms on bids arriving too late); the currency feed publishing a zero rate
(the budget pacer divides by it); etcd reaching its space quota (campaign writes refused); the object
store's bucket policy for the auction logs replaced by a read-only one; a real surge of bid requests
past what the auction's replicas can serve; and the hourly dayparting pass, when many campaigns' flight
windows open at once and bid traffic rises as it does every hour (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"clusters/prod/rtb/{svc}/values.yaml"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"!{rng.randint(1000, 9999)}",
        diff=f"--- a/{path}\n+++ b/{path}\n@@ -4,1 +4,1 @@\n-{key}: {old}\n+{key}: {new}\n",
    )


def profile_cache_bypass(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "profile_cache_bypass",
        "bidder",
        "recent_change",
        "rollback",
        "profiles",
        "AerospikeReadLatencyHigh",
        "bidder 5.8.0 reads each user's profile from Aerospike on every bid instead of from its local cache; "
        "the profile store's reads went up ninefold and its devices queue",
        also_accept=["capacity"],
    )
    f.changes.append(change(at - rng.randint(2, 4) * M, "bidder", "deploy", "image.tag", "5.7.3", "5.8.0", rng,
                            "flux"))  # fmt: skip
    f.effects += [
        Effect("profiles", "request_rate", at, 9.0),
        Effect("profiles", "cpu_utilization", at, 0.96, relative=False),
        Effect("profiles", "latency_p99", at, 15.0),
        Effect("bidder", "latency_p99", at, 4.0),
        Effect("bidder", "error_ratio", at + M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("profiles", at, 6, "warn", "(rw): (read.c:312) {users} /dev/nvme0n1: read queue too deep: exceeds "
              "max 256"),
        Burst("bidder", at + M, 30, "warn", 'msg="profile lookup failed" err="ResultCode: TIMEOUT, Iteration: 1, '
              'InDoubt: false, Node: BB9020011AC4202 10.42.5.8:3000: command execution timed out on client"'),
    ]  # fmt: skip
    return f


def shading_flag_rollout(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "shading_flag_rollout",
        "flags",
        "recent_change",
        "rollback",
        "auction",
        "AuctionNoBidRateHigh",
        "the bid-shading-v2 toggle's gradual rollout went from 10 % of bidders to 100 %; its pricing model "
        "takes five times the CPU, bidders saturate and their bids arrive after the auction's deadline",
    )
    f.changes.append(change(at - 2 * M, "flags", "feature_flag", "bid-shading-v2.rollout", "10", "100", rng,
                            "pricing-team"))  # fmt: skip
    f.effects += [
        Effect("bidder", "cpu_utilization", at, 0.98, relative=False),
        Effect("bidder", "latency_p99", at, 7.0),
        Effect("auction", "error_ratio", at + M, 0.35, relative=False),
        Effect("auction", "latency_p99", at + M, 1.4),
    ]
    f.bursts += [
        Burst("auction", at + M, 40, "warn", "bidder internal-bidder did not answer within tmax 120ms; auction "
              "closed without it"),
        Burst("bidder", at, 20, "warn", 'msg="bid abandoned" err="context deadline exceeded"'),
    ]  # fmt: skip
    return f


def fx_rate_zero(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "fx_rate_zero",
        "fx-feed",
        "dependency_failure",
        "escalate",
        "budget",
        "BudgetPacingFailures",
        "the currency provider's 07:40 snapshot carried a rate of 0 for EUR; the pacer divides by it and every "
        "euro campaign's pacing fails",
    )
    f.effects.append(Effect("budget", "error_ratio", at, 0.45, relative=False))
    f.bursts += [
        Burst("budget", at, 1, "info", "Loaded FX snapshot from fx-feed: 31 rates", minutes=1),
        Burst("budget", at, 1, "warn", "FX snapshot from fx-feed has a non-positive rate: EUR=0.000000",
              minutes=1),
        Burst("budget", at, 18, "error", "Pacing failed for campaign 88213\njava.lang.ArithmeticException: / by zero"
              "\n\tat com.bidlane.budget.CurrencyConverter.toMicros(CurrencyConverter.java:41)\n\tat com.bidlane."
              "budget.Pacer.update(Pacer.java:118)"),
    ]  # fmt: skip
    return f


def etcd_space_quota(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "etcd_space_quota",
        "config-store",
        "resource_exhaustion",
        "config_change",
        "campaigns",
        "CampaignApiErrors",
        "etcd's keyspace history outgrew its 8 GiB backend quota after auto-compaction was left off; etcd "
        "raised its NOSPACE alarm and refuses every write, so campaign edits fail",
    )
    f.effects += [
        Effect("config-store", "disk_utilization", at - 150 * M, 1.0, relative=False, ramp=timedelta(minutes=150)),
        Effect("campaigns", "error_ratio", at, 0.8, relative=False),
    ]
    f.bursts += [
        Burst("config-store", at, 1, "warn", '"msg":"alarm raised","alarm":"NOSPACE","from":"8e9e05c52164694d"',
              minutes=1),
        Burst("campaigns", at, 8, "error", '"msg":"save campaign failed","campaign":88213,"err":"etcdserver: mvcc: '
              'database space exceeded"'),
    ]  # fmt: skip
    return f


def bucket_policy_readonly(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "bucket_policy_readonly",
        "objects",
        "recent_change",
        "rollback",
        "loader",
        "AuctionLogUploadsFailing",
        "a tidy-up of the object store's policies attached the read-only auction-logs policy to the loader's "
        "user in place of the read-write one; every upload is refused",
        also_accept=["permission_denied"],
    )
    f.changes.append(change(at - 2 * M, "objects", "policy", "users.loader.policy", "auction-logs-rw",
                            "auction-logs-ro", rng, "platform-team"))  # fmt: skip
    f.effects.append(Effect("loader", "error_ratio", at, 1.0, relative=False))
    f.bursts += [
        Burst("loader", at, 4, "error", "upload failed for part-00012.parquet\nbotocore.exceptions.ClientError: An "
              "error occurred (AccessDenied) when calling the PutObject operation: Access Denied."),
    ]  # fmt: skip
    return f


def bid_surge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "bid_surge",
        "auction",
        "capacity",
        "scale",
        "edge",
        "EdgeLatencyHigh",
        "a cup final's audience drove bid requests to 2.3 times the day's peak; the auction's replicas were at "
        "their autoscaler's maximum and shed load",
    )
    f.effects += [
        Effect("edge", "request_rate", at, 2.3),
        Effect("auction", "request_rate", at, 2.3),
        Effect("auction", "cpu_utilization", at, 0.98, relative=False),
        Effect("auction", "latency_p99", at, 8.0),
        Effect("auction", "error_ratio", at + M, 0.22, relative=False),
        Effect("edge", "latency_p99", at + M, 6.0),
        Effect("edge", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("auction", at + M, 30, "warn", "shedding load: 4096 auctions in flight at the limit, answering 503"),
        Burst("edge", at + M, 60, "info", "POST /openrtb2/auction 503"),
    ]  # fmt: skip
    return f


def hourly_flights(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "hourly_flights",
        "auction",
        "no_incident",
        "none",
        "auction",
        "BidRequestSurge",
        "the campaign service's hourly dayparting pass opened 412 campaigns' flight windows; bid traffic rises "
        "by two thirds for twelve minutes at this minute every hour and the traffic-anomaly rule fired on it "
        "(no incident)",
    )
    for hour in range(6):  # the same rise at the same minute of every hour in the window
        start = at - hour * 60 * M
        f.effects += [
            Effect(svc, "request_rate", start, 1.7, until=start + 12 * M) for svc in ("edge", "auction", "bidder")
        ]
        f.effects.append(Effect("auction", "cpu_utilization", start, 0.6, relative=False, until=start + 12 * M))
        f.bursts.append(Burst("campaigns", start, 1, "info", '"msg":"dayparting: campaigns entered their flight '
                              'window","count":412', minutes=1))  # fmt: skip
    return f


FAULTS = [profile_cache_bypass, shading_flag_rollout, fx_rate_zero, etcd_space_quota, bucket_policy_readonly,
          bid_surge, hourly_flights]  # fmt: skip
