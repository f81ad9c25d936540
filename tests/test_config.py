"""The configuration file: validation that names what is wrong, secrets only from the
environment, `oncall check-config`, and investigations on configured backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oncall.cli import main
from oncall.core.errors import ConfigError
from oncall.estate.config import Config
from tests.conftest import DEMO
from tests.fake_opensearch import PASSWORD, USER, FakeOpenSearch, ecs_docs
from tests.net import free_port

SECRETS = {"OS_USER": USER, "OS_PASSWORD": PASSWORD, "ATL_USER": "sre@acme.example", "ATL_TOKEN": "atl-token"}


@pytest.fixture(scope="module")
def opensearch():
    fake = FakeOpenSearch(ecs_docs(str(DEMO / "logs.jsonl")))
    yield fake
    fake.close()


@pytest.fixture
def secrets_set(monkeypatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "oncall.yaml"
    path.write_text(text)
    return path


dead_port = free_port  # nothing listens there: a backend that is down


def stack(tmp_path: Path, opensearch, confluence, prometheus_url: str | None = None) -> Path:
    text = f"""
logs:
  backend: opensearch
  url: {opensearch.url}
  index: logs-demo
  username_env: OS_USER
  password_env: OS_PASSWORD
  sample_size: 10000
runbooks:
  backend: confluence
  url: {confluence.url}/wiki
  space: OPS
  cloud: true
  username_env: ATL_USER
  token_env: ATL_TOKEN
