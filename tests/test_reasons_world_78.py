"""What world 78's first contact taught (an Istanbul quick-commerce grocer on Kubernetes, its logs SigNoz's rows
exported from ClickHouse; written after world 77's rules and scored before any rule saw it): 12 of 14 right on each
of seeds 1-4, one wrong HIGH. Its reasons: SigNoz keeps a record's attributes and resource in maps by type, and
the exception an SDK recorded is read from there; and a caller's change that ran clean for longer than a change's
errors take to show does not explain failures its traces place in a dependency it cannot see."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from tests.bundles import ALERT_AT, M, S, read_logs_of


def _row(t: datetime, service: str, body: str, level: str = "", attributes: dict | None = None) -> dict:
    """One row of signoz_logs.logs_v2 as JSONEachRow writes it; with no level, a file the filelog receiver read (an
    SDK's pod is its chart's, not named after the service its resource names)."""
    ns = str(int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000)
    pod = f"shop-{service}-7f9c5d8b6-x2k4p" if level else f"{service}-0"
    resources = {"k8s.pod.name": pod, "k8s.namespace.name": "prod", **({"service.name": service} if level else {})}
    number = {"INFO": 9, "WARN": 13, "ERROR": 17}.get(level, 0)
    return {"timestamp": ns, "severity_text": level, "severity_number": number, "body": body,
            "attributes_string": attributes or {}, "attributes_number": {}, "resources_string": resources,
            "scope_name": ""}  # fmt: skip


def test_a_signoz_row_is_read_with_the_exception_its_sdk_kept_apart(tmp_path: Path) -> None:
    """The Java agent keeps the exception in attributes_string's exception.message, slog an error in `error`; a
    file read by the filelog receiver has no service.name, its pod names it."""
    at = ALERT_AT - 5 * M
    # (the files read outnumber the SDKs' rows: a service named only in the resource's map is still found)
    rows = [_row(ALERT_AT - 120 * M + i * 5 * M, "api", "ok", "INFO") for i in range(20)]
    rows += [_row(ALERT_AT - 120 * M + i * M, "db", "LOG:  checkpoint complete") for i in range(100)]
    rows += [
        _row(at + i * 10 * S, "api", "Checkout failed", "ERROR", {"exception.type": "org.postgresql.util.PSQLException",
             "exception.message": "ERROR: canceling statement due to lock timeout"})
        for i in range(20)
    ]  # fmt: skip
    rows += [_row(at + i * 10 * S, "api", "push failed", "ERROR", {"error": "oauth2: invalid_grant"}) for i in range(5)]
    said = "2026-03-02 13:55:00.114 UTC [4242] ERROR:  canceling statement due to lock timeout"
    rows += [_row(at + i * 10 * S, "db", said) for i in range(10)]
    text = read_logs_of(tmp_path, sorted(rows, key=lambda r: int(r["timestamp"]), reverse=True))
    assert "Checkout failed: ERROR: canceling statement due to lock timeout" in text["api"], text["api"]
    assert "push failed: oauth2: invalid_grant" in text["api"], text["api"]
    assert "10 ERROR" in text["db"] and "lock timeout" in text["db"], text["db"]


def test_a_change_that_ran_clean_does_not_explain_failures_traced_to_a_dependency_we_cannot_see() -> None:
    """payments released twenty minutes before its calls to iyzico began timing out, and its failing traces end in
    those calls: iyzico failed it. A release minutes before, or no traces placing the failures, leave the errors
    payments' own, as do errors saying it was throttled."""
    from oncall.analysts.offline.attribution import _unnamed_dependency
    from oncall.analysts.offline.findings import ChangeFinding, LogFinding, TraceFinding
    from oncall.core.catalog import Catalog
    from oncall.tools.read_changes import Change
    from oncall.tools.read_logs import TemplateStat
    from oncall.tools.read_traces import Origin

    at = ALERT_AT - 8 * M
    said = 'payment authorisation failed: Post "https://api.example-pay.com/auth": context deadline exceeded'
    stat = TemplateStat(template=said, level="ERROR", count=200, baseline_count=0, first_seen=at,
                        last_seen=at + 8 * M, sample=said, sample_ref="logs.jsonl:9", line=4)  # fmt: skip
    timeout = LogFinding(service="payments", text=said, cite="R2:L4", at=at, category="dependency_failure",
                         weight=2.0, role="external", detail=stat, words=said)  # fmt: skip
    origin = Origin(service="iyzico", seen_by="payments", operations=["call iyzico"], traces=4, baseline_traces=0,
                    first_seen=at + 2 * M, message=said)  # fmt: skip
    traced = TraceFinding(service="iyzico", text="4 failing traces", cite="R9:L8", at=at + 2 * M,
                          category="dependency_failure", weight=1.6, role="own", detail=origin, words=said)  # fmt: skip

    def released(before: int) -> ChangeFinding:
        change = Change(ts=at - before * M, service="payments", kind="deploy", **{"from": "image.tag: 7.0.0"},
                        to="image.tag: 7.0.1")  # fmt: skip
        return ChangeFinding(service="payments", text="deploy payments", cite="R17:L2", at=at - before * M,
                             detail=change)  # fmt: skip

    catalog = Catalog.model_validate({"services": {"payments": {"depends_on": ["iyzico"]}, "iyzico": {}}})
    got = _unnamed_dependency([timeout, traced, released(20)], catalog, {"iyzico"})[0]
    assert (got.role, got.points_to) == ("peer", "iyzico"), got
    assert _unnamed_dependency([timeout, traced, released(4)], catalog, {"iyzico"})[0].role == "external"
    assert _unnamed_dependency([timeout, released(20)], catalog, {"iyzico"})[0].role == "external"
    # turned away for the rate it sent (a throttle): what it sends is what its release may have changed
    throttled = replace(timeout, words="upload failed: SlowDown: Please reduce your request rate.")
    assert _unnamed_dependency([throttled, traced, released(20)], catalog, {"iyzico"})[0].role == "external"


def test_signoz_s_older_table_keeps_its_maps_as_key_and_value_lists(tmp_path: Path) -> None:
    """SigNoz's older logs table writes each map as a keys' list and a values' list: the service its resource names
    is read there as from the newer table's map."""
    at = ALERT_AT - 5 * M

    def older(t: datetime, service: str, body: str, level: str) -> dict:
        row = _row(t, service, body, level)
        resources = row.pop("resources_string")
        row.pop("attributes_string")
        return {**row, "resources_string_key": list(resources), "resources_string_value": list(resources.values()),
                "attributes_string_key": [], "attributes_string_value": []}  # fmt: skip

    rows = [older(ALERT_AT - 120 * M + i * 5 * M, s, "ok", "INFO") for i in range(20) for s in ("api", "db")]
    rows += [older(at + i * 10 * S, "api", "Checkout failed", "ERROR") for i in range(20)]
    text = read_logs_of(tmp_path, sorted(rows, key=lambda r: int(r["timestamp"]), reverse=True))
    assert "20 ERROR" in text["api"] and "Checkout failed" in text["api"], text["api"]
