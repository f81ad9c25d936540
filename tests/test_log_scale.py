"""The embedded log reader at scale (issue 18): the cited lines are numbered without a second read of
the whole file, info lines of a very large file are shaped from a sample while every line is still
counted, and a key the sampled lines never use is still read."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oncall.tools.read_logs import LogQuery, LogStats, embedded, numbering
from oncall.tools.read_logs.embedded import JsonlLogs
from oncall.tools.read_logs.levels import routine_levels

T0 = datetime(2026, 11, 17, 3, 0, tzinfo=UTC)
WINDOW = (T0 + timedelta(minutes=30), T0 + timedelta(minutes=60))


def _line(minute: float, message: str, level: str = "info", **extra: str) -> str:
    ts = (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps({"ts": ts, "service": "api", "pod": "api-1", "level": level, "message": message, **extra})


def _stats(path: Path) -> LogStats:
    q = LogQuery(service="api", start=WINDOW[0], end=WINDOW[1], baseline_start=T0, known=["api"])
    return JsonlLogs(path).stats(q)


def _queries(*services: str) -> list[LogQuery]:
    """One query per service of a file that holds these services' lines."""
    known = list(services)
    return [LogQuery(service=s, start=WINDOW[0], end=WINDOW[1], baseline_start=T0, known=known) for s in services]


def _cited(path: Path, stats: LogStats, fragment: str) -> str:
    """The line of the file that the template whose sample holds `fragment` cites."""
    (t,) = [t for t in stats.templates if fragment in t.sample]
    number = int(t.sample_ref.rsplit(":", 1)[1])
    return path.read_bytes().split(b"\n")[number - 1].decode()


@pytest.fixture
def probed(monkeypatch):
    """Force the probing path on a small file: probes every few lines instead of every few hundred kB."""
    monkeypatch.setattr(numbering, "READ_WHOLE", 0)
    monkeypatch.setattr(numbering, "PROBES", 64)


def test_cited_lines_are_numbered_by_probing_near_their_time(tmp_path, probed):
    lines = []
    for i in range(3000):
        minute = i * 60 / 3000
        lines.append(_line(minute, f"GET /items/{i} 200 {i % 90}ms"))
        if i % 500 == 7:
            lines.append("")  # blank lines count in the numbering
        if i == 1900:
            lines.append(_line(minute, "connection refused to db:5432", "error") + "\r")  # CRLF ending
    # written out of time order: a line far from its neighbours' time is still found (the whole file)
    lines.insert(40, _line(55.5, "upstream reset by peer", "error"))
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")

    stats = _stats(path)
    assert "connection refused to db:5432" in _cited(path, stats, "connection refused")
    assert "upstream reset by peer" in _cited(path, stats, "upstream reset")
    # a steady info shape cites its first line in the window (the 1,500th request), not some other line
    assert json.loads(_cited(path, stats, "GET /items"))["message"] == "GET /items/1500 200 60ms"


def test_info_lines_of_a_very_large_file_are_shaped_from_a_sample_and_every_line_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "SHAPED_LINES", 500)  # as if this file were tens of millions of lines
    lines = []
    for i in range(6000):
        minute = i * 60 / 6000
        shape = ("GET /items/{} 200 {}ms", "POST /orders/{} 201 {}ms", "cache hit for key {} in {}us")[i % 3]
        lines.append(_line(minute, shape.format(i, i % 97)))
    lines.append(_line(44.0, "payment declined: card 4242 expired", "error"))
    lines.append(_line(45.0, "payment declined: card 5555 expired", "error"))
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")

    stats = _stats(path)
    info = 3000  # the window's half of the 6,000 info lines
    (declined,) = [t for t in stats.templates if t.level == "ERROR"]
    assert declined.count == 2 and "card 4242" in _cited(path, stats, "payment declined")  # errors: exact
    shapes = [t for t in stats.templates if t.level == "INFO"]
    assert len(shapes) == 3 and abs(sum(t.count for t in shapes) - info) <= len(shapes)  # scaled to the count
    assert all(abs(t.count - 1000) < 250 for t in shapes), [t.count for t in shapes]
    assert stats.sampled and "1 in 13" in stats.sampled


def test_a_very_large_file_s_window_lines_the_sample_did_not_take_are_counted_not_fatal(tmp_path, monkeypatch):
    """A service whose few info lines in the window all fall outside the sample (it went quiet: the moment an
    incident is asked about) has them counted under a shape with no line to show, not a failed read."""
    monkeypatch.setattr(embedded, "SHAPED_LINES", 500)
    lines = [_line(i * 30 / 6000, f"GET /items/{i} 200 {i % 97}ms") for i in range(6000)]  # the baseline's
    lines += [_line(40 + i, f"GET /items/{i} 200 5ms") for i in range(3)]
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    stats = _stats(path)
    assert stats.levels == {"INFO": 3} and stats.sampled
    (quiet,) = [t for t in stats.templates if t.count]
    assert quiet.count == 3 and not quiet.sample


