"""The Slack app through `oncall serve`: signed requests, acks within Slack's 3 seconds,
a progress message that becomes the brief, evidence in the thread, feedback, limits."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest

pytest.importorskip("slack_bolt")

from oncall.core.diagnosis import Evidence
from oncall.delivery.blocks import MAX_BLOCKS, MAX_SECTION, brief_blocks
from oncall.delivery.feedback import FeedbackStore
from oncall.delivery.slack import SlackSettings
from oncall.serving.slack_app import build_app
from tests.conftest import DEMO, ROOT
from tests.fake_slack import FakeSlack
from tests.test_serve import Running, make_service

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def sign(body: bytes, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": str(ts), "x-slack-signature": f"v0={digest}"}


class SlackRig:
    def __init__(self, tmp: Path, channels: frozenset[str] | None = None, team_id: str | None = None):
        self.slack = FakeSlack()
        self.service = make_service(tmp, workers=0)
        from oncall.estate.estate import open_estate

        self.service.estate = open_estate(DEMO, None, {})  # the embedded PR backend works from the bundle's repo/
        self.service.moment = self.service.estate.moment()
        self.feedback = FeedbackStore(tmp)
        settings = SlackSettings(
            bot_token=self.slack.token,
            signing_secret=SECRET,
            api_url=self.slack.url,
            allowed_channels=channels,
            team_id=team_id,
        )
        self.service.slack_app = build_app(
            self.service, settings, self.feedback, self.service.moment, self.service.investigate_now
        )
        self.service.slack_secret = SECRET
        self.running = Running(self.service)

    def __enter__(self) -> SlackRig:
        self.running.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.running.__exit__(*exc)
        self.slack.close()

    def post(self, body: bytes, headers: dict[str, str], ctype: str) -> tuple[int, bytes, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.running.port, timeout=30)
        t0 = time.perf_counter()
        conn.request("POST", "/slack/events", body, {"content-type": ctype, **headers})
        r = conn.getresponse()
        data = r.read()
        return r.status, data, time.perf_counter() - t0

    def form(self, fields: dict[str, str], **kw: Any) -> tuple[int, bytes, float]:
        body = urlencode(fields).encode()
        return self.post(body, sign(body, **kw), "application/x-www-form-urlencoded")

    def wait_for(self, method: str, pred: Any = lambda a: True, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m, a in list(self.slack.calls):
                if m == method and pred(a):
                    return a
            time.sleep(0.05)
        raise AssertionError(f"no {method} matching; calls: {[m for m, _ in self.slack.calls]}")


def slash(corpora: Path, text: str, channel: str = "C111") -> dict[str, str]:
    raw = (corpora / "payloads" / "slack_slash_command_body.form-urlencoded.txt").read_text().strip()
    fields = {k: v[0] for k, v in parse_qs(raw).items()}
    fields.update(command="/investigate", text=text, channel_id=channel)
    return fields


def click(action_id: str, value: str, block_id: str, message_ts: str) -> dict[str, str]:
    """A signed-ready block_actions payload, as Slack sends a button click."""
    payload = {
        "type": "block_actions",
        "user": {"id": "U2", "username": "sre"},
        "team": {"id": "T111"},
        "channel": {"id": "C111"},
        "message": {"ts": message_ts},
        "trigger_id": "111.222",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": "C111"},
        "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button", "action_ts": "1"}],
    }
    return {"payload": json.dumps(payload)}


def blocks_text(blocks: Any) -> str:
    return json.dumps(blocks)


def test_signed_slash_command_acks_at_once_then_the_demo_brief_lands_in_a_thread(tmp_path, corpora):
    with SlackRig(tmp_path) as rig:
        status, body, seconds = rig.form(slash(corpora, "investigate api-gateway latency"))
        assert status == 200 and seconds < 3 and b"On it" in body
        progress = rig.wait_for("chat.postMessage", lambda a: "Investigating for" in (a.get("text") or ""))
        update = rig.wait_for("chat.update", lambda a: a.get("blocks"))
        evidence = rig.wait_for("chat.postMessage", lambda a: a.get("thread_ts"))
        picture = rig.wait_for("files.completeUploadExternal", lambda a: a.get("thread_ts"))
        uploaded = rig.slack.uploads
    blocks = update["blocks"] if isinstance(update["blocks"], list) else json.loads(update["blocks"])
    text = blocks_text(blocks)
    assert "*Root cause* (HIGH confidence): *api-gateway*" in text and "kubectl rollout undo" in text
    assert blocks[0]["type"] == "header" and blocks[-1]["type"] == "context"
    assert any(b["type"] == "actions" for b in blocks)
    assert progress["channel"] == "C111" and evidence["thread_ts"] == update["ts"]  # in the brief's thread
    assert "Sources" in blocks_text(evidence["blocks"])
    # the key signal: a sparkline in the brief, its picture in the same thread
    assert "api-gateway pool_utilization" in text and "\\u2581" in text  # ▁, as JSON spells it
    assert picture["thread_ts"] == update["ts"] and picture["channel_id"] == "C111"
    (png,) = uploaded.values()
    assert png.startswith(b"\x89PNG")


def test_bad_old_and_missing_signatures_are_rejected(tmp_path, corpora):
    with SlackRig(tmp_path) as rig:
        fields = slash(corpora, "api-gateway latency")
        body = urlencode(fields).encode()
        assert rig.post(body, sign(body, secret="not-the-secret"), "application/x-www-form-urlencoded")[0] == 401
        assert rig.form(fields, ts=int(time.time()) - 600)[0] == 401  # a replay from ten minutes ago
        assert rig.post(body, {}, "application/x-www-form-urlencoded")[0] == 401
        time.sleep(0.3)
    assert rig.slack.calls == [("auth.test", {})] or all(m == "auth.test" for m, _ in rig.slack.calls)


def test_message_shortcut_on_an_alert_notification(tmp_path, corpora):
    payload = json.loads((corpora / "payloads" / "slack_message_shortcut_body.json").read_text())
    payload["callback_id"] = "investigate_this"
    payload["message"]["text"] = "[FIRING:1] APIHighLatencyP99 (api-gateway critical)"
    with SlackRig(tmp_path) as rig:
        status, _, seconds = rig.form({"payload": json.dumps(payload)})
        assert status == 200 and seconds < 3
        update = rig.wait_for("chat.update", lambda a: a.get("blocks"))
        first = rig.slack.posts()[0]
    assert first["thread_ts"] == payload["message"]["ts"]  # answered in the notification's thread
    assert "APIHighLatencyP99" in blocks_text(update["blocks"])


def test_app_mention(tmp_path):
    event = {
        "token": "x",
        "team_id": "T111",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": "Ev1",
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": "U7",  # not the bot itself (auth.test says the bot is U1): Bolt ignores its own events
            "channel": "C111",
            "text": "<@U0BOT> why is api-gateway slow?",
            "ts": "1763870001.000100",
        },
    }
    with SlackRig(tmp_path) as rig:
        body = json.dumps(event).encode()
        assert rig.post(body, sign(body), "application/json")[0] == 200
        rig.wait_for("chat.update", lambda a: a.get("blocks"))
        assert rig.slack.posts()[0]["thread_ts"] == "1763870001.000100"


def test_channel_allow_list_refuses_politely(tmp_path, corpora):
    with SlackRig(tmp_path, channels=frozenset({"C0ONCALL"})) as rig:
        rig.form(slash(corpora, "api-gateway latency", channel="C999"))
        refusal = rig.wait_for("chat.postMessage")
        time.sleep(0.3)
    assert "only investigate in the on-call channels" in refusal["text"]
    assert not [m for m, _ in rig.slack.calls if m == "chat.update"]


def test_feedback_round_trip_into_the_history_store(tmp_path, corpora):
    with SlackRig(tmp_path) as rig:
        rig.form(slash(corpora, "api-gateway latency"))
        update = rig.wait_for("chat.update", lambda a: a.get("blocks"))
        actions = next(b for b in update["blocks"] if b["type"] == "actions")
        inv_id = actions["elements"][0]["value"]
        for _ in range(50):  # the audit record is written right after the brief
            if rig.service.audit.find(inv_id):
                break
            time.sleep(0.05)
        assert rig.form(click("feedback_right", inv_id, actions["block_id"], update["ts"]))[0] == 200
        rig.wait_for("chat.postMessage", lambda a: "confirmed the root cause" in (a.get("text") or ""))
        rig.form(click("feedback_wrong", inv_id, actions["block_id"], update["ts"]))
        modal = rig.wait_for("views.open")
        view = modal["view"] if isinstance(modal["view"], dict) else json.loads(modal["view"])
        submit = {
            "type": "view_submission",
            "user": {"id": "U3"},
            "team": {"id": "T111"},
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": "feedback_wrong_modal",
                "private_metadata": view["private_metadata"],
                "state": {
                    "values": {
                        "service": {"value": {"type": "plain_text_input", "value": "user-service"}},
                        "category": {
                            "value": {"type": "static_select", "selected_option": {"value": "dependency_failure"}}
                        },
                        "note": {"value": {"type": "plain_text_input", "value": "db index"}},
                    }
                },
            },
        }
        assert rig.form({"payload": json.dumps(submit)})[0] == 200
        deadline = time.monotonic() + 10
        while len(rig.feedback.rows()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    rows = rig.feedback.rows()
    assert [r["verdict"] for r in rows] == ["right", "wrong"]
    assert rows[0]["diagnosed_service"] == "api-gateway" and rows[1]["category"] == "dependency_failure"
    assert (tmp_path / "history.jsonl").read_text().count(inv_id) == 2
    p = subprocess.run(
        [sys.executable, "-m", "oncall.cli", "accuracy", "--state", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert "api-gateway" in p.stdout and "1 of 2" in p.stdout


def test_block_kit_limits_are_kept_and_truncation_says_so():
    from oncall.analysts.offline.analyst import OfflineAnalyst
    from oncall.estate.bundle import Bundle
    from oncall.investigate import investigate

    b = Bundle.open(DEMO)
    inv = investigate(b.alert_payload(), catalog=b.catalog, backends=b.backends(), analyst=OfflineAnalyst())
    huge = inv.diagnosis.model_copy(
        update={
            "summary": inv.diagnosis.summary * 200,
            "missing_evidence": [f"gap {i}" for i in range(200)],
            "evidence": [Evidence(text="x" * 500, cites=["R1"])] * 200,
        }
    )
    inv.diagnosis = huge
    blocks = brief_blocks(inv)
    assert len(blocks) <= MAX_BLOCKS
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert all(len(t) <= MAX_SECTION for t in sections)
    assert any("truncated" in t for t in sections)
    from oncall.delivery.blocks import evidence_blocks

    ev = evidence_blocks(inv)
    assert len(ev) == MAX_BLOCKS and "more blocks left out" in ev[-1]["text"]["text"]


def test_oncall_serve_with_the_slack_environment(tmp_path, corpora):
    """The Done-when of the Slack issue, through the command itself: `oncall serve --bundle fixtures/demo`."""
    import os
    import socket

    slack = FakeSlack()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "ONCALL_WEBHOOK_TOKEN": "t",
        "XDG_STATE_HOME": str(tmp_path),
    }
    env.pop("ANTHROPIC_API_KEY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "oncall.cli", "serve", "--bundle", str(DEMO), "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "oncall serve did not start"
                time.sleep(0.2)
        body = urlencode(slash(corpora, "investigate api-gateway latency")).encode()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        t0 = time.perf_counter()
        conn.request("POST", "/slack/events", body, {"content-type": "application/x-www-form-urlencoded", **sign(body)})
        r = conn.getresponse()
        assert r.status == 200 and time.perf_counter() - t0 < 3
        r.read()
        deadline = time.monotonic() + 60
        while not any(m == "chat.postMessage" and a.get("thread_ts") for m, a in slack.calls):
            assert time.monotonic() < deadline, f"no brief: {[m for m, _ in slack.calls]}"
            time.sleep(0.1)
        update = next(a for m, a in slack.calls if m == "chat.update" and a.get("blocks"))
        assert "api-gateway" in json.dumps(update["blocks"]) and "recent change" in json.dumps(update["blocks"])
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
        slack.close()
    assert slack.token.encode() not in output and SECRET.encode() not in output  # never logged


def test_other_workspace_gets_a_polite_refusal(tmp_path, corpora):
    with SlackRig(tmp_path, team_id="T999") as rig:
        rig.form(slash(corpora, "api-gateway latency"))  # the corpus body comes from team T111
        refusal = rig.wait_for("chat.postMessage")
    assert refusal["text"] == "Sorry, this copilot serves another workspace."


def test_open_pr_button_opens_the_draft_pr(tmp_path, corpora):
    with SlackRig(tmp_path) as rig:
        rig.form(slash(corpora, "api-gateway latency"))
        update = rig.wait_for("chat.update", lambda a: a.get("blocks"))
        actions = next(b for b in update["blocks"] if b["type"] == "actions")
        button = next(e for e in actions["elements"] if e["action_id"] == "open_pr")
        for _ in range(100):
            if rig.service.audit.find(button["value"]):
                break
            time.sleep(0.05)
        assert rig.form(click("open_pr", button["value"], actions["block_id"], update["ts"]))[0] == 200
        link = rig.wait_for("chat.postMessage", lambda a: "Draft PR" in (a.get("text") or ""))
    assert "file://" in link["text"] and link["thread_ts"] == update["ts"]
