"""read_logs: what did the service log in the window?

Backends return `LogStats` (template clusters with counts, first/last seen and
one verbatim sample each); the summariser turns them into the citable text the
model sees, identical whichever backend answered."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from oncall.core.fmt import fmt_hm, fmt_num, fmt_time
from oncall.prompts import tool_description
from oncall.tools.tool import Summary, Tool, ToolContext

ERROR_LEVELS = ("ERROR", "FATAL")
# The kernel choosing a process to kill for the host's memory (not a process's own heap or its container's
# limit): a host's event, logged on the host whoever's process it takes
OOM_KILLER = re.compile(r"Out of memory: Kill(ed)? process|invoked oom-killer|oom-kill:", re.I)


class ReadLogsInput(BaseModel):
    """Search one service's logs; defaults to the incident window."""

    service: str = Field(description="service name as in the catalog")
    start: datetime | None = Field(None, description="window start, RFC 3339; default: incident window")
    end: datetime | None = Field(None, description="window end, RFC 3339; default: incident window")
    query: str | None = Field(None, description="only lines whose message contains this text")
    max_templates: int = Field(8, ge=1, le=30, description="how many error/warning templates to show")
    only_notable: bool = Field(False, description="show only templates that are new or rising")


class LogQuery(BaseModel):
    service: str
    start: datetime
    end: datetime
    baseline_start: datetime
    query: str | None = None
    # Lines with no service field belong to the service their pod is named after (`ledger-db-rs3-0`,
    # `ledger-7d9f8-x2k4p`), unless a longer catalog name claims the pod: these are those names.
    pod_owned_by: list[str] = []
    # The catalog's services: a line whose service field names none of them (a daemon's own unit,
    # `postgresql@15-main`; the kernel) belongs to the service its host or pod is named after.
    known: list[str] = []
    # The service as the catalog's signal templates spell it in telemetry (`shop-prod-checkout`).
    aliases: list[str] = []


# a template first logged in this last share of the baseline, at its pace since, began just before the window
UNDER_WAY = 1 / 3
# ...or earlier, where none of it in a stretch before, as long, in which its pace would have logged this many lines
# (none where ten were expected is by chance once in twenty thousand), says when it began
QUIET_PROOF = 10


class TemplateStat(BaseModel):
    template: str
    level: str
    count: int  # in the window
    baseline_count: int  # in [baseline_start, start)
    first_seen: datetime
    last_seen: datetime
    sample: str  # one verbatim message (may be multi-line)
    sample_ref: str  # where it came from, e.g. logs.jsonl:18234
    sample_pod: str | None = None
    pods: int = 0
    line: int | None = None  # where the summary shows it
    sample_line: int | None = None
    began: datetime | None = None  # its earliest line in the baseline, if it had any

    @property
    def is_error(self) -> bool:
        return self.level in ERROR_LEVELS

    def rate_ratio(self, window_s: float, baseline_s: float) -> float | None:
        """How much more often per minute it appears now than in the baseline; None when new."""
        if self.baseline_count == 0 or baseline_s <= 0:
            return None
        return (self.count / max(window_s, 1)) / (self.baseline_count / baseline_s)


