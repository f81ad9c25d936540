"""What world 77's first contact taught (a Dutch insurer's claims portal on Windows Server VMs, its logs each
server's event log exported by Windows PowerShell 5.1; written after world 76's rules and scored before any rule
saw it): 4 of 14 right on each of seeds 1-4, every line skipped. Its reasons: .NET's JSON date is a time; the
event log's Level is its own scale and LevelDisplayName says it in words; a program's event source names the
service whose words it holds, a server's other events are the service's it runs, and a database server's own
source is the estate's database; ASP.NET Core's event log header is read past; WAS refusing an application
pool's identity is a credential gone bad; a verifier holding no key for the tokens its issuer signs after a
rollover holds stale keys (restart it, do not undo the rollover); a caller's unnamed failures whose failing
traces end in one dependency we cannot see are that dependency's; a store's own lines stating the refusal its
callers quote make it the one out of room, and room for a database's files is grown."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    series,
    signals,
    write_bundle,
)

_LEVELS = {"error": (2, "Error"), "warn": (3, "Warning"), "info": (4, "Information")}


def _event(t: datetime, provider: str, machine: str, level: str, message: str, words: bool = True) -> dict:
    """One event as `Get-WinEvent | Select-Object ... | ConvertTo-Json -Compress` writes it."""
    number, name = _LEVELS[level]
    record = {
        "TimeCreated": f"/Date({int(t.timestamp() * 1000)})/",
        "Id": 1000,
        "Level": number,
        "LevelDisplayName": name,
        "ProviderName": provider,
        "LogName": "Application",
        "MachineName": f"{machine}.contoso.local",
        "RecordId": 1,
        "Message": message,
    }
    if not words:
        del record["LevelDisplayName"]
    return record


def _exported(root: Path, events: list[dict]) -> None:
    """The bundle's logs rewritten as Out-File -Encoding utf8 leaves them: a byte-order mark, CRLF, newest first."""
    lines = [json.dumps(e, separators=(",", ":")).replace("'", "\\u0027") for e in reversed(events)]
    (root / "logs.jsonl").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")


def _read(tmp_path: Path, events: list[dict]) -> dict[str, str]:
    """read_logs' summary per service of an estate whose services no event names as the catalog does."""
    root = write_bundle(
        tmp_path / "b",
        services={
            "portal-web": ["claims-api"],
            "claims-api": ["claims-db", "postcode-api"],
            "claims-db": [],
            "postcode-api": [],
        },
        alert=alertmanager("ClaimsErrors", "claims-api"),
        logs=[],
        metric_lines=[],
    )
    _exported(root, events)
    return {r.input.get("service"): r.text or "" for r in investigated(root).results if r.tool == "read_logs"}


def _quiet(at: datetime, words: bool = True) -> list[dict]:
    """Each program's routine events, one every five minutes for the two hours before `at`."""
    return [
        _event(at - 120 * M + i * 5 * M, provider, machine, "info", said, words)
        for i in range(24)
        for provider, machine, said in (
            ("Contoso.Portal", "CONTOSO-WEB01", "Category: Contoso.Portal.Pages\r\nEventId: 0\r\n\r\nPage served"),
            ("Contoso.Claims.Api", "CONTOSO-APP01", "Claim registered"),
            ("MSSQLSERVER", "CONTOSO-SQL01", "Log was backed up."),
        )
    ]


def test_windows_events_exported_by_powershell_are_read_and_tied_to_the_services_they_are_of(tmp_path: Path) -> None:
    """Nothing names a service as the catalog does: the portal's events are Contoso.Portal's (only portal-web says
    portal), the claims API's Contoso.Claims.Api's, WAS's events on the claims API's server are that server's
    service's, SQL Server's are the one database's; each time is `/Date(ms)/`; the level is LevelDisplayName's
    word; ASP.NET Core's event log header is read past, so the message is the template."""
    at = ALERT_AT - 6 * M
    events = _quiet(at)
    refused = ("The identity of application pool ClaimsApi is invalid. The user name or password that is specified "
               "for the identity may be incorrect.")  # fmt: skip
    events += [_event(at + i * 20 * S, "Microsoft-Windows-WAS", "CONTOSO-APP01", "warn", refused) for i in range(6)]
    failed = "Category: Contoso.Portal.ClaimsClient\r\nEventId: 0\r\n\r\nSubmitting claim failed: 503"
    events += [_event(at + i * 10 * S, "Contoso.Portal", "CONTOSO-WEB01", "error", failed) for i in range(30)]
    full = "Could not allocate space for object 'x' in database 'tempdb' because the 'PRIMARY' filegroup is full."
    events += [_event(at + i * 30 * S, "MSSQLSERVER", "CONTOSO-SQL01", "error", full) for i in range(10)]
    text = _read(tmp_path, sorted(events, key=lambda e: e["TimeCreated"]))
    assert "6 WARN" in text["claims-api"] and "identity of application pool" in text["claims-api"], text["claims-api"]
    assert "30 ERROR" in text["portal-web"] and ": Submitting claim failed" in text["portal-web"], text["portal-web"]
    assert ": Category:" not in text["portal-web"], text["portal-web"]
    assert "10 ERROR" in text["claims-db"] and "filegroup is full" in text["claims-db"], text["claims-db"]