"""
    if prometheus_url:
        text += f"metrics:\n  backend: prometheus\n  url: {prometheus_url}\n  timeout_s: 1\n"
    return write(tmp_path, text)


def test_a_secret_in_the_file_is_refused_with_the_way_to_do_it(tmp_path: Path) -> None:
    path = write(tmp_path, "logs:\n  backend: opensearch\n  url: https://os:9200\n  password: hunter2\n")
    with pytest.raises(
        ConfigError, match=r"logs\.opensearch: .*password: secrets are not allowed in the file.*password_env"
    ):
        Config.load(path)
    path.write_text("metrics:\n  backend: prometheus\n  url: https://admin:hunter2@prom:9090\n")
    with pytest.raises(ConfigError, match=r"credentials in the URL are not allowed") as e:
        Config.load(path)
    assert "hunter2" not in str(e.value)


def test_invalid_sections_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"logs.*(tag|discriminator|opensearch)"):
        Config.load(write(tmp_path, "logs:\n  backend: splunk\n  url: https://x\n"))
    with pytest.raises(ConfigError, match=r"metrics\.prometheus\.url: Field required"):
        Config.load(write(tmp_path, "metrics:\n  backend: prometheus\n"))
    with pytest.raises(ConfigError, match=r"tracing: Extra inputs are not permitted"):
        Config.load(write(tmp_path, "tracing: {}\n"))
    with pytest.raises(ConfigError, match="not found"):
        Config.load(tmp_path / "missing.yaml")


def test_an_unset_secret_names_the_variable(
    tmp_path: Path, monkeypatch, capsys, opensearch, confluence, secrets_set
) -> None:
    path = stack(tmp_path, opensearch, confluence)
    monkeypatch.delenv("OS_PASSWORD")
    assert main(["investigate", str(DEMO), "--config", str(path)]) == 6
    assert "logs.password_env names the environment variable OS_PASSWORD, which is not set" in capsys.readouterr().err


def test_check_config_says_what_works_and_never_prints_secrets(
    tmp_path: Path, monkeypatch, capsys, opensearch, confluence, secrets_set
) -> None:
    path = stack(tmp_path, opensearch, confluence, prometheus_url=f"http://127.0.0.1:{dead_port()}")
    monkeypatch.setenv("ONCALL_CONFIG", str(path))
    code = main(["check-config", "--bundle", str(DEMO)])
    out = capsys.readouterr().out
    lines = {line.split()[1]: line for line in out.splitlines()}
    assert lines["logs"].startswith("ok") and "version 2.17.1; logs-demo holds" in lines["logs"]
    assert lines["runbooks"].startswith("ok") and "space OPS readable" in lines["runbooks"]
    assert lines["metrics"].startswith("FAIL") and "cannot connect" in lines["metrics"]
    assert code == 6
    for secret in (PASSWORD, "atl-token"):
        assert secret not in out


def test_investigation_on_configured_backends_finds_the_same_cause(
    tmp_path: Path, monkeypatch, capsys, opensearch, confluence, secrets_set
) -> None:
    path = stack(tmp_path, opensearch, confluence)
    audit = tmp_path / "audit.jsonl"
    assert main(["investigate", str(DEMO), "--format", "json", "--audit", str(tmp_path / "a0.jsonl")]) == 0
    embedded = json.loads(capsys.readouterr().out)
    assert main(["investigate", str(DEMO), "--config", str(path), "--format", "json", "--audit", str(audit)]) == 0
    out = capsys.readouterr().out
    configured = json.loads(out)
    assert configured["root_cause"]["statement"] == embedded["root_cause"]["statement"]
    assert configured["root_cause"]["confidence"] == embedded["root_cause"]["confidence"] == "HIGH"
    sources = configured["investigation"]["sources"]
    logs = [r for r in sources if r["tool"] == "read_logs"]
    assert logs and all("(logs-demo)" in r["text"].splitlines()[0] for r in logs)
    pages = [r for r in sources if r["tool"] == "read_runbook" and r["ok"]]
    assert pages and "https://acme.atlassian.net/wiki/spaces/OPS/pages/4002" in pages[0]["text"]
    assert configured["runbook"] and configured["runbook"][0]["page"] == "api-gateway latency (APIHighLatencyP99)"
    for secret in (PASSWORD, "atl-token"):
        assert secret not in out and secret not in audit.read_text()


def test_without_a_bundle_every_tool_needs_a_backend(
    tmp_path: Path, monkeypatch, capsys, opensearch, confluence, secrets_set
) -> None:
    path = stack(tmp_path, opensearch, confluence)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text((DEMO / "catalog.yaml").read_text())
    path.write_text(path.read_text() + "catalog: catalog.yaml\n")
    code = main(["investigate", "--config", str(path), "--alert", str(DEMO / "alert.json")])
    assert code == 6
    assert "no backend configured for metrics, changes, history and no bundle" in capsys.readouterr().err


def test_serve_workers_build_the_configured_backends(tmp_path: Path, opensearch, confluence) -> None:
    from oncall.estate.env import Environment
    from oncall.serving.webhook import WorkerSpec, build_service
    from oncall.tools.read_logs.opensearch import OpenSearchLogs
    from oncall.tools.read_runbook.confluence import ConfluenceRunbooks

    path = stack(tmp_path, opensearch, confluence)
    service = build_service(
        WorkerSpec(bundle=DEMO, state=tmp_path / "state", config=path), Environment(secrets=SECRETS)
    )
    assert isinstance(service.backends.logs, OpenSearchLogs)
    assert isinstance(service.backends.runbooks, ConfluenceRunbooks)
    assert type(service.backends.metrics).__name__ == "OpenMetricsFile"  # not configured: the bundle's


def test_the_documented_example_configuration_is_valid() -> None:
    from tests.conftest import ROOT

    config = Config.load(ROOT / "fixtures" / "oncall.example.yaml")
    assert set(config.sections()) == {"logs", "metrics", "runbooks", "history", "changes", "pull_requests", "config"}
    catalog = config.load_catalog(None)
    assert "api-gateway" in catalog.services and "histogram_quantile" in catalog.signals["latency_p99"]


def test_settings_a_backend_refuses_are_a_configuration_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("DBX", "dapi-x")
    path = write(
        tmp_path,
        "history:\n  backend: databricks\n  url: https://adb-1.azuredatabricks.net\n  http_path: /sql/1.0/w/a\n"
        "  token_env: DBX\n  table: 'incidents; DROP TABLE x'\n",
    )
    assert main(["investigate", str(DEMO), "--config", str(path)]) == 6
    assert "history: history table 'incidents; DROP TABLE x' is not a plain" in capsys.readouterr().err


def test_check_config_with_github_and_databricks_unreachable_is_one_line_each(tmp_path: Path, monkeypatch, capsys):
    port = dead_port()
    path = write(
        tmp_path,
        f"""
history:
  backend: databricks
  url: https://127.0.0.1:{port}
  http_path: /sql/1.0/warehouses/x
  token_env: DBX_TOKEN
  timeout_s: 1
pull_requests:
  backend: github
  url: http://127.0.0.1:{port}
  upstream: acme/platform-config
  fork: oncall-bot/platform-config
  token_env: GH_TOKEN
  timeout_s: 1
""",
    )
    monkeypatch.setenv("DBX_TOKEN", "dapi-not-a-real-token")
    monkeypatch.setenv("GH_TOKEN", "ghp_notarealtokennotarealtokennotarealtok")
    code = main(["check-config", "--config", str(path), "--bundle", str(DEMO)])
    captured = capsys.readouterr()
    lines = {line.split()[1]: line for line in captured.out.splitlines()}
    assert code == 6 and "Traceback" not in captured.out + captured.err
    assert lines["history"].startswith("FAIL") and lines["pull_requests"].startswith("FAIL")
