"""Unified diffs, read in one place: what a change event's diff says it changed (read_changes'
backends), the telling setting it edits and the words it introduces (the offline analyst),
and how to undo it or measure an edit (open_pr)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from oncall.core.errors import ToolError

_KV = re.compile(r"^[-+]\s*(?:-\s+)?\"?([\w.\-/]+)\"?\s*[:=]\s*(.+?)\s*,?$")
# Keys every deploy bumps: a change of these is a version, not a setting (kustomize's images name theirs
# newTag and newName).
VERSION_KEY = re.compile(r"^\s*[\"']?(image|tag|version|appVersion|digest|repository|registry|newTag|newName)\b", re.I)


@dataclass(frozen=True)
class Diff:
    """A unified diff's changed lines (without their +/- marks) and the file it names."""

    path: str | None
    removed: tuple[str, ...]
    added: tuple[str, ...]
    body: tuple[str, ...]  # every line but the file headers and hunk markers, marks kept


# Nomad's `job plan` diff: each edited field `+/- key: "old" => "new"`, indented under the job, group and task
# it sits in (`+/- Job: "api"`, `+/- Task Group: "api" (1 create/destroy update)`, `+/- Config {`): those say
# where the change is, as a unified diff's headers do, not what it changed
_PLANNED_EDIT = re.compile(r'^\s*\+/-\s+([^:{]+?):\s+"(.*)"\s+=>\s+"(.*)"\s*$')
_PLANNED_PLACE = re.compile(r"^\s*(?:\+/-|[+-])\s+(?:(?:Job|Task Group|Task|Group)\b|[\w ]+\{$)|^\s*\}$")


def _unplanned(lines: list[str]) -> list[str]:
    """Lines of a Nomad plan diff as a unified diff writes them: each edit a removed and an added line, the
    places it sits in left out (other lines as they are)."""
    out: list[str] = []
    for x in lines:
        if m := _PLANNED_EDIT.match(x):
            out += [f"-{m.group(1)}: {m.group(2)}", f"+{m.group(1)}: {m.group(3)}"]
        elif not _PLANNED_PLACE.match(x):
            out.append(x)
    return out


def _lines(diff: str | None) -> list[str]:
    """A diff's lines, a Nomad plan diff's as a unified diff writes them."""
    lines = (diff or "").splitlines()
    return _unplanned(lines) if any(_PLANNED_EDIT.match(x) for x in lines) else lines


def parse(diff: str | None) -> Diff:
    lines = _lines(diff)
    m = re.search(r"^\+\+\+ b/(\S+)", diff or "", re.M) or re.search(r"^--- a/(\S+)", diff or "", re.M)
    body = tuple(x for x in lines if not x.startswith(("---", "+++", "@@")))
    return Diff(
        path=m.group(1) if m else None,
        removed=tuple(x[1:] for x in body if x.startswith("-")),
        added=tuple(x[1:] for x in body if x.startswith("+")),
        body=body,
    )


def version_only(diff: str | None) -> bool:
    """A diff whose every changed line moves a version (every release does one): no setting changed."""
    d = parse(diff)
    changed = (*d.removed, *d.added)
    return bool(changed) and all(VERSION_KEY.match(x) for x in changed)


def describe(diff: str) -> tuple[str, str | None, str | None]:
    """(kind, from, to) of a diff: ("deploy", "v2.14.2", "v2.14.3") or ("config", "maxConnections=100", ...)."""
    removed: list[tuple[str, str]] = []
    added: list[tuple[str, str]] = []
    for line in _lines(diff):
        if line.startswith(("---", "+++")):
            continue
        m = _KV.match(line)
        if m and line[0] in "-+":
            (removed if line[0] == "-" else added).append((m.group(1), m.group(2).strip("\"'")))
    for key in ("tag", "image"):
        old = next((v for k, v in removed if k.endswith(key)), None)
        new = next((v for k, v in added if k.endswith(key)), None)
        if new is not None and new != old:
            if key == "image":
                old, new = old and old.rsplit(":", 1)[-1], new.rsplit(":", 1)[-1]
            return "deploy", old, new
    for k, v in added:
        old = next((ov for ok, ov in removed if ok == k), None)
        if old != v:
            return "config", f"{k}={old}" if old is not None else None, f"{k}={v}"
    return "config", None, None


