"""World 85's faults, from provider, broker-policy, database, memory, provider-outage and billing-run incidents, in
this estate's words: PayFast moved its ITN callbacks to new addresses and nginx's allow list refuses them, so no
payment is confirmed while nothing of ours changed (allow the new range); a RabbitMQ policy meant for the
notifications queue also matched the readings queue, its sixty-second TTL dropping readings the nightly batch could
not take in time (roll it back); Ansible's PostgreSQL role upgrade put max_connections back to its default (roll it
back); the annual consumption report run on the billing API's own VM, its memory crowding the API into swap (stop
it); Clickatell down (the provider's, escalate); and the month's statement run (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

S = timedelta(seconds=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Ansible runs and deploys record it."""
    path = f"ansible/host_vars/{svc}.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:9],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def callback_ips_moved(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(15, 25) * M
    f = Fault(
        "callback_ips_moved",
        "nginx",
        "permission_denied",
        "config_change",
        "billing-api",
        "PaymentsUnconfirmed",
        "PayFast moved its ITN callbacks to a new address range, as announced; nginx's allow list for /payfast/itn "
        "still names only the old one and refuses every callback 403, so no payment is confirmed; nothing of ours "
        "changed; allow the new range",
    )
    f.effects += [Effect("billing-api", "request_rate", at, 0.93)]
    f.bursts += [
        Burst("nginx", at, 4, "error", '[error] 2{n}{k}#0: *{n}{k}{k}1 access forbidden by rule, client: '
              '144.126.{k}.{n}, server: bills.amanzi.example, request: "POST /payfast/itn HTTP/1.1"'),
        Burst("nginx", at, 4, "info", '144.126.{k}.{n} - - [{clf}] "POST /payfast/itn HTTP/1.1" 403 153 "-" '
              '"PayFast ITN/1.0"'),
        Burst("billing-api", at + 15 * M, 3, "warn", "production.WARNING: Payment still pending after 15 minutes, "
              "no ITN received {\"payment\":\"PF-{n}{k}{k}41\"}"),
    ]  # fmt: skip
    return f


def ttl_policy_matched_readings(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "ttl_policy_matched_readings",
        "rabbitmq",
        "recent_change",
        "rollback",
        "meter-ingest",
        "ReadingsIngestLow",
        "a RabbitMQ policy meant to expire unsent notifications after sixty seconds was set on the pattern '^n', "
        "which also matches the readings queue; the nightly batch's readings wait longer than that and are dropped "
        "unread, so meter-ingest stores a fraction of them; roll the policy back",
    )
    f.changes.append(change(at - 2 * M, "rabbitmq", "config", "policy.expire-notifications",
                            "(none)", "pattern ^n, message-ttl 60000", rng, "thandi.m",
                            "rabbitmqctl set_policy expire-notifications \"^n\" '{\"message-ttl\":60000}' "
                            "--apply-to queues\n"))  # fmt: skip
    f.effects += [
        Effect("meter-ingest", "request_rate", at, 0.25),
        Effect("rabbitmq", "request_rate", at, 0.6),
    ]
    f.bursts += [
        Burst("meter-ingest", at + 3 * M, 2, "warn", 'level=warn msg="batch short" expected=12000 stored=3{n}{k}0 '
              "batch=nightly-{k}"),
        Burst("billing-api", at + 5 * M, 2, "warn", "production.WARNING: No reading for meter SM-{n}{k}{k}4 in "
              "period, estimating {\"account\":\"{n}{k}07\"}"),
    ]  # fmt: skip
    return f


