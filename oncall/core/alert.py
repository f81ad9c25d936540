"""The one normalised alert every payload becomes (see oncall/intake/ for how)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from oncall.core.errors import AlertFormatError

Source = Literal["alertmanager", "grafana", "cloudwatch", "slack", "text"]


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


EARLIEST, LATEST = 2000, 2100  # an alert outside these years is a broken or hostile payload


def parse_time(value: Any, what: str) -> datetime:
    """RFC 3339 with any fraction length or offset style (+0000, -05:00, Z), or Unix seconds; a
    boolean, a year outside 2000-2100 or anything else is an AlertFormatError naming the field."""
    if isinstance(value, bool):
        raise AlertFormatError(f"{what} is {str(value).lower()}, not a time")
    if isinstance(value, int | float):
        if not (0 < value < 4_102_444_800):  # 2100-01-01
            raise AlertFormatError(f"{what} {value!r} is not a plausible Unix time")
        t = datetime.fromtimestamp(float(value), UTC)
    elif isinstance(value, str) and value.strip():
        s = value.strip().replace("Z", "+00:00")
        s = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", s)
        s = re.sub(r"\.(\d{6})\d+", r".\1", s)  # nanoseconds -> microseconds
        try:
            t = datetime.fromisoformat(s)
        except ValueError:
            raise AlertFormatError(f"{what} {value[:64]!r} is not an RFC 3339 time") from None
        t = (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)
    elif value is None or value == "":
        raise AlertFormatError(f"{what} is missing")
    else:
        raise AlertFormatError(f"{what} is a {type(value).__name__}, not a time")
    if not (EARLIEST <= t.year < LATEST):
        raise AlertFormatError(f"{what} {t.isoformat()} is outside {EARLIEST}-{LATEST}")
    return t


def fingerprint_of(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def strings(value: Any, what: str) -> dict[str, str]:
    """A label or annotation map: an object of scalar values (absent is empty); anything else is an
    AlertFormatError naming the field."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AlertFormatError(f"{what} is a {type(value).__name__}, not an object")
    bad = [k for k, v in value.items() if isinstance(v, dict | list)]
    if bad:
        raise AlertFormatError(f"{what}.{bad[0]} is not a string")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}