class LogStats(BaseModel):
    query: LogQuery
    total: int
    levels: dict[str, int]
    baseline_total: int
    skipped_lines: int = 0  # lines that were not JSON, or had no time this reader knows
    # lines of the window that the reader could not tie to any catalogued service (by service field,
    # pod or host): a layout that keeps the service where this reader does not look
    unattributed: int = 0
    # lines of the window whose text this reader could not find (no message field it knows or found):
    # counted by level, but what they say is missing evidence
    textless: int = 0
    templates: list[TemplateStat]
    source: str
    baseline_from: datetime | None = None  # earliest line in the baseline: retention may be shorter than asked
    sampled: str | None = None  # when counts were scaled from a sample, which one (server backends)

    def host_out_of_memory(self) -> bool:
        """The kernel's OOM killer took a process on a host of the service."""
        return any(OOM_KILLER.search(t.template) for t in self.templates)

    @property
    def unreadable(self) -> bool:
        """No line of the service, while the source skipped lines it could not read or held lines it
        could tie to no service; or most of its lines in the window carry no text the reader can find:
        its logs are missing evidence, not a sign it was quiet."""
        if self.total and self.textless * 2 >= self.total:
            return True
        return not self.total and bool(self.skipped_lines or self.unattributed)

    def under_way(self, t: TemplateStat) -> datetime | None:
        """When a template began, if it kept at least half its pace since then into the window and began in the
        last stretch of the baseline (UNDER_WAY of it), or earlier after a quiet stretch at least as long in
        which its pace would have logged QUIET_PROOF of its lines: news that began before the window opened (an
        incident under way when the alert fired late), not background the baseline knew all along."""
        if t.began is None or t.baseline_count < 3 or not t.count:
            return None
        span, before = self.baseline_s(), (self.query.start - t.began).total_seconds()
        if before <= 0:
            return None
        pace, quiet = t.baseline_count / max(before, 60.0), span - before
        if before > UNDER_WAY * span and (quiet < before or pace * quiet < QUIET_PROOF):
            return None
        return t.began if t.count / self.window_s() >= pace / 2 else None

    def window_s(self) -> float:
        return (self.query.end - self.query.start).total_seconds()

    def baseline_s(self) -> float:
        start = max(self.query.baseline_start, self.baseline_from or self.query.baseline_start)
        return max(0.0, (self.query.start - start).total_seconds())

    def notable(self, t: TemplateStat) -> str | None:
        """'new' or 'rising Nx' for templates that stand out against the baseline by more
        than chance: a handful of lines of a rare template is noise, not news. One that began in the baseline
        and kept its pace into the window is 'new since HH:MM' (under_way)."""
        if self.baseline_total == 0 or self.baseline_s() <= 0:
            return None  # nothing to compare with
        expected = t.baseline_count * self.window_s() / self.baseline_s()
        if t.baseline_count == 0:
            return "new" if t.count >= 3 else None
        if (since := self.under_way(t)) is not None:
            return f"new since {since:%H:%M}"
        if t.count >= max(5.0, 3 * expected + 3 * expected**0.5):
            return f"rising {fmt_num(t.count / expected)}x"
        return None


class LogBackend(Protocol):
    def stats(self, q: LogQuery) -> LogStats: ...


def run(ctx: ToolContext, args: ReadLogsInput) -> Summary:
    start, end, baseline_start = ctx.window.asked(args.start, args.end)
    longer = [s for s in ctx.catalog.services if s.startswith(args.service + "-")] if ctx.catalog else []
    stats = ctx.backends.logs.stats(
        LogQuery(
            service=args.service,
            start=start,
            end=end,
            baseline_start=baseline_start,
            query=args.query,
            pod_owned_by=longer,
            # (and a plural's singular under the namespace: a Kamal role's containers, `wisla-job-<version>`)
            known=sorted(
                n
                for s in ctx.catalog.services
                for n in (s, *ctx.catalog.aliases(s), *filter(None, [ctx.catalog.singular_under(s)]))
            )
            if ctx.catalog
            else [],
            # (its name under its namespace's is a line's service field's value only: not a name to look for in
            # other fields, where the namespace is what every name begins with)
            aliases=[
                *ctx.catalog.aliases(args.service),
                *filter(None, [ctx.catalog.under(args.service), ctx.catalog.singular_under(args.service)]),
            ]
            if ctx.catalog
            else [],
        )
    )
    return Summary(summarise(stats, args.max_templates, args.only_notable), stats)


def rank(stats: LogStats) -> list[TemplateStat]:
    """Errors first, then warnings; within each, new or rising before steady, then by count."""

    def key(t: TemplateStat) -> tuple[int, int, int, str]:
        sev = 0 if t.is_error else 1 if t.level == "WARN" else 2
        return (sev, 0 if stats.notable(t) else 1, -t.count, t.template)

    return sorted(stats.templates, key=key)


