"""Embedded log backend: a JSON-lines file read by DuckDB in one streamed pass.

The first query of a window reads the file once, in parallel, straight into marks (counts per
service, pod, level, masked shape and period, see aggregate.py); no line is kept in memory. A second,
cheap pass numbers the few lines that are cited. Every later query of that window, for any service,
reads the marks only."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.core.errors import ToolError
from oncall.tools.clock import local_read
from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.aggregate import LEVEL_SQL, UNREADABLE, line_level, marks_sql, summarise

FIELDS = {
    # RFC 3339 text or epoch numbers (s, ms, us, ns); OpenTelemetry's timeUnixNano, Datadog's date
    # journald's export (journalctl -o json) keeps microseconds in __REALTIME_TIMESTAMP
    "ts": (
        "ts",
        "timestamp",
        "@timestamp",
        "time",
        "timeUnixNano",
        "observedTimeUnixNano",
        "date",
        "TimeGenerated",
        "__REALTIME_TIMESTAMP",
        "received_at",  # Papertrail's events (RFC 3339 with the account's offset)
    ),
    # the shippers' spellings: plain, OpenTelemetry's resource attribute, fluent-bit's Kubernetes labels,
    # Google Cloud Logging's container (and GKE's pod label)
    # (a nested path before its parent: ECS nests service.name, host.name, log.level as objects)
    "service": (
        "service.name",
        "service",
        "app",
        '"service.name"',
        'resource."service.name"',
        'kubernetes.labels."app.kubernetes.io/name"',
        "kubernetes.labels.app",
        'labels."k8s-pod/app"',
        "resource.labels.container_name",
        "ContainerAppName_s",  # Azure Log Analytics: Container Apps' console logs, AKS's ContainerLogV2
        "ContainerName",
        "fields.container_name",  # Splunk Connect for Kubernetes: HEC indexed fields
        "_SYSTEMD_UNIT",  # journald: the unit (`checkout.service`; the suffix is dropped)
        # a Loki export (logcli --output=jsonl): the stream's labels
        "labels.service_name",
        "labels.app",
        "labels.container",
        "source_name",  # Papertrail: the sender (a Heroku app, a host)
        "_service",  # GELF: additional fields start with an underscore (logback-gelf, graypy)
        "_app",
    ),
    "pod": (
        "pod",
        "fields.pod",  # before host: a Splunk event's host is the node, not the pod
        "_container_name",  # GELF from Docker's driver: host is the node; the container is the task's
        "host.name",
        "host",
        "kubernetes.pod_name",
        'resource."k8s.pod.name"',
        "resource.labels.pod_name",
        "logStream",
        "RevisionName_s",
        "PodName",
        "_HOSTNAME",  # journald: the machine, named after its service on VM estates
        "labels.pod",
    ),
    # journald's PRIORITY is the syslog number, 6 for whatever a program writes to stdout
    "level": (
        "level",
        "severity",
        "lvl",
        "severityText",
        "status",
        "log.level",
        '"log.level"',
        "PRIORITY",
        "labels.level",
        "labels.detected_level",  # Loki's own guess, when the stream has no level label
    ),
    # Cloud Logging keeps a parsed line's text in jsonPayload.message, an unparsed one in textPayload
    # (Splunk's HEC event; journald's MESSAGE)
    "message": (
        "message",
        "msg",
        "log",
        "body",
        "jsonPayload.message",
        "textPayload",
        "Log_s",
        "LogMessage",
        "event",
        "MESSAGE",
        "line",  # a Loki export's raw line
        "short_message",  # GELF (Graylog): the line; level is the syslog number (Docker: 6 stdout, 3 stderr)
    ),
    # the error detail structured loggers keep apart (pino's err, zerolog's error): appended to the message
    "error": ("err.message", "error.message", "error", "err"),
    # CloudWatch Logs: the service is only in the log group's name (/ecs/<service>, /aws/lambda/<function>)
    "group": ("logGroup",),
}


MAX_LINE_BYTES = 64 * 1024 * 1024  # a longer line is skipped and counted, not a failure of the tool
# DuckDB reads a file in parallel only while every line fits its default buffer (2 MB); a file with a
# longer line is read again on one thread with room for lines up to MAX_LINE_BYTES.
LONG_LINE_ERROR = "Maximum line size"
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


@dataclass
class _Marks:
    """One window's marks: the table, the cited lines' numbers (by hash of the raw line), unreadable lines."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    table: str = ""
    line_of: dict[int, int] = field(default_factory=dict)
    skipped: int = 0


