"""What a platform team deploys: the Slack app manifest, the Kubernetes base, the container image
recipe. Each is checked against the code it describes, so neither can drift from the other."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
# the Web API methods the code calls, and the bot scope each needs (views_open needs a trigger, no scope)
SCOPE_OF = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "views_open": None,
    "files_upload_v2": "files:write",
}


def _code(*parts: str) -> str:
    return "\n".join((ROOT / "oncall" / p).read_text() for p in parts)


def test_the_slack_manifest_asks_for_exactly_what_the_app_registers_and_calls():
    manifest = yaml.safe_load((DEPLOY / "slack" / "manifest.yaml").read_text())
    code = _code("serving/slack_app.py", "delivery/slack.py")
    commands = set(re.findall(r'app\.command\("([^"]+)"\)', code))
    shortcuts = set(re.findall(r'app\.shortcut\("([^"]+)"\)', code))
    events = set(re.findall(r'app\.event\("([^"]+)"\)', code))
    methods = set(re.findall(r"\bclient\.(chat_\w+|views_\w+|reactions_\w+|conversations_\w+|files_\w+)\(", code))
    assert commands == {c["command"] for c in manifest["features"]["slash_commands"]}
    assert shortcuts == {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert events == set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert methods <= set(SCOPE_OF), f"a Web API method with no known scope: {methods - set(SCOPE_OF)}"
    needed = {SCOPE_OF[m] for m in methods} - {None}
    needed |= {"commands"} if commands or shortcuts else set()
    needed |= {"app_mentions:read"} if "app_mention" in events else set()
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed  # no more, no less
    route = "/slack/events"
    assert route in (ROOT / "oncall" / "serving" / "webhook.py").read_text()
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    assert all(u.endswith(route) for u in urls)


def _kubectl() -> str:
    import os
    import shutil

    import pytest

    found = shutil.which("kubectl")
    if not found:
        if os.environ.get("REQUIRE_INTEGRATION") == "1":
            pytest.fail("kubectl not found (Debian: apt-get install kubernetes-client)")
        pytest.skip("kubectl not installed")
    return found


def test_the_kubernetes_base_renders_validates_and_runs_serve_with_the_documented_settings(tmp_path):
    import subprocess

    import kubernetes_validate

    from oncall.estate.config import Config

    out = subprocess.run([_kubectl(), "kustomize", str(DEPLOY / "k8s")], capture_output=True, text=True, check=True)
    objects = [o for o in yaml.safe_load_all(out.stdout) if o]
    kinds = {o["kind"] for o in objects}
    assert kinds == {
        "ServiceAccount",
        "ConfigMap",
        "PersistentVolumeClaim",
        "Deployment",
        "Service",
        "NetworkPolicy",
        "ClusterRole",
        "ClusterRoleBinding",
    }
    (role,) = [o for o in objects if o["kind"] == "ClusterRole"]  # read_k8s reads; it never writes
    assert {v for rule in role["rules"] for v in rule["verbs"]} == {"get", "list", "watch"}
    assert {r for rule in role["rules"] for r in rule["resources"]} <= {"events", "pods", "deployments", "replicasets"}
    for o in objects:  # every object against the Kubernetes schemas, unknown fields refused
        kubernetes_validate.validate(o, "1.30.0", strict=True)
    (deploy,) = [o for o in objects if o["kind"] == "Deployment"]
    pod = deploy["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    assert c["args"][0] == "serve" and "--config" in c["args"] and "--state" in c["args"]
    assert c["readinessProbe"]["httpGet"]["path"] == c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert pod["securityContext"]["runAsNonRoot"] and not c["securityContext"]["allowPrivilegeEscalation"]
    assert c["resources"]["requests"] and c["securityContext"]["readOnlyRootFilesystem"]
    read = (ROOT / "oncall" / "estate" / "env.py").read_text()
    names = [e["name"] for e in c["env"]]
    assert "ONCALL_WEBHOOK_TOKEN" in names and all(f'"{n}"' in read for n in names), names  # names the code reads
    (cm,) = [o for o in objects if o["kind"] == "ConfigMap"]
    for name, text in cm["data"].items():
        (tmp_path / name).write_text(text)
    mount = next(m for m in c["volumeMounts"] if m["name"] == "config")["mountPath"]
    config = Config.load(tmp_path / Path(c["args"][c["args"].index("--config") + 1]).name)
    config.load_catalog(None)  # the configuration the pod reads is valid, and its catalog is beside it
    assert config.k8s is not None and config.k8s.url == ""  # in-cluster: the service account's token
    assert c["args"][c["args"].index("--config") + 1].startswith(mount)


def test_the_image_recipe_is_multi_stage_non_root_pinned_hashed_and_runs_serve():
    """No Docker engine runs here, so the Dockerfile is read as the builder would read it."""
    from dockerfile_parse import DockerfileParser

    df = DockerfileParser(path=str(ROOT / "Dockerfile"))
    steps = [(i["instruction"], i["value"]) for i in df.structure]
    froms = [v for k, v in steps if k == "FROM"]
    assert len(froms) == 2 and froms[0].endswith(" AS build")  # multi-stage
    base = next(v for k, v in steps if k == "ARG" and v.startswith("PYTHON_IMAGE="))
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base)  # a full version
    runs = " ".join(v for k, v in steps if k == "RUN")
    assert "--require-hashes -r requirements/image.lock" in runs
    users = [v for k, v in steps if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    final = steps[[i for i, (k, _) in enumerate(steps) if k == "FROM"][-1] :]
    assert any(k == "HEALTHCHECK" and "/healthz" in v for k, v in final)
    cmd = json.loads(next(v for k, v in final if k == "CMD"))
    assert json.loads(next(v for k, v in final if k == "ENTRYPOINT")) == ["oncall"] and cmd[0] == "serve"
    env_doc = (ROOT / "Dockerfile").read_text()
    read = (ROOT / "oncall" / "estate" / "env.py").read_text()
    for name in re.findall(r"\b(ONCALL_[A-Z_]+|SLACK_[A-Z_]+|ANTHROPIC_API_KEY)\b", env_doc):
        assert f'"{name}"' in read, f"the Dockerfile documents {name}, which the code does not read"
    # every package line of the image lock is pinned and hashed
    lock = (ROOT / "requirements" / "image.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n    --hash=sha256:[0-9a-f]{64}$", lock, re.M)
    assert len(pins) == len([ln for ln in lock.splitlines() if ln and not ln.startswith(("#", " "))]) > 50


def test_the_configuration_reference_is_current_and_lists_every_variable_read():
    """docs/configuration.md is generated from the settings models; `make docs` after a change."""
    from oncall.estate import env
    from oncall.estate.reference import render

    assert (ROOT / "docs" / "configuration.md").read_text() == render(), "run `make docs`"
    source = "\n".join((ROOT / "oncall" / p).read_text() for p in ("estate/env.py", "serving/lambda_handler.py"))
    read = set(re.findall(r'(?:env|raw)\.get\("([A-Z][A-Z0-9_]+)"\)', source))
    read |= set(re.findall(r'path\("([A-Z][A-Z0-9_]+)"\)', source))
    assert read == set(env.VARIABLES), read ^ set(env.VARIABLES)
