"""World 107's faults, from credential, disk, capacity, firewall, provider, batch and proxy incidents at a Kraków
grocery-delivery company, in its engineers' words: finance regenerated Przelewy24's CRC key in the merchant panel
while the app keeps the old one (change the credential); the job role's deploy dropped Docker's log rotation and
turned on debug logging until the host's disk filled under MySQL (roll it back); a Saturday evening's couriers
saturating the tracking service on its one host (more capacity); a firewall change on MySQL's host leaving out the
other app host (roll it back); InPost's ShipX API failing (theirs: escalate); the Monday price import (no
incident); dispatch's deploy setting kamal-proxy's request-body limit below a delivery photo's size (roll it
back)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

DEPLOY = "config/deploy.yml"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's deploy log keeps it: who ran which Kamal command at which version, and the diff."""
    if not code:
        code = f"--- a/{DEPLOY}\n+++ b/{DEPLOY}\n-  {key}: {old}\n+  {key}: {new}\n"
    ref = f"kamal deploy -d production --version={rng.getrandbits(40):010x} ({who}@wisla-ops)"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def p24_crc_key_regenerated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "p24_crc_key_regenerated",
        "web",
        "expired_credential",
        "config_change",
        "web",
        "WislaPaymentsUnconfirmed",
        "finance regenerated the CRC key in Przelewy24's merchant panel; the app's credentials still hold the old "
        "one, so every payment notification's sign is refused and every verify call is rejected; put the new key "
        "in the credentials and redeploy",
    )
    f.effects += [
        Effect("web", "error_ratio", at, 0.12, relative=False),
        Effect("jobs", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("web", at, 5, "error", "Przelewy24::SignatureError (notification sign mismatch for session "
              "wisla-{n}{k}{n}: the sign was not made with this merchant's CRC key):"),
        Burst("web", at, 5, "info", "Completed 400 Bad Request in {k}ms (ActiveRecord: 0.{k}ms (1 query, 0 cached) | "
              "GC: 0.0ms)"),
        Burst("jobs", at + M, 3, "error", "[ActiveJob] [PaymentVerifyJob] [{uuid}] Error performing PaymentVerifyJob "
              "(Job ID: {uuid}) from SolidQueue(default) in 2{k}{n}.{k}ms: Przelewy24::Error (POST "
              "/api/v1/transaction/verify answered 400: {\"error\":\"Incorrect CRC value\",\"code\":400})"),
    ]  # fmt: skip
    return f


def jobs_logs_fill_disk(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    began = t - timedelta(hours=rng.randint(3, 4), minutes=rng.randint(0, 40))
    f = Fault(
        "jobs_logs_fill_disk",
        "jobs",
        "recent_change",
        "rollback",
        "web",
        "WislaCheckoutErrors",
        "the job role's deploy dropped Docker's log rotation (max-size) and set RAILS_LOG_LEVEL to debug to chase a "
        "reminder bug; its json-file log grew until wisla-app-2's disk was full, and MySQL, an accessory on that "
        "host, can no longer write its binlog; roll the job role's settings back (and truncate the log)",
        also_accept=["resource_exhaustion"],
    )
    diff = (
        f"--- a/{DEPLOY}\n+++ b/{DEPLOY}\n   job:\n     hosts: [wisla-app-2]\n     cmd: bin/jobs\n"
        "-    options:\n-      log-opt: max-size=100m\n env:\n   clear:\n-    RAILS_LOG_LEVEL: info\n"
        "+    RAILS_LOG_LEVEL: debug\n"
    )
    f.changes.append(change(began, "jobs", "deploy", "RAILS_LOG_LEVEL", "info", "debug", rng, "tomasz", diff))
    for svc in ("jobs", "mysql", "dispatch"):  # one disk: wisla-app-2's
        f.effects.append(Effect(svc, "disk_utilization", began, 1.0, relative=False, ramp=at - began))
    f.effects += [
        Effect("web", "error_ratio", at, 0.45, relative=False),
        Effect("jobs", "error_ratio", at, 0.6, relative=False),
        Effect("dispatch", "error_ratio", at + M, 0.3, relative=False),
        Effect("mysql", "request_rate", at, 0.5),
    ]
    f.bursts += [
        Burst("jobs", began, 20, "debug", "  SolidQueue::ReadyExecution Load ({k}.{n}ms)  SELECT `solid_queue_ready_"
              "executions`.* FROM `solid_queue_ready_executions` WHERE `solid_queue_ready_executions`.`queue_name` = "
              "'default' ORDER BY `priority` ASC, `job_id` ASC LIMIT 5 FOR UPDATE SKIP LOCKED",
              minutes=int((t - began) / M) + 10),
        Burst("mysql", at, 2, "error", "[ERROR] [MY-000035] [Server] Disk is full writing './binlog.000412' (OS errno "
              "28 - No space left on device). Waiting for someone to free space... Retry in 60 secs. Another message "
              "will be printed every 10 minutes."),
        Burst("web", at, 6, "error", "ActiveRecord::StatementInvalid (Mysql2::Error: Error writing file "
              "'./binlog.000412' (OS errno 28 - No space left on device)):"),
        Burst("jobs", at, 4, "error", "[ActiveJob] [SlotReminderJob] [{uuid}] Error performing SlotReminderJob (Job "
              "ID: {uuid}) from SolidQueue(default) in {k}{n}.{k}ms: ActiveRecord::StatementInvalid (Mysql2::Error: "
              "Error writing file './binlog.000412' (OS errno 28 - No space left on device))"),
        Burst("dispatch", at + M, 3, "error", "route save failed|error=Error 3 (HY000): Error writing file "
              "'./binlog.000412' (errno: 28 - No space left on device)"),
    ]  # fmt: skip
    return f


def saturday_tracking_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "saturday_tracking_rush",
        "tracking",
        "capacity",
        "scale",
        "tracking",
        "WislaTrackingLag",
        "a warm Saturday evening: twice the usual couriers on shift, each app sending its position every two "
        "seconds; tracking's one container on wisla-app-1 is at its CPUs and positions queue; add a host to "
        "tracking's servers",
    )
    f.effects += [
        Effect("tracking", "request_rate", at - 40 * M, 2.6, ramp=25 * M),
        Effect("tracking", "cpu_utilization", at - 20 * M, 0.97, relative=False, ramp=10 * M),
        Effect("tracking", "latency_p99", at, 7.0),
        Effect("dispatch", "latency_p99", at + 2 * M, 2.2),
    ]
    f.bursts += [
        Burst("tracking", at, 4, "warn", "WislaTracking.Positions mailbox at {n}{k}00 messages, positions "
              "{k}.{n}s behind"),
        Burst("dispatch", at + 2 * M, 3, "warn", "courier position stale|courier=K{n}{k} age_s=2{k}"),
    ]  # fmt: skip
    return f


def ufw_rule_drops_app1(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "ufw_rule_drops_app1",
        "mysql",
        "recent_change",
        "rollback",
        "web",
        "WislaCheckoutErrors",
        "an Ansible run rewrote wisla-app-2's ufw rules for MySQL's port from a list that left out wisla-app-1; "
        "the web containers on app-1 can no longer reach MySQL (connections time out), those on app-2 still can; "
        "roll the firewall change back",
        also_accept=["network"],
    )
    diff = (
        "--- a/ansible/roles/mysql/defaults/main.yml\n+++ b/ansible/roles/mysql/defaults/main.yml\n"
        " mysql_allowed_from:\n-  - 10.0.1.11  # wisla-app-1\n   - 10.0.1.12  # wisla-app-2\n"
    )
    f.changes.append(
        change_record(at - M, "mysql", "config", "mysql_allowed_from", "10.0.1.11,10.0.1.12", "10.0.1.12",
                      "ola", ref="ansible-playbook site.yml --limit wisla-app-2 --tags firewall", diff=diff)
    )  # fmt: skip
    f.effects += [
        Effect("web", "error_ratio", at, 0.5, relative=False),
        Effect("web", "latency_p99", at, 9.0),
        Effect("mysql", "request_rate", at, 0.6),
    ]
    f.bursts += [
        Burst("web", at, 6, "error", "ActiveRecord::ConnectionNotEstablished (Can't connect to MySQL server on "
              "'10.0.1.12:3306' (110)):"),
        Burst("web", at, 6, "info", "Completed 500 Internal Server Error in 100{k}{n}ms (ActiveRecord: 0.0ms (0 "
              "queries, 0 cached) | GC: 0.{k}ms)"),
    ]  # fmt: skip
    return f


def inpost_api_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "inpost_api_down",
        "inpost",
        "dependency_failure",
        "escalate",
        "jobs",
        "WislaShipmentJobsFailing",
        "InPost's ShipX API answers 502 (their incident); the jobs that book parcel-locker deliveries fail and are "
        "retried; theirs: escalate, hold the locker orders",
    )
    f.effects += [Effect("jobs", "error_ratio", at, 0.6, relative=False)]
    f.bursts += [
        Burst("jobs", at, 5, "error", "[ActiveJob] [CreateShipmentJob] [{uuid}] Error performing CreateShipmentJob "
              "(Job ID: {uuid}) from SolidQueue(default) in 3{k}{n}.{k}ms: Faraday::ServerError (the server "
              "responded with status 502 for POST https://api-shipx-pl.easypack24.net/v1/organizations/{n}{k}/"
              "shipments)"),
    ]  # fmt: skip
    f.failing_calls.append(("jobs", "inpost"))
    return f