def max_connections_default(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "max_connections_default",
        "postgres",
        "recent_change",
        "rollback",
        "billing-api",
        "BillingApiErrors",
        "an upgrade of the Ansible PostgreSQL role rewrote postgresql.conf without the host's override, putting "
        "max_connections back from 400 to the default 100; the API's and ingest's pools together need more, and "
        "new connections are refused; roll the change back",
    )
    f.changes.append(change(at - 3 * M, "postgres", "config", "postgresql_max_connections", "400", "100 (role "
                            "default)", rng, "ansible"))  # fmt: skip
    f.effects += [
        Effect("billing-api", "error_ratio", at, 0.35, relative=False),
        Effect("meter-ingest", "error_ratio", at + M, 0.2, relative=False),
        Effect("nginx", "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 10, "error", "[{pid}-1] FATAL:  sorry, too many clients already"),
        Burst("billing-api", at, 10, "error", "production.ERROR: SQLSTATE[08006] [7] connection to server failed "
              "{\"account\":\"{n}{k}07\"}|exc|PDOException|FATAL:  sorry, too many clients already"),
        Burst("meter-ingest", at + M, 5, "error", 'level=error msg="store reading failed" meter=SM-{n}{k}{k}4|exc|'
              "pgconn|FATAL: sorry, too many clients already (SQLSTATE 53300)"),
    ]  # fmt: skip
    return f


def report_crowds_api(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "report_crowds_api",
        "report-gen",
        "resource_exhaustion",
        "restart",
        "billing-api",
        "BillingApiLatencyHigh",
        "the annual consumption report started on bill-app-01, the billing API's own VM; its memory climbed past "
        "what the VM has free and pushed PHP-FPM's workers into swap, every request waiting on the disk; stop the "
        "report (and give it a VM of its own)",
    )
    f.effects += [
        Effect("report-gen", "memory_utilization", at, 0.97, relative=False, ramp=6 * M),
        Effect("report-gen", "cpu_utilization", at, 0.8, relative=False, ramp=2 * M),
        Effect("billing-api", "latency_p99", at + 5 * M, 9.0, relative=False, ramp=3 * M),
        Effect("nginx", "latency_p99", at + 5 * M, 9.1, relative=False, ramp=3 * M),
        Effect("billing-api", "error_ratio", at + 8 * M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("report-gen", at, 0.2, "info", "INFO report-gen: building annual consumption report 2027 "
              "(412000 accounts)", minutes=2),
        Burst("billing-api", at + 6 * M, 4, "warn", "production.WARNING: Slow request 9{k}{n}0 ms "
              "{\"route\":\"accounts.balance\"}"),
        Burst("nginx", at + 8 * M, 2, "error", '[error] 2{n}{k}#0: *{n}{k}{k}1 upstream timed out (110: Connection '
              'timed out) while reading response header from upstream, client: 196.21.{k}.{n}, server: '
              'bills.amanzi.example, request: "GET /api/v1/accounts/{n}{k}07/balance HTTP/1.1", upstream: '
              '"fastcgi://unix:/run/php/php8.3-fpm.sock:"'),
    ]  # fmt: skip
    return f


def clickatell_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 14) * M
    f = Fault(
        "clickatell_down",
        "clickatell",
        "dependency_failure",
        "escalate",
        "notify",
        "SmsSendFailures",
        "Clickatell's platform answers 503 to every send; notify's water-outage and bill-ready messages fail; "
        "nothing of ours changed; the provider's, escalate to Clickatell",
    )
    f.effects += [Effect("notify", "error_ratio", at, 0.9, relative=False)]
    f.bursts += [
        Burst("notify", at, 8, "error", "ERROR notify: sms to +2782{k}{n}{k}{n}{k}1 failed|exc|HTTPError|503 "
              "Server Error: Service Unavailable for url: https://platform.clickatell.com/v1/message"),
    ]  # fmt: skip
    f.failing_calls.append(("notify", "clickatell"))
    return f


def statement_run(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "statement_run",
        "billing-api",
        "no_incident",
        "none",
        "billing-api",
        "BillingApiCPUHigh",
        "the monthly statement run renders 412,000 statements on the billing API; its CPU is high and requests a "
        "little slower, every one answered; nothing fails (no incident)",
    )
    f.effects += [
        Effect("billing-api", "cpu_utilization", at, 0.88, relative=False, ramp=3 * M, until=at + 55 * M),
        Effect("billing-api", "latency_p99", at, 1.4, ramp=3 * M, until=at + 55 * M),
        Effect("postgres", "cpu_utilization", at, 0.6, relative=False, ramp=3 * M, until=at + 55 * M),
    ]
    f.bursts += [
        Burst("billing-api", at, 30, "info", "production.INFO: Statement rendered {\"account\":\"{n}{k}07\","
              "\"period\":\"2028-0{k}\"}", minutes=50),
    ]  # fmt: skip
    return f


FAULTS = [callback_ips_moved, ttl_policy_matched_readings, max_connections_default, report_crowds_api,
          clickatell_down, statement_run]  # fmt: skip
