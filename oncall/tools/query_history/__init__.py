"""query_history: has this happened before, and what fixed it?"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from oncall.core.errors import ToolError
from oncall.prompts import tool_description
from oncall.tools.tool import Summary, Tool, ToolContext

# The same SQL runs on DuckDB (embedded) and Databricks SQL: named parameters,
# standard functions only. A fingerprint match outranks the alert name, which
# outranks the service.
MATCH_SQL = """
SELECT id, opened_at, fingerprint, alertname, service, category, root_cause, fix, minutes_to_resolve,
       (CASE WHEN fingerprint = :fingerprint THEN 4 ELSE 0 END)
     + (CASE WHEN alertname = :alertname THEN 2 ELSE 0 END)
     + (CASE WHEN service = :service THEN 1 ELSE 0 END) AS score
FROM {table}
WHERE fingerprint = :fingerprint OR alertname = :alertname OR service = :service
ORDER BY score DESC, opened_at DESC
LIMIT {limit}
"""


class QueryHistoryInput(BaseModel):
    """Past incidents matching a fingerprint, an alert name or a service."""

    fingerprint: str | None = Field(None, description="alert fingerprint")
    alertname: str | None = Field(None, description="alert name")
    service: str | None = Field(None, description="service name")
    limit: int = Field(5, ge=1, le=20)


class PastIncident(BaseModel):
    id: str
    opened_at: datetime
    fingerprint: str | None = None
    alertname: str | None = None
    service: str | None = None
    category: str | None = None
    root_cause: str | None = None
    fix: str | None = None
    minutes_to_resolve: float | None = None
    score: int = 0
    line: int | None = None  # where the summary shows it

    def matched(self, q: QueryHistoryInput) -> list[str]:
        return [
            k
            for k in ("fingerprint", "alertname", "service")
            if getattr(q, k) is not None and getattr(self, k) == getattr(q, k)
        ]


class HistoryBackend(Protocol):
    def search(self, q: QueryHistoryInput) -> list[PastIncident]: ...


def run(ctx: ToolContext, args: QueryHistoryInput) -> Summary:
    if not (args.fingerprint or args.alertname or args.service):
        raise ToolError("give at least one of fingerprint, alertname, service")
    found = ctx.backends.history.search(args)
    return Summary(summarise(args, found), found)


def _terms(q: QueryHistoryInput) -> str:
    return ", ".join(f"{k}={v}" for k, v in q.model_dump(exclude_none=True).items() if k != "limit")


def summarise(q: QueryHistoryInput, found: list[PastIncident]) -> str:
    lines = [f"past incidents matching {_terms(q)}: {len(found)}"]
    for p in found:
        p.line = len(lines) + 1
        mins = f"; resolved in {p.minutes_to_resolve:g} min" if p.minutes_to_resolve is not None else ""
        lines.append(
            f"{p.id} opened {p.opened_at:%Y-%m-%d} {p.alertname} on {p.service} "
            f"(same {', '.join(p.matched(q)) or 'nothing'}): category {p.category}; "
            f"cause: {p.root_cause}; fix: {p.fix}{mins}"
        )
    return "\n".join(lines)


TOOL = Tool("query_history", QueryHistoryInput, run, tool_description("query_history"))
