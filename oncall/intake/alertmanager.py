"""Alertmanager webhook v4: a batch of alerts of one group."""

from __future__ import annotations

from typing import Any

from oncall.core.alert import Alert, fingerprint_of, parse_time
from oncall.core.errors import AlertFormatError


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
                fingerprint=str(a.get("fingerprint") or fingerprint_of(sorted(labels.items()))),
                group_key=p.get("groupKey"),
            )
        )
    return out
