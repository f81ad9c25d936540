from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"
CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        if os.environ.get("REQUIRE_INTEGRATION") == "1":
            pytest.fail(f"shared corpora not found at {CORPORA}")
        pytest.skip("shared corpora not available")
    return CORPORA


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo bundle."""
    dst = tmp_path / "demo"
    shutil.copytree(DEMO, dst)
    return dst
