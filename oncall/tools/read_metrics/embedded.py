"""Embedded metrics backend: an OpenMetrics text file (the same file that
backfills a real Prometheus), parsed with prometheus_client and evaluated for
plain selectors: a metric name with label matchers."""

from __future__ import annotations

import re
import threading
from datetime import datetime
from pathlib import Path

from oncall.core.errors import ToolError
from oncall.tools.read_metrics import Series

_SELECTOR = re.compile(r"^\s*(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(?P<m>.*)\})?\s*$")
_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')


def parse_selector(query: str) -> tuple[str | None, list[tuple[str, str, str]]]:
    m = _SELECTOR.match(query)
    if not m or not (m.group("name") or m.group("m")):
        raise ToolError(f"the embedded metrics backend evaluates plain selectors only, not {query!r}")
    matchers, rest = [], m.group("m") or ""
    pos = 0
    while pos < len(rest.strip()):
        mm = _MATCHER.match(rest, pos)
        if not mm:
            raise ToolError(f"cannot parse label matchers in {query!r}")
        matchers.append((mm.group(1), mm.group(2), bytes(mm.group(3), "utf-8").decode("unicode_escape")))
        pos = mm.end()
    return m.group("name"), matchers


def _matches(labels: dict[str, str], matchers: list[tuple[str, str, str]]) -> bool:
    for key, op, val in matchers:
        have = labels.get(key, "")
        ok = {"=": have == val, "!=": have != val}.get(op)
        if ok is None:
            ok = bool(re.fullmatch(val, have)) == (op == "=~")
        if not ok:
            return False
    return True


class OpenMetricsFile:
    """read_metrics backend over metrics.om."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._series: dict[str, list[Series]] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, list[Series]]:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families

        with self._lock:
            if self._series is not None:
                return self._series
            if not self.path.exists():
                raise ToolError(f"metrics file {self.path.name} not found")
            by_key: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]] = {}
            try:
                for family in text_string_to_metric_families(self.path.read_text(encoding="utf-8")):
                    for s in family.samples:
                        if s.timestamp is None:
                            continue
                        key = (s.name, tuple(sorted(s.labels.items())))
                        ts = float(s.timestamp.sec) + s.timestamp.nsec / 1e9
                        by_key.setdefault(key, []).append((ts, float(s.value)))
            except ValueError as e:
                raise ToolError(f"{self.path.name} is not valid OpenMetrics: {e}") from e
            series: dict[str, list[Series]] = {}
            for (name, labels), points in by_key.items():
                series.setdefault(name, []).append(Series(labels=dict(labels), points=sorted(points)))
            self._series = series
            return series

    def query_range(self, query: str, start: datetime, end: datetime, step_s: float) -> list[Series]:
        name, matchers = parse_selector(query)
        all_series = self._load()
        candidates = all_series.get(name, []) if name else [s for v in all_series.values() for s in v]
        t0, t1 = start.timestamp(), end.timestamp()
        out = []
        for s in candidates:
            if _matches(s.labels, matchers):
                pts = [p for p in s.points if t0 <= p[0] <= t1]
                out.append(Series(labels=s.labels, points=pts))
        return out
