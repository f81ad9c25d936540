"""A CloudWatch alarm: EventBridge "CloudWatch Alarm State Change", or the alarm-action event a Lambda receives."""

from __future__ import annotations

import re
from typing import Any

from oncall.core.alert import Alert, fingerprint_of, parse_time
from oncall.core.errors import AlertFormatError

_PLAIN = re.compile(r"^[\w./#:@ -]{1,255}$")  # what a dimension value may hold and still be one term of a spec


def alarm_metric(metric: dict[str, Any], stat: Any) -> str | None:
    """The alarm's own metric as read_metrics' CloudWatch backend reads a signal
    (`Namespace:MetricName:Stat{Dimension=value,...}`), or None when a part could break that syntax."""
    dims = {str(k): str(v) for k, v in (metric.get("dimensions") or {}).items()}
    parts = [str(metric.get("namespace") or ""), str(metric.get("name") or ""), str(stat or "")]
    if not all(parts) or not all(_PLAIN.match(x) and ":" not in x for x in parts[1:]):
        return None
    if not _PLAIN.match(parts[0]) or any(not _PLAIN.match(k + v) or "," in k + v for k, v in dims.items()):
        return None
    return f"{parts[0]}:{parts[1]}:{parts[2]}{{{','.join(f'{k}={v}' for k, v in sorted(dims.items()))}}}"


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
            spec = alarm_metric(metric, (m.get("metricStat") or {}).get("stat"))
            if spec:
                labels.setdefault("alarm_metric", spec)
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
        fingerprint=fingerprint_of(arn),
        severity=None,
    )
