"""Slack: a slash command, a message shortcut, or an Events API mention. Slack text is
data: it names what to investigate, nothing more."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from oncall.core.alert import Alert
from oncall.intake.text import from_text

FIRING = re.compile(r"\[FIRING(?::\d+)?\]\s*([A-Za-z_:][\w:]*)")


def _slack_text(p: dict[str, Any]) -> str | None:
    if isinstance(p.get("event"), dict):  # Events API: app_mention, message
        return p["event"].get("text")
    if isinstance(p.get("message"), dict):  # message shortcut
        return p["message"].get("text")
    if "command" in p or "text" in p:  # slash command
        return p.get("text")
    return None


def from_slack(p: dict[str, Any], now: datetime | None = None) -> Alert:
    text = _slack_text(p) or ""
    ts = (p.get("event") or {}).get("ts") or (p.get("message") or {}).get("ts")
    alert = from_text(text, now=datetime.fromtimestamp(float(ts), UTC) if ts else now)
    return alert.model_copy(update={"source": "slack"})


def from_message(text: str, now: datetime | None = None) -> Alert:
    """A request or a pasted notification (Alertmanager's "[FIRING:1] Name ..." included)."""
    alert = from_text(text, now=now)
    m = FIRING.search(text)
    if m:
        alert = alert.model_copy(update={"alertname": m.group(1)})
    return alert.model_copy(update={"source": "slack"})


def message_text(msg: dict[str, Any]) -> str:
    """Text, blocks and attachments of a message another bot may have posted."""
    parts = [msg.get("text") or ""]
    for att in msg.get("attachments") or []:
        parts += [att.get(k) or "" for k in ("pretext", "title", "text", "fallback")]
    for block in msg.get("blocks") or []:
        for el in block.get("elements") or []:
            for inner in el.get("elements") or []:
                if inner.get("type") == "text":
                    parts.append(inner.get("text", ""))
        if isinstance(block.get("text"), dict):
            parts.append(block["text"].get("text", ""))
    return " ".join(p for p in parts if p)