class JsonlLogs:
    """read_logs backend over a logs.jsonl file ({"ts","service","pod","level","message",...})."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._con: Any = None  # a DuckDB connection, opened on first use
        self._long_lines = False  # set when the file holds a line too long for the parallel reader
        self._marks: dict[tuple[datetime, datetime, datetime, str | None], _Marks] = {}
        self._lock = threading.Lock()

    def stats(self, q: LogQuery) -> LogStats:
        marks = self._window(q)
        name = self.path.name

        def ref(hl: int) -> str | None:
            line = marks.line_of.get(hl)
            return None if line is None else f"{name}:{line}"

        return summarise(self._cursor(), marks.table, q, name, ref, marks.skipped)

    def _cursor(self) -> Any:
        import duckdb

        with self._lock:
            if self._con is None:
                self._con = duckdb.connect(":memory:")
                # the numbering pass counts lines in the order the reader yields them: the file's
                self._con.execute("SET preserve_insertion_order = true")
            return self._con.cursor()  # one cursor per thread: DuckDB connections are not shared

    def _window(self, q: LogQuery) -> _Marks:
        """The marks of q's periods and text, read from the file by the first query that asks; the
        others wait for that read (their own lock, so other windows are not held up)."""
        key = (q.start, q.end, q.baseline_start, q.query)
        with self._lock:
            marks = self._marks.setdefault(key, _Marks())
            n = len(self._marks)
        with local_read(), marks.lock:  # the file's one read, or waiting for it: not this call's own time
            if not marks.table:
                self._read(marks, q, f"marks{n}")
        return marks

    def _lines(self) -> str:
        """SQL: the file's raw lines, blank ones left out (their numbers are kept by the reader's order)."""
        size = f", max_line_size={MAX_LINE_BYTES}" if self._long_lines else ""
        # raw lines, no CSV parsing: \x1f never occurs unescaped in JSON
        return f"""(SELECT line FROM read_csv($path, columns={{'line': 'VARCHAR'}}, header=false, delim=E'\\x1f',
                    quote='', escape='', auto_detect=false, strict_mode=false{size}))"""

    def _parsed(self) -> str:
        """SQL: every nonblank line as (hl, ts, service, pod, level, msg); ts is NULL when the line is
        not a JSON object or has no time this reader knows."""
        # One JSON parse per line: extracting a list of paths at once is several times faster
        # than one ->> per field. Field names cover the common shippers' spellings.
        paths = [f"$.{k}" for group in FIELDS.values() for k in group]
        pick = {}
        i = 1
        for name, group in FIELDS.items():
            pick[name] = "coalesce(" + ", ".join(f"f[{i + k}]" for k in range(len(group))) + ", '')"
            i += len(group)
        # a line with no service field of its own: the last part of its log group's name
        service = f"""CASE WHEN {pick["service"]} <> '' THEN regexp_replace({pick["service"]}, '\\.service$', '')
                      ELSE regexp_extract({pick["group"]}, '([^/]+)/*$', 1) END"""
        return f"""(
            WITH p AS (
              SELECT line, CASE WHEN left(ltrim(line), 1) = '{{' AND json_valid(line)
                                THEN json_extract_string(line, {paths!r}) END AS f
              FROM {self._lines()} WHERE line IS NOT NULL AND trim(line) <> ''),
            g AS (
              SELECT hash(line) AS hl, {epoch_seconds(pick["ts"])} AS ts,
                     {service} AS service, {pick["pod"]} AS pod, {line_level(pick["message"], pick["level"])} AS lvl,
                     {truncated(with_error(pick["message"], pick["error"]))} AS msg
              FROM p)
            SELECT hl, ts, service, pod, {LEVEL_SQL} AS level, msg FROM g)"""

    def _read(self, marks: _Marks, q: LogQuery, table: str) -> None:
        import duckdb

        if not self.path.exists():
            raise ToolError(f"log file {self.path.name} not found")
        cur = self._cursor()
        while True:
            sql, params = marks_sql(self._parsed(), q)
            try:
                cur.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}", {**params, "path": str(self.path)})
                break
            except duckdb.InvalidInputException as e:
                if self._long_lines or LONG_LINE_ERROR not in str(e):
                    raise ToolError(f"{self.path.name} could not be read: {str(e)[:300]}") from None
                self._long_lines = True
        (skipped,) = cur.execute(f"SELECT coalesce(sum(n), 0) FROM {table} WHERE period = {UNREADABLE}").fetchone()
        # Number the lines a summary may cite: one sequential pass that only hashes each line.
        cur.execute(
            f"CREATE TEMP TABLE want_{table} AS SELECT DISTINCT first.hl AS h FROM {table} WHERE first IS NOT NULL"
        )
        rows = cur.execute(
            f"""SELECT h, min(line_no) FROM (
                  SELECT row_number() OVER () AS line_no, hash(line) AS h FROM {self._lines()})
                WHERE h IN (SELECT h FROM want_{table}) GROUP BY h""",
            {"path": str(self.path)},
        ).fetchall()
        cur.execute(f"DROP TABLE want_{table}")
        marks.line_of = {int(h): int(line) for h, line in rows}
        marks.skipped = int(skipped)
        marks.table = table
