"""World 27's faults, from transit agencies' and trip planners' postmortems, in this estate's words: the
vehicle-location vendor's feed freezing (positions served, never updated); a broker setting typed with a
zero missing (most buses turned away); a trip-planner graph rebuilt for the whole state that no longer
fits its heap (the kernel kills it at every start); a release that moved the real-time API's health check,
so the load balancer takes every server out though the API itself is fine; the CMS's directory account
password reaching its expiry; a trip-search release that geocodes on every keystroke until the provider's
quota refuses it; and the overnight lull after the last bus, which the arrivals traffic alert fires on
(no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"ansible/host_vars/{svc}.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"MR!{rng.randint(1000, 9999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -8,1 +8,1 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def avl_feed_frozen(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "avl_feed_frozen",
        "avl-feed",
        "dependency_failure",
        "escalate",
        "predictions",
        "PredictionsStale",
        "the vehicle-location vendor's GTFS-realtime feed kept answering with the same snapshot; every "
        "prediction aged out and arrivals boards went blank",
    )
    f.effects += [
        Effect("predictions", "error_ratio", at + 2 * M, 0.35, relative=False),
        Effect("rt-api", "error_ratio", at + 3 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("predictions", at, 4, "warn", "[gtfs-rt-poller] Vehicle positions feed header timestamp "
              "1717399872 unchanged for 300 s; keeping previous positions"),
        Burst("predictions", at + 2 * M, 10, "error", "[predictions-worker-2] No fresh vehicle positions for "
              "route 12: dropping 412 predictions older than 600 s"),
        Burst("rt-api", at + 3 * M, 6, "warn", "Upstream predictions empty for stop 4412; serving timetable"),
    ]  # fmt: skip
    return f


def broker_limit_typo(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "broker_limit_typo",
        "broker",
        "recent_change",
        "rollback",
        "predictions",
        "VehiclePositionsLow",
        "a broker settings change meant to raise max_connections from 20000 to 25000 set it to 2000; most "
        "buses are refused when they reconnect and their positions stop arriving",
    )
    f.changes.append(change(at - 3 * M, "broker", "config", "mosquitto_max_connections", "20000", "2000", rng,
                            "ops-automation"))  # fmt: skip
    f.effects += [
        Effect("broker", "request_rate", at, 0.15),
        Effect("predictions", "error_ratio", at + 2 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("broker", at, 40, "warn", "Client connection from 10.44.8.12 refused: max_connections (2000) reached."),
        Burst("predictions", at + M, 4, "warn", "[mqtt-ingest] Received positions from 212 vehicles in the last "
              "minute (expected about 1900)"),
    ]  # fmt: skip
    return f


def planner_graph_oom(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "planner_graph_oom",
        "trip-planner",
        "recent_change",
        "rollback",
        "trip-api",
        "TripSearchErrors",
        "the nightly graph build was switched from the city to the whole state; the new graph does not fit "
        "the planner's heap and the kernel kills it on every start",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 50 * M, "trip-planner", "config", "otp_build_region", "metro", "state", rng,
                            "data-team"))  # fmt: skip
    f.effects += [
        Effect("trip-planner", "memory_utilization", at, 1.0, relative=False, ramp=timedelta(minutes=1)),
        Effect("trip-planner", "restarts", at, 6.0, relative=False),
        Effect("trip-planner", "error_ratio", at, 1.0, relative=False),
        Effect("trip-api", "error_ratio", at + M, 0.8, relative=False),
    ]
    f.bursts += [
        Burst("trip-planner", at, 1, "info", "Loading graph from /var/otp/graph.obj (4.1 GB)"),
        Burst("trip-planner", at, 1, "error", "kernel: Out of memory: Killed process 22113 (java) "
              "total-vm:24117248kB, anon-rss:16142120kB, file-rss:0kB, shmem-rss:0kB, UID:998"),
        Burst("trip-planner", at, 1, "error", "systemd[1]: otp.service: Failed with result 'oom-kill'."),
        Burst("trip-api", at + M, 12, "error", "planner request failed             error=\"ConnectionRefusedError"
              "(111, 'Connection refused')\" url=http://trip-planner:8080/otp/routers/default/plan"),
    ]  # fmt: skip
    return f


def health_check_moved(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "health_check_moved",
        "rt-api",
        "recent_change",
        "rollback",
        "lb",
        "ApiErrorsHigh",
        "rt-api 7.4.0 moved its health check from /healthz to /up; the load balancer's check still asks "
        "/healthz, marks every server down and answers 503 though the API is fine",
    )
    f.changes.append(change(at - rng.randint(2, 4) * M, "rt-api", "deploy", "rt_api_version", "7.3.2", "7.4.0",
                            rng, "deploy-bot"))  # fmt: skip
    f.effects += [
        Effect("lb", "error_ratio", at, 0.55, relative=False),
        Effect("rt-api", "request_rate", at, 0.04),
        Effect("web", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("lb", at, 1, "warn", "Server be_rt/rt-api-01 is DOWN, reason: Layer7 wrong status, code: 404, info: "
              '"Not Found", check duration: 2ms. 0 active and 0 backup servers left. 14 sessions active, 0 '
              "requeued, 0 remaining in queue.", minutes=3),
        Burst("lb", at, 1, "error", "backend be_rt has no server available!", minutes=2),
        Burst("lb", at, 60, "error", "GET /api/v1/arrivals?stop=4412 503 SC--"),
        Burst("rt-api", at, 30, "fatal", 'ActionController::RoutingError (No route matches [GET] "/healthz")'),
        Burst("web", at + M, 8, "error", "Real-time API call failed: GuzzleHttp\\Exception\\ServerException: Server "
              "error: `GET https://lb/api/v1/arrivals?stop=4412` resulted in a `503 Service Unavailable` response"),
    ]  # fmt: skip
    return f


def directory_password_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "directory_password_expired",
        "web",
        "expired_credential",
        "config_change",
        "web",
        "CmsLoginFailures",
        "the CMS's service account in the agency's Active Directory reached its password age limit; every "
        "staff login's LDAP bind is refused",
    )
    f.effects.append(Effect("web", "error_ratio", at, 0.18, relative=False))
    f.bursts.append(Burst("web", at, 6, "error", "LDAP bind failed for CN=svc-cms,OU=Service Accounts,DC=metro,"
                          "DC=local: ldap_bind(): Unable to bind to server: Invalid credentials (80090308: LdapErr: "
                          "DSID-0C09044E, comment: AcceptSecurityContext error, data 532, v4563)"))  # fmt: skip
    return f


def geocoder_quota(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "geocoder_quota",
        "trip-api",
        "recent_change",
        "rollback",
        "trip-api",
        "TripSearchErrors",
        "trip-api 3.9.0's autocomplete geocodes on every keystroke; within minutes the geocoding provider's "
        "daily quota refuses every request, searches by address included",
    )
    f.changes.append(change(at - rng.randint(5, 9) * M, "trip-api", "deploy", "trip_api_version", "3.8.4", "3.9.0",
                            rng, "deploy-bot"))  # fmt: skip
    f.effects += [
        Effect("trip-api", "error_ratio", at, 0.42, relative=False),
        Effect("trip-api", "latency_p99", at - 2 * M, 2.5),
    ]
    f.bursts += [
        Burst("trip-api", at - 3 * M, 20, "info", "geocode                        query='Main St & 4' provider=maps "
              "took_ms=88 results=5"),
        Burst("trip-api", at, 14, "error", "geocode failed                 status=429 body='{\"status\": "
              "\"OVER_QUERY_LIMIT\", \"error_message\": \"You have exceeded your daily request quota for this "
              "API.\"}' query='Main St & 4'"),
    ]  # fmt: skip
    f.failing_calls.append(("trip-api", "geocoder"))
    return f


def overnight_lull(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 20) * M
    f = Fault(
        "overnight_lull",
        "rt-api",
        "no_incident",
        "none",
        "rt-api",
        "ArrivalsTrafficDropped",
        "the last bus of the service day ran; arrivals traffic falls to a trickle every night, which the "
        "traffic-drop rule alerts on (no incident)",
    )
    f.effects += [
        Effect("rt-api", "request_rate", at, 0.08, ramp=timedelta(minutes=10)),
        Effect("lb", "request_rate", at, 0.3, ramp=timedelta(minutes=10)),
        Effect("broker", "request_rate", at, 0.05, ramp=timedelta(minutes=10)),
    ]
    f.bursts.append(Burst("predictions", at, 1, "info", "[schedule] Service day ended: last trip finished, 0 "
                          "vehicles in service until 04:50", minutes=1))  # fmt: skip
    return f


FAULTS = [avl_feed_frozen, broker_limit_typo, planner_graph_oom, health_check_moved, directory_password_expired,
          geocoder_quota, overnight_lull]  # fmt: skip
