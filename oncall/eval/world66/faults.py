"""World 66's faults, from NATS, PostgreSQL, Perl, payment-acquirer and Kubernetes incidents, in this estate's
words: the BIDS stream at its byte limit, refusing new bids (raise it); the registry's release dropping its quota
cache, so the Directorate's API rate-limits every landing (roll back); the logistics minimum replicas raised to
30 by a load test's values merged to production, each pod's pool taking PostgreSQL's connections (roll back);
Straumur's API timing out (escalate); the registry's volume filled by debug logs left on (free it, lower the
level); a new nightly catch report holding row locks on the lots the auction updates (roll it back); and the
morning auction's opening rush (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD records a sync of the platform repository."""
    path = f"apps/{svc}/values-prod.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"argocd uppbod-{svc} sync {rng.getrandbits(32):08x}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def bids_stream_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "bids_stream_full",
        "nats",
        "resource_exhaustion",
        "config_change",
        "auction",
        "BidPublishFailures",
        "the BIDS stream keeps 30 days with max_bytes 8 GiB and discard new; the season's volume reached the "
        "limit and JetStream refuses every new bid; raise max_bytes (or keep fewer days)",
    )
    f.effects += [
        Effect("nats", "disk_utilization", t - timedelta(hours=6), 0.72, relative=False, ramp=timedelta(hours=6)),
        Effect("auction", "error_ratio", at, 0.7, relative=False),
        Effect("haproxy", "error_ratio", at + 1 * M, 0.35, relative=False),
    ]
    f.bursts += [
        Burst("auction", at, 25, "error", "{yy} {pod} ERROR [is.uppbod.auction.bids:131] - Bid rejected lot=L-44{n}: "
              "io.nats.client.JetStreamApiException: maximum bytes exceeded [10047]"),
        Burst("nats", at, 2, "warn", "[1] {nats} [WRN] JetStream stream 'UPPBOD > BIDS' at its limits: discarding "
              "new messages"),
    ]  # fmt: skip
    return f


def quota_cache_dropped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    deploy = at - rng.randint(4, 12) * M
    f = Fault(
        "quota_cache_dropped",
        "registry",
        "recent_change",
        "rollback",
        "registry",
        "LandingRegistrationErrors",
        "registry 8.2.0 replaced the quota cache with a lookup per catch line: forty calls a landing where there "
        "was one; the Directorate's API rate-limits us and landings cannot be registered; roll the registry back",
    )
    f.changes.append(change(deploy, "registry", "deploy", "image.tag", "8.1.3", "8.2.0", rng, "argocd"))
    f.effects += [
        Effect("registry", "error_ratio", at, 0.6, relative=False),
        Effect("registry", "latency_p99", at - 2 * M, 6.0),
        Effect("registry", "cpu_utilization", deploy + 1 * M, 0.55, relative=False),
    ]
    f.bursts += [
        Burst("registry", at, 20, "error", "[{mojo}] [12] [error] Fiskistofa quota lookup failed for vessel 29{n}: "
              "429 Too Many Requests (Retry-After: 60) at /opt/registry/lib/Registry/Quota.pm line 58."),
    ]  # fmt: skip
    f.failing_calls.append(("registry", "fiskistofa"))
    return f


