"""Embedded history backend: history.jsonl queried with DuckDB, the same SQL
the Databricks backend sends."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from oncall.core.errors import ToolError
from oncall.tools.query_history import MATCH_SQL, PastIncident, QueryHistoryInput

COLUMNS = (
    "id",
    "opened_at",
    "fingerprint",
    "alertname",
    "service",
    "category",
    "root_cause",
    "fix",
    "minutes_to_resolve",
)


class DuckDBHistory:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._con: Any = None  # a DuckDB connection, opened on first use
        self._lock = threading.Lock()

    def _cursor(self) -> Any:
        import duckdb

        with self._lock:
            if self._con is None:
                if not self.path.exists():
                    raise ToolError(f"history file {self.path.name} not found")
                con = duckdb.connect(":memory:")
                cols = ", ".join(f"{c}: 'VARCHAR'" for c in COLUMNS if c not in ("opened_at", "minutes_to_resolve"))
                con.execute(
                    f"""CREATE TABLE incidents AS SELECT * FROM read_json(?, format='newline_delimited',
                    columns={{{cols}, opened_at: 'TIMESTAMPTZ', minutes_to_resolve: 'DOUBLE'}})""",
                    [str(self.path)],
                )
                self._con = con
            return self._con.cursor()

    def search(self, q: QueryHistoryInput) -> list[PastIncident]:
        # DuckDB spells named parameters $name where Databricks spells them :name.
        sql = re.sub(r":(\w+)", r"$\1", MATCH_SQL.format(table="incidents", limit=int(q.limit)))
        rows = (
            self._cursor()
            .execute(
                "SELECT * REPLACE (epoch(opened_at) AS opened_at) FROM (" + sql + ")",
                {"fingerprint": q.fingerprint, "alertname": q.alertname, "service": q.service},
            )
            .fetchall()
        )
        names = [*COLUMNS, "score"]
        return [PastIncident.model_validate(dict(zip(names, r, strict=True))) for r in rows]
