"""Alertmanager: the webhook v4 (a batch of alerts of one group, as a receiver gets it), and the
API v2 alert list (`GET /api/v2/alerts`, as `amtool` or curl prints it). Grafana's unified alerting
webhook (`version: "1"` with an `orgId`) carries the same alerts with fields of its own beside them
(values, panel and silence URLs, a title and a message), and is read here too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from oncall.core.alert import Alert, fingerprint_of, parse_time, strings
from oncall.core.errors import AlertFormatError


def from_alertmanager(p: dict[str, Any], service_label: str) -> list[Alert]:
    version = str(p.get("version", ""))
    grafana = version == "1" and "orgId" in p
    if version != "4" and not grafana:
        raise AlertFormatError(
            f"Alertmanager webhook version {version or 'missing'}; only version 4 (or Grafana's version 1, with an "
            "orgId) is supported"
        )
    items = p.get("alerts")
    if not isinstance(items, list) or not items:
        raise AlertFormatError("Alertmanager webhook has no alerts")
    common = strings(p.get("commonLabels"), "commonLabels")
    out = []
    for i, a in enumerate(items):
        if not isinstance(a, dict):
            raise AlertFormatError(f"alerts[{i}] is not an object")
        labels = {**common, **strings(a.get("labels"), f"alerts[{i}].labels")}
        if "alertname" not in labels:
            raise AlertFormatError(f"alerts[{i}] has no 'alertname' label")
        annotations = {
            **strings(p.get("commonAnnotations"), "commonAnnotations"),
            **strings(a.get("annotations"), f"alerts[{i}].annotations"),
        }
        out.append(
            Alert(
                source="grafana" if grafana else "alertmanager",
                alertname=labels["alertname"],
                status="resolved" if a.get("status", p.get("status")) == "resolved" else "firing",
                starts_at=parse_time(a.get("startsAt"), f"alerts[{i}].startsAt"),
                service=labels.get(service_label),
                severity=labels.get("severity"),
                labels=labels,
                annotations=annotations,
                fingerprint=str(a.get("fingerprint") or fingerprint_of(sorted(labels.items()))),
                group_key=str(p["groupKey"]) if p.get("groupKey") is not None else None,
            )
        )
    return out


def from_api_v2(items: list[Any], service_label: str) -> list[Alert]:
    """`GET /api/v2/alerts`: gettableAlert objects, with status.state active/suppressed/unprocessed."""
    if not items:
        raise AlertFormatError("the Alertmanager alert list is empty")
    out = []
    for i, a in enumerate(items):
        if not isinstance(a, dict):
            raise AlertFormatError(f"[{i}] is not an object")
        labels = strings(a.get("labels"), f"[{i}].labels")
        if "alertname" not in labels:
            raise AlertFormatError(f"[{i}] has no 'alertname' label")
        state = (a.get("status") or {}).get("state") if isinstance(a.get("status"), dict) else None
        ended = a.get("endsAt")
        resolved = state == "resolved" or (
            state is None and bool(ended) and parse_time(ended, f"[{i}].endsAt") <= now()
        )
        out.append(
            Alert(
                source="alertmanager",
                alertname=labels["alertname"],
                status="resolved" if resolved else "firing",
                starts_at=parse_time(a.get("startsAt"), f"[{i}].startsAt"),
                service=labels.get(service_label),
                severity=labels.get("severity"),
                labels=labels,
                annotations=strings(a.get("annotations"), f"[{i}].annotations"),
                fingerprint=str(a.get("fingerprint") or fingerprint_of(sorted(labels.items()))),
            )
        )
    return out


def now() -> datetime:
    return datetime.now(UTC)
