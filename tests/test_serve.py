"""`oncall serve`: the Alertmanager webhook, the durable queue behind it, dedup,
grouping, the audit log, and a restart that loses and doubles nothing."""

from __future__ import annotations

import http.client
import json
import re
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from oncall.analysts.offline.analyst import OfflineAnalyst
from oncall.delivery.audit import AuditLog
from oncall.estate.bundle import Bundle
from oncall.estate.env import Environment
from oncall.serving.queue import AlertQueue
from oncall.serving.webhook import Service, WorkerSpec, build_service, create_app
from tests.bundles import alertmanager
from tests.conftest import DEMO, ROOT

TOKEN = "test-webhook-token"


class Running:
    """uvicorn on a free loopback port, in a thread, stopped at exit."""

    def __init__(self, service: Service):
        import uvicorn

        self.service = service
        self.server = uvicorn.Server(
            uvicorn.Config(create_app(service), host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    def post(self, body: bytes | dict | list, token: str | None = TOKEN) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        conn.request("POST", "/alertmanager", data, headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read())

    def wait_idle(self, jobs: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.service.queue.counts()
            if (
                counts.get("done", 0) + counts.get("failed", 0) >= jobs
                and not counts.get("queued")
                and not counts.get("running")
            ):
                return
            time.sleep(0.05)
        raise AssertionError(f"jobs not finished: {self.service.queue.counts()}")


def make_service(state: Path, workers: int = 2, token: str | None = TOKEN, processes: bool = False) -> Service:
    """Threads by default (fast to start); `processes` runs the worker processes `oncall serve` uses."""
    if processes:
        return build_service(
            WorkerSpec(bundle=DEMO, state=state, model="offline"),
            Environment(webhook_token=token),
            workers=workers,
        )
    b = Bundle.open(DEMO)
    return Service(
        catalog=b.catalog,
        backends=b.backends(),
        analyst=OfflineAnalyst,
        workers=workers,
        queue=AlertQueue(state / "queue.sqlite"),
        audit=AuditLog(state / "audit.jsonl"),
        webhook_token=token,
    )


def records(state: Path, kind: str) -> list[dict]:
    path = state / "audit.jsonl"
    return [r for r in map(json.loads, path.read_text().splitlines()) if r["kind"] == kind] if path.exists() else []


def test_demo_alert_is_accepted_at_once_and_investigated(tmp_path):
    payload = json.loads((DEMO / "alert.json").read_text())
    with Running(make_service(tmp_path)) as srv:
        status, doc = srv.post(payload)
        assert status == 202 and doc["accepted"] == 1 and doc["duplicates"] == 0
        srv.wait_idle(1)
    (rec,) = records(tmp_path, "investigation")
    assert rec["diagnosis"]["root_cause"]["service"] == "api-gateway"
    assert rec["tool_calls"][0]["tool"] == "read_metrics" and len(rec["tool_calls"][0]["output_sha256"]) == 64
    assert rec["grounding"]["dropped"] == [] and rec["alert"]["fingerprint"] == "a3f1c2d4e5b60718"
    shown = subprocess.run(
        [sys.executable, "-m", "oncall.cli", "audit", "show", rec["id"], "--log", str(tmp_path / "audit.jsonl")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert shown.returncode == 0 and json.loads(shown.stdout)["id"] == rec["id"]


def test_real_alertmanager_payload_for_a_service_the_catalog_does_not_know(tmp_path, corpora):
    payload = json.loads((corpora / "payloads" / "alertmanager_webhook_v4_prometheus-msteams.json").read_text())
    with Running(make_service(tmp_path)) as srv:
        assert srv.post(payload)[0] == 202
        srv.wait_idle(1)
    (rec,) = records(tmp_path, "investigation")
    assert rec["alert"]["alertname"] == "high_memory_load"
    assert any("no service could be identified" in m for m in rec["diagnosis"]["missing_evidence"])


def test_bearer_token_is_required(tmp_path):
    payload = json.loads((DEMO / "alert.json").read_text())
    with Running(make_service(tmp_path)) as srv:
        assert srv.post(payload, token=None)[0] == 401
        assert srv.post(payload, token="wrong")[0] == 401
    with Running(make_service(tmp_path / "b", token=None)) as srv:
        status, doc = srv.post(payload)
        assert status == 503 and "ONCALL_WEBHOOK_TOKEN" in doc["error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "body is not JSON"),
        ({"hello": "world"}, "no 'alerts' list"),
        ({"version": "3", "alerts": [{"labels": {"alertname": "A"}}]}, "version 3"),
        ({"version": "4", "alerts": [{"labels": {}, "startsAt": "2026-01-01T00:00:00Z"}]}, "no 'alertname' label"),
    ],
)
def test_bad_payloads_get_400_with_the_reason_and_are_recorded(tmp_path, body, reason):
    with Running(make_service(tmp_path, workers=0)) as srv:
        status, doc = srv.post(body)
    assert status == 400 and reason in doc["error"]
    (rec,) = records(tmp_path, "rejected")
    assert reason in rec["reason"] and rec["source"] == "alertmanager"


def test_repeats_are_not_investigated_twice_and_a_group_is_one_investigation(tmp_path):
    group = alertmanager("CheckoutErrors", "api-gateway")
    base = group["alerts"][0]
    group["alerts"] = [dict(base, fingerprint=f"fp{i}", labels=dict(base["labels"], pod=f"p{i}")) for i in range(3)]
    with Running(make_service(tmp_path)) as srv:
        first = srv.post(group)
        repeat = srv.post(group)  # Alertmanager's repeat_interval
        srv.wait_idle(1)
    assert first[1]["accepted"] == 3 and len(first[1]["jobs"]) == 1
    assert repeat[1]["accepted"] == 0 and repeat[1]["duplicates"] == 3
    (rec,) = records(tmp_path, "investigation")
    assert len(rec["group"]) == 3 and any("one investigation for 3 alerts" in n for n in rec["notes"])


def test_restart_loses_nothing_and_doubles_nothing(tmp_path):
    with Running(make_service(tmp_path, workers=0)) as srv:  # accepts, investigates nothing yet
        for i in range(5):
            p = alertmanager(f"Alert{i}", "api-gateway")
            p["alerts"][0]["fingerprint"] = f"restart-{i}"
            status, doc = srv.post(p)
            assert status == 202 and doc["accepted"] == 1
    q = AlertQueue(tmp_path / "queue.sqlite")
    crashed = q.claim(lease_s=0.5, settle_s=0)  # a worker took a job and died: its lease runs out
    assert crashed is not None
    q.close()
    with Running(make_service(tmp_path, workers=2, processes=True)) as srv:  # as `oncall serve` runs
        srv.wait_idle(5)
    recs = records(tmp_path, "investigation")
    assert len(recs) == 5 and len({r["alert"]["alertname"] for r in recs}) == 5


def test_burst_of_1000_alerts_over_50_groups(tmp_path):
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    payloads = []
    for i in range(1000):
        g = i % 50
        p = alertmanager(f"Burst{g}", "api-gateway")
        p["groupKey"] = f'{{}}:{{alertname="Burst{g}"}}'
        p["alerts"][0]["fingerprint"] = f"burst-{i:04d}"
        payloads.append(p)
    with Running(make_service(tmp_path, processes=True)) as srv:
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(srv.post, payloads))
        assert {a[0] for a in answers} == {202} and sum(a[1]["accepted"] for a in answers) == 1000
        srv.wait_idle(50, timeout=300)
    assert srv.service.queue.counts() == {"done": 50}
    assert len(records(tmp_path, "investigation")) == 50
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 400_000  # KiB: bounded


def test_every_accepted_alert_is_investigated_or_attached(tmp_path):
    """Groups with late members arriving while their investigation runs and after it is done: nothing
    that got a 202 is dropped; each alert is its job's subject or recorded as attached to one."""
    fps = []
    with Running(make_service(tmp_path, workers=2)) as srv:
        for wave in range(3):
            for g in range(4):
                for k in range(5):
                    p = alertmanager(f"Late{g}", "api-gateway")
                    p["groupKey"] = f'{{}}:{{alertname="Late{g}"}}'
                    fp = f"late-{wave}-{g}-{k}"
                    p["alerts"][0]["fingerprint"] = fp
                    if wave == 2 and k == 0:  # something new for the group: another severity
                        p["alerts"][0]["labels"]["severity"] = "warning"
                    status, doc = srv.post(p)
                    assert status == 202 and doc["accepted"] == 1
                    fps.append(fp)
            time.sleep(1.5)  # the next wave finds its group running or done
        srv.wait_idle(1, timeout=180)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
            srv.service.queue.counts().get("queued") or srv.service.queue.counts().get("running")
        ):
            time.sleep(0.1)
        where = {fp: srv.service.queue.whereabouts(fp) for fp in fps}
    for fp, rows in where.items():
        assert len(rows) == 1, fp
        (row,) = rows
        assert row["role"] in ("subject", "attached") and row["status"] == "done" and row["investigation"]
    subjects = [r for rows in where.values() for r in rows if r["role"] == "subject"]
    followups = {r["job"] for r in subjects if "-f" in r["job"]}
    assert len(followups) >= 1  # the new severity started a follow-up
    assert any(r["role"] == "attached" for rows in where.values() for r in rows)


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_serve_stops_promptly_when_its_process_group_is_signalled(tmp_path, sig):
    """systemd's stop (SIGTERM to the group) and Ctrl-C (SIGINT to the group): every process is gone
    within seconds, and no worker prints a traceback."""
    import os
    import signal

    p = _serve_in_own_group(tmp_path, subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(_group(p.pid)) < 3:  # the server, the resource tracker and its workers: signal handlers are set
        assert p.poll() is None and time.monotonic() < deadline, "serve did not start its workers"
        time.sleep(0.2)
    time.sleep(1)
    t0 = time.monotonic()
    os.killpg(p.pid, getattr(signal, sig))
    out, _ = p.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(p.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("a process of the group outlived the stop")
    assert time.monotonic() - t0 < 15 and "Traceback" not in out


def test_json_log_lines_merge_the_event():
    import logging

    from oncall.serving.logs import JsonFormatter

    rec = logging.LogRecord(
        "oncall.serve", logging.INFO, "x", 1, json.dumps({"event": "job_done", "job": "j1"}), None, None
    )
    doc = json.loads(JsonFormatter().format(rec))
    assert doc["event"] == "job_done" and doc["job"] == "j1" and doc["level"] == "INFO"
    plain = json.loads(JsonFormatter().format(logging.LogRecord("x", logging.WARNING, "x", 1, "hello", None, None)))
    assert plain["message"] == "hello"


def test_serve_workers_ignore_ctrl_c_from_their_first_instant(tmp_path):
    """Ctrl-C reaches the whole group; a worker still importing its modules when it comes would print a
    traceback (the server coordinates the stop). So every process of the group but the server ignores SIGINT
    from the moment it exists, not only once its code runs: read from /proc's SigIgn while the workers start."""
    import os
    import signal

    p = _serve_in_own_group(tmp_path, subprocess.DEVNULL)
    heeding: set[int] = set()  # processes seen not ignoring SIGINT
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(seen) < 3 and time.monotonic() < deadline:  # the resource tracker and the two workers
            for pid in _group(p.pid) - {p.pid}:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                seen.add(pid)
                ignored = int(re.search(r"^SigIgn:\s*([0-9a-f]+)", status, re.M).group(1), 16)
                if not ignored >> (signal.SIGINT - 1) & 1:
                    heeding.add(pid)
        assert len(seen) == 3, "serve did not start its workers"
        assert not heeding
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(30)


def _serve_in_own_group(tmp_path: Path, out: int) -> subprocess.Popen:
    """`oncall serve` with two worker processes, in a process group of its own (as a terminal or systemd runs it)."""
    import os

    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "s"),
           "ONCALL_WEBHOOK_TOKEN": TOKEN}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "oncall.cli", "serve", "--bundle", str(DEMO), "--port", "0", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _group(pgid: int) -> set[int]:
    """The processes of a process group, from /proc (field 5 of /proc/PID/stat is the group)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            out.add(int(stat.parent.name))
    return out
