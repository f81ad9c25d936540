"""The alert queue on PostgreSQL, for several `oncall serve` replicas sharing one database.

The statements are AlertQueue's; what differs is the dialect: a claim skips rows another replica
has locked (`FOR UPDATE SKIP LOCKED`), and enqueueing takes a transaction-scoped advisory lock per
group, so two replicas receiving members of one group at once still make one job and attach the
rest. Leases and heartbeats work as on SQLite: a replica that dies leaves its job to be taken
again, once, when its lease runs out."""

from __future__ import annotations

import queue
import re
import threading
from pathlib import Path
from typing import Any

from oncall.core.errors import ConfigError
from oncall.serving.queue import AlertQueue

_PLACEHOLDER = re.compile(r"\?")
SCHEMA_LOCK = 0x6F6E63616C6C  # an advisory lock key of our own ("oncall")


class PostgresQueue(AlertQueue):
    """Several connections, so a replica's request threads enqueue at once (the per-group advisory
    lock, not a process-wide one, keeps a group whole); each `with self._lock` checks one out for the
    thread that holds it."""

    claim_lock = "FOR UPDATE SKIP LOCKED"
    real = "DOUBLE PRECISION"
    connections = 8  # per process: enough for a burst, few enough for max_connections across replicas

    def __init__(self, url: str, window_s: int = 300, recover: bool = True):
        self.url = url
        self._held = threading.local()
        super().__init__(Path("postgresql"), window_s=window_s, recover=recover)

    def _connect(self) -> Any:
        pool: queue.Queue[Any] = queue.Queue()
        for _ in range(self.connections):
            pool.put(self._open())
        return pool

    def _guard(self) -> Any:
        return _Checkout(self._db, self._held)

    def close(self) -> None:
        while not self._db.empty():
            self._db.get_nowait().close()

    def _open(self) -> Any:
        try:
            import psycopg
        except ImportError as e:  # the optional stack is not installed
            raise ConfigError("a PostgreSQL queue needs psycopg: pip install 'oncall-copilot[postgres]'") from e
        try:
            # autocommit: each transaction is opened explicitly (_begin), as on SQLite
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as e:
            raise ConfigError(f"cannot connect to the queue database: {str(e).strip().splitlines()[0]}") from None

    def _create_schema(self) -> None:
        # replicas and their workers start together: one creates the tables, the others wait for it
        with self._tx():
            self._x("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            super()._create_schema()

    def _x(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        # the statements use SQLite's `?`; none of them holds a literal question mark
        return self._held.conn.execute(_PLACEHOLDER.sub("%s", sql), params)

    def _begin(self) -> None:
        self._x("BEGIN ISOLATION LEVEL READ COMMITTED")

    def _serialise_groups(self, groups: list[str]) -> None:
        # one round trip; the rows are locked in the array's (sorted) order, as every replica does
        self._x(
            "SELECT pg_advisory_xact_lock(hashtext(g)) FROM unnest(?::text[]) WITH ORDINALITY AS u(g, i) ORDER BY i",
            (groups,),
        )

    def _xm(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self._held.conn.cursor() as cur:
            cur.executemany(_PLACEHOLDER.sub("%s", sql), rows)


class _Checkout:
    """`with` it: the calling thread holds one pooled connection until the block ends (re-entrant)."""

    def __init__(self, pool: queue.Queue[Any], held: threading.local):
        self.pool, self.held = pool, held

    def __enter__(self) -> None:
        depth = getattr(self.held, "depth", 0)
        if depth == 0:
            self.held.conn = self.pool.get()
        self.held.depth = depth + 1

    def __exit__(self, *exc: object) -> None:
        self.held.depth -= 1
        if self.held.depth == 0:
            self.pool.put(self.held.conn)
            self.held.conn = None
