"""World 55's faults, from PostgreSQL, Vault, NATS, OpenTripPlanner and public-transport incidents, in this
estate's words: a DBA's change cutting PostgreSQL's work_mem so the departures board's nearest-stop queries
spill to disk; ticketing's database credentials from Vault reaching their lease's maximum TTL, revoked while
the app still holds them (no change); NATS JetStream losing its quorum when one server cannot reach its
routes, vehicle positions stalling; a snowy morning's rush on the departures board; OpenTripPlanner's
weekly graph grown past the task's memory (it is OOM-killed as it loads, no change); Vipps' payment API
timing out; a Nomad client drained for kernel patching, the journey planner's allocations moved (no
incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the platform's job history records it: a Nomad job's new version and `nomad job plan`'s
    diff of it."""
    version = rng.randint(12, 480)
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} = {old}",
        "to": f"{key} = {new}",
        "author": who,
        "ref": f"nomad job {svc} version {version}",
        "diff": f'+/- Job: "{svc}"\n+/- Task Group: "{svc}"\n  +/- Task: "{svc}" (forces create/destroy update)\n'
        f'    +/- {key}: "{old}" => "{new}"\n{code}',
    }


def work_mem_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 11) * M
    f = Fault(
        "work_mem_cut",
        "postgres",
        "recent_change",
        "rollback",
        "departures-api",
        "DeparturesSlow",
        "a DBA's change cut PostgreSQL's work_mem from 64MB to 4MB to save memory; the departures board's "
        "nearest-stop queries now sort on disk (temporary files), PostgreSQL's queries slow tenfold and the board "
        "times out",
    )
    f.changes.append(change(at - 2 * M, "postgres", "config", "work_mem", "64MB", "4MB", rng, "dba-team"))
    f.effects += [
        Effect("postgres", "latency_p99", at, 25.0),
        Effect("postgres", "cpu_utilization", at, 0.74, relative=False),
        Effect("postgres", "disk_utilization", at, 0.71, relative=False, ramp=8 * M),
        Effect("departures-api", "latency_p99", at + 1 * M, 9.0),
        Effect("departures-api", "error_ratio", at + 1 * M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 20, "info", 'LOG:  temporary file: path "base/pgsql_tmp/pgsql_tmp412.7", size 118423552'),
        Burst("postgres", at, 6, "info", "LOG:  duration: 4812.118 ms  execute <unnamed>: SELECT id, name FROM stops "
              "ORDER BY geom <-> $1 LIMIT 20"),
        Burst("departures-api", at + 1 * M, 6, "warn", "WARNING:departures.db:nearest-stops query took 4.8 s "
              "(stop search for 59.9139,10.7522)"),
        Burst("departures-api", at + 1 * M, 3, "error", "ERROR:departures.api:board for NSR:StopPlace:337 failed: "
              "asyncpg.exceptions.QueryCanceledError: canceling statement due to statement timeout"),
    ]  # fmt: skip
    return f


