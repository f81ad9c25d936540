"""read_runbook: what does our runbook say? Sections are quoted verbatim, never paraphrased."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from oncall.core.errors import ToolError
from oncall.prompts import tool_description
from oncall.tools.tool import Summary, Tool, ToolContext

MAX_SECTION_LINES = 25


class ReadRunbookInput(BaseModel):
    """Find runbook pages by service, alert name or text."""

    service: str | None = Field(None, description="service name; matched against the catalog's runbook tags")
    alertname: str | None = Field(None, description="alert name the page is written for")
    query: str | None = Field(None, description="text the page should contain")
    max_pages: int = Field(2, ge=1, le=5)


class Section(BaseModel):
    heading: str
    body: str
    line: int | None = None  # line of the heading in the summary


class RunbookPage(BaseModel):
    title: str
    source: str  # file path or page URL
    services: list[str] = []
    alerts: list[str] = []
    sections: list[Section]
    score: int = 0


class RunbookBackend(Protocol):
    def find(self, tags: list[str], alertname: str | None, query: str | None) -> list[RunbookPage]: ...


def run(ctx: ToolContext, args: ReadRunbookInput) -> Summary:
    if not (args.service or args.alertname or args.query):
        raise ToolError("give at least one of service, alertname, query")
    tags: list[str] = []
    if args.service:
        svc = ctx.catalog.services.get(args.service)
        tags = [args.service, *(svc.runbook_tags if svc else [])]
    pages = ctx.backends.runbooks.find(tags, args.alertname, args.query)[: args.max_pages]
    return Summary(summarise(pages), pages)


def summarise(pages: list[RunbookPage]) -> str:
    if not pages:
        return "no runbook page matches"
    lines = [f"{len(pages)} runbook page(s), quoted verbatim"]
    for p in pages:
        lines.append(f'page "{p.title}" ({p.source})')
        for s in p.sections:
            s.line = len(lines) + 1
            lines.append(f"## {s.heading}")
            body = [x for x in s.body.splitlines()]
            while body and not body[-1].strip():
                body.pop()
            lines.extend(body[:MAX_SECTION_LINES])
            if len(body) > MAX_SECTION_LINES:
                lines.append(f"[... {len(body) - MAX_SECTION_LINES} more lines in this section]")
    return "\n".join(lines)


TOOL = Tool("read_runbook", ReadRunbookInput, run, tool_description("read_runbook"))
