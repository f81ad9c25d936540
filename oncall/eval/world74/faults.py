"""World 74's faults, from webtoon, payment-provider, MongoDB, container-image, mTLS and recommender incidents, in
this estate's words: the Saturday 23:00 episode drop sending coin unlocks to six times a normal night, the coins
pods at their CPU limit and knex's pool waiting (scale out); a flag switching the coins service to Toss's v2
confirm call, which it makes without the Idempotency-Key header v2 requires (roll the flag back); a DBA dropping
the episodes collection's compound index, every episode lookup a collection scan (put it back); the thumbnailer's
release built for arm64 only, `exec format error` on every pod of an amd64 node pool (roll back); Tyk's client
certificate for the coins service's mutual TLS expiring (renew it); the recommender's release fetching every
candidate title's latest episode from the viewer one call at a time, the viewer flooded (roll the recommender
back); and the weekly drop itself, busy but healthy (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD's sync history of the deploy repository records it."""
    path = f"apps/{svc}/values-prod.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def _tyk(level: str, api: str, msg: str) -> str:
    return (f'time="{{tyk}}" level={level} msg="{msg}" api_id=2a7b{{hex}} api_name={api} mw=ReverseProxy '
            f'org_id=5e9d origin=10.0.{{k}}.{{n}} path=/v1/{api}/{{n}}{{k}}')  # fmt: skip


def _access(api: str, status: int, path: str, latency: str) -> str:
    return (f'time="{{tyk}}" level=info api_id=2a7b{{hex}} api_key=00000000 api_name={api} client_ip=10.0.{{k}}.{{n}} '
            f'host=api.webtoon.kr latency_total={latency} method=GET org_id=5e9d path={path} prefix=access-log '
            f'protocol=HTTP/1.1 remote_addr=10.0.{{k}}.{{n}} status={status} upstream_addr=http://{api}.webtoon.svc'
            f':8080{path} upstream_latency={latency} user_agent="Webtoon/8.1 (Android 14)"')  # fmt: skip


def _ktor(level: str, logger: str, text: str) -> str:
    return "{ymd} {hms}.{ms} [eventLoopGroupProxy-4-{k}] " + f"{level:<5} k.w.viewer.{logger} - {text}"


def _nest(level: str, context: str, text: str) -> str:
    return "[Nest] 1  - {nestdate} " + f"{level:>7} [{context}] {text}"