def test_the_event_log_s_numbered_level_is_read_on_its_own_scale(tmp_path: Path) -> None:
    """Without LevelDisplayName's words, Level 3 is a warning and 4 information (syslog's 3 is an error, its 4 a
    warning)."""
    at = ALERT_AT - 6 * M
    events = _quiet(at, words=False)
    events += [
        _event(at + i * 20 * S, "Contoso.Claims.Api", "CONTOSO-APP01", "warn", "Retrying", False) for i in range(6)
    ]
    text = _read(tmp_path, sorted(events, key=lambda e: e["TimeCreated"]))["claims-api"]
    assert "6 WARN" in text and "ERROR" not in text.split("\n")[1], text
    # selected without its Id, a record is still read by LevelDisplayName's words
    named = [{k: v for k, v in e.items() if k != "Id"} for e in _quiet(at)]
    named += [{k: v for k, v in _event(at + i * 20 * S, "Contoso.Claims.Api", "CONTOSO-APP01", "warn", "Retrying").items()
               if k != "Id"} for i in range(6)]  # fmt: skip
    text = _read(tmp_path / "named", sorted(named, key=lambda e: e["TimeCreated"]))["claims-api"]
    assert "6 WARN" in text and "ERROR" not in text.split("\n")[1], text


def test_a_name_names_the_service_whose_words_it_holds() -> None:
    from oncall.tools.read_logs.owners import named

    services = ["portal-web", "claims-api", "claims-worker", "claims-db", "postcode-api", "adfs"]
    assert named("Contoso.Claims.Api", services) == "claims-api"  # every word of one name
    assert named("ClaimsWorker", services) == "claims-worker"
    assert named("Contoso.Portal", services) == "portal-web"  # a word only one name has
    assert named("CONTOSO-WEB01", services) == "portal-web"
    assert named("AD FS", services) == "adfs"  # written without its separators
    assert named("MSSQLSERVER", services) == "claims-db"  # the one database
    assert named("MSSQLSERVER", [*services, "audit-db"]) is None  # of two, neither
    assert named("CONTOSO-APP01", services) is None
    assert named("Contoso.Claims", services) is None  # claims is three services' word
    assert named("Microsoft-Windows-WAS", services) is None
    assert named("Contoso.Claims.Worker.Api", services) is None  # two names in full: neither


def test_a_field_is_read_for_a_line_s_service_only_where_its_values_name_several() -> None:
    """A field naming the same service on every line (a log channel named after the portal) is a label of the
    export, not whose each line is: the program's field, naming several, is read, and each server is given the
    service most of its named events are (a server running two, neither)."""
    from oncall.tools.read_logs.owners import HOST_NAMED, owners

    services = ["portal-web", "claims-api"]
    lines = [
        {"ProviderName": provider, "MachineName": machine, "Channel": "Contoso-Portal/Operational"}
        for provider, machine in [("Contoso.Portal", "WEB01"), ("Contoso.Claims.Api", "APP01")] * 5
        + [("Contoso.Portal", "SHARED01"), ("Contoso.Claims.Api", "SHARED01")] * 2
        + [("Microsoft-Windows-WAS", "APP01"), ("Microsoft-Windows-WAS", "SHARED01")]
    ]
    got = {o.path: dict(o.services) for o in owners(lines, services, lambda p: HOST_NAMED.search(p) is not None)}
    assert got == {
        "ProviderName": {"Contoso.Portal": "portal-web", "Contoso.Claims.Api": "claims-api"},
        "MachineName": {"APP01": "claims-api", "WEB01": "portal-web"},
    }, got


