"""A series' unit, as its values and its metric's name say: read_metrics compares every series in the
vocabulary's own units (a utilization as a share of its limit, a latency in seconds)."""

from __future__ import annotations

import re
import statistics
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oncall.tools.read_metrics import Series

PERCENT_ABOVE = 1.5  # a utilization whose values sit above this is kept in percent


def full_scale(signal: str, s: Series) -> float:
    """A utilization's value at its limit. A share of the limit is at most about 1 (a CPU may burst a
    little past its request); a series whose values sit above 1.5 is kept in percent, as CloudWatch's
    CPUUtilization and the exporters passing it through write it, and its limit is 100."""
    if not signal.endswith("_utilization") or not s.points:
        return 1.0
    return 100.0 if statistics.median(v for _, v in s.points) > PERCENT_ABOVE else 1.0


# A duration's unit as its metric's name spells it (Prometheus names carry their unit: `_seconds`, and where
# an exporter keeps another, `_milliseconds` or `_ms`: Istio's, Azure Monitor's response time, Lambda's)
_DURATION_UNITS = {"milliseconds": 1e-3, "millis": 1e-3, "ms": 1e-3, "microseconds": 1e-6, "micros": 1e-6, "us": 1e-6}
_MATCHERS = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"")  # label matchers, ranges, strings: not the name
_METRIC = re.compile(r"[A-Za-z_:][\w:]*")


def seconds_per_unit(signal: str, query: str) -> float:
    """What one unit of a latency's series is in seconds: 1, or what the query's metric name says it is kept
    in (a series named in milliseconds is in milliseconds). A signal not a latency is read as it is."""
    if not signal.startswith("latency"):
        return 1.0
    for name in _METRIC.findall(_MATCHERS.sub(" ", query)):
        for word in re.split(r"[_:]", name.lower()):
            if word in _DURATION_UNITS:
                return _DURATION_UNITS[word]
    return 1.0


def in_seconds(series: list[Series], k: float) -> list[Series]:
    """The series with each value times k (its unit in seconds)."""
    if k == 1.0:
        return series
    return [s.model_copy(update={"points": [(t, v * k) for t, v in s.points]}) for s in series]
