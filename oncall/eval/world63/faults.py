"""World 63's faults, from Open Match, Agones, Redpanda, Steamworks, CoreDNS and Npgsql incidents, in this
estate's words: the matchmaker's allocation timeout cut to half a second with unlimited retries, so that it
storms the allocator, which alerts (roll the matchmaker back); Redpanda's volume filling over hours under
telemetry kept seven days, until it refuses produce requests and the ingest alerts (shorten the retention);
the Steam Web API publisher key rotated in Steamworks without the store's secret being updated (put the new
key in); CoreDNS' upstream changed to a resolver that no longer exists, so every outside name fails while the
cluster's own names resolve (roll the Corefile back); the season's launch filling the game-server fleet to
its autoscaler's maximum, so matches wait for servers (raise the maximum); the profile service's connection
pool cut from 100 to 10 by a deploy hours before the evening peak reached it (roll back); and the weekly
leaderboard reset loading ScyllaDB for a quarter of an hour, alerting on CPU alone (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Flux applies it from the deploy repository: the Kustomization's revision, and the diff."""
    path = f"clusters/fsn1/ashfall-live/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"flux Kustomization flux-system/ashfall-live main@sha1:{rng.getrandbits(160):040x}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -2 +2 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def _om(level: str, component: str, msg: str, extra: str = "") -> str:
    return f'{{"app":"openmatch","component":"{component}","level":"{level}","msg":"{msg}"{extra},"time":"{{iso}}"}}'