def test_was_refusing_an_application_pool_s_identity_is_a_credential_gone_bad() -> None:
    from oncall.analysts.offline.patterns import classify

    said = ("The identity of application pool ClaimsApi is invalid. The user name or password that is specified for "
            "the identity may be incorrect, or the user may not have batch logon rights.")  # fmt: skip
    assert classify(said) == "expired_credential"
    assert classify("Application pool ClaimsApi has been disabled.") != "expired_credential"


def _rollover(tmp_path: Path, name: str, said: str, kind: str = "certificate") -> tuple[str, str, list[str]]:
    """adfs, which portal-web verifies its sign-ins with, rolled its token-signing certificate over; two minutes
    later portal-web's sign-ins fail with `said`."""
    at = ALERT_AT - 6 * M
    root = write_bundle(
        tmp_path / name,
        services={"portal-web": ["adfs", "claims-api"], "adfs": [], "claims-api": []},
        alert=alertmanager("PortalSignInFailures", "portal-web"),
        logs=[
            {"ts": (ALERT_AT - 120 * M + i * 5 * M).isoformat(), "service": s, "level": "info", "message": "ok"}
            for i in range(20)
            for s in ("portal-web", "adfs", "claims-api")
        ]
        + [
            {"ts": (at + i * 10 * S).isoformat(), "service": "portal-web", "level": "error", "message": said}
            for i in range(40)
        ],
        metric_lines=series("error_ratio", "portal-web", flat_then(T0, END, 0.002, at, 0.5))
        + series("error_ratio", "adfs", flat_then(T0, END, 0.001)),
        changes=[
            {
                "ts": (at - 2 * M).isoformat(),
                "service": "adfs",
                "kind": kind,
                "from": "token-signing primary: thumbprint 4F1A…C2",
                "to": "token-signing primary: thumbprint 9B07…E1",
                "author": "AutoCertificateRollover",
                "ref": "CHG305300",
                "diff": "--- a/infra/adfs/certificate.md\n+++ b/infra/adfs/certificate.md\n@@ -7 +7 @@\n"
                "-token-signing primary: thumbprint 4F1A…C2\n+token-signing primary: thumbprint 9B07…E1\n",
            }
        ],
        signals=signals("error_ratio"),
    )
    d = investigated(root).diagnosis
    return d.root_cause.service, d.root_cause.category, [a.kind for a in d.actions]


def test_a_verifier_holding_no_key_for_its_issuer_s_new_tokens_holds_stale_keys(tmp_path: Path) -> None:
    """The issuer signs with its new key as a rollover does; the portal, which read the issuer's keys at start,
    has none matching: the portal is restarted, the rollover is not undone. Errors that say nothing of keys leave
    the rollover the suspect."""
    stale = ("Exception occurred while processing message.\nMicrosoft.IdentityModel.Tokens."
             "SecurityTokenSignatureKeyNotFoundException: IDX10501: Signature validation failed. Unable to match key: "
             "kid: '9B07E1'.")  # fmt: skip
    service, category, actions = _rollover(tmp_path, "stale", stale)
    assert (service, category) == ("portal-web", "expired_credential") and actions[0] == "restart", actions
    other = _rollover(tmp_path, "other", "Sign-in failed: MSIS7012: An error occurred while processing the request")
    assert other[:2] == ("adfs", "recent_change"), other
    # a change of its configuration, not a rollover, that the verifier cannot follow is the change to undo
    edited = _rollover(tmp_path, "edited", stale, kind="config")
    assert edited[:2] == ("adfs", "recent_change"), edited


