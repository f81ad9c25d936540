"""What world 46's first contact taught (an AI platform's serving estate on EKS, bundled as a Sumo Logic search
job's messages, its faults shaped as reasoning traps; written after world 45's rules and scored before any rule
saw it): 9 or 10 of 14 right on seeds 1-4, no wrong HIGH and not one HIGH, every log line unreadable. Three
reasons: a field whose name says it is a time may hold an epoch number (Sumo's `_messagetime`); two services
failing to resolve names suffer one resolver together, neither passing it to the other; and a caller that set
a number of its own and was then refused for its rate pushed itself over the provider's limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.analysts.offline.findings import number_set
from oncall.core import diffs
from oncall.tools.read_changes import Change
from oncall.tools.read_logs.times import time_field
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
    setting_change,
    write_bundle,
)


def _sumo(at_ms: int, raw: str, pod: str) -> dict[str, str]:
    """A Sumo Logic search job's message map: every value a string, the level only in the text."""
    return {
        "_messagetime": str(at_ms),
        "_receipttime": str(at_ms + 1187),
        "_raw": raw,
        "_sourcehost": pod,
        "_sourcename": f"prod.{pod}.app",
        "_sourcecategory": "kubernetes/prod/" + pod.rsplit("-", 2)[0].replace("-", "/"),
        "_sourceid": "1783210044",  # ten digits, read as an epoch in 2026: an id, not a time
        "_messagecount": str(at_ms % 100000),
        "_size": str(len(raw)),
    }


