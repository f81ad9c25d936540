"""What world 30's first contact taught (an advertising exchange on bare-metal Kubernetes, bundled the plain
DESIGN.md way by a Grafana Alloy pipeline that writes Loki's detected level, `unknown` where a line names
none; written after world 29's rules and scored before any rule saw it): eight or nine of fourteen right a
seed, one to three wrong at HIGH. Its lessons: a service saying it sheds load is at its own limit, and load
that rose with its strain (within a rate's sampling lag) is load, not a leak; a store refusing writes for
its space ("database space exceeded") is that store out of space, and a disk or quota filling for hours
began where it left its usual level, not where the hour before the window already stood; data that fails
its consumer's checks (a non-positive rate) is its source's failure; a service blamed as the failing
dependency, whose own errors state no cause, while it depends on a provider we see nothing of, is not
established; and a service that ran half an hour through a version bump before failing ran through it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from oncall.analysts.offline.patterns import classify
from oncall.core.diagnosis import Diagnosis
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

SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
    "latency_p99": 'latency_p99_seconds{service="{service}"}',
    "cpu_utilization": 'cpu{service="{service}"}',
    "disk_utilization": 'disk{service="{service}"}',
}


@pytest.mark.parametrize(
    ("words", "category"),
    [
        ("shedding load: 4096 auctions in flight at the limit, answering 503", "resource_exhaustion"),
        ("load shedding engaged: server overloaded", "resource_exhaustion"),
        ('"err":"etcdserver: mvcc: database space exceeded"', "resource_exhaustion"),
        ("An error occurred (XMinioStorageFull) when calling the PutObject operation", "resource_exhaustion"),
        ("FX snapshot from fx-feed has a non-positive rate: EUR=0.000000", "dependency_failure"),
        ("dropping malformed payload from partner 12", "dependency_failure"),
        # a consumer's own complaint about one event is not its source failing (world 1's background)
        ("Invalid payload for event user.updated: missing field 'locale'", None),
    ],
)
def test_what_the_words_say(words: str, category: str | None) -> None:
    assert classify(words) == category


def _ramp(start: datetime, end: datetime, base: float, from_: datetime, to: datetime, top: float) -> list:
    """A utilization at `base` that climbs steadily from `from_` to `top` at `to`, and stays there."""
    out, t = [], start
    while t <= end:
        k = min(1.0, max(0.0, (t - from_) / (to - from_)))
        out.append((t, round(base + (top - base) * k, 4)))
        t += timedelta(seconds=60)
    return out


def _store_out_of_space(tmp_path: Path, fills: str) -> Diagnosis:
    """api writes its settings to kv (its disk counted against its quota) and reads flags; from AT kv refuses
    api's writes for its space. `fills`: kv's disk climbed for 100 minutes to its quota by AT ("slowly"), or
    reached it at once, its sample a scrape after the first refusal ("at once"), or never ("never")."""
    at = ALERT_AT - 6 * M
    logs = quiet_logs("api", "kv", "flags")
    logs += [log(at + i * 10 * S, "api", "error", 'save failed: "err":"etcdserver: mvcc: database space exceeded"')
             for i in range(40)]  # fmt: skip
    disk = {
        "slowly": _ramp(T0, END, 0.45, at - 100 * M, at, 1.0),
        "at once": flat_then(T0, END, 0.45, at + M, 1.0),
        "never": flat_then(T0, END, 0.45),
    }[fills]
    metrics = series("disk", "kv", disk) + series("disk", "flags", flat_then(T0, END, 0.4))
    metrics += series("error_ratio", "api", flat_then(T0, END, 0.001, at, 0.8))
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["kv", "flags"], "kv": [], "flags": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=logs,
        metric_lines=metrics,
        signals=SIGNALS,
    )
    return investigated(root).diagnosis


@pytest.mark.parametrize("fills", ["slowly", "at once"])
def test_a_store_refusing_writes_for_its_space_is_out_of_space(tmp_path: Path, fills: str) -> None:
    d = _store_out_of_space(tmp_path, fills)
    assert (d.root_cause.service, d.root_cause.category) == ("kv", "resource_exhaustion")


def test_a_quota_filling_slowly_began_where_it_left_its_usual_level(tmp_path: Path) -> None:
    """The hour before the window (the reference level) was already part of the climb, and the limit is well above
    it: the onset is where the climb began (12:14), not where it passed that hour's level."""
    d = _store_out_of_space(tmp_path, "slowly")
    onset = re.search(r"abnormal from (\d\d:\d\d)", d.root_cause.statement)
    assert onset and onset.group(1) < "13:00"


def test_the_refusal_is_the_callers_own_while_no_store_of_it_is_full(tmp_path: Path) -> None:
    assert _store_out_of_space(tmp_path, "never").root_cause.service == "api"


