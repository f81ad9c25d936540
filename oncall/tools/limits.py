"""What any caller of the read tools may send and get back (the Claude loop, the MCP server): one
set of caps, so a megabyte input or output never reaches a model whichever way it asked."""

from __future__ import annotations

import json
from typing import Any

MAX_TOOL_INPUT = 8_000  # characters of JSON a tool call may carry
MAX_TOOL_RESULT = 12_000  # characters of one tool result sent back


def oversized(args: Any) -> str | None:
    """Why an input is refused for its size, or None."""
    if len(json.dumps(args, default=str)) > MAX_TOOL_INPUT:
        return f"tool input is over {MAX_TOOL_INPUT} characters; ask a narrower question"
    return None


def capped(text: str) -> str:
    if len(text) <= MAX_TOOL_RESULT:
        return text
    return text[:MAX_TOOL_RESULT] + f"\n… [cut: {len(text) - MAX_TOOL_RESULT} more characters; ask a narrower question]"
