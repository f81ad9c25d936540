"""World 54's faults, from Kafka, EMQX, CockroachDB and terminal-operations incidents, in this estate's words: a
crane-telemetry change cutting the consumer's max.poll.interval.ms below what a batch takes, so the group
rebalances without end and the moves back up; a berth-planner release keeping every plan version, its memory
climbing until the OOM killer takes it; the customs authority's pre-clearance API timing out, trucks refused
at the gate; a yard-optimizer schedule moved from the night into the working day, its run pinning
CockroachDB; EMQX's listener certificate replaced by one without its intermediate, so the cranes cannot
connect and telemetry goes quiet; three large vessels' stowage plans arriving together at the EDI gateway;
a partition reassignment the platform team runs on Kafka (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the terminal's Ansible AWX job log records it."""
    path = f"inventories/rtm-delta/group_vars/{svc}.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"AWX-{rng.randint(10000, 99999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -3 +3 @@\n-{key}: {old}\n+{key}: {new}\n{code}",
    }


def poll_timeout_rebalance(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 11) * M
    f = Fault(
        "poll_timeout_rebalance",
        "crane-telemetry",
        "recent_change",
        "rollback",
        "crane-telemetry",
        "CraneMovesLagging",
        "a crane-telemetry change cut the consumer's max.poll.interval.ms from 300000 to 30000; a batch of moves "
        "takes about 45 s to apply, so each member is dropped from the group mid-batch and the group rebalances "
        "without end",
    )
    f.changes.append(change(at - 4 * M, "crane-telemetry", "config", "kafka_max_poll_interval_ms", "300000",
                            "30000", rng, "ops-automation"))  # fmt: skip
    f.effects += [
        Effect("crane-telemetry", "request_rate", at, 0.15),
        Effect("crane-telemetry", "latency_p99", at, 6.0),
    ]
    f.bursts += [
        Burst("crane-telemetry", at, 4, "warn", 'level=WARN msg="consumer poll timeout has expired; this means '
              'the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms" '
              "group=crane-telemetry member=crane-telemetry-1-8f1c"),
        Burst("kafka", at, 4, "info", "INFO [GroupCoordinator 1]: Preparing to rebalance group crane-telemetry in "
              "state PreparingRebalance with old generation 412 (__consumer_offsets-17) (reason: Removing member "
              "crane-telemetry-1-8f1c on LeaveGroup; client reason: consumer poll timeout has expired.) "
              "(kafka.coordinator.group.GroupCoordinator)"),
    ]  # fmt: skip
    return f


def planner_plan_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "planner_plan_leak",
        "berth-planner",
        "recent_change",
        "rollback",
        "berth-planner",
        "BerthPlannerRestarting",
        "a berth-planner release keeps every published plan version in memory for its new diff view; its heap "
        "climbs for forty minutes until the kernel's OOM killer takes it, and systemd restarts it again and again",
    )
    f.changes.append(change(at - 50 * M, "berth-planner", "deploy", "berth_planner_version", "2.13.4", "2.14.0",
                            rng, "release-bot"))  # fmt: skip
    f.effects += [
        Effect("berth-planner", "memory_utilization", at - 45 * M, 0.99, relative=False, ramp=44 * M),
        Effect("berth-planner", "restarts", at, 4.0, relative=False, ramp=0 * M),
        Effect("berth-planner", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("berth-planner", at, 0.4, "error", "systemd: berth-planner.service: A process of this unit has been "
              "killed by the OOM killer."),
        Burst("berth-planner", at, 0.4, "error", "systemd: berth-planner.service: Main process exited, "
              "code=killed, status=9/KILL"),
        Burst("berth-planner", at - 10 * M, 2, "warn", "WARN  [planner-1] n.r.berth.Planner - GC overhead high: "
              "92% of the last 60 s spent collecting"),
    ]  # fmt: skip
    return f


def customs_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "customs_timeouts",
        "customs-api",
        "dependency_failure",
        "escalate",
        "gate-api",
        "GateTransactionsFailing",
        "the customs authority's pre-clearance API stops answering within the gate's 10 s; every truck whose "
        "container needs clearance is refused at the gate",
    )
    f.effects += [
        Effect("gate-api", "error_ratio", at, 0.42, relative=False),
        Effect("gate-api", "latency_p99", at, 9.0),
    ]
    f.bursts += [
        Burst("gate-api", at, 15, "error", "ERROR gate_api::customs: pre-clearance lookup failed visit=TV-88121 "
              "error=error sending request for url (https://api.customs-authority.example/v2/clearance/MSCU8812033): "
              "operation timed out"),
    ]  # fmt: skip
    f.failing_calls.append(("gate-api", "customs-api"))
    return f