def logistics_min_replicas(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "logistics_min_replicas",
        "logistics",
        "recent_change",
        "rollback",
        "auction",
        "AuctionErrorsHigh",
        "a load test's values file was merged to production: logistics' minReplicas went from 3 to 30, each pod "
        "with a pool of 10 connections, and the managed PostgreSQL's 300 are taken; the auction and the registry "
        "are refused; roll the values back",
    )
    f.changes.append(change(at - 3 * M, "logistics", "scale", "autoscaling.minReplicas", "3", "30", rng,
                            "argocd"))  # fmt: skip
    f.effects += [
        Effect("auction", "error_ratio", at, 0.4, relative=False),
        Effect("auction", "latency_p99", at, 5.0),
        Effect("registry", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("haproxy", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("logistics", at - 2 * M, 20, "info", '{"asctime": "{py}", "levelname": "INFO", "name": '
              '"logistics.db", "message": "connection pool ready size=10"}', minutes=3),
        Burst("auction", at, 20, "error", "{yy} {pod} ERROR [is.uppbod.auction.db:52] - Bid not saved lot=L-44{n}: "
              "org.postgresql.util.PSQLException: FATAL: sorry, too many clients already"),
        Burst("registry", at + 1 * M, 8, "error", '[{mojo}] [12] [error] DBI connect failed: FATAL:  remaining '
              'connection slots are reserved for non-replication superuser connections at '
              '/opt/registry/lib/Registry/Db.pm line 21.'),
    ]  # fmt: skip
    return f


def straumur_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "straumur_timeouts",
        "straumur",
        "dependency_failure",
        "escalate",
        "settlement",
        "SettlementFailures",
        "Straumur's acquiring API stopped answering (their incident); settlement's captures time out after 10 s; "
        "nothing of ours changed; escalate to Straumur",
    )
    f.effects += [
        Effect("settlement", "error_ratio", at, 0.9, relative=False),
        Effect("settlement", "latency_p99", at, 12.0),
    ]
    f.bursts += [
        Burst("settlement", at, 14, "error", '{"asctime": "{py}", "levelname": "ERROR", "name": "settlement.capture", '
              '"message": "capture failed lot=L-44{n}: HTTPSConnectionPool(host=\'api.straumur.is\', port=443): '
              'Read timed out. (read timeout=10)"}'),
    ]  # fmt: skip
    f.failing_calls.append(("settlement", "straumur"))
    return f


def registry_debug_logs(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "registry_debug_logs",
        "registry",
        "resource_exhaustion",
        "config_change",
        "registry",
        "LandingRegistrationErrors",
        "MOJO_LOG_LEVEL=debug was set on the registry to chase a bug six hours ago and never set back; its log "
        "file on the data volume filled it and uploads of landing certificates fail; set the level back and "
        "rotate the log",
        also_accept=["recent_change"],
    )
    f.changes.append(change(t - timedelta(hours=6), "registry", "config", "env.MOJO_LOG_LEVEL", "info", "debug", rng,
                            "g.sigurdsson"))  # fmt: skip
    f.effects += [
        Effect("registry", "disk_utilization", t - timedelta(hours=6), 1.0, relative=False,
               ramp=timedelta(hours=6) - 8 * M),
        Effect("registry", "error_ratio", at, 0.5, relative=False),
    ]  # fmt: skip
    f.bursts += [
        Burst("registry", t - timedelta(hours=6), 30, "info", "[{mojo}] [12] [debug] Quota row for vessel 29{n}: "
              "kg_left=1{n}400 species=thorskur", minutes=360),
        Burst("registry", at, 15, "error", "[{mojo}] [12] [error] Can't write certificate /data/certs/29{n}.pdf: "
              "No space left on device at /opt/registry/lib/Registry/Certs.pm line 33."),
    ]  # fmt: skip
    return f


def catch_report_locks(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "catch_report_locks",
        "catch-report",
        "recent_change",
        "rollback",
        "auction",
        "BidLatencyHigh",
        "a nightly catch report added yesterday selects the day's lots FOR UPDATE in one long transaction; from "
        "its first run at the auction's opening the auction's updates wait on its row locks; roll the job back",
    )
    run = at - 1 * M  # its first run, as the schedule set yesterday says
    f.changes.append(change(t - timedelta(hours=rng.randint(14, 18)), "catch-report", "config", "schedule",
                            "(none)", f"'{run.minute} {run.hour} * * *'", rng, "h.jonsdottir"))  # fmt: skip
    f.effects += [
        Effect("auction", "latency_p99", at, 20.0),
        Effect("auction", "error_ratio", at + 1 * M, 0.2, relative=False),
        Effect("haproxy", "latency_p99", at, 8.0),
    ]
    f.bursts += [
        Burst("catch-report", run, 1, "info", '{"asctime": "{py}", "levelname": "INFO", "name": '
              '"catch_report", "message": "locking lots for report date=today"}', minutes=1),
        Burst("auction", at + 1 * M, 12, "error", "{yy} {pod} ERROR [is.uppbod.auction.lots:201] - Lot update "
              "failed lot=L-44{n}: org.postgresql.util.PSQLException: ERROR: canceling statement due to lock "
              "timeout"),
    ]  # fmt: skip
    return f


def opening_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "opening_rush",
        "auction",
        "no_incident",
        "none",
        "auction",
        "BidLatencyHigh",
        "the morning auction opens: buyers bid on the night's landings within minutes, bids five times the hour "
        "before and latency up by half, as every weekday; nothing fails; no incident",
    )
    f.effects += [
        Effect("auction", "request_rate", at, 5.0, ramp=2 * M),
        Effect("haproxy", "request_rate", at, 3.0, ramp=2 * M),
        Effect("auction", "latency_p99", at, 1.5, ramp=2 * M),
        Effect("auction", "cpu_utilization", at, 0.7, relative=False, ramp=2 * M),
        Effect("pricing", "request_rate", at, 2.0, ramp=2 * M),
    ]
    f.bursts += [
        Burst("auction", at, 1, "info", "{yy} {pod} INFO [is.uppbod.auction.session:40] - Auction session opened "
              "lots=3{n}0", minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [bids_stream_full, quota_cache_dropped, logistics_min_replicas, straumur_timeouts, registry_debug_logs,
          catch_report_locks, opening_rush]  # fmt: skip
