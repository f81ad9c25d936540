"""What world 68's first contact taught (a Mexican pharmacy chain on Azure App Service and Functions, its logs a
KQL union of Application Insights' tables exported by the az CLI; written after world 67's rules and scored before
any rule saw it): 10 of 14 right on each of seeds 1-4. Its reasons: Application Insights numbers severity upward,
and a table's export writes every column on every row, an empty one saying nothing (an exception's text is its
outer message); an application's client secret past its end date is an expired credential; and a certificate a
caller verified and rejected is the other side's: a provider's, when the caller's other errors name the provider,
whose owners alone can renew it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.patterns import checked_their_cert, classify
from oncall.tools.read_logs.texts import blank_text
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    alertmanager,
    flat_then,
    investigated,
    iso,
    log,
    quiet_logs,
    read_logs_of,
    series,
    signals,
    write_bundle,
)

COLUMNS = ("Message", "ExceptionType", "OuterMessage", "Name", "ResultCode", "SeverityLevel")


def _row(t: datetime, role: str, kind: str, **values: str) -> dict:
    """A row of the az CLI's export of a union of Application Insights' tables: every column, strings."""
    return {"TimeGenerated": iso(t), "Type": kind, "AppRoleName": role, "AppRoleInstance": "pd1sdwk0A1B2C3D4E",
            **dict.fromkeys(COLUMNS, ""), **values, "TableName": "PrimaryResult"}  # fmt: skip


def test_application_insights_rows_are_read_on_its_own_scale_and_an_empty_column_says_nothing(
    tmp_path: Path,
) -> None:
    at = ALERT_AT - 8 * M
    rows = [_row(at - (40 - i) * M, s, "AppTraces", SeverityLevel="1", Message="order created") for i in range(40)
            for s in ("api", "db")]  # fmt: skip
    rows += [
        _row(at + i * M / 6, "api", "AppExceptions", SeverityLevel="3", ExceptionType="System.TimeoutException",
             OuterMessage="The operation has timed out calling db") for i in range(30)
    ]  # fmt: skip
    rows += [
        _row(at + i * M / 4, "api", "AppTraces", SeverityLevel="2", Message="db slow: retrying") for i in range(20)
    ]
    rows += [_row(at + i * M / 4, "api", "AppRequests", Name="POST /orders", ResultCode="503") for i in range(20)]
    reads = read_logs_of(tmp_path / "a", sorted(rows, key=lambda r: r["TimeGenerated"]))["api"]
    # 3 is an error on this scale (syslog's 3 too, but its 1 would be an alert and its 4 a warning), 2 a warning
    assert "ERROR" in reads and "The operation has timed out calling db: System.TimeoutException" in reads, reads
    assert "WARN 20x" in reads and "db slow: retrying" in reads, reads
    assert "status=503" in reads, reads  # a request's result code, its only words
    assert "order created" not in reads.split("error and warning templates")[1].split("other templates")[0]
    # any row of the export shows its empty columns, though the rows with their text elsewhere are rare
    assert blank_text([_row(at, "api", "AppRequests", Name="GET /", ResultCode="200")])
    assert not blank_text([{"ts": iso(at), "message": "", "level": "info"}])  # one empty text: nothing else


def test_an_application_s_client_secret_past_its_end_date_is_an_expired_credential() -> None:
    aadsts = (
        "AADSTS7000222: The provided client secret keys for app '5f1c2e90-7a41-4c1e-9d3b-0e8f6a2b7c11' are "
        "expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or "
        "consider using certificate credentials for added security: https://aka.ms/certCreds."
    )
    assert classify(aadsts) == "expired_credential"
    assert classify("AADSTS7000215: Invalid client secret provided.") == "expired_credential"
    assert classify("the client secret for the webhook is stored in vault") is None
    # advice to use certificate credentials is no certificate the logger checked
    assert not checked_their_cert(aadsts)
    assert checked_their_cert("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired")
    assert not checked_their_cert("SSL routines:ssl3_read_bytes:sslv3 alert certificate expired")


TLS = "httpx.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired"


def _certificate(tmp_path: Path, name: str, tls: str, url: str, also: str = "") -> tuple[str, str, str]:
    """pay (which calls the provider paybox, and its database) failing from eight minutes before the alert:
    `tls` naming no one, and now and then `url` about the same charges; shop, its caller, failing with it."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"shop": ["pay"], "pay": ["paybox", "db"], "paybox": [], "db": []},
        alert=alertmanager("PaymentsFailing", "pay"),
        logs=sorted(
            quiet_logs("shop", "pay", "db")
            + [log(at + i * M / 6, "pay", "error", tls) for i in range(40)]
            + [log(at + M + i * M / 6, "shop", "error", "payment failed: pay returned 502") for i in range(30)]
            + [log(at + i * M, "pay", "error", url) for i in range(6)]
            + [log(at + i * M, "pay", "error", also) for i in range(6) if also],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("error_ratio", "pay", flat_then(T0, END, 0.004, at, 0.85))
        + series("error_ratio", "shop", flat_then(T0, END, 0.004, at + M, 0.3))
        + series("error_ratio", "db", flat_then(T0, END, 0.001)),
        signals=signals("error_ratio"),
    )
    d = investigated(root).diagnosis
    return d.root_cause.service, d.root_cause.category, d.actions[0].kind if d.actions else ""


def test_a_certificate_a_caller_verified_and_rejected_is_the_provider_s_its_other_errors_name(
    tmp_path: Path,
) -> None:
    url = "charge 4f1a failed: POST https://api.paybox.mx/v1/charges could not connect"
    service, category, first = _certificate(tmp_path, "theirs", TLS, url)
    assert (service, first) == ("paybox", "escalate"), (service, category, first)
    # a service of ours, reached under our own domain: ours to renew
    internal = "charge 4f1a failed: POST https://paybox.acme.io/v1/charges could not connect"
    assert _certificate(tmp_path, "ours-too", TLS, internal)[::2] == ("paybox", "config_change")
    # the provider refused the certificate pay presented (a TLS alert pay received): pay's own to renew
    ours = "SSL routines:ssl3_read_bytes:sslv3 alert certificate expired"
    assert _certificate(tmp_path, "ours", ours, url)[::2] == ("pay", "config_change")
    # its other errors name two of its dependencies: nothing says which one's certificate it checked
    db = "saving charge 4f1a failed: db timed out"
    assert _certificate(tmp_path, "two", TLS, url, also=db)[0] != "paybox"
    # its other errors name no one: nothing says whose certificate it checked
    assert _certificate(tmp_path, "unnamed", TLS, "charge 4f1a failed: could not connect")[0] != "paybox"
