"""The schedules a change sets, read from its new value: how often something then runs (an interval,
a period) and when a job set to a clock time first runs. What a change to a schedule does happens when
that schedule first fires, which can be hours after the change."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from oncall.tools.read_changes import Change

# a setting that says how often something runs (an interval, a period, a schedule), and the value it gets
_SCHEDULED = re.compile(r"(?:interval|period|schedule|frequency|every)\w*[\"']?\s*[:=]?\s*[\"']?([\w:.]+)", re.I)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", re.I)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def schedule_set(change: Change) -> timedelta | None:
    """How often a change makes something run, when it sets a schedule (`ScavengingInterval = 01:00:00`,
    `interval: 30m`, `period = PT1H`): what it changed acts when that first fires. None otherwise."""
    m = _SCHEDULED.search(str(change.to or ""))
    return _duration(m[1]) if m else None


# A cron schedule with a fixed minute and hour, daily or on some days of the week (`0 9 * * *`, `30 2 * * 1-5`)
_CRON = re.compile(r"(?<![\w*/-])([0-5]?\d) ([01]?\d|2[0-3]) \* \* (\*|[0-6](?:-[0-6])?(?:,[0-6])*)(?![\w*/-])")


# A systemd timer's OnCalendar with a fixed time, daily or on some days of the week (`*-*-* 09:41:00`,
# `Mon..Fri *-*-* 02:30`): a cron schedule in systemd's words
_WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_DAY = "(?:" + "|".join(_WEEKDAYS) + ")"
_ONCALENDAR = re.compile(rf"(?:({_DAY}(?:(?:\.\.|,){_DAY})*)\s+)?\*-\*-\*\s+([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?\b")


def _clock_time(text: str) -> tuple[int, int, set[int]] | None:
    """(minute, hour, days of the week, 0 Sunday) of a schedule with a fixed clock time, cron's or systemd's."""
    if m := _CRON.search(text):
        return int(m[1]), int(m[2]), _days(None if m[3] == "*" else m[3], "-", int)
    if m := _ONCALENDAR.search(text):
        return int(m[3]), int(m[2]), _days(m[1], "..", _WEEKDAYS.index)
    return None


def _days(spec: str | None, to: str, number: Callable[[str], int]) -> set[int]:
    """The days of the week a list of days and ranges names (`1-5,0` in cron's numbers, `Mon..Fri,Sun` in
    systemd's names, each day read by `number`); every day without one."""
    if not spec:
        return set(range(7))
    days: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.partition(to)
        days |= set(range(number(lo), number(hi or lo) + 1))
    return days


def first_firing(change: Change) -> datetime | None:
    """When a change that set the clock time a job runs (a cron schedule or a systemd timer with a fixed
    minute and hour) first made it run: the first such time after the change (the schedule's own zone, UTC,
    as servers keep it). None when it sets no such schedule."""
    found = _clock_time(str(change.to or ""))
    if found is None:
        return None
    minute, hour, days = found
    at = change.ts.astimezone(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    for _ in range(8):
        if at > change.ts and (at.isoweekday() % 7) in days:
            return at
        at += timedelta(days=1)
    return None


# a time zone named as the IANA database names one (`Asia/Tokyo`, `America/Sao_Paulo`), as schedulers take it
_ZONE = re.compile(
    r"\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z_]+(?:/[A-Za-z_]+)?"
)
ON_TIME = timedelta(minutes=2)  # a scheduler's own lag: it acts within a minute or two of its time


def fired_on_schedule(change: Change) -> bool:
    """Whether a change is its own schedule firing: it names a clock-time schedule (cron's or systemd's, in
    the zone it names, else UTC) and landed at that time. A scheduler acting on a schedule (a cron scaler's
    night replicas, a timer's job) does what it is planned to do, every day; a change that only sets a
    schedule lands at any time, and acts later (first_firing)."""
    text = f"{change.to or ''} {change.diff or ''}"
    found = _clock_time(text)
    if found is None:
        return False
    minute, hour, days = found
    zone: tzinfo = UTC
    if m := _ZONE.search(text):
        try:
            zone = ZoneInfo(m[0])
        except (ZoneInfoNotFoundError, ValueError):
            return False  # a zone it cannot read: when it fires is not known
    local = change.ts.astimezone(zone)
    planned = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return (local.isoweekday() % 7) in days and abs(local - planned) <= ON_TIME


def _duration(text: str) -> timedelta | None:
    """A duration as .NET's TimeSpan (`[d.]hh:mm:ss`), Go's and Prometheus' (`1h30m`) or ISO 8601's
    (`PT1H30M`) write it; None when it is none of them, or zero."""
    seconds: float | None = None
    if m := re.fullmatch(r"(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?", text):
        seconds = int(m[1] or 0) * 86400 + int(m[2]) * 3600 + int(m[3]) * 60 + int(m[4])
    elif re.fullmatch(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+", text, re.I):
        seconds = sum(float(n) * _UNITS[u.lower()] for n, u in _DURATION.findall(text))
    elif m := re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text, re.I):
        seconds = int(m[1] or 0) * 86400 + int(m[2] or 0) * 3600 + int(m[3] or 0) * 60 + int(m[4] or 0)
    return timedelta(seconds=seconds) if seconds else None