def test_a_field_named_as_a_time_may_hold_an_epoch_number() -> None:
    ms = int(ALERT_AT.timestamp() * 1000)
    sample = [_sumo(ms + i * 1000, "ERROR db timeout", "api-7d9f8c6b5-x2x7k") for i in range(8)]
    assert time_field(sample) == "_messagetime"  # the earlier of the two times each message carries
    assert time_field([{"Count": str(ms // 1000), "Message": "x"}] * 4) is None  # a number not named a time
    assert time_field([{"response_time": "25", "Message": "x"}] * 4) is None  # a duration, not an epoch
    assert time_field([{"event_time": "99999999999999", "Message": "x"}] * 4) is None  # no epoch's length
    assert time_field([{"event_time": "9999999999999", "Message": "x"}] * 4) is None  # the year 2286
    assert time_field([{"created_at": "0000000000", "Message": "x"}] * 4) is None  # 1970: a zero, not a time
    assert time_field([{"event_time": str(ms * 1000), "Message": "x"}] * 4) == "event_time"  # microseconds


def test_a_sumo_logic_export_is_read_by_its_message_time(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    ms = int(at.timestamp() * 1000)
    records = [
        _sumo(ms + i * 6000, f"ERROR 03-02 13:55:{i:02d} [core.py:586] EngineCore failed to start.", "api-7d9-x2x7k")
        for i in range(30)
    ]
    text = read_logs_of(tmp_path, records)["api"]
    assert "EngineCore failed to start" in text and "could be read" not in text


RESOLVING = "Temporary failure in name resolution"


def _resolving(tmp_path: Path, *, retrieval_changed: bool) -> Path:
    at = ALERT_AT - 6 * M
    changes = [setting_change(at - 80 * M, "features", "image", "7.2.3", "7.2.4", kind="deploy")]
    if retrieval_changed:
        changes.append(setting_change(at - 3 * M, "retrieval", "image", "5.11.2", "5.12.0", kind="deploy"))
    return write_bundle(
        tmp_path / f"b{retrieval_changed}",
        services={
            "gateway": ["retrieval"],
            "retrieval": ["features", "vectors"],
            "features": ["kv"],
            "vectors": [],
            "kv": [],
        },
        alert=alertmanager("GatewayErrorRate", "gateway"),
        logs=quiet_logs("gateway", "retrieval", "features", "vectors", "kv")
        + [
            log(
                at + i * 5 * S,
                "retrieval",
                "error",
                f"vector search failed: httpx.ConnectError: [Errno -3] {RESOLVING}",
            )
            for i in range(60)
        ]
        + [
            log(
                at + i * 20 * S,
                "features",
                "error",
                f"Error -3 connecting to kv.prod.svc.cluster.local:6379. {RESOLVING}.",
            )
            for i in range(15)
        ]
        + [log(at + M + i * 10 * S, "gateway", "error", "POST /v1/retrieve: upstream returned 503") for i in range(30)],
        metric_lines=series("error_ratio", "retrieval", flat_then(T0, END, 0.001, at, 0.35))
        + series("error_ratio", "features", flat_then(T0, END, 0.001, at, 0.1))
        + series("error_ratio", "gateway", flat_then(T0, END, 0.001, at + M, 0.25))
        + series("error_ratio", "vectors", flat_then(T0, END, 0.001))
        + series("error_ratio", "kv", flat_then(T0, END, 0.001)),
        changes=changes,
    )


def test_two_services_failing_to_resolve_names_suffer_together_neither_passes_it_on(tmp_path: Path) -> None:
    d = investigated(_resolving(tmp_path, retrieval_changed=True)).diagnosis
    # retrieval's errors repeat its dependency's words, but each resolves its own names: its release
    # minutes before is not set aside for the dependency's routine deploy an hour and a half earlier
    assert (d.root_cause.service, d.root_cause.category) == ("retrieval", "recent_change")


REFUSED_FOR_RATE = (
    '{"event": "fallback provider refused", "provider": "hosted", "status": 429, "error": "Rate limit reached '
    'on requests per min (RPM): Limit 10000, Used 10000, Requested 1."}'
)


def _refused_for_rate(tmp_path: Path, change: dict, said: str = REFUSED_FOR_RATE) -> Path:
    at = ALERT_AT - 6 * M
    refused = said
    return write_bundle(
        tmp_path / f"b{change['kind']}",
        services={"gateway": ["router"], "router": ["serving", "hosted"], "serving": [], "hosted": []},
        alert=alertmanager("RouterErrorRate", "router"),
        logs=quiet_logs("gateway", "router", "serving")
        + [log(at + i * 5 * S, "router", "error", refused) for i in range(60)],
        metric_lines=series("error_ratio", "router", flat_then(T0, END, 0.001, at, 0.45))
        + series("error_ratio", "gateway", flat_then(T0, END, 0.001, at + M, 0.4))
        + series("error_ratio", "serving", flat_then(T0, END, 0.001)),
        changes=[change],
    )


def test_a_caller_that_set_a_number_and_was_then_refused_for_its_rate_pushed_itself_over(tmp_path: Path) -> None:
    flip = setting_change(ALERT_AT - 9 * M, "router", "fallback_weight", "0.05", "1.0")
    d = investigated(_refused_for_rate(tmp_path, flip)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("router", "recent_change")
    assert d.root_cause.confidence != "HIGH"  # timing and the kind of refusal tie them: likely, not proven
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "router"


def test_a_provider_that_cannot_be_reached_after_a_caller_set_a_number_is_not_pushed_over(tmp_path: Path) -> None:
    sampled = setting_change(ALERT_AT - 9 * M, "router", "log_sample_rate", "0.1", "0.2")
    unreachable = "hosted: upstream connect error or disconnect/reset before headers. reset reason: connection failure"
    d = investigated(_refused_for_rate(tmp_path, sampled, said=unreachable)).diagnosis
    assert d.root_cause.service == "hosted"  # refused for no rate of the caller's: the provider failed


def test_a_provider_refusing_for_rate_after_a_caller_s_release_is_still_the_provider(tmp_path: Path) -> None:
    release = setting_change(ALERT_AT - 9 * M, "router", "image", "router:7.2.3", "router:7.2.4", kind="deploy")
    d = investigated(_refused_for_rate(tmp_path, release)).diagnosis
    assert d.root_cause.service == "hosted"  # a version set no number: the provider's limit is the news


@pytest.mark.parametrize(
    ("was", "now", "said"),
    [
        ("fallback_weight: 0.05", "fallback_weight: 1.0", True),
        ("poll_interval_s: 60", "poll_interval_s: 5", True),
        ('BATCH_SIZE="100"', 'BATCH_SIZE="1000"', True),
        ("image: app:7.2.3", "image: app:7.2.4", False),  # a version, not a number
        ("weight: 1", "ratio: 2", False),  # not one setting
        ("replicas: 3", "replicas: 3", False),
    ],
)
def test_a_change_sets_a_number_only_when_one_setting_s_number_moves(was: str, now: str, said: bool) -> None:
    c = Change(ts=ALERT_AT, service="x", kind="config", from_=was, to=now)
    assert number_set(c) is said


def test_the_brief_names_the_file_a_change_edits_not_always_its_configuration() -> None:
    diff = (
        "--- a/apps/retrieval/values.yaml\n+++ b/apps/retrieval/values.yaml\n@@ -14 +14 @@\n-  image: r:5.11.2\n"
        "+  image: r:5.12.0\n--- a/src/retrieval/clients.py\n+++ b/src/retrieval/clients.py\n@@ -21 +21 @@\n"
        "-_client = httpx.AsyncClient(timeout=5.0)\n+def _client() -> httpx.AsyncClient:\n"
    )
    assert diffs.edited_file(diff, "_client = httpx.AsyncClient(timeout=5.0)") == "src/retrieval/clients.py"
    assert diffs.edited_file(diff, "image: r:5.11.2") == "apps/retrieval/values.yaml"
    assert diffs.edited_file(diff, "not in it") is None
