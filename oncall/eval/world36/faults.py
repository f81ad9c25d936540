"""World 36's faults, from trading and data-platform postmortems, in this estate's words: the exchange
vendor's feed starting to send a price as text (an upstream data error); a settlement change raising
Airflow's parallelism eightfold, so its tasks take every connection of its metadata database (the database
refuses, the cause is its caller); Kafka's certificates rotated without the brokers' new names in them;
the positions job failing in a restart loop since a release four hours before the alert (under way long
before the window opens); a secret rotated in Vault while settlement's connection kept the old one; the
month-end settlement run bringing five times the usual queries to Trino (real load); and one analyst's
heavy query tripping the query-queue alert while everything is served (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"deploy/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -21 +21 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def feed_price_as_text(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "feed_price_as_text",
        "feed",
        "dependency_failure",
        "escalate",
        "md-ingest",
        "IngestRejectingTicks",
        "the exchange vendor's feed began sending the price of some contracts as the text N/A; the ingester "
        "rejects every such tick and positions go stale",
    )
    f.effects += [
        Effect("md-ingest", "error_ratio", at, 0.38, relative=False),
        Effect("kafka", "request_rate", at, 0.65),
    ]
    f.bursts.append(Burst("md-ingest", at, 40, "error", "rejected tick from feed session EEX-2: Cannot deserialize "
                          "value of type `double` from String \"N/A\": not a valid `double` value (field "
                          "`settlementPrice`)"))  # fmt: skip
    return f


def airflow_parallelism(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "airflow_parallelism",
        "settlement",
        "recent_change",
        "rollback",
        "settlement",
        "SettlementTasksFailing",
        "a change raised Airflow's parallelism from 32 to 256 to finish settlement sooner; its tasks opened "
        "connections until the metadata database refused more, and tasks fail as they start",
    )
    f.changes.append(change(at - 3 * M, "settlement", "config", "AIRFLOW__CORE__PARALLELISM", "32", "256", rng,
                            "m.keller"))  # fmt: skip
    f.effects += [
        Effect("settlement", "request_rate", at - 2 * M, 6.0, ramp=2 * M),
        Effect("airflow-db", "request_rate", at - 2 * M, 5.0, ramp=2 * M),
        Effect("settlement", "error_ratio", at, 0.5, relative=False),
        Effect("airflow-db", "cpu_utilization", at - M, 0.74, relative=False),
    ]
    f.bursts += [
        Burst("airflow-db", at, 30, "fatal", "sorry, too many clients already"),
        Burst("settlement", at, 25, "error", "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) "
              "connection to server at \"airflow-db\" (10.42.7.19), port 5432 failed: FATAL:  sorry, too many "
              "clients already"),
    ]  # fmt: skip
    return f


def kafka_cert_names(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "kafka_cert_names",
        "kafka",
        "recent_change",
        "rollback",
        "positions",
        "PositionsConsumerLag",
        "cert-manager reissued the brokers' certificates from a template that dropped the headless service's "
        "names; as each broker restarted with its new certificate, every client's handshake to it failed",
    )
    f.changes.append(change(at - 2 * M, "kafka", "secret", "tls.dnsNames", "[kafka, '*.kafka-headless']",
                            "[kafka]", rng, "cert-manager"))  # fmt: skip
    f.effects += [
        Effect("kafka", "request_rate", at, 0.2),
        Effect("positions", "error_ratio", at, 0.6, relative=False),
        Effect("md-ingest", "error_ratio", at, 0.5, relative=False),
        Effect("risk-api", "error_ratio", at + M, 0.2, relative=False),
    ]
    hs = "No subject alternative DNS name matching kafka-1.kafka-headless.markets.svc.cluster.local found"
    f.bursts += [
        Burst("positions", at, 15, "warn", f"[Consumer clientId=positions-0] SSL handshake failed: {hs}"),
        Burst("md-ingest", at, 20, "error", f"[Producer clientId=md-ingest-1] SSL handshake failed: {hs}"),
        Burst("risk-api", at + M, 8, "error", "kafka: client has run out of available brokers to talk to: "
              "tls: failed to verify certificate: x509: certificate is valid for kafka, not "
              "kafka-1.kafka-headless.markets.svc.cluster.local"),
        Burst("kafka", at - M, 1, "info", "Reloading SSL keystore for listener INTERNAL", minutes=3),
    ]  # fmt: skip
    return f


def positions_restart_loop(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(200, 260) * M
    f = Fault(
        "positions_restart_loop",
        "positions",
        "recent_change",
        "rollback",
        "positions",
        "PositionsStale",
        "a release of the positions job four hours before the alert bundled a Kafka client the job's "
        "connector was not built for; the job fails as it starts and has restarted every two minutes since, "
        "and the staleness alert fired only when the risk desk's positions passed their four-hour limit",
    )
    f.changes.append(change(at - 2 * M, "positions", "deploy", "image.tag", "2026.01.3", "2026.01.4", rng,
                            "argo-cd"))  # fmt: skip
    f.effects += [
        Effect("positions", "restarts", at, 5, relative=False),
        Effect("positions", "error_ratio", at, 1.0, relative=False),
        Effect("positions", "request_rate", at, 0.05),
        Effect("risk-api", "latency_p99", t - 8 * M, 2.5),
    ]
    f.bursts += [
        Burst("positions", at, 0.5, "error", "Job positions (7d1f0b2a9c3e4d5f) switched from state RUNNING to "
              "FAILING: java.lang.NoSuchMethodError: 'org.apache.kafka.clients.consumer.ConsumerRecords "
              "org.apache.kafka.clients.consumer.KafkaConsumer.poll(long)'", minutes=300),
        Burst("risk-api", t - 8 * M, 6, "warn", "exposure for book EEX-DE-BASE computed from positions 4h02m "
              "old (limit 4h)"),
    ]  # fmt: skip
    f.events.append(KEvent("positions", "BackOff", "Back-off restarting failed container flink-main-container",
                           at + 2 * M, minutes=300, per_minute=0.5))  # fmt: skip
    return f


def vault_secret_stale(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "vault_secret_stale",
        "settlement",
        "expired_credential",
        "restart",
        "settlement",
        "SettlementTasksFailing",
        "Vault rotated Trino's password for the settlement account on schedule; settlement's workers read the "
        "secret once at start and keep the old one, so every query is refused until they are restarted",
    )
    f.effects.append(Effect("settlement", "error_ratio", at, 0.7, relative=False))
    f.bursts.append(Burst("settlement", at, 10, "error", "trino.exceptions.HttpError: error 401: b'Invalid "
                          "credentials' (user svc-settlement)"))  # fmt: skip
    return f


def month_end_run(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "month_end_run",
        "trino",
        "capacity",
        "scale",
        "settlement",
        "SettlementRunSlow",
        "the month-end settlement run brings five times the usual queries; every Trino worker is busy and "
        "queries queue behind each other",
    )
    f.effects += [
        Effect("settlement", "request_rate", at - 15 * M, 5.0, ramp=6 * M),
        Effect("trino", "request_rate", at - 15 * M, 5.0, ramp=6 * M),
        Effect("trino", "cpu_utilization", at - 8 * M, 0.97, relative=False),
        Effect("trino", "latency_p99", at - 5 * M, 8.0),
        Effect("settlement", "latency_p99", at - 4 * M, 6.0),
    ]
    f.bursts.append(Burst("trino", at - 5 * M, 3, "warn", "Query 20260131_221402_01873_x8k2p queued: resource "
                          "group global.settlement is full (hardConcurrencyLimit=40)"))  # fmt: skip
    return f


def analyst_heavy_query(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "analyst_heavy_query",
        "trino",
        "no_incident",
        "none",
        "trino",
        "TrinoQueuedQueries",
        "one analyst's query over a year of ticks held the ad-hoc resource group for six minutes; three queries "
        "queued behind it and the queue alert fired, then drained (no incident)",
    )
    f.effects += [
        Effect("trino", "cpu_utilization", at - 3 * M, 0.71, relative=False, until=at + 4 * M),
        Effect("trino", "latency_p99", at - 2 * M, 1.6, until=at + 4 * M),
    ]
    f.bursts.append(Burst("trino", at - 3 * M, 1, "info", "Query 20260119_054112_00412_x8k2p queued: resource "
                          "group global.adhoc is full (hardConcurrencyLimit=1)", minutes=4))  # fmt: skip
    return f


FAULTS = [feed_price_as_text, airflow_parallelism, kafka_cert_names, positions_restart_loop, vault_secret_stale,
          month_end_run, analyst_heavy_query]  # fmt: skip
