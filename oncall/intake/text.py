"""Free text ("investigate api-gateway latency"), as typed in Slack or a .txt file; a pasted
Alertmanager notification ("[FIRING:1] Name ...") keeps its alert name."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

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


_CLOCK = re.compile(r"\b(?:since|at|from|around|after|about)\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:UTC|Z)?\b", re.I)
_AGO = re.compile(r"\b(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h)\s+ago\b", re.I)
_LAST = re.compile(r"\b(?:last|past)\s+(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h)\b", re.I)
_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?")


def when(text: str, now: datetime) -> datetime | None:
    """The moment a question points at, if it names one: "since 14:00" (UTC, the latest 14:00 not
    after `now`), "20 minutes ago", "in the last 2 hours" (its start), or an RFC 3339 time."""
    if m := _ISO.search(text):
        raw = m.group(0).replace(" ", "T").replace("Z", "+00:00")
        try:
            t = datetime.fromisoformat(raw)
        except ValueError:
            t = None
        if t is not None:
            return t if t.tzinfo else t.replace(tzinfo=UTC)
    if m := _CLOCK.search(text):
        h, mi, sec = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if h < 24 and mi < 60 and sec < 60:
            t = now.replace(hour=h, minute=mi, second=sec, microsecond=0)
            return t if t <= now else t - timedelta(days=1)
    for rx in (_AGO, _LAST):
        if m := rx.search(text):
            n, unit = int(m.group(1)), m.group(2).lower()
            return now - (timedelta(hours=n) if unit.startswith("h") else timedelta(minutes=n))
    return None
