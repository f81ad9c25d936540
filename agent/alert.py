"""Intake: any payload (Alertmanager webhook v4, CloudWatch alarm via EventBridge
or a Lambda alarm action, Slack text) becomes one normalised `Alert`."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from agent.errors import AlertFormatError

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


def _fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def parse(payload: Any, *, service_label: str = "service", now: datetime | None = None) -> list[Alert]:
    """Every alert in the payload, firing first. Raises AlertFormatError naming what is missing."""
    if isinstance(payload, str):
        return [from_text(payload, now=now)]
    if not isinstance(payload, dict):
        raise AlertFormatError(f"expected a JSON object or text, got {type(payload).__name__}")
    if "alerts" in payload or "groupKey" in payload:
        alerts = from_alertmanager(payload, service_label)
    elif payload.get("detail-type") == "CloudWatch Alarm State Change" or "alarmData" in payload:
        alerts = [from_cloudwatch(payload, service_label)]
    elif "detail-type" in payload:
        raise AlertFormatError(f"EventBridge event of type {payload['detail-type']!r} is not an alarm state change")
    elif _slack_text(payload) is not None:
        alerts = [from_slack(payload, now=now)]
    else:
        raise AlertFormatError(
            "unknown alert format: not an Alertmanager webhook (no 'alerts' list), not a CloudWatch alarm "
            "event (no 'detail-type' or 'alarmData'), not a Slack request (no 'text'); top-level keys: "
            + ", ".join(sorted(payload)[:10])
        )
    return sorted(alerts, key=lambda a: a.status != "firing")


def from_alertmanager(p: dict[str, Any], service_label: str) -> list[Alert]:
    version = str(p.get("version", ""))
    if version != "4":
        raise AlertFormatError(f"Alertmanager webhook version {version or 'missing'}; only version 4 is supported")
    items = p.get("alerts")
    if not isinstance(items, list) or not items:
        raise AlertFormatError("Alertmanager webhook has no alerts")
    common = {str(k): str(v) for k, v in (p.get("commonLabels") or {}).items()}
    out = []
    for i, a in enumerate(items):
        if not isinstance(a, dict):
            raise AlertFormatError(f"alerts[{i}] is not an object")
        labels = {**common, **{str(k): str(v) for k, v in (a.get("labels") or {}).items()}}
        if "alertname" not in labels:
            raise AlertFormatError(f"alerts[{i}] has no 'alertname' label")
        annotations = {**(p.get("commonAnnotations") or {}), **(a.get("annotations") or {})}
        out.append(
            Alert(
                source="alertmanager",
                alertname=labels["alertname"],
                status="resolved" if a.get("status", p.get("status")) == "resolved" else "firing",
                starts_at=parse_time(a.get("startsAt"), f"alerts[{i}].startsAt"),
                service=labels.get(service_label),
                severity=labels.get("severity"),
                labels=labels,
                annotations={str(k): str(v) for k, v in annotations.items()},
                fingerprint=str(a.get("fingerprint") or _fingerprint(sorted(labels.items()))),
                group_key=p.get("groupKey"),
            )
        )
    return out


def from_cloudwatch(p: dict[str, Any], service_label: str) -> Alert:
    """EventBridge 'CloudWatch Alarm State Change', or the alarm-action event a Lambda receives."""
    detail = p.get("detail") if "detail" in p else p.get("alarmData")
    if not isinstance(detail, dict):
        raise AlertFormatError("CloudWatch event has no 'detail' object")
    name = detail.get("alarmName")
    if not name:
        raise AlertFormatError("CloudWatch event has no detail.alarmName")
    state = detail.get("state") or {}
    if not state.get("value"):
        raise AlertFormatError("CloudWatch event has no detail.state.value")
    config = detail.get("configuration") or {}
    prev = detail.get("previousState") or {}
    labels = {
        "alertname": str(name),
        "region": str(p.get("region", "")),
        "account": str(p.get("account", "")),
    }
    for m in config.get("metrics") or []:
        metric = (m.get("metricStat") or {}).get("metric") or {}
        for k, v in (metric.get("dimensions") or {}).items():
            labels[str(k)] = str(v)
        if metric.get("name"):
            labels.setdefault("metric", str(metric["name"]))
            labels.setdefault("namespace", str(metric.get("namespace", "")))
    service = next((v for k, v in labels.items() if k.lower() == service_label.lower()), None)
    arn = (p.get("resources") or [None])[0] or p.get("alarmArn") or name
    return Alert(
        source="cloudwatch",
        alertname=str(name),
        status="firing" if state["value"] == "ALARM" else "resolved",
        # an OK event names the ALARM it ends by the previous state's time: the same key as the alarm
        starts_at=parse_time(
            prev.get("timestamp")
            if state["value"] != "ALARM" and prev.get("value") == "ALARM"
            else state.get("timestamp") or p.get("time"),
            "detail.state.timestamp",
        ),
        service=service,
        labels={k: v for k, v in labels.items() if v},
        annotations={
            "summary": str(config.get("description") or name),
            "reason": str(state.get("reason", "")),
        },
        fingerprint=_fingerprint(arn),
        severity=None,
    )


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
        fingerprint=_fingerprint(request.lower()),
    )
