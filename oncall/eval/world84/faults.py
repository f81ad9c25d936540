"""World 84's faults, from failover, mesh, broker, demand, provider and maintenance incidents, in this estate's
words: a planned Patroni switchover the trips API never follows (the JVM caches the primary's address for ever and
keeps writing to what is now a replica; restart it); Consul intentions rolled out default-deny without the trips
API's allow to pricing (roll it back); EMQX's session expiry set to zero, the docks' sessions gone and every
unlock unacknowledged (roll it back); a transit strike's riders at the trips API's limit (scale it); Moneris slow
(the provider's, escalate); and a Nomad client drained for its kernel patch, its allocations moved (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

S = timedelta(seconds=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's deploy log records it: a Nomad job submitted, a Terraform apply, a patronictl run."""
    path = f"nomad/{svc}.nomad.hcl"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:10],
        "diff": code or f'--- a/{path}\n+++ b/{path}\n@@ -12 +12 @@\n-  {key} = "{old}"\n+  {key} = "{new}"\n',
    }


def switchover_not_followed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "switchover_not_followed",
        "app-api",
        "network",
        "restart",
        "app-api",
        "TripsApiErrors",
        "the DBAs' planned Patroni switchover moved the primary from pg-1 to pg-2; Consul's DNS followed and every "
        "other client reconnected, but the trips API's JVM caches a resolved address for ever and keeps writing "
        "to pg-1, now a replica; restart it to resolve the primary again",
        # (a client pinned to the old primary is filed as its dependency's failure where world 56 met it; its stale
        # DNS answer is DESIGN.md's network: either names it)
        also_accept=["dependency_failure"],
    )
    f.changes.append(change(at - 30 * S, "postgres", "failover", "patroni.leader", "pg-1", "pg-2", rng, "dba.oncall",
                            "patronictl switchover --leader pg-1 --candidate pg-2 --force\n"))  # fmt: skip
    f.effects += [
        Effect("app-api", "error_ratio", at, 0.6, relative=False),
        Effect("edge", "error_ratio", at + M, 0.35, relative=False),
        Effect("payments", "error_ratio", at - 30 * S, 0.3, relative=False, until=at + 30 * S),
        Effect("dock-gateway", "error_ratio", at - 30 * S, 0.2, relative=False, until=at + 30 * S),
    ]
    f.bursts += [
        Burst("postgres", at - 40 * S, 1, "info", "LOG:  received fast shutdown request", minutes=1),
        Burst("postgres", at, 12, "error", "ERROR:  cannot execute UPDATE in a read-only transaction"),
        Burst("app-api", at, 12, "error", "o.h.engine.jdbc.spi.SqlExceptionHelper - ending trip failed|exc|"
              "org.postgresql.util.PSQLException|ERROR: cannot execute UPDATE in a read-only transaction"),
        Burst("payments", at - 30 * S, 6, "error", "charge not recorded|exc|Error|Connection terminated unexpectedly",
              minutes=1),
        Burst("dock-gateway", at - 30 * S, 4, "warn", 'msg="db reconnect" attempt=1', minutes=1),
    ]  # fmt: skip
    return f


