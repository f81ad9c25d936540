"""What world 28's first contact taught (an e-signature platform on ECS, bundled the plain DESIGN.md way
by a Firehose transform: epoch-millisecond times, no level where Go's standard log writes none; written
after world 27's rules and scored before any rule saw it): eleven or ten of fourteen right, a seventh
wrong at HIGH on every seed: the search cluster saturated when a reindex fired at the clock time its
schedule had been moved to the day before, and a change that old was not followed to the time it set."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.analysts.offline.schedules import first_firing
from oncall.core.diagnosis import Diagnosis
from oncall.tools.read_changes import Change
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    log,
    quiet_logs,
    series,
    setting_change,
    write_bundle,
)


def _cron(to: str, at: datetime) -> Change:
    return Change(ts=at, service="batch", kind="config", to=to)


def test_a_schedule_fires_first_at_its_clock_time_after_the_change() -> None:
    changed = datetime(2026, 6, 3, 13, 0, tzinfo=UTC)  # a Wednesday
    assert first_firing(_cron("REINDEX_CRON=0 9 * * *", changed)) == datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
    assert first_firing(_cron("schedule: 30 14 * * *", changed)) == datetime(2026, 6, 3, 14, 30, tzinfo=UTC)
    # weekdays only, changed on a Friday: Monday
    friday = datetime(2026, 6, 5, 13, 0, tzinfo=UTC)
    assert first_firing(_cron("0 9 * * 1-5", friday)) == datetime(2026, 6, 8, 9, 0, tzinfo=UTC)


def test_a_schedule_without_one_clock_time_has_no_first_firing() -> None:
    changed = datetime(2026, 6, 3, 13, 0, tzinfo=UTC)
    assert first_firing(_cron("*/5 * * * *", changed)) is None
    assert first_firing(_cron("replicas: 3", changed)) is None


def _search_saturated(tmp_path: Path, *, fires_at_onset: bool) -> Diagnosis:
    """batch (a job runner) and api use search; at AT search's CPU saturates and its answers slow, and
    api's with them. batch's schedule was changed twenty hours before, to the clock time of AT
    (`fires_at_onset`) or to one five hours away from it."""
    at = ALERT_AT - 8 * M
    fire = at if fires_at_onset else at - 5 * 60 * M
    services = {"api": ["search"], "batch": ["search"], "search": []}
    logs = quiet_logs("api", "batch", "search")
    logs += [log(at + 30 * S, "batch", "info", "reindex: started full reindex of 4120331 documents")]
    logs += [log(at + M + i * 10 * S, "search", "warn", "[search-0] [docs][2] took[12.1s], took_millis[12100], "
                 "total_shards[5]") for i in range(60)]  # fmt: skip
    metrics = series("cpu", "search", flat_then(T0, END, 0.35, at, 0.97))
    metrics += series("latency_p99_seconds", "search", flat_then(T0, END, 0.03, at + M, 0.6))
    metrics += series("latency_p99_seconds", "api", flat_then(T0, END, 0.09, at + 2 * M, 0.3))
    metrics += series("cpu", "batch", flat_then(T0, END, 0.2)) + series("cpu", "api", flat_then(T0, END, 0.3))
    changed = setting_change(at - 20 * 60 * M, "batch", "REINDEX_CRON", "0 3 * * *", f"{fire.minute} {fire.hour} * * *")
    root = write_bundle(
        tmp_path / "b",
        services=services,
        alert=alertmanager("SearchLatencyHigh", "search"),
        logs=logs,
        metric_lines=metrics,
        changes=[changed],
        signals={
            "latency_p99": 'latency_p99_seconds{service="{service}"}',
            "cpu_utilization": 'cpu{service="{service}"}',
        },
    )
    return investigated(root).diagnosis


def test_a_store_saturated_when_a_moved_schedule_first_fired_is_that_schedules_job(tmp_path: Path) -> None:
    d = _search_saturated(tmp_path, fires_at_onset=True)
    assert (d.root_cause.service, d.root_cause.category) == ("batch", "recent_change")
    assert d.root_cause.confidence != "HIGH"  # the clock time ties them: likely, not proven
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "batch"


def test_a_schedule_set_for_another_time_is_not_blamed(tmp_path: Path) -> None:
    d = _search_saturated(tmp_path, fires_at_onset=False)
    assert d.root_cause.service != "batch"


def _cpu_busy(tmp_path: Path, *, slower: bool = False, deployed: bool = False) -> Diagnosis:
    """reports (called by web) is alerted for its CPU, busy from AT with a batch it announces in an info
    line; nothing else moves. `slower`: its answers slow too. `deployed`: a release of it landed ten
    minutes before."""
    at = ALERT_AT - 10 * M
    services = {"web": ["reports"], "reports": []}
    logs = quiet_logs("web", "reports")
    logs += [log(at + 20 * S, "reports", "info", "statements: generating 88213 monthly statements")]
    metrics = series("cpu", "reports", flat_then(T0, END, 0.35, at, 0.93))
    metrics += series("latency_p99_seconds", "reports", flat_then(T0, END, 0.2, at + M if slower else None, 2.5))
    metrics += series("latency_p99_seconds", "web", flat_then(T0, END, 0.1))
    metrics += series("cpu", "web", flat_then(T0, END, 0.3))
    changes = [setting_change(at - 10 * M, "reports", "image", "reports:2.5.3", "reports:2.6.0", "deploy")]
    root = write_bundle(
        tmp_path / "b",
        services=services,
        alert=alertmanager("ReportsCpuHigh", "reports"),
        logs=logs,
        metric_lines=metrics,
        changes=changes if deployed else [],
        signals={
            "latency_p99": 'latency_p99_seconds{service="{service}"}',
            "cpu_utilization": 'cpu{service="{service}"}',
        },
    )
    return investigated(root).diagnosis


def test_a_busy_cpu_with_no_one_worse_off_is_work_not_an_incident(tmp_path: Path) -> None:
    d = _cpu_busy(tmp_path)
    assert (d.root_cause.service, d.root_cause.category) == ("reports", "no_incident")
    assert d.root_cause.confidence != "HIGH"  # (LOW here: the bundle has no traces, which the brief names)
    assert "busy" in d.root_cause.statement and d.actions[0].kind == "none"


def test_a_busy_cpu_that_slows_the_service_is_not_dismissed(tmp_path: Path) -> None:
    assert _cpu_busy(tmp_path, slower=True).root_cause.category != "no_incident"


def test_a_busy_cpu_right_after_a_release_is_not_dismissed(tmp_path: Path) -> None:
    assert _cpu_busy(tmp_path, deployed=True).root_cause.category != "no_incident"
