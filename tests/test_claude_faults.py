"""The Claude loop against a Messages API stand-in that misbehaves the way networks and models do:
every failure ends in a grounded brief, from Claude or from the offline analyst, saying which."""

from __future__ import annotations

import time
from typing import Any

import pytest

from oncall.analysts.claude.loop import ClaudeAnalyst, ClaudeSettings
from oncall.analysts.claude.transport import LiveTransport
from tests.conftest import DEMO
from tests.fake_anthropic import Err, FakeAnthropic, message, text, tool_use
from tests.test_claude import run


@pytest.fixture
def claude(monkeypatch):
    def make(server: FakeAnthropic, **settings: Any) -> ClaudeAnalyst:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        return ClaudeAnalyst(LiveTransport(max_retries=1, timeout_s=10), ClaudeSettings(**settings))

    return make


def fell_back(inv) -> bool:
    return inv.model == "offline (fallback)" and any("offline analyst wrote this brief" in n for n in inv.notes)


@pytest.mark.parametrize(
    "err",
    [
        Err(401, "authentication_error", "invalid x-api-key"),
        Err(400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
        Err(404, "not_found_error", "model: claude-haiku-4-5"),
        Err(403, "permission_error", "your account has no access to this model"),
    ],
)
def test_a_non_retryable_error_falls_back_to_the_offline_brief(claude, err):
    with FakeAnthropic([err], repeat_last=True) as api:
        inv = run(DEMO, claude(api))
    assert fell_back(inv) and str(err.status) in " ".join(inv.notes)
    assert inv.diagnosis.root_cause.service == "api-gateway" and inv.diagnosis.root_cause.confidence == "HIGH"
    assert len(api.requests) == 1  # not retried


def test_a_hung_request_is_bounded_by_the_deadline(claude):
    def hang(req: dict[str, Any]) -> dict[str, Any]:
        time.sleep(20)
        return message(text("too late"), stop="end_turn")

    with FakeAnthropic([hang], repeat_last=True) as api:
        t0 = time.monotonic()
        inv = run(DEMO, claude(api, deadline_s=2.0))
        took = time.monotonic() - t0
    assert fell_back(inv) and took < 10 and "deadline" in " ".join(inv.notes)


def test_a_tool_call_cut_by_max_tokens_is_never_run(claude):
    cut = message(tool_use("read_logs", {"service": "auth"}, "toolu_cut"), stop="max_tokens")
    with FakeAnthropic([cut], repeat_last=True) as api:
        inv = run(DEMO, claude(api))
    assert fell_back(inv) and "output tokens" in " ".join(inv.notes)
    cut_call = {"service": "auth", "max_templates": 8, "only_notable": False}  # what the cut call would have read
    assert not any(r.tool == "read_logs" and r.input == cut_call for r in inv.results)


def test_bad_tool_inputs_are_refused_not_run(claude, offline_answer):
    bad = message(
        tool_use("read_logs", "not an object", "toolu_a"),  # type: ignore[arg-type]
        tool_use("read_logs", {"service": "auth", "query": "x" * 1_000_000}, "toolu_b"),
    )
    submit = message(tool_use("submit_diagnosis", offline_answer, "toolu_s"))
    with FakeAnthropic([bad, submit]) as api:
        inv = run(DEMO, claude(api))
    replies = api.requests[1]["messages"][-1]["content"]
    assert all(r["is_error"] for r in replies)
    assert "must be a JSON object" in replies[0]["content"] and "over 8000 characters" in replies[1]["content"]
    assert len(api.requests[1]["messages"][-1]["content"][1]["content"]) < 500  # the 1 MB input is not echoed
    assert inv.model == "claude-haiku-4-5"


def test_a_failing_stronger_model_keeps_the_first_grounded_answer(claude, offline_answer):
    low = {**offline_answer, "root_cause": {**offline_answer["root_cause"], "confidence": "LOW"}}
    with FakeAnthropic(
        [message(tool_use("submit_diagnosis", low, "t1")), Err(400, "invalid_request_error", "x")], repeat_last=True
    ) as api:
        inv = run(DEMO, claude(api))
    assert inv.model == "claude-haiku-4-5" and any("kept the claude-haiku-4-5 answer" in n for n in inv.notes)
    assert inv.diagnosis.root_cause.service == "api-gateway"


@pytest.fixture(scope="module")
def offline_answer() -> dict[str, Any]:
    from oncall.analysts.offline.analyst import OfflineAnalyst

    d = run(DEMO, OfflineAnalyst()).diagnosis
    return d.model_dump(mode="json", exclude={"pr", "alternatives", "warnings"})
