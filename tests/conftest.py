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


def _pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return None


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster (Debian's postgresql) under a temporary folder, on loopback;
    yields a function that makes a fresh database and returns its URL."""
    import socket
    import subprocess
    import tempfile

    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not (initdb and pg_ctl):
        if os.environ.get("REQUIRE_INTEGRATION") == "1":
            pytest.fail("PostgreSQL server binaries not found (Debian: apt-get install postgresql)")
        pytest.skip("PostgreSQL not installed")
    base = Path(tempfile.mkdtemp(prefix="oncall-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as Debian's postgres user
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = base / "data"
    subprocess.run(
        [*run_as, initdb, "-D", str(data), "-U", "oncall", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    opts = f"-k {base} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        [*run_as, pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    import psycopg

    admin = psycopg.connect(f"postgresql://oncall@127.0.0.1:{port}/postgres", autocommit=True)
    made = []

    def database() -> str:
        name = f"q{len(made)}"
        admin.execute(f"CREATE DATABASE {name}")
        made.append(name)
        return f"postgresql://oncall@127.0.0.1:{port}/{name}"

    yield database
    admin.close()
    subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(base, ignore_errors=True)
