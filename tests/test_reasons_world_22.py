"""What world 22's first contact taught (a bank's Windows estate whose event logs NXLog ships as JSON:
`EventTime` with no zone, `Hostname` as a capitalised NetBIOS name with its domain, `Severity` and
`Message`, every key capitalised; written after world 21's rules and scored before any rule saw it):
its logs could not be read at all (world 21's text field was read beside the `message` key the reader
knows, two columns DuckDB takes for one), so every answer was MEDIUM or LOW and four in ten right;
once read, a service account whose password expired was `unknown`, and a DNS server whose scavenging
was switched on an hour before it deleted a record was never suspected."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from oncall.analysts.offline.patterns import classify
from oncall.analysts.offline.schedules import schedule_set
from oncall.core.diagnosis import Diagnosis
from oncall.tools.read_changes import Change
from oncall.tools.read_logs.hosts import host_name
from oncall.tools.read_logs.levels import routine_levels
from oncall.tools.read_logs.times import time_field
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    iso,
    log,
    read_logs_of,
    series,
    write_bundle,
)


def _nxlog(t: datetime, host: str, severity: str, message: str) -> dict:
    """An event as NXLog's to_json() writes it: capitalised keys, the server's time without a zone."""
    return {
        "EventTime": f"{t:%Y-%m-%d %H:%M:%S}",
        "Hostname": host,
        "Severity": severity,
        "SeverityValue": {"ERROR": 4, "WARNING": 3}.get(severity, 2),
        "EventID": 1026,
        "SourceName": "PaymentsApi",
        "Message": message,
        "EventReceivedTime": f"{t + 2 * S:%Y-%m-%d %H:%M:%S}",
    }


def test_a_windows_event_log_is_read_by_its_own_spelling_of_each_field(tmp_path) -> None:
    """`Message` and `Severity` are message and severity in another case; the time is the earliest
    time a line carries (EventTime, not when NXLog received it); the host is named after its service in
    capitals with its domain."""
    at = ALERT_AT - 2 * M
    records = [_nxlog(at + i * S, "API-02.corp.example", "ERROR", f"Payment {i} failed: No such host is known")
               for i in range(30)]  # fmt: skip
    records += [_nxlog(at + i * S, "DB-01.corp.example", "WARNING", "Log was backed up slowly") for i in range(5)]
    # a line with no time sends the file to a second read with every key this reader knows: `message` beside
    # the file's `Message` once made that read fail outright
    records.append({"Hostname": "API-02.corp.example", "Message": "NXLog started"})
    text = read_logs_of(tmp_path, records)
    assert "30 lines in window (30 ERROR)" in text["api"] and "No such host is known" in text["api"]
    assert "5 lines in window (5 WARN)" in text["db"]
    assert f"first {at:%H:%M:%S}" in text["api"]  # EventTime, not EventReceivedTime


def test_the_time_of_a_line_is_the_earliest_it_carries_and_never_a_number() -> None:
    lines = [{"Received": "2026-03-02T10:00:05", "EventTime": "2026-03-02 10:00:03", "Count": 1712345678}] * 4
    assert time_field(lines) == "EventTime"
    assert time_field([{"Count": 1712345678, "Message": "x"}] * 4) is None  # a number may be an id
    assert time_field([{"ts": "2026-03-02T10:00:03Z", "Received": "2026-03-02T10:00:01Z"}] * 4) is None  # known
    assert host_name("PAYMENTS-API-02.corp.example") == "payments-api-02" and host_name("mx-02") == "mx-02"


def test_the_routine_spellings_of_a_level_are_found_under_its_key_in_any_case() -> None:
    """Which spellings are info (shaped from a sample, not on every line) is read under `Severity` as
    under `severity`, as the file spells it (the scan groups lines by their spelling); the errors never are."""
    assert "Informational" in routine_levels([{"Severity": "Informational"}, {"Severity": "Error"}])
    assert not {"Error", "ERROR"} & set(routine_levels([{"Severity": "Error"}]))


@pytest.mark.parametrize(
    "text",
    [
        "The SettlementBatch service was unable to log on as CORP\\svc-settle with the currently configured "
        "password due to the following error: The user's password must be changed before signing in.",
        "The SettlementBatch service failed to start due to the following error: The service did not start due "
        "to a logon failure.",
        "An account failed to log on. Failure Reason: The specified account's password has expired. "
        "Status: 0xC000006D Sub Status: 0xC0000071",
    ],
)
def test_windows_logon_refused_for_a_password_is_an_expired_credential(text) -> None:
    assert classify(text) == "expired_credential"


def test_a_change_that_sets_a_schedule_is_read_for_its_interval() -> None:
    def scheduled(to: str) -> timedelta | None:
        return schedule_set(Change(ts=ALERT_AT, service="dc", kind="config", to=to))

    assert scheduled("ScavengingInterval = 01:00:00") == timedelta(hours=1)
    assert scheduled("refresh_interval: 30m") == timedelta(minutes=30)
    assert scheduled("backup period = PT6H") == timedelta(hours=6)
    assert scheduled("max_connections = 10") is None and scheduled("interval: 0") is None


def _dns_scavenged(tmp_path: Path, before: timedelta) -> Diagnosis:
    """Three users of dc (its DNS) fail at AT, unable to resolve a name; dc shows nothing of its own, but
    its scavenging was switched on, hourly, `before` AT."""
    at = ALERT_AT - 8 * M
    users = ["api", "worker", "reports"]
    services = {"api": ["dc", "db"], "worker": ["dc", "db"], "reports": ["dc", "db"], "dc": [], "db": []}
    logs = [log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in services]
    for k, u in enumerate(users):
        logs += [log(at + (k * 7 + i) * S, u, "error", "SqlException: A network-related error occurred while "
                     "establishing a connection to SQL Server. (provider: TCP Provider, error: 0 - No such host is "
                     "known.)") for i in range(40)]  # fmt: skip
    metrics: list[str] = []
    for u in users:
        metrics += series("requests", u, flat_then(T0, END, 50.0))
        metrics += series("error_ratio", u, flat_then(T0, END, 0.001, at, 0.85))
    metrics += series("requests", "dc", flat_then(T0, END, 200.0)) + series("requests", "db", flat_then(T0, END, 300.0))
    root = write_bundle(
        tmp_path / "b",
        services=services,
        alert=alertmanager("HighErrorRate", "api"),
        logs=logs,
        metric_lines=metrics,
        changes=[{"ts": iso(at - before), "service": "dc", "kind": "config", "from": "ScavengingInterval = 0",
                  "to": "ScavengingInterval = 01:00:00", "author": "infra", "ref": "CHG1", "diff": None}],
        signals={"request_rate": 'requests{service="{service}"}', "error_ratio": 'error_ratio{service="{service}"}'},
    )  # fmt: skip
    return investigated(root).diagnosis


def test_shared_infrastructure_changed_on_a_schedule_is_followed_to_the_users_it_broke(tmp_path) -> None:
    """Within one interval of the change its users broke, all unable to resolve a name: the shared
    dependency that changed is the suspect, likely, not proven (not HIGH)."""
    d = _dns_scavenged(tmp_path, before=55 * M)
    assert (d.root_cause.service, d.root_cause.category) == ("dc", "recent_change")
    assert d.root_cause.confidence != "HIGH"


def test_a_scheduled_change_more_than_one_interval_before_does_not_explain_the_break(tmp_path) -> None:
    d = _dns_scavenged(tmp_path, before=75 * M)
    assert d.root_cause.service != "dc"
