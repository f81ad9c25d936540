"""A durable alert queue in SQLite, so a restart of `oncall serve` loses nothing, and every alert
that got a 2xx is accounted for.

Each firing alert is stored once, keyed by fingerprint and start time, so Alertmanager's
repeat_interval re-sends are recognised. Alerts of one group (same groupKey and service) that start
within `window_s` of the first one's start make one job, so one investigation lists them all; the
window opens at that first start, not at a clock boundary, so members seconds apart are never split.
An alert that joins a group whose job is already running or done is never dropped: it is recorded
as attached to that job, and when it adds something new (another alert name, service or severity)
it starts a follow-up job, at most one waiting per group at a time. The invariant: every accepted
alert is the subject of exactly one job or recorded as attached to one (`whereabouts`).

The webhook writes through one writer (GroupCommit): the requests that arrive while a transaction
commits share the next one, and each is answered once its own alerts are committed.

Workers claim jobs with a lease they renew while they work (`heartbeat`); a job whose worker died
is taken again when its lease runs out, once, and only its current owner can finish it."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue
from typing import Any, NamedTuple

from oncall.core.alert import Alert

# Times are epoch seconds passed by the code (no dialect's clock functions), so one schema text
# serves SQLite and PostgreSQL; {real} is the float type (PostgreSQL's REAL is too coarse for epochs).
SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
  key TEXT PRIMARY KEY, job TEXT NOT NULL, alert TEXT NOT NULL, received_at {real} NOT NULL,
  role TEXT NOT NULL DEFAULT 'subject');
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, grp TEXT, status TEXT NOT NULL DEFAULT 'queued', investigation TEXT, error TEXT,
  created_at {real} NOT NULL, updated_at {real}, owner TEXT, lease_until {real},
  attempts INTEGER NOT NULL DEFAULT 0, anchor {real});
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created_at);
CREATE INDEX IF NOT EXISTS jobs_grp ON jobs(grp, created_at);
CREATE INDEX IF NOT EXISTS alerts_job ON alerts(job);
"""
LEASE_S = 30.0
MAX_ATTEMPTS = 2  # a job whose worker died is taken again once; a second death fails it, on record
# A job is taken once its group has been quiet this long (Alertmanager's group_wait, on our side):
# a group still gathering members is investigated whole rather than followed up member by member,
# and an alert storm is accepted before investigations compete with it for the CPU. A group that
# never goes quiet is taken anyway once its job is SETTLE_MAX_S old.
SETTLE_S = 1.0
SETTLE_MAX_S = 30.0


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


class _GroupJob(NamedTuple):
    """A job of a group, as an enqueue transaction sees it."""

    created: float
    id: str
    status: str
    anchor: float | None  # its firing's first start (None: a job from before anchors were kept)


@dataclass
class _Batch:
    """What one enqueue transaction knows of its alerts and groups, kept current as it goes."""

    now: float
    known: set[str]  # alert keys already stored (duplicates)
    jobs: dict[str, list[_GroupJob]]  # each group's jobs so far (how many names the next one)
    members: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)  # job -> (name, service, severity)
    new_jobs: list[tuple[Any, ...]] = field(default_factory=list)
    new_alerts: list[tuple[Any, ...]] = field(default_factory=list)

    def open(self, grp: str, job: str, anchor: float | None) -> tuple[str, str]:
        self.new_jobs.append((job, grp, self.now, anchor))
        self.jobs.setdefault(grp, []).append(_GroupJob(self.now, job, "queued", anchor))
        return job, "subject"

    def count(self, grp: str) -> int:
        return len(self.jobs.get(grp, ()))

    def covering(self, grp: str, start: float, window_s: float) -> _GroupJob | None:
        """The job of the firing whose window (from its first member's start) holds this start: the
        nearest firing when two windows overlap, and of its jobs the newest (its latest follow-up)."""
        near = [(abs(start - j.anchor), j) for j in self.jobs.get(grp, []) if j.anchor is not None]
        best = min((n for n in near if n[0] < window_s), key=lambda n: (n[0], -n[1].created), default=None)
        return best[1] if best else None


