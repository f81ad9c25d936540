"""Embedded log backend: a JSON-lines file queried with DuckDB.

The file is loaded once per process into an in-memory table (line numbers kept,
invalid lines counted); each query aggregates in SQL and mines templates from
the distinct masked messages only."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from oncall.core.errors import ToolError
from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.aggregate import LEVEL_SQL, aggregate

FIELDS = {
    # RFC 3339 text or epoch numbers (s, ms, us, ns); OpenTelemetry's timeUnixNano, Datadog's date
    "ts": ("ts", "timestamp", "@timestamp", "time", "timeUnixNano", "observedTimeUnixNano", "date"),
    # the shippers' spellings: plain, OpenTelemetry's resource attribute, fluent-bit's Kubernetes labels
    "service": (
        "service",
        "app",
        '"service.name"',
        'resource."service.name"',
        'kubernetes.labels."app.kubernetes.io/name"',
        "kubernetes.labels.app",
    ),
    "pod": ("pod", "host", "kubernetes.pod_name", 'resource."k8s.pod.name"'),
    "level": ("level", "severity", "lvl", "severityText", "status", "log.level"),
    "message": ("message", "msg", "log", "body"),
    # the error detail structured loggers keep apart (pino's err, zerolog's error): appended to the message
    "error": ("err.message", "error.message", "error", "err"),
}


MAX_LINE_BYTES = 64 * 1024 * 1024  # a longer line is skipped and counted, not a failure of the tool
MAX_MESSAGE = 16384  # a message longer than this is cut, with a marker saying how much


def epoch_seconds(value: str) -> str:
    """SQL: seconds since the epoch from RFC 3339 text, or from an epoch number in seconds,
    milliseconds, microseconds or nanoseconds (told apart by its number of digits)."""
    return (
        f"CASE WHEN regexp_full_match({value}, '\\d{{10,19}}(\\.\\d+)?') THEN "
        f"TRY_CAST({value} AS DOUBLE) / CASE WHEN length(split_part({value}, '.', 1)) >= 18 THEN 1e9 "
        f"WHEN length(split_part({value}, '.', 1)) >= 15 THEN 1e6 WHEN length(split_part({value}, '.', 1)) >= 12 "
        f"THEN 1e3 ELSE 1 END ELSE epoch(TRY_CAST(nullif({value}, '') AS TIMESTAMPTZ)) END"
    )


def with_error(message: str, error: str) -> str:
    """SQL: the message, then `: <error>` when a structured error field holds more than the message says."""
    return (
        f"CASE WHEN {error} <> '' AND NOT contains({message}, {error}) "
        f"THEN {message} || ': ' || {error} ELSE {message} END"
    )


def truncated(expr: str) -> str:
    """SQL: the message, cut at MAX_MESSAGE characters with a marker (a megabyte line is kept, not quoted whole)."""
    return (
        f"CASE WHEN length({expr}) > {MAX_MESSAGE} THEN left({expr}, {MAX_MESSAGE}) || ' …[truncated: ' || "
        f"(length({expr}) - {MAX_MESSAGE}) || ' more characters]' ELSE {expr} END"
    )


class JsonlLogs:
    """read_logs backend over a logs.jsonl file ({"ts","service","pod","level","message",...})."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._con: Any = None  # a DuckDB connection, opened on first use
        self._skipped = 0
        self._lock = threading.Lock()

    def _connection(self) -> Any:
        with self._lock:
            if self._con is None:
                self._con = self._load()
            return self._con.cursor()  # one cursor per thread: DuckDB connections are not shared

    def _load(self) -> Any:
        import duckdb

        if not self.path.exists():
            raise ToolError(f"log file {self.path.name} not found")
        con = duckdb.connect(":memory:")
        con.execute("SET preserve_insertion_order = true")
        # Read raw lines (no CSV parsing: \x1f never occurs unescaped in JSON) so that
        # rowid is the line number and a bad line can be counted instead of failing the load.
        con.execute(
            f"""
            CREATE TABLE raw AS SELECT line FROM read_csv(?, columns={{'line': 'VARCHAR'}}, header=false,
                delim=E'\\x1f', quote='', escape='', auto_detect=false, strict_mode=false,
                max_line_size={MAX_LINE_BYTES})""",
            [str(self.path)],
        )
        # One JSON parse per line: extracting a list of paths at once is several times faster
        # than one ->> per field. Field names cover the common shippers' spellings.
        paths = [f"$.{k}" for group in FIELDS.values() for k in group]
        pick = {}
        i = 1
        for name, group in FIELDS.items():
            pick[name] = "coalesce(" + ", ".join(f"f[{i + k}]" for k in range(len(group))) + ", '')"
            i += len(group)
        con.execute(f"""
            CREATE TABLE logs AS
            WITH p AS (
              SELECT rowid + 1 AS line_no, json_extract_string(line, {paths!r}) AS f FROM raw
              WHERE line IS NOT NULL AND left(ltrim(line), 1) = '{{' AND json_valid(line)),
            f AS (
              SELECT line_no, {epoch_seconds(pick["ts"])} AS ts,
                     {pick["service"]} AS service, {pick["pod"]} AS pod, upper({pick["level"]}) AS lvl,
                     {truncated(with_error(pick["message"], pick["error"]))} AS msg
              FROM p)
            SELECT line_no, ts, service, pod, {LEVEL_SQL} AS level, msg FROM f WHERE ts IS NOT NULL""")
        nonblank = "SELECT count(*) FROM raw WHERE line IS NOT NULL AND trim(line) <> ''"
        (total,) = con.execute(nonblank).fetchone() or (0,)
        (kept,) = con.execute("SELECT count(*) FROM logs").fetchone() or (0,)
        self._skipped = int(total) - int(kept)
        con.execute("DROP TABLE raw")
        return con

    def stats(self, q: LogQuery) -> LogStats:
        name = self.path.name
        return aggregate(self._connection(), q, name, lambda line_no: f"{name}:{line_no}", self._skipped)