def matchmaker_retry_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "matchmaker_retry_storm",
        "matchmaker",
        "recent_change",
        "rollback",
        "allocator",
        "AgonesAllocatorLatencyHigh",
        "a values change cut the director's allocation timeout from 5s to 500ms and lifted its retry limit; "
        "allocations under load take longer than that, so each is cancelled and retried at once, and the "
        "allocator serves eight times its usual requests, its CPU at the limit; roll the matchmaker's change back",
    )
    path = "clusters/fsn1/ashfall-live/matchmaker/values.yaml"
    diff = (f"--- a/{path}\n+++ b/{path}\n@@ -14,4 +14,4 @@ director:\n   allocation:\n"
            "-    timeout: 5s\n-    maxAttempts: 3\n"
            "+    timeout: 500ms\n+    maxAttempts: 0  # until it succeeds\n")  # fmt: skip
    f.changes.append(change(at - 2 * M, "matchmaker", "config", "director.allocation.timeout", "5s", "500ms", rng,
                            "jonas.becker", diff))  # fmt: skip
    f.effects += [
        Effect("allocator", "request_rate", at, 8.0, ramp=2 * M),
        Effect("allocator", "cpu_utilization", at, 0.97, relative=False),
        Effect("allocator", "latency_p99", at, 9.0),
        Effect("allocator", "error_ratio", at + 1 * M, 0.35, relative=False),
        Effect("matchmaker", "latency_p99", at + 1 * M, 5.0),
        Effect("matchmaker", "error_ratio", at + 2 * M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("matchmaker", at, 90, "warn", _om("warning", "app.director", "allocation attempt failed, retrying",
                                                 ',"match_id":"profile-eu-{n}","attempt":{n},"error":"rpc error: '
                                                 'code = DeadlineExceeded desc = context deadline exceeded"')),
        Burst("allocator", at + 1 * M, 40, "error", '{"message":"error allocating GameServer","severity":"error",'
              '"source":"*gameserverallocations.Allocator","error":"context canceled","time":"{iso}"}'),
    ]  # fmt: skip
    return f


def redpanda_disk_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "redpanda_disk_full",
        "redpanda",
        "resource_exhaustion",
        "config_change",
        "telemetry-ingest",
        "TelemetryIngestErrors",
        "telemetry-raw keeps seven days, and the season's telemetry has grown its share of Redpanda's volumes for "
        "hours; at the free-space threshold Redpanda turns degraded and refuses produce requests, so the ingest "
        "fails every batch; shorten the topic's retention (and give the volumes room)",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("redpanda", "disk_utilization", t - 360 * M, 0.985, relative=False, ramp=350 * M),
        Effect("telemetry-ingest", "error_ratio", at, 0.9, relative=False),
        Effect("telemetry-ingest", "latency_p99", at, 6.0),
        Effect("edge", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("redpanda", t - 90 * M, 1, "warn", "WARN  {seastar} [shard 0:main] cluster - storage space alert: "
              "low space. free bytes 9.{n}GiB of 200GiB", minutes=84),
        Burst("redpanda", at, 6, "error", "ERROR {seastar} [shard {shard}:main] cluster - storage space alert: "
              "degraded. free bytes 3.{n}GiB of 200GiB; rejecting produce requests"),
        Burst("telemetry-ingest", at, 40, "error", "ERROR:ingest.producer:produce to telemetry-raw failed: "
              "KafkaError{code=_MSG_TIMED_OUT,val=-192,str=\"Local: Message timed out\"}"),
        Burst("edge", at + 1 * M, 10, "error", '{"level":"error","ts":{epoch_f},"logger":"http.log.access.log0",'
              '"msg":"handled request","request":{"remote_ip":"10.42.0.1","client_ip":"203.0.113.{n}","proto":'
              '"HTTP/2.0","method":"POST","host":"api.ashfall.gg","uri":"/v1/telemetry/batch"},"bytes_read":4{n}11,'
              '"duration":5.0{n},"size":0,"status":503}'),
    ]  # fmt: skip
    return f


def steam_key_revoked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "steam_key_revoked",
        "store",
        "expired_credential",
        "config_change",
        "store",
        "StorePurchaseFailures",
        "the publisher Web API key was rotated in Steamworks (the old one revoked) by the partner admin, and "
        "nobody put the new key in the store's secret; every InitTxn is refused with 403 and Steam purchases "
        "fail; PlayStation and card purchases work; put the new key in the secret",
    )
    f.effects += [
        Effect("store", "error_ratio", at, 0.55, relative=False),
        Effect("edge", "error_ratio", at + 1 * M, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("store", at, 22, "error", '{"level":"error","message":"Steam InitTxn failed: 403 Forbidden: Access '
              'is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.","orderId":'
              '"ord_{n}b71","sku":"season-pass","provider":"steam","service":"store","timestamp":"{iso}"}'),
    ]  # fmt: skip
    f.failing_calls.append(("store", "steam"))
    return f


def coredns_upstream_gone(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "coredns_upstream_gone",
        "coredns",
        "recent_change",
        "rollback",
        "store",
        "CheckoutErrorRateHigh",
        "a change to the coredns ConfigMap pointed the forward plugin at 10.0.0.53, the resolver of the old "
        "private network, retired last month; the cluster's own names still resolve, but every outside name "
        "times out: Stripe, Steam, PSN and ClickHouse Cloud are unreachable; roll the Corefile back",
    )
    corefile = (
        "--- a/clusters/fsn1/kube-system/coredns-custom.yaml\n+++ b/clusters/fsn1/kube-system/coredns-custom.yaml\n"
        "@@ -18,3 +18,3 @@ data:\n     prometheus 0.0.0.0:9153\n-    forward . /etc/resolv.conf\n"
        "+    forward . 10.0.0.53\n     cache 30\n"
    )
    f.changes.append(change(at - 1 * M, "coredns", "config", "forward", "/etc/resolv.conf", "10.0.0.53", rng,
                            "mira.okafor", corefile))  # fmt: skip
    f.effects += [
        Effect("coredns", "error_ratio", at, 0.3, relative=False),
        Effect("coredns", "latency_p99", at, 400.0),
        Effect("store", "error_ratio", at, 0.7, relative=False),
        Effect("store", "latency_p99", at, 8.0),
        Effect("profile", "error_ratio", at, 0.04, relative=False),
        Effect("edge", "error_ratio", at + 1 * M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("coredns", at, 30, "error", "[ERROR] plugin/errors: 2 api.stripe.com. A: read udp 10.42.0.9:5{n}22->"
              "10.0.0.53:53: i/o timeout"),
        Burst("coredns", at, 15, "error", "[ERROR] plugin/errors: 2 m.np.playstation.com. AAAA: read udp "
              "10.42.0.9:4{n}90->10.0.0.53:53: i/o timeout"),
        Burst("store", at, 25, "error", '{"level":"error","message":"charge failed: getaddrinfo EAI_AGAIN '
              'api.stripe.com","orderId":"ord_{n}c02","provider":"stripe","service":"store","timestamp":"{iso}"}'),
        Burst("profile", at, 5, "error", '{"Timestamp":"{iso}","EventId":0,"LogLevel":"Error","Category":'
              '"Profile.Api.Psn.TrophySync","Message":"Trophy sync failed for player {n}A77","Exception":'
              '"System.Net.Http.HttpRequestException: Resource temporarily unavailable (m.np.playstation.com:443)\\n'
              ' ---> System.Net.Sockets.SocketException (11): Resource temporarily unavailable","State":{}}'),
        Burst("telemetry-sink", at, 6, "error", "{vector} ERROR sink{component_kind=\"sink\" component_id=clickhouse "
              "component_type=clickhouse}:request{request_id=4{n}1}: vector::sinks::util::retries: Unexpected error "
              "type; dropping the request. error=Failed to make HTTP(S) request: error trying to connect: dns error: "
              "failed to lookup address information: Temporary failure in name resolution"),
    ]  # fmt: skip
    f.failing_calls += [("store", "stripe"), ("profile", "psn"), ("telemetry-sink", "clickhouse-cloud")]
    return f


def season_fleet_ceiling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "season_fleet_ceiling",
        "ashfall-server",
        "capacity",
        "scale",
        "matchmaker",
        "TimeToMatchHigh",
        "season 4 went live: four times the usual players queue, and the game-server Fleet reaches its "
        "FleetAutoscaler's maxReplicas of 400, every server in a match; the allocator has nothing Ready to hand "
        "out, matches wait in the director's queue; raise the autoscaler's maximum (the nodes have room)",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("matchmaker", "request_rate", at - 15 * M, 4.0, ramp=12 * M),
        Effect("edge", "request_rate", at - 15 * M, 2.0, ramp=12 * M),
        Effect("allocator", "request_rate", at - 15 * M, 3.0, ramp=12 * M),
        Effect("ashfall-server", "cpu_utilization", at - 5 * M, 0.82, relative=False, ramp=6 * M),
        Effect("matchmaker", "latency_p99", at, 30.0),
        Effect("matchmaker", "error_ratio", at + 1 * M, 0.12, relative=False),
        Effect("allocator", "error_ratio", at, 0.45, relative=False),
    ]
    f.bursts += [
        Burst("allocator", at, 30, "warn", '{"message":"there is no available GameServer to allocate","severity":'
              '"warning","source":"*gameserverallocations.Allocator","fleet":"ashfall-fleet","time":"{iso}"}'),
        Burst("matchmaker", at, 25, "warn", _om("warning", "app.director", "no game server for match, tickets "
                                                 "returned to the pool", ',"match_id":"profile-eu-{n}"')),
        Burst("ashfall-server", at - 15 * M, 12, "info", "[{ue}][{frame}]LogAshfall: Match started: 12/12 players, "
              "map=Quarry, match=profile-eu-{n}", minutes=75),
    ]  # fmt: skip
    return f


def profile_pool_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "profile_pool_cut",
        "profile",
        "recent_change",
        "rollback",
        "edge",
        "ApiLatencyP99High",
        "a deploy hours earlier carried a connection string with Maximum Pool Size=10 (it was 100), copied from "
        "a test overlay; quiet hours fit in ten connections, the evening peak does not: requests wait for a "
        "connection and time out; roll the deploy back",
    )
    deployed = t - rng.randint(150, 330) * M
    path = "clusters/fsn1/ashfall-live/profile/values.yaml"
    diff = (f"--- a/{path}\n+++ b/{path}\n@@ -8,3 +8,3 @@ env:\n   - name: ConnectionStrings__Players\n"
            "-    value: Host=players-db-rw;Database=players;Maximum Pool Size=100;Timeout=15\n"
            "+    value: Host=players-db-rw;Database=players;Maximum Pool Size=10;Timeout=15\n")  # fmt: skip
    f.changes.append(change(deployed, "profile", "deploy", "image.tag", "2.14.0", "2.15.0", rng, "flux", diff))
    f.effects += [
        Effect("profile", "latency_p99", at, 20.0),
        Effect("profile", "error_ratio", at + 1 * M, 0.2, relative=False),
        Effect("edge", "latency_p99", at + 1 * M, 8.0),
        Effect("matchmaker", "latency_p99", at + 1 * M, 3.0),
    ]
    f.bursts += [
        Burst("profile", at, 18, "error", '{"Timestamp":"{iso}","EventId":0,"LogLevel":"Error","Category":'
              '"Profile.Api.Controllers.LoadoutController","Message":"Failed to load loadout for player 7656119{n}",'
              '"Exception":"Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted, either '
              "raise 'Max Pool Size' (currently 10) or 'Timeout' (currently 15 seconds) in your connection string.\\n"
              '   at Npgsql.PoolingDataSource.<Get>g__RentAsync|34_0(NpgsqlConnection conn, NpgsqlTimeout timeout, '
              'Boolean async, CancellationToken cancellationToken)","State":{"Message":"Failed to load loadout for '
              'player 7656119{n}","{OriginalFormat}":"Failed to load loadout for player {PlayerId}"}}'),
        Burst("edge", at + 1 * M, 12, "error", '{"level":"error","ts":{epoch_f},"logger":"http.log.error.log0","msg":'
              '"context deadline exceeded","request":{"remote_ip":"10.42.0.1","client_ip":"198.51.100.{n}","proto":'
              '"HTTP/2.0","method":"GET","host":"api.ashfall.gg","uri":"/v1/profile/me/loadout"},"duration":15.0{n},'
              '"status":504,"err_id":"q{n}x1c","err_trace":"reverseproxy.statusError (reverseproxy.go:1373)"}'),
    ]  # fmt: skip
    return f


