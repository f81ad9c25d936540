"""A durable alert queue in SQLite, so a restart of `oncall serve` loses nothing.

Each firing alert is stored once, keyed by fingerprint and start time, so
Alertmanager's repeat_interval re-sends are recognised. Alerts of one group
(same groupKey and service, starting within `window_s`) make one job, so one
investigation lists them all. Workers claim jobs; a job left running by a
crash is queued again at start."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from oncall.core.alert import Alert

SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
  key TEXT PRIMARY KEY, job TEXT NOT NULL, alert TEXT NOT NULL, received_at REAL DEFAULT (unixepoch('subsec')));
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, status TEXT NOT NULL DEFAULT 'queued', investigation TEXT, error TEXT,
  created_at REAL DEFAULT (unixepoch('subsec')), updated_at REAL);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created_at);
"""


@dataclass
class Job:
    id: str
    alerts: list[Alert]


@dataclass
class Enqueued:
    accepted: int
    duplicates: int
    jobs: list[str]


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
        if recover:  # only the server, at start: a job left running by a crash is investigated again
            self._db.execute("UPDATE jobs SET status = 'queued' WHERE status = 'running'")

    def job_id(self, alert: Alert) -> str:
        bucket = int(alert.starts_at.timestamp()) // self.window_s
        key = json.dumps([alert.group_key or alert.alertname, alert.service, bucket])
        return "job-" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def enqueue(self, alerts: list[Alert]) -> Enqueued:
        accepted = duplicates = 0
        jobs: list[str] = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for a in alerts:
                    job = self.job_id(a)
                    key = f"{a.fingerprint}|{a.starts_at.isoformat()}"
                    cur = self._db.execute(
                        "INSERT OR IGNORE INTO alerts(key, job, alert) VALUES (?, ?, ?)",
                        (key, job, a.model_dump_json()),
                    )
                    if cur.rowcount == 0:
                        duplicates += 1
                        continue
                    accepted += 1
                    self._db.execute("INSERT OR IGNORE INTO jobs(id) VALUES (?)", (job,))
                    if job not in jobs:
                        jobs.append(job)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return Enqueued(accepted, duplicates, jobs)

    def claim(self) -> Job | None:
        with self._lock:
            row = self._db.execute(
                "UPDATE jobs SET status = 'running', updated_at = unixepoch('subsec') WHERE id = ("
                "SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at LIMIT 1) RETURNING id"
            ).fetchone()
            if row is None:
                return None
            alerts = [
                Alert.model_validate_json(r[0])
                for r in self._db.execute("SELECT alert FROM alerts WHERE job = ? ORDER BY received_at, key", (row[0],))
            ]
        return Job(row[0], alerts)

    def finish(self, job: str, investigation: str | None, error: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status = ?, investigation = ?, error = ?, updated_at = unixepoch('subsec') "
                "WHERE id = ?",
                ("failed" if error else "done", investigation, error, job),
            )

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db.execute("SELECT status, count(*) FROM jobs GROUP BY status").fetchall())

    def close(self) -> None:
        self._db.close()
