"""What world 54's first contact taught (a container terminal on VMs run by systemd, its logs Vector's native_json
encoding of its journald events; written after world 53's rules and scored before any rule saw it): 6 of 14
right on seeds 1-4, nothing said at HIGH, as no event under `log` was read; read, 8 of 14 with 2 wrong HIGHs.
Four reasons: Vector's native_json keeps each event under `log`; data moved between a cluster's nodes on purpose
(a partition reassignment) is planned work; a systemd timer's OnCalendar is a schedule like cron's; and fewer
requests pass down from callers, so a server whose requests fell before its callers' lost clients of its own
(the cranes that cannot reach the broker since its certificate changed). And a bug it found: a dependency that
told of trouble only in warnings has no onset, and choosing among such dependencies failed the analyst."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.analysts.offline.patterns import classify
from oncall.analysts.offline.schedules import first_firing
from oncall.tools.read_changes import Change
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    busy_with_job,
    flat_then,
    investigated,
    log,
    quiet_logs,
    read_logs_of,
    series,
    setting_change,
    signals,
    write_bundle,
)

SIGNALS = signals("cpu_utilization", "latency_p99", "error_ratio", "request_rate")


def test_vectors_native_json_keeps_each_event_under_log(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M

    def event(t: datetime, unit: str, text: str) -> dict:
        return {"log": {"message": text, "timestamp": t.isoformat(), "host": f"{unit}-01",
                        "_SYSTEMD_UNIT": f"{unit}.service", "PRIORITY": "6", "source_type": "journald"}}  # fmt: skip

    lines = [event(T0 + i * 5 * M, s, "steady") for i in range(20) for s in ("api", "db")]
    lines += [event(at + i * 10 * S, "api", "ERROR upstream db refused the connection") for i in range(12)]
    read = read_logs_of(tmp_path, lines)
    assert "(12 ERROR" in read["api"] and "skipped" not in read["api"]
    # Docker's json-file `log` is a line's text, not an envelope
    docker = quiet_logs("api", "db") + [
        {"log": "ERROR upstream db refused the connection\n", "stream": "stdout", "time": (at + i * S).isoformat(),
         "service": "api"} for i in range(12)
    ]  # fmt: skip
    assert "(12 ERROR" in read_logs_of(tmp_path / "docker", docker)["api"]


def test_data_moved_between_a_clusters_nodes_on_purpose_is_planned_work(tmp_path: Path) -> None:
    for job in ("kafka-reassign-partitions --execute --reassignment-json-file move.json", "rebalance shards"):
        root = busy_with_job(tmp_path / job.split()[0], "kafka", job, "ops", "KafkaUnderReplicatedPartitions")
        assert investigated(root).diagnosis.root_cause.category == "no_incident", job
    rack = busy_with_job(tmp_path / "rack", "kafka", "broker.rack=eu-1b", "ops", "KafkaUnderReplicatedPartitions")
    assert investigated(rack).diagnosis.root_cause.category != "no_incident"


def _change_to(value: str) -> Change:
    return Change(
        ts=datetime(2026, 3, 2, 6, 0, tzinfo=UTC), service="optimizer", kind="config", from_="x", to=value, line=1
    )


def test_a_systemd_timers_oncalendar_is_a_schedule_like_crons() -> None:
    assert first_firing(_change_to("timer: *-*-* 09:41:00")) == datetime(2026, 3, 2, 9, 41, tzinfo=UTC)
    # 2026-03-02 is a Monday: a weekend timer first fires on Saturday
    assert first_firing(_change_to("timer: Sat,Sun *-*-* 02:30")) == datetime(2026, 3, 7, 2, 30, tzinfo=UTC)
    assert first_firing(_change_to("timer: Tue..Thu *-*-* 05:00")) == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)
    # a date is not a schedule
    assert first_firing(_change_to("expires: 2026-04-01 09:41")) is None


def test_a_tls_alert_that_the_ca_is_unknown_says_a_certificate_is_not_trusted() -> None:
    erlang = '{tls_alert,{unknown_ca,"TLS server: In state certify received CLIENT ALERT: Fatal - Unknown CA\\n"}}'
    for said in (erlang, "remote error: tls: unknown certificate authority"):
        assert classify(said) == "expired_credential", said


def _broker(tmp_path: Path) -> Path:
    """The broker's certificate changes; two minutes after, its clients' handshakes fail and its requests
    fall, and its consumer's fall a minute later."""
    at = ALERT_AT - 8 * M
    said = [
        log(at + i * 20 * S, "broker", "warn", "ssl_handshake_failure: received CLIENT ALERT: Fatal - Unknown CA")
        for i in range(24)
    ]
    return write_bundle(
        tmp_path / "broker",
        services={"consumer": ["broker"], "broker": []},
        alert=alertmanager("TelemetryStale", "consumer"),
        logs=quiet_logs("consumer", "broker") + said,
        metric_lines=series("request_rate", "broker", flat_then(T0, END, 215, at, 20))
        + series("request_rate", "consumer", flat_then(T0, END, 200, at + M, 10)),
        changes=[setting_change(at - 2 * M, "broker", "certfile", "mqtt-2025.pem", "mqtt-2026.pem")],
        signals=SIGNALS,
    )


def test_a_server_whose_requests_fell_before_its_callers_lost_clients_of_its_own(tmp_path: Path) -> None:
    d = investigated(_broker(tmp_path)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("broker", "recent_change")
    assert d.actions[0].kind == "rollback"


def test_a_dependency_that_told_of_trouble_only_in_warnings_does_not_fail_the_analyst(tmp_path: Path) -> None:
    at = ALERT_AT - 8 * M
    said = [log(at - M + i * 20 * S, "broker", "warn", "client connection closed unexpectedly") for i in range(3)]
    root = write_bundle(
        tmp_path / "warned",
        services={"consumer": ["broker", "store"], "broker": [], "store": []},
        alert=alertmanager("TelemetryStale", "consumer"),
        logs=quiet_logs("consumer", "broker", "store")
        + said
        + [log(at - M + 30 * S + i * 20 * S, "store", "warn", "slow checkpoint") for i in range(3)],
        metric_lines=series("request_rate", "consumer", flat_then(T0, END, 200, at, 10)),
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert not any("analyst failed" in m for m in d.missing_evidence)
    # a brief reasoned from the evidence (cited), and no surer than three warnings and a fall in traffic allow
    assert d.root_cause.cites and d.root_cause.confidence == "LOW"
