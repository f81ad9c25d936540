"""The log aggregation every backend shares: given a DuckDB table
`logs(line_no, ts, service, pod, level, msg)`, count messages by masked shape in
SQL, mine templates from the distinct shapes with Drain3, and fetch one verbatim
sample per template. The embedded backend fills the table from a file; the
OpenSearch backend from the lines it sampled."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from oncall.tools.read_logs import LogQuery, LogStats, TemplateStat
from oncall.tools.read_logs.templates import MASK, MASK_RE, MAX_CHARS, Group, mine

# Level names vary by logger; unify them, and infer one from the text when absent.
LEVEL_SQL = """
CASE
  WHEN lvl IN ('ERROR','ERR','FATAL','CRITICAL','CRIT','PANIC','EMERG','ALERT','SEVERE') THEN 'ERROR'
  WHEN lvl IN ('WARN','WARNING') THEN 'WARN'
  WHEN lvl IN ('DEBUG','TRACE') THEN 'DEBUG'
  -- numeric levels: pino/bunyan (60 fatal, 50 error, 40 warn, 20 debug, 10 trace), syslog (0-3, 4, 7)
  WHEN lvl IN ('50','60','0','1','2','3') THEN 'ERROR'
  WHEN lvl IN ('40','4') THEN 'WARN'
  WHEN lvl IN ('10','20','7') THEN 'DEBUG'
  WHEN lvl <> '' THEN 'INFO'
  WHEN regexp_matches(msg, '(?i)\\b(error|exception|fatal|panic|traceback|failed)\\b') THEN 'ERROR'
  WHEN regexp_matches(msg, '(?i)\\bwarn(ing)?\\b') THEN 'WARN'
  ELSE 'INFO' END"""


def normalise_levels(raw: Iterable[str]) -> dict[str, str]:
    """Each raw level spelling as LEVEL_SQL names it (ERROR, WARN, DEBUG, INFO): one mapping for every backend."""
    import duckdb

    values = sorted(set(raw))
    if not values:
        return {}
    with duckdb.connect(":memory:") as con:  # its own: the default connection is not shared across threads
        rows = con.execute(
            f"SELECT raw, {LEVEL_SQL} FROM (SELECT unnest($v) AS raw, upper(unnest($v)) AS lvl, '' AS msg)",
            {"v": values},
        ).fetchall()
    return dict(rows)


def aggregate(cur, q: LogQuery, source: str, ref: Callable[[int], str], skipped: int = 0) -> LogStats:
    start, end, bstart = (t.timestamp() for t in (q.start, q.end, q.baseline_start))
    # a line without a service field is the service's when its pod is named after it (see LogQuery)
    where = (
        "(service = $svc OR (service = '' AND (pod = $svc OR (starts_with(pod, $svc || '-') AND "
        "len(list_filter($longer, lambda x: starts_with(pod, x || '-'))) = 0)))) AND ts >= $bstart AND ts < $end"
    )
    params: dict[str, object] = {
        "svc": q.service,
        "longer": q.pod_owned_by,
        "bstart": bstart,
        "end": end,
        "start": start,
        "mask_re": MASK_RE,
        "mask": MASK,
    }
    if q.query:
        where += " AND contains(lower(msg), lower($q))"
        params["q"] = q.query
    # Drain3's clusters depend on the order it sees shapes: time order, whatever the backend.
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
        FROM s GROUP BY level, masked HAVING n > 0 OR nb > 0
        ORDER BY min(ts), level, masked""",
        params,
    ).fetchall()
    groups = [Group(masked=r[1], payload=r) for r in rows]
    levels: dict[str, int] = {}
    templates: list[tuple[TemplateStat, int | None]] = []
    for template, members in mine(groups).values():
        by_level: dict[str, list[tuple[Any, ...]]] = {}
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
        if line_no is not None and line_no in samples:
            t.sample, t.sample_pod = samples[line_no][0], samples[line_no][1] or None
            t.sample_ref = ref(line_no)
    stats = [t for t, _ in templates]
    firsts = [r[8] for r in rows if r[8] is not None]
    return LogStats(
        query=q,
        total=sum(levels.values()),
        levels=levels,
        baseline_total=sum(t.baseline_count for t in stats),
        skipped_lines=skipped,
        templates=stats,
        source=source,
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


Row = tuple[float | None, str, str, str, str]  # ts (epoch s), service, pod, raw level, message


def aggregate_rows(rows: list[Row], q: LogQuery, source: str, ref: Callable[[int], str]) -> LogStats:
    """Lines a server backend fetched (a sample), through the same aggregation; `ref(i)` names the
    i-th row (1-based, like a line number) for its citation."""
    import duckdb

    kept = [(i, *r) for i, r in enumerate(rows, 1) if r[0] is not None]
    cols: list[Any] = list(zip(*kept, strict=True)) if kept else [[], [], [], [], [], []]
    con = duckdb.connect(":memory:")
    con.execute(
        f"""CREATE TABLE logs AS
        WITH f AS (SELECT unnest($id) AS line_no, unnest($ts) AS ts, unnest($svc) AS service,
                          unnest($pod) AS pod, upper(unnest($lvl)) AS lvl, unnest($msg) AS msg)
        SELECT line_no, ts, service, pod, {LEVEL_SQL} AS level, msg FROM f""",
        {
            "id": list(cols[0]),
            "ts": [float(x) for x in cols[1]],
            "svc": list(cols[2]),
            "pod": list(cols[3]),
            "lvl": list(cols[4]),
            "msg": list(cols[5]),
        },
    )
    return aggregate(con.cursor(), q, source, ref)


def scale_to_totals(stats: LogStats, window: dict[str, int], baseline: dict[str, int]) -> None:
    """Stand a sample's template counts for the server's exact totals per level."""
    sample_w: dict[str, int] = {}
    sample_b: dict[str, int] = {}
    for t in stats.templates:
        sample_w[t.level] = sample_w.get(t.level, 0) + t.count
        sample_b[t.level] = sample_b.get(t.level, 0) + t.baseline_count
    for t in stats.templates:
        if sample_w.get(t.level):
            t.count = round(t.count * window.get(t.level, 0) / sample_w[t.level])
        if sample_b.get(t.level):
            t.baseline_count = round(t.baseline_count * baseline.get(t.level, 0) / sample_b[t.level])
    stats.levels = {k: v for k, v in window.items() if v}
    stats.total = sum(window.values())
    stats.baseline_total = sum(baseline.values())
