"""World 91's faults, from configuration, release, provider, storage, capacity and routine incidents on Heroku, in
its developers' words: WEB_CONCURRENCY raised from 2 to 6 on the site, its Puma workers' connections past the
database plan's limit, so every app's queries are refused (put it back); an API release that keeps every bike's
status stream in memory, its dynos past their memory quota until the dyno manager kills them (roll it back);
Mollie answering 503 to every payment call (theirs: escalate); the database past its plan's storage, Heroku
revoking INSERT so the workers' writes are refused (upgrade the plan); the site's web dynos scaled from 4 to 1 by
a command meant for staging, its requests timing out at the router (scale it back); and Heroku's daily dyno
cycling (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

S = timedelta(seconds=1)
ROLE = "u8f3k2ab1c9d"
DB_HOST = "ec2-52-48-17-203.eu-west-1.compute.amazonaws.com"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as `heroku releases` and the team's audit of the CLI record it."""
    release = f"v{rng.randint(200, 900)}"
    if not code and kind == "deploy":
        code = f"Deploy {new[:7]}\n"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": release,
        "diff": code
        or f"heroku config:set {key}={new} -a {svc}\nSetting {key} and restarting {svc}... done, {release}\n",
    }


def web_concurrency_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "web_concurrency_raised",
        "fietsabo-web",
        "recent_change",
        "rollback",
        "fietsabo-api",
        "ApiErrorRateHigh",
        "WEB_CONCURRENCY on the site went from 2 to 6 Puma workers a dyno, each with RAILS_MAX_THREADS=5 "
        "connections, past the database plan's 120 connections; every app's new connections are refused; set it "
        "back to 2",
    )
    f.changes.append(change(at - 2 * M, "fietsabo-web", "config", "WEB_CONCURRENCY", "2", "6", rng,
                            "sanne@fietsabo.nl"))  # fmt: skip
    f.effects += [
        Effect("postgres", "pool_utilization", at - M, 1.0, relative=False, ramp=M),
        Effect("fietsabo-web", "error_ratio", at, 0.3, relative=False),
        Effect("fietsabo-api", "error_ratio", at + 30 * S, 0.35, relative=False),
        Effect("fietsabo-worker", "error_ratio", at + M, 0.3, relative=False),
    ]
    refused = f'too many connections for role "{ROLE}"'
    f.bursts += [
        Burst("postgres", at, 8, "error", f"sql_error_code = 53300 FATAL:  {refused}"),
        Burst("fietsabo-web", at, 4, "error", f'ActiveRecord::ConnectionNotEstablished (connection to server at '
              f'"{DB_HOST}" (52.48.17.203), port 5432 failed: FATAL:  {refused})'),
        Burst("fietsabo-api", at + 30 * S, 6, "error", f"request errored|exc|error|{refused}"),
        Burst("fietsabo-worker", at + M, 3, "warn", "class=RentalReminderJob jid={jid} elapsed=0.0{k} WARN: "
              f"ActiveRecord::ConnectionNotEstablished: connection to server at \"{DB_HOST}\" (52.48.17.203), port "
              f"5432 failed: FATAL:  {refused}"),
    ]  # fmt: skip
    return f


def api_release_leaks(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "api_release_leaks",
        "fietsabo-api",
        "recent_change",
        "rollback",
        "fietsabo-api",
        "ApiLatencyHigh",
        "the API's release keeps every bike's status stream in a map it never clears; its dynos climb past their "
        "memory quota (R14), then far past it (R15) until the dyno manager kills them; roll back the release",
    )
    f.changes.append(change(at - 40 * M, "fietsabo-api", "deploy", "slug", "3f2a9c1", "8e41c07", rng,
                            "github-actions", code="Deploy 8e41c07 (feat: live bike status over SSE)\n"))  # fmt: skip
    f.effects += [
        Effect("fietsabo-api", "memory_utilization", at - 38 * M, 2.0, relative=False, ramp=36 * M),
        Effect("fietsabo-api", "latency_p99", at - 6 * M, 14.0, relative=False, ramp=4 * M),
        Effect("fietsabo-api", "error_ratio", at, 0.25, relative=False),
        Effect("fietsabo-api", "restarts", at, 3.0, relative=False, ramp=timedelta(0)),
    ]
    f.bursts += [
        Burst("fietsabo-api", at - 12 * M, 2, "warn", "dyno:Error R14 (Memory quota exceeded)"),
        Burst("fietsabo-api", at - 12 * M, 2, "info", "dyno:Process running mem=10{n}M(1{k}0.4%)"),
        Burst("fietsabo-api", at, 1, "error", "dyno:Error R15 (Memory quota vastly exceeded)"),
        Burst("fietsabo-api", at, 1, "info", "dyno:Stopping process with SIGKILL"),
        Burst("fietsabo-api", at, 1, "info", "dyno:State changed from up to crashed"),
        Burst("fietsabo-api", at, 5, "error", "router:at=error code=H13 desc=\"Connection closed without response\" "
              "method=GET path=\"/v2/bikes/{n}{k}/status\" host={host} request_id={rid} fwd=\"31.{k}.{n}.7\" "
              "dyno={dyno} connect=0ms service={k}{n}04ms status=503 bytes=0 protocol=https"),
    ]  # fmt: skip
    return f


