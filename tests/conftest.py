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


@pytest.fixture(autouse=True, scope="session")
def _private_state(tmp_path_factory):
    """Audit logs, queues and PR forks of every test go to a temporary folder, never the user's home."""
    state = tmp_path_factory.mktemp("state")
    old = {k: os.environ.get(k) for k in ("XDG_STATE_HOME", "XDG_CACHE_HOME")}
    os.environ["XDG_STATE_HOME"] = str(state / "state")
    os.environ["XDG_CACHE_HOME"] = str(state / "cache")
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def confluence():
    from tests.fake_confluence import start_confluence

    fake = start_confluence()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster (Debian's postgresql) under a temporary folder, on loopback;
    yields a function that makes a fresh database and returns its URL."""
    from tests.pgserver import PostgresNotFound, start_postgres

    try:
        server = start_postgres()
    except PostgresNotFound as e:
        if os.environ.get("REQUIRE_INTEGRATION") == "1":
            pytest.fail(str(e))
        pytest.skip(str(e))
    yield server.database
    server.stop()


SCORING = pytest.StashKey["Scoring | None"]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that read the worlds' scores run last, so that their scoring overlaps the whole suite."""
    from tests.scoring import FIXTURE

    items.sort(key=lambda i: FIXTURE in getattr(i, "fixturenames", ()))  # (stable: the order is otherwise kept)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The worlds test_eval holds to the bar begin to be scored now, in the background (tests/scoring.py)."""
    from tests.scoring import Scoring

    session.config.stash[SCORING] = Scoring.start(session.items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    scoring = session.config.stash.get(SCORING, None)
    if scoring is not None:
        scoring.stop()
