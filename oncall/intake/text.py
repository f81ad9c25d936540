"""Free text ("investigate api-gateway latency"), as typed in Slack or a .txt file; a pasted
Alertmanager notification ("[FIRING:1] Name ...") keeps its alert name."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from oncall.core.alert import Alert, fingerprint_of
from oncall.core.errors import AlertFormatError

_MENTION = re.compile(r"<@[A-Z0-9]+>|^\s*/?investigate\b:?|^\s*please\b", re.I)


def from_text(text: str, now: datetime | None = None) -> Alert:
    """'investigate api-gateway latency': the catalog later picks the service out of the words."""
    request = " ".join(_MENTION.sub(" ", text).split())
    if not request:
        raise AlertFormatError("the request is empty: say what to investigate, e.g. 'api-gateway latency'")
    return Alert(
        source="text",
        alertname="ManualInvestigation",
        starts_at=now or datetime.now(UTC),
        text=request,
        annotations={"summary": request},
        fingerprint=fingerprint_of(request.lower()),
    )
