"""What world 12's first contact taught (a telehealth clinic on Kubernetes, Fluent Bit records, OpenTelemetry
metric names; written after world 11's rules and scored before any rule saw it): a driver quoting its
database's error, a chain of callers, an id sequence at its maximum, and a caller that cut itself off
from a provider we cannot see."""

from __future__ import annotations

from datetime import timedelta

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
    series,
    write_bundle,
)

AT = ALERT_AT - 5 * M
SIGNALS = {"request_rate": 'requests{service="{service}"}', "error_ratio": 'error_ratio{service="{service}"}'}
SEQ = 'ERROR:  nextval: reached maximum value of sequence "visits_id_seq" (2147483647)'


def _every(service: str, text: str, n: int = 120, start=AT) -> list[dict]:
    return [log(start + i * timedelta(seconds=2), service, "error", text) for i in range(n)]


def test_a_caller_that_repeats_its_database_s_own_error_is_not_the_cause(tmp_path) -> None:
    """The database logs that its id sequence reached its maximum; the booking service's driver quotes that
    error in its own, and the portal's errors are about booking. All three break in the same minute: the
    database is where it broke, its id space exhausted, and neither caller outranks it."""
    root = write_bundle(
        tmp_path / "b",
        services={"portal": ["booking"], "booking": ["db"], "db": []},
        alert=alertmanager("HighErrorRate", "portal"),
        logs=quiet_logs("portal", "booking", "db")
        + _every("db", SEQ, 40)
        + _every("booking", f"failed to reserve slot: db error: {SEQ.replace(':  ', ': ')}")
        + _every("portal", "POST /api/visits: booking responded 500", start=AT + M),
        metric_lines=series("requests", "portal", flat_then(T0, END, 100.0))
        + series("error_ratio", "portal", flat_then(T0, END, 0.002, AT + M, 0.2))
        + series("requests", "booking", flat_then(T0, END, 80.0))
        + series("error_ratio", "booking", flat_then(T0, END, 0.002, AT, 0.5))
        + series("requests", "db", flat_then(T0, END, 300.0)),
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("db", "resource_exhaustion")


def _cut_off_bundle(tmp_path, diff: str, to: str):
    return write_bundle(
        tmp_path / "b",
        services={"notifier": ["sms-provider"], "sms-provider": []},
        alert=alertmanager("HighErrorRate", "notifier"),
        logs=quiet_logs("notifier")
        + _every(
            "notifier",
            "sms send failed: HTTPSConnectionPool(host='api.sms-provider.example', port=443): Max retries "
            "exceeded (Caused by ConnectTimeoutError('Connection to api.sms-provider.example timed out.'))",
        ),
        metric_lines=series("requests", "notifier", flat_then(T0, END, 30.0))
        + series("error_ratio", "notifier", flat_then(T0, END, 0.002, AT, 0.9)),
        changes=[
            {"ts": iso(AT - M), "service": "notifier", "kind": "config", "from": None, "to": to,
             "author": "sec-eng", "ref": "9a1c2e3f", "diff": diff}
        ],
        signals=SIGNALS,
    )  # fmt: skip


def test_a_caller_that_just_cut_itself_off_from_an_unwatched_provider_is_the_cause(tmp_path) -> None:
    """A minute before its sends began timing out, notifier's egress rules dropped the provider's range; we
    have no signal from the provider itself. The change cut notifier off: roll it back, do not page the
    provider."""
    egress = (
        "--- a/deploy/notifier/values.yaml\n+++ b/deploy/notifier/values.yaml\n@@ -7 +7 @@\n"
        "-  egress.allowedCIDRs: [10.0.0.0/8, 198.51.100.0/24]\n+  egress.allowedCIDRs: [10.0.0.0/8]\n"
    )
    d = investigated(_cut_off_bundle(tmp_path, egress, "egress.allowedCIDRs: [10.0.0.0/8]")).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("notifier", "recent_change")


def test_an_unrelated_change_does_not_take_the_blame_from_an_unwatched_provider(tmp_path) -> None:
    """The same timeouts after a change to how many replicas notifier runs: nothing in it touches how notifier
    reaches the provider, so the provider stays the suspect."""
    replicas = (
        "--- a/deploy/notifier/values.yaml\n+++ b/deploy/notifier/values.yaml\n@@ -7 +7 @@\n"
        "-  replicaCount: 3\n+  replicaCount: 4\n"
    )
    d = investigated(_cut_off_bundle(tmp_path, replicas, "replicaCount: 4")).diagnosis
    assert d.root_cause.service == "sms-provider"