def test_a_caller_s_unnamed_failures_are_the_dependency_its_failing_traces_end_in() -> None:
    """claims-api's timeouts name no service and it depends on two we cannot see; its failing traces end in its
    calls to postcode-api: those are the calls that fail. Traces ending in its own spans name neither."""
    from oncall.analysts.offline.attribution import _unnamed_dependency
    from oncall.analysts.offline.findings import LogFinding, TraceFinding
    from oncall.core.catalog import Catalog
    from oncall.tools.read_logs import TemplateStat
    from oncall.tools.read_traces import Origin

    at = ALERT_AT - 20 * M
    said = "Address check failed: TaskCanceledException: the configured HttpClient.Timeout of 10 seconds elapsing"
    stat = TemplateStat(template=said, level="ERROR", count=200, baseline_count=0, first_seen=at,
                        last_seen=at + 20 * M, sample=said, sample_ref="logs.jsonl:9", line=4)  # fmt: skip
    timeout = LogFinding(service="claims-api", text=said, cite="R2:L4", at=at, category="dependency_failure",
                         weight=2.0, role="external", detail=stat, words=said)  # fmt: skip

    def traced(callee: str) -> TraceFinding:
        origin = Origin(service=callee, seen_by="claims-api", operations=[f"call {callee}"], traces=3,
                        baseline_traces=0, first_seen=at + 14 * M, message=said)  # fmt: skip
        return TraceFinding(service=callee, text="3 failing traces", cite="R9:L8", at=at + 14 * M,
                            category="dependency_failure", weight=1.2, role="own", detail=origin, words=said)  # fmt: skip

    catalog = Catalog.model_validate(
        {
            "services": {
                "claims-api": {"depends_on": ["servicebus", "postcode-api"]},
                "servicebus": {},
                "postcode-api": {},
            }
        }
    )
    dark = {"servicebus", "postcode-api"}
    got = _unnamed_dependency([timeout, traced("postcode-api")], catalog, dark)[0]
    assert (got.role, got.points_to) == ("peer", "postcode-api"), got
    assert _unnamed_dependency([timeout, traced("claims-api")], catalog, dark)[0].role == "external"


def test_a_store_stating_the_refusal_its_callers_quote_is_the_one_out_of_room(tmp_path: Path) -> None:
    """claims-api's queries fail quoting SQL Server's "filegroup is full", and claims-db's own lines say it, with
    no disk watched: claims-db ran out of room, and its files are grown. Without claims-db's own lines, nothing
    says the refusal is any dependency's."""
    from oncall.analysts.offline.attribution import _store_full
    from oncall.analysts.offline.findings import LogFinding
    from oncall.core.catalog import Catalog
    from oncall.tools.read_logs import TemplateStat

    at = ALERT_AT - 8 * M
    full = "Could not allocate space for object 'x' in database 'tempdb' because the 'PRIMARY' filegroup is full."

    def said(service: str, words: str) -> LogFinding:
        stat = TemplateStat(template=words, level="ERROR", count=20, baseline_count=0, first_seen=at,
                            last_seen=at + 8 * M, sample=words, sample_ref="logs.jsonl:9", line=4)  # fmt: skip
        return LogFinding(service=service, text=words, cite="R2:L4", at=at, category="resource_exhaustion", weight=2.0,
                          role="own", detail=stat, words=words)  # fmt: skip

    catalog = Catalog.model_validate({"services": {"claims-api": {"depends_on": ["claims-db"]}, "claims-db": {}}})
    caller = said("claims-api", "SqlException (0x80131904): " + full)
    got = _store_full([caller, said("claims-db", full)], catalog)[0]
    assert (got.role, got.points_to) == ("peer", "claims-db"), got
    assert _store_full([caller], catalog)[0].role == "own"
    assert _store_full([caller, said("claims-db", "Login succeeded")], catalog)[0].role == "own"


def test_a_database_out_of_room_for_its_files_is_grown(tmp_path: Path) -> None:
    """claims-api's queries fail quoting SQL Server's "filegroup is full" and claims-db says it too, with no disk
    watched: claims-db ran out of room, and the action grows its storage (a restart frees nothing it keeps)."""
    at = ALERT_AT - 8 * M
    full = "Could not allocate space for object 'x' in database 'tempdb' because the 'PRIMARY' filegroup is full."
    quiet = [
        {"ts": (ALERT_AT - 120 * M + i * 5 * M).isoformat(), "service": s, "level": "info", "message": "ok"}
        for i in range(20)
        for s in ("claims-api", "claims-db")
    ]
    said = [
        {"ts": (at + i * 15 * S).isoformat(), "service": s, "level": "error", "message": m}
        for i in range(30)
        for s, m in (("claims-api", "SqlException (0x80131904): " + full), ("claims-db", full))
    ]
    root = write_bundle(
        tmp_path / "full",
        services={"claims-api": ["claims-db"], "claims-db": []},
        alert=alertmanager("ClaimsApiErrors", "claims-api"),
        logs=quiet + said,
        metric_lines=series("error_ratio", "claims-api", flat_then(T0, END, 0.002, at, 0.25))
        + series("cpu_utilization", "claims-db", flat_then(T0, END, 0.3, at, 0.5)),
        signals=signals("error_ratio", "cpu_utilization"),
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("claims-db", "resource_exhaustion"), d.root_cause
    assert d.actions[0].kind == "scale" and "Grow claims-db's storage" in d.actions[0].description, d.actions
