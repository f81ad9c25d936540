"""What world 61's first contact taught (a Chinese food-delivery platform on Alibaba Cloud, its logs Simple Log
Service's GetLogs results; written after world 60's rules and scored before any rule saw it): 11 or 12 of 14 right
on seeds 1-4, one wrong HIGH. Logtail's records were read as they are. Its reasons: an access key its store
disabled, or one it does not know (InvalidAccessKeyId), is a credential no longer usable; and requests that fall
along the slope they had been on for hours are the day's curve (after the lunch peak), not requests going missing.
(RocketMQ's full commit-log disk is freed by shortening retention in this world's truth; the analyst offers more
disk, as other writers have it: left as it is.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from oncall.analysts.offline.patterns import classify
from oncall.tools.read_metrics.trend import follows_trend
from tests.bundles import ALERT_AT, END, T0, M, alertmanager, investigated, series, signals, write_bundle


def test_an_access_key_disabled_or_unknown_to_its_store_is_a_credential_no_longer_usable() -> None:
    oss = (
        'oss: service returned error: StatusCode=403, ErrorCode=InvalidAccessKeyId, ErrorMessage="The OSS Access '
        'Key Id you provided is disabled.", RequestId=6650A1B2C3D4E5F6'
    )
    assert classify(oss) == "expired_credential"
    assert classify("The access key ID LTAI5tXXXX has been disabled by its owner") == "expired_credential"
    assert classify("S3 error InvalidAccessKeyId: the key you provided does not exist") == "expired_credential"
    # a key that is fine, or a rotation reported as done, is not a credential gone bad
    assert classify("access key rotation finished: 3 keys checked, none disabled yet") is None
    assert classify("access key id AKIA1234 is enabled for bucket uploads") is None


def _requests(tmp_path: Path, name: str, level: Callable[[datetime], float], signal: str = "request_rate") -> str:
    """read_metrics of orders, whose requests (or `signal`) are `level` a minute through the bundle's hours."""
    values, t = [], T0
    while t <= END:
        values.append((t, round(level(t) * (1 + 0.01 * ((int(t.timestamp()) // 60) % 3 - 1)), 3)))
        t += timedelta(minutes=1)
    root = write_bundle(tmp_path / name, services={"orders": []}, alert=alertmanager("OrdersLow", "orders"),
                        metric_lines=series(signal, "orders", values), signals=signals(signal))  # fmt: skip
    (read,) = [r.text or "" for r in investigated(root).results if r.tool == "read_metrics"]
    return read


def _hours(t: datetime) -> float:
    return (t - T0).total_seconds() / 3600


def test_requests_falling_along_the_slope_they_had_been_on_for_hours_are_the_day_s_curve(tmp_path: Path) -> None:
    # after the lunch peak: 600 a second falling by 80 an hour since the baseline began, and still falling
    read = _requests(tmp_path, "curve", lambda t: 600 - 80 * _hours(t))
    assert "along the slope it had been on" in read and "abnormal from" not in read, read
    # the same afternoon with a step down ten minutes before the alert: that is not the day
    stepped = _requests(tmp_path, "step", lambda t: (600 - 80 * _hours(t)) * (0.3 if t >= ALERT_AT - 10 * M else 1))
    assert "abnormal from" in stepped and "along the slope" not in stepped, stepped
    # flat all morning, falling only from an hour before the window: an incident under way, not the day
    bent = _requests(tmp_path, "bent", lambda t: 300 - 1.5 * max(0.0, (t - (ALERT_AT - 90 * M)) / M))
    assert "abnormal from" in bent and "along the slope" not in bent, bent
    # only requests follow the day so: a latency falling as fast is still a fall
    latency = _requests(tmp_path, "latency", lambda t: 6 - 0.8 * _hours(t), "latency_p99")
    assert "abnormal from" in latency and "along the slope" not in latency, latency


def test_a_slope_needs_samples_enough_in_both_hours_and_in_the_window() -> None:
    t0 = ALERT_AT.timestamp()
    falling = [(t0 + m * 60, 600 - m) for m in range(-120, 46)]
    assert follows_trend(falling, t0, t0 + 45 * 60, 60)
    assert not follows_trend([p for p in falling if p[0] < t0], t0, t0 + 45 * 60, 60)  # nothing in the window
    sparse = [p for p in falling if (p[0] - t0) % 1200 == 0]  # every 20 minutes: three samples an hour
    assert not follows_trend(sparse, t0, t0 + 45 * 60, 60)
    stacked = [(t0 - 60 * h, 600 - m) for h in (30, 90) for m in range(8)] + falling[120:]  # two times only
    assert not follows_trend(stacked, t0, t0 + 45 * 60, 60)