def mollie_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "mollie_outage",
        "mollie",
        "dependency_failure",
        "escalate",
        "fietsabo-web",
        "CheckoutFailures",
        "Mollie answers 503 to every payment call; new subscriptions cannot be paid and the monthly recurring "
        "charges fail and are retried; nothing of ours changed; theirs, escalate to Mollie",
    )
    f.effects += [
        Effect("fietsabo-web", "error_ratio", at, 0.2, relative=False),
        Effect("fietsabo-worker", "error_ratio", at, 0.45, relative=False),
    ]
    f.bursts += [
        Burst("fietsabo-web", at, 4, "error", "Mollie::RequestError (Error executing API call (503): Service "
              "Unavailable.) in Subscriptions::CheckoutController#create"),
        Burst("fietsabo-worker", at, 8, "warn", "class=RecurringChargeJob jid={jid} elapsed=10.0{k} WARN: "
              "Mollie::RequestError: Error executing API call (503): Service Unavailable."),
    ]  # fmt: skip
    f.failing_calls += [("fietsabo-web", "mollie"), ("fietsabo-worker", "mollie")]
    return f


def database_plan_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "database_plan_full",
        "postgres",
        "resource_exhaustion",
        "scale",
        "fietsabo-worker",
        "WorkerJobsFailing",
        "the ride events table grew the database past its Essential plan's 10 GB; Heroku revoked INSERT and "
        "CREATE, so every write is refused as a permission; upgrade the plan (then prune the events)",
    )
    f.effects += [
        Effect("postgres", "disk_utilization", t - 600 * M, 1.0, relative=False, ramp=600 * M - (t - at)),
        Effect("fietsabo-worker", "error_ratio", at, 0.6, relative=False),
        Effect("fietsabo-api", "error_ratio", at + M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 6, "error", "sql_error_code = 42501 ERROR:  permission denied for table ride_events"),
        Burst("fietsabo-worker", at, 5, "warn", "class=RideEventImportJob jid={jid} elapsed=0.{k}1 WARN: "
              "ActiveRecord::StatementInvalid: PG::InsufficientPrivilege: ERROR:  permission denied for table "
              "ride_events"),
        Burst("fietsabo-api", at + M, 1, "error", "ride end failed|exc|error|permission denied for table ride_events"),
    ]  # fmt: skip
    return f


def web_scaled_to_one(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "web_scaled_to_one",
        "fietsabo-web",
        "recent_change",
        "scale",
        "fietsabo-web",
        "RouterTimeouts",
        "`heroku ps:scale web=1`, meant for staging, ran against the production site: one dyno takes the "
        "morning's requests, they queue and time out at the router after 30 s (H12); scale web back to 4",
    )
    f.changes.append(change(at - 3 * M, "fietsabo-web", "scale", "web", "4:Standard-2X", "1:Standard-2X", rng,
                            "joost@fietsabo.nl", code="heroku ps:scale web=1 -a fietsabo-web\nScaling dynos... "
                            "done, now running web at 1:Standard-2X\n"))  # fmt: skip
    f.effects += [
        Effect("fietsabo-web", "cpu_utilization", at, 0.99, relative=False),
        Effect("fietsabo-web", "latency_p99", at, 28.0, relative=False),
        Effect("fietsabo-web", "error_ratio", at + M, 0.18, relative=False),
    ]
    f.bursts += [
        Burst("fietsabo-web", at + M, 6, "error", "router:at=error code=H12 desc=\"Request timeout\" method=GET "
              "path=\"/abonnement/{n}{k}\" host={host} request_id={rid} fwd=\"84.{k}.{n}.1{k}\" dyno={dyno} "
              "connect=1ms service=30000ms status=503 bytes=0 protocol=https"),
    ]  # fmt: skip
    return f


def daily_dyno_cycling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "daily_dyno_cycling",
        "fietsabo-api",
        "no_incident",
        "none",
        "fietsabo-api",
        "DynoRestarts",
        "Heroku restarts every dyno once a day; the API's four cycled within minutes of each other, a few requests "
        "waited while each came back; nothing is wrong (no incident)",
    )
    f.effects += [
        Effect("fietsabo-api", "restarts", at, 4.0, relative=False, ramp=timedelta(0), until=at + 5 * M),
    ]
    f.bursts += [
        Burst("fietsabo-api", at, 0.8, "info", "dyno:Cycling", minutes=5),
        Burst("fietsabo-api", at, 0.8, "info", "dyno:State changed from up to starting", minutes=5),
        Burst("fietsabo-api", at, 0.8, "info", "dyno:Stopping all processes with SIGTERM", minutes=5),
        Burst("fietsabo-api", at, 0.8, "info", "dyno:Process exited with status 143", minutes=5),
        Burst("fietsabo-api", at, 0.8, "info", "dyno:State changed from starting to up", minutes=5),
    ]
    return f


FAULTS = [web_concurrency_raised, api_release_leaks, mollie_outage, database_plan_full, web_scaled_to_one,
          daily_dyno_cycling]  # fmt: skip
