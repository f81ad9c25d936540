"""World 67's faults, from HSM, Kafka-consumer, card-switch, load and cache incidents, in this estate's words:
the STS signer scaled from 2 to 6 pods, each opening its HSM sessions, past the partition's 32 (roll back);
meters' max.poll.records raised tenfold, so each batch outlasts max.poll.interval.ms and the consumer is thrown
out of its group again and again (roll back); the bank switch answering 91, issuer or switch inoperative
(escalate); a stage 6 load-shedding announcement sending the whole country to buy tokens at once (scale);
a new municipal tariff table with a zero-width block (roll back); accounts' release storing sessions in Valkey
without an expiry until Valkey is full and refuses writes (roll back); and the month's free basic electricity
batch (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Fleet records a bundle's rollout from the platform repository."""
    path = f"fleet/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"fleet bundle tokenvend-{svc} commit {rng.getrandbits(40):010x}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -11 +11 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def _ecs(level: str, logger: str, message: str, error: str = "") -> str:
    """A Spring Boot structured ECS line, as meters writes it (the error's fields written flat)."""
    err = ""
    if error:
        kind, text = error.split(": ", 1)
        err = f',"error.type":"{kind}","error.message":"{text}","error.stack_trace":"{error}\\n\\tat {logger}.run"'
    return (
        f'{{"@timestamp":"{{iso}}","log.level":"{level}","process.pid":1,"process.thread.name":"ingest-{{n}}",'
        f'"service.name":"meters","log.logger":"{logger}","message":"{message}"{err},"ecs.version":"8.11"}}'
    )


