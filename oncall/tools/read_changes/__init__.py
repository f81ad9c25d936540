"""read_changes: what was deployed or reconfigured before the alert, with diffs."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, Field

from oncall.core import diffs
from oncall.core.fmt import fmt_time
from oncall.prompts import tool_description
from oncall.tools.tool import Summary, Tool, ToolContext

MAX_DIFF_LINES = 30


class ReadChangesInput(BaseModel):
    """Deploys, config changes, flags, infra and scaling events."""

    services: list[str] | None = Field(None, description="services to include; default: all")
    focus: list[str] | None = Field(
        None, description="with services unset: all services, these ranked first (nearest the alert first)"
    )
    since: datetime | None = Field(None, description="RFC 3339; default: 24 hours before the alert")
    until: datetime | None = Field(None, description="RFC 3339; default: end of the incident window")


class Change(BaseModel):
    ts: AwareDatetime  # a time without a zone is ambiguous: such a record is refused
    service: str
    kind: str  # deploy | config | flag | infra | scale
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    author: str | None = None
    ref: str | None = None
    diff: str | None = None
    line: int | None = None  # where the summary shows it (set by the summariser)

    model_config = {"populate_by_name": True}


class ChangeList(BaseModel):
    since: datetime
    until: datetime
    alert_at: datetime
    services: list[str] | None
    changes: list[Change]
    focus: list[str] | None = None  # ranked first when every service's changes are listed
    skipped: int = 0  # records the backend could not read


class ChangesBackend(Protocol):
    skipped: int  # records that were not valid change events, skipped and counted

    def changes(self, services: list[str] | None, since: datetime, until: datetime) -> list[Change]: ...


def run(ctx: ToolContext, args: ReadChangesInput) -> Summary:
    w = ctx.window
    since, until = args.since or w.changes_since, args.until or w.end
    found = ctx.backends.changes.changes(args.services, since, until)
    data = ChangeList(
        since=since,
        until=until,
        alert_at=w.alert_at,
        services=args.services,
        focus=None if args.services else args.focus,
        changes=sorted(found, key=lambda c: c.ts, reverse=True),
        skipped=ctx.backends.changes.skipped,
    )
    return Summary(summarise(data), data)


def ago(delta_s: float) -> str:
    m = int(abs(delta_s) // 60)
    text = f"{m // 60}h{m % 60:02d}m" if m >= 60 else f"{m}m"
    return f"{text} {'before' if delta_s >= 0 else 'after'} the alert"


MAX_SHOWN = 20  # changes listed; the rest are counted, so an estate of a thousand deploys stays readable
MAX_WITH_DIFF = 8  # of those, how many show their diff


def relevance(d: ChangeList, c: Change) -> float:
    """Lower is more relevant: hours from the alert, plus a penalty for what matters less: a service
    further from the alert, a scaling event, a routine version bump (every deploy does one; a changed
    setting is rarer news)."""
    order = {s: i for i, s in enumerate(d.services or d.focus or [])}
    hours = abs((d.alert_at - c.ts).total_seconds()) / 3600
    routine = diffs.version_only(c.diff)
    return hours + 2 * order.get(c.service, len(order)) + (6 if c.kind == "scale" else 0) + (8 if routine else 0)


def relevant(d: ChangeList) -> list[Change]:
    """The changes to show: all of them when few; otherwise the most relevant."""
    if len(d.changes) <= MAX_SHOWN:
        return d.changes
    keep = {id(c) for c in sorted(d.changes, key=lambda c: relevance(d, c))[:MAX_SHOWN]}
    return [c for c in d.changes if id(c) in keep]


def diff_lines(diff: str) -> list[str]:
    """A diff as shown: whole when short; when long, its file names and changed lines only."""
    lines = diff.splitlines()
    if len(lines) <= MAX_DIFF_LINES:
        return lines
    changed = [x for x in lines if x[:1] in "+-" or x.startswith("@@")]
    shown = changed[:MAX_DIFF_LINES]
    return [*shown, f"... {len(lines) - len(shown)} more diff lines (context and further changes)"]


def summarise(d: ChangeList) -> str:
    scope = ", ".join(d.services) if d.services else "all services"
    lines = [f"changes to {scope} from {fmt_time(d.since)} to {fmt_time(d.until)}, newest first: {len(d.changes)}"]
    if d.skipped:
        lines[0] += f" ({d.skipped} records were not valid change events and were skipped)"
    shown = relevant(d)
    with_diff = {id(c) for c in sorted(shown, key=lambda c: relevance(d, c))[:MAX_WITH_DIFF]}
    for c in shown:
        version = f" {c.from_} -> {c.to}" if c.from_ or c.to else ""
        who = f" by {c.author}" if c.author else ""
        ref = f" ref {c.ref}" if c.ref else ""
        c.line = len(lines) + 1
        lines.append(
            f"{c.kind} {c.service}{version} at {fmt_time(c.ts)} ({ago((d.alert_at - c.ts).total_seconds())}){who}{ref}"
        )
        if id(c) in with_diff:
            lines.extend(f"  {x}" for x in diff_lines(c.diff or ""))
        elif c.diff:
            lines.append("  (diff not shown: ask read_changes for this service to see it)")
    if len(shown) < len(d.changes):
        lines.append(
            f"... {len(d.changes) - len(shown)} more changes not shown (further from the alert or from the "
            "services asked for or focused on); ask read_changes with services=[...] or since/until to see them"
        )
    return "\n".join(lines)


TOOL = Tool("read_changes", ReadChangesInput, run, tool_description("read_changes"))
