"""World 102's faults, from network, leak, database, capacity, provider and batch incidents at a bike-share, in its
engineers' words: a Cilium upgrade turns on WireGuard between nodes and large packets across nodes are dropped, so
every service's calls to TiDB on another node stall while TiDB itself is idle (roll Cilium back); docks leaks a
socket on every dock that reconnects and runs out of file descriptors (restart it, then fix the leak); a DBA caps
TiDB's memory per query and rides' trip-history query is cancelled (set it back); a sunny festival Saturday holds
rides' autoscaler at its maximum (more replicas); SIBS' gateway down (theirs: escalate); and the nightly full
re-import of the stations index, as every night (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Flux records the reconciliation of the team's GitOps repository."""
    if not code:
        code = f"images:\n- name: registry.pedal.pt/{svc}\n-  newTag: {old}\n+  newTag: {new}\n"
    if who == "flux":
        ref = f"flux kustomization pedal-apps revision main@sha1:{rng.getrandbits(40):010x}"
    elif who == "horizontal-pod-autoscaler":
        ref = f"event pedal/horizontalpodautoscaler/{svc} SuccessfulRescale"
    else:  # a person's statement, from TiDB's audit log
        ref = f"tidb audit log, connection {rng.getrandbits(20)}"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def cilium_wireguard_mtu(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 11) * M
    f = Fault(
        "cilium_wireguard_mtu",
        "cilium",
        "network",
        "rollback",
        "kong",
        "ApiServerErrors",
        "the platform team's Cilium upgrade turned on WireGuard encryption between nodes; the tunnel's overhead "
        "leaves pods at 1500 bytes and large packets between nodes are dropped, so every service's queries to TiDB "
        "on another node stall until they time out while TiDB itself is idle; roll the Cilium values back",
        also_accept=["recent_change"],
    )
    path = "infrastructure/cilium/values.yaml"
    diff = f"--- a/{path}\n+++ b/{path}\n encryption:\n-  enabled: false\n+  enabled: true\n+  type: wireguard\n"
    f.changes.append(change(at - 2 * M, "cilium", "config", "encryption", "disabled", "wireguard", rng, "flux", diff))
    f.effects += [
        Effect("rides", "error_ratio", at, 0.3, relative=False),
        Effect("rides", "latency_p99", at, 15.0),
        Effect("payments", "error_ratio", at, 0.35, relative=False),
        Effect("docks", "error_ratio", at, 0.25, relative=False),
        Effect("kong", "error_ratio", at + M, 0.2, relative=False),
        Effect("kong", "latency_p99", at + M, 10.0),
        Effect("tidb", "request_rate", at, 0.45),
    ]
    f.bursts += [
        Burst("cilium", at - 2 * M, 2, "info", 'msg="Initializing WireGuard device" device=cilium_wg0 subsys=wireguard',
              minutes=2),
        Burst("rides", at, 6, "error", "pedal.rides.db:51|query to tidb failed: com.mysql.cj.jdbc.exceptions."
              "CommunicationsException: Communications link failure. The last packet successfully received from the "
              "server was 30,00{k} milliseconds ago."),
        Burst("payments", at, 3, "error", "pt.pedal.payments.Ledger|ledger write for trip {h8} failed ~ "
              "java.net.SocketTimeoutException: Read timed out"),
        Burst("docks", at, 8, "error", "docks::store|batch store failed error=\"error communicating with database: "
              "Connection timed out (os error 110)\""),
        Burst("kong", at + M, 6, "error", 'upstream timed out (110: Connection timed out) while reading response '
              'header from upstream, client: 10.2.0.{k}{n}, server: kong, request: "GET /v2/rides/history HTTP/1.1", '
              'upstream: "http://10.2.3.{k}:8080/v2/rides/history", host: "api.pedal.pt"'),
    ]  # fmt: skip
    return f


def docks_fd_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "docks_fd_leak",
        "docks",
        "resource_exhaustion",
        "restart",
        "docks",
        "DockReportsFailing",
        "since Tuesday's release docks keeps the socket of every dock that reconnects; after four days the process "
        "reached its 65,536 open files and accepts no report and opens no database connection; restart docks to "
        "clear them, then fix the leak",
    )
    f.effects += [
        Effect("docks", "error_ratio", at, 0.8, relative=False),
        Effect("docks", "memory_utilization", t - 240 * M, 0.7, relative=False, ramp=230 * M),
        Effect("docks", "request_rate", at, 0.3),
    ]
    f.bursts += [
        Burst("docks", at, 10, "error", "docks::server|accept error: Too many open files (os error 24)"),
        Burst("docks", at, 4, "error", "docks::store|pool checkout failed error=\"Too many open files (os error 24)\""),
        Burst("docks", t - 120 * M, 1, "warn", "docks::report|dock reconnected dock=D{k}{n}{k} "
              "open_sockets=6{n}{k}{n}{k}", minutes=120),
    ]  # fmt: skip
    return f


