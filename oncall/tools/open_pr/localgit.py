"""Embedded PR backend: the bundle's repo/ becomes a local upstream repository with
a fork cloned beside it (both outside the bundle). A PR is a branch on the fork
plus a record of its title, body and labels; upstream is never written after
it is created. Uses the git command line."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from oncall.core.errors import ToolError
from oncall.tools.open_pr import OpenedPr, PrPlan

IDENTITY = [
    "-c",
    "user.name=oncall-copilot",
    "-c",
    "user.email=oncall-copilot@localhost",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
]


def git(cwd: Path, *args: str) -> str:
    p = subprocess.run(["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise ToolError(
            f"git {args[0]} failed: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}"
        )
    return p.stdout


@dataclass
class LocalForks:
    source: Path  # the bundle's repo/ folder (read only)
    workdir: Path  # where upstream/ and fork/ live
    repo: str  # the catalog's name for the repository

    @property
    def upstream(self) -> Path:
        return self.workdir / "upstream"

    @property
    def fork(self) -> Path:
        return self.workdir / "fork"

    def _ensure(self) -> None:
        if (self.fork / ".git").is_dir():
            return
        if not self.source.is_dir():
            raise ToolError(f"the bundle has no repo/ folder for {self.repo}")
        if self.workdir.resolve().is_relative_to(self.source.parent.resolve()):
            raise ToolError("the PR work folder must be outside the bundle")
        shutil.rmtree(self.workdir, ignore_errors=True)
        shutil.copytree(self.source, self.upstream)
        git(self.upstream, "init", "-q")
        git(self.upstream, "add", "-A")
        git(self.upstream, "commit", "-q", "-m", f"{self.repo} as of the incident")
        git(self.workdir, "clone", "-q", str(self.upstream), str(self.fork))

    def read_file(self, repo: str, path: str) -> str:
        self._check(repo)
        self._ensure()
        try:
            return git(self.upstream, "show", f"HEAD:{path}")
        except ToolError:
            raise ToolError(f"{path} does not exist in {repo}") from None

    def _record(self, branch: str) -> Path:
        return self.fork / ".git" / "oncall-prs" / f"{branch.replace('/', '_')}.json"

    def open(self, plan: PrPlan, branch: str, body: str) -> OpenedPr:
        self._check(plan.repo)
        self._ensure()
        record = self._record(branch)
        if record.exists():  # the same investigation never opens a second PR
            saved = json.loads(record.read_text())
            return OpenedPr(
                url=saved["url"], branch=branch, title=saved["title"], existing=True, labels=saved["labels"]
            )
        git(self.fork, "checkout", "-q", "-b", branch, "origin/main")
        try:
            (self.fork / plan.path).write_text(plan.after)
            git(self.fork, "add", plan.path)
            git(self.fork, "commit", "-q", "-m", plan.title, "-m", plan.reason)
        finally:
            git(self.fork, "checkout", "-q", "main")
        url = self.fork.resolve().as_uri()
        labels = ["oncall-copilot", "draft"]
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(
            json.dumps(
                {
                    "url": url,
                    "branch": branch,
                    "title": plan.title,
                    "body": body,
                    "base": "main",
                    "draft": True,
                    "labels": labels,
                },
                indent=1,
            )
        )
        return OpenedPr(url=url, branch=branch, title=plan.title, labels=labels)

    def _check(self, repo: str) -> None:
        if repo != self.repo:
            raise ToolError(f"this backend holds {self.repo}, not {repo}")
