"""AWS Lambda entry point: EventBridge events ("CloudWatch Alarm State Change", and
Alertmanager alerts forwarded as custom events) become one investigation per alert,
at most once (idempotency keyed on fingerprint and start time, stored in DynamoDB),
and a brief in Slack. An OK or resolved event updates the alert's existing thread.

Importing this module is cheap: everything heavy is built on the first invocation
(`runtime()`), from the environment, and reused while the container lives."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

ALERTMANAGER_DETAIL_TYPE = "Alertmanager Alert"
THREAD_TTL_S = 14 * 24 * 3600


@dataclass
class Runtime:
    logger: Any
    catalog: Any
    backends: Any
    table: Any  # boto3 DynamoDB Table: idempotency records and alert threads
    slack: Any  # slack_sdk WebClient, or None when Slack is not configured
    channel: str | None
    investigate_once: Any  # the idempotent investigation
    config: Any = None  # its IdempotencyConfig, told each invocation's remaining time

    def deliver(self, inv: Any) -> dict[str, Any]:
        from oncall.delivery.brief import to_markdown

        if self.slack is None or not self.channel:
            self.logger.warning("SLACK_BOT_TOKEN or SLACK_CHANNEL not set: brief not delivered", extra={"id": inv.id})
            return {"to": "log"}
        r = self.slack.chat_postMessage(channel=self.channel, text=to_markdown(inv), mrkdwn=True)
        return {"to": "slack", "channel": r["channel"], "ts": r["ts"]}

    def thread_key(self, alert: Any) -> str:
        return f"thread#{alert.fingerprint}|{alert.starts_at.isoformat()}"

    def resolve(self, alert: Any) -> dict[str, Any]:
        item = self.table.get_item(Key={"id": self.thread_key(alert)}).get("Item")
        if not item:
            self.logger.info("resolved alert was never investigated here", extra={"alert": alert.alertname})
            return {"status": "resolved", "thread": None}
        if self.slack is not None:
            self.slack.chat_postMessage(
                channel=item["channel"],
                thread_ts=item["ts"],
                text=f"Resolved: {alert.alertname} on {alert.service or '?'} is OK again.",
            )
        return {"status": "resolved", "thread": item["ts"]}


@cache
def runtime() -> Runtime:
    """Built once per container: settings come from the environment here, in the entry point."""
    import boto3
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    logger = Logger(service="oncall-copilot")
    estate = lambda_estate()
    table_name = os.environ["IDEMPOTENCY_TABLE"]
    table = boto3.resource("dynamodb").Table(table_name)
    token = secret("SLACK_BOT_TOKEN")
    slack = None
    if token:
        from slack_sdk import WebClient

        slack = WebClient(token=token, base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"))
    rt = Runtime(
        logger=logger,
        catalog=estate.catalog,
        backends=estate.backends,
        table=table,
        slack=slack,
        channel=os.environ.get("SLACK_CHANNEL"),
        investigate_once=None,
    )

    def investigate_alert(alert: dict[str, Any]) -> dict[str, Any]:
        from oncall.analysts import make_analyst
        from oncall.core.alert import Alert
        from oncall.delivery.audit import investigation_record
        from oncall.investigate import investigate

        a = Alert.model_validate(alert)
        inv = investigate(
            a, catalog=rt.catalog, backends=rt.backends, analyst=make_analyst(os.environ.get("ONCALL_MODEL"))
        )
        delivery = rt.deliver(inv)
        if delivery.get("ts"):
            rt.table.put_item(
                Item={
                    "id": rt.thread_key(a),
                    "channel": delivery["channel"],
                    "ts": delivery["ts"],
                    "investigation": inv.id,
                    "expiration": int(time.time()) + THREAD_TTL_S,
                }
            )
        record = investigation_record(inv, alerts=[a], deliveries=[delivery])
        rt.logger.info("investigation", extra={"audit": record})  # CloudWatch Logs is the audit log here
        return {
            "investigation": inv.id,
            "root_cause": inv.diagnosis.root_cause.model_dump(mode="json"),
            "delivery": delivery,
        }

    config = IdempotencyConfig(event_key_jmespath="[fingerprint, starts_at]", expires_after_seconds=THREAD_TTL_S)
    rt.config = config
    rt.investigate_once = idempotent_function(
        investigate_alert,
        data_keyword_argument="alert",
        persistence_store=DynamoDBPersistenceLayer(table_name=table_name),
        config=config,
    )
    return rt


def lambda_estate():
    """The bundle in the package (ONCALL_BUNDLE), with the backends ONCALL_CONFIG configures over it."""
    from pathlib import Path

    from oncall.estate.estate import open_estate

    config = os.environ.get("ONCALL_CONFIG")
    return open_estate(
        Path(os.environ.get("ONCALL_BUNDLE", "fixtures/demo")), Path(config) if config else None, os.environ
    )


def secret(name: str) -> str | None:
    """A secret from the environment, or from the SSM SecureString named by NAME_PARAMETER."""
    if os.environ.get(name):
        return os.environ[name]
    parameter = os.environ.get(f"{name}_PARAMETER")
    if not parameter:
        return None
    import boto3

    return boto3.client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]


def alerts_of(event: dict[str, Any]) -> list[Any]:
    """The alerts an event carries. The EventBridge envelope is validated with powertools' model."""
    from oncall.intake import parse

    if "alarmData" in event:  # a CloudWatch alarm action invoking the function directly
        return parse(event)
    from aws_lambda_powertools.utilities.parser import parse as parse_envelope
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
    from pydantic import ValidationError

    try:
        envelope = parse_envelope(event=event, model=EventBridgeModel)
    except ValidationError as e:
        raise ValueError(f"not an EventBridge event: {e.errors()[0]['loc']} {e.errors()[0]['msg']}") from None
    if envelope.detail_type == ALERTMANAGER_DETAIL_TYPE:
        return parse(envelope.detail)
    return parse(event)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    rt = runtime()
    if context is not None:
        rt.config.register_lambda_context(context)  # an in-progress record expires with the invocation
    out = []
    for alert in alerts_of(event):
        alert = alert.model_copy(update={"service": rt.catalog.resolve(alert) or alert.service})
        if alert.status == "firing":
            out.append(rt.investigate_once(alert=alert.model_dump(mode="json")))
        else:
            out.append(rt.resolve(alert))
    return {"results": out}


