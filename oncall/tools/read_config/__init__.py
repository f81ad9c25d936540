"""read_config: what the repository holds now for a service's configuration (the files the catalog
lists as its config paths, at the head of the default branch), numbered, so a value a runbook
quotes or a fix proposes can be checked against what is deployed from."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from oncall.core.errors import ToolError
from oncall.core.files import plain_relative
from oncall.prompts import tool_description
from oncall.tools.tool import Summary, Tool, ToolContext

MAX_FILES = 4
MAX_LINES = 120  # per file: a values file, not a vendored chart
MAX_LINE_CHARS = 200


class ReadConfigInput(BaseModel):
    """Read one service's config files as the repository holds them now."""

    service: str = Field(description="catalog service whose config files (its catalog config_paths) to read")


class ConfigFile(BaseModel):
    path: str
    lines: list[str]  # the file's lines, as read (before truncation for display)
    first: int | None = None  # line of the summary holding the file's line 1
    shown: int = 0  # how many of its lines the summary holds


class ConfigFiles(BaseModel):
    service: str
    repo: str
    files: list[ConfigFile]
    unread: list[str] = []  # path: why

    def cite_line(self, f: ConfigFile, n: int) -> int | None:
        """The summary line holding line n (1-based) of file f, when shown."""
        return f.first + n - 1 if f.first is not None and 1 <= n <= f.shown else None


class ConfigBackend(Protocol):
    def read_file(self, repo: str, path: str) -> str:
        """The file's text at the head of the repository's default branch; ToolError when absent."""
        ...


def run(ctx: ToolContext, args: ReadConfigInput) -> Summary:
    svc = ctx.catalog.services.get(args.service)
    if svc is None:
        raise ToolError(f"service {args.service!r} is not in the catalog")
    if not svc.repo or not svc.config_paths:
        raise ToolError(f"the catalog names no config repository or files for {args.service}")
    backend: ConfigBackend | None = ctx.backends.config
    if backend is None:
        raise ToolError("no repository is configured for read_config")
    out = ConfigFiles(service=args.service, repo=svc.repo, files=[])
    for path in svc.config_paths[:MAX_FILES]:
        if not plain_relative(path):
            out.unread.append(f"{path}: not a plain path inside the repository")
            continue
        try:
            out.files.append(ConfigFile(path=path, lines=backend.read_file(svc.repo, path).splitlines()))
        except ToolError as e:
            out.unread.append(f"{path}: {e}")
    if not out.files:
        raise ToolError(f"none of {args.service}'s config files could be read: {'; '.join(out.unread)}")
    return Summary(summarise(out), out)


def summarise(c: ConfigFiles) -> str:
    lines = [f"config of {c.service} in {c.repo}, as the repository holds it now"]
    for f in c.files:
        lines.append(f"{f.path} ({len(f.lines)} lines)")
        f.first, f.shown = len(lines) + 1, min(len(f.lines), MAX_LINES)
        for i, text in enumerate(f.lines[:MAX_LINES], 1):
            cut = text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + " [... line truncated]"
            lines.append(f"{i:>4} | {cut}")
        if len(f.lines) > MAX_LINES:
            lines.append(f"[... {len(f.lines) - MAX_LINES} more lines in {f.path}]")
    lines += [f"not read: {u}" for u in c.unread]
    return "\n".join(lines)


TOOL = Tool("read_config", ReadConfigInput, run, tool_description("read_config"))
