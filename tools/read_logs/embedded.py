"""Embedded log backend: a JSON-lines file queried with DuckDB.

The file is loaded once per process into an in-memory table (line numbers kept,
invalid lines counted); each query aggregates in SQL and mines templates from
the distinct masked messages only."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from tools.base import ToolError
from tools.read_logs import LogQuery, LogStats, TemplateStat
from tools.read_logs.templates import MASK, MASK_RE, MAX_CHARS, Group, mine

# Level names vary by logger; unify them, and infer one from the text when absent.
_LEVEL_SQL = """
CASE
  WHEN lvl IN ('ERROR','ERR','FATAL','CRITICAL','CRIT','PANIC','EMERG','ALERT','SEVERE') THEN 'ERROR'
  WHEN lvl IN ('WARN','WARNING') THEN 'WARN'
  WHEN lvl IN ('DEBUG','TRACE') THEN 'DEBUG'
  WHEN lvl <> '' THEN 'INFO'
  WHEN regexp_matches(msg, '(?i)\\b(error|exception|fatal|panic|traceback|failed)\\b') THEN 'ERROR'
  WHEN regexp_matches(msg, '(?i)\\bwarn(ing)?\\b') THEN 'WARN'
  ELSE 'INFO' END"""


FIELDS = {
    "ts": ("ts", "timestamp", "@timestamp", "time"),
    "service": ("service", "app"),
    "pod": ("pod", "host"),
    "level": ("level", "severity", "lvl"),
    "message": ("message", "msg", "log"),
}


class JsonlLogs:
    """read_logs backend over a logs.jsonl file ({"ts","service","pod","level","message",...})."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._con = None
        self._skipped = 0
        self._lock = threading.Lock()

    def _connection(self):
        with self._lock:
            if self._con is None:
                self._con = self._load()
            return self._con.cursor()  # one cursor per thread: DuckDB connections are not shared

    def _load(self):
        import duckdb

        if not self.path.exists():
            raise ToolError(f"log file {self.path.name} not found")
        con = duckdb.connect(":memory:")
        con.execute("SET preserve_insertion_order = true")
        # Read raw lines (no CSV parsing: \x1f never occurs unescaped in JSON) so that
        # rowid is the line number and a bad line can be counted instead of failing the load.
        con.execute(
            """
            CREATE TABLE raw AS SELECT line FROM read_csv(?, columns={'line': 'VARCHAR'}, header=false,
                delim=E'\\x1f', quote='', escape='', auto_detect=false, strict_mode=false)""",
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
              SELECT line_no, epoch(TRY_CAST(nullif({pick["ts"]}, '') AS TIMESTAMPTZ)) AS ts,
                     {pick["service"]} AS service, {pick["pod"]} AS pod, upper({pick["level"]}) AS lvl,
                     {pick["message"]} AS msg
              FROM p)
            SELECT line_no, ts, service, pod, {_LEVEL_SQL} AS level, msg FROM f WHERE ts IS NOT NULL""")
        total = con.execute("SELECT count(*) FROM raw WHERE line IS NOT NULL AND trim(line) <> ''").fetchone()
        kept = con.execute("SELECT count(*) FROM logs").fetchone()
        self._skipped = int(total[0]) - int(kept[0])
        con.execute("DROP TABLE raw")
        return con

    def stats(self, q: LogQuery) -> LogStats:
        cur = self._connection()
        start, end, bstart = (t.timestamp() for t in (q.start, q.end, q.baseline_start))
        where = "service = $svc AND ts >= $bstart AND ts < $end"
        params: dict[str, object] = {
            "svc": q.service,
            "bstart": bstart,
            "end": end,
            "start": start,
            "mask_re": MASK_RE,
            "mask": MASK,
        }
        if q.query:
            where += " AND contains(lower(msg), lower($q))"
            params["q"] = q.query
        rows = cur.execute(
            f"""
            WITH s AS (
              SELECT *, regexp_replace(left(split_part(msg, chr(10), 1), {MAX_CHARS}),
                                       $mask_re, $mask, 'g') AS masked
              FROM logs WHERE {where})
            SELECT level, masked,
                   count(*) FILTER (WHERE ts >= $start) AS n,
                   count(*) FILTER (WHERE ts < $start) AS nb,
                   min(ts) FILTER (WHERE ts >= $start), max(ts) FILTER (WHERE ts >= $start),
                   arg_min(line_no, ts) FILTER (WHERE ts >= $start),
                   count(DISTINCT pod) FILTER (WHERE ts >= $start),
                   min(ts) FILTER (WHERE ts < $start)
            FROM s GROUP BY level, masked HAVING n > 0 OR nb > 0""",
            params,
        ).fetchall()
        groups = [Group(masked=r[1], payload=r) for r in rows]
        levels: dict[str, int] = {}
        templates: list[tuple[TemplateStat, int | None]] = []
        for template, members in mine(groups).values():
            by_level: dict[str, list[tuple]] = {}
            for g in members:
                by_level.setdefault(g.payload[0], []).append(g.payload)
            for level, rs in by_level.items():
                n = sum(r[2] for r in rs)
                nb = sum(r[3] for r in rs)
                if n:
                    levels[level] = levels.get(level, 0) + n
                in_window = [r for r in rs if r[2]]
                if not in_window:
                    templates.append((_stat(template, level, 0, nb, q.start, q.start, 0), None))
                    continue
                first = min(in_window, key=lambda r: r[4])
                templates.append(
                    (
                        _stat(
                            template,
                            level,
                            n,
                            nb,
                            _dt(first[4]),
                            _dt(max(r[5] for r in in_window)),
                            max(r[7] for r in in_window),
                        ),
                        first[6],
                    )
                )
        wanted = [line_no for _, line_no in templates if line_no]
        samples = (
            {
                r[0]: (r[1], r[2])
                for r in cur.execute(
                    "SELECT line_no, msg, pod FROM logs WHERE list_contains($l, line_no)", {"l": wanted}
                ).fetchall()
            }
            if wanted
            else {}
        )
        for t, line_no in templates:
            if line_no in samples:
                t.sample, t.sample_pod = samples[line_no][0], samples[line_no][1] or None
                t.sample_ref = f"{self.path.name}:{line_no}"
        stats = [t for t, _ in templates]
        firsts = [r[8] for r in rows if r[8] is not None]
        return LogStats(
            query=q,
            total=sum(levels.values()),
            levels=levels,
            baseline_total=sum(t.baseline_count for t in stats),
            skipped_lines=self._skipped,
            templates=stats,
            source=self.path.name,
            baseline_from=_dt(min(firsts)) if firsts else None,
        )


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _stat(template: str, level: str, n: int, nb: int, first: datetime, last: datetime, pods: int) -> TemplateStat:
    return TemplateStat(
        template=template,
        level=level,
        count=n,
        baseline_count=nb,
        first_seen=first,
        last_seen=last,
        sample="",
        sample_ref="",
        pods=pods,
    )
