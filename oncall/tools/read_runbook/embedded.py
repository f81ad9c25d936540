"""Embedded runbook backend: a folder of Markdown files with YAML front matter
(`title`, `services`, `alerts`); `##` headings are the sections."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from oncall.core import yamlsafe
from oncall.core.errors import BundleError, ToolError
from oncall.core.files import RUNBOOK_MAX, read_small
from oncall.tools.read_runbook import RunbookPage, Section

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def parse_page(text: str, source: str) -> RunbookPage:
    meta: dict[str, object] = {}
    m = _FRONT.match(text)
    if m:
        try:
            meta = yamlsafe.load(m.group(1)) or {}
        except yaml.YAMLError as e:
            raise ToolError(f"{source}: front matter is not valid YAML: {e}") from e
        text = text[m.end() :]
    title = str(meta.get("title") or "")
    sections: list[Section] = []
    heading, body = "", list[str]()
    for line in text.splitlines():
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line.startswith("## "):
            if heading or any(b.strip() for b in body):
                sections.append(Section(heading=heading or "Overview", body="\n".join(body).strip("\n")))
            heading, body = line[3:].strip(), []
        elif not line.startswith("# "):
            body.append(line)
    if heading or any(b.strip() for b in body):
        sections.append(Section(heading=heading or "Overview", body="\n".join(body).strip("\n")))
    return RunbookPage(
        title=title or Path(source).stem,
        source=source,
        services=_strings(meta.get("services")),
        alerts=_strings(meta.get("alerts")),
        sections=sections,
    )


def _strings(value: object) -> list[str]:
    """A front-matter list as strings; a lone string is a list of one, anything else is nothing."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


class MarkdownRunbooks:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def find(self, tags: list[str], alertname: str | None, query: str | None) -> list[RunbookPage]:
        if not self.folder.is_dir():
            raise ToolError(f"runbook folder {self.folder.name}/ not found")
        pages = []
        for path in sorted(self.folder.rglob("*.md")):
            text = read_small(path, RUNBOOK_MAX, "runbook", BundleError)
            page = parse_page(text, f"{self.folder.name}/{path.relative_to(self.folder)}")
            score = 0
            if alertname and alertname in page.alerts:
                score += 4
            if set(tags) & set(page.services):
                score += 2
            if query and query.lower() in text.lower():
                score += 1
            if score:
                page.score = score
                pages.append(page)
        return sorted(pages, key=lambda p: -p.score)