def monday_price_import(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "monday_price_import",
        "mysql",
        "no_incident",
        "none",
        "mysql",
        "WislaMysqlSlow",
        "the Monday price import: a job rewrites some forty thousand products' prices from the wholesaler's file; "
        "MySQL's p99 rises while it writes; nothing fails (no incident)",
    )
    f.effects += [
        Effect("mysql", "latency_p99", at, 2.6, until=at + 35 * M),
        Effect("mysql", "cpu_utilization", at, 0.72, relative=False, until=at + 35 * M),
        Effect("jobs", "cpu_utilization", at, 0.8, relative=False, until=at + 35 * M),
    ]
    f.bursts += [
        Burst("jobs", at, 2, "info", "[ActiveJob] [PriceImportJob] [{uuid}] Import cen: {n}{k}00/41000 produktów "
              "zaktualizowanych", minutes=30),
    ]  # fmt: skip
    return f


def proxy_body_limit_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "proxy_body_limit_cut",
        "dispatch",
        "recent_change",
        "rollback",
        "proxy",
        "WislaProofOfDeliveryFailing",
        "dispatch's deploy copied an example proxy section that sets kamal-proxy's max_request_body to 1 MB; the "
        "couriers' proof-of-delivery photos (2-4 MB) are refused with 413 before they reach dispatch; roll the "
        "setting back",
    )
    diff = (
        f"--- a/{DEPLOY}\n+++ b/{DEPLOY}\n proxy:\n   host: kurier.wisla.pl\n   buffering:\n"
        "-    max_request_body: 40_000_000\n+    max_request_body: 1_000_000\n"
    )
    f.changes.append(change(at - 2 * M, "dispatch", "deploy", "max_request_body", "40_000_000", "1_000_000", rng,
                            "kuba", diff))  # fmt: skip
    f.effects += [
        Effect("proxy", "error_ratio", at, 0.07, relative=False),
        Effect("dispatch", "request_rate", at, 0.85),
    ]
    f.bursts += [
        Burst("proxy", at, 6, "info", "Request|POST|/api/kurier/zdjecia|413|{k}"),
        Burst("dispatch", at + M, 2, "warn", "proof of delivery missing|courier=K{n}{k} order={n}{k}{n} "
              "reason=no_photo"),
    ]  # fmt: skip
    return f


FAULTS = [p24_crc_key_regenerated, jobs_logs_fill_disk, saturday_tracking_rush, ufw_rule_drops_app1,
          inpost_api_down, monday_price_import, proxy_body_limit_cut]  # fmt: skip
