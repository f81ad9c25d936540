"""World 89's faults, from configuration, storage, release, credential, load and routine incidents on a Mastodon
server, in its admins' words: Sidekiq's concurrency raised from 25 to 100 threads, each holding a PgBouncer
client connection, past its max_client_conn, so the web's requests are refused too (put it back); Elasticsearch
past its flood-stage disk watermark, every index read-only and Sidekiq's indexing jobs refused (grow its disk);
a streaming release that keeps every closed subscription, its heap filling until Node dies (roll it back); the
Wasabi access key deleted in Wasabi's console before the new one was deployed, media uploads and fetches refused
(deploy the new key); a relay subscribed in the admin panel, its firehose of remote posts multiplying Sidekiq's
ingress work until the queues back up (unsubscribe it); and the weekly media clean-up (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

S = timedelta(seconds=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the admins keep them: the compose file's commits, and the admin panel's audit log."""
    path = "docker-compose.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:7],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -41 +41 @@\n-      {key}: {old}\n+      {key}: {new}\n",
    }


def sidekiq_threads_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "sidekiq_threads_raised",
        "sidekiq",
        "recent_change",
        "rollback",
        "web",
        "MastodonWebErrors",
        "to clear a backlog Sidekiq's concurrency went from 25 to 100 threads; each holds a PgBouncer client "
        "connection and PgBouncer's max_client_conn of 100 is reached, so it refuses the web's connections too; "
        "put the concurrency back (or raise max_client_conn with it)",
    )
    f.changes.append(change(at - 2 * M, "sidekiq", "config", "command", "bundle exec sidekiq -c 25",
                            "bundle exec sidekiq -c 100", rng, "admin@fedi.scot"))  # fmt: skip
    f.effects += [
        Effect("sidekiq", "request_rate", at - M, 2.5, ramp=3 * M),
        Effect("web", "error_ratio", at, 0.35, relative=False),
        Effect("web", "latency_p99", at, 5.0, relative=False),
        Effect("nginx", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("pgbouncer", at, 10, "warn", "WARNING C-0x55d{n}a: (nodb)/(nouser)@172.18.0.{k}:4{n}12 pooler error: "
              "no more connections allowed (max_client_conn)"),
        Burst("web", at, 8, "error", "method=GET path=/api/v1/timelines/home format=json controller=Api::V1::"
              "Timelines::HomeController action=show status=500 duration=5{n}.1|exc|ActiveRecord::ConnectionNotEstab"
              "lished|connection to server at \"pgbouncer\" (172.18.0.4), port 6432 failed: ERROR:  no more "
              "connections allowed (max_client_conn)"),
        Burst("nginx", at + M, 5, "info", '203.0.113.{k}{n} - - [{clf}] "GET /api/v1/timelines/home HTTP/1.1" 500 '
              '1{n}9 "-" "Ivory/2.1"'),
    ]  # fmt: skip
    return f


def es_flood_stage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "es_flood_stage",
        "es",
        "resource_exhaustion",
        "scale",
        "sidekiq",
        "SidekiqJobFailures",
        "Elasticsearch's disk passed its flood-stage watermark of 95%; it marked every index read-only and refuses "
        "the writes of Sidekiq's indexing jobs, which fail and retry; grow Elasticsearch's disk, then lift the "
        "read-only block",
    )
    f.effects += [
        Effect("es", "disk_utilization", t - 300 * M, 0.955, relative=False, ramp=300 * M - (t - at)),
        Effect("sidekiq", "error_ratio", at, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("es", at, 1, "warn", "component=o.e.c.r.a.DiskThresholdMonitor | message=flood stage disk watermark "
              "[95%] exceeded on [x{n}Q][es][/usr/share/elasticsearch/data] free: 1.{k}gb[4.{k}%], all indices on "
              "this node will be marked read-only"),
        Burst("sidekiq", at, 8, "error", "class=Scheduler::IndexingScheduler jid={n}f{k}a{k}d elapsed=0.{k} INFO: "
              "fail|exc|Elasticsearch::Transport::Transport::Errors::TooManyRequests|[429] {\"error\":{\"root_cause\":"
              "[{\"type\":\"cluster_block_exception\",\"reason\":\"index [statuses] blocked by: [TOO_MANY_REQUESTS/12/"
              "disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];\"}]}}"),
    ]  # fmt: skip
    return f


def streaming_keeps_subscriptions(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "streaming_keeps_subscriptions",
        "streaming",
        "recent_change",
        "rollback",
        "streaming",
        "StreamingUnavailable",
        "the streaming API's 4.3.3 release keeps every closed subscription's listener; its heap fills within "
        "an hour and Node dies, nginx failing every client's stream while it restarts; roll the release back",
    )
    f.changes.append(change(at - 50 * M, "streaming", "deploy", "image", "ghcr.io/mastodon/mastodon-streaming:v4.3.2",
                            "ghcr.io/mastodon/mastodon-streaming:v4.3.3", rng, "admin@fedi.scot"))  # fmt: skip
    f.effects += [
        Effect("streaming", "memory_utilization", at - 48 * M, 0.98, relative=False, ramp=46 * M),
        Effect("streaming", "restarts", at, 2, relative=False),
        Effect("streaming", "error_ratio", at, 0.5, relative=False),
        Effect("nginx", "error_ratio", at, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("streaming", at, 2, "error", "msg=FATAL ERROR: Reached heap limit Allocation failed - JavaScript "
              "heap out of memory"),
        Burst("nginx", at, 10, "error", "[error] 31#31: *{n}{k}{k} connect() failed (111: Connection refused) while "
              "connecting to upstream, client: 203.0.113.{k}, server: fedi.scot, request: \"GET /api/v1/streaming "
              "HTTP/1.1\", upstream: \"http://172.18.0.6:4000/api/v1/streaming\""),
    ]  # fmt: skip
    return f


def wasabi_key_deleted(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "wasabi_key_deleted",
        "web",
        "expired_credential",
        "config_change",
        "web",
        "MastodonWebErrors",
        "an admin rotating the Wasabi access key deleted the old key in Wasabi's console before the new one was in "
        ".env.production; every media upload and remote media fetch is refused; deploy the new key to web and "
        "Sidekiq",
    )
    f.effects += [
        Effect("web", "error_ratio", at, 0.15, relative=False),
        Effect("sidekiq", "error_ratio", at, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("web", at, 5, "error", "method=POST path=/api/v2/media format=json controller=Api::V2::MediaController "
              "action=create status=500 duration=2{n}.4|exc|Aws::S3::Errors::InvalidAccessKeyId|The AWS Access Key "
              "Id you provided does not exist in our records."),
        Burst("sidekiq", at, 6, "error", "class=RedownloadMediaWorker jid={n}c{k}b{k}a elapsed=0.{k} INFO: fail|exc|"
              "Aws::S3::Errors::InvalidAccessKeyId|The AWS Access Key Id you provided does not exist in our records."),
    ]  # fmt: skip
    f.failing_calls += [("web", "wasabi"), ("sidekiq", "wasabi")]
    return f


def relay_firehose(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "relay_firehose",
        "web",
        "recent_change",
        "rollback",
        "sidekiq",
        "SidekiqQueueLatency",
        "an admin subscribed the server to a large relay in the admin panel; it pushes every public post of its "
        "members to our inbox, the web queues each for Sidekiq, whose ingress work multiplies until its queues "
        "back up by an hour; unsubscribe the relay",
    )
    f.changes.append(change(at - 2 * M, "web", "setting", "relays", "none", "https://relay.fedi.buzz/inbox "
                            "(enabled)", rng, "admin@fedi.scot", code="Admin::RelaysController#enable relay.fedi.buzz\n"
                            ))  # fmt: skip
    f.effects += [
        Effect("nginx", "request_rate", at, 6.0, ramp=2 * M),
        Effect("web", "request_rate", at, 5.0, ramp=2 * M),
        Effect("sidekiq", "request_rate", at, 6.0, ramp=3 * M),
        Effect("sidekiq", "cpu_utilization", at + M, 0.99, relative=False, ramp=2 * M),
        Effect("sidekiq", "latency_p99", at + 2 * M, 60.0, relative=False, ramp=5 * M),
    ]
    f.bursts += [
        Burst("nginx", at, 60, "info", '198.51.100.{k} - - [{clf}] "POST /inbox HTTP/1.1" 202 0 "-" "http.rb/5.1.1 '
              '(Mastodon/4.3.2; +https://relay.fedi.buzz/)"'),
        Burst("sidekiq", at, 60, "info", "class=ActivityPub::ProcessingWorker jid={n}b{k}d{k}e elapsed=0.{k}{n} "
              "INFO: done"),
    ]  # fmt: skip
    return f


def weekly_media_cleanup(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "weekly_media_cleanup",
        "db",
        "no_incident",
        "none",
        "db",
        "PostgresSlowQueries",
        "the weekly cron runs tootctl media remove --days 7; PostgreSQL is busier and a few queries slower while it "
        "finds the cached remote media to delete; nothing fails (no incident)",
    )
    f.changes.append(change(at - M, "db", "job", "cron", "idle", "running (tootctl media remove --days 7, weekly)",
                            rng, "cron"))  # fmt: skip
    f.effects += [
        Effect("db", "cpu_utilization", at, 0.75, relative=False, ramp=3 * M, until=at + 40 * M),
        Effect("db", "latency_p99", at, 2.2, ramp=3 * M, until=at + 40 * M),
    ]
    f.bursts += [Burst("db", at, 2, "info", "LOG:  duration: 1{n}{k}3.{k}12 ms  statement: SELECT "
                       "\"media_attachments\".* FROM \"media_attachments\" WHERE "
                       "\"media_attachments\".\"remote_url\" != '' AND "
                       "\"media_attachments\".\"created_at\" < '2028-01-01'")]  # fmt: skip
    return f


FAULTS = [sidekiq_threads_raised, es_flood_stage, streaming_keeps_subscriptions, wasabi_key_deleted, relay_firehose,
          weekly_media_cleanup]  # fmt: skip
