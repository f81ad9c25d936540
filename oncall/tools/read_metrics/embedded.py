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


# One sample line: name, optional label set (quoted values may hold braces, spaces and escapes),
# value, optional timestamp; an exemplar (" # {...}") may follow and is not needed here.
_SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?[ \t]+(\S+)(?:[ \t]+([^#\s]\S*))?')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
_ESCAPE = re.compile(r"\\(.)")
Key = tuple[str, str]  # (metric name, its label set as written)


def _labels(text: str) -> dict[str, str]:
    inner = text[1:-1] if text else ""
    out, pos = {}, 0
    while pos < len(inner.strip()):
        m = _LABEL.match(inner, pos)
        if not m:
            raise ValueError(f"cannot parse labels {text!r}")
        out[m.group(1)] = _ESCAPE.sub(
            lambda e: {"n": "\n", "\\": "\\", '"': '"'}.get(e.group(1), e.group(0)), m.group(2)
        )
        pos = m.end()
    return out


class OpenMetricsFile:
    """read_metrics backend over metrics.om.

    Only the series a query selects are parsed: the file is read once into raw sample lines grouped
    by series (a regular expression per line, no float conversion), and a series' labels and points
    are decoded the first time a query matches its name. A file the fast reader cannot follow is
    parsed whole by prometheus_client instead, so odd but valid files read the same."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._raw: dict[str, dict[str, list[tuple[str, str | None]]]] | None = None
        self._decoded: dict[Key, Series] = {}
        self._lock = threading.Lock()

    def _load(self) -> dict[str, dict[str, list[tuple[str, str | None]]]]:
        with self._lock:
            if self._raw is not None:
                return self._raw
            if not self.path.exists():
                raise ToolError(f"metrics file {self.path.name} not found")
            text = self.path.read_text(encoding="utf-8")
            raw: dict[str, dict[str, list[tuple[str, str | None]]]] = {}
            for line in text.splitlines():
                if not line or line[0] == "#":
                    continue
                m = _SAMPLE.match(line)
                if m is None:
                    self._raw = self._parse_whole(text)
                    return self._raw
                raw.setdefault(m.group(1), {}).setdefault(m.group(2) or "", []).append((m.group(3), m.group(4)))
            self._raw = raw
            return raw

    def _parse_whole(self, text: str) -> dict[str, dict[str, list[tuple[str, str | None]]]]:
        """prometheus_client's parser, for what the fast reader does not follow (and its errors)."""
        from prometheus_client.openmetrics.parser import text_string_to_metric_families

        raw: dict[str, dict[str, list[tuple[str, str | None]]]] = {}
        try:
            for family in text_string_to_metric_families(text):
                for s in family.samples:
                    if s.timestamp is None:
                        continue
                    labels = "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(s.labels.items())) + "}"
                    ts = float(s.timestamp.sec) + s.timestamp.nsec / 1e9
                    raw.setdefault(s.name, {}).setdefault(labels, []).append((repr(float(s.value)), repr(ts)))
        except ValueError as e:
            raise ToolError(f"{self.path.name} is not valid OpenMetrics: {e}") from e
        return raw

    def _series(self, name: str, labels: str, rows: list[tuple[str, str | None]]) -> Series:
        key = (name, labels)
        got = self._decoded.get(key)
        if got is None:
            try:
                points = sorted((float(ts), float(v)) for v, ts in rows if ts is not None)
                got = Series(labels=_labels(labels), points=points)
            except ValueError as e:
                raise ToolError(f"{self.path.name} is not valid OpenMetrics: {e}") from e
            self._decoded[key] = got
        return got

    def query_range(self, query: str, start: datetime, end: datetime, step_s: float) -> list[Series]:
        name, matchers = parse_selector(query)
        raw = self._load()
        names = [name] if name else list(raw)
        t0, t1 = start.timestamp(), end.timestamp()
        out = []
        for n in names:
            for labels, rows in raw.get(n, {}).items():
                # cheap test first: every equality matcher's value must appear in the label text
                if any(op == "=" and val and val not in labels and _plain(val) for _, op, val in matchers):
                    continue
                s = self._series(n, labels, rows)
                if _matches(s.labels, matchers):
                    out.append(Series(labels=s.labels, points=[p for p in s.points if t0 <= p[0] <= t1]))
        return out


def _plain(value: str) -> bool:
    """A value written as itself in a label set (no escapes), so a substring test can rule it out."""
    return not any(c in value for c in '\\"\n')


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