def _key(a: Alert) -> str:
    return f"{a.fingerprint}|{a.starts_at.isoformat()}"


def _describe(a: Alert) -> tuple[Any, ...]:
    return (a.alertname, a.service, a.severity)


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def me() -> str:
    return f"{os.uname().nodename}:{os.getpid()}:{threading.get_ident()}"


class AlertQueue:
    """The queue on SQLite, the embedded default: one file, one host. `PostgresQueue` (queue_pg.py)
    runs the same statements on PostgreSQL for several replicas; a dialect differs only in how it
    connects, opens a write transaction, serialises a group and skips a claimed row."""

    claim_lock = ""  # PostgreSQL: FOR UPDATE SKIP LOCKED, so replicas never wait on each other's claim
    real = "REAL"  # the float type of times (PostgreSQL's REAL is too coarse for epochs)

    def __init__(self, path: Path, window_s: int = 300, recover: bool = True):
        self.path = Path(path)
        self.window_s = window_s
        self._db: Any = self._connect()
        self._lock: Any = self._guard()  # held around every use of the connection
        self._create_schema()
        if recover:  # the server, at start: jobs of workers of this host that no longer exist go back
            self._requeue_orphans()

    # -- the dialect ------------------------------------------------------------------------------
    def _connect(self) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # several processes share the file: wait for a lock rather than fail
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _guard(self) -> Any:
        return threading.Lock()  # SQLite: one connection, one user at a time

    def schema(self) -> str:
        return SCHEMA.format(real=self.real)

    def _create_schema(self) -> None:
        for statement in filter(str.strip, self.schema().split(";")):
            self._x(statement)
        # a queue written before jobs had an anchor: its jobs keep theirs empty and start no window
        if "anchor" not in {d[0] for d in self._x("SELECT * FROM jobs LIMIT 0").description}:
            self._x(f"ALTER TABLE jobs ADD COLUMN anchor {self.real}")

    def _x(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self._db.execute(sql, params)

    def _begin(self) -> None:
        self._x("BEGIN IMMEDIATE")  # SQLite: one writer at a time, so a group is read and written whole

    def _serialise_groups(self, groups: list[str]) -> None:
        """Inside a write transaction: nobody else enqueues into these groups until it ends."""

    def _xm(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(sql, rows)

    @contextmanager
    def _tx(self) -> Iterator[None]:
        with self._lock:
            self._begin()
            try:
                yield
                self._x("COMMIT")
            except BaseException:
                self._x("ROLLBACK")
                raise

    def group_of(self, alert: Alert) -> str:
        key = json.dumps([alert.group_key or alert.alertname, alert.service])
        return "job-" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def enqueue(self, alerts: list[Alert]) -> Enqueued:
        return self.enqueue_all([alerts])[0]

    def enqueue_all(self, requests: list[list[Alert]]) -> list[Enqueued]:
        """Several requests' alerts in one transaction (see GroupCommit), each request's outcome apart.
        What the database holds for the batch's alerts and groups is read in a few statements, and
        the new rows written together: a replica's round trips to PostgreSQL, not its work, bound a burst."""
        outs = [Enqueued(0, 0, []) for _ in requests]
        every = [a for alerts in requests for a in alerts]
        if not every:
            return outs
        with self._tx():
            groups = sorted({self.group_of(a) for a in every})
            self._serialise_groups(groups)  # in one order: no deadlock between replicas
            batch = _Batch(time.time(), self._known_keys([_key(a) for a in every]), self._group_jobs(groups))
            for alerts, out in zip(requests, outs, strict=True):
                for a in alerts:
                    self._enqueue_one(a, out, batch)
            if batch.new_jobs:
                self._xm("INSERT INTO jobs(id, grp, created_at, anchor) VALUES (?, ?, ?, ?)", batch.new_jobs)
            if batch.new_alerts:
                insert = "INSERT INTO alerts(key, job, alert, role, received_at) VALUES (?, ?, ?, ?, ?)"
                self._xm(insert, batch.new_alerts)
        return outs

    def _enqueue_one(self, a: Alert, out: Enqueued, batch: _Batch) -> None:
        key = _key(a)
        if key in batch.known:
            out.duplicates += 1
            return
        grp, start = self.group_of(a), a.starts_at.timestamp()
        # the newest job of this firing of the group: its first job, or its latest follow-up
        newest = batch.covering(grp, start, self.window_s)
        if newest is None:  # the group's first firing, or one that started a window after the last
            job, role = batch.open(grp, f"{grp}-n{batch.count(grp)}" if batch.count(grp) else grp, start)
        elif newest.status == "queued":
            job, role = newest.id, "subject"  # investigated with the rest of its group
        elif _describe(a) not in self._members(newest.id, batch):
            job, role = batch.open(grp, f"{grp}-f{batch.count(grp)}", newest.anchor)  # the group grew since
        else:
            job, role = newest.id, "attached"  # nothing new: recorded on the job that covers it
            out.attached += 1
        batch.known.add(key)
        batch.members.setdefault(job, set()).add(_describe(a))
        batch.new_alerts.append((key, job, a.model_dump_json(), role, batch.now))
        out.accepted += 1
        if job not in out.jobs:
            out.jobs.append(job)

    def _members(self, job: str, batch: _Batch) -> set[tuple[Any, ...]]:
        if job not in batch.members:
            batch.members[job] = {
                (x.get("alertname"), x.get("service"), x.get("severity"))
                for (raw,) in self._x("SELECT alert FROM alerts WHERE job = ?", (job,)).fetchall()
                for x in [json.loads(raw)]  # three fields: no need to build the whole model per member
            }
        return batch.members[job]

    def _known_keys(self, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(sorted(set(keys))):
            marks = ", ".join("?" * len(chunk))
            found.update(k for (k,) in self._x(f"SELECT key FROM alerts WHERE key IN ({marks})", tuple(chunk)))
        return found

    def _group_jobs(self, groups: list[str]) -> dict[str, list[_GroupJob]]:
        jobs: dict[str, list[_GroupJob]] = {}
        for chunk in _chunks(groups):
            marks = ", ".join("?" * len(chunk))
            for grp, *row in self._x(
                f"SELECT grp, created_at, id, status, anchor FROM jobs WHERE grp IN ({marks})", tuple(chunk)
            ):
                jobs.setdefault(grp, []).append(_GroupJob(*row))
        return jobs

    def claim(self, owner: str | None = None, lease_s: float = LEASE_S, settle_s: float = SETTLE_S) -> Job | None:
        """The oldest queued job whose group has settled (no member for `settle_s`, or open SETTLE_MAX_S)."""
        owner = owner or me()
        now = time.time()
        with self._tx():
            self._expire(now)
            row = self._x(
                "UPDATE jobs SET status = 'running', owner = ?, lease_until = ?, attempts = attempts + 1, "
                "updated_at = ? WHERE id = (SELECT id FROM jobs j WHERE status = 'queued' AND (created_at <= ? "
                "OR NOT EXISTS (SELECT 1 FROM alerts a WHERE a.job = j.id AND a.received_at > ?)) "
                f"ORDER BY created_at LIMIT 1 {self.claim_lock}) RETURNING id",
                (owner, now + lease_s, now, now - SETTLE_MAX_S, now - settle_s),
            ).fetchone()
        if row is None:
            return None
        with self._lock:
            alerts = [
                Alert.model_validate_json(r[0])
                for r in self._x(
                    "SELECT alert FROM alerts WHERE job = ? AND role = 'subject' ORDER BY received_at, key", (row[0],)
                ).fetchall()
            ]
        return Job(row[0], alerts, owner)

    def _expire(self, now: float) -> None:
        """Running jobs whose lease ran out: their worker died. Taken again once, then failed."""
        self._x(
            "UPDATE jobs SET status = 'failed', error = 'its worker died twice', updated_at = ? "
            "WHERE status = 'running' AND lease_until < ? AND attempts >= ?",
            (now, now, MAX_ATTEMPTS),
        )
        self._x(
            "UPDATE jobs SET status = 'queued', owner = NULL, updated_at = ? "
            "WHERE status = 'running' AND lease_until < ?",
            (now, now),
        )

    def _requeue_orphans(self) -> None:
        host = os.uname().nodename
        with self._lock:
            for job, owner in self._x("SELECT id, owner FROM jobs WHERE status = 'running'").fetchall():
                parts = (owner or "").split(":")
                if len(parts) >= 2 and parts[0] == host and parts[1].isdigit() and not _alive(int(parts[1])):
                    self._x("UPDATE jobs SET lease_until = 0 WHERE id = ?", (job,))

    def heartbeat(self, job: str, owner: str, lease_s: float = LEASE_S) -> bool:
        """Renew the lease; False when the job is no longer this owner's (it was taken again)."""
        with self._lock:
            cur = self._x(
                "UPDATE jobs SET lease_until = ? WHERE id = ? AND owner = ? AND status = 'running'",
                (time.time() + lease_s, job, owner),
            )
            return cur.rowcount == 1

    def finish(self, job: str, investigation: str | None, error: str | None = None, owner: str | None = None) -> bool:
        """Record the outcome; only the job's current owner can (a stale worker's result is dropped)."""
        with self._lock:
            cur = self._x(
                "UPDATE jobs SET status = ?, investigation = ?, error = ?, updated_at = ? "
                "WHERE id = ? AND status = 'running' AND (owner = ? OR ? = '')",
                ("failed" if error else "done", investigation, error, time.time(), job, owner or "", owner or ""),
            )
            return cur.rowcount == 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._x("SELECT status, count(*) FROM jobs GROUP BY status").fetchall())

    def whereabouts(self, ref: str) -> list[dict[str, Any]]:
        """Every accepted alert matching a job id, an investigation id or an alert fingerprint, with
        the job it belongs to, whether it is that job's subject or attached, and the job's outcome."""
        with self._lock:
            rows = self._x(
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


class GroupCommit:
    """One writer in front of the queue: the requests that arrive while a transaction commits share
    the next one. Under a burst, a commit per request and forty request threads taking turns at the
    connection's lock cost more than the work itself; each request still gets its own outcome, and
    its answer only after its alerts are committed."""

    def __init__(self, queue: AlertQueue, most: int = 256):
        self.queue, self.most = queue, most
        self._pending: SimpleQueue[tuple[list[Alert], Future[Enqueued]]] = SimpleQueue()
        self._writer: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, alerts: list[Alert]) -> Future[Enqueued]:
        with self._start:
            if self._writer is None:
                self._writer = threading.Thread(target=self._write, name="queue-writer", daemon=True)
                self._writer.start()
        done: Future[Enqueued] = Future()
        self._pending.put((alerts, done))
        return done

    def _write(self) -> None:
        while True:
            batch = [self._pending.get()]
            while len(batch) < self.most and not self._pending.empty():
                batch.append(self._pending.get())
            try:
                outs = self.queue.enqueue_all([alerts for alerts, _ in batch])
            except Exception:  # one request's failure must not fail the others: each on its own
                for alerts, done in batch:
                    try:
                        done.set_result(self.queue.enqueue(alerts))
                    except Exception as e:
                        done.set_exception(e)
                continue
            for (_, done), out in zip(batch, outs, strict=True):
                done.set_result(out)


def open_queue(state: Path, url: str | None = None, recover: bool = True) -> AlertQueue:
    """SQLite in the state folder (one host), or PostgreSQL when ONCALL_QUEUE_URL names a database
    (several replicas share it)."""
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            from oncall.core.errors import ConfigError

            raise ConfigError("ONCALL_QUEUE_URL must be a postgresql:// URL")
        from oncall.serving.queue_pg import PostgresQueue

        return PostgresQueue(url, recover=recover)
    return AlertQueue(state / "queue.sqlite", recover=recover)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
