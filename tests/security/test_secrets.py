"""Secrets are masked at the one boundary every output crosses, keeping line numbers and JSON intact."""

from __future__ import annotations

import json

import pytest

from oncall.core.redact import MASK, redact
from oncall.delivery.blocks import brief_blocks
from oncall.delivery.brief import to_json, to_markdown
from tests.security.conftest import first_turn_text, oncall, run

SECRETS = {
    "aws_secret_bare": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "stripe": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "gcp_private_key_id": '"private_key_id": "8f3e2b1a9c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"',
    "hex64_kv": "session=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "slack": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "github": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "sendgrid": "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",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
}
SECRET_PART = {k: v.split('"')[-2] if '"' in v else v.split("=")[-1] for k, v in SECRETS.items()}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_each_kind_is_masked(kind):
    out = redact(f"2026-11-17 worker failed with {SECRETS[kind]} while calling upstream")
    assert SECRET_PART[kind][6:] not in out and MASK in out


def test_a_private_key_without_end_masks_the_key_and_nothing_else():
    text = "line 1\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nabcdEFGH5678\nline 5 is prose\nline 6"
    out = redact(text).split("\n")
    assert len(out) == 6 and out[0] == "line 1" and out[4:] == ["line 5 is prose", "line 6"]
    assert all(x == MASK for x in out[1:4])


def test_secrets_in_logs_reach_no_output_and_no_model(demo_copy, analyst, tmp_path):
    with (demo_copy / "logs.jsonl").open("a") as f:
        for i, (kind, s) in enumerate(sorted(SECRETS.items())):
            for j in range(12):
                f.write(
                    json.dumps(
                        {
                            "ts": f"2026-11-17T03:3{j % 10}:{i:02d}Z",
                            "service": "api-gateway",
                            "pod": "p",
                            "level": "error",
                            "message": f"auth failure ({kind}) using {s}",
                        }
                    )
                    + "\n"
                )

    def answer(req):
        return {
            "summary": [],
            "root_cause": {
                "service": "api-gateway",
                "category": "unknown",
                "confidence": "LOW",
                "statement": "unknown",
                "cites": [],
            },
        }

    with analyst(answer) as (a, requests):
        inv = run(demo_copy, a)
    shown = to_markdown(inv) + to_json(inv) + json.dumps(brief_blocks(inv))
    sent = "".join(first_turn_text(r) for r in requests)
    for part in SECRET_PART.values():
        assert part[6:] not in shown and part[6:] not in sent
    json.loads(to_json(inv))


def test_alert_labels_and_annotations_are_masked_before_the_model_and_the_audit(tmp_path, analyst):
    from tests.conftest import DEMO

    alert = json.loads((DEMO / "alert.json").read_text())
    alert["alerts"][0]["annotations"]["description"] = f"key {SECRETS['stripe']}\n-----BEGIN PRIVATE KEY-----\nMIIE"
    alert["alerts"][0]["labels"]["token"] = SECRETS["github"]
    path = tmp_path / "alert.json"
    path.write_text(json.dumps(alert))
    with analyst(
        lambda req: {
            "summary": [],
            "root_cause": {
                "service": "api-gateway",
                "category": "unknown",
                "confidence": "LOW",
                "statement": "x",
                "cites": [],
            },
        }
    ) as (
        a,
        requests,
    ):
        from oncall.estate.bundle import Bundle
        from oncall.investigate import investigate

        b = Bundle.open(DEMO)
        inv = investigate(json.loads(path.read_text()), catalog=b.catalog, backends=b.backends(), analyst=a)
    sent = "".join(first_turn_text(r) for r in requests)
    for part in (SECRET_PART["stripe"][6:], SECRET_PART["github"][6:], "MIIE"):
        assert part not in sent and part not in to_json(inv)
    doc = json.loads(to_json(inv))  # still valid JSON with a private-key header in an annotation
    assert MASK in json.dumps(doc["investigation"]["alert"])
    p = oncall("investigate", "fixtures/demo", "--alert", path, "--format", "json", "--audit", tmp_path / "a.jsonl")
    assert p.returncode == 0 and json.loads(p.stdout)
    audit = (tmp_path / "a.jsonl").read_text()
    assert SECRET_PART["stripe"][6:] not in audit and SECRET_PART["github"][6:] not in audit


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_open_pr_refuses_a_diff_that_adds_a_secret(demo_copy, tmp_path, kind):
    from oncall.core.errors import ToolError
    from oncall.estate.bundle import Bundle
    from oncall.tools.open_pr import OpenPrInput, plan
    from oncall.tools.tool import ToolContext

    b = Bundle.open(demo_copy)
    requests = b.pull_requests(tmp_path / "w")
    path = b.catalog.services["api-gateway"].config_paths[0]
    text = (demo_copy / "repo" / path).read_text()
    old = text.splitlines()[0]
    args = OpenPrInput(service="api-gateway", path=path, old=old, new=f"{old}\n# {SECRETS[kind]}", reason="r")
    with pytest.raises(ToolError, match="secret"):
        plan(ToolContext(None, b.catalog, None), args, requests.policy, requests.backend, [])  # type: ignore[arg-type]


def test_the_pr_size_cap_counts_bytes(demo_copy, tmp_path):
    from oncall.core.errors import ToolError
    from oncall.estate.bundle import Bundle
    from oncall.tools.open_pr import OpenPrInput, plan
    from oncall.tools.tool import ToolContext

    b = Bundle.open(demo_copy)
    requests = b.pull_requests(tmp_path / "w")
    path = b.catalog.services["api-gateway"].config_paths[0]
    old = (demo_copy / "repo" / path).read_text().splitlines()[0]
    args = OpenPrInput(service="api-gateway", path=path, old=old, new=old + " # " + "x" * 100_000, reason="r")
    with pytest.raises(ToolError, match="bytes"):
        plan(ToolContext(None, b.catalog, None), args, requests.policy, requests.backend, [])  # type: ignore[arg-type]


def test_templates_keep_no_part_of_a_token(demo_copy):
    from oncall.analysts.offline.analyst import OfflineAnalyst

    with (demo_copy / "logs.jsonl").open("a") as f:
        for j in range(20):
            f.write(
                json.dumps(
                    {
                        "ts": f"2026-11-17T03:3{j % 10}:00Z",
                        "service": "api-gateway",
                        "pod": "p",
                        "level": "error",
                        "message": f"rejected {SECRETS['slack']} for call {j}",
                    }
                )
                + "\n"
            )
    inv = run(demo_copy, OfflineAnalyst())
    text = "\n".join(r.text for r in inv.results)
    assert "AbCdEfGh" not in text and "1234567890123" not in text
