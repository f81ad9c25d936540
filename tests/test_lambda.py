"""The Lambda entry point with moto's DynamoDB and a stand-in Slack API: real EventBridge
payloads, idempotency, resolved events updating the thread, and the SAM template."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO, ROOT
from tests.fake_slack import FakeSlack

pytest.importorskip("moto")
pytest.importorskip("aws_lambda_powertools")

TABLE = "oncall-idempotency-test"


class Context:
    """The part of the Lambda context powertools reads."""

    function_name = "oncall-copilot"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 290_000


CTX = Context()


@pytest.fixture
def aws(monkeypatch):
    import boto3
    from moto import mock_aws

    for k, v in {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "IDEMPOTENCY_TABLE": TABLE,
        "ONCALL_BUNDLE": str(DEMO),
        "SLACK_CHANNEL": "C0ONCALL",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        slack = FakeSlack()
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_API_URL", slack.url)
        from oncall.serving import lambda_handler

        lambda_handler.runtime.cache_clear()
        yield lambda_handler, slack
        lambda_handler.runtime.cache_clear()
        slack.close()


def eventbridge_alertmanager(payload: dict) -> dict:
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "Alertmanager Alert",
        "source": "alertmanager",
        "account": "123456789012",
        "time": "2026-11-17T03:41:05Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": payload,
    }


def test_alertmanager_event_investigated_once_and_posted(aws):
    handler, slack = aws
    event = eventbridge_alertmanager(json.loads((DEMO / "alert.json").read_text()))
    first = handler.handler(event, CTX)
    second = handler.handler(event, CTX)  # EventBridge delivered it twice
    assert first == second
    (result,) = first["results"]
    assert result["root_cause"]["service"] == "api-gateway" and result["root_cause"]["category"] == "recent_change"
    post, evidence = slack.posts()  # the brief in Block Kit, then the evidence in its thread: the one Slack channel
    assert post["channel"] == "C0ONCALL" and evidence["thread_ts"] == result["delivery"]["ts"]
    blocks = json.dumps(post["blocks"])
    assert "*Root cause* (HIGH confidence): *api-gateway*" in blocks and "Evidence" in json.dumps(evidence["blocks"])


def test_resolved_alert_updates_its_thread(aws):
    handler, slack = aws
    payload = json.loads((DEMO / "alert.json").read_text())
    fired = handler.handler(eventbridge_alertmanager(payload), CTX)["results"][0]
    payload["status"] = "resolved"
    payload["alerts"][0]["status"] = "resolved"
    payload["alerts"][0]["endsAt"] = "2026-11-17T04:20:00Z"
    resolved = handler.handler(eventbridge_alertmanager(payload), CTX)["results"][0]
    assert resolved["thread"] == fired["delivery"]["ts"]
    reply = slack.posts()[-1]
    assert reply["thread_ts"] == fired["delivery"]["ts"] and reply["text"].startswith("Resolved:")
    assert len(slack.posts()) == 3  # brief, its evidence, the resolution: no second investigation


@pytest.mark.parametrize("name", ["single_metric", "metric_math", "anomaly_detection"])
def test_cloudwatch_alarm_state_changes(aws, corpora, name):
    handler, slack = aws
    event = json.loads((corpora / "payloads" / f"cloudwatch_alarm_state_change_eventbridge_{name}.json").read_text())
    out = handler.handler(event, CTX)["results"][0]
    if event["detail"]["state"]["value"] == "ALARM":
        assert out["investigation"].startswith("inv-") and len(slack.posts()) == 2  # brief and its evidence thread
    else:
        assert out["status"] == "resolved"


@pytest.mark.parametrize("name", ["SingleMetric", "CompositeMetric"])
def test_alarm_action_invoking_the_function_directly(aws, corpora, name):
    handler, slack = aws
    event = json.loads(
        (corpora / "payloads" / f"powertools_lambda_alarm_action_cloudWatchAlarmEvent{name}.json").read_text()
    )
    out = handler.handler(event, CTX)["results"][0]
    if event["alarmData"]["state"]["value"] == "ALARM":
        assert out["investigation"].startswith("inv-") and len(slack.posts()) == 2  # brief and its evidence thread
    else:
        assert out["status"] == "resolved"


def test_not_an_event_is_a_clear_error(aws):
    handler, _ = aws
    with pytest.raises(ValueError, match="not an EventBridge event"):
        handler.handler({"hello": "world"}, CTX)


def test_cold_start_import_is_small():
    code = (
        "import sys, oncall.serving.lambda_handler; "
        "print(sorted(m for m in ('anthropic', 'duckdb', 'boto3', 'aws_lambda_powertools', 'slack_sdk', "
        "'pydantic') if m in sys.modules))"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip() == "[]", p.stderr


@pytest.mark.skipif(shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) is None, reason="needs cfn-lint")
def test_sam_template_passes_cfn_lint():
    p = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "template.yaml"], capture_output=True, text=True, cwd=ROOT
    )
    assert p.returncode == 0, p.stdout + p.stderr
    template = (ROOT / "template.yaml").read_text()
    assert "Handler: oncall.serving.lambda_handler.handler" in template
    assert "dynamodb:Scan" not in template and '"*"' not in template  # least privilege


def test_slack_on_lambda_acks_then_investigates_in_a_second_invocation(monkeypatch, corpora):
    """Bolt's Lambda adapter: the first invocation acks; the lazy listener runs when the function
    invokes itself asynchronously, which here is captured and replayed."""
    import hashlib
    import hmac
    import time
    from urllib.parse import parse_qs, urlencode

    from oncall.serving import lambda_handler

    slack = FakeSlack()
    secret = "lambda-signing-secret"
    for k, v in {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": slack.url,
        "ONCALL_BUNDLE": str(DEMO),
        "ONCALL_STATE": "/tmp/oncall-copilot-test-lambda-slack",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    lambda_handler.slack_request_handler.cache_clear()
    invoked: list[dict] = []

    class LambdaClient:
        def invoke(self, FunctionName: str, InvocationType: str, Payload: str) -> dict:
            assert InvocationType == "Event"
            invoked.append(json.loads(Payload))
            return {"StatusCode": 202}

    handler = lambda_handler.slack_request_handler()
    handler.app.listener_runner.lazy_listener_runner.lambda_client = LambdaClient()
    raw = (corpora / "payloads" / "slack_slash_command_body.form-urlencoded.txt").read_text().strip()
    fields = {k: v[0] for k, v in parse_qs(raw).items()}
    fields.update(command="/investigate", text="api-gateway latency")
    body = urlencode(fields)
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    event = {
        "version": "2.0",
        "rawPath": "/slack/events",
        "body": body,
        "isBase64Encoded": False,
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": sig,
        },
        "requestContext": {"http": {"method": "POST", "path": "/slack/events"}},
    }

    class LambdaContext:
        function_name = "oncall-copilot-slack"
        invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:oncall-copilot-slack"
        aws_request_id = "r1"

        def get_remaining_time_in_millis(self) -> int:
            return 25_000

    try:
        ack = lambda_handler.slack_handler(event, LambdaContext())
        assert ack["statusCode"] == 200 and "On it" in ack["body"]
        assert len(invoked) == 1 and slack.posts() == []  # nothing ran after the response
        lambda_handler.slack_handler(invoked[0], LambdaContext())
        update = next(a for m, a in slack.calls if m == "chat.update" and a.get("blocks"))
        assert "api-gateway" in json.dumps(update["blocks"])
    finally:
        lambda_handler.slack_request_handler.cache_clear()
        slack.close()


def test_cold_start_reads_its_secret_and_configuration_folder_and_nothing_from_the_package(tmp_path, monkeypatch):
    """The Lambda's settings: variables from one Secrets Manager secret, the configuration folder
    copied from S3 (a key that would leave the folder is not written), no bundle, no fixtures."""
    import json as _json

    import boto3
    from moto import mock_aws

    from oncall.serving import lambda_handler as lh

    monkeypatch.setattr(lh, "CONFIG_DIR", tmp_path / "config")
    for k, v in {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}.items():
        monkeypatch.setenv(k, v)
    names = ["OPENSEARCH_USER", "OPENSEARCH_PASSWORD", "PROMETHEUS_TOKEN", "CONFLUENCE_USER", "CONFLUENCE_TOKEN"]
    names += ["DATABRICKS_TOKEN", "ARGOCD_TOKEN", "GITHUB_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]
    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(
            Name="oncall", SecretString=_json.dumps({n: f"value-of-{n}" for n in names})
        )["ARN"]
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="acme-oncall", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        s3.put_object(
            Bucket="acme-oncall", Key="oncall/oncall.yaml", Body=(ROOT / "fixtures/oncall.example.yaml").read_bytes()
        )
        s3.put_object(Bucket="acme-oncall", Key="oncall/demo/catalog.yaml", Body=(DEMO / "catalog.yaml").read_bytes())
        s3.put_object(Bucket="acme-oncall", Key="oncall/../../escape.txt", Body=b"x")
        env = lh.cold_start_environment(
            {"ONCALL_SECRETS_ARN": arn, "ONCALL_CONFIG_S3": "s3://acme-oncall/oncall/", "IDEMPOTENCY_TABLE": "t"}
        )
        estate = lh.lambda_estate(env)
    assert env.slack_bot_token == "value-of-SLACK_BOT_TOKEN" and env.bundle is None
    assert env.config == (tmp_path / "config" / "oncall.yaml").resolve()
    from oncall.estate.bundle import Bundle

    assert set(estate.catalog.services) == set(Bundle.open(DEMO).catalog.services)
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()


def test_the_packaged_handler_runs_in_a_clean_interpreter(tmp_path):
    """`make package` contents, imported by an isolated interpreter that sees only the package and
    what the Lambda runtime provides (boto3 and its dependencies): the handler module loads and an
    alert is investigated to a grounded brief."""
    import subprocess

    pkg = tmp_path / "package"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--target",
            str(pkg),
            "-r",
            str(ROOT / "requirements/lambda.lock"),
        ],
        check=True,
        capture_output=True,
    )
    omit = " ".join(ln for ln in (ROOT / "requirements/lambda.omit").read_text().splitlines() if not ln.startswith("#"))
    for name in omit.split():  # as `make package` leaves them out
        for p in [pkg / name, *pkg.glob(f"{name}-*.dist-info")]:
            shutil.rmtree(p, ignore_errors=True)
    shutil.copytree(ROOT / "oncall", pkg / "oncall", ignore=shutil.ignore_patterns("__pycache__"))
    runtime = tmp_path / "runtime"  # stands in for the Lambda runtime's own boto3
    runtime.mkdir()
    import boto3
    import botocore
    import jmespath
    import s3transfer

    for mod in (boto3, botocore, s3transfer, jmespath):
        (runtime / Path(mod.__file__).parent.name).symlink_to(Path(mod.__file__).parent)
    code = f"""
import sys
sys.path[:] = [p for p in sys.path if 'site-packages' not in p] + [{str(pkg)!r}, {str(runtime)!r}]
import oncall.serving.lambda_handler as h
from oncall.estate.bundle import Bundle
from oncall.investigate import investigate
from oncall.analysts.offline.analyst import OfflineAnalyst
assert h.__file__.startswith({str(pkg)!r}), h.__file__
b = Bundle.open({str(DEMO)!r})
inv = investigate(b.alert_payload(), catalog=b.catalog, backends=b.backends(), analyst=OfflineAnalyst())
print(inv.diagnosis.root_cause.service, inv.diagnosis.root_cause.confidence)
"""
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["api-gateway", "HIGH"]
