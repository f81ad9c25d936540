"""read_metrics: how did error rate, latency and saturation move?

Signals are named (error_ratio, latency_p99, ...) and mapped to a query per
service by the catalog. Backends return raw series; the analysis (baseline
before the window, peak, change point) happens here, so every backend yields
the same summary."""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal, NamedTuple, Protocol

from pydantic import BaseModel, Field

from oncall.core.errors import ToolError
from oncall.core.fmt import fmt_hm, fmt_num, fmt_time
from oncall.prompts import tool_description
from oncall.tools.read_metrics.trend import follows_trend
from oncall.tools.read_metrics.units import full_scale, in_seconds, seconds_per_unit
from oncall.tools.tool import Summary, Tool, ToolContext

# Signal vocabulary (DESIGN.md). A change smaller than the floor is noise.
FLOORS = {
    "request_rate": 0.0,
    "error_ratio": 0.01,
    "latency_p99": 0.05,
    "cpu_utilization": 0.1,
    "memory_utilization": 0.1,
    "disk_utilization": 0.05,
    "restarts": 0.5,
    "pool_utilization": 0.15,
    "replicas": 0.5,
}
UNITS = {"latency_p99": "seconds", "request_rate": "req/s", "restarts": "restarts per 5m"}


class ReadMetricsInput(BaseModel):
    """Summarise a service's signals against their baseline."""

    service: str = Field(description="service name as in the catalog")
    signals: list[str] | None = Field(None, description="signal names; default: every signal the catalog maps")
    start: datetime | None = Field(None, description="window start, RFC 3339; default: incident window")
    end: datetime | None = Field(None, description="window end, RFC 3339; default: incident window")


class UnreadableSignal(ToolError):
    """A signal's query this backend cannot read at all (PromQL given to CloudWatch, say)."""


class Series(BaseModel):
    labels: dict[str, str]
    points: list[tuple[float, float]]  # (unix seconds, value), sorted


class MetricsBackend(Protocol):
    def query_range(self, query: str, start: datetime, end: datetime, step_s: float) -> list[Series]: ...


# What a signal was compared with: "before" the hours before the window, "day" the same hours a day earlier,
# "limit" the resource's own limit (pinned there since before the baseline), "earlier" the first hour of the
# baseline (a failure signal that stepped up within it), "trend" the slope requests had been on for hours before
# the window (they fell along it: steady, trend.follows_trend)
Reference = Literal["before", "day", "limit", "earlier", "trend"]


class SignalStat(BaseModel):
    signal: str
    query: str
    labels: dict[str, str]
    baseline: float | None
    peak: float
    peak_at: datetime
    last: float
    onset: datetime | None  # start of the abnormal run that holds the peak
    direction: str | None  # "up" or "down" when anomalous
    recovered: bool = False  # abnormal in the window but back to baseline at its end
    reference: Reference = "before"
    began_before_window: bool = False
    limit: float = 1.0  # a utilization's value at its limit: 1, or 100 for one kept in percent (full_scale)
    climb_from: datetime | None = None  # a utilization that climbed to its limit: where the climb left its level
    climb_error: timedelta | None = None  # how well that is known: the standard error of where its line meets it
    samples: int
    last_at: datetime | None = None  # its last sample in the window
    line: int | None = None  # where the summary shows it
    # the series over the window and as long again before it, as SHAPE_POINTS bucket means (a picture's data)
    shape: list[float | None] = []
    shape_from: datetime | None = None
    shape_to: datetime | None = None

    @property
    def anomalous(self) -> bool:
        return self.onset is not None

    @property
    def rise(self) -> float | None:
        """How many times its baseline the peak is (None without a baseline)."""
        return self.peak / self.baseline if self.baseline else None

    def mean_between(self, start: datetime, end: datetime) -> float | None:
        """Its mean over the picture's buckets that lie wholly within [start, end] (None: no such bucket)."""
        if not self.shape or self.shape_from is None or self.shape_to is None:
            return None
        step = (self.shape_to - self.shape_from) / len(self.shape)
        inside = [
            v
            for i, v in enumerate(self.shape)
            if v is not None and start <= self.shape_from + i * step and self.shape_from + (i + 1) * step <= end
        ]
        return sum(inside) / len(inside) if inside else None


