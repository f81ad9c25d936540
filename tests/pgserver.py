"""A throwaway PostgreSQL cluster for the tests and the bench: Debian's server binaries, a data folder
under /tmp, loopback only, trust auth, fsync off (nothing here must survive the run)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class PostgresNotFound(RuntimeError):
    pass


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / name).exists():
            return str(d / name)
    return None


@dataclass
class Postgres:
    base: Path
    port: int
    pg_ctl: str
    run_as: list[str]
    admin: Any = None
    made: list[str] = field(default_factory=list)

    def database(self) -> str:
        name = f"q{len(self.made)}"
        self.admin.execute(f"CREATE DATABASE {name}")
        self.made.append(name)
        return f"postgresql://oncall@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.admin is not None:
            self.admin.close()
        data = str(self.base / "data")
        subprocess.run([*self.run_as, self.pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


def start_postgres() -> Postgres:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not (initdb and pg_ctl):
        raise PostgresNotFound("PostgreSQL server binaries not found (Debian: apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="oncall-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as Debian's postgres user
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    data = str(base / "data")
    subprocess.run(
        [*run_as, initdb, "-D", data, "-U", "oncall", "--auth=trust", "-E", "UTF8"], check=True, capture_output=True
    )
    opts = f"-k {base} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        [*run_as, pg_ctl, "-D", data, "-o", opts, "-l", str(base / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    import psycopg

    server = Postgres(base, port, pg_ctl, run_as)
    server.admin = psycopg.connect(f"postgresql://oncall@127.0.0.1:{port}/postgres", autocommit=True)
    return server