def test_a_quiet_service_of_a_very_large_file_keeps_its_rare_shapes_beside_a_chatty_one(tmp_path, monkeypatch):
    """The sample is bounded per service: a chatty service's info lines are shaped from about
    SHAPED_PER_SERVICE of them, and what is left of the budget shapes a quiet service's every line, so
    its three lines of a rare shape are counted exactly instead of falling between the sampled ones."""
    monkeypatch.setattr(embedded, "SHAPED_LINES", 1000)  # as if this file were tens of millions of lines
    monkeypatch.setattr(embedded, "SHAPED_PER_SERVICE", 500)
    lines = []
    for i in range(6000):
        lines.append(_line(i * 60 / 6000, f"GET /items/{i} 200 {i % 97}ms"))  # api: chatty
        if i % 20 == 0:
            quiet = f"cache warmed from snapshot {i}" if i in (4000, 4400, 4800) else f"tick {i} ok"
            lines.append(json.dumps(json.loads(_line(i * 60 / 6000, quiet)) | {"service": "ledger", "pod": "ledger-1"}))
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")

    logs = JsonlLogs(path)
    api, ledger = (logs.stats(q) for q in _queries("api", "ledger"))
    (warmed,) = [t for t in ledger.templates if "cache warmed" in t.template]
    assert warmed.count == 3 and "cache warmed from snapshot 4000" in _cited(path, ledger, "cache warmed")
    assert ledger.levels["INFO"] == 150 and ledger.sampled is None  # the window's half of its 300, all shaped
    rate = int(re.search(r"1 in (\d+)", api.sampled or "").group(1))  # type: ignore[union-attr]
    assert 10 <= rate <= 15  # 6,000 lines shaped from about 500 (the file's size is estimated)
    assert abs(sum(t.count for t in api.templates) - 3000) <= len(api.templates)  # and scaled to the count


def test_a_level_read_from_the_file_stays_text_in_the_sample_s_query(tmp_path, monkeypatch):
    """A level spelling is read from the file and named in the SQL that picks the sampled lines: one
    holding a quote is matched as the text it is, not read as SQL."""
    monkeypatch.setattr(embedded, "SHAPED_LINES", 500)
    odd = "info' OR true OR 'x"
    lines = [_line(i * 60 / 3000, f"GET /items/{i} 200", ("info", odd)[i % 2]) for i in range(3000)]
    lines.append(_line(45.0, "payment declined: card 4242 expired", "error"))
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    stats = _stats(path)
    assert stats.levels["ERROR"] == 1 and abs(stats.levels["INFO"] - 1500) <= 3
    assert stats.sampled  # the quoted spelling is a routine one, sampled like the rest, and nothing failed


def test_the_routine_levels_a_large_file_samples_are_spelt_as_it_writes_them():
    # the scan groups lines by their level as written and names it per mark, so the info lines it shapes
    # from a sample are picked by the file's own spellings: lower-case info is as routine as INFO
    routine = set(routine_levels([{"level": "info"}, {"level": "Information"}, {"level": 30}, {"level": "error"}]))
    assert {"info", "Information", "30", "INFO", "DEBUG"} <= routine
    assert not routine & {"error", "ERROR"}


def test_a_key_the_sampled_lines_never_use_is_still_read(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "KEY_PROBES", 2)
    lines = [_line(i * 60 / 4000, f"GET /items/{i} 200 5ms") for i in range(4000)]
    odd = json.loads(_line(50.0, "", "error"))
    del odd["message"]
    odd["msg"] = "disk quota exceeded on /var/lib/data"  # another shipper's spelling, once
    lines.insert(3500, json.dumps(odd))
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")

    stats = _stats(path)
    assert "disk quota exceeded" in _cited(path, stats, "disk quota")


def test_a_small_file_is_numbered_with_its_blank_lines_counted(tmp_path):
    """A file small enough to be read again whole: the cited line's number counts the blank lines before
    it, as an editor does, and every summary asks for its own lines."""
    lines = [_line(i * 60 / 600, f"GET /items/{i} 200") for i in range(600)]
    lines[300:300] = ["", "", _line(45, "connection refused to db:5432", "error")]
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    stats = _stats(path)
    assert "connection refused to db:5432" in _cited(path, stats, "connection refused")


