"""A durable alert queue in SQLite, so a restart of `oncall serve` loses nothing, and every alert
that got a 2xx is accounted for.

Each firing alert is stored once, keyed by fingerprint and start time, so Alertmanager's
repeat_interval re-sends are recognised. Alerts of one group (same groupKey and service, starting
within `window_s`) make one job, so one investigation lists them all. An alert that joins a group
whose job is already running or done is never dropped: it is recorded as attached to that job,
and when it adds something new (another alert name, service or severity) it starts a follow-up
job, at most one waiting per group at a time. The invariant: every accepted alert is the subject
of exactly one job or recorded as attached to one (`whereabouts`).

Workers claim jobs with a lease they renew while they work (`heartbeat`); a job whose worker died
is taken again when its lease runs out, once, and only its current owner can finish it."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oncall.core.alert import Alert

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
  key TEXT PRIMARY KEY, job TEXT NOT NULL, alert TEXT NOT NULL, received_at REAL DEFAULT (unixepoch('subsec')),
  role TEXT NOT NULL DEFAULT 'subject');
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, grp TEXT, status TEXT NOT NULL DEFAULT 'queued', investigation TEXT, error TEXT,
  created_at REAL DEFAULT (unixepoch('subsec')), updated_at REAL, owner TEXT, lease_until REAL,
  attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created_at);
CREATE INDEX IF NOT EXISTS alerts_job ON alerts(job);
"""
LEASE_S = 30.0
MAX_ATTEMPTS = 2  # a job whose worker died is taken again once; a second death fails it, on record


@dataclass
class Job:
    id: str
    alerts: list[Alert]
    owner: str = ""


@dataclass
class Enqueued:
    accepted: int
    duplicates: int
    jobs: list[str]
    attached: int = 0  # late members recorded on a running or finished job


def me() -> str:
    return f"{os.uname().nodename}:{os.getpid()}:{threading.get_ident()}"