class MetricStats(BaseModel):
    service: str
    start: datetime
    end: datetime
    baseline_start: datetime
    signals: list[SignalStat]
    missing: list[str]  # signals asked for that returned no data
    quiet_line: int | None = None  # where the summary says which signals stopped before the window's end

    def last_sample(self) -> datetime | None:
        """When the service last reported anything in the window."""
        return max((s.last_at for s in self.signals if s.last_at), default=None)


def run(ctx: ToolContext, args: ReadMetricsInput) -> Summary:
    start, end, baseline_start = ctx.window.asked(args.start, args.end)
    catalog_signals: dict[str, str] = dict(ctx.catalog.signals)
    names = args.signals or list(catalog_signals)
    if ctx.alarm and ctx.alarm[0] == args.service and getattr(ctx.backends.metrics, "reads_alarms", False):
        catalog_signals[ALARM_SIGNAL] = ctx.alarm[1]  # what the alarm itself watched
        names = names if args.signals else [*names, ALARM_SIGNAL]
    unknown = [n for n in names if n not in catalog_signals]
    if unknown:
        raise ToolError(f"unknown signal(s) {', '.join(unknown)}; known: {', '.join(catalog_signals) or 'none'}")
    # Roughly 120 points whatever the span, so a long window does not flood the backend.
    step = max(15.0, (end - baseline_start).total_seconds() / 600)
    stats: list[SignalStat] = []
    missing: list[str] = []
    for name in names:
        query = catalog_signals[name].replace("{service}", args.service)
        unit = seconds_per_unit(name, query)  # a latency kept in milliseconds is read in seconds
        try:
            series = in_seconds(ctx.backends.metrics.query_range(query, baseline_start, end, step), unit)
        except UnreadableSignal as e:  # this signal only: the others are still read
            missing.append(f"{name} ({e})")
            continue
        found = [s for s in series if s.points]
        # a series with no sample in the window says nothing about now: its last earlier value is not "now"
        current = [s for s in found if any(start.timestamp() <= p[0] <= end.timestamp() for p in s.points)]
        if not found:
            missing.append(name)
        elif not current:
            last = max(p[0] for s in found for p in s.points)
            missing.append(f"{name} (no sample in the window; the last is from {fmt_time(_dt(last))})")
        got = [at_the_limit(analyse(name, query, s, baseline_start, start, end), s, baseline_start) for s in current]
        if any(not st.anomalous for st in got):
            # steady against the hours before may mean it was already broken then: ask a day earlier, and
            # where there is no day earlier to ask, look within those hours for a step that stayed
            day = in_seconds(ctx.backends.metrics.query_range(query, baseline_start - DAY, end - DAY, step), unit)
            for i, (st, s) in enumerate(zip(got, current, strict=True)):
                if not st.anomalous:
                    twin = _twin(s, day)
                    checked = (
                        against_day_before(st, s, twin, baseline_start, start, end)
                        if twin
                        else stepped_before_window(st, s, baseline_start, start, end)
                    )
                    got[i] = checked or st
        stats.extend(got)
    data = MetricStats(
        service=args.service,
        start=start,
        end=end,
        baseline_start=baseline_start,
        signals=stats,
        missing=missing,
    )
    return Summary(summarise(data), data)


ALARM_SIGNAL = "alarm_metric"
RECENT = 3600.0  # the reference level is the last hour before the window: daily traffic moves slowly


SATURATED = 0.9  # a utilization at this share of its limit or above is saturated