def test_summaries_asking_about_the_same_minutes_each_cite_their_own_lines(tmp_path, probed):
    """The stretches one summary read are kept, line by line, for the next: a second service's lines in
    those stretches are cited by their own numbers, and a line outside them is still read and found."""
    lines = []
    for i in range(3000):
        minute = i * 60 / 3000
        service = ("api", "db")[i % 2]
        lines.append(
            json.dumps(json.loads(_line(minute, f"GET /items/{i} 200")) | {"service": service, "pod": f"{service}-1"})
        )
    lines.insert(
        1801, json.dumps(json.loads(_line(36.01, "deadlock detected", "error")) | {"service": "db", "pod": "db-1"})
    )
    lines.insert(
        2500, json.dumps(json.loads(_line(49.9, "pool exhausted", "error")) | {"service": "db", "pod": "db-1"})
    )
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")

    logs = JsonlLogs(path)
    api, db = (logs.stats(q) for q in _queries("api", "db"))
    assert json.loads(_cited(path, api, "GET /items"))["service"] == "api"
    first_db = json.loads(_cited(path, db, "GET /items"))
    assert first_db["service"] == "db" and first_db["message"] == "GET /items/1501 200"  # the window's first
    assert "deadlock detected" in _cited(path, db, "deadlock")
    assert "pool exhausted" in _cited(path, db, "pool exhausted")


def test_summaries_asking_at_once_are_answered_together_each_with_its_own_lines(tmp_path, probed, monkeypatch):
    """The services of an incident ask for their cited lines at once, when the file's read ends: the
    questions asked while one is answered wait for it and are then answered in one read of their
    stretches, not one read each, and each summary still cites its own lines."""
    services = ("api", "db", "web")
    lines = []
    for i in range(3000):
        s = services[i % 3]
        lines.append(
            json.dumps(json.loads(_line(i * 60 / 3000, f"GET /{s}/{i} 200")) | {"service": s, "pod": f"{s}-1"})
        )
    for s, minute in zip(services, (33.3, 41.7, 52.9), strict=True):
        failed = json.loads(_line(minute, f"{s} failed: upstream reset", "error")) | {"service": s, "pod": f"{s}-1"}
        lines.insert(int(minute * 50), json.dumps(failed))
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")

    asking, reads = [], []
    real_numbers, real_number = numbering.Numberer.numbers, numbering._number

    def numbers(self: numbering.Numberer, wanted: dict[int, float | None]) -> dict[int, int]:
        asking.append(wanted)
        return real_numbers(self, wanted)

    def number(*args: object, **kwargs: object) -> dict[int, int]:
        reads.append(args[1])
        if len(reads) == 1:  # the first question is being answered until the other two have been asked
            deadline = time.monotonic() + 10
            while len(asking) < len(services) and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)
        return real_number(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(numbering.Numberer, "numbers", numbers)
    monkeypatch.setattr(numbering, "_number", number)
    logs = JsonlLogs(path)
    with ThreadPoolExecutor(len(services)) as pool:
        stats = dict(zip(services, pool.map(logs.stats, _queries(*services)), strict=True))
    assert len(asking) == 3 and len(reads) == 2  # the second read answered the two questions that waited
    for s in services:
        assert f"{s} failed: upstream reset" in _cited(path, stats[s], "upstream reset")
        assert json.loads(_cited(path, stats[s], "GET"))["service"] == s


def test_a_bad_line_the_sample_never_saw_is_counted_not_fatal(tmp_path, monkeypatch):
    # the first read is strict when every sampled line was an object: a bad line between the probes fails
    # it, and the file is read again counting such lines
    monkeypatch.setattr(embedded, "KEY_PROBES", 2)
    lines = [_line(i * 60 / 4000, f"GET /items/{i} 200 5ms") for i in range(4000)]
    lines[2501] = '{"ts": "2026-11-17T03:37:30.000Z", "service": "api", "message": "cut sho'  # a line cut short
    lines.insert(3000, _line(45.0, "payment declined: card 4242 expired", "error"))
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert JsonlLogs(path)._sample().clean  # the sample did not see it

    stats = _stats(path)
    assert stats.skipped_lines == 1
    assert "card 4242" in _cited(path, stats, "payment declined")


def test_levels_of_a_very_large_file_are_named_whatever_their_spelling(tmp_path, monkeypatch):
    # spellings are grouped as written and named once per mark: info spelt three ways is one sampled level,
    # and errors spelt as pino's number or syslog's word are counted exactly
    monkeypatch.setattr(embedded, "SHAPED_LINES", 500)
    lines = []
    for i in range(6000):
        lines.append(_line(i * 60 / 6000, f"GET /items/{i} 200 {i % 97}ms", ("info", "Information", "30")[i % 3]))
    lines.append(_line(44.0, "payment declined: card 4242 expired", "50"))
    lines.append(_line(45.0, "payment declined: card 5555 expired", "err"))
    lines.append(_line(46.0, "retrying charge 17", "warning"))
    path = tmp_path / "logs.jsonl"
    path.write_text("\n".join(lines) + "\n")

    stats = _stats(path)
    assert stats.levels["ERROR"] == 2 and stats.levels["WARN"] == 1
    assert abs(stats.levels["INFO"] - 3000) <= 3 and set(stats.levels) == {"ERROR", "WARN", "INFO"}
    (declined,) = [t for t in stats.templates if t.level == "ERROR"]
    assert declined.count == 2