def episode_drop_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "episode_drop_rush",
        "coins",
        "capacity",
        "scale",
        "coins",
        "CoinsUnlockSlow",
        "the Saturday 23:00 drop of the top titles' new episodes sends coin unlocks to six times a normal night; "
        "the coins pods sit at their CPU limit and knex waits for connections; nothing changed; scale coins out",
    )
    f.effects += [
        Effect("coins", "request_rate", at - 2 * M, 6.0),
        Effect("gateway", "request_rate", at - 2 * M, 2.5),
        Effect("viewer", "request_rate", at - 2 * M, 2.5),
        Effect("coins", "cpu_utilization", at - 1 * M, 0.97, relative=False),
        Effect("coins", "latency_p99", at, 12.0),
        Effect("coins", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("coins", at, 8, "error", _nest("ERROR", "LedgerService", "unlock E{n}{k} for reader U{hex} failed: "
              "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a "
              ".transacting(trx) call?")),
        Burst("gateway", at + 1 * M, 6, "info", _access("coins", 504, "/v1/coins/unlock", "30{n}1")),
    ]  # fmt: skip
    return f


def toss_v2_flag(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "toss_v2_flag",
        "coins",
        "recent_change",
        "rollback",
        "gateway",
        "CoinPurchasesFailing",
        "the payments team turned the Unleash flag coins.toss-confirm-v2 on for everyone; the coins service then "
        "calls Toss's v2 confirm without the Idempotency-Key header v2 requires and Toss answers 400 to every "
        "purchase; turn the flag off (Toss is fine)",
    )
    f.changes.append(change(at - 2 * M, "coins", "flag", "unleash.coins.toss-confirm-v2", "off", "on (100%)", rng,
                            "payments-team"))  # fmt: skip
    f.effects += [
        Effect("coins", "error_ratio", at, 0.35, relative=False),
        Effect("gateway", "error_ratio", at, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("coins", at, 6, "error", _nest("ERROR", "TossClient", "confirm P{hex} failed: 400 INVALID_REQUEST "
              "(Idempotency-Key header is required)")),
        Burst("gateway", at, 6, "info", _access("coins", 502, "/v1/coins/purchase", "1{n}2")),
    ]  # fmt: skip
    f.failing_calls.append(("coins", "toss-payments"))
    return f


SLOW = (
    '{{"t":{{"$date":"{isoms}+00:00"}},"s":"I","c":"COMMAND","id":51803,"ctx":"conn{n}{k}1","msg":"Slow query",'
    '"attr":{{"type":"command","ns":"webtoon.episodes","command":{{"find":"episodes","filter":{{"title_id":{n}{k},'
    '"episode_no":{k}}},"limit":1,"$db":"webtoon"}},"planSummary":"COLLSCAN","keysExamined":0,"docsExamined":'
    '48{n}2311,"nreturned":1,"queryHash":"8A1F{k}C2","numYields":3{n}2,"durationMillis":2{n}41}}}}'
)


def index_dropped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "index_dropped",
        "mongodb",
        "recent_change",
        "rollback",
        "viewer",
        "ViewerLatencyHigh",
        "a DBA's clean-up dropped the episodes collection's {title_id, episode_no} index as unused; every episode "
        "lookup now scans 48 million documents, mongod's CPU is at its limit and the viewer times out; build the "
        "index again",
    )
    f.changes.append(
        change(
            at - 3 * M,
            "mongodb",
            "config",
            "indexes.episodes",
            "[title_id_1_episode_no_1, published_at_-1]",
            "[published_at_-1]",
            rng,
            "dba-team",
        )
    )
    f.effects += [
        Effect("mongodb", "cpu_utilization", at - 2 * M, 0.97, relative=False),
        Effect("viewer", "latency_p99", at, 15.0),
        Effect("viewer", "error_ratio", at, 0.12, relative=False),
        Effect("recommend", "latency_p99", at, 5.0),
        Effect("gateway", "latency_p99", at, 8.0),
    ]
    f.bursts += [
        Burst("mongodb", at - 2 * M, 20, "info", SLOW),
        Burst("viewer", at, 8, "error", _ktor("ERROR", "EpisodeRoutes", "episode lookup for title {n}{k} failed: "
              "com.mongodb.MongoSocketReadTimeoutException: Timeout while receiving message")),
    ]  # fmt: skip
    return f


def thumbs_wrong_arch(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "thumbs_wrong_arch",
        "thumbs",
        "recent_change",
        "rollback",
        "viewer",
        "ViewerErrors",
        "thumbs 3.1.0 was built on an arm64 laptop and pushed without an amd64 image; the deployment recreates its "
        "pods (it holds a ReadWriteOnce cache) and every new pod on the amd64 node pool dies with exec format "
        "error; episode pages lose their thumbnails; roll thumbs back",
    )
    f.changes.append(change(at - 2 * M, "thumbs", "deploy", "image.tag", "3.0.4", "3.1.0", rng, "argocd"))
    f.effects += [
        Effect("thumbs", "request_rate", at - 1 * M, 0.02, ramp=M),
        Effect("viewer", "error_ratio", at, 0.15, relative=False),
        Effect("gateway", "error_ratio", at, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("thumbs", at - 1 * M, 2, "error", "exec /usr/local/bin/thumbs: exec format error"),
        Burst("viewer", at, 8, "error", _ktor("ERROR", "ThumbClient", "thumbnail for title {n}{k} episode {k} "
              "failed: java.net.ConnectException: Connection refused")),
    ]  # fmt: skip
    f.events.append(KEvent("thumbs", "BackOff", "Back-off restarting failed container thumbs in pod thumbs",
                           at - 1 * M, terminated="Error"))  # fmt: skip
    return f


def gateway_client_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "gateway_client_cert_expired",
        "gateway",
        "expired_credential",
        "config_change",
        "gateway",
        "UnlockFailures",
        "the coins service asks for mutual TLS; the client certificate Tyk presents to it expired (its renewal "
        "was never automated) and coins now refuses every handshake, so no episode can be unlocked; renew Tyk's "
        "client certificate",
    )
    f.effects += [
        Effect("gateway", "error_ratio", at, 0.1, relative=False),
        Effect("coins", "request_rate", at, 0.03, ramp=M),
    ]
    f.bursts += [
        Burst("gateway", at, 10, "error", _tyk("error", "coins", "http: proxy error: remote error: tls: expired "
              "certificate")),
        Burst("coins", at, 4, "warn", _nest("WARN", "TlsGuard", "handshake from 10.244.{k}.{n} refused: "
              "CERT_HAS_EXPIRED (CN=tyk-gateway.webtoon.svc)")),
    ]  # fmt: skip
    return f


FETCH_DIFF = (
    "--- a/recommend/candidates.py\n+++ b/recommend/candidates.py\n@@ -40,5 +40,6 @@ async def candidates(reader):\n"
    "     titles = await similar_titles(reader, limit=200)\n-    latest = await viewer.latest_episodes([t.id for t in "
    "titles])\n+    # one call per title: the batch endpoint drops titles without a free episode\n+    latest = "
    "[await viewer.latest_episode(t.id) for t in titles]\n"
)


def recommend_fan_out(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "recommend_fan_out",
        "recommend",
        "recent_change",
        "rollback",
        "viewer",
        "ViewerErrors",
        "recommend 5.0.0 asks the viewer for each of 200 candidate titles' latest episode one call at a time "
        "instead of one batch call; the viewer takes six times its normal requests, sits at its CPU limit and "
        "rejects; roll recommend back",
    )
    f.changes.append(change(at - 3 * M, "recommend", "deploy", "image.tag", "4.9.2", "5.0.0", rng, "argocd",
                            code=FETCH_DIFF))  # fmt: skip
    f.effects += [
        Effect("viewer", "request_rate", at - 2 * M, 6.0),
        Effect("viewer", "cpu_utilization", at - 1 * M, 0.98, relative=False),
        Effect("viewer", "latency_p99", at, 8.0),
        Effect("viewer", "error_ratio", at, 0.09, relative=False),
        Effect("recommend", "latency_p99", at, 6.0),
        Effect("gateway", "error_ratio", at + 1 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("viewer", at, 8, "warn", _ktor("WARN", "Throttle", "request queue full (512), rejecting GET "
              "/v1/titles/{n}{k}/episodes/latest")),
        Burst("gateway", at + 1 * M, 5, "info", _access("viewer", 503, "/v1/titles/{n}{k}/episodes/{k}", "1{n}4")),
        Burst("recommend", at, 4, "warn", "{ymd} {hms}.{ms} | WARNING  | recommend.candidates:candidates:44 - "
              "latest episodes for 200 titles took 8{n}00 ms"),
    ]  # fmt: skip
    return f


def weekly_drop(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "weekly_drop",
        "gateway",
        "no_incident",
        "none",
        "gateway",
        "GatewayTrafficSurge",
        "the Saturday 23:00 drop publishes the week's new episodes; readers arrive at four times a normal night "
        "and the viewer's CPU climbs, and every request is answered; no incident",
    )
    f.effects += [
        Effect("gateway", "request_rate", at, 4.0, ramp=2 * M),
        Effect("viewer", "request_rate", at, 4.0, ramp=2 * M),
        Effect("viewer", "cpu_utilization", at, 0.62, relative=False, ramp=2 * M),
        Effect("viewer", "latency_p99", at, 1.3, ramp=2 * M),
        Effect("coins", "request_rate", at, 2.0, ramp=2 * M),
    ]
    f.bursts += [
        Burst(
            "viewer",
            at,
            1,
            "info",
            _ktor("INFO", "Publisher", "episode {k} of title {n}{k} published for the 23:00 drop"),
            minutes=3,
        ),
    ]
    return f


FAULTS = [episode_drop_rush, toss_v2_flag, index_dropped, thumbs_wrong_arch, gateway_client_cert_expired,
          recommend_fan_out, weekly_drop]  # fmt: skip
