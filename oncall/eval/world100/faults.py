"""World 100's faults, from release, certificate, memory, provider, platform and peak incidents at a port's truck
gate appointments, in its engineers' words: a truck-eta release retries its slot poll at once instead of backing
off, and gate-api drowns in its requests (roll truck-eta back); customs-bridge's client certificate for Portbase
expired (install the renewed one); the winter schedule's mega-ship calls no longer fit berth-planner's memory quota
and jvmkill ends it again and again (a larger quota); the AIS feed down (the provider's: escalate); the platform
team's automation rebinds the space's security groups without the database's (bind it back); and a mega-ship's
discharge with the autoscaler adding gate-api instances (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Concourse pipeline records it: the push it made, or what it changed."""
    if not code:
        code = f"cf push {svc} -f apps/{svc}/manifest.yml --strategy rolling  # {old} -> {new}\n"
    ref = f"concourse build deploy-{svc}/{rng.randint(300, 999)}"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def eta_poll_flood(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "eta_poll_flood",
        "truck-eta",
        "recent_change",
        "rollback",
        "gate-api",
        "GateApiLatencyHigh",
        "truck-eta 2.5.0 dropped the backoff of its slot-availability poll (a visit with no free slot is asked "
        "again at once); with the morning's trucks waiting, gate-api gets eight times its usual requests, its "
        "threads and database pool are exhausted and hauliers' bookings time out; roll truck-eta back",
    )
    path = "eta/slots.py"
    diff = (
        f"--- a/{path}\n+++ b/{path}\n@@ async def wait_for_slot(visit):\n     while not (slot := await free_slot("
        "visit)):\n-        await asyncio.sleep(backoff.next())\n+        continue  # slots free up within seconds\n"
    )
    f.changes.append(change(at - 2 * M, "truck-eta", "deploy", "app_version", "2.4.3", "2.5.0", rng, "concourse",
                            diff))  # fmt: skip
    f.effects += [
        Effect("gate-api", "request_rate", at, 8.0),
        Effect("gate-api", "cpu_utilization", at, 0.97, relative=False),
        Effect("gate-api", "latency_p99", at + M, 15.0),
        Effect("gate-api", "error_ratio", at + 2 * M, 0.25, relative=False),
        Effect("portal", "error_ratio", at + 3 * M, 0.15, relative=False),
        Effect("portal", "latency_p99", at + 3 * M, 10.0),
        Effect("truck-eta", "cpu_utilization", at, 0.9, relative=False),
    ]
    f.bursts += [
        Burst("truck-eta", at, 30, "info", "eta.slots|slot availability checked|free=0 terminal=\"{terminal}\" "
              "visit={k}{n}{k}{n}"),
        Burst("gate-api", at, 40, "info", "RTR: GET /api/v2/slots/availability 200 truck-eta/2.5.0 "
              "python-httpx/0.27.0"),
        Burst("gate-api", at + 2 * M, 6, "error", "nl.havenlink.gate.SlotController|Slot query failed for visit "
              "{k}{n}{k}{n} ~ org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC "
              "Connection | java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, "
              "request timed out after 30000ms (total=20, active=20, idle=0, waiting=181)"),
        Burst("gate-api", at + 2 * M, 8, "info", "RTR: GET /api/v2/slots/availability 503 truck-eta/2.5.0 "
              "python-httpx/0.27.0"),
        Burst("portal", at + 3 * M, 3, "error", "booking failed: gate-api answered 503 for POST /api/v2/slots"
              "||POST /api/bookings 502 Mozilla/5.0"),
    ]  # fmt: skip
    return f


