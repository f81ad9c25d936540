"""The log aggregation every backend shares, in two steps:

1. `marks_sql` folds lines `(ts, service, pod, level, msg, hl)` into marks: one row per service, pod,
   level, masked message shape and period (baseline or window) with its count, first and last time
   and its earliest line. Every line is masked once here, in one pass: the embedded backend runs it
   straight over the file, the server backends over the lines they sampled.
2. `summarise` answers one service's query from the marks: Drain3 mines templates from the distinct
   shapes (a few hundred, whatever the volume) and each keeps one verbatim sample."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from oncall.tools.read_logs import LogQuery, LogStats, TemplateStat
from oncall.tools.read_logs.templates import MASK, MASK_RE, MAX_CHARS, Group, mine

# Level names vary by logger; unify them, and infer one from the text when absent.
# (numeric: pino/bunyan 60 fatal, 50 error, 40 warn, 20 debug, 10 trace; syslog 0-3, 4, 7)
# (one letter: glog's and klog's line prefix: E and F error, W warn; IBM's message ids: S severe)
ERROR_NAMES = (
    "ERROR", "ERR", "ERRO", "FATAL", "FATA", "FTL", "CRITICAL", "CRIT", "PANIC", "PANI", "EMERG", "ALERT", "SEVERE",
    "EMERGENCY", "50", "60", "0", "1", "2", "3", "E", "F", "S",
    "EXCEPTION", "EXCEEDEDCPU", "EXCEEDEDMEMORY",  # a Worker's Outcome: it threw, or the runtime stopped it
)  # fmt: skip
WARN_NAMES = ("WARN", "WARNING", "WRN", "40", "4", "W")
# (Serilog's Verbose: VRB; the Windows event log's Verbose)
DEBUG_NAMES = ("DEBUG", "DEBU", "DBG", "TRACE", "TRAC", "TRC", "VRB", "VERBOSE", "10", "20", "7")


def streams_only(values: set[str]) -> bool:
    """Whether a file's level values (upper case) only ever name the two output streams: such a field says
    where a line was written, not how bad it is (Cloud Foundry's OUT and ERR, Docker's stdout and stderr),
    as Python's logging and Go's log write every line, info too, to stderr; each line's level is then read
    from its text. ERR alone is syslog's error level as well, so it takes OUT or a stream's full name."""
    return bool(values) and values <= {"OUT", "ERR", "STDOUT", "STDERR"} and values != {"ERR"}


def guessed(values: set[str]) -> bool:
    """Whether a file's level values (upper case) are a collector's guesses from each line's words: `DEFAULT`
    where it found no level word, beside the levels it did find (OpenShift's ViaQ records). The level a line's
    own header states is then the program's, and is read first (`header_level`): the collector files an INFO
    line at error for an `Error` among its words."""
    return "DEFAULT" in values and bool(values - {"DEFAULT", ""})


def one_of(column: str, names: Iterable[str]) -> str:
    """SQL: `column` is one of the names. Equalities, not IN: DuckDB turns a long IN list into a join
    that every line of a file pays for, even the lines an earlier branch of a CASE has decided. Names
    may be read from a file (a level's spellings): quoted as literals, so they stay text."""
    return "(" + " OR ".join("{} = '{}'".format(column, n.replace("'", "''")) for n in names) + ")"


# syslog's facilities, as rsyslog's and syslog-ng's templates write a priority: `local0.err`, `daemon.warning`
_FACILITY = r"^(KERN|USER|MAIL|DAEMON|AUTH|SYSLOG|LPR|NEWS|UUCP|CRON|AUTHPRIV|FTP|NTP|SECURITY|CONSOLE|LOCAL[0-7])\."


def named_level(lvl: str, facility: bool = True) -> str:
    """SQL: the level a nonblank raw spelling `lvl` (upper case) names: ERROR, WARN, DEBUG or INFO. A
    syslog priority written `facility.severity` names its severity's level."""
    severity = f"substr({lvl}, strpos({lvl}, '.') + 1)"
    by_facility = f"WHEN regexp_matches({lvl}, '{_FACILITY}') THEN {named_level(severity, False)}" if facility else ""
    return f"""CASE
      -- most lines of any estate are info: decided by one comparison
      WHEN {lvl} = 'INFO' THEN 'INFO'
      WHEN {one_of(lvl, ERROR_NAMES)} THEN 'ERROR'
      WHEN {one_of(lvl, WARN_NAMES)} THEN 'WARN'
      -- a request log's HTTP status where its level would be: a server error served
      WHEN length({lvl}) = 3 AND {lvl} BETWEEN '500' AND '599' THEN 'ERROR'
      WHEN {one_of(lvl, DEBUG_NAMES)} THEN 'DEBUG'
      {by_facility}
      ELSE 'INFO' END"""


# Scales numbered up with severity, where syslog's run down: each number's spelling. Coralogix's (1 debug,
# 2 verbose, 3 info, 4 warn, 5 error, 6 critical) and DataSet's (0 finest, 1 finer, 2 fine, 3 info, 4 warning,
# 5 error, 6 fatal) give their 3 to a line a shipper did not parse, a default (''), so the line's own words
# decide (spelt_level); Application Insights' SeverityLevel (0 verbose, 1 information, 2 warning, 3 error,
# 4 critical) means what it says.
UPWARD_SCALE = {"0": "DEBUG", "1": "DEBUG", "2": "DEBUG", "3": "", "4": "WARN", "5": "ERROR", "6": "CRITICAL"}
INSIGHTS_SCALE = {"0": "DEBUG", "1": "INFO", "2": "WARN", "3": "ERROR", "4": "CRITICAL"}
# The Windows event log's Level: 1 critical, 2 error, 3 warning, 4 information, 5 verbose, 0 an event logged
# whatever the level asked for (LogAlways). Syslog's 3 is an error and its 4 a warning: read on syslog's
# scale, every information event of a server would be a warning and every warning an error.
WINDOWS_SCALE = {"0": "INFO", "1": "CRITICAL", "2": "ERROR", "3": "WARN", "4": "INFO", "5": "DEBUG"}
# OpenTelemetry's SeverityNumber, 1 to 24 in fours: trace, debug, info (9), warn (13), error (17), fatal (21), as
# Logfire's level column writes it
SEVERITY_SCALE = {str(n): ("DEBUG", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL")[(n - 1) // 4] for n in range(1, 25)}


def upward_level(lvl: str, scale: dict[str, str]) -> str:
    """SQL: the spelling of a level numbered on `scale` (UPWARD_SCALE, INSIGHTS_SCALE); any other value
    is kept as written."""
    whens = " ".join(f"WHEN '{number}' THEN '{spelt}'" for number, spelt in scale.items())
    return f"CASE {lvl} {whens} ELSE {lvl} END"


def inferred_level(text: str) -> str:
    """SQL: the level of a line that names none, from its text."""
    return f"""CASE
  -- one test every word below needs, so that most lines pay for one expression, not three
  WHEN NOT regexp_matches({text}, '(?i)error|exception|fatal|panic|traceback|fail|crit|warn|\\):$') THEN 'INFO'
  WHEN regexp_matches({text}, '(?i)\\b(error|exception|fatal|panic|traceback|failed)\\b') THEN 'ERROR'
  -- an error's class named (`Przelewy24::SignatureError (...)`, `SocketTimeoutException`)
  WHEN regexp_matches({text}, '[a-z0-9](Error|Exception)\\b') THEN 'ERROR'
  -- Rails' line for an exception it rescued: its class, the message in parentheses, a colon (after the tags)
  WHEN regexp_matches({text}, '^(\\[[^\\]]*\\] )*[A-Z]\\w*(::[A-Z]\\w*)+ \\(.*\\):$') THEN 'ERROR'
  -- .NET's console logger: fail: and crit: open the line
  WHEN regexp_matches({text}, '^\\s*(fail|crit):') THEN 'ERROR'
  WHEN regexp_matches({text}, '(?i)\\bwarn(ing)?\\b') THEN 'WARN'
  ELSE 'INFO' END"""


INFERRED_LEVEL = inferred_level("msg")

# The level of a line (lvl: its raw spelling, upper case, or ''; msg: its text).
LEVEL_SQL = f"CASE WHEN lvl <> '' THEN {named_level('lvl')} ELSE {INFERRED_LEVEL} END"

# A level the line states itself: `level=error` (logfmt), `"level":50` (JSON inside the line), `[ERROR]`,
# `[warning]`, or a capitalised level among its first words (`2026-... 03:47:00,123 ERROR [app]`,
# PostgreSQL's `UTC [2231] FATAL:`). It outranks a shipper's field that is only a default: journald
# files all of a program's stdout at priority 6 (info) whatever the line says.
# a level named by its key or in brackets, wherever in the line's first words it is
_KEYED = (
    # (ECS's `log.level`, .NET's JSON console `"LogLevel"`, `log_level`, `logLevel` too)
    r"""(?i)(?:^|[\s{,"'])(?:log[._]?)?(?:level|lvl|severity)["']?\s*[=:]\s*["']?([a-z]+|\d{2})\b""",
    # (in three letters too, after the time of day in Serilog's console format: NATS' `[INF]`, `[12:00:00 WRN]`;
    # after the module in Apache 2.4's error log: `[ssl:error]`, `[proxy_http:warn]`; padded to one width, as
    # structlog's console renderer writes it: `[info     ]`, `[error    ]`)
    r"(?i)\[(?:\d\d:\d\d:\d\d(?:\.\d+)? |\w+:)?(trace|debug|info|notice|warn|warning|error|err|critical|crit"
    r"|fatal|panic|trc|vrb|dbg|inf|wrn|ftl) *\]",
)
# the level in the line's header, where its logger's format writes it (a line quoting a level word elsewhere
# does not match these)
_HEADER = (
    # (zerolog's console writer abbreviates to three letters, logrus's text formatter to four)
    r"^(?:\S+\s+){0,4}?(DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL|PANIC|LOG|DBG|INF|WRN|ERR|FTL"
    r"|DEBU|ERRO|FATA|PANI):?\s",
    # glog's and klog's header (Kubernetes' components, CockroachDB, Go and C++ services): `W1201 03:47:12.345`
    r"^([IWEF])\d{4,6} \d\d:\d\d:\d\d",
    # Python logging's default format (basicConfig): `WARNING:policy.rates:text`, `ERROR:root:text`
    r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]+:",
    # Monolog's line format (Laravel, Symfony): `[2026-06-03 07:41:12] production.ERROR: text`, PSR-3's levels
    r"^(?:\[[^\]]*\]\s+)?[\w-]+\.(DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL|ALERT|EMERGENCY):\s",
    # PHP's error log names its level in words: `PHP Fatal error:  text`, `PHP Warning:  text`
    r"^PHP (?:(?:Fatal|Parse|Recoverable fatal) )?(error|Warning|Notice):",
    # Asterisk's log, the thread after the level: `[2029-03-28 19:25:43] WARNING[1135][C-0000311c7] pbx.c: text`
    # (its VERBOSE is the call flow it reports as it runs, not Serilog's verbose below debug: the words decide)
    r"^\[[^\]]*\] (DEBUG|NOTICE|WARNING|ERROR)\[\d+\]",
)
_STATED = (
    *_KEYED,
    *_HEADER,
    # IBM's message ids end in their severity (MQ's `AMQ9202E:`, Liberty's `CWWKZ0002E:`, WebSphere's
    # `J2CA0045E:`): I information, W warning, E error, S severe
    r"(?:^|\s)[A-Z][A-Z0-9]{2,4}\d{4}([IWES]):\s",
)

_MENTIONS = (
    r"(?i)level|lvl|severity|\[|debug|info|notice|warn|error|critical|fatal|panic|log|dbg|inf|wrn|err|ftl"
    r"|^[IWEF]\d{4,6} \d\d:|[A-Z0-9]\d{4}[IWES]:"
)
# the words a text needs to state a level (_MENTIONS) or imply one (inferred_level)
_LEVEL_WORDS = _MENTIONS + "|exception|traceback|fail|crit"


def nested_severity(text: str) -> str:
    """SQL: PostgreSQL's JSON log's severity, `error_severity`, wherever in the line (a wrapper that nests its
    record writes a level of its own first: CloudNativePG's `"level":"info"` on every record), or NULL."""
    return (
        f"CASE WHEN contains({text}, '\"error_severity\"') THEN nullif(regexp_extract({text}, "
        f"'\"error_severity\"\\s*:\\s*\"([A-Za-z]+)', 1), '') END"
    )


def _stated(text: str, patterns: tuple[str, ...] = _STATED, nested: bool = True) -> str:
    """SQL: the level `text` states itself (upper case), or NULL: anywhere in its first words, or (`_HEADER`)
    only in its header; `nested`, a nested record's severity first (nested_severity)."""
    head = f"left({text}, 200)"
    quoted = [p.replace("'", "''") for p in patterns]
    found = [
        *([nested_severity(text)] if nested else []),
        *(f"nullif(regexp_extract({head}, '{p}', 1), '')" for p in quoted),
    ]
    stated = "upper(coalesce(" + ", ".join(found) + "))"
    # a word each of the three needs: most lines pay for this one expression only (on the text itself:
    # a cut copy of every line the test reads would cost more than the test)
    return f"CASE WHEN regexp_matches({text}, '{_MENTIONS}') THEN {stated} END"


def header_level(text: str) -> str:
    """SQL: the level `text`'s header states, where its logger's format writes it (upper case), or NULL."""
    return _stated(text, _HEADER, nested=False)


def spelt_level(message: str, text: str, field: str) -> str:
    """SQL: the spelling of a line's level that its marks are grouped by, named once per mark (`_raised`):
    its level `field` as written, unless the field is missing or a shipper's number or default (journald's
    PRIORITY, Cloud Logging's DEFAULT), when the level its `message` states itself comes first, then the
    field, then the level its `text` (the message with its error field) implies. Per line, as few
    expressions as can be: a spelling is upper-cased and named per mark, and a line whose text holds
    none of the words either reading needs pays for one test."""
    # (Dynatrace's NONE: OneAgent detected no level in the line, so it is no level at all: the words decide)
    defaulted = (
        f"({field} = '' OR (length({field}) = 1 AND {field} BETWEEN '0' AND '7') OR {field} = 'DEFAULT' "
        f"OR {field} = 'NONE')"
    )
    return f"""CASE WHEN NOT {defaulted} THEN {field}
      WHEN NOT regexp_matches({text}, '{_LEVEL_WORDS}') THEN coalesce(nullif({field}, ''), 'INFO')
      ELSE coalesce({_stated(message)}, nullif(nullif({field}, ''), 'NONE'), {inferred_level(text)}) END"""


# A request the service answered with a server error (5xx) failed, whatever level its logger gave the
# line: access logs (the common and combined formats, Envoy's, morgan's, Django's and gunicorn's) and
# request logs (`status=503`, `"status":503`, Rails' `Completed 500`) file every response at info.
SERVED_5XX = (
    r"""(?i)(?:HTTP/[0-9.]+"?\s+|\b(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+/\S*\s+(?:HTTP/[0-9.]+\s+)?"""
    r"""|\b(?:status|status_?code|http\.status_code)["']?\s*[=:]\s*["']?|\bCompleted\s+)5[0-9][0-9]\b"""
)


# A service filed by its stream (`_raised`): at least this many lines in the two periods, and one in this many
# stating a lower level than the error it was filed at (fewer could be errors that quote a level word).
STREAMED_LINES, STREAMED_SHARE = 10, 5


def _raised(marks: str) -> str:
    """SQL: the relation `marks` with each mark's spelt level named (ERROR, WARN, DEBUG, INFO), then raised
    to the one its message states when it was filed at INFO: a shipper that files everything at info
    (Papertrail's syslog from Heroku) never raises a level, so a higher one stated in the line is
    believed; a server error served at info or debug is an error. Once per message shape, not per line.
    A service whose every line was filed at ERROR, a fifth of them stating a lower level themselves, was
    filed by its stream (Datadog files a program's standard error at error): its lines' own levels stand.
    Lines that name no service are told apart by their machine (pod): each machine's stream is its own."""
    says_more = "regexp_matches(left(masked, 200), '(?i)err|warn|fatal|crit|panic')"
    lower = f"(st IS NOT NULL AND NOT {one_of('st', ERROR_NAMES)})"
    periods = f"period IN ({BASELINE}, {WINDOW})"
    # (the marks materialised: else DuckDB plans the window below as a join of two copies of them, and reads
    # the file twice)
    return f"""WITH raised AS MATERIALIZED ({marks})
               SELECT * EXCLUDE (st, served_5xx, streamed) REPLACE (
                 CASE WHEN streamed AND {lower} THEN CASE WHEN {one_of("st", WARN_NAMES)} THEN 'WARN'
                                                         WHEN served_5xx THEN 'ERROR' ELSE {named_level("st")} END
                      WHEN level = 'ERROR' THEN 'ERROR'
                      WHEN {one_of("st", ERROR_NAMES)} OR (served_5xx AND level IN ('INFO', 'DEBUG')) THEN 'ERROR'
                      WHEN {one_of("st", WARN_NAMES)} THEN 'WARN' ELSE level END
                 AS level)
               FROM (SELECT *, sum(n) FILTER (WHERE level <> 'ERROR') OVER s IS NULL
                               AND sum(n) FILTER (WHERE {periods}) OVER s >= {STREAMED_LINES}
                               AND coalesce(sum(n) FILTER (WHERE {periods} AND {lower}) OVER s, 0) * {STREAMED_SHARE}
                                   >= sum(n) FILTER (WHERE {periods}) OVER s AS streamed
                     FROM (SELECT *, CASE WHEN (level = 'INFO' AND {says_more}) OR level = 'ERROR'
                                          THEN {_stated("masked")} END AS st
                           FROM (SELECT * REPLACE ({named_level("level")} AS level)
                                 FROM (SELECT * REPLACE (upper(level) AS level) FROM raised)))
                     -- a line no service field names is its machine's (attributed later by host): each
                     -- machine's stream is its own
                     WINDOW s AS (PARTITION BY service, CASE WHEN service = '' THEN pod END))"""


MAX_SHAPES = 2000  # distinct masked shapes per level that Drain3 mines; the rarer are counted together

# Periods of a line: not readable (no time), the baseline, the window, outside both.
UNREADABLE, BASELINE, WINDOW, OUTSIDE = -1, 0, 1, 2


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


# A mark's earliest line is the one with the least of this number: its time in microseconds (kept within
# a range that cannot overflow), then its identity. The least of a struct of the line, compared field by
# field, cost a tenth of the whole read at ten million lines; a number compares in one step.
_EARLIEST = "CAST(round(least(greatest(ts, -1e12), 1e12) * 1e6) AS HUGEINT) * 18446744073709551616 + {identity}"


@dataclass(frozen=True)
class Sample:
    """Which info and debug lines (`routine`: their spellings) are masked into shapes, when a file holds
    too many to mask them all: 1 in `every[s]` of each large service s's, 1 in `rest` of any other's.
    Every line is still counted, and errors and warnings are all masked: the sample only decides which
    routine lines show their shape."""

    rest: int = 1
    every: Mapping[str, int] = field(default_factory=dict)
    routine: tuple[str, ...] = ("INFO", "DEBUG")

    @property
    def partial(self) -> bool:
        return self.rest > 1 or any(n > 1 for n in self.every.values())

    def taken(self, service: str, ts: str) -> tuple[str, dict[str, object]]:
        """SQL (and its parameters): whether a routine line is in the sample, by its time's hash (so the same
        lines whatever order they are read in); service names go in as parameters (they are read from the
        file)."""
        if not self.every:
            return f"hash({ts}) % {int(self.rest)} = 0", {}
        params: dict[str, object] = {f"sampled{i}": name for i, name in enumerate(self.every)}
        branches = " ".join(f"WHEN $sampled{i} THEN {int(n)}" for i, n in enumerate(self.every.values()))
        # (UBIGINT, the hash's type: a modulo by another type costs ten times the hash)
        return f"hash({ts}) % CAST(CASE {service} {branches} ELSE {int(self.rest)} END AS UBIGINT) = 0", params


def marks_sql(
    lines: str,
    q: LogQuery,
    identity: str = "hl",
    sample: Sample = Sample(),
) -> tuple[str, dict[str, object]]:
    """SQL (and its parameters) folding the relation `lines` into marks for q's periods and text.

    `lines` has ts (epoch seconds, NULL when unreadable), service, pod, level (a level or its spelling,
    SPELT_LEVEL, named once per mark) and msg; `identity` is an expression over its columns that tells
    lines apart and orders ties (the line number, or a hash of the line's fields), worked out only for
    the lines that can be cited. Only lines of the two periods are masked; the rest are counted, so
    unreadable lines can be reported. With a partial `sample`, info and debug lines are masked only when
    they are in it: every line is still counted, and each shape's count is scaled so that its service,
    level and period add up to the lines counted (errors, warnings and spellings not among the sample's
    routine ones are always masked, so counted exactly)."""
    params: dict[str, object] = {
        "start": q.start.timestamp(),
        "end": q.end.timestamp(),
        "bstart": q.baseline_start.timestamp(),
        "mask_re": MASK_RE,
        "mask": MASK,
        "served_5xx": SERVED_5XX,
    }
    text = ""
    if q.query:
        text = "AND (ts IS NULL OR contains(lower(msg), lower($q)))"
        params["q"] = q.query
    shaped = f"period IN ({BASELINE}, {WINDOW})"
    if sample.partial:
        taken, more = sample.taken("service", "ts")
        shaped += f" AND (NOT {one_of('level', sample.routine)} OR {taken})"
        params |= more
    first = f"period = {WINDOW} AND shaped"
    line = f"struct_pack(t := ts, hm := hash(msg), hl := {identity}, msg := msg, pod := pod)"
    marks = f"""
        WITH p AS (
          -- whether the line is masked into a shape: worked out once, three expressions ask
          SELECT *, {shaped} AS shaped
          FROM (SELECT *, CASE WHEN ts IS NULL THEN {UNREADABLE} WHEN ts < $bstart OR ts >= $end THEN {OUTSIDE}
                                 WHEN ts >= $start THEN {WINDOW} ELSE {BASELINE} END AS period
                FROM {lines} WHERE true {text}))
        SELECT service, pod, level, period,
               CASE WHEN shaped THEN
                 regexp_replace(left(split_part(msg, chr(10), 1), {MAX_CHARS}), $mask_re, $mask, 'g') END AS masked,
               -- read before masking takes the status away; only of the lines shaped, so the sample's
               -- scaling (by the level filed) carries it to the lines counted; it raises info and debug only
               -- (a CASE, so that only those lines pay for the expression: AND would read every line)
               CASE WHEN shaped THEN coalesce(regexp_matches(left(msg, {MAX_CHARS}), $served_5xx), false)
                    ELSE false END AS served_5xx,
               count(*) AS n, min(ts) AS t0, max(ts) AS t1,
               -- the earliest line, ties broken by identity so that any order of reading picks the same
               -- (built only for the lines it can be: a struct for every line costs more than the read)
               arg_min(CASE WHEN {first} THEN {line} END,
                       CASE WHEN {first} THEN {_EARLIEST.format(identity=identity)} END) AS first
        FROM p GROUP BY ALL"""
    if sample.partial:
        # the unshaped lines' count goes to their group's shapes; a group with no line in the sample
        # keeps its count under one shape that says nothing
        # (the grouped marks materialised: else DuckDB may plan the window as a join of two copies of
        # the grouping, and read the whole file twice)
        marks = f"""
            WITH grouped AS MATERIALIZED ({marks})
            SELECT * EXCLUDE (total, shaped_n) REPLACE (
                     coalesce(masked, CASE WHEN period IN ({BASELINE}, {WINDOW}) THEN $mask END) AS masked,
                     CASE WHEN masked IS NOT NULL AND shaped_n < total
                          THEN CAST(round(n * total / shaped_n) AS BIGINT) ELSE n END AS n)
            FROM (SELECT *, sum(n) OVER w AS total, sum(n) FILTER (WHERE masked IS NOT NULL) OVER w AS shaped_n
                  FROM grouped WINDOW w AS (PARTITION BY service, level, period))
            WHERE masked IS NOT NULL OR shaped_n IS NULL OR period NOT IN ({BASELINE}, {WINDOW})"""
    return _raised(marks), params


def summarise(
    cur: Any,
    marks: str,
    q: LogQuery,
    source: str,
    refs: Callable[[dict[int, float | None]], dict[int, str]],
    skipped: int = 0,
    sampled: str | None = None,
) -> LogStats:
    """One service's LogStats from the marks table `marks` (built by marks_sql for q's periods and
    text); `refs({hl: time})` cites the lines the templates' samples name (`first.hl`), all at once,
    leaving out those it cannot find."""

    # a line without a service field, or whose field names no catalog service, is the service's when
    # its pod or host is named after it, or after its other spelling (see LogQuery); or when it is named for
    # what runs as the service, another name before the service's that names no service (`kamal-proxy`); so is
    # a line whose service field names no catalog service but ends with one's name after the estate's own
    # (a database server named `<estate>-postgres`)
    def after_another(col: str) -> str:  # `<another name>-<svc>`, the other name no catalog service's
        others = f"len(list_filter($known, lambda x: starts_with({col}, x || '-'))) = 0"
        return f"(ends_with({col}, '-' || $svc) AND {others})"

    where = (
        "(service = $svc OR list_contains($aliases, service) OR "
        "((service = '' OR (len($known) > 0 AND NOT list_contains($known, service))) AND "
        "(pod = $svc OR (starts_with(pod, $svc || '-') AND "
        "len(list_filter($longer, lambda x: starts_with(pod, x || '-'))) = 0) OR "
        f"({after_another('pod')} AND NOT list_contains($known, pod)) OR {after_another('service')} OR "
        "len(list_filter($aliases, lambda x: pod = x OR starts_with(pod, x || '-'))) > 0)))"
    )
    # Drain3's clusters depend on the order it sees shapes: time order, whatever the backend.
    rows = cur.execute(
        f"""
        SELECT level, masked,
               coalesce(sum(n) FILTER (WHERE period = {WINDOW}), 0) AS n,
               coalesce(sum(n) FILTER (WHERE period = {BASELINE}), 0) AS nb,
               min(t0) FILTER (WHERE period = {WINDOW}), max(t1) FILTER (WHERE period = {WINDOW}),
               min(first) FILTER (WHERE period = {WINDOW}),
               count(DISTINCT pod) FILTER (WHERE period = {WINDOW}),
               min(t0) FILTER (WHERE period = {BASELINE})
        FROM {marks} WHERE period IN ({BASELINE}, {WINDOW}) AND {where}
        GROUP BY level, masked ORDER BY min(t0), level, masked""",
        {"svc": q.service, "aliases": q.aliases, "longer": q.pod_owned_by, "known": q.known},
    ).fetchall()
    mined, rare = _bounded(rows)
    levels: dict[str, int] = {}
    templates: list[TemplateStat] = []
    samples: list[tuple[TemplateStat, dict[str, Any]]] = []
    clusters = [(t, [g.payload for g in members]) for t, members in mine(mined).values()]
    clusters += [(f"({len(rs)} rarer message shapes)", rs) for rs in rare.values()]
    for template, payloads in clusters:
        by_level: dict[str, list[tuple[Any, ...]]] = {}
        for r in payloads:
            by_level.setdefault(r[0], []).append(r)
        for level, rs in by_level.items():
            n = sum(r[2] for r in rs)
            nb = sum(r[3] for r in rs)
            if n:
                levels[level] = levels.get(level, 0) + n
            in_window = [r for r in rs if r[2]]
            if not in_window:
                templates.append(_stat(template, level, 0, nb, q.start, q.start, 0))
                continue
            # (a shape of a very large file's info lines none of which the sample took has no line to show)
            shown = [r for r in in_window if r[6] is not None]
            first = min(shown, key=lambda r: (r[6]["t"], r[6]["hm"], r[6]["hl"])) if shown else None
            stat = _stat(
                template,
                level,
                n,
                nb,
                _dt(first[4] if first else min(r[4] for r in in_window)),
                _dt(max(r[5] for r in in_window)),
                max(r[7] for r in in_window),
            )
            began = [r[8] for r in rs if r[8] is not None]
            stat.began = _dt(min(began)) if began else None
            if first:
                samples.append((stat, first[6]))
            templates.append(stat)
    cites = refs({int(sample["hl"]): sample["t"] for _, sample in samples})
    for stat, sample in samples:  # a sample is shown only where its line can be cited
        if (cite := cites.get(int(sample["hl"]))) is not None:
            stat.sample, stat.sample_pod, stat.sample_ref = sample["msg"], sample["pod"] or None, cite
    firsts = [r[8] for r in rows if r[8] is not None]
    unattributed = 0
    if q.known and not rows:  # nothing of this service: was anything in the window anyone's?
        (total, anyones) = cur.execute(
            f"""SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE list_contains($known, service) OR
                  len(list_filter($known, lambda x: pod = x OR starts_with(pod, x || '-'))) > 0), 0)
                FROM {marks} WHERE period = {WINDOW}""",
            {"known": q.known},
        ).fetchone()
        unattributed = int(total) if not anyones else 0
    return LogStats(
        query=q,
        total=sum(levels.values()),
        levels=levels,
        baseline_total=sum(t.baseline_count for t in templates),
        skipped_lines=skipped,
        unattributed=unattributed,
        textless=sum(int(r[2]) for r in rows if r[1] == ""),
        templates=templates,
        source=source,
        baseline_from=_dt(min(firsts)) if firsts else None,
        sampled=sampled,
    )


def _bounded(rows: list[tuple[Any, ...]]) -> tuple[list[Group], dict[str, list[tuple[Any, ...]]]]:
    """The shapes Drain3 mines, at most MAX_SHAPES per level (the most frequent), in time order; the
    rest, per level, are counted together. Free text that masking cannot fold (fifty thousand distinct
    shapes) would otherwise take Drain3 minutes and give as many templates."""
    by_level: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        by_level.setdefault(r[0], []).append(r)
    kept: set[int] = set()
    rare: dict[str, list[tuple[Any, ...]]] = {}
    for level, rs in by_level.items():
        ranked = sorted(range(len(rs)), key=lambda i: -(rs[i][2] + rs[i][3]))  # stable: time order among equals
        kept.update(id(rs[i]) for i in ranked[:MAX_SHAPES])
        if len(rs) > MAX_SHAPES:
            rare[level] = [rs[i] for i in ranked[MAX_SHAPES:]]
    return [Group(masked=r[1], payload=r) for r in rows if id(r) in kept], rare


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
        WITH f AS (SELECT unnest($id) AS hl, unnest($ts) AS ts, unnest($svc) AS service,
                          unnest($pod) AS pod, upper(unnest($lvl)) AS lvl, unnest($msg) AS msg)
        SELECT hl, ts, service, pod, {LEVEL_SQL} AS level, msg FROM f""",
        {
            "id": list(cols[0]),
            "ts": [float(x) for x in cols[1]],
            "svc": list(cols[2]),
            "pod": list(cols[3]),
            "lvl": list(cols[4]),
            "msg": list(cols[5]),
        },
    )
    sql, params = marks_sql("logs", q)
    con.execute(f"CREATE TABLE marks AS {sql}", params)
    return summarise(con.cursor(), "marks", q, source, lambda want: {i: ref(i) for i in want})


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
