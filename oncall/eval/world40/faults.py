"""World 40's faults, from marketplaces' and hosting companies' postmortems, in this estate's words: the
nightly reindex rescheduled to every half hour by a cron change, its bulk writes crowding out every search;
one seller's enormous photo making media run out of memory again and again (no change); the SMTP relay's
password rotated while the mailer still sends the old one; the resolver's forward zone for the internal
domain dropped in a config change, so the services cannot find the database and the broker; RabbitMQ's disk
filling until its disk alarm blocks every publisher; Redis reaching its memory limit with no eviction, so every
write of a session is refused; and the nightly backup keeping PostgreSQL busy for a while (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"roles/{svc}/defaults/main.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"ansible-{rng.getrandbits(24):06x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def reindex_every_half_hour(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "reindex_every_half_hour",
        "indexer",
        "recent_change",
        "rollback",
        "search",
        "SearchLatencyHigh",
        "a cron change meant for the staging indexer landed on live: the full reindex now starts every half "
        "hour, and its bulk writes take OpenSearch's threads from every search",
    )
    f.changes.append(change(at - 3 * M, "indexer", "config", "indexer_cron", '"15 3 * * *"', '"*/30 * * * *"', rng,
                            "ansible"))  # fmt: skip
    f.effects += [
        Effect("indexer", "request_rate", at - 2 * M, 40.0, ramp=1 * M),
        Effect("indexer", "cpu_utilization", at - 2 * M, 0.7, relative=False),
        Effect("opensearch", "cpu_utilization", at - 1 * M, 0.97, relative=False),
        Effect("opensearch", "latency_p99", at - 1 * M, 15.0),
        Effect("search", "latency_p99", at, 9.0),
        Effect("search", "error_ratio", at + 1 * M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("indexer", at - 2 * M, 12, "info", "bulk indexed 5000 listings in 4.8s (full reindex, batch 88)"),
        Burst("opensearch", at, 6, "warn", "[o.o.i.b.TransportShardBulkAction] [opensearch-02] rejected execution "
              "of coordinating operation [coordinating_and_primary_bytes=512mb, max_coordinating_and_primary_bytes"
              "=512mb]"),
        Burst("search", at + 1 * M, 8, "error", "Search failed for q='road bike': SocketTimeoutException: 2,000 "
              "milliseconds timeout on connection http-outgoing-12 [ACTIVE]"),
    ]  # fmt: skip
    return f


def photo_too_large(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "photo_too_large",
        "media",
        "resource_exhaustion",
        "config_change",
        "media",
        "PhotoUploadsFailing",
        "a seller's 24,000 by 18,000 pixel panorama is retried by the upload queue; each try takes media past its "
        "memory and the kernel kills it, over and over (no limit on a source image's resolution was set)",
    )
    f.effects += [
        Effect("media", "memory_utilization", at - 3 * M, 0.97, relative=False, ramp=2 * M),
        Effect("media", "restarts", at, 5.0, relative=False, ramp=6 * M),
        Effect("media", "error_ratio", at, 0.35, relative=False),
        Effect("edge", "error_ratio", at, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("media", at, 1, "error", "imgproxy.service: A process of this unit has been killed by the OOM killer."),
        Burst("media", at, 1, "error", "imgproxy.service: Main process exited, code=killed, status=9/KILL"),
        Burst("media", at - 1 * M, 2, "info", "Started processing GET /insecure/rs:fit:2048:2048/plain/"
              "s3://photos/88213-panorama.png"),
        Burst("edge", at, 6, "error", 'upstream prematurely closed connection while reading response header from '
              'upstream, client: 10.4.1.22, request: "GET /img/88213-panorama.png HTTP/1.1", upstream: '
              '"http://10.4.5.11:8080/insecure/rs:fit:2048:2048/plain/s3://photos/88213-panorama.png"'),
    ]  # fmt: skip
    return f


def smtp_password_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "smtp_password_rotated",
        "mailer",
        "expired_credential",
        "config_change",
        "mailer",
        "EmailDeliveryFailing",
        "the cloud account's SMTP credentials were rotated by the security team's schedule; the mailer's "
        "environment still holds the old password and the relay refuses every login",
    )
    f.effects.append(Effect("mailer", "error_ratio", at, 0.95, relative=False))
    f.bursts.append(Burst("mailer", at, 15, "error", "send failed template=new_message: SMTPAuthenticationError: "
                          "(535, b'Authentication Credentials Invalid')"))  # fmt: skip
    f.failing_calls.append(("mailer", "smtp-relay"))
    return f


def forward_zone_dropped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "forward_zone_dropped",
        "resolver",
        "recent_change",
        "rollback",
        "listings",
        "ListingsErrorRate",
        "a tidy-up of Unbound's config dropped the forward zone for internal.swapmart; every host's lookups of "
        "the database's and the broker's names now fail as they leave the cache",
    )
    f.changes.append(change(at - 2 * M, "resolver", "config", "unbound_forward_zones", '["internal.swapmart", '
                            '"consul"]', '["consul"]', rng, "ansible"))  # fmt: skip
    f.effects += [
        Effect("listings", "error_ratio", at, 0.45, relative=False),
        Effect("messaging", "error_ratio", at + 1 * M, 0.4, relative=False),
        Effect("resolver", "request_rate", at, 1.8),
    ]
    f.bursts += [
        Burst("listings", at, 20, "error", 'Internal Server Error: /api/listings: django.db.utils.OperationalError: '
              'could not translate host name "pg-main.internal.swapmart" to address: Name or service not known'),
        Burst("messaging", at + 1 * M, 10, "error", "amqp connect failed: getaddrinfo ENOTFOUND "
              "mq.internal.swapmart"),
        Burst("resolver", at, 4, "info", "info: validation failure <pg-main.internal.swapmart. A IN>: no "
              "authority for internal.swapmart from root"),
    ]  # fmt: skip
    return f


def broker_disk_alarm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "broker_disk_alarm",
        "rabbitmq",
        "resource_exhaustion",
        "scale",
        "messaging",
        "MessageSendLatencyHigh",
        "a queue nobody consumes since a feature was turned off kept growing; RabbitMQ's disk reached its free "
        "space limit and the disk alarm blocks every publisher",
    )
    f.also_accept.append("capacity")
    f.effects += [
        Effect("rabbitmq", "disk_utilization", at - 30 * M, 0.98, relative=False, ramp=28 * M),
        Effect("messaging", "latency_p99", at, 30.0),
        Effect("messaging", "error_ratio", at + 1 * M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("rabbitmq", at, 1, "warn", "Free disk space is insufficient. Free bytes: 48103424. Limit: 50000000"),
        Burst("rabbitmq", at, 1, "warn", "disk resource limit alarm set on node rabbit@rabbitmq-01."),
        Burst("messaging", at + 1 * M, 8, "error", "publish to exchange 'messages' failed: Channel closed by "
              "server: connection blocked (low on disk)"),
    ]  # fmt: skip
    return f


def sessions_without_expiry(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "sessions_without_expiry",
        "redis",
        "resource_exhaustion",
        "config_change",
        "listings",
        "LoginErrorRate",
        "since a release three weeks ago anonymous sessions are written without an expiry; Redis reached its "
        "maxmemory under the noeviction policy and refuses every write, so no one can sign in",
    )
    f.effects += [
        Effect("redis", "memory_utilization", at - 40 * M, 1.0, relative=False, ramp=38 * M),
        Effect("listings", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts.append(Burst("listings", at, 18, "error", "Internal Server Error: /api/auth/login: redis.exceptions."
                          "ResponseError: OOM command not allowed when used memory > 'maxmemory'."))  # fmt: skip
    return f


def nightly_backup(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "nightly_backup",
        "postgres",
        "no_incident",
        "none",
        "postgres",
        "PostgresCPUHigh",
        "the nightly base backup and dump keep PostgreSQL's CPU high for twenty minutes; reads slow a little and "
        "nothing fails (no incident)",
    )
    f.effects += [
        Effect("postgres", "cpu_utilization", at - 4 * M, 0.86, relative=False, ramp=2 * M),
        Effect("listings", "latency_p99", at - 3 * M, 1.3),
    ]
    f.bursts.append(Burst("postgres", at - 4 * M, 0.5, "info", "LOG:  checkpoint starting: force wait (base "
                          "backup)"))  # fmt: skip
    return f


FAULTS = [reindex_every_half_hour, photo_too_large, smtp_password_rotated, forward_zone_dropped, broker_disk_alarm,
          sessions_without_expiry, nightly_backup]  # fmt: skip