def settings_changed(diff: str | None) -> list[tuple[str, str, str]]:
    """(key, old value, new value) of each setting a diff changes: a key removed with one value and added
    with another (`-  REPORT_WORKERS: "4"`, `+  REPORT_WORKERS: "48"`)."""
    removed: dict[str, str] = {}
    added: dict[str, str] = {}
    for line in _lines(diff or ""):
        if line.startswith(("---", "+++")) or not line or line[0] not in "-+":
            continue
        if (m := _KV.match(line)) is not None:
            (removed if line[0] == "-" else added)[m.group(1)] = m.group(2).strip("\"'")
    return [(k, removed[k], v) for k, v in added.items() if k in removed and removed[k] != v]


def gist(diff: str | None) -> tuple[str, str] | None:
    """The most telling removed/added pair of a diff, as its lines read: a setting
    rather than the image tag that every deploy bumps."""
    if not diff:
        return None
    # (as written: a brief quotes the pair, so each must be the diff's own text; a Nomad plan diff's edit is
    # one line, `+/- key: "old" => "new"`, and gives none)
    lines = diff.splitlines()
    pairs = []
    for i, x in enumerate(lines):
        if x.startswith("-") and not x.startswith("---"):
            nxt = next((y for y in lines[i + 1 :] if y.startswith("+") and not y.startswith("+++")), None)
            if nxt is not None:
                pairs.append((x[1:].strip(), nxt[1:].strip()))
    pairs = [p for p in pairs if p[0] and p[1] and p[0] != p[1]]
    if not pairs:
        return None
    return next((p for p in pairs if not VERSION_KEY.match(p[0])), pairs[0])


def edited_file(diff: str | None, removed: str) -> str | None:
    """The file whose hunk removes the line `removed` (as gist gives it), by its `+++ b/...` header."""
    path = None
    for line in (diff or "").splitlines():
        if line.startswith("+++ "):
            path = line[4:].strip().removeprefix("b/")
        elif line.startswith("-") and not line.startswith("---") and line[1:].strip() == removed:
            return path if path and path != "/dev/null" else None
    return None


def unified(before: str, after: str, path: str, context: int = 3) -> str:
    """A git-style unified diff of one file's text."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), f"a/{path}", f"b/{path}", n=context, lineterm=""
    )
    return "\n".join(lines)


def reverse(diff: str, text: str) -> str:
    """Undo a unified diff on `text`: each hunk's new side is found and replaced by its old side."""
    hunks: list[list[str]] = []
    cur: list[str] | None = None
    for line in diff.splitlines():
        if line.startswith("@@"):
            cur = []
            hunks.append(cur)
        elif cur is not None and line[:1] in (" ", "+", "-"):
            cur.append(line)
        elif cur is not None and line == "":
            cur.append(" ")
    lines = text.split("\n")
    for hunk in hunks:
        new_side = [x[1:] for x in hunk if x[0] in " +"]
        old_side = [x[1:] for x in hunk if x[0] in " -"]
        at = next((i for i in range(len(lines) - len(new_side) + 1) if lines[i : i + len(new_side)] == new_side), None)
        if at is None:
            raise ToolError("the change's diff no longer applies: the file has changed since")
        lines[at : at + len(new_side)] = old_side
    return "\n".join(lines)


def changed_lines(before: str, after: str) -> tuple[int, list[str]]:
    """How many lines an edit changes, and the lines it adds."""
    d = parse("\n".join(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)))
    return len(d.body), list(d.added)
