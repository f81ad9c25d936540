"""Whose time a tool call spends. A call's deadline is there to give up on a backend that may never
answer (a server, a network); reading a bundle's local file once, for every call that will need it,
cannot hang and is bounded by the file's size. The embedded backends mark that read (and waiting for
another call's read of it) with `local_read()`, and the runner does not count it against the call,
up to LOCAL_READ_LIMIT_S."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

LOCAL_READ_LIMIT_S = 300.0  # past this, even a local read counts: something is wrong with the file or disk

_current = threading.local()


@dataclass
class CallClock:
    """Seconds a call has spent in local reads, finished and under way."""

    _spent: float = 0.0
    _since: float | None = None
    _depth: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def excused(self) -> float:
        with self._lock:
            running = time.monotonic() - self._since if self._since is not None else 0.0
            return min(LOCAL_READ_LIMIT_S, self._spent + running)

    def _enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._since = time.monotonic()
            self._depth += 1

    def _exit(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._since is not None:
                self._spent += time.monotonic() - self._since
                self._since = None


@contextmanager
def timing(clock: CallClock) -> Iterator[None]:
    """Run a call's work with `clock` as the one local reads are charged to (the runner's side)."""
    _current.clock = clock
    try:
        yield
    finally:
        _current.clock = None


@contextmanager
def local_read() -> Iterator[None]:
    """Mark a one-time read of local data (the backends' side); outside a runner call it does nothing."""
    clock: CallClock | None = getattr(_current, "clock", None)
    if clock is None:
        yield
        return
    clock._enter()
    try:
        yield
    finally:
        clock._exit()
