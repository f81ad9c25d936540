"""What world 38's first contact taught (a sports-betting platform on Kubernetes whose collector kept the
lines' terminal colours; written after world 37's rules and scored before any rule saw it): twelve of
fourteen right on each seed, no wrong HIGH. The colours hid levels: zap's console level arrived as
`ESC[31mERROR ESC[0m` and read as information, and the escapes reached the tool output shown on a terminal.
And an API key its vendor revoked read as the vendor's failure, not as our credential. A terminal's colour
codes say how a word looked, not what it says; nothing read may act on the terminal or chat it is shown on;
a key or token its issuer revoked is a credential no longer valid."""

from __future__ import annotations

from pathlib import Path

from oncall.analysts.offline.patterns import classify
from oncall.core.redact import contains_secret, redact
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    log,
    quiet_logs,
    read_logs_of,
    series,
    write_bundle,
)

ESC = "\x1b"


def test_a_level_painted_in_terminal_colours_is_read_as_the_level_it_names(tmp_path: Path) -> None:
    red, off = f"{ESC}[31m", f"{ESC}[0m"
    lines = [log(ALERT_AT - i * M, "api", f"{red}ERROR{off}", f"{red}ERROR{off}\todds lookup failed") for i in (1, 2)]
    lines += [log(ALERT_AT - 3 * M, "api", f"{ESC}[32mINFO{off}", "bet placed")]
    lines += [
        {**log(ALERT_AT - 4 * M, "db", "", ""), "message": f"{red}12:41:12.123 [error] write failed{off}"},
        {**log(ALERT_AT - 4 * M, "db", "", ""), "message": f"{ESC}[33m12:41:13.001 [warning] slow write{off}"},
    ]
    text = read_logs_of(tmp_path, lines)
    assert "3 lines in window (2 ERROR, 1 INFO)" in text["api"]
    assert "2 lines in window (1 ERROR, 1 WARN)" in text["db"] or "2 lines in window (1 WARN, 1 ERROR)" in text["db"]
    assert "[<*>m" not in text["api"] and ESC not in text["api"]  # the templates are of the words


def test_nothing_read_reaches_a_terminal_as_a_control_sequence(tmp_path: Path) -> None:
    planted = f"disk full{ESC}]0;pwned{chr(7)}{ESC}[2J{ESC}[1A\rOK all clear"
    root = write_bundle(
        tmp_path / "b",
        services={"api": []},
        alert=alertmanager("HighErrorRate", "api", summary=f"errors {ESC}[31mhigh{ESC}[0m"),
        logs=quiet_logs("api") + [log(ALERT_AT - 5 * M + i * 10 * S, "api", "error", planted) for i in range(20)],
        metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.001, ALERT_AT - 5 * M, 0.3)),
    )
    inv = investigated(root)
    outputs = [r.text or "" for r in inv.results] + [inv.diagnosis.model_dump_json()]
    assert not any(ESC in o or "\r" in o or chr(7) in o for o in outputs)
    assert any("disk full" in o for o in outputs)  # the words stay


def test_plain_text_and_line_endings_pass_the_boundary_unchanged() -> None:
    text = "a\tb\r\nc\nd"
    assert redact(text) == text
    assert not contains_secret(f"{ESC}[31mERROR{ESC}[0m")  # a colour is not a secret
    assert redact(f"x {ESC}[31mERROR{ESC}[0m y\rz") == "x ERROR yz"


def test_a_key_or_token_its_issuer_revoked_is_a_credential_no_longer_valid() -> None:
    assert classify('401 from the kyc vendor: {"message": "This API key has been revoked"}') == "expired_credential"
    assert classify("refresh failed: the token was revoked") == "expired_credential"
    assert classify("revoked 12 stale sessions") is None  # housekeeping, not a refusal


def test_the_caller_whose_key_was_revoked_is_the_cause_not_the_vendor(tmp_path: Path) -> None:
    at = ALERT_AT - 6 * M
    refused = "identity check failed: 401 from the kyc vendor: This API key has been revoked"
    root = write_bundle(
        tmp_path / "b",
        services={"signup": ["kyc", "db"], "kyc": [], "db": []},
        alert=alertmanager("SignupsFailing", "signup"),
        logs=quiet_logs("signup", "db") + [log(at + i * 15 * S, "signup", "error", refused) for i in range(20)],
        metric_lines=series("error_ratio", "signup", flat_then(T0, END, 0.003, at, 0.95))
        + series("error_ratio", "db", flat_then(T0, END, 0.001)),
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("signup", "expired_credential")
