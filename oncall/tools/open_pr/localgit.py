"""Embedded PR backend: the files of the bundle's repo/ become a local upstream repository
with a fork cloned beside it (both outside the bundle). A PR is a branch on the fork plus a
record of its title, body and labels; upstream is never written after it is created.

The bundle is untrusted data, so no code from it may run: its repo/.git is never used (only
the working files are copied, into a repository made here), and every git command runs with
hooks and fsmonitor off and no system, global or repository-supplied configuration. The work
folder is the copilot's own: it is never deleted, and only what a marker shows the copilot
made inside it is ever replaced."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from oncall.core.errors import ToolError
from oncall.tools.open_pr import OpenedPr, Picture, PrPlan

# -c settings on every command: no hook, no fsmonitor, no pager, a fixed identity and branch name
SAFE = [
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.pager=cat",
    "-c",
    "user.name=oncall-copilot",
    "-c",
    "user.email=oncall-copilot@localhost",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
]
MARKER = ".oncall-copilot-workdir"  # in a work folder the copilot made; nothing else is ever replaced


def _env() -> dict[str, str]:
    """git with no system or global configuration and no prompts (an isolated environment)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    return {
        **keep,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "HOME": os.devnull,
    }


def git(cwd: Path, *args: str) -> str:
    p = subprocess.run(
        ["git", *SAFE, *args], cwd=cwd, capture_output=True, text=True, env=_env(), stdin=subprocess.DEVNULL
    )
    if p.returncode != 0:
        raise ToolError(
            f"git {args[0]} failed: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}"
        )
    return p.stdout


def copy_files(source: Path, dest: Path) -> None:
    """The regular files and folders of `source`, without any .git and without links."""
    dest.mkdir(parents=True)
    for here, dirs, files in os.walk(source, followlinks=False):
        rel = Path(here).relative_to(source)
        dirs[:] = [d for d in dirs if d != ".git" and not (Path(here) / d).is_symlink()]
        for d in dirs:
            (dest / rel / d).mkdir()
        for f in files:
            src = Path(here) / f
            if f == ".git" or not stat.S_ISREG(os.lstat(src).st_mode):
                continue  # a link or a special file is not part of a config repository
            shutil.copyfile(src, dest / rel / f)


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
        if (self.fork / ".git").is_dir() and (self.workdir / MARKER).exists():
            return
        if not self.source.is_dir():
            raise ToolError(f"the bundle has no repo/ folder for {self.repo}")
        if self.workdir.resolve().is_relative_to(self.source.parent.resolve()):
            raise ToolError("the PR work folder must be outside the bundle")
        self._claim_workdir()
        for mine in (self.upstream, self.fork):  # left half made by an earlier run: ours to replace
            shutil.rmtree(mine, ignore_errors=True)
        copy_files(self.source, self.upstream)
        git(self.upstream, "init", "-q", "--template=")
        git(self.upstream, "add", "-A")
        git(self.upstream, "commit", "-q", "--allow-empty", "-m", f"{self.repo} as of the incident")
        git(self.workdir, "clone", "-q", "--template=", "--no-hardlinks", str(self.upstream), str(self.fork))

    def _claim_workdir(self) -> None:
        """Use the work folder only when it is new, empty, or already the copilot's: never delete
        or overwrite what the copilot did not create."""
        if self.workdir.exists() and not self.workdir.is_dir():
            raise ToolError(f"the PR work folder {self.workdir} is not a folder")
        if self.workdir.is_dir() and not (self.workdir / MARKER).exists() and any(self.workdir.iterdir()):
            raise ToolError(
                f"the PR work folder {self.workdir} holds files the copilot did not create; "
                "give an empty or new folder with --pr-workdir"
            )
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / MARKER).write_text("made by oncall-copilot for embedded pull requests\n")

    def read_file(self, repo: str, path: str) -> str:
        self._check(repo)
        self._ensure()
        try:
            return git(self.upstream, "show", f"HEAD:{path}")
        except ToolError:
            raise ToolError(f"{path} does not exist in {repo}") from None

    def _record(self, branch: str) -> Path:
        return self.fork / ".git" / "oncall-prs" / f"{branch.replace('/', '_')}.json"

    def open(self, plan: PrPlan, branch: str, body: str, picture: Picture | None = None) -> OpenedPr:
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
        if picture is not None:  # beside the PR's record, outside its branch, as on GitHub
            image = record.with_suffix(".png")
            image.parent.mkdir(parents=True, exist_ok=True)
            image.write_bytes(picture.png)
            body = picture.markdown(image.resolve().as_uri()) + body
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
