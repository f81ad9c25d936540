"""World 15's faults, from public postmortems of shapes no earlier world has: a Kafka consumer's
max.poll.interval.ms cut below its batch time (the group rebalances without end and nothing is
delivered); a partner's feed that began sending values the importer cannot parse (nothing of ours
changed); a JVM heap cut by a config change; a unit override lost in an upgrade, leaving a Go server
at the default open-file limit; a certificate rotated without its intermediate chain (clients that do
not carry the CA refuse the handshake, so traffic falls rather than errors rise); and an alert fired
by one bad sample (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"hosts/group_vars/{svc}.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -11 +11 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def poll_interval_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "poll_interval_cut",
        "notifier",
        "recent_change",
        "rollback",
        "notifier",
        "NotificationsDelayed",
        "notifier's max.poll.interval.ms went from 300000 to 30000, below the time one batch takes to send; the "
        "consumer leaves the group on every batch, the group rebalances without end and nothing is delivered",
    )
    f.changes.append(
        change(at - 3 * M, "notifier", "config", "kafka_max_poll_interval_ms", "300000", "30000", rng, "messaging")
    )
    f.effects += [
        Effect("notifier", "latency_p99", at, 25.0),
        Effect("notifier", "request_rate", at, 0.2),
    ]
    f.bursts += [
        Burst("notifier", at, 4, "warn", "WARN  o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=notifier-1, "
              "groupId=notifier] consumer poll timeout has expired. This means the time between subsequent calls to "
              "poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll "
              "loop is spending too much time processing messages. You can address this either by increasing "
              "max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with "
              "max.poll.records."),
        Burst("notifier", at, 4, "error", "ERROR c.s.notify.Dispatcher - batch failed: "
              "org.apache.kafka.clients.consumer.CommitFailedException: Commit cannot be completed since the group "
              "has already rebalanced and assigned the partitions to another member."),
        Burst("kafka", at, 6, "info", "[GroupCoordinator 2]: Preparing to rebalance group notifier in state "
              "PreparingRebalance with old generation 4411 (__consumer_offsets-12) (reason: Removing member "
              "notifier-1-5c1e on LeaveGroup; client reason: consumer poll timeout has expired.) "
              "(kafka.coordinator.group.GroupCoordinator)"),
    ]  # fmt: skip
    return f


def upstream_bad_data(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 12) * M
    f = Fault(
        "upstream_bad_data",
        "partner-feed",
        "dependency_failure",
        "escalate",
        "ingest",
        "IngestRejecting",
        "the partner's feed began sending 'N/A' in a numeric column; ingest rejects every record of the new "
        "batches. Nothing of ours changed: the partner fixes the feed",
    )
    f.effects.append(Effect("ingest", "error_ratio", at, 0.7, relative=False))
    f.bursts += [
        Burst("ingest", at, 20, "error", "event=\"record rejected\" feed=partner-feed batch=88121 field=duration_ms "
              "error=\"ValueError: could not convert string to float: 'N/A'\" level=error"),
        Burst("ingest", at, 1, "warn", 'event="batch quarantined" feed=partner-feed batch=88121 rejected=312 '
              "accepted=0 level=warning"),
    ]  # fmt: skip
    return f


def heap_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "heap_cut",
        "playback",
        "recent_change",
        "rollback",
        "edge",
        "HighErrorRate",
        "a config change cut playback's JVM heap from 4g to 1g; it spends its time in full GCs and dies of "
        "OutOfMemoryError, and the edge times out waiting for it",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 6 * M, "playback", "config", "jvm_heap_max", "4g", "1g", rng, "video-platform"))
    f.effects += [
        Effect("playback", "memory_utilization", at, 0.97, relative=False),
        Effect("playback", "latency_p99", at, 9.0),
        Effect("playback", "error_ratio", at, 0.15, relative=False),
        Effect("playback", "restarts", at + 2 * M, 2.0, relative=False),
        Effect("edge", "error_ratio", at + M, 0.09, relative=False),
    ]
    f.bursts += [
        Burst("playback", at, 6, "error", "ERROR c.s.playback.SessionController - request failed: "
              "java.lang.OutOfMemoryError: Java heap space"),
        Burst("playback", at, 10, "info", "[gc] GC(4411) Pause Full (G1 Compaction Pause) 1010M->1004M(1024M) "
              "2841.113ms"),
        Burst("edge", at + M, 15, "error", "upstream timed out (110: Connection timed out) while reading response "
              'header from upstream, client: 10.20.1.7, server: stream, request: "GET /v1/play/8812 HTTP/1.1", '
              'upstream: "http://10.20.4.12:8080/v1/play/8812"'),
    ]  # fmt: skip
    return f


def fd_limit_dropped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "fd_limit_dropped",
        "api",
        "recent_change",
        "rollback",
        "edge",
        "HighErrorRate",
        "an OS upgrade replaced api's systemd override and LimitNOFILE fell from 65536 to the default 1024; "
        "once its connections passed that, api could not accept or dial",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 16 * M, "api", "infra", "LimitNOFILE", "65536", "1024", rng, "unattended-upgrades"))
    f.effects += [
        Effect("api", "error_ratio", at, 0.3, relative=False, ramp=6 * M),
        Effect("edge", "error_ratio", at + M, 0.18, relative=False, ramp=6 * M),
    ]
    f.bursts += [
        Burst("api", at, 12, "error", "http: Accept error: accept tcp [::]:8080: accept4: too many open files; "
              "retrying in 1s"),
        Burst("api", at, 6, "error", 'level=ERROR msg="cache get failed" err="dial tcp 10.20.3.4:11211: socket: '
              'too many open files"'),
        Burst("edge", at + M, 12, "error", "upstream timed out (110: Connection timed out) while connecting to "
              'upstream, client: 10.20.1.9, server: stream, request: "GET /v1/me HTTP/1.1", '
              'upstream: "http://10.20.2.8:8080/v1/me"'),
    ]  # fmt: skip
    return f


def chain_incomplete(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "chain_incomplete",
        "edge",
        "recent_change",
        "rollback",
        "edge",
        "TrafficDrop",
        "the edge's yearly certificate was rotated without its intermediate chain; players that do not carry "
        "the intermediate refuse the handshake, so requests fall instead of failing",
        also_accept=["expired_credential"],
    )
    f.changes.append(
        change(at - 2 * M, "edge", "cert", "ssl_certificate", "stream-2025.fullchain.pem", "stream-2026.pem", rng,
               "certbot")
    )  # fmt: skip
    f.effects += [
        Effect("edge", "request_rate", at, 0.45),
        Effect("api", "request_rate", at, 0.5),
        Effect("playback", "request_rate", at, 0.45),
    ]
    f.bursts += [
        Burst("edge", at, 30, "info", "SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert "
              "unknown ca:SSL alert number 48) while SSL handshaking, client: 10.30.7.12, server: 0.0.0.0:443"),
    ]  # fmt: skip
    return f


def one_bad_sample(e: Estate, rng: random.Random, t: datetime) -> Fault:
    f = Fault(
        "one_bad_sample",
        "catalog",
        "no_incident",
        "none",
        "catalog",
        "HighErrorRate",
        "one scrape caught catalog's counters mid-reset after a routine restart of its exporter; the ratio "
        "spiked for one sample and the rule has no 'for'",
    )
    f.effects.append(Effect("catalog", "error_ratio", t - 2 * M, 0.35, relative=False, ramp=timedelta(0),
                            until=t - 2 * M + timedelta(seconds=16)))  # fmt: skip
    return f


FAULTS = [poll_interval_cut, upstream_bad_data, heap_cut, fd_limit_dropped, chain_incomplete, one_bad_sample]
