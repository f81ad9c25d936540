"""What world 40's first contact taught (a classifieds marketplace on virtual machines whose rsyslog template
kept rsyslog's default time format; written after world 39's rules and scored before any rule saw it): 12, 12,
10 and 11 right of 14 on seeds 1 to 4, no wrong HIGH, and not one HIGH either: no log line could be read, for
their time (`Jan 19 05:41:12`, RFC 3164) names no year and no zone, so every brief stood on metrics, changes
and traces alone and said that the logs were unreadable; the nightly backup (no incident) became "not
enough evidence". Syslog's traditional time is a time: UTC, like any time here without a zone, in the year
that puts it within the eleven months before the time asked about or the month after it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.embedded import JsonlLogs


def _stats(tmp_path: Path, lines: list[tuple[str, str, str]], start: datetime, minutes: int = 30) -> LogStats:
    """read_logs of service api over lines (ts as written, level, message), for the window from `start`."""
    path = tmp_path / "logs.jsonl"
    rows = [{"ts": ts, "service": "api", "pod": "api-01", "level": lvl, "message": msg} for ts, lvl, msg in lines]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    q = LogQuery(
        service="api",
        start=start,
        end=start + timedelta(minutes=minutes),
        baseline_start=start - timedelta(hours=6),
        known=["api"],
    )
    return JsonlLogs(path).stats(q)


def test_a_syslog_time_without_a_year_is_read_in_the_year_of_the_question(tmp_path: Path) -> None:
    lines = [(f"Feb  6 0{h}:{m:02d}:00", "info", f"GET /api/listings/{h}{m} 200") for h in range(4) for m in (0, 30)]
    lines += [("Feb  6 03:41:12", "err", "could not translate host name to address"), ("Feb  6 03:41:13", "err", "x")]
    lines += [("Feb  6 03:45:01.250", "err", "could not translate host name to address")]  # a fraction, as some write
    stats = _stats(tmp_path, lines, datetime(2026, 2, 6, 3, 30, tzinfo=UTC))
    assert stats.skipped_lines == 0 and stats.levels.get("ERROR") == 3
    (lookup,) = [t for t in stats.templates if "translate host name" in t.template]
    assert lookup.count == 2 and lookup.first_seen == datetime(2026, 2, 6, 3, 41, 12, tzinfo=UTC)
    assert stats.baseline_total == 7  # the six hours before: its info lines from midnight (the padded day)


def test_a_line_of_the_last_night_of_december_asked_about_on_new_year_is_of_the_year_before(tmp_path: Path) -> None:
    lines = [("Dec 31 23:50:00", "err", "payment declined: card expired"), ("Jan  1 00:10:00", "err", "disk full")]
    stats = _stats(tmp_path, lines, datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
    (declined,) = [t for t in stats.templates if "declined" in t.template]
    (full,) = [t for t in stats.templates if "disk full" in t.template]
    assert declined.count == 0 and declined.baseline_count == 1  # 2026's last night, not 2027's
    assert full.count == 1 and full.first_seen == datetime(2027, 1, 1, 0, 10, tzinfo=UTC)


def test_words_that_only_begin_like_a_syslog_time_are_not_one(tmp_path: Path) -> None:
    lines = [("Jan 19 release", "err", "boom"), ("Jan 19 05:41", "err", "boom"), ("January 19 05:41:12", "err", "b")]
    stats = _stats(tmp_path, lines, datetime(2026, 1, 19, 5, 30, tzinfo=UTC))
    assert stats.skipped_lines == 3 and not stats.levels