def vault_lease_max_ttl(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    user = f"v-nomad-ticketin-{rng.choice(['8XyZ2qW1', 'Qm4Rt7Lp', 'b2Nc9Vs0'])}"
    f = Fault(
        "vault_lease_max_ttl",
        "ticketing",
        "expired_credential",
        "restart",
        "ticketing",
        "TicketPurchasesFailing",
        "ticketing's database credentials come from Vault's database secrets engine; their lease reached its "
        "maximum TTL and Vault revoked them (dropping the role), but the running app still holds the old user, so "
        "every query fails authentication; restarting the task renders fresh credentials",
    )
    f.effects += [
        Effect("ticketing", "error_ratio", at, 0.62, relative=False),
        Effect("ticketing", "latency_p99", at, 0.4),
    ]
    f.bursts += [
        Burst("vault", at - 1 * M, 1, "info", f"[INFO]  expiration: revoked lease: lease_id=database/creds/ticketing/"
              f"{user[-8:]}Q8mYb2", minutes=1),
        Burst("ticketing", at, 12, "error", 'production.ERROR: SQLSTATE[08006] [7] connection to server at '
              '"postgres.service.consul" (10.41.2.7), port 5432 failed: FATAL:  password authentication failed for '
              f'user "{user}" (Connection: pgsql, SQL: select * from "fares" where "zone" = 4)'),
        Burst("postgres", at, 12, "error", f'FATAL:  password authentication failed for user "{user}"'),
        Burst("postgres", at, 12, "info", f'DETAIL:  Role "{user}" does not exist. Connection matched file '
              '"/local/pg_hba.conf" line 7: "host all all 10.41.0.0/16 scram-sha-256"'),
    ]  # fmt: skip
    return f


def jetstream_no_quorum(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "jetstream_no_quorum",
        "nats",
        "network",
        "escalate",
        "realtime-feed",
        "VehiclePositionsStale",
        "one NATS server cannot reach its peers (route dials time out across the network); the VEHICLES stream "
        "loses its JetStream quorum and stalls, so the realtime feed's publishes time out and vehicle positions "
        "stop; the network between the Nomad clients needs the platform team",
        also_accept=["dependency_failure"],
    )
    f.effects += [
        Effect("realtime-feed", "request_rate", at, 0.1),
        Effect("realtime-feed", "error_ratio", at, 0.55, relative=False),
        Effect("nats", "error_ratio", at, 0.3, relative=False),
        Effect("nats", "latency_p99", at, 40.0),
    ]
    f.bursts += [
        Burst("nats", at, 6, "error", "[ERR] 10.41.3.13:6222 - rid:12 - Error trying to connect to route (attempt "
              "41): dial tcp 10.41.3.13:6222: i/o timeout"),
        Burst("nats", at + 1 * M, 4, "warn", "[WRN] JetStream cluster stream '$G > VEHICLES' has NO quorum, stalled"),
        Burst("realtime-feed", at + 1 * M, 20, "error", '{"level":"error","component":"publisher","subject":'
              '"vehicles.positions.412","error":"nats: timeout","message":"publish vehicle position failed"}'),
    ]  # fmt: skip
    return f


def snow_morning(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(9, 13) * M
    f = Fault(
        "snow_morning",
        "departures-api",
        "capacity",
        "scale",
        "departures-api",
        "DeparturesLatencyHigh",
        "heavy snow overnight: everyone checks their departure before leaving home, the board's requests rise "
        "fivefold, its CPU is at its limit with all its workers busy, and requests queue",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("departures-api", "request_rate", at - 4 * M, 4.5, ramp=5 * M),
        Effect("traefik", "request_rate", at - 4 * M, 3.4, ramp=5 * M),
        Effect("departures-api", "cpu_utilization", at, 0.98, relative=False),
        Effect("departures-api", "latency_p99", at + 1 * M, 7.0),
    ]
    f.bursts += [
        Burst("departures-api", at + 1 * M, 3, "warn", "WARNING:departures.api:worker pool saturated: 16 of 16 "
              "workers busy, 212 requests waiting"),
    ]  # fmt: skip
    return f


def planner_graph_oom(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "planner_graph_oom",
        "journey-planner",
        "resource_exhaustion",
        "config_change",
        "journey-planner",
        "JourneyPlannerRestarting",
        "the weekly graph now covers a neighbouring county's timetables; OpenTripPlanner's graph no longer fits "
        "the task's 8 GiB, so each allocation is OOM-killed while it loads it; the job's memory must be raised",
    )
    f.effects += [
        Effect("journey-planner", "memory_utilization", at - 3 * M, 0.99, relative=False, ramp=2 * M),
        Effect("journey-planner", "restarts", at, 5.0, relative=False, ramp=0 * M),
        Effect("journey-planner", "error_ratio", at, 0.5, relative=False),
        Effect("traefik", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("journey-planner", at - 3 * M, 0.5, "info", "INFO [main] (SerializedGraphObject.java:177) Loading "
              "graph from /var/opentripplanner/graph-2026-w15.obj (4.1 GB, 3 counties)"),
        Burst("journey-planner", at, 0.5, "error", 'nomad: [INFO]  client.alloc_runner.task_runner: Task event: '
              'alloc_id=8f1c2e7d-4b6a-4c0e-9d3f-1a2b5c6d7e8f task=journey-planner type=Terminated msg="Exit Code: '
              '137, Exit Message: \\"OOM Killed\\"" failed=false'),
    ]  # fmt: skip
    return f


def vipps_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "vipps_timeouts",
        "vipps-api",
        "dependency_failure",
        "escalate",
        "ticketing",
        "TicketPurchasesFailing",
        "Vipps' ePayment API stops answering within ticketing's 10 s; mobile ticket purchases fail and the "
        "circuit breaker opens",
    )
    f.effects += [
        Effect("ticketing", "error_ratio", at, 0.35, relative=False),
        Effect("ticketing", "latency_p99", at, 6.0),
    ]
    f.bursts += [
        Burst("ticketing", at, 10, "error", "production.ERROR: Vipps ePayment create payment failed: cURL error 28: "
              "Operation timed out after 10001 milliseconds with 0 bytes received for "
              'https://api.vipps.no/epayment/v1/payments {"order":88213}'),
        Burst("ticketing", at + 2 * M, 1, "warn", "production.WARNING: circuit breaker vipps OPEN after 20 failures"),
    ]  # fmt: skip
    f.failing_calls.append(("ticketing", "vipps-api"))
    return f


def node_drain(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "node_drain",
        "journey-planner",
        "no_incident",
        "none",
        "journey-planner",
        "NomadAllocRestarts",
        "the platform team drains a Nomad client for kernel patching; the journey planner's allocation there is "
        "moved and loads its graph again elsewhere, routing a little slower for a few minutes, nothing fails "
        "(no incident)",
    )
    f.changes.append(change(at - 1 * M, "journey-planner", "ops", "node_drain", "nomad-client-05 eligible",
                            "nomad node drain -enable -deadline 1h -yes nomad-client-05 (kernel patching)", rng,
                            "platform-team"))  # fmt: skip
    f.effects += [
        Effect("journey-planner", "restarts", at, 2.0, relative=False, ramp=0 * M),
        Effect("journey-planner", "latency_p99", at, 1.8, ramp=3 * M),
        Effect("journey-planner", "cpu_utilization", at, 0.7, relative=False),
    ]
    f.bursts += [
        Burst("journey-planner", at, 0.5, "info", "INFO [main] (OtpStartupInfo.java:40) OTP STARTING UP (2.5.0) "
              "using graph graph-2026-w14.obj", minutes=6),
        Burst("journey-planner", at, 0.5, "info", 'nomad: [INFO]  client.alloc_runner.task_runner: Task event: '
              'alloc_id=5d2c8e1f-7a3b-4e9d-8c1f-2b4d6e8f0a1c task=journey-planner type=Killing msg="Sent interrupt. '
              'Waiting 5s before force killing" failed=false', minutes=6),
    ]  # fmt: skip
    return f


FAULTS = [work_mem_cut, vault_lease_max_ttl, jetstream_no_quorum, snow_morning, planner_graph_oom, vipps_timeouts,
          node_drain]  # fmt: skip
