"""Embedded config backend: the bundle's `repo/` folder, the working tree of the config repository.
Only plain relative paths inside it are read (never `.git`, never through a link leading out: the
bundle's tree was checked when it was opened), each within the runbook size cap."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from oncall.core.errors import BundleError, ToolError
from oncall.core.files import RUNBOOK_MAX, plain_relative, read_small

NAME = "repo"


def present(root: Path) -> bool:
    return (root / NAME).is_dir()


class BundleRepo:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def read_file(self, repo: str, path: str) -> str:
        if not plain_relative(path) or ".git" in PurePosixPath(path).parts:
            raise ToolError(f"{path!r} is not a plain path inside the repository")
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root):
            raise ToolError(f"{path} leads outside the repository; refused")
        if not target.is_file():
            raise ToolError(f"{path} does not exist in {repo}")
        try:
            return read_small(target, RUNBOOK_MAX, "config file")
        except BundleError as e:  # too large, not text: this call's answer, not the bundle's failure
            raise ToolError(str(e)) from None