class AlertQueue:
    def __init__(self, path: Path, window_s: int = 300, recover: bool = True):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.window_s = window_s
        self._lock = threading.Lock()
        # several processes share the file: wait for a lock rather than fail
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        if recover:  # the server, at start: jobs of workers of this host that no longer exist go back
            self._requeue_orphans()

    def group_of(self, alert: Alert) -> str:
        bucket = int(alert.starts_at.timestamp()) // self.window_s
        key = json.dumps([alert.group_key or alert.alertname, alert.service, bucket])
        return "job-" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def enqueue(self, alerts: list[Alert]) -> Enqueued:
        out = Enqueued(0, 0, [])
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for a in alerts:
                    self._enqueue_one(a, out)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return out

    def _enqueue_one(self, a: Alert, out: Enqueued) -> None:
        key = f"{a.fingerprint}|{a.starts_at.isoformat()}"
        if self._db.execute("SELECT 1 FROM alerts WHERE key = ?", (key,)).fetchone():
            out.duplicates += 1
            return
        grp = self.group_of(a)
        # the newest job of the group: the group's own, or its latest follow-up
        row = self._db.execute(
            "SELECT id, status FROM jobs WHERE grp = ? ORDER BY created_at DESC LIMIT 1", (grp,)
        ).fetchone()
        if row is None:
            job, role = grp, "subject"
            self._db.execute("INSERT INTO jobs(id, grp) VALUES (?, ?)", (job, grp))
        elif row[1] == "queued":
            job, role = row[0], "subject"  # investigated with the rest of its group
        elif self._adds_something(row[0], a):
            n = self._db.execute("SELECT count(*) FROM jobs WHERE grp = ?", (grp,)).fetchone()[0]
            job, role = f"{grp}-f{n}", "subject"  # a follow-up: the group grew after it was investigated
            self._db.execute("INSERT INTO jobs(id, grp) VALUES (?, ?)", (job, grp))
        else:
            job, role = row[0], "attached"  # nothing new: recorded on the job that covers it
            out.attached += 1
        self._db.execute(
            "INSERT INTO alerts(key, job, alert, role) VALUES (?, ?, ?, ?)", (key, job, a.model_dump_json(), role)
        )
        out.accepted += 1
        if job not in out.jobs:
            out.jobs.append(job)

    def _adds_something(self, job: str, a: Alert) -> bool:
        seen = {
            (x.alertname, x.service, x.severity)
            for (raw,) in self._db.execute("SELECT alert FROM alerts WHERE job = ?", (job,))
            for x in [Alert.model_validate_json(raw)]
        }
        return (a.alertname, a.service, a.severity) not in seen

    def claim(self, owner: str | None = None, lease_s: float = LEASE_S) -> Job | None:
        owner = owner or me()
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._expire(now)
                row = self._db.execute(
                    "UPDATE jobs SET status = 'running', owner = ?, lease_until = ?, attempts = attempts + 1, "
                    "updated_at = ? WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at "
                    "LIMIT 1) RETURNING id",
                    (owner, now + lease_s, now),
                ).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            if row is None:
                return None
            alerts = [
                Alert.model_validate_json(r[0])
                for r in self._db.execute(
                    "SELECT alert FROM alerts WHERE job = ? AND role = 'subject' ORDER BY received_at, key", (row[0],)
                )
            ]
        return Job(row[0], alerts, owner)

    def _expire(self, now: float) -> None:
        """Running jobs whose lease ran out: their worker died. Taken again once, then failed."""
        self._db.execute(
            "UPDATE jobs SET status = 'failed', error = 'its worker died twice', updated_at = ? "
            "WHERE status = 'running' AND lease_until < ? AND attempts >= ?",
            (now, now, MAX_ATTEMPTS),
        )
        self._db.execute(
            "UPDATE jobs SET status = 'queued', owner = NULL, updated_at = ? "
            "WHERE status = 'running' AND lease_until < ?",
            (now, now),
        )

    def _requeue_orphans(self) -> None:
        host = os.uname().nodename
        with self._lock:
            for job, owner in self._db.execute("SELECT id, owner FROM jobs WHERE status = 'running'").fetchall():
                parts = (owner or "").split(":")
                if len(parts) >= 2 and parts[0] == host and parts[1].isdigit() and not _alive(int(parts[1])):
                    self._db.execute("UPDATE jobs SET lease_until = 0 WHERE id = ?", (job,))

    def heartbeat(self, job: str, owner: str, lease_s: float = LEASE_S) -> bool:
        """Renew the lease; False when the job is no longer this owner's (it was taken again)."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE jobs SET lease_until = ? WHERE id = ? AND owner = ? AND status = 'running'",
                (time.time() + lease_s, job, owner),
            )
            return cur.rowcount == 1

    def finish(self, job: str, investigation: str | None, error: str | None = None, owner: str | None = None) -> bool:
        """Record the outcome; only the job's current owner can (a stale worker's result is dropped)."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE jobs SET status = ?, investigation = ?, error = ?, updated_at = unixepoch('subsec') "
                "WHERE id = ? AND status = 'running' AND (? IS NULL OR owner = ?)",
                ("failed" if error else "done", investigation, error, job, owner, owner),
            )
            return cur.rowcount == 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db.execute("SELECT status, count(*) FROM jobs GROUP BY status").fetchall())

    def whereabouts(self, ref: str) -> list[dict[str, Any]]:
        """Every accepted alert matching a job id, an investigation id or an alert fingerprint, with
        the job it belongs to, whether it is that job's subject or attached, and the job's outcome."""
        with self._lock:
            rows = self._db.execute(
                "SELECT a.key, a.role, a.alert, j.id, j.status, j.investigation, j.error FROM alerts a "
                "JOIN jobs j ON j.id = a.job WHERE j.id = ? OR j.grp = ? OR j.investigation = ? "
                "OR a.key LIKE ? ORDER BY a.received_at",
                (ref, ref, ref, f"{ref}|%"),
            ).fetchall()
        return [
            {
                "alert": key,
                "role": role,
                "alertname": json.loads(raw)["alertname"],
                "job": job,
                "status": status,
                "investigation": inv,
                "error": err,
            }
            for key, role, raw, job, status, inv, err in rows
        ]

    def close(self) -> None:
        self._db.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
