from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from oncall.core.alert import parse_time
from oncall.core.catalog import Catalog
from oncall.core.errors import AlertFormatError
from oncall.intake import parse
from oncall.intake import subject as intake

PAYLOADS = "payloads"


def load(corpora: Path, name: str):
    return json.loads((corpora / PAYLOADS / name).read_text())


def test_alertmanager_v4_real_payload(corpora):
    (alert,) = parse(load(corpora, "alertmanager_webhook_v4_prometheus-msteams.json"))
    assert alert.source == "alertmanager"
    assert alert.alertname == "high_memory_load"
    assert alert.severity == "warning"
    assert alert.status == "firing"
    # nanosecond fraction and a -05:00 offset, normalised to UTC
    assert alert.starts_at == datetime(2018, 3, 7, 11, 33, 21, 873077, tzinfo=UTC)
    assert alert.labels["instance"] == "instance-with-hyphen_and_underscore"
    assert alert.annotations["summary"] == "Server High Memory usage"
    assert len(alert.fingerprint) == 16  # computed: the payload carries none


def grafana_payload() -> dict:
    """Grafana's unified alerting webhook, as its documentation shows it (fields beside Alertmanager's)."""
    return {
        "receiver": "My Super Webhook",
        "status": "firing",
        "orgId": 1,
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "High memory usage", "team": "blue", "service": "ledger", "zone": "us-1"},
                "annotations": {"summary": "This alert was triggered for zone us-1"},
                "startsAt": "2021-10-12T09:51:03.157076+02:00",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit",
                "fingerprint": "c6eadffa33fcdf37",
                "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana",
                "dashboardURL": "",
                "panelURL": "",
                "values": {"B": 44.23943737541908, "C": 1},
            }
        ],
        "groupLabels": {"alertname": "High memory usage"},
        "commonLabels": {"team": "blue"},
        "commonAnnotations": {},
        "externalURL": "https://play.grafana.org/",
        "version": "1",
        "groupKey": '{}:{alertname="High memory usage"}',
        "truncatedAlerts": 0,
        "title": "[FIRING:1] High memory usage (blue)",
        "state": "alerting",
        "message": "**Firing**",
    }


def test_grafana_unified_alerting_webhook_is_read_like_alertmanagers():
    (a,) = parse(grafana_payload())
    assert (a.source, a.alertname, a.service, a.fingerprint) == (
        "grafana",
        "High memory usage",
        "ledger",
        "c6eadffa33fcdf37",
    )
    assert a.starts_at == datetime(2021, 10, 12, 7, 51, 3, 157076, tzinfo=UTC) and a.status == "firing"
    other = {k: v for k, v in grafana_payload().items() if k != "orgId"}  # version 1 alone is not Grafana's
    with pytest.raises(AlertFormatError, match="version 1; only version 4"):
        parse(other)


@pytest.mark.parametrize("name", ["single_metric", "metric_math", "anomaly_detection"])
def test_cloudwatch_eventbridge_real_payloads(corpora, name):
    payload = load(corpora, f"cloudwatch_alarm_state_change_eventbridge_{name}.json")
    (alert,) = parse(payload)
    assert alert.source == "cloudwatch"
    assert alert.alertname == payload["detail"]["alarmName"]
    assert alert.status == ("firing" if payload["detail"]["state"]["value"] == "ALARM" else "resolved")
    assert alert.starts_at.tzinfo is not None
    assert alert.starts_at.year == int(payload["detail"]["state"]["timestamp"][:4])


def test_cloudwatch_single_metric_details(corpora):
    (alert,) = parse(load(corpora, "cloudwatch_alarm_state_change_eventbridge_single_metric.json"))
    assert alert.labels["InstanceId"] == "i-12345678901234567"
    assert alert.labels["metric"] == "CPUUtilization"
    assert alert.starts_at == datetime(2019, 10, 2, 17, 4, 40, 989000, tzinfo=UTC)
    assert "too high" in alert.title


@pytest.mark.parametrize("name", ["SingleMetric", "CompositeMetric"])
def test_cloudwatch_alarm_action_lambda_events(corpora, name):
    payload = load(corpora, f"powertools_lambda_alarm_action_cloudWatchAlarmEvent{name}.json")
    (alert,) = parse(payload)
    assert alert.source == "cloudwatch"
    assert alert.alertname == payload["alarmData"]["alarmName"]


def test_slack_slash_command_and_shortcut(corpora):
    (slash,) = parse(load(corpora, "slack_slash_command_body.decoded.json"))
    assert slash.source == "slack" and slash.text == "Hi"
    (shortcut,) = parse(load(corpora, "slack_message_shortcut_body.json"))
    assert shortcut.source == "slack"
    assert shortcut.text == "test"  # the user mention is not part of the request
    assert shortcut.starts_at == datetime.fromtimestamp(1583636382.0003, UTC)


def test_free_text_resolves_service_through_catalog():
    catalog = Catalog.model_validate({"services": {"api-gateway": {}, "api": {}, "auth": {}}})
    alert = intake("investigate api-gateway latency", catalog)
    assert alert.service == "api-gateway"  # the longest name that appears as a word wins
    assert alert.text == "api-gateway latency"
    assert intake({"command": "/investigate", "text": "why is auth slow?"}, catalog).service == "auth"


def test_configurable_service_label():
    catalog = Catalog.model_validate({"service_label": "app", "services": {"checkout": {}}})
    payload = {
        "version": "4",
        "alerts": [{"labels": {"alertname": "X", "app": "checkout"}, "startsAt": "2026-01-01T00:00:00Z"}],
    }
    assert intake(payload, catalog).service == "checkout"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"foo": 1}, "unknown alert format"),
        ({"version": "3", "alerts": [{}]}, "version 3"),
        ({"version": "4", "alerts": []}, "no alerts"),
        (
            {"version": "4", "alerts": [{"labels": {}, "startsAt": "2026-01-01T00:00:00Z"}]},
            "no 'alertname' label",
        ),
        (
            {"version": "4", "alerts": [{"labels": {"alertname": "A"}, "startsAt": "yesterday"}]},
            "not an RFC 3339",
        ),
        ({"version": "4", "alerts": [{"labels": {"alertname": "A"}}]}, "startsAt is missing"),
        (
            {"detail-type": "EC2 Instance State-change Notification", "detail": {}},
            "not an alarm state change",
        ),
        (
            {"detail-type": "CloudWatch Alarm State Change", "detail": {"state": {"value": "ALARM"}}},
            "alarmName",
        ),
        ("   ", "request is empty"),
        ([1, 2], r"\[0\] is not an object"),
        (42, "expected a JSON object"),
    ],
)
def test_bad_payloads_name_the_problem(payload, message):
    with pytest.raises(AlertFormatError, match=message):
        parse(payload)


def test_only_resolved_alerts_is_an_error():
    payload = {
        "version": "4",
        "alerts": [{"status": "resolved", "labels": {"alertname": "A"}, "startsAt": "2026-01-01T00:00:00Z"}],
    }
    with pytest.raises(AlertFormatError, match="only resolved"):
        intake(payload, Catalog())


def test_parse_time_offsets():
    assert parse_time("2019-10-01T13:56:40.987+0000", "t") == datetime(2019, 10, 1, 13, 56, 40, 987000, tzinfo=UTC)
    assert parse_time("2026-11-17T03:41:00Z", "t").hour == 3