@cache
def slack_request_handler() -> Any:
    """Slack on Lambda (Bolt's Lambda adapter): acks in the first invocation and runs the
    investigation in a second, asynchronous one. State (audit, feedback) lives in /tmp here
    and in CloudWatch Logs; it does not outlive the container."""
    from pathlib import Path

    from slack_bolt.adapter.aws_lambda import SlackRequestHandler

    from oncall.delivery.audit import AuditLog
    from oncall.investigate import investigate
    from oncall.serving.slack_app import FeedbackStore, SlackSettings, build_app

    estate = lambda_estate()
    state = Path(os.environ.get("ONCALL_STATE", "/tmp/oncall-copilot"))
    backends = estate.backends

    class LambdaService:
        catalog = estate.catalog
        audit = AuditLog(state / "audit.jsonl")

        def investigate_now(self, alert: Any, on_stage: Any = None, open_pr: bool = False) -> Any:
            from oncall.analysts import make_analyst

            return investigate(
                alert,
                catalog=estate.catalog,
                backends=backends,
                analyst=make_analyst(os.environ.get("ONCALL_MODEL")),
                on_stage=on_stage,
            )

    service = LambdaService()
    channels = os.environ.get("ONCALL_SLACK_CHANNELS")
    settings = SlackSettings(
        bot_token=secret("SLACK_BOT_TOKEN") or "",
        signing_secret=secret("SLACK_SIGNING_SECRET") or "",
        api_url=os.environ.get("SLACK_API_URL"),
        team_id=os.environ.get("SLACK_TEAM_ID"),
        allowed_channels=frozenset(channels.split(",")) if channels else None,
    )
    app = build_app(
        service, settings, FeedbackStore(state), estate.moment(), service.investigate_now, process_before_response=True
    )
    return SlackRequestHandler(app)


def slack_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return slack_request_handler().handle(event, context)
