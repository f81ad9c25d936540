"""Line numbers for the few lines a log summary cites, without reading a large file a second time.

A summary cites a handful of lines, each known by its identity (a hash of its fields) and its time.
Log files are written roughly in time order, so the lines near a time sit between the probes (one line
read every few hundred kilobytes) whose times surround it: only those stretches are read again, through
the same parse as the first pass (`identify`), and numbered by counting the newlines before them. A
line not found there (a file out of time order) is looked for in the whole file."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# (ordinal among the lines written, identity, time in epoch seconds or None) of each nonblank line of a
# file; `want` limits the answer to those identities (None: every line)
Identify = Callable[[Path, list[int] | None], list[tuple[int, int, float | None]]]

READ_WHOLE = 64 * 2**20  # a smaller file is read again whole: cheaper than probing it
PROBES = 16384  # probe lines spread over a larger file: stretches of about size / PROBES bytes
SLACK_S = 1.0  # how far out of time order a line may be written and still be found near its time
CHUNK = 64 * 2**20  # bytes read (and their lines held) at once when a stretch is long
# bytes compared at once when counting newlines: a buffer the cache holds, so that the comparison reads
# what the copy just wrote there, not memory again (half the time of a 16 MiB buffer at ten million lines)
COUNT_CHUNK = 2**20
KEEP_BYTES = 16 * 2**20  # stretches up to this size have every line's number kept for the next question


class Ahead:
    """A large file's probes and the newlines before each, worked out on a thread of its own while the
    file's first read runs: counting runs at the speed of memory and hides behind the parse (about a
    third of a second at ten million lines). A daemon thread, so that it never holds the process."""

    def __init__(self, path: Path):
        self.path = path
        self._result: tuple[list[tuple[int, bytes]], dict[int, int]] | None = None
        self._thread: threading.Thread | None = None
        if path.stat().st_size > READ_WHOLE:
            self._thread = threading.Thread(target=self._in_background, name="log-newlines", daemon=True)
            self._thread.start()

    def _in_background(self) -> None:
        try:
            self._run()
        except OSError:  # the file went away or could not be read: said where the answer is asked for
            self._result = None

    def _run(self) -> None:
        probes = spread(self.path)
        self._result = (probes, _newlines_before(self.path, [at for at, _ in probes]))

    def result(self) -> tuple[list[tuple[int, bytes]], dict[int, int]]:
        if self._thread is not None:
            self._thread.join()
        if self._result is None:  # not started, or it failed: here, where a failure is reported
            self._run()
        assert self._result is not None
        return self._result


class Numberer:
    """Line numbers of one file's cited lines, asked for a few at a time (each summary its own): the
    probes, their times and the newlines before them are worked out once (ahead of the question when
    an Ahead is given), and every line of the stretches read is remembered: the summaries of an
    incident ask about the same minutes (the window's start, the onset), so most later questions are
    answered without reading."""

    def __init__(self, path: Path, identify: Identify, ahead: Ahead | None = None):
        self.path, self.identify, self._ahead = path, identify, ahead
        self._found: dict[int, int] = {}
        self._asked: set[int] = set()
        self._probes: tuple[list[int], tuple[Any, Any], dict[int, int]] | None = None
        self._every: dict[int, int] | None = None  # a small file's first line of each identity
        self._read: set[int] = set()  # the stretches (by index) whose every line is in _seen
        self._seen: dict[int, int] = {}
        self._lock = threading.Lock()  # one question answered at a time
        self._queue = threading.Lock()  # guards _pending: the questions waiting for the one being answered
        self._pending: dict[int, float | None] = {}

    def numbers(self, wanted: dict[int, float | None]) -> dict[int, int]:
        """The line number (1-based, blank lines counted) of the first line with each wanted identity
        (identity -> the line's time); identities not found are left out. Safe from many threads: the
        questions asked while one is being answered are answered together, in one read of their
        stretches (the summaries of an incident's services ask at once, when the file's read ends)."""
        with self._queue:
            self._pending |= wanted
        with self._lock:
            with self._queue:
                new = {h: t for h, t in self._pending.items() if h not in self._asked}
                self._pending = {}
            if new:
                self._found |= self._line_numbers(new)
                self._asked |= set(new)
            return {h: self._found[h] for h in wanted if h in self._found}

    def _line_numbers(self, wanted: dict[int, float | None]) -> dict[int, int]:
        path, identify = self.path, self.identify
        size = path.stat().st_size
        if size <= READ_WHOLE:
            if self._every is None:  # a small file is read again once, whole, for every question to come
                self._every = _number(path, [(0, size)], None, identify, {0: 0})
            return {h: self._every[h] for h in wanted if h in self._every}
        if self._probes is None:
            probes, before = (self._ahead or Ahead(path)).result()
            self._probes = ([at for at, _ in probes], _time_bounds(_probe_times(path, probes, identify)), before)
        starts, bounds, before = self._probes
        picked = _picked(bounds, wanted.values())
        unread = _ranges(sorted(picked - self._read), starts, size)
        if sum(b - a for a, b in unread) <= KEEP_BYTES:
            for h, n in _number(path, unread, None, identify, before).items():
                self._seen[h] = min(n, self._seen.get(h, n))
            self._read |= picked
            found = {h: self._seen[h] for h in wanted if h in self._seen}
        else:  # a wide question (a line with no time): only its lines are kept
            found = _number(path, _ranges(sorted(picked), starts, size), wanted, identify, before)
        missing = {h: t for h, t in wanted.items() if h not in found}
        if missing:  # written out of time order: the whole file, once
            found |= _number(path, [(0, size)], missing, identify, {0: 0})
        return found


def spread(path: Path, probes: int | None = None) -> list[tuple[int, bytes]]:
    """(offset, line) of the first line and of the first line starting at or after each of `probes`
    evenly spaced points of the file."""
    probes = probes or PROBES
    size = path.stat().st_size
    out: list[tuple[int, bytes]] = []
    with path.open("rb") as f:
        for j in range(probes):
            point = j * size // probes
            if point:
                f.seek(point - 1)
                f.readline()  # to the end of the line the point falls in (or just before it)
            at = f.tell()
            if at < size and (not out or at > out[-1][0]):
                out.append((at, f.readline()))
    return out


def _probe_times(path: Path, probes: list[tuple[int, bytes]], identify: Identify) -> list[float | None]:
    """The time of each probe's line (None: blank, unreadable, or no time)."""
    lines: list[bytes] = []
    kept: list[int] = []  # which probe each written line is
    for j, (_, line) in enumerate(probes):
        if line.strip():
            lines.append(line.rstrip(b"\r\n"))
            kept.append(j)
    times: list[float | None] = [None] * len(probes)
    if not lines:
        return times
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probes.jsonl"
        probe.write_bytes(b"\n".join(lines) + b"\n")
        for i, _, t in identify(probe, None):
            times[kept[i - 1]] = t
    return times


def _time_bounds(times: list[float | None]) -> tuple[Any, Any]:
    """The earliest and latest time each stretch between probes may hold, from the probes at its two
    ends with the slack (neither known: any time)."""
    import numpy as np

    at = np.array([np.nan if t is None else t for t in times], dtype=float)
    after = np.append(at[1:], np.nan)
    with np.errstate(invalid="ignore"):  # fmin and fmax take the known end; both unknown stay NaN
        lo, hi = np.fmin(at, after) - SLACK_S, np.fmax(at, after) + SLACK_S
    return np.where(np.isnan(lo), -np.inf, lo), np.where(np.isnan(hi), np.inf, hi)


def _picked(bounds: tuple[Any, Any], wanted: Iterable[float | None]) -> set[int]:
    """The stretches between probes (by the index of the probe they start at) that may hold a line of
    each wanted time."""
    import numpy as np

    lo, hi = bounds
    picked: set[int] = set()
    for t in set(wanted):
        picked.update(range(len(lo)) if t is None else np.flatnonzero((lo <= t) & (t <= hi)).tolist())
    return picked


def _ranges(stretches: list[int], starts: list[int], size: int) -> list[tuple[int, int]]:
    """The byte ranges of these (ascending) stretches, neighbours merged."""
    bounds = [*starts, size]
    ranges: list[tuple[int, int]] = []
    for j in stretches:
        a, b = bounds[j], bounds[j + 1]
        if ranges and ranges[-1][1] == a:
            ranges[-1] = (ranges[-1][0], b)
        else:
            ranges.append((a, b))
    return ranges


def _newlines_before(path: Path, offsets: list[int]) -> dict[int, int]:
    """How many newlines the file holds before each of the (ascending) offsets: read into one buffer
    and counted by numpy, about ten times faster than bytes.count and holding no more than the buffer.
    (Counted on two threads, it was no faster: the count runs at the speed of memory.)"""
    import numpy as np

    counts: dict[int, int] = {}
    seen, at = 0, 0
    buf = bytearray(COUNT_CHUNK)
    data, newline = np.frombuffer(buf, dtype=np.uint8), np.empty(COUNT_CHUNK, dtype=bool)
    with path.open("rb", buffering=0) as f:
        for off in offsets:
            while at < off:
                got = f.readinto(memoryview(buf)[: min(COUNT_CHUNK, off - at)])
                if not got:
                    break
                seen += int(np.count_nonzero(np.equal(data[:got], 10, out=newline[:got])))
                at += got
            counts[off] = seen
    return counts


def _number(
    path: Path,
    ranges: list[tuple[int, int]],
    wanted: dict[int, float | None] | None,
    identify: Identify,
    before: dict[int, int],
) -> dict[int, int]:
    """Number the wanted lines (None: every line) found in these byte ranges (each starting at a line's
    start): their nonblank lines are written to one file (a few at a time when they are long) and
    identified there; `before` holds the newlines before each range's start."""
    found: dict[int, int] = {}
    want = sorted(wanted) if wanted is not None else None
    numbers: list[int] = []
    kept: list[bytes] = []
    held = 0
    with path.open("rb") as f, tempfile.TemporaryDirectory() as tmp:
        part = Path(tmp) / "part.jsonl"

        def identify_kept() -> None:
            part.write_bytes(b"\n".join(kept) + b"\n")
            for i, h, _ in identify(part, want):
                if h not in found or numbers[i - 1] < found[h]:
                    found[h] = numbers[i - 1]
            numbers.clear()
            kept.clear()

        for a, b in ranges:  # each starts at 0 or at a probe, where the newlines before it are known
            line_no = before[a]
            f.seek(a)
            while a < b:
                block = f.read(min(CHUNK, b - a))
                if not block:
                    break
                cut = block.rfind(b"\n") + 1 if a + len(block) < b else len(block)
                if cut == 0:  # one line longer than a chunk: read on to its end
                    block += f.readline()
                    cut = len(block)
                f.seek(a + cut)
                a += cut
                pieces = block[:cut].split(b"\n")
                if block[:cut].endswith(b"\n"):
                    pieces.pop()  # the empty piece after the last newline
                for raw in pieces:
                    line_no += 1
                    if raw.strip():
                        kept.append(raw.rstrip(b"\r"))
                        numbers.append(line_no)
                held += cut
                if held >= CHUNK:
                    identify_kept()
                    held = 0
        if kept:
            identify_kept()
    return found
