"""AWS Lambda entry point: EventBridge events ("CloudWatch Alarm State Change", and
Alertmanager alerts forwarded as custom events) become one investigation per alert,
at most once (idempotency keyed on fingerprint and start time, stored in DynamoDB),
and a brief in Slack. An OK or resolved event updates the alert's existing thread.

Importing this module is cheap: everything heavy is built on the first invocation
(`runtime()`), from the environment, read once here, and reused while the container lives."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncall.estate.env import Environment

if TYPE_CHECKING:
    from oncall.core.alert import Alert
    from oncall.core.investigation import Investigation
    from oncall.delivery.slack import SlackChannel
    from oncall.estate.estate import Estate

ALERTMANAGER_DETAIL_TYPE = "Alertmanager Alert"
THREAD_TTL_S = 14 * 24 * 3600


@dataclass
class Runtime:
    env: Environment
    logger: Any
    estate: Estate
    table: Any  # boto3 DynamoDB Table: idempotency records and alert threads
    slack: SlackChannel | None  # None when Slack is not configured
    investigate_once: Any = None  # the idempotent investigation
    config: Any = None  # its IdempotencyConfig, told each invocation's remaining time

    def deliver(self, inv: Investigation) -> dict[str, Any]:
        if self.slack is None or not self.slack.channel:
            self.logger.warning("SLACK_BOT_TOKEN or SLACK_CHANNEL not set: brief not delivered", extra={"id": inv.id})
            return {"to": "log"}
        return self.slack.deliver(inv)

    def thread_key(self, alert: Alert) -> str:
        return f"thread#{alert.fingerprint}|{alert.starts_at.isoformat()}"

    def resolve(self, alert: Alert) -> dict[str, Any]:
        item = self.table.get_item(Key={"id": self.thread_key(alert)}).get("Item")
        if not item:
            self.logger.info("resolved alert was never investigated here", extra={"alert": alert.alertname})
            return {"status": "resolved", "thread": None}
        if self.slack is not None:
            self.slack.say(
                f"Resolved: {alert.alertname} on {alert.service or '?'} is OK again.",
                channel=item["channel"],
                thread_ts=item["ts"],
            )
        return {"status": "resolved", "thread": item["ts"]}


@cache
def runtime() -> Runtime:
    """Built once per container: the entry point, where the environment is read."""
    import boto3
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from oncall.delivery.slack import SlackChannel, SlackSettings

    env = with_secrets(Environment.read())
    if not env.idempotency_table:
        raise RuntimeError("IDEMPOTENCY_TABLE is not set")
    slack = SlackSettings.from_env(env)
    rt = Runtime(
        env=env,
        logger=Logger(service="oncall-copilot"),
        estate=lambda_estate(env),
        table=boto3.resource("dynamodb").Table(env.idempotency_table),
        slack=SlackChannel.connect(slack) if slack else None,
    )

    def investigate_alert(alert: dict[str, Any]) -> dict[str, Any]:
        from oncall.analysts import make_analyst
        from oncall.core.alert import Alert
        from oncall.delivery.audit import investigation_record
        from oncall.investigate import investigate

        a = Alert.model_validate(alert)
        inv = investigate(
            a,
            catalog=rt.estate.catalog,
            backends=rt.estate.backends,
            analyst=make_analyst(env.model, env=env),
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
        persistence_store=DynamoDBPersistenceLayer(table_name=env.idempotency_table),
        config=config,
    )
    return rt


def lambda_estate(env: Environment) -> Estate:
    """The bundle in the package (ONCALL_BUNDLE), with the backends ONCALL_CONFIG configures over it."""
    from oncall.estate.estate import open_estate

    return open_estate(env.bundle or Path("fixtures/demo"), env.config, env.secrets)


def with_secrets(env: Environment) -> Environment:
    """Slack's secrets from the environment, or from the SSM SecureString named by NAME_PARAMETER."""
    from dataclasses import replace

    def secret(name: str, given: str | None) -> str | None:
        parameter = env.secrets.get(f"{name}_PARAMETER")
        if given or not parameter:
            return given
        import boto3

        return str(boto3.client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"])

    return replace(
        env,
        slack_bot_token=secret("SLACK_BOT_TOKEN", env.slack_bot_token),
        slack_signing_secret=secret("SLACK_SIGNING_SECRET", env.slack_signing_secret),
    )


def alerts_of(event: dict[str, Any], rt: Runtime) -> list[Alert]:
    """The alerts an event carries, through the one intake. The EventBridge envelope is validated
    with powertools' model first."""
    from oncall.intake import alerts

    catalog = rt.estate.catalog
    if "alarmData" in event:  # a CloudWatch alarm action invoking the function directly
        return alerts(event, catalog)
    from aws_lambda_powertools.utilities.parser import parse as parse_envelope
    from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
    from pydantic import ValidationError

    try:
        envelope = parse_envelope(event=event, model=EventBridgeModel)
    except ValidationError as e:
        raise ValueError(f"not an EventBridge event: {e.errors()[0]['loc']} {e.errors()[0]['msg']}") from None
    if envelope.detail_type == ALERTMANAGER_DETAIL_TYPE:
        return alerts(envelope.detail, catalog)
    return alerts(event, catalog)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    rt = runtime()
    if context is not None:
        rt.config.register_lambda_context(context)  # an in-progress record expires with the invocation
    out = []
    for alert in alerts_of(event, rt):
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
    from slack_bolt.adapter.aws_lambda import SlackRequestHandler

    from oncall.analysts import make_analyst
    from oncall.delivery.audit import AuditLog
    from oncall.delivery.feedback import FeedbackStore
    from oncall.delivery.slack import SlackSettings
    from oncall.investigate import investigate
    from oncall.serving.slack_app import build_app

    env = with_secrets(Environment.read())
    estate = lambda_estate(env)
    state = env.state or Path("/tmp/oncall-copilot")

    class LambdaService:
        catalog = estate.catalog
        audit = AuditLog(state / "audit.jsonl")

        def investigate_now(self, alert: Alert, on_stage: Any = None, open_pr: bool = False) -> Investigation:
            return investigate(
                alert,
                catalog=estate.catalog,
                backends=estate.backends,
                analyst=make_analyst(env.model, env=env),
                on_stage=on_stage,
            )

    service = LambdaService()
    settings = SlackSettings(
        bot_token=env.slack_bot_token or "",
        signing_secret=env.slack_signing_secret or "",
        api_url=env.slack_api_url,
        allowed_channels=env.slack_channels,
        team_id=env.slack_team_id,
    )
    app = build_app(
        service, settings, FeedbackStore(state), estate.moment(), service.investigate_now, process_before_response=True
    )
    return SlackRequestHandler(app)


def slack_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(slack_request_handler().handle(event, context))
