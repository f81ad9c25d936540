"""Runbook freshness: a quoted runbook section that names a setting's value (`maxConnections: 100`,
`--timeout=30s`) which the newest change to that setting contradicts, or, failing a change, which the
repository's config file holds otherwise now (read_config), is flagged in the brief as possibly
stale, citing both the runbook and the change or the file's line. Either may be the one that is
wrong: the engineer decides; the copilot only says that they disagree. A name the file gives two
values (`memory` under requests and under limits) is not compared by name alone.

Only what a tool returned is compared (the quote, the change's diff), so both sides can be cited."""

from __future__ import annotations

import re

from oncall.core import diffs
from oncall.core.citations import cite
from oncall.core.diagnosis import Claim, RunbookQuote
from oncall.core.results import ToolResult
from oncall.tools.read_changes import Change, ChangeList
from oncall.tools.read_config import ConfigFiles

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
    held = _repository_values(results)
    out: list[Claim] = []
    for q in quotes:
        for m in SETTING.finditer(q.quote):
            name, said = m.group(1), m.group(2).rstrip(".,;`")
            key = _key(name)
            if (found := latest.get(key)) is not None:
                setting, now, change, where = found
                if now.lower() == said.lower():
                    continue
                who = f"{change.kind} of {change.service}" + (f" {change.ref}" if change.ref else "")
                text = f"the {who} set {setting} to {now}: the runbook may be stale, or the change the mistake"
            elif (kept := held.get(key)) is not None and kept[1].lower() != said.lower():
                setting, now, path, where = kept
                text = f"{path} in the repository holds {setting}: {now}: the runbook may be stale, or the file"
            else:
                continue
            said_where = f'the runbook "{q.page}" > {q.section} says {name} {said}'
            out.append(Claim(text=f"{said_where}, but {text}", cites=[*q.cites, where]))
    return out


def _repository_values(results: list[ToolResult]) -> dict[str, tuple[str, str, str, str]]:
    """key -> (name, value, file, citation) for each setting the config files hold exactly one value for."""
    seen: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in results:
        if not (r.ok and isinstance(r.data, ConfigFiles)):
            continue
        for f in r.data.files:
            for n, line in enumerate(f.lines, 1):
                at = r.data.cite_line(f, n)
                # a version in the file is what is deployed, not a claim a runbook's rollback target contradicts
                if at is not None and (m := CHANGED.match(line)) and not diffs.VERSION_KEY.match(line):
                    seen.setdefault(_key(m.group(1)), []).append((m.group(1), m.group(2), f.path, cite(r.id, at)))
    return {k: v[0] for k, v in seen.items() if len({x[1].lower() for x in v}) == 1}
