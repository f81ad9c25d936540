"""The code stays ruff- and mypy-clean: CI fails on a lint or type error as it does on a failing test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
MYPY = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")


@pytest.mark.skipif(RUFF is None, reason="ruff is installed by `make test`")
@pytest.mark.parametrize("args", [["check"], ["format", "--check"]])
def test_ruff(args):
    p = subprocess.run([RUFF, *args, "oncall", "tests"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.skipif(MYPY is None, reason="mypy is installed by `make test`")
def test_mypy():
    """Clean on the whole package, strict on core/ (pyproject.toml)."""
    p = subprocess.run([MYPY], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
