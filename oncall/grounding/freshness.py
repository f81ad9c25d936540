"""Runbook freshness: a quoted runbook section that names a setting's value (`maxConnections: 100`,
`--timeout=30s`) which the newest change to that setting contradicts is flagged in the brief as
possibly stale, citing both the runbook and the change. Either may be the one that is wrong: the
engineer decides; the copilot only says that they disagree.

Only what a tool returned is compared (the quote, the change's diff), so both sides can be cited."""

from __future__ import annotations

import re

from oncall.core import diffs
from oncall.core.citations import cite
from oncall.core.diagnosis import Claim, RunbookQuote
from oncall.core.results import ToolResult
from oncall.tools.read_changes import Change, ChangeList

# a setting as runbooks write it: `key: value`, key=value, --flag=value, --flag value
SETTING = re.compile(r"(?:--)?\b([A-Za-z_][\w.\-]*)(?:\s*[:=]\s*|\s+(?=\d))([\w.\-/]+)")
CHANGED = re.compile(r"^\s*(?:-\s+)?[\"']?(?:--)?([\w.\-/]+)[\"']?\s*[:=]\s*[\"']?([^\s\"',#]+)")


def _key(name: str) -> str:
    """A setting's name as both sides spell it: the last part of a dotted path, in lower case, no dashes."""
    return re.split(r"[./]", name)[-1].lower().replace("-", "").replace("_", "")


def stale_quotes(quotes: list[RunbookQuote], results: list[ToolResult]) -> list[Claim]:
    latest: dict[str, tuple[str, str, Change, str]] = {}  # key -> (name, value, change, its citation)
    changes = [
        (r, c)
        for r in results
        if r.ok and isinstance(r.data, ChangeList)
        for c in r.data.changes
        if c.diff and c.line is not None
    ]
    for r, c in sorted(changes, key=lambda rc: rc[1].ts):
        for line in diffs.parse(c.diff).added:
            if (m := CHANGED.match(line)) and not diffs.VERSION_KEY.match(line):
                latest[_key(m.group(1))] = (m.group(1), m.group(2), c, cite(r.id, c.line))
    out: list[Claim] = []
    for q in quotes:
        for m in SETTING.finditer(q.quote):
            name, said = m.group(1), m.group(2).rstrip(".,;`")
            found = latest.get(_key(name))
            if found is None or found[1].lower() == said.lower():
                continue
            setting, now, change, where = found
            who = f"{change.kind} of {change.service}" + (f" {change.ref}" if change.ref else "")
            out.append(
                Claim(
                    text=f'the runbook "{q.page}" > {q.section} says {name} {said}, but the {who} set {setting} to '
                    f"{now}: the runbook may be stale, or the change the mistake",
                    cites=[*q.cites, where],
                )
            )
    return out
