"""Which field of a file's lines holds their time, when the shipper is not one this reader knows: a field
named as a time whose values read as one (RFC 3339, epoch numbers, .NET's /Date()/), and, of two, the one that
keeps its zone (zoned_time)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from oncall.tools.read_logs.fields import FIELDS, has_field


def time_field(sample: list[dict[str, Any]]) -> str | None:
    """A top-level field of a shipper this reader does not know that holds each line's time: of the sampled
    lines with no time field it knows, the field whose values read as a date and time on at least half of
    them; of several, the one that is the earliest on most lines (a line's own time comes first: a later one
    is when it was received or shipped, NXLog's EventReceivedTime after EventTime). Only those lines: a
    shipper that merges a JSON line's fields into its event (Better Stack, New Relic) gives a program's
    own `time` to its JSON lines alone, and its own time field is what dates every other line."""
    untimed = [obj for obj in sample if not has_field(obj, "ts")]
    if not untimed:
        return None
    reads: dict[str, int] = {}
    earliest: dict[str, int] = {}
    for obj in untimed:
        times = {k: t for k, v in obj.items() if (t := as_time(v, TIME_NAMED.search(k) is not None)) is not None}
        for k in times:
            reads[k] = reads.get(k, 0) + 1
        if times:
            first = min(times, key=lambda k: (times[k], k))
            earliest[first] = earliest.get(first, 0) + 1
    candidates = [k for k, n in reads.items() if n * 2 >= len(untimed)]
    return max(candidates, key=lambda k: (earliest.get(k, 0), k), default=None)


# syslog's traditional time (RFC 3164, rsyslog's and syslogd's default): `Jan 19 05:41:12`, `Feb  6 00:22:02`
SYSLOG_TIME = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d\d:\d\d:\d\d(\.\d+)?"
# a time written with its zone: RFC 3339's `Z` or an offset after it
_ZONE = re.compile(r"(?:[Zz]|[+-]\d\d:?\d\d)$")


def _wall_clock(value: Any) -> bool:
    """A syslog header's time (`Jun 14 06:02:11`): the sender's wall clock, its zone and year unsaid. (An ISO time
    without a zone is not taken for one: exports write UTC so, beside a shipper's later time of its own.)"""
    return isinstance(value, str) and re.fullmatch(SYSLOG_TIME, value) is not None


def _zoned(value: Any) -> bool:
    """A time that names its instant: written with its zone, or an epoch number (UTC by definition)."""
    if isinstance(value, str) and _ZONE.search(value):
        return True
    return _EPOCH.fullmatch(str(value)) is not None


def zoned_time(sample: list[dict[str, Any]]) -> str | None:
    """The time field to read before the one FIELDS lists first, when that one is a wall clock: on at least half
    of the sampled lines, the first time field of FIELDS they carry is a syslog header's time (the sender's local
    clock, no zone, no year) and a later one is written with its zone or as an epoch number (Logstash's
    `@timestamp`). A zoned time names the instant; a wall clock names it only in a zone the line does not say."""
    tops = [p for p in FIELDS["ts"] if "." not in p]
    votes: Counter[str] = Counter()
    for obj in sample:
        present = [k for k in tops if obj.get(k) not in (None, "")]
        if len(present) >= 2 and _wall_clock(obj[present[0]]):
            zoned = next((k for k in present[1:] if _zoned(obj[k])), None)
            if zoned is not None:
                votes[zoned] += 1
    best = votes.most_common(1)
    return best[0][0] if best and best[0][1] * 2 >= len(sample) else None


# a field whose name says it holds a time: Sumo Logic's _messagetime, eventTime, timestamp_ms, created_at
TIME_NAMED = re.compile(r"(?i)time|date|epoch|(^|[_.])ts($|[_.])|value_at$")
# an epoch number's digits: seconds, milliseconds, microseconds, nanoseconds (as epoch_seconds reads them)
_EPOCH = re.compile(r"\d{10}(\d{3}){0,3}(\.\d+)?")
_EPOCH_YEARS = (946_684_800, 4_102_444_800)  # 2000 to 2100
# .NET's JSON date (Windows PowerShell 5.1's ConvertTo-Json, DataContractJsonSerializer): `/Date(ms)/`, the
# milliseconds since the epoch in UTC (group 1) and optionally the writer's offset, which moves nothing
DOTNET_DATE = re.compile(r"/Date\((-?\d{1,15})(?:[+-]\d{4})?\)/")


def as_time(value: Any, named: bool = False) -> float | None:
    """Seconds since the epoch of a date and time written as text (ISO 8601 or RFC 3339, with or without
    a zone: without one it is UTC, as the reader takes it), else None. A number is taken only from a
    field whose name says it is a time (`named`): elsewhere a count or an id reads as an epoch as
    readily as a time does."""
    if named and isinstance(value, int | float | str) and not isinstance(value, bool) and _EPOCH.fullmatch(str(value)):
        digits = len(str(value).split(".")[0])
        seconds = float(value) / 10 ** (digits - 10)
        return seconds if _EPOCH_YEARS[0] <= seconds < _EPOCH_YEARS[1] else None
    if isinstance(value, str) and (m := DOTNET_DATE.fullmatch(value)) is not None:
        return int(m.group(1)) / 1000
    if not isinstance(value, str) or len(value) < 16 or ":" not in value or not value[:4].isdigit():
        return None
    # the zone named after the time, as Better Stack's export and Ruby's Time#to_s write UTC (DuckDB reads it)
    value = value.removesuffix(" UTC").removesuffix(" GMT")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()
