"""Bad input gets a clear one-line answer and is recorded; nothing accepted is lost; nothing from Slack
or the webhook gets past the checks in front of the investigation."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest

from tests.conftest import DEMO, ROOT
from tests.security.conftest import oncall
from tests.test_serve import TOKEN, Running, make_service, records
from tests.test_slack import SlackRig, click, sign, slash


def _post_raw(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/alertmanager", body, headers)
    r = conn.getresponse()
    return r.status, r.read()


def test_the_webhook_authenticates_before_reading_and_caps_the_body(tmp_path):
    with Running(make_service(tmp_path, workers=0)) as srv:
        big = b"x" * (2 * 1024 * 1024)
        assert _post_raw(srv.port, big, {"content-type": "application/json"})[0] == 401
        status, body = _post_raw(srv.port, big, {"authorization": f"Bearer {TOKEN}"})
        assert status == 413 and b"over" in body
    assert records(tmp_path, "rejected")  # the refused body is on record


@pytest.mark.parametrize(
    ("mutate", "said"),
    [
        (lambda p: p["alerts"][0].update(startsAt=True), "startsAt is true"),
        (lambda p: p["alerts"][0].update(startsAt="9999-01-01T00:00:00Z"), "outside 2000-2100"),
        (lambda p: p["alerts"][0].update(labels=["not", "a", "map"]), "labels is a list"),
        (lambda p: p["alerts"][0].update(annotations={"summary": {"nested": 1}}), "annotations.summary"),
        (lambda p: p.update(commonLabels="x"), "commonLabels is a str"),
    ],
)
def test_a_wrong_shape_is_a_400_with_the_reason_and_a_record(tmp_path, mutate, said):
    payload = json.loads((DEMO / "alert.json").read_text())
    mutate(payload)
    with Running(make_service(tmp_path, workers=0)) as srv:
        status, doc = srv.post(payload)
    assert status == 400 and said in doc["error"]
    assert any(said in r["reason"] for r in records(tmp_path, "rejected"))


def test_slack_replays_bad_timestamps_and_buttons_elsewhere_are_refused(tmp_path, corpora):
    with SlackRig(tmp_path, channels=frozenset({"C111"})) as rig:
        fields = slash(corpora, "api-gateway latency")
        body = urlencode(fields).encode()
        headers = sign(body)
        assert rig.post(body, headers, "application/x-www-form-urlencoded")[0] == 200
        assert rig.post(body, headers, "application/x-www-form-urlencoded")[0] == 401  # the exact replay
        bad = {"x-slack-request-timestamp": "soon", "x-slack-signature": "v0=00"}
        assert rig.post(body, bad, "application/x-www-form-urlencoded")[0] == 401
        payload = click("feedback_right", "inv-x", "feedback:inv-x", "1.1")
        doc = json.loads(payload["payload"])
        doc["channel"]["id"] = "C999"  # a button in a channel off the allow-list
        status, _, _ = rig.form({"payload": json.dumps(doc)})
        refusal = rig.wait_for("chat.postMessage", lambda a: a.get("channel") == "C999")
    assert status == 200 and "only investigate in the on-call channels" in refusal["text"]
    assert not rig.feedback.rows()


def test_serve_starts_when_the_slack_api_is_unreachable(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "ONCALL_WEBHOOK_TOKEN": TOKEN,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing listens
    }
    p = subprocess.Popen(
        [sys.executable, "-m", "oncall.cli", "serve", "--bundle", str(DEMO), "--port", "0", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(6)
        assert p.poll() is None, p.stdout.read() if p.stdout else ""
    finally:
        p.terminate()
        p.wait(30)


def test_cli_bad_input_is_one_line_and_a_pipe_closed_early_is_not_an_error(tmp_path):
    bad = tmp_path / "a.json"
    bad.write_text('{"version": "4", "alerts": [{"labels": {"alertname": "X"}, "startsAt": "9999-01-01T00:00:00Z"}]}')
    p = oncall("investigate", "fixtures/demo", "--alert", bad, "--audit", tmp_path / "au.jsonl")
    assert p.returncode == 5 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = oncall("investigate", "fixtures/demo", "--alert", tmp_path, "--audit", tmp_path / "au.jsonl")
    assert p.returncode == 4 and "is a folder" in p.stderr and "Traceback" not in p.stderr
    assert oncall("investigate", "fixtures/demo", "--audit", tmp_path / "au.jsonl").returncode == 0
    rec = json.loads((tmp_path / "au.jsonl").read_text().splitlines()[-1])["id"]
    shell = f"{sys.executable} -m oncall.cli audit show {rec} --log {tmp_path / 'au.jsonl'} | head -1"
    out = subprocess.run(shell, shell=True, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "{" and "Traceback" not in out.stderr


def test_investigation_ids_are_unique_and_time_ordered():
    from oncall.investigate import new_id

    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
