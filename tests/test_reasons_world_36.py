"""What world 36's first contact taught (a power-trading firm's market-data platform on Kubernetes, bundled
the plain DESIGN.md way by a Vector pipeline with epoch-second times and klog's one-letter levels; written
after world 35's rules and scored before any rule saw it): twelve or thirteen of fourteen right on each seed,
no wrong HIGH. Every miss was a job failing in a restart loop since a release four hours before its alert:
its errors and restarts had stepped up inside the hours the window is compared with, so they looked steady,
and with no day earlier in the bundle nothing said they had ever been different. Errors or restarts that
stepped up within those hours and stayed are an incident under way since the step."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from oncall.core.investigation import Investigation
from tests.bundles import (
    ALERT_AT,
    M,
    alertmanager,
    flat_then,
    investigated,
    quiet_logs,
    series,
    setting_change,
    write_bundle,
)

H = timedelta(hours=1)
FROM = ALERT_AT - 8 * H  # the bundle's metrics begin here: no day earlier to compare with
TO = ALERT_AT + 15 * M


def _job(tmp_path: Path, metric_lines: list[str], deployed: bool = True) -> Investigation:
    root = write_bundle(
        tmp_path / "b",
        services={"job": ["broker"], "broker": []},
        alert=alertmanager("PositionsStale", "job"),
        logs=quiet_logs("job", "broker"),
        metric_lines=metric_lines + series("error_ratio", "broker", flat_then(FROM, TO, 0.001)),
        changes=[setting_change(ALERT_AT - 4 * H - 2 * M, "job", "image.tag", "2026.01.3", "2026.01.4", "deploy")]
        if deployed
        else [],
        signals={"error_ratio": 'error_ratio{service="{service}"}', "request_rate": 'rps{service="{service}"}'},
    )
    return investigated(root)


def _metrics_of(inv: Investigation, service: str) -> str:
    return next(r.text or "" for r in inv.results if r.tool == "read_metrics" and r.input["service"] == service)


def test_errors_that_stepped_up_hours_before_the_window_and_stayed_are_an_incident_since_the_step(
    tmp_path: Path,
) -> None:
    inv = _job(tmp_path, series("error_ratio", "job", flat_then(FROM, TO, 0.001, ALERT_AT - 4 * H, 1.0)))
    text = _metrics_of(inv, "job")
    assert "stepped up at 10:00 and stayed, before the window opened" in text
    d = inv.diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("job", "recent_change")


def test_traffic_that_stepped_up_within_those_hours_is_the_days_curve_not_a_failure(tmp_path: Path) -> None:
    inv = _job(tmp_path, series("rps", "job", flat_then(FROM, TO, 20.0, ALERT_AT - 4 * H, 60.0)), deployed=False)
    assert "steady" in _metrics_of(inv, "job") and "stepped up" not in _metrics_of(inv, "job")


def test_errors_as_high_since_the_first_of_those_hours_show_no_step(tmp_path: Path) -> None:
    inv = _job(tmp_path, series("error_ratio", "job", flat_then(FROM, TO, 0.2)), deployed=False)
    assert "stepped up" not in _metrics_of(inv, "job")


def test_a_step_that_came_at_the_same_hour_a_day_earlier_too_is_the_day_not_an_incident(tmp_path: Path) -> None:
    day = series("error_ratio", "job", flat_then(FROM - 24 * H, TO - 24 * H, 0.001, ALERT_AT - 28 * H, 0.3))
    today = series("error_ratio", "job", flat_then(FROM, TO, 0.001, ALERT_AT - 4 * H, 0.3))
    assert "stepped up" not in _metrics_of(_job(tmp_path, day + today, deployed=False), "job")
