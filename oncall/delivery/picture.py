"""A picture where people would rather look than read: the key signal of the root service around the
alert, with the causal change marked. A one-line sparkline goes in every text brief; a PNG (rendered
without a display, with matplotlib's Agg backend, when the `picture` extra is installed) is attached
to the Slack thread and written by `oncall investigate --picture FILE`.

The key signal is the metric line the root cause cites first; the change is the change line it cites.
Both come from tool results, so the picture shows only what the brief already claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from oncall.core.citations import Cite
from oncall.core.fmt import fmt_hm, fmt_num
from oncall.core.redact import redact
from oncall.tools.open_pr import Picture
from oncall.tools.read_changes import ChangeList
from oncall.tools.read_metrics import MetricStats, SignalStat

if TYPE_CHECKING:
    from oncall.core.investigation import Investigation

BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class KeySignal:
    service: str
    stat: SignalStat
    cite: str  # the metric line it was read from
    change_at: datetime | None = None
    change_label: str | None = None


def key_signal(inv: Investigation) -> KeySignal | None:
    """The root cause's first cited metric, and the change it cites, if any."""
    rc = inv.diagnosis.root_cause
    by_id = {r.id: r for r in inv.results}
    found: tuple[str, SignalStat, str] | None = None
    change: tuple[datetime, str] | None = None
    for c in rc.cites:
        parsed = Cite.parse(c)
        if parsed is None:
            continue
        rid, line = parsed.result, parsed.line
        r = by_id.get(rid)
        if r is None or not r.ok:
            continue
        if isinstance(r.data, MetricStats) and found is None and line is not None:
            stat = next((s for s in r.data.signals if s.line == line and s.shape), None)
            if stat is not None:
                found = (r.data.service, stat, c)
        if isinstance(r.data, ChangeList) and change is None:
            # a whole-result citation names the root service's change; a line citation names its own
            ch = next((x for x in r.data.changes if x.line == line or (line is None and x.service == rc.service)), None)
            if ch is not None:
                change = (ch.ts, redact(f"{ch.kind} {ch.service} {ch.to or ''}".strip()))  # a picture is output too
    if found is None:
        return None
    service, stat, where = found
    return KeySignal(service, stat, where, *(change or (None, None)))


def pr_picture(inv: Investigation) -> Picture | None:
    """The key signal for the top of the PR body, or None (no metric cited, or no `picture` extra)."""
    k = key_signal(inv)
    image = png(k) if k else None
    return Picture(image, f"{k.service} {k.stat.signal}") if k and image else None


def sparkline_of(inv: Investigation) -> str:
    """The brief's sparkline line, or "" when the root cause cites no metric to draw."""
    k = key_signal(inv)
    return sparkline(k) if k else ""


def sparkline(k: KeySignal) -> str:
    """One line: the signal's shape over the window and as long before it, the change marked `|` where
    it falls in that span (or said to be earlier)."""
    values = [v for v in k.stat.shape if v is not None]
    if not values or k.stat.shape_from is None:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    top = len(BARS) - 1
    bars = [" " if v is None else BARS[min(top, int((v - lo) / span * top + 0.5))] for v in k.stat.shape]
    start = k.stat.shape_from
    end = _end(k.stat)
    note = ""
    if k.change_at is not None:
        if start <= k.change_at <= end:
            i = int((k.change_at - start) / (end - start) * len(bars))
            bars.insert(min(i, len(bars)), "|")
            note = f"; | {k.change_label} at {fmt_hm(k.change_at)}"
        else:
            note = f"; {k.change_label} at {fmt_hm(k.change_at)}, before this span"
    onset = f", abnormal from {fmt_hm(k.stat.onset)}" if k.stat.onset else ""
    return (
        f"{k.service} {k.stat.signal} {fmt_hm(start)} {''.join(bars)} {fmt_hm(end)} "
        f"(from {fmt_num(lo)} to {fmt_num(hi)}{onset}{note}) [{k.cite}]"
    )


def _end(stat: SignalStat) -> datetime:
    return stat.shape_to or stat.peak_at


def png(k: KeySignal) -> bytes | None:
    """The key signal as a PNG, or None when matplotlib is not installed (the `picture` extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: render to memory
        import matplotlib.pyplot as plt
        from matplotlib.dates import DateFormatter, date2num
    except ImportError:
        return None
    import io

    start, end = k.stat.shape_from, _end(k.stat)
    assert start is not None
    n = len(k.stat.shape)
    xs = [start + (end - start) * (i + 0.5) / n for i in range(n)]
    pts = [(x, v) for x, v in zip(xs, k.stat.shape, strict=True) if v is not None]
    fig, ax = plt.subplots(figsize=(8, 2.6), dpi=100)
    try:
        ax.plot([float(date2num(p[0])) for p in pts], [p[1] for p in pts], color="#1f77b4", linewidth=2)
        if k.stat.baseline is not None:
            ax.axhline(k.stat.baseline, color="#888888", linestyle=":", linewidth=1, label="baseline")
        if k.stat.onset is not None:
            ax.axvline(
                float(date2num(k.stat.onset)),
                color="#d62728",
                linewidth=1,
                label=f"abnormal from {fmt_hm(k.stat.onset)}",
            )
        if k.change_at is not None and start <= k.change_at <= end:
            ax.axvline(
                float(date2num(k.change_at)),
                color="#ff7f0e",
                linewidth=2,
                label=f"{k.change_label} {fmt_hm(k.change_at)}",
            )
        earlier = (
            f"; {k.change_label} at {fmt_hm(k.change_at)}, before this span"
            if k.change_at is not None and not start <= k.change_at <= end
            else ""
        )
        ax.set_title(f"{k.service} {k.stat.signal} (UTC){earlier}", fontsize=10)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        ax.xaxis.set_major_formatter(DateFormatter("%H:%M"))
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)
