"""What world 57's first contact taught (a Japanese online grocery on Kubernetes with Cilium, its logs Mezmo's
export; written after world 56's rules and scored before any rule saw it): 12 of 14 right on each of seeds
1-4, read as it came, but **2 wrong HIGHs each**: KEDA's cron scaler taking the storefront to 2 pods for the
night, on its schedule, was a change to roll back. Its reason: a change that is its own schedule firing is
planned work."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.analysts.offline.schedules import fired_on_schedule
from oncall.tools.read_changes import Change
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    alertmanager,
    flat_then,
    investigated,
    quiet_logs,
    series,
    setting_change,
    signals,
    write_bundle,
)

SIGNALS = signals("cpu_utilization", "latency_p99", "error_ratio", "request_rate", "memory_utilization", "restarts")


def _change(at: datetime, to: str) -> Change:
    return Change(ts=at, service="web", kind="ops", from_="replicas: 6", to=to, author="keda")


def test_a_change_is_its_own_schedule_firing_when_it_lands_at_the_time_it_names() -> None:
    at = datetime(2026, 10, 11, 3, 25, 30, tzinfo=UTC)  # 12:25 in Tokyo, a Sunday
    assert fired_on_schedule(_change(at, "replicas: 2 (cron scaler, schedule 25 12 * * *, Asia/Tokyo)"))
    assert fired_on_schedule(_change(at, "replicas: 2 (schedule 25 3 * * *)"))  # no zone named: UTC
    assert fired_on_schedule(_change(at, "timer: Sun *-*-* 12:24 Asia/Tokyo"))  # systemd's words, a minute early
    # at another time than it names, it only sets a schedule: what it sets acts later
    assert not fired_on_schedule(_change(at, "replicas: 2 (schedule 0 22 * * *, Asia/Tokyo)"))
    assert not fired_on_schedule(_change(at, "replicas: 2 (schedule 25 12 * * *)"))  # 12:25 UTC is hours away
    assert not fired_on_schedule(_change(at, "replicas: 2 (schedule 25 12 * * 1-5, Asia/Tokyo)"))  # not Sundays
    assert not fired_on_schedule(_change(at, "replicas: 2 (schedule 25 3 * * *, Asia/Nowhere)"))  # a zone unknown
    assert not fired_on_schedule(_change(at, "replicas: 2"))  # no schedule named


def _scaled_in(tmp_path: Path, to: str, errors: float = 0.002) -> Path:
    """web's replicas cut to 2 a minute before its CPU per pod rises past the alert's threshold; its latency
    barely moves; its errors stay at `errors`."""
    at = ALERT_AT - 15 * M
    return write_bundle(
        tmp_path / f"s{len(to)}{int(errors * 1000)}",
        services={"edge": ["web"], "web": []},
        alert=alertmanager("WebCPUHigh", "web"),
        logs=quiet_logs("edge", "web"),
        metric_lines=series("cpu_utilization", "web", flat_then(T0, END, 0.4, at, 0.85))
        + series("latency_p99", "web", flat_then(T0, END, 0.2, at, 0.22))
        + series("error_ratio", "web", flat_then(T0, END, 0.002, at, errors)),
        changes=[setting_change(at - M, "web", "replicas", "6", to, kind="ops")],
        signals=SIGNALS,
    )


def test_a_change_that_is_its_own_schedule_firing_is_planned_work(tmp_path: Path) -> None:
    at = ALERT_AT - 16 * M  # when the change lands (a minute before web moved)
    on_time = f"2 (keda cron scaler night-scale-in, schedule {at.minute} {at.hour} * * *)"
    assert investigated(_scaled_in(tmp_path, on_time)).diagnosis.root_cause.category == "no_incident"
    # the same cut made by hand (no schedule named), or set to act at another time, is a change like any other
    assert investigated(_scaled_in(tmp_path, "2")).diagnosis.root_cause.category == "recent_change"
    later = f"2 (schedule {at.minute} {(at.hour + 5) % 24} * * *)"
    assert investigated(_scaled_in(tmp_path, later)).diagnosis.root_cause.category != "no_incident"
    # and a scheduled scale-in that fails requests is an incident
    failing = investigated(_scaled_in(tmp_path, on_time, errors=0.2)).diagnosis
    assert failing.root_cause.category != "no_incident"
