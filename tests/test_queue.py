"""The alert queue's promises, on SQLite (the embedded default) and on PostgreSQL (replicas): every
accepted alert is its job's subject or attached to one, exactly once; a job is claimed by one
worker at a time; a dead worker's job is taken again once; two `oncall serve` replicas on one
database run no job twice."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from oncall.core.alert import Alert
from oncall.serving.queue import AlertQueue, GroupCommit, open_queue
from tests.conftest import DEMO, ROOT
from tests.net import free_port, wait_http

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def alert(name: str, fp: str, service: str = "api-gateway", severity: str = "page", start: datetime = T0) -> Alert:
    return Alert(
        source="alertmanager",
        alertname=name,
        status="firing",
        starts_at=start,
        service=service,
        labels={"alertname": name, "service": service, "severity": severity},
        fingerprint=fp,
        severity=severity,
        group_key=f"{{}}:{{alertname={name!r}}}",
    )


@pytest.fixture(params=["sqlite", "postgres"])
def make_queue(request, tmp_path):
    """A function opening another connection to one queue (another replica's, on PostgreSQL)."""
    url = request.getfixturevalue("postgres_server")() if request.param == "postgres" else None
    opened: list[AlertQueue] = []

    def make(recover: bool = False) -> AlertQueue:
        q = open_queue(tmp_path, url, recover=recover)
        opened.append(q)
        return q

    yield make
    for q in opened:
        q.close()


def test_late_members_from_two_replicas_are_one_job_or_attached(make_queue):
    """Members of five groups arrive at two replicas at once, some while their job runs and some after
    it is done: one job per group (plus follow-ups for something new), nothing dropped."""
    replicas = [make_queue(), make_queue()]
    fps: list[str] = []

    def send(q: AlertQueue, wave: int, r: int) -> None:
        for g in range(5):
            for k in range(4):
                fp = f"w{wave}-r{r}-g{g}-{k}"
                fps.append(fp)
                sev = "warning" if wave == 2 and k == 0 and r == 0 else "page"
                assert q.enqueue([alert(f"G{g}", fp, severity=sev)]).accepted == 1

    claimed: list[str] = []
    for wave in range(3):
        ts = [threading.Thread(target=send, args=(q, wave, r)) for r, q in enumerate(replicas)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        while job := replicas[wave % 2].claim(owner=f"w{wave}", settle_s=0):
            claimed.append(job.id)
            if wave == 0:
                continue  # left running: the next wave finds its group running
            assert replicas[0].finish(job.id, f"inv-{job.id}", owner=job.owner)
        if wave == 1:  # the first wave's jobs finish now
            for j in {c for c in claimed[: len(claimed)]}:
                replicas[1].finish(j, f"inv-{j}", owner="w0")
    assert len(claimed) == len(set(claimed))  # no job was claimed twice
    for fp in fps:
        rows = replicas[0].whereabouts(fp)
        assert len(rows) == 1 and rows[0]["role"] in ("subject", "attached"), fp
    groups = {r["job"].split("-f")[0] for fp in fps for r in replicas[0].whereabouts(fp)}
    assert len(groups) == 5
    assert any("-f" in r["job"] for fp in fps for r in replicas[0].whereabouts(fp))  # the new severity


def test_concurrent_claims_never_hand_one_job_to_two_workers(make_queue):
    setup = make_queue()
    for g in range(40):
        setup.enqueue([alert(f"C{g}", f"c{g}")])
    workers = [make_queue() for _ in range(4)]
    got: list[str] = []
    lock = threading.Lock()

    def drain(q: AlertQueue, n: int) -> None:
        while job := q.claim(owner=f"worker-{n}", settle_s=0):
            with lock:
                got.append(job.id)
            q.finish(job.id, "inv", owner=job.owner)

    ts = [threading.Thread(target=drain, args=(q, n)) for n, q in enumerate(workers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(got) == 40 and len(set(got)) == 40
    assert setup.counts() == {"done": 40}


def test_a_group_still_gathering_members_waits_until_it_settles(make_queue, monkeypatch):
    """A job is taken once no member joined its group for the settle time, so the group is
    investigated whole; a group whose members never stop is taken anyway at SETTLE_MAX_S."""
    import oncall.serving.queue as queue_mod

    q = make_queue()
    q.enqueue([alert("S", "s1")])
    assert q.claim(owner="w", settle_s=0.5) is None  # its first member arrived just now
    time.sleep(0.3)
    q.enqueue([alert("S", "s2")])  # a late member: the group is still forming
    time.sleep(0.3)
    assert q.claim(owner="w", settle_s=0.5) is None  # 0.6 s since it opened, 0.3 s since its last member
    time.sleep(0.3)
    job = q.claim(owner="w", settle_s=0.5)
    assert job is not None and [a.fingerprint for a in job.alerts] == ["s1", "s2"]  # whole, not followed up

    monkeypatch.setattr(queue_mod, "SETTLE_MAX_S", 0.4)
    q.enqueue([alert("T", "t0")])
    for i in range(1, 6):  # a member every 0.1 s: never quiet for 0.5 s
        time.sleep(0.1)
        q.enqueue([alert("T", f"t{i}")])
    taken = q.claim(owner="w", settle_s=0.5)
    assert taken is not None and taken.alerts[0].fingerprint == "t0"  # open past the cap: taken anyway


def test_a_dead_workers_job_is_taken_again_once_and_only_its_owner_finishes_it(make_queue):
    q = make_queue()
    q.enqueue([alert("D", "d1")])
    first = q.claim(owner="dead", lease_s=0.01, settle_s=0)
    assert first is not None
    time.sleep(0.05)
    second = q.claim(owner="alive", settle_s=0)
    assert second is not None and second.id == first.id
    assert not q.finish(first.id, "stale", owner="dead")  # the dead worker's late result is dropped
    assert q.finish(second.id, "inv-2", owner="alive")
    assert q.whereabouts(first.id)[0]["investigation"] == "inv-2"


def test_requests_committed_together_each_get_their_own_outcome(make_queue):
    """The webhook's writer commits whatever requests are waiting in one transaction: each request
    still learns what became of its own alerts (a repeat inside the same batch is a duplicate, a late
    member of a group opened earlier in the batch joins that job), and nothing is lost."""
    q = make_queue()
    requests = [[alert("B0", f"b{i}")] for i in range(30)] + [[alert("B0", "b3")], [alert("B1", "x"), alert("B1", "x")]]
    outs = q.enqueue_all(requests)
    assert [o.accepted for o in outs[:30]] == [1] * 30
    assert outs[30].duplicates == 1 and outs[30].accepted == 0  # b3 again, within the batch
    assert outs[31].accepted == 1 and outs[31].duplicates == 1
    assert {j for o in outs[:30] for j in o.jobs} == {outs[0].jobs[0]}  # one job for the group
    job = q.claim(owner="w", settle_s=0)
    assert job is not None and len(job.alerts) == 30
    q.finish(job.id, "inv", owner="w")
    later = q.enqueue_all([[alert("B0", "late")], [alert("B0", "new-severity", severity="warning")]])
    assert later[0].attached == 1 and later[0].jobs == [job.id]  # nothing new: on record with the done job
    assert later[1].jobs == [f"{job.id}-f1"]  # something new: a follow-up


def test_a_groups_window_opens_at_its_first_start_not_at_a_clock_boundary(make_queue):
    """Members starting seconds apart are one investigation even when a round five minutes falls
    between them (T0 is one); a firing that starts a window after the first is investigated anew,
    and a member that arrives late with an early start still joins the firing it belongs to."""
    q = make_queue()
    s = timedelta(seconds=1)
    first = q.enqueue([alert("W", "w1", start=T0 - 2 * s)])
    assert q.enqueue([alert("W", "w2", start=T0 + 2 * s)]).jobs == first.jobs  # across 14:00:00
    job = q.claim(owner="w", settle_s=0)
    assert job is not None and [a.fingerprint for a in job.alerts] == ["w1", "w2"]
    q.finish(job.id, "inv", owner="w")
    late = q.enqueue([alert("W", "w3", start=T0 + 200 * s)])
    assert late.attached == 1 and late.jobs == first.jobs  # the same firing, nothing new: on record
    grew = q.enqueue([alert("W", "w3b", severity="warning", start=T0 + 10 * s)])
    assert grew.jobs == [f"{first.jobs[0]}-f1"]  # the same firing, something new: a follow-up
    assert q.enqueue([alert("W", "w3c", start=T0 + 20 * s)]).jobs == grew.jobs  # joins the waiting follow-up
    again = q.enqueue([alert("W", "w4", start=T0 + 400 * s)])  # 402 s after the first start
    assert again.attached == 0 and again.jobs == [f"{first.jobs[0]}-n2"]  # a new firing: investigated anew
    assert q.enqueue([alert("W", "w5", start=T0 - 1 * s)]).jobs == grew.jobs  # late, but of the first firing
    assert q.enqueue([alert("W", "w6", start=T0 + 500 * s)]).jobs == again.jobs
    assert q.enqueue([alert("W", "w7", start=T0 + 250 * s)]).jobs == again.jobs  # in both windows: the nearer
    assert q.enqueue([alert("W", "w8", start=T0 + 150 * s)]).jobs == grew.jobs  # nearer the first firing


def test_a_queue_written_before_jobs_had_an_anchor_still_takes_and_keeps_alerts(tmp_path):
    """An upgrade over an existing state folder: the old jobs table gains its column, its jobs keep
    their records, and a new member of an old group opens a job of its own rather than being lost."""
    import sqlite3

    path = tmp_path / "queue.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE alerts (key TEXT PRIMARY KEY, job TEXT NOT NULL, alert TEXT NOT NULL, received_at REAL "
        "NOT NULL, role TEXT NOT NULL DEFAULT 'subject'); CREATE TABLE jobs (id TEXT PRIMARY KEY, grp TEXT, "
        "status TEXT NOT NULL DEFAULT 'queued', investigation TEXT, error TEXT, created_at REAL NOT NULL, "
        "updated_at REAL, owner TEXT, lease_until REAL, attempts INTEGER NOT NULL DEFAULT 0);"
    )
    grp = AlertQueue(tmp_path / "any.sqlite", recover=False).group_of(alert("O", "o"))  # the group's name now
    old.execute(
        "INSERT INTO jobs(id, grp, status, investigation, created_at) VALUES ('job-old', ?, 'done', 'i', 1)", (grp,)
    )
    old.execute("INSERT INTO alerts VALUES ('o|t', 'job-old', ?, 1, 'subject')", (alert("O", "o").model_dump_json(),))
    old.commit()
    old.close()
    q = AlertQueue(path, recover=False)
    assert q.whereabouts("o")[0]["investigation"] == "i"
    assert q.enqueue([alert("O", "o2")]).accepted == 1
    job = q.claim(owner="w", settle_s=0)
    assert job is not None and [a.fingerprint for a in job.alerts] == ["o2"]
    q.close()


def test_a_request_that_cannot_be_committed_does_not_fail_the_others_of_its_batch(tmp_path):
    class Refusing(AlertQueue):
        def _enqueue_one(self, a, out, batch):  # type: ignore[no-untyped-def]
            if a.alertname == "Poison":
                raise ValueError("cannot store this one")
            super()._enqueue_one(a, out, batch)

    commits = GroupCommit(Refusing(tmp_path / "q.sqlite", recover=False))
    futures = [commits.submit([alert("Poison" if i == 5 else "Fine", f"p{i}")]) for i in range(12)]
    for i, f in enumerate(futures):
        if i == 5:
            with pytest.raises(ValueError):
                f.result(10)
        else:
            assert f.result(10).accepted == 1
    assert sum(len(commits.queue.whereabouts(f"p{i}")) for i in range(12)) == 11


def test_two_serve_replicas_on_one_database_run_no_job_twice(tmp_path, postgres_server):
    url = postgres_server()
    token = "replica-token"
    ports = [free_port(), free_port()]
    procs = []
    for i, port in enumerate(ports):
        env = {**os.environ, "ONCALL_WEBHOOK_TOKEN": token, "ONCALL_QUEUE_URL": url, "XDG_STATE_HOME": str(tmp_path)}
        args = [sys.executable, "-m", "oncall.cli", "serve", "--bundle", str(DEMO), "--port", str(port)]
        args += ["--workers", "2", "--state", str(tmp_path / f"r{i}")]
        procs.append(
            subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=(tmp_path / f"r{i}.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        fps = []
        for n in range(60):  # 12 groups, members spread over both replicas
            g = n % 12
            body = {
                "version": "4",
                "groupKey": f'{{}}:{{alertname="R{g}"}}',
                "status": "firing",
                "receiver": "oncall",
                "alerts": [
                    {
                        "status": "firing",
                        "labels": {"alertname": f"R{g}", "service": "api-gateway", "severity": "page"},
                        "annotations": {},
                        "startsAt": (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "fingerprint": f"rep{n:04d}",
                    }
                ],
            }
            c = http.client.HTTPConnection("127.0.0.1", ports[n % 2], timeout=30)
            c.request("POST", "/alertmanager", json.dumps(body), {"authorization": f"Bearer {token}"})
            assert c.getresponse().status == 202
            fps.append(f"rep{n:04d}")
        q = open_queue(tmp_path, url, recover=False)
        deadline = time.monotonic() + 240
        while (counts := q.counts()).get("queued") or counts.get("running"):
            assert time.monotonic() < deadline, counts
            time.sleep(0.5)
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(30)
    where = {fp: q.whereabouts(fp) for fp in fps}
    q.close()
    assert all(len(rows) == 1 and rows[0]["status"] == "done" for rows in where.values())
    runs: list[str] = []
    for i in range(2):
        audit = tmp_path / f"r{i}" / "audit.jsonl"
        if audit.exists():
            runs += [r["job"] for r in map(json.loads, audit.read_text().splitlines()) if r["kind"] == "investigation"]
    jobs = {rows[0]["job"] for rows in where.values()}
    assert sorted(runs) == sorted(jobs)  # every job ran, and none ran twice
