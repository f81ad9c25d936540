"""What world 73's first contact taught (a Japanese ryokan booking platform on Oracle Cloud's OKE, its logs OCI
Logging's search results; written after world 72's rules and scored before any rule saw it): 13, 13, 13 and 12
of 14 right on seeds 1-4, no wrong HIGH, but no action in any brief about the rotated SendGrid key. Its reason:
an action says no more than what it cites, so a change whose line is masked for the secret it changed is
reverted by description, not by a reference the engineer is not shown."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    alertmanager,
    flat_then,
    investigated,
    log,
    quiet_logs,
    series,
    signals,
    write_bundle,
)


def _rotated(tmp_path: Path, ref: str) -> list:
    """mailer refused by its provider (403) two minutes after its API key was rotated, the change recorded with
    `ref`: the brief's actions."""
    at = ALERT_AT - 8 * M
    path = "charts/mailer/values.yaml"
    rotated = {
        "ts": (at - 2 * M).isoformat().replace("+00:00", "Z"), "service": "mailer", "kind": "secret",
        "from": "SENDGRID_API_KEY: SG.***f3k (full access)", "to": "SENDGRID_API_KEY: SG.***q8d (restricted)",
        "author": "security-team", "ref": ref,
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-SENDGRID_API_KEY: SG.***f3k (full access)\n"
        "+SENDGRID_API_KEY: SG.***q8d (restricted)\n",
    }  # fmt: skip
    root = write_bundle(
        tmp_path,
        services={"mailer": ["sendgrid"], "sendgrid": []},
        alert=alertmanager("MailerFailures", "mailer"),
        logs=sorted(
            quiet_logs("mailer")
            + [
                log(at + i * M / 6, "mailer", "error", "send failed: ResponseError: Forbidden (403)") for i in range(40)
            ],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("error_ratio", "mailer", flat_then(T0, END, 0.002, at, 0.9)),
        changes=[rotated],
        signals=signals("error_ratio"),
    )
    d = investigated(root).diagnosis
    assert d.root_cause.service == "mailer" and d.root_cause.category == "recent_change", d.root_cause
    return d.actions


def test_a_change_masked_for_its_secret_is_reverted_by_description(tmp_path: Path) -> None:
    # a deployment's reference that looks generated: the redaction boundary masks the line from the key on
    masked = _rotated(tmp_path / "masked", "ocid1.devopsdeployment.oc1.ap-osaka-1.amaaaaaa0ba5062c891f4cf")
    assert [a.kind for a in masked][:1] == ["rollback"] and "ocid1" not in masked[0].description, masked
    assert masked[0].command is None  # (no reference shown to revert by)
    # a reference the line shows is named, as before
    shown = _rotated(tmp_path / "shown", "PR-4121")
    assert shown[0].kind == "rollback" and "PR-4121" in shown[0].description, shown