EXCEPTION_LINE = re.compile(r"^\s*(Caused by: |panic: |fatal error: )|^\s*[\w.$]+(Error|Exception|Exit)\b.*:")


MAX_SAMPLE_CHARS = 600  # a sample line is for recognising the failure; a megabyte line is cut


def _cut(line: str) -> str:
    if len(line) <= MAX_SAMPLE_CHARS:
        return line
    return line[:MAX_SAMPLE_CHARS] + f" …[cut: {len(line) - MAX_SAMPLE_CHARS} more characters]"


def sample_lines(message: str, keep: int = 4) -> list[str]:
    """The first line of a multi-line message, then the lines that name the failure
    (the last line of a Python traceback, a Java exception, a Go panic), then the rest."""
    lines = [_cut(x.rstrip()) for x in message.splitlines() if x.strip()] or [""]
    rest = lines[1:]
    telling = [x for x in rest if EXCEPTION_LINE.search(x)]
    chosen = (telling + [x for x in rest if x not in telling])[: keep - 1]
    return [lines[0], *sorted(chosen, key=rest.index)]


def summarise(stats: LogStats, max_templates: int = 8, only_notable: bool = False) -> str:
    q = stats.query
    day = q.start.strftime("%Y-%m-%d")
    lines = [
        f"logs of {q.service}, window {day} {fmt_hm(q.start)} to {fmt_time(q.end)}"
        + (f" matching {q.query!r}" if q.query else "")
        + f", baseline from {fmt_time(q.baseline_start)} ({stats.source})"
    ]
    levels = ", ".join(f"{n} {lvl}" for lvl, n in sorted(stats.levels.items(), key=lambda x: -x[1]))
    lines.append(f"{stats.total} lines in window ({levels or 'none'}); {stats.baseline_total} lines in baseline")
    if stats.skipped_lines:
        lines.append(
            f"{stats.skipped_lines} lines in the log source were skipped: not JSON, or no time field this reader knows"
        )
    if stats.unattributed:
        lines.append(
            f"{stats.unattributed} lines of the window name no catalogued service in any field this reader knows"
        )
    if stats.textless:
        lines.append(
            f"{stats.textless} lines of the window carry no text this reader can find: what they say is unknown"
        )
    if stats.sampled:
        lines.append(f"template counts are scaled from a sample: {stats.sampled}")
    if stats.total == 0:
        lines.append("no log lines for this service in the window")
        return "\n".join(lines)
    ranked = rank(stats)
    candidates = [t for t in ranked if (t.level != "INFO" or stats.notable(t)) and t.count]
    shown = [t for t in candidates if stats.notable(t) or not only_notable][:max_templates]
    if not shown:
        steady = f" ({len(candidates)} steady ones)" if candidates else ""
        lines.append(f"no new or rising error or warning templates{steady}")
    else:
        lines.append("error and warning templates, new or rising first (times UTC):")
    for i, t in enumerate(shown, 1):
        note = f", {stats.notable(t)}" if stats.notable(t) else ""
        t.line, t.sample_line = len(lines) + 1, len(lines) + 2
        lines.append(
            f"T{i} {t.level} {t.count}x in window (baseline {t.baseline_count}{note}), "
            f"first {t.first_seen:%H:%M:%S}, last {t.last_seen:%H:%M:%S}, {t.pods} pod(s): {t.template}"
        )
        sample = sample_lines(t.sample)
        who = f" {t.sample_pod}" if t.sample_pod else ""
        lines.append(f"  sample {t.sample_ref}{who}: {sample[0]}")
        lines.extend(f"    {x.strip()}" for x in sample[1:])
    rest = [t for t in ranked if t not in shown and t.count]
    if rest and not only_notable:
        top = sorted(rest, key=lambda t: (-t.count, t.template))[:2]
        largest = "; ".join(f"{t.level} {t.count}x {t.template[:60]}" for t in top)
        lines.append(f"{len(rest)} other templates, largest: {largest}")
    return "\n".join(lines)


TOOL = Tool("read_logs", ReadLogsInput, run, tool_description("read_logs"))
