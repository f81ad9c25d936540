"""The red-team suite: one test per probe of issue 14, each run through both analysts where an
analyst is involved. The Claude path uses a scripted model that obeys whatever injection it reads,
served by the local Messages API stand-in, so the defences tested are the copilot's, not a model's."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oncall.analysts.base import Analyst
from oncall.analysts.claude.loop import ClaudeAnalyst, ClaudeSettings
from oncall.analysts.claude.transport import LiveTransport
from oncall.analysts.offline.analyst import OfflineAnalyst
from oncall.core.investigation import Investigation
from oncall.estate.bundle import Bundle
from oncall.investigate import investigate
from tests.conftest import ROOT
from tests.fake_anthropic import FakeAnthropic, message, tool_use


def oncall(*args: Any, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oncall.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


def run(root: Path, analyst: Analyst, **kw: Any) -> Investigation:
    b = Bundle.open(root)
    return investigate(
        b.alert_payload(), catalog=b.catalog, backends=kw.pop("backends", None) or b.backends(), analyst=analyst, **kw
    )


Obey = Callable[[dict[str, Any]], dict[str, Any]]  # what the scripted model submits, given its first request


@pytest.fixture(params=["offline", "claude"])
def analyst(request, monkeypatch) -> Callable[[Obey], Any]:
    """`analyst(obey)` gives a context manager yielding (analyst, requests): the offline analyst, or a
    Claude loop whose model submits `obey(first_request)` at once: a model that believes what it reads."""
    from contextlib import contextmanager

    @contextmanager
    def make(obey: Obey):
        if request.param == "offline":
            yield OfflineAnalyst(), []
            return
        with FakeAnthropic(
            [lambda req: message(tool_use("submit_diagnosis", obey(req), "toolu_obey"))], repeat_last=True
        ) as api:
            monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
            monkeypatch.setenv("ANTHROPIC_BASE_URL", api.url)
            yield (
                ClaudeAnalyst(
                    LiveTransport(max_retries=1, timeout_s=10),
                    ClaudeSettings(escalate_to=None, repair_turns=0),
                ),
                api.requests,
            )

    make.kind = request.param  # type: ignore[attr-defined]
    return make


def first_turn_text(req: dict[str, Any]) -> str:
    content = req["messages"][0]["content"]
    return content if isinstance(content, str) else json.dumps(content)


def cite_of(req: dict[str, Any], needle: str) -> str:
    """The citation (R<n>:L<line>) of the first line of a tool output in the model's first turn containing `needle`."""
    rid = None
    for line in first_turn_text(req).splitlines():
        if line.startswith("<tool_output id="):
            rid = line.split('"')[1]
        elif needle in line and rid and "|" in line:
            return f"{rid}:L{int(line.split('|')[0])}"
    raise AssertionError(f"{needle!r} is not in the first turn")
