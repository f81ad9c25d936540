"""The one normalised alert every payload becomes (see oncall/intake/ for how)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from oncall.core.errors import AlertFormatError

Source = Literal["alertmanager", "cloudwatch", "slack", "text"]


class Alert(BaseModel):
    source: Source
    alertname: str
    status: Literal["firing", "resolved"] = "firing"
    starts_at: datetime
    service: str | None = None  # filled from labels, then by the catalog
    severity: str | None = None
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    fingerprint: str
    group_key: str | None = None
    text: str | None = None  # free text of a Slack request

    @property
    def title(self) -> str:
        return self.annotations.get("summary") or self.text or self.alertname


def parse_time(value: Any, what: str) -> datetime:
    """RFC 3339 with any fraction length or offset style (+0000, -05:00, Z)."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    if not isinstance(value, str) or not value:
        raise AlertFormatError(f"{what} is missing")
    s = value.strip().replace("Z", "+00:00")
    s = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", s)
    s = re.sub(r"\.(\d{6})\d+", r".\1", s)  # nanoseconds -> microseconds
    try:
        t = datetime.fromisoformat(s)
    except ValueError:
        raise AlertFormatError(f"{what} {value!r} is not an RFC 3339 time") from None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def fingerprint_of(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
