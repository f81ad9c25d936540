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

    env = cold_start_environment()
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
    """The backends ONCALL_CONFIG configures (over a bundle, when ONCALL_BUNDLE names one)."""
    from oncall.estate.estate import open_estate

    return open_estate(env.bundle, env.config, env.secrets)


CONFIG_DIR = Path("/tmp/oncall-config")
MAX_CONFIG_FILES = 50  # a configuration folder: the file, its catalog, a few runbooks; not a bucket


def cold_start_environment(environ: dict[str, str] | None = None) -> Environment:
    """The container's environment, read once: its variables; over them, the variables stored as one
    JSON object in the Secrets Manager secret ONCALL_SECRETS_ARN names; and the configuration folder
    ONCALL_CONFIG_S3 names (s3://bucket/prefix/, holding oncall.yaml and what it refers to) copied to
    /tmp, which becomes ONCALL_CONFIG. Nothing is taken from the package."""
    import json
    import os

    import boto3

    raw = dict(os.environ if environ is None else environ)
    if arn := raw.get("ONCALL_SECRETS_ARN"):
        value = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        stored = json.loads(value)
        if not isinstance(stored, dict):
            raise RuntimeError("the secret ONCALL_SECRETS_ARN names must be a JSON object of VARIABLE: value")
        raw.update({str(k): str(v) for k, v in stored.items()})
    if uri := raw.get("ONCALL_CONFIG_S3"):
        raw["ONCALL_CONFIG"] = str(fetch_config(uri, CONFIG_DIR) / "oncall.yaml")
    return Environment.read(raw)


def fetch_config(uri: str, into: Path) -> Path:
    """Copy s3://bucket/prefix/ to `into`; keys are data: none may leave the folder."""
    import boto3

    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise RuntimeError(f"ONCALL_CONFIG_S3 must be s3://bucket/prefix/, not {uri!r}")
    bucket, prefix = uri[5:].split("/", 1)
    prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    s3 = boto3.client("s3")
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for o in page.get("Contents", [])
    ]
    if len(keys) > MAX_CONFIG_FILES:
        raise RuntimeError(f"{uri} holds {len(keys)} objects; a configuration folder holds at most {MAX_CONFIG_FILES}")
    root = into.resolve()
    for key in keys:
        rel = key[len(prefix) :]
        target = (root / rel).resolve()
        if not rel or key.endswith("/") or root not in target.parents:
            continue  # a folder marker, or a key that would leave the folder
        target.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(target))
    if not (root / "oncall.yaml").exists():
        raise RuntimeError(f"{uri} has no oncall.yaml")
    return root


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

    env = cold_start_environment()
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
