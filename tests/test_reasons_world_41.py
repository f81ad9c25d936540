"""What world 41's first contact taught (a hotel-booking channel manager on Google Cloud Run, bundled as
Cloud Logging's own LogEntry export; written after world 40's rules and scored before any rule saw it): 8 of
14 right on every seed, no wrong HIGH and no HIGH: no line was anyone's, for the service is only in
`resource.labels.service_name`, and the reader took Cloud Logging's `labels` object (which holds the
instance's id) for a service field it knows. Read, it showed four more reasons: the field that names a line's
service may be nested anywhere; a field repeating a handful of values is a label, not a line's text; a secret
version its store disabled is a credential no longer usable; a served status alone says that a request failed,
not why. And a caller's span to a provider we cannot see holds the caller's words: the caller's own name
among them (a service named with a word, `availability`) says who asked, not who failed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oncall.analysts.offline.findings import _trace_findings
from oncall.analysts.offline.patterns import classify
from oncall.core.catalog import Catalog
from oncall.core.results import ToolResult
from oncall.tools.read_logs import LogQuery
from oncall.tools.read_logs.embedded import JsonlLogs
from oncall.tools.read_logs.hosts import hosts_field
from oncall.tools.read_logs.texts import text_field
from oncall.tools.read_traces import Origin, TraceStats

T0 = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


def _entry(minute: float, service: str, text: str | None, severity: str = "INFO", status: int | None = None) -> dict:
    """A Cloud Logging LogEntry of a Cloud Run service: its text, or a request log (status, no text)."""
    at = T0 + timedelta(minutes=minute)
    entry = {
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "severity": severity,
        "resource": {"type": "cloud_run_revision", "labels": {"service_name": service, "location": "europe-west1"}},
        "labels": {"instanceId": "00f46b9285c3" + service},
        "logName": "projects/p/logs/run.googleapis.com%2F" + ("requests" if status else "stdout"),
    }
    if status is not None:
        return entry | {"httpRequest": {"requestMethod": "POST", "status": status, "latency": "0.012s"}}
    return entry | {"textPayload": text}


def test_the_service_named_deep_in_a_shipper_s_entry_is_read_and_its_lines_are_its_own(tmp_path: Path) -> None:
    lines = [_entry(m, ("rates", "search")[m % 2], f"request {m} handled in {m % 7} ms") for m in range(60)]
    lines += [_entry(m, "rates", None, "ERROR", 503) for m in range(40, 44)]
    lines += [_entry(41, "rates", "Error: failed to access secret version 7: it is in DISABLED state", "ERROR")]
    # (Cloud Run's service_name is a field the reader knows since world 97: no field is looked for)
    assert hosts_field(lines, ["rates", "search"]) is None
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    q = LogQuery(service="rates", start=T0 + timedelta(minutes=30), end=T0 + timedelta(minutes=60),
                 baseline_start=T0, known=["rates", "search"])  # fmt: skip
    stats = JsonlLogs(path).stats(q)
    assert stats.levels["ERROR"] == 5 and stats.total == 15 + 5  # its half of the window's 30, and its errors
    (served,) = [t for t in stats.templates if "status" in t.template]
    assert served.count == 4 and classify(served.template) is None  # the status it served, not a cause


def test_a_catalog_name_only_as_a_label_of_another_kind_is_not_a_service_field() -> None:
    """Cloud Logging's `labels` holds the instance's id: a top-level key some shippers use for the service
    (a Loki export's labels.service_name) is no service field where it holds none."""
    # (a generic task's resource names its job, a label no shipper's field this reader knows of spells)
    lines = [{**_entry(m, "rates", f"tick {m}"), "resource": {"type": "generic_task", "labels": {"job": "rates"}}}
             for m in range(10)]  # fmt: skip
    assert hosts_field(lines, ["rates"]) == "resource.labels.job"  # looked for, since no known field names it
    own = [{"service": "rates", "labels": {"instanceId": "x"}, "message": f"tick {m}"} for m in range(10)]
    assert hosts_field(own, ["rates"]) is None  # a field it knows names the service


def test_a_field_repeating_a_few_values_over_many_lines_is_a_label_not_the_text() -> None:
    requests = [_entry(m % 60, "rates", None, status=200) for m in range(40)]
    for i, entry in enumerate(requests):  # Cloud Run's and a load balancer's request logs
        entry["logName"] += "" if i % 2 else "-lb"
    assert text_field(requests) is None  # logName: two values over forty lines, none of them a line's text
    raw = [
        {"ts": "2026-03-04T08:00:00Z", "@rawstring": f"GET /items/{i} 200 {i % 9}ms", "kind": "x"} for i in range(40)
    ]
    assert text_field(raw) == "@rawstring"


def test_a_secret_or_key_version_its_store_disabled_is_a_credential_no_longer_usable() -> None:
    said = (
        "Error: failed to access secret version projects/p/secrets/partner-key/versions/7: Secret Version "
        "[projects/412233/secrets/partner-key/versions/7] is in DISABLED state."
    )
    assert classify(said) == "expired_credential"
    assert classify("KMSInvalidStateException: KMS key arn:aws:kms:eu-west-1:1:key/ab is disabled") == (
        "expired_credential"
    )
    assert classify("feature flag key new-checkout is disabled") is None
    assert classify("cache key user:1 was destroyed on eviction") is None


def test_a_served_status_alone_states_no_cause_but_words_about_one_still_do() -> None:
    assert classify(" status=503") is None and classify("status=<*>\n status=503") is None
    assert classify("upstream search answered 503 Service Unavailable") == "dependency_failure"


def test_a_caller_s_span_naming_the_caller_itself_does_not_point_back_at_it() -> None:
    catalog = Catalog.model_validate(
        {"services": {"availability": {"depends_on": ["partner-api"]}, "partner-api": {}, "search": {}}}
    )
    said = "partner availability call failed for hotel 8821: 503 Service Unavailable from https://api.partner/v2"
    origin = Origin(
        service="partner-api", seen_by="availability", operations=["call partner-api"], traces=3, baseline_traces=0,
        first_seen=T0, message=said, line=1,
    )  # fmt: skip
    st = TraceStats(
        service="availability", start=T0, end=T0 + timedelta(minutes=30), baseline_start=T0 - timedelta(hours=6),
        source="traces.jsonl", traces=20, failing=3, baseline_traces=60, baseline_failing=0, entry_ms={}, edges=[],
        origins=[origin], samples=[],
    )  # fmt: skip
    r = ToolResult(id="R5", tool="read_traces", input={}, ok=True, text="O1 partner-api: 3 of 3", data=st)
    (found,) = _trace_findings(r, st, catalog)
    assert found.service == "partner-api" and found.points_to is None and found.role == "own"
    mentioning_search = origin.model_copy(update={"message": "call failed while search waited: 503"})
    st_search = st.model_copy(update={"origins": [mentioning_search]})
    (other,) = _trace_findings(r, st_search, catalog)
    assert other.points_to == "search"  # another service it names is still pointed at