def tidb_memory_quota_lowered(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "tidb_memory_quota_lowered",
        "tidb",
        "recent_change",
        "rollback",
        "rides",
        "RideHistoryErrors",
        "a DBA lowered tidb_mem_quota_query from 1 GB to 64 MB to stop analysts' runaway queries; rides' trip "
        "history for members with many rides needs more and TiDB cancels it; set the quota back",
    )
    sql = "SET GLOBAL tidb_mem_quota_query = 67108864"
    f.changes.append(change(at - 2 * M, "tidb", "config", "tidb_mem_quota_query", "1073741824", "67108864", rng,
                            "dba.rmarques", f"{sql};  -- stop runaway analytics queries\n"))  # fmt: skip
    cancelled = (
        "Your query has been cancelled due to exceeding the allowed memory limit for a single SQL query. Please try "
        "narrowing your query scope or increase the tidb_mem_quota_query limit and try again."
    )
    f.effects += [
        Effect("rides", "error_ratio", at, 0.25, relative=False),
        Effect("kong", "error_ratio", at + M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("tidb", at - 2 * M, 1, "info", f'session.go:3898|["CRUCIAL OPERATION"] [conn={{n}}{{k}}{{n}}1] '
              f'[schemaVersion=10{{k}}{{n}}] [cur_db=] [sql="{sql}"] [user=rmarques@10.2.%]', minutes=1),
        Burst("tidb", at, 5, "warn", f'conn.go:1178|["command dispatched failed"] [conn={{n}}{{k}}{{n}}9] '
              f'[command=Execute] [sql="SELECT * FROM trips WHERE member_id = ? ORDER BY started_at DESC"] '
              f'[err="[executor:8175]{cancelled}[conn={{n}}{{k}}{{n}}9]"]'),
        Burst("rides", at, 5, "error", f"pedal.rides.history:88|trip history for member {{k}}{{n}}{{k}} failed: "
              f"java.sql.SQLException: {cancelled}"),
    ]  # fmt: skip
    return f


def rides_autoscaler_ceiling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "rides_autoscaler_ceiling",
        "rides",
        "capacity",
        "scale",
        "kong",
        "ApiLatencyHigh",
        "Santo António on a sunny Saturday: three times the usual rides, the autoscaler took rides to its maximum of "
        "twelve replicas and every one is at its CPU limit; requests queue and Kong times out; raise the maximum",
    )
    f.changes.append(change(at + 2 * M, "rides", "scale", "replicas", "6", "12", rng, "horizontal-pod-autoscaler",
                            "HorizontalPodAutoscaler pedal/rides: New size: 12; reason: cpu resource utilization "
                            "(percentage of request) above target\n"))  # fmt: skip
    f.effects += [
        Effect("rides", "request_rate", at, 3.0),
        Effect("kong", "request_rate", at, 2.8),
        Effect("rides", "cpu_utilization", at, 0.98, relative=False),
        Effect("rides", "latency_p99", at + 2 * M, 9.0),
        Effect("kong", "latency_p99", at + 3 * M, 6.0),
        Effect("kong", "error_ratio", at + 4 * M, 0.07, relative=False),
    ]
    f.bursts += [
        Burst("rides", at + 3 * M, 6, "warn", "pedal.rides.api:61|request queue full (queued=256), rejecting GET "
              "/v2/rides/nearby"),
        Burst("kong", at + 4 * M, 4, "error", 'upstream timed out (110: Connection timed out) while reading response '
              'header from upstream, client: 10.2.0.{k}{n}, server: kong, request: "GET /v2/rides/nearby HTTP/1.1", '
              'upstream: "http://10.2.3.{k}:8080/v2/rides/nearby", host: "api.pedal.pt"'),
    ]  # fmt: skip
    f.events.append(KEvent("rides", "FailedGetResourceMetric", "did not receive metrics for targeted pods "
                           "(pods might be unready)", at + 5 * M, minutes=5, per_minute=0.5))  # fmt: skip
    return f


def sibs_gateway_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "sibs_gateway_down",
        "sibs",
        "dependency_failure",
        "escalate",
        "payments",
        "PaymentAuthorisationFailing",
        "SIBS' payment gateway stops answering (their incident, on their status page later); no MB WAY "
        "authorisation completes and rides end unpaid; theirs: escalate, and let rides end on a deferred charge",
    )
    f.effects += [
        Effect("payments", "error_ratio", at, 0.7, relative=False),
        Effect("payments", "latency_p99", at, 20.0),
        Effect("kong", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 5, "error", "pt.pedal.payments.Authoriser|MB WAY authorisation for trip {h8} failed ~ "
              "java.net.http.HttpConnectTimeoutException: HTTP connect timed out"),
        Burst("payments", at + M, 2, "error", "pt.pedal.payments.Authoriser|SIBS answered 504 Gateway Time-out for "
              "POST https://api.sibsgateway.com/sibs/spg/v2/payments"),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "sibs"))
    return f


def stations_nightly_reimport(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(9, 13) * M
    f = Fault(
        "stations_nightly_reimport",
        "search",
        "no_incident",
        "none",
        "search",
        "StationSearchSlow",
        "the nightly full import of the stations index, as every night: Solr's CPU goes to the import and searches "
        "slow past the alert's threshold for a quarter of an hour; every search answered (no incident)",
    )
    f.effects += [
        Effect("search", "latency_p99", at, 6.0, until=at + 16 * M),
        Effect("search", "cpu_utilization", at, 0.88, relative=False, until=at + 16 * M),
    ]
    f.bursts += [
        Burst("search", at, 1, "info", "stations|o.a.s.h.d.DataImporter Starting Full Import", minutes=1),
        Burst("search", at, 20, "info", "stations|o.a.s.u.p.LogUpdateProcessorFactory webapp=/solr path=/dataimport "
              "params={{command=full-import&clean=true}} {{add=[st-{k}{n}{k} (1{n}{k}{n}{k})]}} 0 {k}",
              minutes=14),
    ]  # fmt: skip
    return f


FAULTS = [cilium_wireguard_mtu, docks_fd_leak, tidb_memory_quota_lowered, rides_autoscaler_ceiling, sibs_gateway_down,
          stations_nightly_reimport]  # fmt: skip
