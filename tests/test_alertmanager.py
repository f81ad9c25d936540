"""A real Alertmanager (Debian's prometheus-alertmanager) whose receiver is `oncall serve`: alerts
fired with `amtool` in several groups, a late member, a repeat and a resolve. Every alert that
Alertmanager holds must be its job's subject or recorded as attached, exactly once; the resolve is
recorded and starts nothing. Under REQUIRE_INTEGRATION=1 a missing Alertmanager fails the run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from oncall.serving.queue import AlertQueue
from tests.conftest import DEMO, ROOT
from tests.net import free_port, wait_http

TOKEN = "am-integration-token"


def _binary(*names: str) -> str:
    for n in names:
        found = shutil.which(n)
        if found:
            return found
    if os.environ.get("REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"{' or '.join(names)} not found (Debian: apt-get install prometheus-alertmanager)")
    pytest.skip(f"{names[0]} not installed")


def _start(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(p: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(p.pid, signal.SIGKILL)


def test_alertmanager_groups_late_members_repeats_and_resolves_are_all_accounted_for(tmp_path):
    am_bin = _binary("prometheus-alertmanager", "alertmanager")
    amtool = _binary("amtool")
    serve_port, am_port = free_port(), free_port()
    state = tmp_path / "state"
    env = {**os.environ, "ONCALL_WEBHOOK_TOKEN": TOKEN, "XDG_STATE_HOME": str(tmp_path / "xdg")}
    serve = _start(
        [
            sys.executable,
            "-m",
            "oncall.cli",
            "serve",
            "--bundle",
            str(DEMO),
            "--port",
            str(serve_port),
            "--workers",
            "2",
            "--state",
            str(state),
        ],
        tmp_path / "serve.log",
        env,
    )
    config = {
        "route": {
            "receiver": "oncall",
            "group_by": ["alertname", "service"],
            "group_wait": "1s",
            "group_interval": "2s",
            "repeat_interval": "1h",
        },
        "receivers": [
            {
                "name": "oncall",
                "webhook_configs": [
                    {
                        "url": f"http://127.0.0.1:{serve_port}/alertmanager",
                        "send_resolved": True,
                        "http_config": {"authorization": {"type": "Bearer", "credentials": TOKEN}},
                    }
                ],
            }
        ],
    }
    (tmp_path / "am.yml").write_text(yaml.safe_dump(config))
    am = _start(
        [
            am_bin,
            f"--config.file={tmp_path / 'am.yml'}",
            f"--storage.path={tmp_path / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ],
        tmp_path / "am.log",
    )
    url = f"http://127.0.0.1:{am_port}"
    try:
        wait_http(f"http://127.0.0.1:{serve_port}/healthz")
        wait_http(f"{url}/-/ready")

        def fire(*labels: str, end: datetime | None = None) -> None:
            args = [
                amtool,
                f"--alertmanager.url={url}",
                "alert",
                "add",
                *labels,
                "--annotation=summary=fired by amtool",
            ]
            if end:
                args.append(f"--end={end.strftime('%Y-%m-%dT%H:%M:%SZ')}")
            subprocess.run(args, check=True, capture_output=True, timeout=30)

        # three groups: two members of one, one each of the others
        fire("alertname=HighLatency", "service=api-gateway", "instance=a", "severity=page")
        fire("alertname=HighLatency", "service=api-gateway", "instance=b", "severity=page")
        fire("alertname=HighErrorRate", "service=user-service", "severity=page")
        fire("alertname=DiskFull", "service=db", "severity=warning")
        time.sleep(4)  # the first notifications are out; the groups' jobs are running or done
        fire("alertname=HighLatency", "service=api-gateway", "instance=c", "severity=page")  # a late member
        fire("alertname=HighLatency", "service=api-gateway", "instance=a", "severity=page")  # a repeat
        held = json.loads(urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=10).read())
        fingerprints = {a["fingerprint"]: a["labels"] for a in held}
        assert len(fingerprints) == 5  # a, b, c, the error rate and the disk
        fire("alertname=DiskFull", "service=db", "severity=warning", end=datetime.now(UTC) - timedelta(seconds=1))
        audit = state / "audit.jsonl"
        queue = AlertQueue(state / "queue.sqlite")
        deadline = time.monotonic() + 120
        while True:
            where = {fp: queue.whereabouts(fp) for fp in fingerprints}
            counts = queue.counts()
            resolved = [
                r for r in map(json.loads, audit.read_text().splitlines()) if r["kind"] == "resolved"
            ] if audit.exists() else []  # fmt: skip
            settled = not counts.get("queued") and not counts.get("running")
            if settled and all(len(rows) == 1 for rows in where.values()) and resolved:
                break
            assert time.monotonic() < deadline, f"not accounted for: {where} {counts} resolved={len(resolved)}"
            time.sleep(0.5)
    finally:
        _stop(am)
        _stop(serve)
    account = []
    for fp, (row,) in where.items():
        assert row["role"] in ("subject", "attached") and row["status"] == "done" and row["investigation"]
        account.append((fingerprints[fp].get("alertname"), fingerprints[fp].get("instance", "-"), row["role"]))
    jobs = {row["job"] for rows in where.values() for row in rows}
    assert len(jobs) == 3  # one investigation per group; the late member and the repeat added nothing new
    assert {r["id"] for r in resolved} == {fp for fp, lab in fingerprints.items() if lab["alertname"] == "DiskFull"}
    roles = {(name, inst): role for name, inst, role in account}
    assert roles[("HighLatency", "c")] == "attached"
    print("\nAlertmanager account:", json.dumps(sorted(account)), f"resolved: {len(resolved)}")
