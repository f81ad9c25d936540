"""Intake: any payload (Alertmanager webhook v4, CloudWatch alarm via EventBridge or a
Lambda alarm action, Slack text, free text) becomes `Alert`s. One function per format,
one entry point that picks the format (`parse`), one that also resolves the service
through the catalog (`alerts`), used by every entry point: CLI, webhook, Lambda, Slack, eval."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.core.alert import Alert
from oncall.core.catalog import Catalog
from oncall.core.errors import AlertFormatError, AlertInputError
from oncall.core.files import ALERT_MAX, read_small
from oncall.core.redact import redact, redact_data
from oncall.intake.alertmanager import from_alertmanager, from_api_v2
from oncall.intake.cloudwatch import from_cloudwatch
from oncall.intake.slack import _slack_text, from_slack
from oncall.intake.text import from_text


def parse(payload: Any, *, service_label: str = "service", now: datetime | None = None) -> list[Alert]:
    """Every alert in the payload, firing first. Raises AlertFormatError naming what is wrong: a payload
    of the right format but the wrong shape is an error of the payload, never of the copilot."""
    read, what = _format(payload)
    try:
        found = read(payload, service_label, now)
    except AlertFormatError:
        raise
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError) as e:
        raise AlertFormatError(f"not a valid {what}: {type(e).__name__}: {str(e)[:200]}") from None
    return sorted(found, key=lambda a: a.status != "firing")


Reader = Callable[[Any, str, datetime | None], list[Alert]]


def _format(payload: Any) -> tuple[Reader, str]:
    """Which format a payload is in: the one place that decides."""
    if isinstance(payload, str):
        return (lambda p, _, now: [from_text(p, now=now)]), "text request"
    if isinstance(payload, list):  # Alertmanager API v2: GET /api/v2/alerts
        return (lambda p, label, _: from_api_v2(p, label)), "Alertmanager API v2 alert list"
    if not isinstance(payload, dict):
        raise AlertFormatError(f"expected a JSON object, a JSON list of alerts, or text; got {type(payload).__name__}")
    if "alerts" in payload or "groupKey" in payload:
        return (lambda p, label, _: from_alertmanager(p, label)), "Alertmanager webhook"
    if payload.get("detail-type") == "CloudWatch Alarm State Change" or "alarmData" in payload:
        return (lambda p, label, _: [from_cloudwatch(p, label)]), "CloudWatch alarm event"
    if "detail-type" in payload:
        raise AlertFormatError(
            f"EventBridge event of type {str(payload['detail-type'])[:80]!r} is not an alarm state change"
        )
    if _slack_text(payload) is not None:
        return (lambda p, _, now: [from_slack(p, now=now)]), "Slack request"
    raise AlertFormatError(
        "unknown alert format: not an Alertmanager webhook (no 'alerts' list), not a CloudWatch alarm "
        "event (no 'detail-type' or 'alarmData'), not a Slack request (no 'text'); top-level keys: "
        + ", ".join(sorted(map(str, payload))[:10])
    )


def alerts(payload: Any, catalog: Catalog, *, now: datetime | None = None) -> list[Alert]:
    """Every alert of the payload, firing first, each with its service resolved by the catalog."""
    found = [payload] if isinstance(payload, Alert) else parse(payload, service_label=catalog.service_label, now=now)
    return [_redacted(a).model_copy(update={"service": catalog.resolve(a) or a.service}) for a in found]


def _redacted(a: Alert) -> Alert:
    """Labels, annotations and free text are data someone else wrote: secrets in them never reach the
    model, the audit log or a brief."""
    return a.model_copy(
        update={
            "labels": redact_data(a.labels),
            "annotations": redact_data(a.annotations),
            "text": redact(a.text) if a.text else a.text,
        }
    )


def subject(payload: Any, catalog: Catalog, *, now: datetime | None = None) -> Alert:
    """The alert to investigate: the payload's first firing alert, its service resolved."""
    firing = [a for a in alerts(payload, catalog, now=now) if a.status == "firing"]
    if not firing:
        raise AlertFormatError("the payload holds only resolved alerts: nothing to investigate")
    return firing[0]


def read_payload(path: Path) -> Any:
    """JSON payload, or plain text (a Slack-style request) when the file is .txt. A payload is
    data of at most ALERT_MAX bytes from a regular file."""
    if str(path) == "-":  # standard input, with the same cap
        data = sys.stdin.buffer.read(ALERT_MAX + 1)
        if len(data) > ALERT_MAX:
            raise AlertInputError(f"the alert on standard input is over {ALERT_MAX:,} bytes")
        text = data.decode("utf-8", errors="replace")
    else:
        text = read_small(path, ALERT_MAX, "alert file", AlertInputError)
    if path.suffix == ".txt":
        return text
    if not text.strip():
        raise AlertInputError(f"alert file {path} is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise AlertInputError(
            f"alert file {path} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        ) from None
