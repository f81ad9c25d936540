"""The day's curve: a fall in requests that carries on the slope they had been on for hours is the time of
day, not requests going missing (after lunch, after the evening peak). Falls only: a rise with the curve
that meets a limit is still load, and the analyst weighs it as such."""

from __future__ import annotations

import statistics

TREND_S = 7200.0  # how long before the window the slope must have held: a day's curve, not a recent step
TREND_POINTS = 8  # fewer samples than this in those hours (half as many in either half) say nothing of a slope


def follows_trend(points: list[tuple[float, float]], t0: float, t1: float, threshold: float) -> bool:
    """Whether the samples of [t0, t1] stay within `threshold` of the straight line fitted to the TREND_S
    before t0, where the signal was falling, and already at least half as fast in the first half of those
    hours as in the second (a fall that began within them is an incident under way, not the day)."""
    before = [(t, v) for t, v in points if t0 - TREND_S <= t < t0]
    window = [(t, v) for t, v in points if t0 <= t <= t1]
    line = _fit(before, t0)
    first = _fit([p for p in before if p[0] < t0 - TREND_S / 2], t0)
    second = _fit([p for p in before if p[0] >= t0 - TREND_S / 2], t0)
    if line is None or first is None or second is None or not first.slope <= second.slope / 2 < 0:
        return False
    return bool(window) and all(abs(v - (line.intercept + line.slope * (t - t0))) <= threshold for t, v in window)


def _fit(points: list[tuple[float, float]], t0: float) -> statistics.LinearRegression | None:
    """The least-squares line through `points`, its time counted from `t0`; None for too few to say."""
    if len(points) < TREND_POINTS // 2:
        return None
    try:
        return statistics.linear_regression([t - t0 for t, _ in points], [v for _, v in points])
    except statistics.StatisticsError:  # every sample at one time: no slope to speak of
        return None
