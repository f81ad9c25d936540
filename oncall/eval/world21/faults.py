"""World 21's faults, from public postmortems of online games and their platforms, none a shape an
earlier world wrote: a lobby release that verifies session tokens with a synchronous hash, so Node's
event loop stalls and the gateway's calls to it time out; the matchmaker's call timeout to the profile
service cut below the profile service's own p99, so matchmaking fails while the profile service is
healthy; a season's bulk import of items leaves the inventory database's planner statistics stale, so
purchases scan whole tables; the game-server fleet cannot grow because the cloud project's CPU quota
is spent at the evening peak; a store migration renames a column of the shared inventory database that
the profile service still reads; and a planned node-pool upgrade draining game servers, whose players
reconnect within seconds (no incident, though the disconnect rate alerts)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"deploy/{svc}/{'kustomization.yaml' if kind == 'deploy' else 'config.yaml'}"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -9,1 +9,1 @@\n-  {key} {old}\n+  {key} {new}\n",
    }


def event_loop_blocked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "event_loop_blocked",
        "lobby",
        "recent_change",
        "rollback",
        "session-gw",
        "GatewayUpstreamLatencyHigh",
        "lobby 2025.48.1 verifies session tokens with crypto.scryptSync on the request path; each call "
        "holds Node's event loop for ~90 ms, so at peak the loop lags for seconds and the gateway's calls "
        "to the lobby time out",
    )
    f.changes.append(change(at - 3 * M, "lobby", "deploy", "newTag:", "2025.47.6", "2025.48.1", rng,
                            "lobby-team"))  # fmt: skip
    f.effects += [
        Effect("lobby", "cpu_utilization", at, 0.98, relative=False),
        Effect("lobby", "latency_p99", at, 40.0),
        Effect("lobby", "error_ratio", at + M, 0.08, relative=False),
        Effect("session-gw", "latency_p99", at + M, 12.0),
        Effect("session-gw", "error_ratio", at + M, 0.21, relative=False),
    ]
    f.bursts += [
        Burst("lobby", at, 6, "warn", '{"level":"info","msg":"event loop delay p99 2812ms exceeds 200ms",'
              '"monitor":"perf_hooks"}'),
        Burst("session-gw", at + M, 35, "error", '{"level":"error","caller":"proxy/upstream.go:141","msg":'
              '"upstream call failed","upstream":"lobby","error":"context deadline exceeded (Client.Timeout exceeded '
              'while awaiting headers)"}'),
        Burst("edge", at + M, 20, "info", '"POST /v1/session/join HTTP/1.1" 504 UT 0 24 5001 - "10.4.0.9" '
              '"UnityPlayer/2022.3.10f1" "1b2c3d4e-0000-4c0e-9a55-1f2e3d4c5b6a" "session-gw:8080" "10.4.3.12:8080"'),
    ]  # fmt: skip
    return f


def timeout_below_p99(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "timeout_below_p99",
        "matchmaker",
        "recent_change",
        "rollback",
        "matchmaker",
        "MatchmakingFailureRate",
        "matchmaker's profile client timeout went from 2s to 150ms; the profile service's p99 at the evening "
        "peak is about 180 ms, so a third of lookups are abandoned and the matches fail, while the profile "
        "service itself is as healthy as ever",
    )
    f.changes.append(change(at - 2 * M, "matchmaker", "config", "profileClient.timeout:", "2s", "150ms", rng,
                            "matchmaking-team"))  # fmt: skip
    f.effects += [
        Effect("matchmaker", "error_ratio", at, 0.31, relative=False),
        Effect("matchmaker", "request_rate", at, 1.4),
        Effect("session-gw", "error_ratio", at + M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("matchmaker", at, 50, "error", '{"level":"error","caller":"queue/former.go:204","msg":'
              '"match formation failed","ticket":"t-88a1","error":"profile lookup: rpc error: code = '
              'DeadlineExceeded desc = context deadline exceeded"}'),
        Burst("profile", at, 25, "info", "INFO|o.a.c.c.C.[Tomcat].[localhost]|Client aborted the request before "
              "the response was written: java.io.IOException: Broken pipe"),
    ]  # fmt: skip
    return f


def stale_statistics(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "stale_statistics",
        "inventory-db",
        "recent_change",
        "escalate",
        "store",
        "StorePurchaseLatencyHigh",
        "the season's bulk import took inventory.items from 2.1 M to 41 M rows; the table statistics were "
        "not refreshed, the planner keeps a plan made for the small table and scans the whole index for "
        "every purchase, and the database's CPU is spent",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - rng.randint(12, 25) * M, "inventory-db", "data", "season import:",
                            "S11 items (2.1M rows)", "S12 items (41M rows)", rng, "live-ops"))  # fmt: skip
    f.effects += [
        Effect("inventory-db", "cpu_utilization", at, 0.97, relative=False),
        Effect("inventory-db", "latency_p99", at, 60.0),
        Effect("store", "latency_p99", at + M, 25.0),
        Effect("store", "error_ratio", at + M, 0.18, relative=False),
        Effect("profile", "latency_p99", at + M, 4.0),
    ]
    f.bursts += [
        Burst("inventory-db", at, 30, "warn", "I|sql/exec_log.go:71|[n2,client=10.4.7.9:40112,user=store] "
              "slow query: SELECT * FROM items WHERE owner_id = $1 AND sku = $2; took 7.912s, full scan of "
              "items@items_pkey, rows read 41203311"),
        Burst("store", at + M, 12, "error", "ERROR|store.purchase|purchase 5512 failed: psycopg.errors.QueryCanceled: "
              "canceling statement due to statement timeout"),
        Burst("edge", at + M, 6, "info", '"POST /v1/store/purchase HTTP/1.1" 503 - 120 91 8002 8001 "10.4.0.9" '
              '"UnityPlayer/2022.3.10f1" "2c3d4e5f-0000-4c0e-9a55-1f2e3d4c5b6a" "store:8080" "10.4.5.2:8080"'),
    ]  # fmt: skip
    return f


def fleet_quota_spent(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "fleet_quota_spent",
        "fleet-allocator",
        "capacity",
        "escalate",
        "matchmaker",
        "MatchWaitTimeHigh",
        "at the evening peak the game-server fleet needs more nodes, but the cloud project's CPU quota in "
        "the region is spent: the autoscaler cannot add nodes, new game servers stay Pending, allocations "
        "find no Ready server and matches wait",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("session-gw", "request_rate", at - 20 * M, 1.5, ramp=20 * M),
        Effect("matchmaker", "request_rate", at - 20 * M, 1.5, ramp=20 * M),
        Effect("fleet-allocator", "error_ratio", at, 0.44, relative=False),
        Effect("fleet-allocator", "request_rate", at, 2.5),
        Effect("matchmaker", "latency_p99", at + M, 30.0),
        Effect("matchmaker", "error_ratio", at + M, 0.09, relative=False),
    ]
    f.bursts += [
        Burst("fleet-allocator", at, 40, "warn", '{"level":"warn","caller":"allocation/allocator.go:318","msg":'
              '"no available GameServer","fleet":"arena-eu","selector":"agones.dev/fleet=arena-eu",'
              '"error":"there is no available GameServer to allocate"}'),
        Burst("fleet-allocator", at - 2 * M, 2, "error", '{"level":"error","caller":"fleet/scaler.go:97","msg":'
              '"node pool scale-up failed","pool":"gameservers","error":"googleapi: Error 403: Quota '
              '\'CPUS\' exceeded.  Limit: 2400.0 in region europe-west1., quotaExceeded"}'),
        Burst("matchmaker", at + M, 20, "warn", '{"level":"warn","caller":"queue/former.go:233","msg":'
              '"allocation pending, ticket requeued","ticket":"t-77b2","waited":"41s"}'),
    ]  # fmt: skip
    return f


def column_renamed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "column_renamed",
        "store",
        "recent_change",
        "rollback",
        "profile",
        "ProfileErrorRateHigh",
        "store 3.19.0 shipped a migration renaming inventory.items.item_tier to rarity; the profile "
        "service reads that table too and every profile view that lists items now fails",
    )
    f.changes.append(change(at - M, "store", "deploy", "newTag:", "3.18.4", "3.19.0", rng, "store-team"))
    f.changes[-1]["diff"] += (
        "--- a/migrations/0142_rename_tier.sql\n+++ b/migrations/0142_rename_tier.sql\n@@ -0,0 +1,1 @@\n"
        "+ALTER TABLE inventory.items RENAME COLUMN item_tier TO rarity;\n"
    )
    f.effects += [
        Effect("profile", "error_ratio", at, 0.37, relative=False),
        Effect("session-gw", "error_ratio", at + M, 0.11, relative=False),
        Effect("lobby", "error_ratio", at + M, 0.07, relative=False),
    ]
    f.bursts += [
        Burst("profile", at, 40, "error", "ERROR|o.h.engine.jdbc.spi.SqlExceptionHelper|ERROR: column "
              "\"item_tier\" does not exist (SQLSTATE 42703)"),
        Burst("profile", at, 40, "error", "ERROR|c.a.p.web.ProfileController|GET /profiles/{id}/items 500: "
              "org.springframework.dao.InvalidDataAccessResourceUsageException: could not extract ResultSet"),
        Burst("store", at - M, 1, "info", "INFO|store.migrate|applied migration 0142_rename_tier in 0.41s",
              minutes=1),
        Burst("lobby", at + M, 8, "warn", '{"level":40,"msg":"profile items unavailable, showing cached loadout",'
              '"status":500}'),
    ]  # fmt: skip
    return f


def planned_drain(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "planned_drain",
        "session-gw",
        "no_incident",
        "none",
        "session-gw",
        "SessionDisconnectRateHigh",
        "the announced node-pool upgrade drains the game servers node by node; their players are "
        "disconnected with a going-away frame and reconnect to fresh servers within seconds, as planned",
    )
    f.changes.append(change(at - 2 * M, "fleet-allocator", "infra", "nodePool.gameservers.version:",
                            "1.30.5-gke.1014000", "1.31.2-gke.1115000", rng, "platform-team"))  # fmt: skip
    f.effects += [
        Effect("session-gw", "request_rate", at, 1.6),
        Effect("fleet-allocator", "request_rate", at, 3.0),
    ]
    f.bursts += [
        Burst("session-gw", at, 60, "info", '{"level":"info","caller":"ws/conn.go:188","msg":"client disconnected",'
              '"code":1001,"reason":"server draining"}'),
        Burst("session-gw", at, 55, "info", '{"level":"info","caller":"ws/conn.go:95","msg":"client reconnected",'
              '"resumed":true}'),
        Burst("fleet-allocator", at, 10, "info", '{"level":"info","caller":"allocation/allocator.go:201","msg":'
              '"GameServer allocated","fleet":"arena-eu"}'),
    ]  # fmt: skip
    return f


FAULTS = [event_loop_blocked, timeout_below_p99, stale_statistics, fleet_quota_spent, column_renamed,
          planned_drain]  # fmt: skip