def optimizer_moved_into_day(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 10) * M
    f = Fault(
        "optimizer_moved_into_day",
        "yard-optimizer",
        "recent_change",
        "rollback",
        "gate-api",
        "GateSlow",
        "a yard-optimizer change meant to run the full re-marshalling once a night moved its timer into the "
        "working day; its run scans every slot in CockroachDB, whose CPU is pinned, and the gate slows",
    )
    f.changes.append(change(at - timedelta(hours=rng.randint(3, 6)), "yard-optimizer", "config",
                            "remarshal_timer_oncalendar", "*-*-* 02:00:00", f"*-*-* {at:%H:%M}:00", rng,
                            "yard-team"))  # fmt: skip
    f.effects += [
        Effect("yard-optimizer", "cpu_utilization", at, 0.9, relative=False),
        Effect("cockroach", "cpu_utilization", at + 1 * M, 0.97, relative=False),
        Effect("cockroach", "latency_p99", at + 1 * M, 30.0),
        Effect("gate-api", "latency_p99", at + 2 * M, 8.0),
        Effect("berth-planner", "latency_p99", at + 2 * M, 5.0),
    ]
    f.bursts += [
        Burst("yard-optimizer", at, 0.2, "info", "INFO:yard.optimizer:full re-marshalling started for all blocks "
              "(slots=412118)"),
        Burst("cockroach", at + 1 * M, 3, "warn", "W{crdb} 2211 kv/kvserver/replica_send.go:181 ⋮ [n1,s1,r412/3:"
              "/Table/112/{1-2}] slow range RPC: have been waiting 61.2s (1 attempts) for RPC Scan to r412:"
              "/Table/112/{1-2}"),
        Burst("gate-api", at + 2 * M, 4, "warn", " WARN gate_api::db: slow query on cockroach took=4812ms "
              "statement=select_slot_for_visit"),
    ]  # fmt: skip
    return f


def emqx_chain_missing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "emqx_chain_missing",
        "emqx",
        "recent_change",
        "rollback",
        "crane-telemetry",
        "CraneTelemetryStale",
        "EMQX's TLS listener got the renewed certificate without its intermediate; the cranes' PLC clients cannot "
        "build a chain to their CA, every reconnect fails, and crane telemetry stops arriving",
    )
    old, new = "/etc/emqx/certs/mqtt-2025.pem", "/etc/emqx/certs/mqtt-2026.pem"
    f.changes.append(change(at - 2 * M, "emqx", "config", "listeners_ssl_default_certfile", old, new, rng, "pki-team"))
    f.effects += [
        Effect("emqx", "request_rate", at, 0.1),
        Effect("crane-telemetry", "request_rate", at + 1 * M, 0.05),
    ]
    f.bursts += [
        Burst("emqx", at, 12, "warn", "[warning] msg: ssl_handshake_failure, peername: 10.40.7.21:50212, reason: "
              "{tls_alert,{unknown_ca,\"TLS server: In state certify received CLIENT ALERT: Fatal - Unknown CA\\n\"}}"),
    ]  # fmt: skip
    return f


def mega_vessels(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(9, 13) * M
    f = Fault(
        "mega_vessels",
        "edi-gateway",
        "capacity",
        "scale",
        "edi-gateway",
        "EdiBacklog",
        "three 24,000-TEU vessels' stowage plans and load lists arrive within the hour; the EDI gateway's "
        "parsers are all busy, its CPU at its limit, and messages queue",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("edi-gateway", "request_rate", at - 3 * M, 5.0, ramp=4 * M),
        Effect("edi-gateway", "cpu_utilization", at, 0.98, relative=False),
        Effect("edi-gateway", "latency_p99", at + 1 * M, 12.0),
    ]
    f.bursts += [
        Burst("edi-gateway", at + 1 * M, 2, "warn", "WARN  [as2-3] n.r.edi.InboundQueue - inbound backlog 412 "
              "messages, oldest waiting 312 s"),
    ]  # fmt: skip
    return f


def partition_reassignment(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "partition_reassignment",
        "kafka",
        "no_incident",
        "none",
        "kafka",
        "KafkaUnderReplicatedPartitions",
        "the platform team reassigns partitions onto the new broker; replicas catch up, Kafka's disk and CPU are "
        "busier and its requests a little slower, nothing fails (no incident)",
    )
    f.changes.append(change(at - 1 * M, "kafka", "ops", "reassignment", "none", "kafka-reassign-partitions "
                            "--execute --reassignment-json-file move-to-broker-4.json --throttle 50000000", rng,
                            "platform-team"))  # fmt: skip
    f.effects += [
        Effect("kafka", "cpu_utilization", at, 0.8, relative=False, ramp=3 * M),
        Effect("kafka", "latency_p99", at, 1.9, ramp=3 * M),
    ]
    f.bursts += [
        Burst("kafka", at, 1, "info", "INFO [ReplicaFetcher replicaId=4, leaderId=1, fetcherId=0] Truncating "
              "partition crane-moves-3 with TruncationState(offset=0, completed=true) due to local high watermark 0 "
              "(kafka.server.ReplicaFetcherThread)"),
    ]  # fmt: skip
    return f


FAULTS = [poll_timeout_rebalance, planner_plan_leak, customs_timeouts, optimizer_moved_into_day,
          emqx_chain_missing, mega_vessels, partition_reassignment]  # fmt: skip