def _surge(tmp_path: Path, *, load_after: timedelta) -> Diagnosis:
    """edge sends api its requests; api's latency and CPU rise at AT and it says it sheds load; the requests
    at edge and api rose to 2.3 times `load_after` AT (a rate's first abnormal sample comes a scrape late)."""
    at = ALERT_AT - 8 * M
    logs = quiet_logs("edge", "api")
    logs += [log(at + i * 10 * S, "api", "warn", "shedding load: 4096 requests in flight at the limit, answering 503")
             for i in range(40)]  # fmt: skip
    metrics: list[str] = []
    for s in ("edge", "api"):
        metrics += series("requests", s, flat_then(T0, END, 1800.0, at + load_after, 4100.0))
    metrics += series("latency_p99_seconds", "api", flat_then(T0, END, 0.09, at, 0.8))
    metrics += series("cpu", "api", flat_then(T0, END, 0.4, at, 0.98))
    metrics += series("error_ratio", "api", flat_then(T0, END, 0.001, at + M, 0.2))
    metrics += series("error_ratio", "edge", flat_then(T0, END, 0.001, at + M, 0.2))
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api"], "api": []},
        alert=alertmanager("EdgeLatencyHigh", "edge"),
        logs=logs,
        metric_lines=metrics,
        signals=SIGNALS,
    )
    return investigated(root).diagnosis


def test_load_that_rose_with_the_strain_is_capacity(tmp_path: Path) -> None:
    d = _surge(tmp_path, load_after=M)
    assert (d.root_cause.service, d.root_cause.category) == ("api", "capacity")
    assert d.actions[0].kind == "scale"


def test_load_that_came_long_after_the_strain_is_not_what_ran_out(tmp_path: Path) -> None:
    d = _surge(tmp_path, load_after=6 * M)
    assert d.root_cause.service == "api" and d.root_cause.category != "capacity"


def _pacer_fails(tmp_path: Path, *, provider_seen: bool) -> Diagnosis:
    """web calls pacer, which reads kv and a currency provider; from AT pacer's every update fails with an
    error that names no cause, and web's calls to it fail. `provider_seen`: we have the provider's metrics."""
    at = ALERT_AT - 6 * M
    logs = quiet_logs("web", "pacer", "kv")
    logs += [log(at + i * 10 * S, "pacer", "error", "Pacing failed for campaign 88213\njava.lang.ArithmeticException"
                 ": / by zero") for i in range(40)]  # fmt: skip
    logs += [log(at + i * 10 * S + 5 * S, "web", "error", "call to pacer failed: HTTP 500") for i in range(40)]
    metrics = series("error_ratio", "pacer", flat_then(T0, END, 0.001, at, 0.45))
    metrics += series("error_ratio", "web", flat_then(T0, END, 0.001, at + M, 0.3))
    metrics += series("error_ratio", "kv", flat_then(T0, END, 0.001))
    if provider_seen:
        metrics += series("error_ratio", "fx", flat_then(T0, END, 0.001))
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["pacer"], "pacer": ["kv", "fx"], "kv": [], "fx": []},
        alert=alertmanager("WebErrors", "web"),
        logs=logs,
        metric_lines=metrics,
        signals=SIGNALS,
    )
    return investigated(root).diagnosis


def test_errors_that_state_no_cause_in_front_of_an_unseen_provider_are_not_established(tmp_path: Path) -> None:
    d = _pacer_fails(tmp_path, provider_seen=False)
    assert d.root_cause.service == "pacer" and d.root_cause.confidence != "HIGH"
    assert any("fx" in e.text and "see nothing of" in e.text for e in d.against)


def test_with_every_dependency_seen_the_failing_service_stands(tmp_path: Path) -> None:
    d = _pacer_fails(tmp_path, provider_seen=True)
    assert d.root_cause.service == "pacer" and d.root_cause.confidence == "HIGH"


def _changed_before(tmp_path: Path, lag: timedelta, *, release: bool = True) -> Diagnosis:
    """api changed `lag` before its errors began, errors that repeat nothing of the change: a version bump
    (`release`), or a setting."""
    at = ALERT_AT - 6 * M
    logs = quiet_logs("api", "db")
    logs += [log(at + i * 10 * S, "api", "error", "request failed: java.lang.IllegalStateException: no quote")
             for i in range(40)]  # fmt: skip
    metrics = series("error_ratio", "api", flat_then(T0, END, 0.001, at, 0.4))
    metrics += series("error_ratio", "db", flat_then(T0, END, 0.001))
    change = (
        setting_change(at - lag, "api", "image.tag", "4.0.2", "4.0.3", "deploy")
        if release
        else setting_change(at - lag, "api", "quotes.source", "primary", "replica")
    )
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["db"], "db": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=logs,
        metric_lines=metrics,
        changes=[change],
        signals=SIGNALS,
    )
    return investigated(root).diagnosis


def test_a_service_that_ran_half_an_hour_through_a_version_bump_ran_through_it(tmp_path: Path) -> None:
    d = _changed_before(tmp_path, 32 * M)
    assert (d.root_cause.service, d.root_cause.category) == ("api", "recent_change")
    assert d.root_cause.confidence == "MEDIUM"


def test_errors_minutes_after_a_version_bump_follow_from_it(tmp_path: Path) -> None:
    assert _changed_before(tmp_path, 8 * M).root_cause.confidence == "HIGH"


def test_a_setting_may_take_effect_later_than_a_release(tmp_path: Path) -> None:
    """A secret or setting may wait for a TTL or a grace period: half an hour is not running through it."""
    d = _changed_before(tmp_path, 32 * M, release=False)
    assert (d.root_cause.service, d.root_cause.category, d.root_cause.confidence) == ("api", "recent_change", "HIGH")