def hsm_sessions(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "hsm_sessions",
        "sts-signer",
        "recent_change",
        "rollback",
        "vending",
        "TokenVendFailures",
        "the STS signer was scaled from 2 to 6 pods for the month's peak; each opens 8 sessions on the HSM's "
        "partition, which allows 32; the new pods cannot open theirs and every token they are asked for fails; "
        "scale back to 2",
    )
    f.changes.append(change(at - 2 * M, "sts-signer", "scale", "replicaCount", "2", "6", rng, "t.mokoena"))
    f.effects += [
        Effect("sts-signer", "error_ratio", at, 0.6, relative=False),
        Effect("vending", "error_ratio", at, 0.5, relative=False),
        Effect("apisix", "error_ratio", at + 1 * M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("sts-signer", at, 24, "error", "[{iso_s} ERROR sts_signer::hsm] C_OpenSession failed: "
              "CKR_SESSION_COUNT (0x000000B1) on slot 0 partition tokenvend-prod"),
        Burst("vending", at, 20, "error", "{tod} request_id=F{hex} meter=04{n}123456 [error] token not issued: "
              "sts-signer answered 503 Service Unavailable: no HSM session"),
    ]  # fmt: skip
    return f


def poll_records_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "poll_records_raised",
        "meters",
        "recent_change",
        "rollback",
        "meters",
        "MeterReadingsStale",
        "meters' max-poll-records went from 500 to 5000 to catch up faster; a batch now takes longer than "
        "max.poll.interval.ms, the consumer is thrown out of its group, its commits fail and the group "
        "rebalances again and again; readings stop being stored; roll the value back",
    )
    f.changes.append(change(at - 4 * M, "meters", "config", "spring.kafka.consumer.max-poll-records", "500", "5000",
                            rng, "n.pillay"))  # fmt: skip
    f.effects += [
        Effect("meters", "cpu_utilization", at - 3 * M, 0.92, relative=False),
        Effect("meters", "latency_p99", at, 4.0),
        Effect("meters", "error_ratio", at, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("meters", at, 6, "warn", _ecs(
            "WARN", "org.apache.kafka.clients.consumer.internals.ConsumerCoordinator",
            "[Consumer clientId=consumer-meters-ingest-1, groupId=meters-ingest] consumer poll timeout has expired. "
            "This means the time between subsequent calls to poll() was longer than the configured "
            "max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing "
            "messages. You can address this either by increasing max.poll.interval.ms or by reducing the maximum "
            "size of batches returned in poll() with max.poll.records.")),
        Burst("meters", at, 10, "error", _ecs(
            "ERROR", "org.springframework.kafka.listener.KafkaMessageListenerContainer", "Consumer exception",
            "org.apache.kafka.clients.consumer.CommitFailedException: Offset commit cannot be completed since the "
            "consumer is not part of an active group for auto partition assignment; it is likely that the consumer "
            "was kicked out of the group.")),
        Burst("kafka", at, 4, "info", "[{kafka}] INFO [GroupCoordinator 1]: Preparing to rebalance group "
              "meters-ingest in state PreparingRebalance with old generation 4{n} (__consumer_offsets-12) (reason: "
              "Removing member consumer-meters-ingest-1-{hex} on LeaveGroup; client reason: consumer poll timeout "
              "has expired.) (kafka.coordinator.group.GroupCoordinator)"),
    ]  # fmt: skip
    return f


def bank_switch_91(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "bank_switch_91",
        "bank-switch",
        "dependency_failure",
        "escalate",
        "accounts",
        "CardTopUpFailures",
        "the bank switch answers every card authorisation with response code 91 (issuer or switch inoperative); "
        "their incident, nothing of ours changed; escalate to the switch and tell customers to buy with EFT",
    )
    f.effects += [
        Effect("accounts", "error_ratio", at, 0.7, relative=False),
        Effect("accounts", "latency_p99", at, 3.0),
        Effect("apisix", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("accounts", at, 16, "error", "E, [{ruby} #1] ERROR -- : [{hex}] Card top-up declined account=7{n}12 "
              "amount=1{n}0.00: ISO 8583 response 91 (issuer or switch inoperative) from bank-switch stan=0{n}4411"),
        Burst("accounts", at, 16, "info", "method=POST path=/v1/accounts/7{n}12/topups format=json "
              "controller=TopupsController action=create status=502 allocations=2{n}11 duration=30{n}.4 view=0.0 "
              "db=2.{n}"),
    ]  # fmt: skip
    f.failing_calls.append(("accounts", "bank-switch"))
    return f


def stage_six_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "stage_six_rush",
        "vending",
        "capacity",
        "scale",
        "vending",
        "TokenVendLatencyHigh",
        "Eskom announced stage 6 load shedding on the evening news; customers everywhere bought tokens at once, "
        "six times the usual rate; vending's pods are at their CPU limit and its database pool queues; "
        "scale vending out (and its pool with it)",
    )
    f.effects += [
        Effect("vending", "request_rate", at - 2 * M, 6.0, ramp=2 * M),
        Effect("apisix", "request_rate", at - 2 * M, 4.0, ramp=2 * M),
        Effect("sts-signer", "request_rate", at - 2 * M, 5.0, ramp=2 * M),
        Effect("vending", "cpu_utilization", at - 1 * M, 0.97, relative=False),
        Effect("vending", "latency_p99", at, 8.0),
        Effect("vending", "error_ratio", at + 1 * M, 0.2, relative=False),
        Effect("apisix", "latency_p99", at, 5.0),
    ]
    f.bursts += [
        Burst("notices", at - 12 * M, 3, "info", 'time={iso} level=INFO msg="broadcast queued" '
              'template=loadshedding_stage_6 recipients=41{n}000', minutes=3),
        Burst("vending", at + 1 * M, 14, "error", "{tod} request_id=F{hex} [error] ** (DBConnection.ConnectionError) "
              "connection not available and request was dropped from queue after 2{n}43ms. This means requests are "
              "coming in and your connection pool cannot serve them fast enough."),
    ]  # fmt: skip
    return f


def tariff_zero_block(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "tariff_zero_block",
        "vending",
        "recent_change",
        "rollback",
        "vending",
        "TokenVendFailures",
        "the new financial year's tariff table for Tshwane was pushed with block 1's upper bound 0 kWh; vending "
        "divides by the block's width and every Tshwane purchase crashes; roll the table back",
    )
    f.changes.append(change(at - 3 * M, "vending", "config", "tariffs.tshwane.block_1_kwh", "350", "0", rng,
                            "tariff-sync"))  # fmt: skip
    f.effects += [
        Effect("vending", "error_ratio", at, 0.3, relative=False),
        Effect("apisix", "error_ratio", at + 1 * M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("vending", at, 14, "error", "{tod} request_id=F{hex} [error] #PID<0.4{n}67.0> running "
              "VendingWeb.Endpoint (connection #PID<0.4{n}66.0>, stream id 1) terminated"),
        Burst("vending", at, 14, "info", "    ** (ArithmeticError) bad argument in arithmetic expression"),
        Burst("vending", at, 14, "info", "        (vending 4.2.0) lib/vending/tariff.ex:88: "
              "Vending.Tariff.block_charge/3"),
    ]  # fmt: skip
    return f


SESSION_DIFF = (
    "--- a/config/initializers/session_store.rb\n+++ b/config/initializers/session_store.rb\n@@ -1,3 +1,3 @@\n"
    " Rails.application.config.session_store :redis_store,\n"
    '-  servers: [ENV.fetch("VALKEY_URL")], expire_after: 1.day, key: "_tv_session"\n'
    '+  servers: [ENV.fetch("VALKEY_URL")], key: "_tv_session"\n'
)


def sessions_without_expiry(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    deploy = t - timedelta(hours=3, minutes=rng.randint(0, 50))
    f = Fault(
        "sessions_without_expiry",
        "accounts",
        "recent_change",
        "rollback",
        "vending",
        "TokenVendFailures",
        "accounts 7.4.0 dropped the sessions' expiry from its Valkey store; every session since is kept for "
        "ever, Valkey reached maxmemory with noeviction and refuses writes from accounts and vending alike; "
        "roll accounts back and expire the orphaned sessions",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(deploy, "accounts", "deploy", "image.tag", "7.3.2", "7.4.0", rng, "fleet",
                            code=SESSION_DIFF))  # fmt: skip
    f.effects += [
        Effect("valkey", "memory_utilization", deploy, 1.0, relative=False, ramp=at - deploy),
        Effect("vending", "error_ratio", at, 0.45, relative=False),
        Effect("accounts", "error_ratio", at, 0.35, relative=False),
        Effect("apisix", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("vending", at, 18, "error", "{tod} request_id=F{hex} meter=04{n}123456 [error] token cache write "
              "failed: %Redix.Error{message: \"OOM command not allowed when used memory > 'maxmemory'.\"}"),
        Burst("accounts", at, 12, "error", "E, [{ruby} #1] ERROR -- : [{hex}] Redis::CommandError (OOM command not "
              "allowed when used memory > 'maxmemory'.)"),
    ]  # fmt: skip
    return f


def free_basic_batch(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "free_basic_batch",
        "vending",
        "no_incident",
        "none",
        "vending",
        "TokenVendLatencyHigh",
        "the month's free basic electricity batch issues 50 kWh tokens to registered households: vending's "
        "requests four times the usual and latency up by half while it runs, as on the first of every month; "
        "nothing fails; no incident",
    )
    f.effects += [
        Effect("vending", "request_rate", at, 4.0, ramp=2 * M),
        Effect("sts-signer", "request_rate", at, 4.0, ramp=2 * M),
        Effect("vending", "latency_p99", at, 1.5, ramp=2 * M),
        Effect("vending", "cpu_utilization", at, 0.65, relative=False, ramp=2 * M),
    ]
    f.bursts += [
        Burst("vending", at, 1, "info", "{tod} [info] FBE batch started municipality=tshwane households=8{n}112",
              minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [hsm_sessions, poll_records_raised, bank_switch_91, stage_six_rush, tariff_zero_block,
          sessions_without_expiry, free_basic_batch]  # fmt: skip