def analyse(signal: str, query: str, s: Series, baseline_start: datetime, start: datetime, end: datetime) -> SignalStat:
    """Baseline, peak and change point of one series.

    The reference is the level just before the window, so a daily traffic curve is not an
    anomaly; noise is measured on successive differences of the whole baseline, which a
    slow trend barely moves. A utilization reaching 0.9 of its limit from well below is abnormal
    however slowly it got there (a leak, a filling disk)."""
    t_base, t0, t1 = baseline_start.timestamp(), start.timestamp(), end.timestamp()
    limit = full_scale(signal, s)
    base = [(t, v) for t, v in s.points if t_base <= t < t0]
    window = [(t, v) for t, v in s.points if t0 <= t <= t1]
    if not window:
        window = [p for p in s.points if p[0] <= t1][-1:] or s.points[-1:]
    recent = [v for t, v in base if t >= t0 - RECENT]
    values = [v for _, v in base]
    if len(recent) >= 3:
        ref = statistics.median(recent)
    elif len(values) >= 3:
        ref = statistics.median(values)
    else:
        ref = statistics.median(v for _, v in window[: max(1, len(window) // 5)])
    threshold = _threshold(signal, ref, values, limit)
    peak_t, peak_v = max(window, key=lambda p: abs(p[1] - ref))
    direction = "up" if peak_v >= ref else "down"
    saturated = (
        signal.endswith("_utilization")
        and peak_v >= SATURATED * limit
        and values
        and statistics.median(values) < 0.75 * limit
    )
    # ...and when the hour before the window was already part of its climb, the climb began below that hour
    climbing = saturated and ref - statistics.median(values) > threshold
    if saturated and (abs(peak_v - ref) <= threshold or climbing):
        threshold = max(FLOORS.get(signal, 0.0), 0.05) * limit
        ref = min(ref, statistics.median(values))
        # against the lower reference the highest point is the peak, and it rose (it did not fall)
        peak_t, peak_v = max(window, key=lambda p: p[1])
        direction = "up"
    onset = None
    if abs(peak_v - ref) > threshold:
        # Walk back from the peak while the series stays abnormal (one-sample gaps allowed).
        pts = [p for p in s.points if t_base <= p[0] <= peak_t]
        up = direction == "up"
        onset_t = _run_start(pts, lambda t, v: (v - ref > threshold) if up else (ref - v > threshold), peak_t, 1)
        run_in_window = [v for t, v in window if t >= onset_t]
        if len(run_in_window) >= 2 or onset_t < t0:
            onset = _dt(onset_t)
    reference: Reference = "before"
    if onset is not None and signal == "request_rate" and follows_trend(s.points, t0, t1, threshold):
        onset, reference = None, "trend"  # a fall (follows_trend asks for one) along the day's curve
    last = window[-1][1]
    recovered = onset is not None and abs(last - ref) <= threshold
    climb = None
    if saturated and onset is not None and direction == "up":
        climb = climb_began([p for p in s.points if t_base <= p[0] <= peak_t], t_base, onset.timestamp())
    return SignalStat(
        signal=signal,
        query=query,
        labels=s.labels,
        baseline=ref if values else None,
        peak=peak_v,
        peak_at=_dt(peak_t),
        last=last,
        onset=onset,
        direction=direction if onset else None,
        recovered=recovered,
        reference=reference,
        limit=limit,
        climb_from=climb.began if climb else None,
        climb_error=climb.error if climb else None,
        samples=len(s.points),
        last_at=_dt(window[-1][0]),
        shape=shape(s, t0 - (t1 - t0), t1),
        shape_from=_dt(t0 - (t1 - t0)),
        shape_to=end,
    )


CLIMB_FIT = 0.9  # how closely a climb's samples must follow a straight line for it to be drawn back
LEVEL_S = 3600.0  # the level a climb left: the series' median over the first this many seconds of the baseline
# how far below the line drawn back, as a share of its rise, the samples it passes before the onset may sit on
# average: on the line when they were climbing too (below a threshold), half its rise below for a step's level
PASSED_BELOW = 0.25


class Climb(NamedTuple):
    began: datetime  # where the line through a climb's samples, drawn back, meets the level it left
    error: timedelta  # the standard error of that meeting point: the line's own noise and the level's


def climb_began(pts: list[tuple[float, float]], t_base: float, onset_t: float) -> Climb | None:
    """Where a climb to the limit began: the straight line through its samples from the onset to the peak
    (the last of `pts`), drawn back to the level the series held at the baseline's start. A store filling at
    a steady rate left that level where the line meets it, often long before it crossed any threshold; drawn
    back hours, that point is known only as well as the line (its standard error, by the delta method). None
    when the samples are no steady climb, or when it began within the hour that sets the level."""
    climb = [(t - onset_t, v) for t, v in pts if t >= onset_t]
    start = [v for t, v in pts if t < t_base + LEVEL_S]
    # a store that reached its limit stays there: its samples at the top (the noisiest of them, the peak, may
    # come late) are not the climb, and would bend its line flatter, so drawn back too far
    climb = climb[: _top_reached(climb)]
    if len(climb) < 5 or len(start) < 3 or len({v for _, v in climb}) < 2:
        return None
    xs, ys = [t for t, _ in climb], [v for _, v in climb]
    if len(set(xs)) < 2 or statistics.correlation(xs, ys) < CLIMB_FIT:
        return None
    slope, intercept = statistics.linear_regression(xs, ys)
    level = statistics.median(start)
    if slope <= 0:
        return None
    began = onset_t + (level - intercept) / slope
    if began < t_base + LEVEL_S:
        return None
    # a climb drawn back runs through the samples it passes on the way, which rose along it below the
    # threshold; a step's samples after it (a wobble at the top) draw a line back over the old level's
    passed = [v - (intercept + slope * (t - onset_t)) for t, v in pts if began < t < onset_t]
    rise = intercept + slope * xs[-1] - level
    if len(passed) >= 3 and statistics.fmean(passed) < -PASSED_BELOW * rise:
        return None
    return Climb(_dt(min(began, onset_t)), timedelta(seconds=_met_error(xs, ys, slope, intercept, level, start)))


def _met_error(
    xs: list[float], ys: list[float], slope: float, intercept: float, level: float, start: list[float]
) -> float:
    """The standard error, in seconds, of where the line (slope, intercept) through (xs, ys) meets `level`, the
    median of `start`: the fit's residual noise at that distance from its samples' middle, and the median's own."""
    n, mid = len(xs), statistics.fmean(xs)
    noise = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True)) / max(1, n - 2)
    met = (level - intercept) / slope
    spread = sum((x - mid) ** 2 for x in xs)
    # a median of k samples varies as their mean would with pi/2 the variance
    level_var = statistics.variance(start) / len(start) * math.pi / 2
    return math.sqrt((noise * (1 / n + (met - mid) ** 2 / spread) + level_var) / slope**2)


def _top_reached(pts: list[tuple[float, float]]) -> int:
    """How many of `pts` climb before the rest hold the level it reached: the bend of a line that rises and
    then runs flat, joined, placed where it leaves the least squared error (all of them when it is no bend).
    Each bend's fit is the straight line through (min(x, bend), y), its sums kept running: one pass."""
    n = len(pts)
    ys = [v for _, v in pts]
    sy, syy = sum(ys), sum(y * y for y in ys)
    below_x = below_xx = below_xy = 0.0  # sums over the points up to the bend
    above_y = sy  # the sum of y over the points after it
    best, cut = math.inf, n
    for k, (xk, yk) in enumerate(pts, start=1):
        below_x, below_xx, below_xy, above_y = below_x + xk, below_xx + xk * xk, below_xy + xk * yk, above_y - yk
        if k < 5:
            continue
        sz, szz, szy = below_x + (n - k) * xk, below_xx + (n - k) * xk * xk, below_xy + xk * above_y
        var_z, cov = szz - sz * sz / n, szy - sz * sy / n
        if var_z <= 0:
            continue
        sse = (syy - sy * sy / n) - cov * cov / var_z
        if sse < best:
            best, cut = sse, k
    return cut


def _threshold(signal: str, ref: float, values: list[float], limit: float = 1.0) -> float:
    """How far from `ref` is abnormal: three times the noise (measured on successive differences of
    `values`, which a slow trend barely moves), three tenths of the reference, or the signal's floor
    (in the series' own scale: `limit`, 100 for a utilization kept in percent, else 1)."""
    diffs = [abs(b - a) for a, b in itertools.pairwise(values)]
    spread = 1.4826 * statistics.median(diffs) / 1.41 if len(diffs) >= 3 else 0.0
    return max(3 * spread, 0.3 * abs(ref), FLOORS.get(signal, 0.0) * limit, 1e-9)


def _run_start(
    pts: list[tuple[float, float]], abnormal: Callable[[float, float], bool], last: float, gaps: int
) -> float:
    """Where the abnormal run ending at `last` began, walking back over `pts` (oldest first) with up to
    `gaps` normal samples in a row allowed inside it."""
    onset_t, gap = last, 0
    for t, v in reversed(pts):
        if abnormal(t, v):
            onset_t, gap = t, 0
        else:
            gap += 1
            if gap > gaps:
                break
    return onset_t


SHAPE_POINTS = 30


def shape(s: Series, t0: float, t1: float) -> list[float | None]:
    """The series' mean in each of SHAPE_POINTS equal slices of [t0, t1]; None where it has no sample."""
    width = max(1e-9, (t1 - t0) / SHAPE_POINTS)
    sums = [0.0] * SHAPE_POINTS
    counts = [0] * SHAPE_POINTS
    for t, v in s.points:
        if t0 <= t <= t1:
            i = min(SHAPE_POINTS - 1, int((t - t0) / width))
            sums[i] += v
            counts[i] += 1
    return [sums[i] / counts[i] if counts[i] else None for i in range(SHAPE_POINTS)]


def describe(st: SignalStat, common: frozenset[tuple[str, str]] = frozenset()) -> str:
    """One citable line per series; labels shared by every series are left out."""
    unit = f" ({UNITS[st.signal]})" if st.signal in UNITS else ""
    where = _where(st, common)
    base = f"baseline {fmt_num(st.baseline)}" if st.baseline is not None else "no baseline"
    if not st.anomalous and st.reference == "trend":
        return (
            f"{st.signal}{unit}{where}: fell from {base} to {fmt_num(st.last)} along the slope it had been on for "
            "the hours before the window (the day's curve, not a step)"
        )
    if not st.anomalous:
        return f"{st.signal}{unit}{where}: steady, {base}, peak {fmt_num(st.peak)} at {fmt_hm(st.peak_at)}"
    verb = "rose" if st.direction == "up" else "fell"
    if st.reference == "limit":
        assert st.onset is not None
        return (
            f"{st.signal}{unit}{where}: at its limit, {fmt_num(st.last)} now, peak {fmt_num(st.peak)} at "
            f"{fmt_hm(st.peak_at)}; at or above {fmt_num(SATURATED * st.limit)} since {fmt_hm(st.onset)} "
            "(saturated, though steady)"
        )
    if st.reference == "earlier":
        assert st.onset is not None and st.baseline is not None
        return (
            f"{st.signal}{unit}{where}: {fmt_num(st.last)} now against {fmt_num(st.baseline)} early in the hours "
            f"before the window, peak {fmt_num(st.peak)} at {fmt_hm(st.peak_at)}; stepped up at "
            f"{fmt_hm(st.onset)} and stayed" + (", before the window opened" if st.began_before_window else "")
        )
    if st.reference == "day":
        assert st.onset is not None and st.baseline is not None
        return (
            f"{st.signal}{unit}{where}: {fmt_num(st.last)} now against {fmt_num(st.baseline)} at this time a day "
            f"earlier, peak {fmt_num(st.peak)} at {fmt_hm(st.peak_at)}; abnormal from {fmt_hm(st.onset)}"
            + (", before the window opened (steady against the hours before it)" if st.began_before_window else "")
        )
    ratio = ""
    if st.rise and st.direction == "up" and st.rise >= 2:
        ratio = f" ({fmt_num(st.rise)}x baseline)"
    assert st.onset is not None
    state = "back to baseline by the end" if st.recovered else f"now {fmt_num(st.last)}"
    return (
        f"{st.signal}{unit}{where}: {verb} from {base} to {fmt_num(st.peak)} at {fmt_hm(st.peak_at)}{ratio}, "
        f"abnormal from {fmt_hm(st.onset)}, {state}"
    )


DAY = timedelta(days=1)
LIMIT = 0.95  # a utilization this close to its limit is saturated, however long it has been there


def at_the_limit(st: SignalStat, s: Series, baseline_start: datetime) -> SignalStat:
    """A resource pinned at its limit is saturated even when it got there before the baseline began
    (a cache that filled hours ago): steady is not healthy at 99 %."""
    if st.anomalous or not st.signal.endswith("_utilization"):
        return st
    window = [v for t, v in s.points if t >= st.peak_at.timestamp() - 1800]
    if not window or statistics.median(window) < LIMIT * st.limit:
        return st
    onset_t = st.peak_at.timestamp()
    for t, v in reversed([p for p in s.points if baseline_start.timestamp() <= p[0] <= onset_t]):
        if v < SATURATED * st.limit:
            break
        onset_t = t
    return st.model_copy(update={"onset": _dt(onset_t), "direction": "up", "reference": "limit"})


def _twin(s: Series, day: list[Series]) -> Series | None:
    """The same series a day earlier, when there is enough of it to compare with."""
    twin = next((d for d in day if d.labels == s.labels), day[0] if len(day) == 1 else None)
    return twin if twin is not None and len(twin.points) >= 10 else None


def against_day_before(
    st: SignalStat, s: Series, twin: Series, baseline_start: datetime, start: datetime, end: datetime
) -> SignalStat | None:
    """An incident already under way when the baseline began looks steady against it. Compared
    with the same hours a day earlier, such a signal is abnormal; its onset is where today's
    values last agreed with yesterday's."""
    ref_pts = [(t + DAY.total_seconds(), v) for t, v in twin.points]
    t0, t1 = start.timestamp(), end.timestamp()
    ref_window = [v for t, v in ref_pts if t0 <= t <= t1]
    now = [v for t, v in s.points if t0 <= t <= t1]
    if len(ref_window) < 3 or len(now) < 3:
        return None
    ref = statistics.median(ref_window)
    threshold = _threshold(st.signal, ref, [v for _, v in ref_pts], st.limit)
    level = statistics.median(now)
    if abs(level - ref) <= threshold:
        return None
    up = level > ref
    times = [t for t, _ in ref_pts]

    def yesterday(t: float) -> float:
        i = min(bisect.bisect_left(times, t), len(times) - 1)
        return ref_pts[i][1]

    def abnormal(t: float, v: float) -> bool:
        r = yesterday(t)
        return (v - r > threshold) if up else (r - v > threshold)

    pts = [p for p in s.points if baseline_start.timestamp() <= p[0] <= t1]
    onset_t = _run_start(pts, abnormal, pts[-1][0], 2)
    window = [(t, v) for t, v in s.points if t0 <= t <= t1]
    peak_t, peak_v = max(window, key=lambda p: abs(p[1] - ref))
    return st.model_copy(
        update={
            "baseline": ref,
            "peak": peak_v,
            "peak_at": _dt(peak_t),
            "onset": _dt(onset_t),
            "direction": "up" if up else "down",
            "recovered": False,
            "reference": "day",
            "began_before_window": onset_t < t0,
        }
    )


# Signals of failure, which do not follow the day's curve as traffic (and what moves with it) does
FAILURES = ("error_ratio", "restarts")
EARLY = 3600.0  # the first hour of the baseline: what the signal was before any step within it


def stepped_before_window(
    st: SignalStat, s: Series, baseline_start: datetime, start: datetime, end: datetime
) -> SignalStat | None:
    """Errors or restarts that stepped up within the hours before the window and stayed up are an incident
    under way since the step, not a new normal: failures do not follow the day's curve. Asked only when no
    day earlier can be; the reference is the baseline's first hour, the onset where the run above it began."""
    if st.signal not in FAILURES:
        return None
    t_base, t0, t1 = baseline_start.timestamp(), start.timestamp(), end.timestamp()
    early = [v for t, v in s.points if t_base <= t < t_base + EARLY]
    window = [(t, v) for t, v in s.points if t0 <= t <= t1]
    if len(early) < 3 or len(window) < 3:
        return None
    ref = statistics.median(early)
    threshold = _threshold(st.signal, ref, early, st.limit)
    if statistics.median(v for _, v in window) - ref <= threshold:
        return None
    pts = [p for p in s.points if t_base <= p[0] <= t1]
    onset_t = _run_start(pts, lambda t, v: v - ref > threshold, pts[-1][0], 2)
    peak_t, peak_v = max(window, key=lambda p: p[1])
    return st.model_copy(
        update={
            "baseline": ref,
            "peak": peak_v,
            "peak_at": _dt(peak_t),
            "onset": _dt(onset_t),
            "direction": "up",
            "recovered": False,
            "reference": "earlier",
            "began_before_window": onset_t < t0,
        }
    )


def summarise(m: MetricStats) -> str:
    """Abnormal series a line each, earliest first; steady ones together on one line."""
    lines = [
        f"metrics of {m.service}, window {m.start:%Y-%m-%d} {fmt_hm(m.start)} to {fmt_time(m.end)}, "
        f"baseline from {fmt_time(m.baseline_start)} (times UTC)"
    ]
    common = common_labels(m.signals)
    for s in sorted((s for s in m.signals if s.anomalous), key=lambda s: (s.onset, s.signal)):
        s.line = len(lines) + 1
        lines.append(describe(s, common))
    for s in (s for s in m.signals if not s.anomalous and s.reference == "trend"):
        s.line = len(lines) + 1
        lines.append(describe(s, common))
    steady = sorted((s for s in m.signals if not s.anomalous and s.reference != "trend"), key=lambda s: s.signal)
    if steady:
        for s in steady:
            s.line = len(lines) + 1
        lines.append(
            "steady (baseline, peak): "
            + "; ".join(
                f"{s.signal}{_where(s, common)} {fmt_num(s.baseline) if s.baseline is not None else '?'}, "
                f"{fmt_num(s.peak)}"
                for s in steady
            )
        )
    ended = {s.signal: s.last_at for s in m.signals if s.last_at and s.last_at < m.end - QUIET}
    if ended:
        m.quiet_line = len(lines) + 1
        lines.append(
            f"no samples after {fmt_time(max(ended.values()))} (the window runs to {fmt_time(m.end)}): "
            + ", ".join(sorted(ended))
        )
    if m.missing:
        lines.append(f"no data for: {', '.join(m.missing)}")
    return "\n".join(lines)


QUIET = timedelta(minutes=5)  # a signal silent this long before the window's end stopped reporting


def _where(st: SignalStat, common: frozenset[tuple[str, str]]) -> str:
    extra = {k: v for k, v in st.labels.items() if k not in ("service", "__name__") and (k, v) not in common}
    return " " + ",".join(f"{k}={v}" for k, v in sorted(extra.items())) if extra else ""


def common_labels(stats: list[SignalStat]) -> frozenset[tuple[str, str]]:
    if not stats:
        return frozenset()
    shared = set(stats[0].labels.items())
    for s in stats[1:]:
        shared &= set(s.labels.items())
    return frozenset(shared)


def _dt(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


TOOL = Tool("read_metrics", ReadMetricsInput, run, tool_description("read_metrics"))
