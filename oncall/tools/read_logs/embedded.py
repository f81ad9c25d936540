"""Embedded log backend: a JSON-lines file read by DuckDB in one streamed pass.

The first query of a window reads the file once, in parallel, straight into marks (counts per
service, pod, level, masked shape and period, see aggregate.py), keeping only the keys its lines use;
no line is kept in memory. Every query of that window, for any service, reads the marks only; the few
lines its summary cites are numbered then, by reading again only the stretches near their time
(numbering.py)."""

from __future__ import annotations

import codecs
import json
import math
import re
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from oncall.core.errors import ToolError
from oncall.core.redact import CSI
from oncall.tools.clock import local_read
from oncall.tools.read_logs import LogQuery, LogStats, clef, otlp, streams
from oncall.tools.read_logs.aggregate import (
    ERROR_NAMES,
    INSIGHTS_SCALE,
    SEVERITY_SCALE,
    UNREADABLE,
    UPWARD_SCALE,
    WARN_NAMES,
    WINDOWS_SCALE,
    Sample,
    header_level,
    marks_sql,
    nested_severity,
    one_of,
    spelt_level,
    summarise,
    upward_level,
)
from oncall.tools.read_logs.envelopes import batched, envelope, events, listed, unlisted
from oncall.tools.read_logs.fields import (
    ERROR_KEYS,
    FIELDS,
    GROUP_FILE,
    INSIGHTS_LEVEL,
    all_keys,
    column,
    deduped,
    flat_keys,
    spelt,
    used_keys,
)
from oncall.tools.read_logs.found import Found
from oncall.tools.read_logs.hosts import CONTAINER_LOG, POD_TAGS, SWARM_TASK
from oncall.tools.read_logs.levels import routine_levels
from oncall.tools.read_logs.numbering import Ahead, Numberer, spread
from oncall.tools.read_logs.owners import Owner
from oncall.tools.read_logs.paired import entry_sql
from oncall.tools.read_logs.texts import BSD_FRAME, EVENTLOG_HEADER, FRAME, JSON_LINE, RUNTIME_PREFIX, TIME_LEAD
from oncall.tools.read_logs.times import SYSLOG_TIME

MAX_LINE_BYTES = 64 * 1024 * 1024  # a longer line is skipped and counted, not a failure of the tool
MAX_MESSAGE = 16384  # a message longer than this is cut, with a marker saying how much
# Beyond this many lines, info and debug lines are shaped (masked into templates) from a sample of about
# this many: every line is still counted per service, pod, level and period, and errors and warnings
# are all shaped, but masking every info line of ten million costs seconds that the counts do not need.
SHAPED_LINES = 500_000
# Of that sample, about this many lines of each large service: its shapes, without a chatty service
# taking the sample that a quiet one's few lines need (the quiet ones share what is left, most of it)
SHAPED_PER_SERVICE = 10_000
LARGE_PROBES = 8  # probe lines a service needs to count as large: fewer say too little of its size
# what tells one line from another: its fields, as read (the line's own bytes are never held)
IDENTITY = "hash(ts_text, service, pod, lvl, msg)"
NOTHING_FOUND = Found()
KEY_PROBES = 1024  # lines spread through the file whose keys say which ones to read


# a pod tag's value in the JSON text of a list of `key:value` tags (`"pod_name:api-7d9f8-x2k4q"`)
_POD_TAG = '"(?:' + "|".join(re.escape(t) for t in POD_TAGS) + '):([^"]+)"'


