"""Embedded metrics backend: an OpenMetrics text file (the same file that
backfills a real Prometheus), parsed with prometheus_client and evaluated for
plain selectors: a metric name with label matchers."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.core.errors import ToolError
from oncall.tools.clock import local_read
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
# a file of up to this many samples has them all read at its load (about 40 ms for 100,000); a larger one's
# are read a query's series at a time
HELD_SAMPLES = 100_000


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

    DuckDB reads the file once, in parallel, splitting each sample line into name, label set (as
    written), value and timestamp with the expression above; no float is made and no label set is
    decoded until a query selects its series, so a file of a thousand services costs a scan, not a
    parse. A file it cannot follow is parsed whole by prometheus_client instead, so odd but valid
    files read the same."""

    def __init__(self, path: Path, cache: Path | None = None):
        self.path = Path(path)
        self.cache = cache  # a folder for the index of this file (by path, size and time), reused by later runs
        self._con: Any = None
        # every series' raw rows by name and label set: the fallback's parse, or a small file's samples read at its
        # load (a bundle's few services: not a query per series, whose overhead was most of their read)
        self._raw: dict[str, dict[str, list[tuple[str, str | None]]]] | None = None
        self._decoded: dict[Key, Series] = {}
        # of a larger file, every series' (id, label set) by name, read once: a query filters them in Python and
        # reads only its series' samples
        self._by_name: dict[str, list[tuple[int, str]]] = {}
        self._lock = threading.Lock()

    def _load(self) -> None:
        import duckdb

        with local_read(), self._lock:  # the file's one read (or waiting for it): not the call's own time
            if self._con is not None or self._raw is not None:
                return
            if not self.path.exists():
                raise ToolError(f"metrics file {self.path.name} not found")
            index = self._index_file()
            if index is not None and index.exists():
                try:
                    self._indexed(duckdb.connect(str(index), read_only=True))
                    return
                except duckdb.Error:
                    pass  # a damaged index is built again
            con = duckdb.connect(":memory:")
            lines = """read_csv(?, columns={'line': 'VARCHAR'}, header=false, delim=E'\\x1f', quote='', escape='',
                       auto_detect=false, strict_mode=false, max_line_size=16777216)"""
            con.execute(
                f"""CREATE TEMP TABLE raw AS SELECT m['n'] AS name, m['l'] AS labels, m['v'] AS v, m['t'] AS t FROM (
                      SELECT regexp_extract(line, ?, ['n', 'l', 'v', 't']) AS m FROM {lines}
                      WHERE line IS NOT NULL AND line <> '' AND left(line, 1) <> '#')""",
                [_SAMPLE.pattern, str(self.path)],
            )
            # series apart from samples, samples ordered by series: a query filters a few thousand
            # label sets, then reads only its series' row groups
            con.execute(
                "CREATE TABLE series AS SELECT row_number() OVER (ORDER BY name, labels) AS id, name, labels "
                "FROM (SELECT DISTINCT name, labels FROM raw)"
            )
            con.execute(
                "CREATE TABLE samples AS SELECT s.id, r.v, r.t FROM raw r JOIN series s USING (name, labels) "
                "ORDER BY s.id"
            )
            (odd,) = con.execute("SELECT count(*) FROM series WHERE name = ''").fetchone() or (0,)
            con.execute("DROP TABLE raw")
            if odd:
                con.close()
                self._raw = self._parse_whole(self.path.read_text(encoding="utf-8"))
            else:
                if index is not None:
                    self._save(con, index)
                self._indexed(con)

    def _indexed(self, con: Any) -> None:
        """Read the indexed file's series: a small file's with all their samples (then the index is done with), a
        larger one's names and label sets."""
        (n,) = con.execute("SELECT count(*) FROM samples").fetchone() or (0,)
        if n <= HELD_SAMPLES:
            raw: dict[str, dict[str, list[tuple[str, str | None]]]] = {}
            got = con.execute(
                "SELECT name, labels, list(v), list(t) FROM samples JOIN series USING (id) GROUP BY ALL"
            ).fetchall()
            for name, labels, vs, ts in got:
                raw.setdefault(name, {})[labels or ""] = list(zip(vs, ts, strict=True))
            con.close()
            self._raw = raw
            return
        for i, name, labels in con.execute("SELECT id, name, labels FROM series ORDER BY id").fetchall():
            self._by_name.setdefault(name, []).append((int(i), labels or ""))
        self._con = con

    def _index_file(self) -> Path | None:
        if self.cache is None:
            return None
        st = self.path.stat()
        key = hashlib.sha256(f"{self.path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:24]
        return self.cache / f"{key}.duckdb"

    @staticmethod
    def _save(con: Any, index: Path) -> None:
        """Written under a temporary name and renamed: a reader never opens a half-written index."""
        try:
            index.parent.mkdir(parents=True, exist_ok=True)
            tmp = index.with_suffix(f".{os.getpid()}.tmp")
            con.execute("ATTACH ? AS idx", [str(tmp)])
            con.execute("CREATE TABLE idx.series AS SELECT * FROM series")
            con.execute("CREATE TABLE idx.samples AS SELECT * FROM samples")
            con.execute("DETACH idx")
            os.replace(tmp, index)
        except Exception:  # a cache that cannot be written costs the next run time, nothing else
            return

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

    def _candidates(
        self, name: str | None, matchers: list[tuple[str, str, str]]
    ) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
        """(name, label set, raw rows) of the series that may match: the name, and every plain
        equality matcher's `key="value"` written in the label set. Of a larger file, a series already
        decoded is given without its rows (_series has it)."""
        plain = [f'{k}="{v}"' for k, op, v in matchers if op == "=" and v and _plain(v)]
        if self._raw is not None:
            return [
                (n, labels, rows)
                for n, by_labels in self._raw.items()
                if name in (None, n)
                for labels, rows in by_labels.items()
                if all(p in labels for p in plain)
            ]
        names = [name] if name is not None else list(self._by_name)
        found = [
            (i, n, labels) for n in names for i, labels in self._by_name.get(n, []) if all(p in labels for p in plain)
        ]
        wanted = [i for i, n, labels in found if (n, labels) not in self._decoded]
        rows: dict[int, list[tuple[str, str | None]]] = {}
        if wanted:
            got = self._con.cursor().execute(
                "SELECT id, list(v), list(t) FROM samples WHERE id IN (SELECT unnest(?)) GROUP BY id", [wanted]
            )
            rows = {int(i): list(zip(vs, ts, strict=True)) for i, vs, ts in got.fetchall()}
        return [(n, labels, rows.get(i, [])) for i, n, labels in found]

    def _series(self, name: str, labels: str, rows: list[tuple[str, str | None]]) -> Series:
        key = (name, labels)
        got = self._decoded.get(key)
        if got is None:
            try:
                points = sorted((float(ts), float(v)) for v, ts in rows if ts)
                got = Series(labels=_labels(labels), points=points)
            except ValueError as e:
                raise ToolError(f"{self.path.name} is not valid OpenMetrics: {e}") from e
            self._decoded[key] = got
        return got

    def query_range(self, query: str, start: datetime, end: datetime, step_s: float) -> list[Series]:
        name, matchers = parse_selector(query)
        self._load()
        t0, t1 = start.timestamp(), end.timestamp()
        out = []
        for n, labels, rows in self._candidates(name, matchers):
            s = self._series(n, labels, rows)
            if _matches(s.labels, matchers):
                out.append(Series(labels=s.labels, points=[p for p in s.points if t0 <= p[0] <= t1]))
        return out


def _plain(value: str) -> bool:
    """A value written as itself in a label set (no escapes), so a substring test can rule it out."""
    return not any(c in value for c in '\\"\n')


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
