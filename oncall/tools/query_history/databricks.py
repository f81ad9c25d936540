"""Databricks SQL backend (databricks-sql-connector): the same named-parameter SQL
as the embedded DuckDB store, on a configurable table, through the connector's
DB-API interface. `connect` is injectable so the wiring is testable without a
warehouse; by default it is `databricks.sql.connect`."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.query_history import MATCH_SQL, PastIncident, QueryHistoryInput
from oncall.tools.remote import Failure, Remote, RemoteSettings, network_failure, secret

_TABLE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*){0,2}$|^`[^`]+`(\.`[^`]+`){0,2}$")


class DatabricksHistory:
    def __init__(
        self,
        remote: Remote,  # url: the workspace host, e.g. https://adb-123.azuredatabricks.net
        http_path: str,
        token: str,
        table: str = "oncall.incidents",
        connect: Callable[..., Any] | None = None,
    ):
        if not _TABLE.match(table):
            # the table name is the one thing not passed as a parameter: it must be a plain name
            raise ToolError(f"history table {table!r} is not a plain catalog.schema.table name")
        self.remote = remote
        self.http_path = http_path
        self.token = token
        self.table = table
        self._connect = connect
        self._conn: Any = None
        self._lock = threading.Lock()

    def _connection(self) -> Any:
        with self._lock:
            if self._conn is None:
                connect = self._connect
                if connect is None:
                    from databricks import sql

                    connect = sql.connect
                from urllib.parse import urlsplit

                url = urlsplit(self.remote.url if "//" in self.remote.url else f"https://{self.remote.url}")
                self._conn = connect(
                    server_hostname=url.hostname,
                    _port=url.port or 443,
                    http_path=self.http_path,
                    access_token=self.token,
                    _socket_timeout=self.remote.timeout_s,
                    _retry_stop_after_attempts_count=1,  # tenacity retries, with one policy for every backend
                )
            return self._conn

    def _query(self, sql: str, params: dict[str, Any]) -> tuple[list[str], list[tuple]]:
        def run() -> tuple[list[str], list[tuple]]:
            cur = self._connection().cursor()
            try:
                cur.execute(sql, params)
                names = [d[0] for d in cur.description or []]
                return names, [tuple(r) for r in cur.fetchall()]
            finally:
                cur.close()

        return self.remote.call(f"query {self.table}", run, self._classify)

    def search(self, q: QueryHistoryInput) -> list[PastIncident]:
        names, rows = self._query(
            MATCH_SQL.format(table=self.table, limit=int(q.limit)),
            {"fingerprint": q.fingerprint, "alertname": q.alertname, "service": q.service},
        )
        out = []
        for r in rows:
            rec = dict(zip(names, r, strict=True))
            opened = rec.get("opened_at")
            if isinstance(opened, datetime) and opened.tzinfo is None:
                rec["opened_at"] = opened.replace(tzinfo=UTC)  # Databricks TIMESTAMP_NTZ: stored as UTC
            out.append(PastIncident.model_validate(rec))
        return out

    def check(self) -> str:
        _, rows = self._query(f"SELECT count(*) AS n FROM {self.table}", {})
        return f"{self.table} holds {rows[0][0]} incidents" if rows else f"{self.table} readable"

    def _classify(self, e: Exception) -> Failure | None:
        network = network_failure(e)
        if network is not None:
            return network
        if not any(c.__name__ == "Error" for c in type(e).__mro__):  # PEP 249: every driver error derives from Error
            return None
        text = str(e)
        m = re.search(r"\b(401|403|429|50[0234])\b", text)
        status = int(m.group(1)) if m else None
        # the connector's RequestError/OperationalError are connection trouble; a SQL error is not retried
        transient = status in (429, 500, 502, 503, 504) or (
            status is None and type(e).__name__ in ("RequestError", "OperationalError", "MaxRetryDurationError")
        )
        return Failure(status, text, transient=transient)


# -- configuration (a section of the --config file) -----------------------------------------


class DatabricksConfig(RemoteSettings):
    backend: Literal["databricks"]
    http_path: str  # the SQL warehouse's HTTP path
    token_env: str  # variable holding a personal access token
    table: str = "oncall.incidents"  # the past-incidents table (bundle history.jsonl columns)

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        return DatabricksHistory(
            self.remote("Databricks SQL", self.token_env),
            http_path=self.http_path,
            token=secret(env, self.token_env, "history.token_env") or "",
            table=self.table,
        )
