"""open_pr: the only write. The fix becomes a draft pull request on a fork, never a
change to production or to the upstream repository.

The model (or the offline analyst) asks for a revert of a change it has read, or
for one edit to a catalogued config file. `plan` checks every guardrail in code and
returns a `PrPlan`; nothing is written until the diagnosis is grounded, and then
only through a backend that can write to the fork alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, Field, model_validator

from oncall.core import diffs
from oncall.core.errors import ToolError
from oncall.core.files import plain_relative
from oncall.core.redact import contains_secret
from oncall.prompts import tool_description
from oncall.tools.read_changes import Change, ChangeList
from oncall.tools.tool import Summary, Tool, ToolContext

MAX_CHANGED_LINES = 12
MAX_CHANGED_BYTES = 2048  # a fix is a value or two, not a payload


class OpenPrInput(BaseModel):
    """Ask for a draft PR with the fix: revert a change you have read, or edit one config value."""

    service: str = Field(description="the service whose config repository holds the fix")
    revert_change: str | None = Field(None, description="ref of a change shown by read_changes, to revert")
    path: str | None = Field(None, description="for an edit: a config path the catalog lists for the service")
    old: str | None = Field(None, description="for an edit: the exact text to replace (it must occur once)")
    new: str | None = Field(None, description="for an edit: the replacement text")
    reason: str = Field(description="one sentence: why this fixes the incident")

    @model_validator(mode="after")
    def _one_kind(self) -> OpenPrInput:
        if bool(self.revert_change) == bool(self.path or self.old or self.new):
            raise ValueError("give either revert_change, or path with old and new")
        if not self.revert_change and not (self.path and self.old is not None and self.new is not None):
            raise ValueError("an edit needs path, old and new")
        return self


@dataclass
class PrPlan:
    repo: str
    path: str
    before: str
    after: str
    title: str
    reason: str
    service: str
    changed_lines: int


@dataclass
class OpenedPr:
    url: str
    branch: str
    title: str
    existing: bool = False
    labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Picture:
    """The brief's key signal as a PNG, shown at the top of the PR body. It is stored on the fork
    apart from the PR's branch (PICTURES_BRANCH), so the PR's diff stays the one config edit."""

    png: bytes
    alt: str

    def markdown(self, url: str) -> str:
        return f"![{self.alt}]({url})\n\n"


PICTURES_BRANCH = "oncall-copilot-pictures"


class PrBackend(Protocol):
    def read_file(self, repo: str, path: str) -> str: ...

    def open(self, plan: PrPlan, branch: str, body: str, picture: Picture | None = None) -> OpenedPr: ...


@dataclass
class PrPolicy:
    """Guardrails, set by the entry point: which repositories may receive a PR at all."""

    allowed_repos: set[str]
    max_changed_lines: int = MAX_CHANGED_LINES
    max_changed_bytes: int = MAX_CHANGED_BYTES


def find_change(ref: str, results: list) -> Change:
    for r in results:
        if r.ok and isinstance(r.data, ChangeList):
            for c in r.data.changes:
                if c.ref == ref:
                    return c
    raise ToolError(f"no change with ref {ref!r} was read; call read_changes first")


def plan(ctx: ToolContext, args: OpenPrInput, policy: PrPolicy, backend: PrBackend, results: list) -> PrPlan:
    """Check every guardrail and work out the edit. Raises ToolError, which the model sees."""
    svc = ctx.catalog.services.get(args.service)
    if svc is None:
        raise ToolError(f"service {args.service!r} is not in the catalog")
    if not svc.repo or svc.repo not in policy.allowed_repos:
        raise ToolError(f"repository {svc.repo!r} is not on the allow-list for pull requests")
    if args.revert_change:
        change = find_change(args.revert_change, results)
        if change.service != args.service:
            raise ToolError(f"change {args.revert_change} belongs to {change.service}, not {args.service}")
        if not change.diff:
            raise ToolError(f"change {args.revert_change} has no diff to revert")
        path = diffs.parse(change.diff).path
        title = f"Revert {change.kind} {change.ref} of {args.service} ({change.to} -> {change.from_})"
    else:
        path, title = args.path, f"Edit {args.path} for {args.service}"
    if path is None or path not in svc.config_paths or not plain_relative(path):
        raise ToolError(f"{path!r} is not one of {args.service}'s config paths ({', '.join(svc.config_paths)})")
    before = backend.read_file(svc.repo, path)
    if args.revert_change:
        after = diffs.reverse(change.diff or "", before)
    else:
        if before.count(args.old or "") != 1:
            raise ToolError(f"{args.old!r} occurs {before.count(args.old or '')} times in {path}; it must occur once")
        after = before.replace(args.old or "", args.new or "", 1)
    n, added = diffs.changed_lines(before, after)
    if n == 0:
        raise ToolError("the edit changes nothing")
    if n > policy.max_changed_lines:
        raise ToolError(f"the edit changes {n} lines; at most {policy.max_changed_lines} are allowed")
    size = sum(len(x.encode()) for x in added)
    if size > policy.max_changed_bytes:
        raise ToolError(f"the edit adds {size:,} bytes; at most {policy.max_changed_bytes:,} are allowed")
    if any(contains_secret(x) for x in added):
        raise ToolError("the edit would write a secret into the repository; refused")
    return PrPlan(
        repo=svc.repo,
        path=path,
        before=before,
        after=after,
        title=title,
        reason=args.reason,
        service=args.service,
        changed_lines=n,
    )


@dataclass
class PrRequests:
    """What the model asked for in this investigation; opened after grounding, at most once."""

    policy: PrPolicy
    backend: PrBackend
    results: list = field(default_factory=list)  # the runner's results, to find changes by ref
    plans: list[PrPlan] = field(default_factory=list)


def run(ctx: ToolContext, args: OpenPrInput) -> Summary:
    requests: PrRequests | None = getattr(ctx.backends, "pull_requests", None)
    if requests is None:
        raise ToolError("pull requests are not enabled for this investigation (--open-pr)")
    p = plan(ctx, args, requests.policy, requests.backend, requests.results)
    if requests.plans:
        raise ToolError("a pull request was already requested in this investigation")
    requests.plans.append(p)
    return Summary(
        f"accepted: a draft PR on the fork of {p.repo} changing {p.path} ({p.changed_lines} lines) "
        f"will be opened once the diagnosis is grounded; title: {p.title}",
        p,
    )


TOOL = Tool("open_pr", OpenPrInput, run, tool_description("open_pr"))
