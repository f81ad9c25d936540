"""The alert queue on PostgreSQL, for several `oncall serve` replicas sharing one database.

The statements are AlertQueue's; what differs is the dialect: a claim skips rows another replica
has locked (`FOR UPDATE SKIP LOCKED`), and enqueueing takes a transaction-scoped advisory lock per
group, so two replicas receiving members of one group at once still make one job and attach the
rest. Leases and heartbeats work as on SQLite: a replica that dies leaves its job to be taken
again, once, when its lease runs out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from oncall.core.errors import ConfigError
from oncall.serving.queue import SCHEMA, AlertQueue

_PLACEHOLDER = re.compile(r"\?")
SCHEMA_LOCK = 0x6F6E63616C6C  # an advisory lock key of our own ("oncall")


class PostgresQueue(AlertQueue):
    claim_lock = "FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, window_s: int = 300, recover: bool = True):
        self.url = url
        super().__init__(Path("postgresql"), window_s=window_s, recover=recover)

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError as e:  # the optional stack is not installed
            raise ConfigError("a PostgreSQL queue needs psycopg: pip install 'oncall-copilot[postgres]'") from e
        try:
            # autocommit: each transaction is opened explicitly (_begin), as on SQLite
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.Error as e:
            raise ConfigError(f"cannot connect to the queue database: {str(e).strip().splitlines()[0]}") from None

    def schema(self) -> str:
        return SCHEMA.format(real="DOUBLE PRECISION")

    def _create_schema(self) -> None:
        # replicas and their workers start together: one creates the tables, the others wait for it
        with self._tx():
            self._x("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            super()._create_schema()

    def _x(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        # the statements use SQLite's `?`; none of them holds a literal question mark
        return self._db.execute(_PLACEHOLDER.sub("%s", sql), params)

    def _begin(self) -> None:
        self._x("BEGIN ISOLATION LEVEL READ COMMITTED")

    def _serialise_group(self, grp: str) -> None:
        self._x("SELECT pg_advisory_xact_lock(hashtext(?))", (grp,))