def leaderboard_weekly_reset(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "leaderboard_weekly_reset",
        "scylla",
        "no_incident",
        "none",
        "scylla",
        "ScyllaCPUHigh",
        "the weekly leaderboard reset rewrites every player's row and ScyllaDB compacts behind it: CPU above "
        "90% for a quarter of an hour every week; reads stay fast and nothing fails; no incident: the alert "
        "should allow for the reset's window",
    )
    f.effects += [
        Effect("scylla", "cpu_utilization", at, 0.93, relative=False, ramp=2 * M),
        Effect("leaderboard-reset", "cpu_utilization", at - 1 * M, 0.7, relative=False, ramp=1 * M),
        Effect("leaderboard", "latency_p99", at, 1.2),
    ]
    f.bursts += [
        Burst("leaderboard-reset", at - 1 * M, 4, "info", "{gostd} leaderboard-reset: season-{n} partition "
              "{n}/64 rewritten, rows=1{n}0411"),
        Burst("scylla", at, 8, "info", "INFO  {seastar} [shard {shard}:comp] compaction - [Compact "
              "leaderboards.scores {n}f2] Compacted 6 sstables to [/var/lib/scylla/data/leaderboards/"
              "md-{n}7-big-Data.db]. 6{n}MB to 4{n}MB"),
    ]  # fmt: skip
    return f


FAULTS = [matchmaker_retry_storm, redpanda_disk_full, steam_key_revoked, coredns_upstream_gone, season_fleet_ceiling,
          profile_pool_cut, leaderboard_weekly_reset]  # fmt: skip