def _ident(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """SQL: a string literal of `text` (a field's name read from the file stays a name)."""
    return "'" + text.replace("'", "''") + "'"


def _value(col: str, inner: str | None, worst: bool = False) -> str:
    """SQL: column `col`'s text, or the text at the JSON path `inner` inside it: only where the column
    holds an object (a string is not looked into). A path through a list's entries (`$[*].Message[*]`)
    gives their texts joined as a console prints its arguments, or NULL when there are none; `worst`
    (a level), the most severe of them."""
    if inner is None:
        return col
    if "[*]" not in inner:
        opens = "[" if inner.startswith("$[") else "{"  # (a path into a list starts at one of its entries)
        return f"CASE WHEN left({col}, 1) = '{opens}' THEN try(json_extract_string({col}, {_literal(inner)})) END"
    entries = f"try(json_extract_string({col}, {_literal(inner)}))"
    if worst:
        said = f"list_transform({entries}, lambda x: upper(x))"
        errors, warns = (", ".join(map(_literal, names)) for names in (ERROR_NAMES, WARN_NAMES))
        text = (
            f"CASE WHEN list_has_any({said}, [{errors}]) THEN 'ERROR' "
            f"WHEN list_has_any({said}, [{warns}]) THEN 'WARN' ELSE {said}[1] END"
        )
    else:
        text = f"nullif(array_to_string({entries}, ' '), '')"
    return f"CASE WHEN left({col}, 1) IN ('[', '{{') THEN {text} END"


def _from_base64(text: str) -> str:
    """SQL: the text `text` holds in base64, or `text` itself where it is not base64 of text."""
    return f"coalesce(try(decode(from_base64({text}))), {text})"


def _json_path(key: str, inner: str | None) -> str:
    """A FIELDS path's JSON path inside an object written as text (`$.key...`)."""
    return "$." + (f'"{key}"' if "." in key else key) + (inner[1:] if inner else "")


def _inside(group: tuple[str, ...], found: Found) -> list[str]:
    """The JSON paths of a FIELDS group's fields that the sampled lines' object written as text has."""
    paths = [column(p) for p in group if "[" not in p]
    inner = list(found.inner_keys)
    return [_json_path(as_spelt, i) for k, i in paths if (as_spelt := spelt(inner, k)) is not None]


def _lines(keys: list[str], templated: bool = False) -> str:
    """SQL: the file $path's lines, each key's value as read_json gives it as text (NULL for a line that is not a
    JSON object), for a file that begins with a byte-order mark: Windows PowerShell 5.1's `Out-File -Encoding
    utf8` writes one, which DuckDB's JSON reader refuses (its first line would be lost) and its CSV reader skips.
    A JSON line holds no control character, so the one used as the separator keeps each line whole. `templated`:
    Serilog's compact JSON, whose template is read rendered from the line's properties (clef), which only the
    whole line holds."""

    def value(k: str) -> str:
        if templated and k == clef.TEMPLATE:
            return f"try({clef.rendered_sql('l', _literal)})"
        return f"try(json_extract_string(l, {_literal(_json_path(k, None))}))"

    values = ", ".join(f"{value(k)} AS {_ident(k)}" for k in keys)
    lines = (
        "read_csv($path, columns={'l': 'VARCHAR'}, delim=chr(1), quote='', escape='', header=false, "
        f"auto_detect=false, ignore_errors=true, max_line_size={MAX_LINE_BYTES})"
    )
    return f"(SELECT {values} FROM {lines})"


def _found_value(path: str, keys: list[str], found: Found) -> str:
    """SQL: the text at a FIELDS path found in the sample (a path read from the file: quoted, never SQL), wherever
    the line keeps it: an entry of a map written as two lists, inside an object written as text, or in the line."""
    key, inner = column(path)
    if (pair := found.pair(key)) is not None:
        return entry_sql(pair, (inner or "$.")[2:].strip('"'), _ident, _literal)
    if found.inner is not None and key in found.inner_keys:
        return _value(_ident(found.inner), _json_path(key, inner))
    return _value(_ident(spelt(keys, key) or key), inner)


def _owner(owner: Owner, keys: list[str], found: Found, raw: bool = False) -> str:
    """SQL: the service the field `owner` names a line's, by the values seen in the sample (read from the
    file: quoted as literals, never SQL); `raw`, the field's own value (a server, as a line's pod)."""
    value = _found_value(owner.path, keys, found)
    if raw:
        return value
    whens = " ".join(f"WHEN {_literal(v)} THEN {_literal(s)}" for v, s in owner.services)
    return f"CASE {value} {whens} END"


# how far past the time asked about a line without a year may fall and still be of that year
YEARLESS_AHEAD = timedelta(days=31)


def epoch_seconds(value: str, near: datetime | None = None) -> str:
    """SQL: seconds since the epoch from RFC 3339 text (its fraction after a comma too, as ISO 8601
    allows and log4j's ISO8601 writes: `2026-06-03T07:41:12,123`), or from an epoch number in seconds,
    milliseconds, microseconds or nanoseconds (told apart by its number of digits). A number never
    reads as a timestamp, so the cast comes first and only what it cannot read pays for the rest.
    Syslog's traditional time names no year and no zone: it is UTC, like any time without a zone here,
    in the year that puts it within the eleven months before `near` (the time asked about) or the month
    after it, as syslog-ng reads it (a line of Dec 31 asked about on Jan 1 is of the year before)."""
    digits = f"length(split_part({value}, '.', 1))"
    yearless = ""
    if near is not None:

        def of(year: int) -> str:
            return f"epoch(try_strptime('{year} ' || {value}, ['%Y %b %d %H:%M:%S', '%Y %b %d %H:%M:%S.%f']))"

        limit = (near + YEARLESS_AHEAD).timestamp()
        yearless = (
            f"CASE WHEN regexp_full_match({value}, '{SYSLOG_TIME}') THEN "
            f"CASE WHEN {of(near.year)} <= {limit} THEN {of(near.year)} ELSE {of(near.year - 1)} END END, "
        )
    return (
        f"coalesce(epoch(TRY_CAST(nullif({value}, '') AS TIMESTAMPTZ)), "
        # .NET's JSON date (times.DOTNET_DATE): milliseconds since the epoch
        rf"CASE WHEN starts_with({value}, '/Date(') THEN "
        rf"TRY_CAST(regexp_extract({value}, '^/Date\((-?\d{{1,15}})', 1) AS DOUBLE) / 1000 END, "
        rf"CASE WHEN regexp_matches({value}, '^\d{{4}}-\d\d-\d\d[T ]\d\d:\d\d:\d\d,\d') "
        f"THEN epoch(TRY_CAST(replace({value}, ',', '.') AS TIMESTAMPTZ)) END, {yearless}"
        f"CASE WHEN regexp_full_match({value}, '\\d{{10,19}}(\\.\\d+)?') THEN "
        f"TRY_CAST({value} AS DOUBLE) / CASE WHEN {digits} >= 18 THEN 1e9 WHEN {digits} >= 15 THEN 1e6 "
        f"WHEN {digits} >= 12 THEN 1e3 ELSE 1 END END)"
    )


def with_error(message: str, error: str) -> str:
    """SQL: the message, then `: <error>` when a structured error field holds more than the message says.
    Of a Python traceback, the last line: the exception and its text (the rest is where it was raised)."""
    said = (
        f"CASE WHEN starts_with({error}, 'Traceback (most recent call last)') "
        f"THEN regexp_extract(rtrim({error}, chr(10)), '[^\n]*$') ELSE {error} END"
    )
    return (
        f"CASE WHEN {error} <> '' AND NOT contains({message}, {error}) "
        f"THEN {message} || ': ' || {said} ELSE {message} END"
    )


def with_status(message: str, status: str) -> str:
    """SQL: the message, then ` status=<n>` when the line's own status field says the server failed the
    request and the message does not say so."""
    return (
        f"CASE WHEN length({status}) = 3 AND {status} BETWEEN '500' AND '599' AND NOT contains({message}, {status}) "
        f"THEN {message} || ' status=' || {status} ELSE {message} END"
    )


def truncated(expr: str) -> str:
    """SQL: the message, cut at MAX_MESSAGE characters with a marker (a megabyte line is kept, not quoted whole)."""
    return (
        # strlen (bytes, known without a scan) first: only a long message has its characters counted
        f"CASE WHEN strlen({expr}) > {MAX_MESSAGE} AND length({expr}) > {MAX_MESSAGE} "
        f"THEN left({expr}, {MAX_MESSAGE}) || ' …[truncated: ' || "
        f"(length({expr}) - {MAX_MESSAGE}) || ' more characters]' ELSE {expr} END"
    )


def _json_said(col: str, name: str, blank_unsaid: bool = False) -> str:
    """SQL: what a JSON object held as text in `col` says under the first of JSON_LINE[name]'s keys it has (NULL
    when it is not an object, or has none of them; `blank_unsaid`: an empty value is none), the text parsed once
    for every key."""
    paths = "[" + ", ".join(_literal(_json_path(*column(p))) for p in JSON_LINE[name]) + "]"
    said = "x IS NOT NULL AND x <> ''" if blank_unsaid else "x IS NOT NULL"
    return (
        f"CASE WHEN left({col}, 1) = '{{' THEN "
        f"list_filter(try(json_extract_string({col}, {paths})), lambda x: {said})[1] END"
    )


def _unframed(services: tuple[str, ...], traditional: bool = False) -> str:
    """SQL: steps after `r` that read a line whose text is a syslog frame (FRAME) after its header, split once:
    its time the header's, its service the one the frame's process or app names (an instance's number left off,
    or a provider's prefix), else the line's own; its pod the process; its text what follows the header, and
    when that is a JSON object (pino's line), the message, error and level in it. The last step, `f`, has `r`'s
    columns; lines that are not frames keep theirs. A `traditional` frame (BSD_FRAME) has no year or zone in its
    time and a process id for a process: the line's own time and pod come first, then the frame's time and host."""

    def inside(name: str) -> str:
        return _json_said("fr.body", name)

    names = " ".join(f"WHEN {_literal(s.lower())} THEN {_literal(s)}" for s in services)
    # a process named for a service under its provider's prefix (Heroku's `heroku-postgres`) is that service
    longest = sorted(services, key=len, reverse=True)
    prefixed = " ".join(f"WHEN suffix(fr_proc, {_literal('-' + s.lower())}) THEN {_literal(s)}" for s in longest)
    said = with_error(f"coalesce({inside('message')}, fr.body)", inside("error"))
    parts = "['ts', 'host', 'app', 'proc', 'body']"
    frame = BSD_FRAME if traditional else FRAME
    own, framed = "nullif(ts_text, '')", "nullif(fr.ts, '')"
    ts = f"coalesce({own}, {framed})" if traditional else f"coalesce({framed}, {own})"
    # (a file's path where a pod would be names no machine: the frame's host does)
    pod = (
        "CASE WHEN fr.ts = '' THEN pod WHEN pod <> '' AND NOT starts_with(pod, '/') THEN pod ELSE fr.host END"
        if traditional
        else "coalesce(nullif(fr.proc, ''), pod)"
    )
    return f"""f0 AS (SELECT *, regexp_extract(msg0, {_literal("(?s)" + frame + "(.*)")}, {parts}) AS fr FROM r),
            f1 AS (SELECT *, lower(regexp_replace(fr.proc, '[.-][0-9]+$', '')) AS fr_proc, lower(fr.app) AS fr_app
                   FROM f0),
            f AS (SELECT * EXCLUDE (fr, fr_proc, fr_app) REPLACE (
                    {ts} AS ts_text,
                    coalesce(CASE fr_proc {names} END, CASE {prefixed} END, CASE fr_app {names} END, svc0) AS svc0,
                    {pod} AS pod,
                    coalesce(nullif(lvl0, ''), {inside("level")}, '') AS lvl0,
                    CASE WHEN fr.ts = '' THEN msg0 WHEN left(fr.body, 1) = '{{' THEN {said} ELSE fr.body END AS msg0)
                  FROM f1),"""


def _objects(before: str) -> str:
    """SQL: step `o` after `before`: a line whose text is a program's JSON line kept whole (json_lines) and that
    has no level field of its own is at the level its JSON says (JSON_LINE's keys), wherever in the line its
    logger put it (logrus sorts its keys: the level after a long error, past where a level is looked for in a
    text). Its text stays whole: the fields beside its message say which peer it was about (Caddy's request
    uri, Praefect's storage). Other lines keep theirs."""
    # (a wrapper's own level yields to the record it nests: CloudNativePG's "info" on PostgreSQL's ERROR)
    said = f"{nested_severity('msg0')}, {_json_said('msg0', 'level', blank_unsaid=True)}"
    return f"""o AS (SELECT * REPLACE (
                    CASE WHEN lvl0 = '' AND left(msg0, 1) = '{{' THEN coalesce({said}, '') ELSE lvl0 END AS lvl0)
                  FROM {before}),"""


def _uncoloured(value: str) -> str:
    """SQL: `value` without the control sequences (colours, cursor moves) the output boundary drops too."""
    return f"regexp_replace({value}, '{CSI}', '', 'g')"


def _named(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A sampled line's object without its nameless keys: SQL cannot select a key with no name, so nothing
    found in the sample (an envelope, a host's or a time's field) may be one."""
    return {k: v for k, v in pairs if k}


class _Sampled(NamedTuple):
    """What `_sample` read of a file."""

    objs: list[dict[str, Any]]  # the sampled lines that are JSON objects
    clean: bool  # every sampled line was one
    probes: list[bytes]  # the lines spread evenly through the file
    lines: float  # the file's lines, estimated from its first ones (0: none ends in its first 64 kB)
    envelope: str | None = None  # the key every line keeps its event under (objs are those events)
    listed: bool = False  # the envelope keeps each value in a list (envelopes.listed; objs are taken out of them)
    batch: bool = False  # the envelope holds a list of events a line (envelopes.batched; objs are those events)
    paged: bool = False  # the envelope is a body of Loki's streams (streams.paged; objs are its entries)


@dataclass
class _Marks:
    """One window's marks: the table, what numbers its cited lines (by IDENTITY), unreadable lines."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    table: str = ""
    numberer: Numberer | None = None
    skipped: int = 0
    sample: Sample = field(default_factory=Sample)  # which info and debug lines were shaped


class JsonlLogs:
    """read_logs backend over a logs.jsonl file ({"ts","service","pod","level","message",...})."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._con: Any = None  # a DuckDB connection, opened on first use
        self._bom = False  # the file begins with a byte-order mark (read as lines, then as JSON: _lines)
        self._marks: dict[tuple[datetime, datetime, datetime, str | None], _Marks] = {}
        self._lock = threading.Lock()

    def stats(self, q: LogQuery) -> LogStats:
        marks = self._window(q)
        name = self.path.name

        def refs(wanted: dict[int, float | None]) -> dict[int, str]:
            # numbered when a summary cites them, a few lines at a time: not the earliest line of every
            # shape of every pod, most of which no summary shows
            assert marks.numberer is not None
            with local_read():
                return {h: f"{name}:{n}" for h, n in marks.numberer.numbers(wanted).items()}

        sampled = None
        # (the rate of this service's lines, under any of its names)
        every = max(marks.sample.every.get(name, marks.sample.rest) for name in [q.service, *q.aliases])
        if every > 1:
            sampled = f"info and debug lines shaped from 1 in {every}; every line counted, errors all shaped"
        return summarise(self._cursor(), marks.table, q, name, refs, marks.skipped, sampled)

    def _cursor(self) -> Any:
        import duckdb

        with self._lock:
            if self._con is None:
                self._con = duckdb.connect(":memory:")
                # the numbering pass counts lines in the order the reader yields them: the file's
                self._con.execute("SET preserve_insertion_order = true")
                # no progress bar: a long read must not write to a brief's standard output
                self._con.execute("SET enable_progress_bar = false")
                # a time written without its zone is UTC, as CloudWatch's exports write it, whatever this machine's
                self._con.execute("SET TimeZone = 'UTC'")
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

    def _sample(self) -> _Sampled:
        """The JSON objects among the file's first lines, lines spread through it and its last line (a file
        is written by one shipper, so they show which keys its lines use), and whether every one of those
        lines was an object (the file's last line included: one being written is cut short)."""
        size = self.path.stat().st_size
        with self.path.open("rb") as f:
            head = f.read(65536)
            f.seek(max(0, size - 65536))
            tail = f.read(65536)
        self._bom = head.startswith(codecs.BOM_UTF8)
        head = head.removeprefix(codecs.BOM_UTF8)
        probes = [raw for _, raw in spread(self.path, KEY_PROBES)]
        lines = [*head.splitlines()[:-1], *probes, *tail.splitlines()[-1:]]  # (the head's last line may be cut)
        objs = []
        clean = tail.endswith(b"\n") or not tail
        for line in lines:
            if not line.strip():
                continue
            try:
                obj = json.loads(line, object_pairs_hook=_named)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                objs.append(obj)
            else:
                clean = False
        newlines = head.count(b"\n")
        count = size * newlines / len(head) if newlines else 0.0
        in_lists = in_batches = in_pages = False
        if (key := envelope(objs)) is not None:
            # (a push body's `streams` is a list too, but its entries are read as Loki's, not as a batch's events)
            in_pages = streams.paged(objs) == key
            in_batches = not in_pages and batched(objs, key)
            objs = events(objs, key)
            if in_lists := listed(objs):
                objs = [unlisted(obj) for obj in objs]
        return _Sampled(objs, clean, probes, count, key, in_lists, in_batches, in_pages)

    def _parsed(
        self, keys: list[str], found: Found = NOTHING_FOUND, tolerant: bool = True, near: datetime | None = None
    ) -> str:
        """SQL: every nonblank line of the file $path as (ts_text, lvl, ts, service, pod, level, msg), reading only
        these top-level keys (as text: an object's or a number's JSON text, a string's value, what
        json_extract_string gives): IDENTITY tells lines apart by them; ts is NULL when the line is not
        a JSON object or has none of the time fields. DuckDB parses each line once, in parallel.
        The fields `found` in a sample of the file (the host, the text, the time of a shipper this reader
        does not know) are read after those it knows; a host by its name (host_name). Not `tolerant`, a
        line that is not a JSON object fails the read instead of being counted as unreadable: DuckDB's
        tolerance of bad lines costs a tenth of the read, paid only where the sample shows one. A time
        without a year is read as of the year that puts it near `near` (epoch_seconds)."""
        keys = deduped([*found.keys(), *keys])  # (the file's own spellings first)
        pick = {}
        for name, group in FIELDS.items():
            got = []
            for path in group:
                for flat in flat_keys(path):
                    if (as_spelt := spelt(keys, flat)) is not None:
                        got.append(_ident(as_spelt))  # the path flattened into one key
                key, inner = column(path)
                if (as_spelt := spelt(keys, key)) is None:
                    if found.pair(key) is not None and inner is not None and "[" not in inner:
                        # a map the file writes as a keys' list and a values' list (SigNoz's older table)
                        got.append(_found_value(path, keys, found))
                    continue
                if name == "message" and as_spelt == found.inner:  # a collector's record: its own message is read
                    continue
                value = _value(_ident(as_spelt), inner, worst=name == "level")
                if path == INSIGHTS_LEVEL:
                    value = upward_level(value, INSIGHTS_SCALE)
                got.append(value)
            # then the same fields in an object the line carries as text: where the line has none of its own
            if found.inner is not None:
                text = _ident(found.inner)
                got += [_value(text, within, worst=name == "level") for within in _inside(group, found)]
            if name == "pod" and found.host is not None:
                host = _found_value(found.host, keys, found)
                named = f"lower(split_part(split_part({host}, '.', 1), ':', 1))"
                # (a container's log file: its pod, as host_name reads it)
                pods = [f"nullif(regexp_extract({host}, {_literal(CONTAINER_LOG)}, {i}), '')" for i in (1, 2)]
                pod = f"lower(coalesce({', '.join(pods)}, {named}))"
                named = f"(CASE WHEN starts_with({host}, '/var/log/') THEN {pod} ELSE {named} END)"
                if found.stack is not None:  # a Compose container: its name without the stack's (a literal)
                    cut, rest = _literal(found.stack.lower()), f"{named}[{len(found.stack) + 1}:]"
                    named = f"(CASE WHEN starts_with({named}, {cut}) THEN {rest} ELSE {named} END)"
                # first: it was found because the fields this reader knows name no service (or are absent)
                got.insert(0, named)
            if name in ("service", "pod"):  # what the fields found to name a line's service give (owners)
                got += [_owner(o, keys, found, name == "pod") for o in found.owners if o.server or name == "service"]
            if name == "pod" and found.tags is not None:  # a pod tag outranks a host: that is its node
                got.insert(0, f"nullif(regexp_extract({_ident(found.tags)}, {_literal(_POD_TAG)}, 1), '')")
            if (extra := {"message": found.text or found.inner, "ts": found.time}.get(name)) is not None:
                got.append(_ident(extra))
            if name == "ts" and found.zoned is not None and (zoned := spelt(keys, found.zoned)) is not None:
                got.insert(0, _ident(zoned))  # a zoned time before a wall clock (zoned_time)
            if name == "message" and found.blank:  # an empty field says nothing: the next one is read
                got = [f"nullif({g}, '')" for g in got]
            pick[name] = "coalesce(" + ", ".join([*got, "''"]) + ")"
        if found.encoded:  # a text protobuf's JSON wrote in base64 (texts.decoded_texts): read decoded, first
            pick["message"] = _from_base64(pick["message"])
        if found.swarm is not None:  # a Swarm task's container: its service's pod, named as a deployment's is
            task = _literal(f"^{re.escape(found.swarm)}" + SWARM_TASK.pattern.removeprefix("^"))
            pick["pod"] = f"regexp_replace({pick['pod']}, {task}, '\\1-\\2-\\3')"
        if found.ascending:  # numbered up with severity, not syslog's way
            pick["level"] = upward_level(pick["level"], UPWARD_SCALE)
        elif found.windows:  # the event log's own numbers (a record without LevelDisplayName's words)
            pick["level"] = upward_level(pick["level"], WINDOWS_SCALE)
        elif found.severity:  # OpenTelemetry's severity numbers (Logfire's level)
            pick["level"] = upward_level(pick["level"], SEVERITY_SCALE)
        if found.streams:  # a stream is not a level: each line's is read from its text (spelt_level)
            pick["level"] = "''"
        if found.led:  # the time a capture wrote in front of each line, where no field holds one
            lead = f"nullif(regexp_extract({pick['message']}, {_literal(TIME_LEAD)}, 1), '')"
            pick["ts"] = f"coalesce(nullif({pick['ts']}, ''), {lead})"
        if found.runtime:  # a container runtime's line: the program's is after its prefix
            pick["message"] = f"regexp_replace({pick['message']}, {_literal(RUNTIME_PREFIX)}, '')"
        elif found.led:
            pick["message"] = f"regexp_replace({pick['message']}, {_literal(TIME_LEAD)}, '')"
        if found.headed:  # ASP.NET Core's event log header above the message: read after it
            said = pick["message"]
            header = f"regexp_replace({said}, {_literal(EVENTLOG_HEADER)}, '')"
            pick["message"] = f"CASE WHEN starts_with({said}, 'Category: ') THEN {header} ELSE {said} END"
        if found.coloured:  # a terminal's colour codes (`ESC[31m`) say how a word looked, not what it says
            pick["level"], pick["message"] = _uncoloured(pick["level"]), _uncoloured(pick["message"])
        columns = "{" + ", ".join(f"{_literal(k)}: 'VARCHAR'" for k in keys) + "}"
        if found.envelope == otlp.BATCH_KEY or (found.paged and found.envelope is not None):
            columns = "{" + f"{_literal(found.envelope)}: 'JSON'" + "}"
        elif found.batch and found.envelope is not None:  # its events' keys, and the line's own beside them
            struct = "STRUCT(" + ", ".join(f"{_ident(k)} VARCHAR" for k in keys) + ")[]"
            beside = [f"{_literal(k)}: 'VARCHAR'" for k in keys if k != found.envelope]
            columns = "{" + ", ".join([f"{_literal(found.envelope)}: {_literal(struct)}", *beside]) + "}"
        elif found.envelope is not None:  # the keys read inside it, each as text, then taken out of it
            kind = "VARCHAR[]" if found.listed else "VARCHAR"
            struct = "STRUCT(" + ", ".join(f"{_ident(k)} {kind}" for k in keys) + ")"
            columns = "{" + f"{_literal(found.envelope)}: {_literal(struct)}" + "}"
        source = f"""read_json($path, format='newline_delimited', columns={columns},
                               ignore_errors={str(tolerant).lower()}, maximum_object_size={MAX_LINE_BYTES})"""
        if (self._bom or found.templated) and found.envelope is None:
            source = _lines(keys, found.templated)
        if found.envelope == otlp.BATCH_KEY:  # a row per record, with the line of its batch (what its citation numbers)
            source = otlp.records_sql(keys, source, _ident, _literal)
        elif found.paged and found.envelope is not None:  # a row per entry of its streams, with its body's line
            source = streams.entries_sql(found.envelope, keys, source, _ident, _literal)
        elif found.batch and found.envelope is not None:  # a row per event, its own field first, then its line's
            own = ", ".join(f"coalesce(ev.{i}, {i}) AS {i}" for i in map(_ident, keys) if i != _ident(found.envelope))
            source = f"""(SELECT line_no, {own} FROM (
                           SELECT *, unnest(coalesce({_ident(found.envelope)}, [NULL])) AS ev FROM (
                             SELECT row_number() OVER () AS line_no, * FROM {source})))"""
        elif found.envelope is not None:
            source = f"(SELECT unnest({_ident(found.envelope)}) FROM {source})"
            if found.listed:  # each value out of its list, as envelopes.unlisted takes it
                out = ", ".join(f"nullif(array_to_string({_ident(k)}, ' '), '') AS {_ident(k)}" for k in keys)
                source = f"(SELECT {out} FROM {source})"
        if found.coded is not None:  # each line's event in base64 (texts.coded_records): decoded before it is read
            coded = _ident(found.coded)
            source = f"(SELECT * REPLACE ({_from_base64(coded)} AS {coded}) FROM {source})"
        line_no = ", line_no" if found.many_a_line else ""
        # most lines have no error field: only the others pay for finding it and appending it
        errors = [_ident(k) for k in keys if k.lower() in ERROR_KEYS]
        if found.inner is not None and _inside(FIELDS["error"], found):
            # (a record kept as text in one field keeps what it caught inside it too: Log Analytics' json_payload)
            errors.append(_ident(found.inner))
        none = " AND ".join(f"{e} IS NULL" for e in errors) or "true"
        error = f"CASE WHEN {none} THEN NULL ELSE {pick['error']} END"
        # a collector guessed the level from the words: the level the line's own header states comes first
        level = f"coalesce({header_level('msg0')}, lvl0)" if found.guessed else "lvl0"
        # a line with no service field of its own: the last part of its log group's name (before a file's path)
        service = f"""CASE WHEN suffix(svc0, '.service') THEN svc0[:-9] WHEN svc0 <> '' THEN svc0
                      ELSE regexp_extract(regexp_replace(group0, {_literal(GROUP_FILE)}, ''), '([^/]+)/*$', 1) END"""
        # the steps after `r` that only some files need, and the last step before `m`: a syslog frame's header,
        # then a program's JSON line kept whole (its level)
        steps, last = "", "r"
        if found.framed:
            steps, last = _unframed(found.framed, found.traditional), "f"
        if found.objects:
            steps, last = steps + _objects(last), "o"
        # in steps, each naming what the one before worked out: written as one expression, the message's
        # steps repeat each other's text (tens of kilobytes of SQL, planned for every numbering read)
        return f"""(
            WITH r AS (
              SELECT {pick["ts"]} AS ts_text, {pick["service"]} AS svc0, {pick["group"]} AS group0{line_no},
                     {pick["pod"]} AS pod, {pick["level"]} AS lvl0, {pick["message"]} AS msg0,
                     {error} AS err0, {pick["http_status"]} AS status0
              FROM {source}),
            {steps}
            m AS (SELECT *, CASE WHEN err0 IS NULL THEN msg0 ELSE {with_error("msg0", "err0")} END AS msg1
                  FROM {last}),
            s AS (SELECT *, {with_status("msg1", "status0")} AS msg2 FROM m),
            g AS (SELECT ts_text, {service} AS service, pod, {level} AS lvl, msg0, {truncated("msg2")} AS msg{line_no}
                  FROM s)
            SELECT ts_text, lvl, {epoch_seconds("ts_text", near)} AS ts, service, pod,
                   {spelt_level("msg0", "msg", "lvl")} AS level, msg{line_no} FROM g)"""

    def _read(self, marks: _Marks, q: LogQuery, table: str) -> None:
        import duckdb

        if not self.path.exists():
            raise ToolError(f"log file {self.path.name} not found")
        cur = self._cursor()
        ahead = Ahead(self.path)  # the numbering's counting, while the file is read
        sampled = self._sample()
        keys = used_keys(sampled.objs)
        found = Found.in_sample(sampled.objs, q.known, sampled.envelope, sampled.listed, sampled.batch, sampled.paged)
        # (the sample's spellings and flattened keys first)
        every_key = deduped([*(keys or []), *all_keys()])
        shaped = self._shaped(cur, sampled, keys or every_key, found, q.end)
        for attempt in [keys, every_key] if keys and keys != every_key else [every_key]:
            # strictly first when every sampled line was an object; a bad line the sample missed fails that
            # read, and the file is read again counting such lines
            for tolerant in (False, True) if sampled.clean else (True,):
                parsed = self._parsed(attempt, found, tolerant, q.end)
                sql, params = marks_sql(parsed, q, identity=IDENTITY, sample=shaped)
                try:
                    cur.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}", {**params, "path": str(self.path)})
                    break
                except duckdb.Error as e:
                    if not tolerant and isinstance(e, duckdb.InvalidInputException):
                        continue
                    raise ToolError(f"{self.path.name} could not be read: {str(e)[:300]}") from None
            # the numbering reads stretches of a file that may have grown
            parsed = self._parsed(attempt, found, near=q.end)
            (skipped, incomplete) = cur.execute(
                f"""SELECT coalesce(sum(n) FILTER (WHERE period = {UNREADABLE}), 0),
                           count(*) FILTER (WHERE masked = '' OR (service = '' AND pod = ''))
                    FROM {table}"""
            ).fetchone()
            # a line that reads as lacking its time, text or service may use a key the sample did not
            # show: read the file again with every key this reader knows
            if not (skipped or incomplete):
                break

        # (a batch's records are cited by the line of their batch)
        ordinal = "line_no" if found.many_a_line else "row_number() OVER ()"

        def identify(path: Path, want: list[int] | None) -> list[tuple[int, int, float | None]]:
            only = "WHERE hl IN (SELECT unnest($want))" if want is not None else ""
            rows = (
                self._cursor()
                .execute(
                    f"SELECT * FROM (SELECT {ordinal} AS i, {IDENTITY} AS hl, ts FROM {parsed}) {only}",
                    {"path": str(path), **({"want": want} if want is not None else {})},
                )
                .fetchall()
            )
            return [(int(i), int(h), t) for i, h, t in rows]

        marks.numberer = Numberer(self.path, identify, ahead)
        marks.skipped = int(skipped)
        marks.sample = shaped
        marks.table = table

    def _shaped(self, cur: Any, sampled: _Sampled, keys: list[str], found: Found, near: datetime) -> Sample:
        """Which info and debug lines to shape: all of a file of up to SHAPED_LINES lines; of a larger
        one, about SHAPED_PER_SERVICE of each large service's (sized by the probe lines spread through
        the file, read as the scan reads them) and the rest of the budget shared by the others'."""
        lines = sampled.lines
        if lines <= SHAPED_LINES:
            return Sample()
        routine = tuple(routine_levels(sampled.objs))
        seen, probes = self._probed(cur, sampled.probes, keys, found, routine, near)
        per = lines / max(1, probes)  # lines each probe stands for
        # the largest at their own rate, as many as take half the sample at most (each is a branch of
        # an expression every line pays for)
        most = SHAPED_LINES // (2 * SHAPED_PER_SERVICE)
        large = sorted(((n, s) for s, n in seen.items() if n >= LARGE_PROBES), reverse=True)[:most]
        every = {s: math.ceil(n * per / SHAPED_PER_SERVICE) for n, s in large}
        rest = max(0.0, lines - sum(n for n, _ in large) * per)
        budget = SHAPED_LINES - len(large) * SHAPED_PER_SERVICE
        return Sample(
            rest=max(1, math.ceil(rest / budget)),
            every={s: n for s, n in every.items() if n > 1},
            routine=routine,
        )

    def _probed(
        self, cur: Any, probes: list[bytes], keys: list[str], found: Found, routine: tuple[str, ...], near: datetime
    ) -> tuple[dict[str, int], int]:
        """The routine lines among the probes, per service, and the probes read: through the same parse as
        the scan (DuckDB reads files, so they are written to one), so each line's service is the one the
        scan will give it."""
        import duckdb

        with tempfile.NamedTemporaryFile(suffix=".jsonl") as f:
            f.write(b"\n".join(line.rstrip(b"\r\n") for line in probes) + b"\n")
            f.flush()
            try:
                rows = cur.execute(
                    f"SELECT service, count(*) FILTER (WHERE {one_of('level', routine)}), count(*) "
                    f"FROM {self._parsed(keys, found, near=near)} GROUP BY service",
                    {"path": f.name},
                ).fetchall()
            except duckdb.Error:  # probes that cannot be read size nothing: the budget is shared evenly
                return {}, len(probes)
        return {str(s): int(n) for s, n, _ in rows if n}, sum(int(t) for _, _, t in rows)
