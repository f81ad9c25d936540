"""What world 29's first contact taught (a mobile operator's platform on OpenShift, bundled the plain
DESIGN.md way by a forwarder that copies each program's own time into `ts`, log4j2's ISO8601 with a comma
and no zone among them; written after world 28's rules and scored before any rule saw it): ten of
fourteen right on each seed, no wrong HIGH. Its lessons: log4j's comma was not read as a time (the
self-care service's lines were all unreadable); a login refused for its password (Kannel's "Invalid
Password", Oracle's ORA-01017 and ORA-28000) was not a credential; the SMS centre refusing it was blamed
for the calls it refused; a minute of errors over ten minutes before the alert was taken as lasting;
and a secret's digits in a change the analyst quoted failed grounding, though the brief masks them."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.analysts.offline.patterns import classify
from oncall.core.diagnosis import Diagnosis
from oncall.core.results import ToolResult
from oncall.grounding import check_claim
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    iso,
    log,
    quiet_logs,
    series,
    write_bundle,
)


def _log4j(record: dict) -> dict:
    """The record with its time as log4j2's ISO8601 writes it: a comma before the milliseconds, no zone."""
    return {**record, "ts": record["ts"].replace("Z", "").replace(".", ",") if "." in record["ts"] else
            record["ts"].replace("Z", ",000")}  # fmt: skip


@pytest.mark.parametrize(
    "words",
    [
        "SMPP[smsc1]: SMSC rejected login to transmit, code 0x0000000e (Invalid Password).",
        "java.sql.SQLException: ORA-01017: invalid username/password; logon denied",
        "java.sql.SQLException: ORA-28000: The account is locked.",
        "LDAP bind refused for cn=svc-portal",
    ],
)
def test_a_login_refused_for_its_password_is_a_credential(words: str) -> None:
    assert classify(words) == "expired_credential"


def test_times_written_with_a_comma_are_read(tmp_path: Path) -> None:
    """selfcare writes log4j2's ISO8601 times; from AT it fails every request, and says why."""
    at = ALERT_AT - 8 * M
    logs = [_log4j(r) for r in quiet_logs("selfcare", "db")]
    logs += [_log4j(log(at + i * 10 * S, "selfcare", "error", "Request failed: java.sql.SQLException: ORA-28000: "
                        "The account is locked.")) for i in range(40)]  # fmt: skip
    assert logs[-1]["ts"].count(",") == 1 and not logs[-1]["ts"].endswith("Z")
    metrics = series("error_ratio", "selfcare", flat_then(T0, END, 0.002, at, 0.9))
    metrics += series("error_ratio", "db", flat_then(T0, END, 0.001))
    root = write_bundle(
        tmp_path / "b",
        services={"selfcare": ["db"], "db": []},
        alert=alertmanager("SelfcareErrors", "selfcare"),
        logs=logs,
        metric_lines=metrics,
    )
    inv = investigated(root)
    d = inv.diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("selfcare", "expired_credential")
    assert not any("unreadable" in m or "no time" in m for m in d.missing_evidence)


def _refused_by_provider(tmp_path: Path) -> Diagnosis:
    """gw binds to provider (outside: no telemetry of its own); from AT the provider refuses gw's
    password, and gw logs both the refusal and that it cannot connect."""
    at = ALERT_AT - 8 * M
    logs = quiet_logs("gw")
    logs += [log(at + i * 10 * S, "gw", "error", "SMPP[provider1]: provider rejected login to transmit (Invalid "
                 "Password).") for i in range(40)]  # fmt: skip
    logs += [log(at + 5 * S + i * 10 * S, "gw", "error", "SMPP[provider1]: Couldn't connect to provider (retrying "
                 "in 10 seconds).") for i in range(40)]  # fmt: skip
    metrics = series("error_ratio", "gw", flat_then(T0, END, 0.002, at, 0.9))
    root = write_bundle(
        tmp_path / "b",
        services={"gw": ["provider"], "provider": []},
        alert=alertmanager("SmsQueueGrowing", "gw"),
        logs=logs,
        metric_lines=metrics,
    )
    return investigated(root).diagnosis


def test_a_provider_refusing_the_callers_password_is_up_and_the_credential_is_the_callers(tmp_path: Path) -> None:
    d = _refused_by_provider(tmp_path)
    assert (d.root_cause.service, d.root_cause.category) == ("gw", "expired_credential")


def _blip(tmp_path: Path, *, lasting: bool) -> Diagnosis:
    """selfcare's sessions were cut for a minute, twelve minutes before the alert fired, and nothing else
    moved. `lasting`: the errors went on until the alert."""
    at = ALERT_AT - 12 * M
    n = 70 if lasting else 10
    logs = quiet_logs("selfcare", "db")
    logs += [log(at + i * 6 * S, "selfcare", "error", "java.sql.SQLRecoverableException: ORA-03113: end-of-file on "
                 "communication channel") for i in range(n * 2)]  # fmt: skip
    metrics = series("error_ratio", "selfcare", flat_then(T0, END, 0.002))
    metrics += series("error_ratio", "db", flat_then(T0, END, 0.001))
    root = write_bundle(
        tmp_path / "b",
        services={"selfcare": ["db"], "db": []},
        alert=alertmanager("DbConnectionErrors", "selfcare"),
        logs=logs,
        metric_lines=metrics,
    )
    return investigated(root).diagnosis


def test_errors_over_well_before_the_alert_with_nothing_lasting_were_a_blip(tmp_path: Path) -> None:
    d = _blip(tmp_path, lasting=False)
    assert (d.root_cause.service, d.root_cause.category) == ("selfcare", "no_incident")
    assert d.root_cause.confidence != "HIGH"


def test_errors_still_going_at_the_alert_are_not_dismissed(tmp_path: Path) -> None:
    assert _blip(tmp_path, lasting=True).root_cause.category != "no_incident"


def test_a_secrets_digits_masked_in_the_output_are_not_a_claim_it_must_carry() -> None:
    """The change's text as a tool result shows it (masked); the analyst's claim quotes the change whole."""
    changes = ToolResult(
        id="R1",
        tool="read_changes",
        input={},
        ok=True,
        text=f"changes: 1\nsecret selfcare BSS_DB_PASSWORD: [REDACTED] -> BSS_DB_PASSWORD: [REDACTED] at {iso(ALERT_AT)}",
    )
    claim = f"secret selfcare BSS_DB_PASSWORD: vault:v41 -> BSS_DB_PASSWORD: vault:v42 at {iso(ALERT_AT)}"
    assert check_claim([claim], ["R1:L2"], {"R1": changes}) == []
    # a number that is not a secret's must still appear
    assert check_claim([claim + " (3 retries)"], ["R1:L2"], {"R1": changes}) == ["number 3 does not appear in R1:L2"]
