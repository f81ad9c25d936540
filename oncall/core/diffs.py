"""What a unified diff changed, in the words of a change event: a new image tag is a
deploy from one tag to another; otherwise the first changed key is a config change
from one value to another. Shared by the ArgoCD and GitHub backends."""

from __future__ import annotations

import difflib
import re

_KV = re.compile(r"^[-+]\s*(?:-\s+)?\"?([\w.\-/]+)\"?\s*[:=]\s*(.+?)\s*,?$")


def describe(diff: str) -> tuple[str, str | None, str | None]:
    """(kind, from, to) of a diff: ("deploy", "v2.14.2", "v2.14.3") or ("config", "maxConnections=100", ...)."""
    removed: list[tuple[str, str]] = []
    added: list[tuple[str, str]] = []
    for line in diff.splitlines():
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


def unified(before: str, after: str, path: str, context: int = 3) -> str:
    """A git-style unified diff of one file's text."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), f"a/{path}", f"b/{path}", n=context, lineterm=""
    )
    return "\n".join(lines)
