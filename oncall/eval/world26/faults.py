"""World 26's faults, from game studios' launch and live-ops postmortems, in this estate's words: a
lobby release that retries its ScyllaDB reads at once on every timeout (the database alarms, its
other callers suffer, the cause is the caller); the allocator's Consul ACL token reaching its TTL (Consul
deletes it: "ACL not found", and no game server can be registered); a season launch whose logins
outrun the auth service at its allocation count; a catalogue publish with an offer priced in no
currency the store can read (the catalogue service itself is healthy); the chat server's TLS
certificate expiring (clients refuse it during the handshake); a Consul change answering DNS with
passing instances only while ScyllaDB's health check flaps (every service that looks it up stops
finding it); and the weekly leaderboard reset's latency alert (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"jobs/{svc}.nomad.hcl"
    key = key.replace("/app:", f"/{svc}:")  # an image is named after its job
    sep = "" if key.endswith(":") else " "  # an image reference is written whole
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}{sep}{old}",
        "to": f"{key}{sep}{new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -14,1 +14,1 @@\n-  {key}{sep}{old}\n+  {key}{sep}{new}\n",
    }


def lobby_retry_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "lobby_retry_storm",
        "lobby",
        "recent_change",
        "rollback",
        "scylla",
        "ScyllaReadLatencyHigh",
        "lobby 5.12.0 retries a timed-out ScyllaDB read at once, up to ten times, with no backoff; at the "
        "evening peak a few slow reads became five times the database's normal reads",
    )
    f.changes.append(change(at - 6 * M, "lobby", "deploy", 'image = "registry.questline.example/lobby:',
                            '5.11.4"', '5.12.0"', rng, "nomad-pack"))  # fmt: skip
    f.effects += [
        Effect("scylla", "request_rate", at, 5.0),
        Effect("scylla", "cpu_utilization", at, 0.97, relative=False),
        Effect("scylla", "latency_p99", at + M, 25.0),
        Effect("lobby", "latency_p99", at + M, 8.0),
        Effect("lobby", "error_ratio", at + M, 0.2, relative=False),
        Effect("profiles", "latency_p99", at + 2 * M, 6.0),
        Effect("leaderboards", "latency_p99", at + 2 * M, 5.0),
    ]
    f.bursts += [
        Burst("lobby", at, 30, "warn", "Read from lobby_sessions timed out after 2000ms; retrying (attempt 4 of 10)"),
        Burst("lobby", at + M, 8, "error", "Join failed for lobby 88213: Cassandra.OperationTimedOutException: "
              "The host 10.4.3.2:9042 did not reply before timeout 2000ms"),
        Burst("scylla", at + M, 6, "warn", "reader_concurrency_semaphore - (rate limiting dropped 812 similar "
              "messages) Semaphore _read_concurrency_sem with 100/100 count and 3416102/3416102 memory resources: "
              "timed out, dumping permit diagnostics"),
        Burst("profiles", at + 2 * M, 4, "error", "Could not load profile 88213: com.datastax.oss.driver.api.core."
              "DriverTimeoutException: Query timed out after PT2S"),
    ]  # fmt: skip
    return f


def consul_token_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "consul_token_expired",
        "allocator",
        "expired_credential",
        "config_change",
        "matchmaker",
        "MatchmakingTimeouts",
        "the allocator's Consul ACL token was created with a 720-hour TTL; Consul deleted it when it expired, "
        "so every game server registration is refused and no match can be placed",
        also_accept=["permission_denied"],
    )
    f.effects += [
        Effect("allocator", "error_ratio", at, 0.95, relative=False),
        Effect("matchmaker", "latency_p99", at + M, 12.0),
        Effect("matchmaker", "error_ratio", at + M, 0.4, relative=False),
        Effect("lobby", "error_ratio", at + 2 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("allocator", at, 20, "error", 'allocator.consul: failed to register game server: alloc=5d1e0c2a '
              'error="Unexpected response code: 403 (ACL not found)"'),
        Burst("consul", at, 3, "error", "agent.http: Request error: method=PUT url=/v1/agent/service/register "
              'from=10.4.2.7:51234 error="ACL not found"'),
        Burst("matchmaker", at + M, 10, "error", 'msg="match placement failed" error="rpc error: code = '
              'Unavailable desc = no game server could be allocated" queue=ranked-eu'),
    ]  # fmt: skip
    return f


def season_launch_surge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "season_launch_surge",
        "auth",
        "capacity",
        "scale",
        "gateway",
        "LoginLatencyHigh",
        "season 20 went live at the evening peak; logins rose fivefold and the auth service, at its job's "
        "count of six, saturated its CPU and began shedding requests",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 2 * M, "catalog", "content", "season =", "19", "20", rng, "liveops"))
    f.effects += [
        Effect("edge", "request_rate", at, 3.0),
        Effect("gateway", "request_rate", at, 3.0),
        Effect("auth", "request_rate", at, 5.0),
        Effect("auth", "cpu_utilization", at + M, 0.98, relative=False),
        Effect("auth", "latency_p99", at + 2 * M, 30.0),
        Effect("auth", "error_ratio", at + 3 * M, 0.12, relative=False),
        Effect("gateway", "latency_p99", at + 3 * M, 10.0),
    ]
    f.bursts += [
        Burst("auth", at + 2 * M, 12, "warn", "auth::limiter: concurrency limit reached, rejecting request "
              "in_flight=512 path=/v1/login"),
        Burst("gateway", at + 3 * M, 6, "error", '{"level":"error","ts":0,"caller":"gateway/proxy.go:188",'
              '"msg":"upstream error","upstream":"auth","error":"context deadline exceeded"}'),
    ]  # fmt: skip
    return f


def catalog_bad_publish(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "catalog_bad_publish",
        "catalog",
        "recent_change",
        "rollback",
        "store",
        "StorePurchaseErrors",
        "the live-ops team published catalogue v2026.20.3 with a new bundle priced only in a currency code "
        "the store does not know; every purchase that lists offers fails, the catalogue service serves it happily",
    )
    f.changes.append(change(at - 2 * M, "catalog", "content", "catalogue =", "v2026.20.2", "v2026.20.3", rng,
                            "liveops"))  # fmt: skip
    f.effects += [
        Effect("store", "error_ratio", at, 0.35, relative=False),
        Effect("gateway", "error_ratio", at + M, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("store", at, 14, "error", '{"level":50,"time":0,"pid":1,"hostname":"store.api[1]","err":{"type":'
              '"TypeError","message":"Cannot read properties of undefined (reading \'amount\')","stack":"TypeError: '
              "Cannot read properties of undefined (reading 'amount')\\n    at priceFor (/app/src/pricing.js:41:33)"
              '"},"msg":"purchase failed for offer bundle_s20_legend"}'),
    ]  # fmt: skip
    return f


def chat_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "chat_cert_expired",
        "chat",
        "expired_credential",
        "config_change",
        "chat",
        "ChatConnectionsDropping",
        "the chat server's certificate for chat.questline.example expired; clients refuse it during the "
        "handshake and the chat server counts the failures",
    )
    f.effects += [
        Effect("chat", "error_ratio", at, 0.6, relative=False),
        Effect("chat", "request_rate", at, 0.4),
    ]
    f.bursts.append(Burst("chat", at, 25, "warn", "(tls|<0.28711.4>) Failed to secure c2s connection: TLS "
                          "failed: SSL_do_handshake failed: sslv3 alert certificate expired"))  # fmt: skip
    return f


def consul_dns_only_passing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "consul_dns_only_passing",
        "consul",
        "recent_change",
        "rollback",
        "profiles",
        "ProfileReadErrors",
        "Consul's DNS was changed to answer with passing instances only while ScyllaDB's health check had been "
        "flapping for days; scylla.service.consul stopped resolving for every service that looks it up",
        also_accept=["network"],
    )
    f.changes.append(change(at - 4 * M, "consul", "config", "dns_config.only_passing =", "false", "true", rng,
                            "platform-team"))  # fmt: skip
    f.effects += [
        Effect("profiles", "error_ratio", at, 0.7, relative=False),
        Effect("leaderboards", "error_ratio", at, 0.6, relative=False),
        Effect("lobby", "error_ratio", at + M, 0.3, relative=False),
        Effect("gateway", "error_ratio", at + M, 0.2, relative=False),
        Effect("scylla", "request_rate", at, 0.2),
    ]
    f.bursts += [
        Burst("consul", at - 3000 * M, 1, "warn", "agent: Check is now critical: check=service:scylla-2",
              minutes=3000),
        Burst("profiles", at, 14, "error", "Could not load profile 88213: com.datastax.oss.driver.api.core."
              "AllNodesFailedException: Could not reach any contact point, make sure you've provided valid "
              "addresses (showing first 1 nodes, use getAllErrors() for more): Node(endPoint=scylla.service.consul"
              ":9042, hostId=null, hashCode=4f2a1c): [java.net.UnknownHostException: scylla.service.consul]"),
        Burst("leaderboards", at, 10, "error", "Exception in ASGI application: cassandra.cluster.NoHostAvailable: "
              "('Unable to connect to any servers', {'scylla.service.consul:9042': gaierror(-2, "
              "'Name or service not known')})"),
        Burst("lobby", at + M, 6, "error", "Join failed for lobby 88213: Cassandra.NoHostAvailableException: No "
              "host is available to be queried (tried: scylla.service.consul:9042)"),
    ]  # fmt: skip
    return f


def weekly_reset(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "weekly_reset",
        "leaderboards",
        "no_incident",
        "none",
        "leaderboards",
        "LeaderboardLatencyHigh",
        "the weekly leaderboard reset archives last week's boards at the scheduled hour; reads slow for a few "
        "minutes while it runs, which the latency rule alerts on (no incident)",
    )
    f.effects += [
        Effect("leaderboards", "latency_p99", at, 6.0, until=at + 6 * M),
        Effect("scylla", "cpu_utilization", at, 0.7, relative=False, until=at + 6 * M),
    ]
    f.bursts += [
        Burst("leaderboards", at, 1, "info", "weekly reset: archiving boards for season 20 week 20", minutes=1),
        Burst("leaderboards", at + 5 * M, 1, "info", "weekly reset: archived 2114200 entries in 301s", minutes=1),
    ]
    return f


FAULTS = [lobby_retry_storm, consul_token_expired, season_launch_surge, catalog_bad_publish, chat_cert_expired,
          consul_dns_only_passing, weekly_reset]  # fmt: skip
