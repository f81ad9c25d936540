"""Which analyst answers: Claude when asked, or when an API key is set or a recording is
replayed; otherwise the offline analyst. Called by every entry point (CLI, server
workers, Lambda), so they all choose the same way."""

from __future__ import annotations

from pathlib import Path

from oncall.analysts.base import Analyst
from oncall.core.errors import UsageError
from oncall.estate.env import Environment


def make_analyst(
    model: str | None = None,
    *,
    env: Environment,
    replay: Path | None = None,
    record: Path | None = None,
) -> Analyst:
    model = model or ("claude" if env.anthropic_api_key or replay else "offline")
    if model == "offline":
        from oncall.analysts.offline.analyst import OfflineAnalyst

        return OfflineAnalyst()
    from oncall.analysts.claude.loop import ClaudeAnalyst
    from oncall.analysts.claude.transport import LiveTransport, RecordingTransport, ReplayTransport, Transport

    transport: Transport
    if replay:
        transport = ReplayTransport(replay)
    elif env.anthropic_api_key:
        transport = LiveTransport()
    else:
        raise UsageError("--model claude needs ANTHROPIC_API_KEY (or --replay DIR); use --model offline")
    if record:
        transport = RecordingTransport(transport, record)
    return ClaudeAnalyst(transport)