def portbase_certificate_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "portbase_certificate_expired",
        "customs-bridge",
        "expired_credential",
        "config_change",
        "customs-bridge",
        "CustomsDeclarationsFailing",
        "customs-bridge's client certificate for Portbase's API (mutual TLS, two years) expired at 00:00 UTC; "
        "Portbase's gateway ends every handshake with the certificate-expired alert, no release is read and gates "
        "hold every import container; bind the renewed certificate from CredHub and restage",
    )
    f.effects += [
        Effect("customs-bridge", "error_ratio", at, 0.85, relative=False),
        Effect("gate-api", "error_ratio", at + 2 * M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("customs-bridge", at, 5, "error", "Havenlink.Customs.PortbaseClient|Declaration {h8} status request "
              "failed: System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner "
              "exception. ---> System.Security.Authentication.AuthenticationException: Authentication failed because "
              "the remote party sent a TLS alert: 'CertificateExpired'."),
        Burst("gate-api", at + 2 * M, 2, "warn", "nl.havenlink.gate.GateCheck|Visit {k}{n}{k}{n} held: customs status "
              "unknown (customs-bridge has no answer from Portbase)"),
    ]  # fmt: skip
    f.failing_calls.append(("customs-bridge", "portbase"))
    return f


def planner_memory_quota(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "planner_memory_quota",
        "berth-planner",
        "resource_exhaustion",
        "scale",
        "berth-planner",
        "BerthPlannerCrashing",
        "the winter schedule adds the 24,000 TEU class's weekly calls and a week's berth plan now holds three times "
        "the moves; berth-planner's heap no longer fits its 1 GB memory quota, jvmkill ends it on every replan and "
        "the cell restarts it; raise the quota (cf scale berth-planner -m 2G)",
    )
    f.effects += [
        Effect("berth-planner", "memory_utilization", t - 90 * M, 0.99, relative=False, ramp=80 * M),
        Effect("berth-planner", "restarts", at, 4.0, relative=False),
        Effect("berth-planner", "error_ratio", at, 0.4, relative=False),
        Effect("gate-api", "error_ratio", at + M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("berth-planner", at, 2, "error", "STDERR: Resource exhaustion event: the JVM was unable to "
              "allocate memory from the heap."),
        Burst("berth-planner", at, 2, "error", "STDERR: jvmkill killing current process"),
        Burst("berth-planner", at, 2, "info", "API: App instance exited with guid {h8}-0c1d-4e2f-9a3b-5c6d7e8f9a0b "
              "payload: {\"instance\"=>\"\", \"index\"=>0, \"cell_id\"=>\"\", \"reason\"=>\"CRASHED\", "
              "\"exit_description\"=>\"APP/PROC/WEB: Exited with status 137 (out of memory)\", \"crash_count\"=>{k}, "
              "\"crash_timestamp\"=>1{n}{k}{n}{k}{n}{k}{n}{k}{n}}"),
        Burst("berth-planner", at, 2, "info", "CELL: Cell {h8} stopping instance {h8}-55aa-4b2c-8d3e-1f2a3b4c5d6e"),
        Burst("gate-api", at + M, 2, "warn", "nl.havenlink.gate.BerthClient|Berth window for visit {k}{n}{k}{n} "
              "unavailable: berth-planner answered 502"),
    ]  # fmt: skip
    return f


def ais_feed_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "ais_feed_down",
        "ais",
        "dependency_failure",
        "escalate",
        "truck-eta",
        "TruckEtaStale",
        "the AIS provider's position API answers 503 (their incident, on their status page half an hour later); "
        "truck-eta cannot place vessels and every ETA goes stale; the provider's: escalate, gates fall back to "
        "the terminals' own berth times",
    )
    f.effects += [
        Effect("truck-eta", "error_ratio", at, 0.7, relative=False),
    ]
    f.bursts += [
        Burst("truck-eta", at, 6, "error", "eta.ais|vessel position lookup failed|error=\"HTTPStatusError: Server "
              "error '503 Service Unavailable' for url 'https://api.aisfeed.example/v2/vessels/2441{n}{k}000/"
              "position'\" mmsi=2441{n}{k}000"),
        Burst("truck-eta", at + M, 2, "warn", "eta.slots|eta unknown, keeping last estimate|age_s={k}{n}0 "
              "visit={k}{n}{k}{n}"),
    ]  # fmt: skip
    f.failing_calls.append(("truck-eta", "ais"))
    return f


def security_group_unbound(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "security_group_unbound",
        "slots-db",
        "network",
        "rollback",
        "gate-api",
        "GateApiErrorsHigh",
        "the platform team's automation rebinds the prod space's running security groups from its new template, "
        "which lacks postgres-access; new connections from the space to the slots database are dropped and time "
        "out as pools recycle them; bind the group back (the database itself is healthy)",
        also_accept=["recent_change"],  # the change that cut the way is the cause to undo (worlds 57, 65 alike)
    )
    code = (
        "cf unbind-security-group postgres-access havenlink prod --lifecycle running\n"
        "cf bind-security-group platform-egress havenlink --space prod --lifecycle running\n"
    )
    f.changes.append(change(at - 4 * M, "slots-db", "config", "running_security_groups",
                            "platform-egress,postgres-access", "platform-egress", rng, "platform-automation",
                            code))  # fmt: skip
    f.effects += [
        Effect("gate-api", "error_ratio", at, 0.45, relative=False),
        Effect("gate-api", "latency_p99", at, 20.0),
        Effect("berth-planner", "error_ratio", at + M, 0.3, relative=False),
        Effect("customs-bridge", "error_ratio", at + 2 * M, 0.2, relative=False),
        Effect("portal", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("gate-api", at, 6, "error", "nl.havenlink.gate.SlotController|Slot query failed for visit {k}{n}{k}{n} "
              "~ org.postgresql.util.PSQLException: The connection attempt failed. | "
              "java.net.SocketTimeoutException: Connect timed out"),
        Burst("berth-planner", at + M, 3, "error", "com.zaxxer.hikari.pool.HikariPool|HikariPool-1 - Exception "
              "during pool initialization. org.postgresql.util.PSQLException: The connection attempt failed."),
        Burst("customs-bridge", at + 2 * M, 2, "error", "Havenlink.Customs.Worker|Release batch not saved: "
              "Npgsql.NpgsqlException (0x80004005): Failed to connect to 10.0.32.14:5432 ---> "
              "System.TimeoutException: The operation has timed out."),
        Burst("portal", at + M, 2, "error", "booking failed: gate-api answered 500 for POST /api/v2/slots"
              "||POST /api/bookings 502 Mozilla/5.0"),
    ]  # fmt: skip
    return f


def mega_ship_discharge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "mega_ship_discharge",
        "gate-api",
        "no_incident",
        "none",
        "gate-api",
        "GateApiLatencyHigh",
        "a 24,000 TEU ship's discharge at ECT Delta: hauliers book four times the usual slots in an hour; gate-api's "
        "latency crossed its alert until the App Autoscaler had added instances; every booking was made (no "
        "incident)",
    )
    scaled = "App Autoscaler: scaled gate-api from 4 to 10 instances (cpu above 70% for 120 s)\n"
    f.changes.append(change(at + 3 * M, "gate-api", "scale", "instances", "4", "10", rng, "app-autoscaler", scaled))
    f.effects += [
        Effect("gate-api", "request_rate", at, 4.0),
        Effect("portal", "request_rate", at, 4.0),
        Effect("gate-api", "latency_p99", at, 2.5, until=at + 12 * M),
        Effect("gate-api", "cpu_utilization", at, 0.88, relative=False, until=at + 12 * M),
    ]
    f.bursts += [
        Burst("gate-api", at, 40, "info", "nl.havenlink.gate.SlotController|Slot {h8} reserved at ECT Delta for visit "
              "{k}{n}{k}{n}||POST /api/v2/slots 201 havenlink-portal/4.2"),
        Burst("gate-api", at + 3 * M, 2, "info", "CELL: Cell {h8} creating container for instance "
              "{h8}-7e6d-4c5b-9a8f-0e1d2c3b4a59"),
    ]  # fmt: skip
    return f


FAULTS = [eta_poll_flood, portbase_certificate_expired, planner_memory_quota, ais_feed_down, security_group_unbound,
          mega_ship_discharge]  # fmt: skip
