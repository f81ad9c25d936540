"""Line numbers for the few lines a log summary cites, without reading a large file a second time.

A summary cites a handful of lines, each known by its identity (a hash of its fields) and its time.
Log files are written roughly in time order, so the lines near a time sit between the probes (one line
read every few hundred kilobytes) whose times surround it: only those stretches are read again, through
the same parse as the first pass (`identify`), and numbered by counting the newlines before them. A
line not found there (a file out of time order) is looked for in the whole file."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

# (ordinal among the lines written, identity, time in epoch seconds or None) of each nonblank line of a
# file; `want` limits the answer to those identities (None: every line)
Identify = Callable[[Path, list[int] | None], list[tuple[int, int, float | None]]]

READ_WHOLE = 64 * 2**20  # a smaller file is read again whole: cheaper than probing it
PROBES = 16384  # probe lines spread over a larger file: stretches of about size / PROBES bytes
SLACK_S = 1.0  # how far out of time order a line may be written and still be found near its time
CHUNK = 64 * 2**20  # bytes read (and their lines held) at once when a stretch is long
COUNT_CHUNK = 16 * 2**20  # bytes compared at once when counting newlines


class Numberer:
    """Line numbers of one file's cited lines, asked for a few at a time (each summary its own): the
    probes, their times and the newlines before them are worked out on the first question only, and
    every line found is remembered."""

    def __init__(self, path: Path, identify: Identify):
        self.path, self.identify = path, identify
        self._found: dict[int, int] = {}
        self._asked: set[int] = set()
        self._probes: tuple[list[int], list[float | None], dict[int, int]] | None = None
        self._every: dict[int, int] | None = None  # a small file's first line of each identity

    def numbers(self, wanted: dict[int, float | None]) -> dict[int, int]:
        """The line number (1-based, blank lines counted) of the first line with each wanted identity
        (identity -> the line's time); identities not found are left out."""
        new = {h: t for h, t in wanted.items() if h not in self._asked}
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
            probes = spread(path)
            starts = [at for at, _ in probes]
            self._probes = (starts, _probe_times(path, probes, identify), _newlines_before(path, starts))
        starts, times, before = self._probes
        found = _number(path, _stretches(starts, times, size, wanted.values()), wanted, identify, before)
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


def _stretches(
    starts: list[int], times: list[float | None], size: int, wanted: Iterable[float | None]
) -> list[tuple[int, int]]:
    """The byte ranges, between probes, that may hold a line of each wanted time; merged."""
    import numpy as np

    bounds = [*starts, size]
    after = [*times[1:], None]
    # the times each stretch may hold, from the probes at its two ends (none known: any time)
    lo = (
        np.array(
            [min((x for x in (a, b) if x is not None), default=-np.inf) for a, b in zip(times, after, strict=True)]
        )
        - SLACK_S
    )
    hi = (
        np.array([max((x for x in (a, b) if x is not None), default=np.inf) for a, b in zip(times, after, strict=True)])
        + SLACK_S
    )
    picked: set[int] = set()
    for t in set(wanted):
        picked.update(range(len(starts)) if t is None else np.flatnonzero((lo <= t) & (t <= hi)).tolist())
    ranges: list[tuple[int, int]] = []
    for j in sorted(picked):
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
    with path.open("rb", buffering=0) as f:
        for off in offsets:
            while at < off:
                got = f.readinto(memoryview(buf)[: min(COUNT_CHUNK, off - at)])
                if not got:
                    break
                seen += int(np.count_nonzero(np.frombuffer(buf, dtype=np.uint8, count=got) == 10))
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