def intentions_default_deny(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "intentions_default_deny",
        "pricing",
        "recent_change",
        "rollback",
        "app-api",
        "TripsApiErrors",
        "a Terraform apply made pricing's Consul intentions default-deny and listed its callers, leaving the trips "
        "API out; pricing's Envoy sidecar answers every quote 403 RBAC: access denied; roll the intentions back",
    )
    f.changes.append(change(at - 2 * M, "pricing", "config", "consul_config_entry.pricing_intentions",
                            "default allow", "default deny (allow: payments)", rng, "terraform"))  # fmt: skip
    f.effects += [
        Effect("app-api", "error_ratio", at, 0.4, relative=False),
        Effect("edge", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("app-api", at, 12, "error", "c.v.trips.QuoteClient - quote failed for station {n}{k}|exc|"
              "org.springframework.web.client.HttpClientErrorException$Forbidden|403 Forbidden: \"RBAC: access "
              "denied\""),
    ]  # fmt: skip
    f.failing_calls.append(("app-api", "pricing"))
    return f


def session_expiry_zero(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "session_expiry_zero",
        "emqx",
        "recent_change",
        "rollback",
        "dock-gateway",
        "UnlockFailures",
        "EMQX's session expiry was set from two hours to zero to save memory; at the rolling restart that applied it "
        "every dock's session and its subscriptions were dropped, so no dock hears an unlock and the gateway's "
        "commands go unacknowledged; roll the setting back",
    )
    f.changes.append(change(at - 3 * M, "emqx", "config", "mqtt.session_expiry_interval", "2h", "0s", rng,
                            "nomad-deploy"))  # fmt: skip
    f.effects += [
        Effect("dock-gateway", "error_ratio", at, 0.5, relative=False),
        Effect("dock-gateway", "latency_p99", at, 10.0, relative=False),
        Effect("app-api", "error_ratio", at + M, 0.2, relative=False),
        Effect("emqx", "restarts", at - 2 * M, 1, relative=False, until=at + 3 * M),
    ]
    f.bursts += [
        Burst("emqx", at - 2 * M, 20, "warn", "msg: session_discarded, clientid: dock-D{n}{k}, reason: "
              "session_expired", minutes=3),
        Burst("dock-gateway", at, 10, "error", 'msg="unlock not acknowledged" dock=D{n}{k} waited_ms=10000|exc|'
              "*errors.errorString|no ack within 10s"),
        Burst("app-api", at + M, 5, "error", "c.v.trips.TripService - trip start failed: dock D{n}{k} did not "
              "release bike"),
    ]  # fmt: skip
    return f


def transit_strike(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 16) * M
    f = Fault(
        "transit_strike",
        "app-api",
        "capacity",
        "scale",
        "app-api",
        "TripsApiLatencyHigh",
        "the STM's metro strike sends four times the usual riders to the bikes at the morning rush; the trips API's "
        "allocations are at their CPU limit and requests queue; nothing changed; scale the task group",
    )
    for svc, k in (("edge", 3.5), ("app-api", 4.0), ("pricing", 3.5), ("dock-gateway", 2.5)):
        f.effects.append(Effect(svc, "request_rate", at, k, ramp=6 * M))
    f.effects += [
        Effect("app-api", "cpu_utilization", at + 4 * M, 0.99, relative=False, ramp=2 * M),
        Effect("app-api", "latency_p99", at + 5 * M, 6.0, relative=False, ramp=2 * M),
        Effect("app-api", "error_ratio", at + 7 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("edge", at, 40, "info", "POST /v1/trips 201", minutes=60),
        Burst("app-api", at + 7 * M, 2, "warn", "o.a.tomcat.util.threads.ThreadPoolExecutor - request queued "
              "{k}{n}00 ms: all 200 threads busy"),
    ]  # fmt: skip
    return f


def moneris_slow(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "moneris_slow",
        "moneris",
        "dependency_failure",
        "escalate",
        "payments",
        "PaymentsLatencyHigh",
        "Moneris' gateway answers purchases in twenty seconds or not at all; payments' charges time out and riders "
        "cannot end paid trips; nothing of ours changed; the provider's, escalate to Moneris",
    )
    f.effects += [
        Effect("payments", "latency_p99", at, 20.0, relative=False),
        Effect("payments", "error_ratio", at, 0.45, relative=False),
        Effect("edge", "error_ratio", at + M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 6, "error", "charge failed for trip T{n}{k}{k}4|exc|Error|timeout of 20000ms exceeded "
              "(POST https://www3.moneris.com/gateway2/servlet/MpgRequest)"),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "moneris"))
    return f


def node_drained(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "node_drained",
        "dock-gateway",
        "no_incident",
        "none",
        "dock-gateway",
        "DockGatewayRestarts",
        "nomad-client-03 was drained for its kernel patch; the dock gateway's allocation on it stopped and was "
        "placed on another client, the docks reconnected within a minute and nothing has failed since (no incident)",
    )
    f.changes.append(change(at - M, "dock-gateway", "drain", "node.nomad-client-03", "eligible", "draining", rng,
                            "patch-bot", "nomad node drain -enable -deadline 10m nomad-client-03\n"))  # fmt: skip
    f.effects += [
        Effect("dock-gateway", "restarts", at, 1, relative=False, until=at + 5 * M),
        Effect("dock-gateway", "error_ratio", at, 0.05, relative=False, ramp=timedelta(seconds=20), until=at + M),
    ]
    f.bursts += [
        Burst("dock-gateway", at, 20, "info", 'msg="dock reconnected" dock=D{n}{k} after_ms={k}{n}0', minutes=2),
        Burst("emqx", at, 20, "info", "msg: client_connected, clientid: dock-D{n}{k}, proto_ver: 5", minutes=2),
    ]  # fmt: skip
    return f


FAULTS = [switchover_not_followed, intentions_default_deny, session_expiry_zero, transit_strike, moneris_slow,
          node_drained]  # fmt: skip
