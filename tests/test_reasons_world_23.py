"""What world 23's first contact taught (a retail brokerage bundled the plain DESIGN.md way, each
program's line whole in `message` and its own level token in `level`; written after world 22's rules
and scored before any rule saw it): its layout was read, and its misses were reasons. The exchange's
TLS alert that our client certificate expired read as nothing (`certificate_expired` is the alert's
name) and was blamed on the exchange; a market-data provider we have no telemetry from, refusing
connections at a host the catalog does not name, was blamed on the service that calls it or on the bus
whose traffic fell because that service stopped publishing; and a risk service whose check queue filled
under the market's opening surge was called exhausted, not out of capacity."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oncall.analysts.offline.findings import attribute
from oncall.analysts.offline.patterns import classify, their_cert
from oncall.core.diagnosis import Diagnosis
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
    series,
    setting_change,
    write_bundle,
)


@pytest.mark.parametrize(
    "text",
    [
        "Disconnecting: javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_expired",
        "SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:SSL alert number 45",
        "remote error: tls: bad_certificate",
    ],
)
def test_a_tls_alert_naming_an_expired_or_bad_certificate_is_an_expired_credential(text) -> None:
    assert classify(text) == "expired_credential"


def test_a_tls_alert_received_is_about_the_certificate_we_present_not_the_peers() -> None:
    """The other side refused the handshake over our certificate: the error is ours, whoever it names."""
    received = "call to exchange failed: javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_expired"
    checked = "call to exchange failed: PKIX path validation failed: validity check failed: certificate has expired"
    assert not their_cert(received) and their_cert(checked)
    assert attribute(received, ["exchange"], "gateway") == ("own", None, "expired_credential")
    assert attribute(checked, ["exchange"], "gateway") == ("peer", "exchange", "expired_credential")


def _feed_refused(tmp_path: Path, *, caller_changed: timedelta | None = None, bus_failing: bool = False) -> Diagnosis:
    """quotes calls the bus (watched) and feed (a provider we have no telemetry from). From AT, quotes
    cannot connect to a host the catalog does not name, publishes almost nothing, and the bus's traffic
    falls a minute after its own; `caller_changed`: quotes deployed this long before AT; `bus_failing`: the
    bus's own errors rose at AT too."""
    at = ALERT_AT - 8 * M
    services = {"app": ["quotes"], "quotes": ["bus", "feed"], "bus": [], "feed": []}
    logs = quiet_logs("app", "quotes", "bus")
    logs += [log(at + i * 15 * S, "quotes", "error", "TOTALVIEW: connect to totalview.example.net:9441 "
                 "failed: Connection refused") for i in range(40)]  # fmt: skip
    metrics = series("requests", "quotes", flat_then(T0, END, 900.0, at, 60.0))
    metrics += series("requests", "bus", flat_then(T0, END, 2400.0, at + M, 1300.0))
    metrics += series("error_ratio", "bus", flat_then(T0, END, 0.001, at if bus_failing else None, 0.4))
    metrics += series("requests", "app", flat_then(T0, END, 300.0)) + series(
        "error_ratio", "app", flat_then(T0, END, 0.001)
    )
    changes = (
        [setting_change(at - caller_changed, "quotes", "tag", "7.1.3", "7.1.4", "deploy")] if caller_changed else []
    )
    root = write_bundle(
        tmp_path / "b",
        services=services,
        alert=alertmanager("QuoteTicksLow", "quotes"),
        logs=logs,
        metric_lines=metrics,
        changes=changes,
        signals={"request_rate": 'requests{service="{service}"}', "error_ratio": 'error_ratio{service="{service}"}'},
    )  # fmt: skip
    return investigated(root).diagnosis


def test_a_provider_refusing_its_caller_is_the_one_failing_when_it_is_the_only_unwatched_dependency(
    tmp_path,
) -> None:
    """The errors name no catalogued service, and the only dependency of the caller we cannot see is the
    provider; the bus lost traffic after the caller's own fell: the caller sent less, the bus did not fail."""
    d = _feed_refused(tmp_path)
    assert (d.root_cause.service, d.root_cause.category) == ("feed", "dependency_failure")


def test_a_caller_that_changed_minutes_before_keeps_its_unnamed_errors_but_a_version_bump_is_not_sure(
    tmp_path,
) -> None:
    """Its own change may have broken how it connects; but a version bump that changed no setting, while
    its errors say a party outside refused it, is likely, not established."""
    d = _feed_refused(tmp_path, caller_changed=6 * M)
    assert d.root_cause.service == "quotes" and d.root_cause.confidence == "MEDIUM"


def _queue_full(tmp_path: Path, *, load_first: bool) -> Diagnosis:
    """orders calls risk; risk's CPU pins and its check queue fills at AT. `load_first`: the requests into
    both rose four-fold two minutes before (a real surge); else they stayed flat (nothing arrived)."""
    at = ALERT_AT - 8 * M
    services = {"orders": ["risk"], "risk": []}
    logs = quiet_logs("orders", "risk")
    logs += [log(at + i * 10 * S, "risk", "warning", "check queue full (4096/4096), asking orders to retry later")
             for i in range(60)]  # fmt: skip
    rise = (at - 2 * M, 4.0) if load_first else (None, None)
    metrics: list[str] = []
    for svc, base in (("orders", 140.0), ("risk", 140.0)):
        metrics += series("requests", svc, flat_then(T0, END, base, rise[0], base * rise[1] if rise[1] else None))
    metrics += series("cpu", "risk", flat_then(T0, END, 0.38, at, 0.97))
    metrics += series("latency", "risk", flat_then(T0, END, 0.01, at, 0.2))
    metrics += series("latency", "orders", flat_then(T0, END, 0.05, at + M, 0.4))
    root = write_bundle(
        tmp_path / "b",
        services=services,
        alert=alertmanager("OrderLatencyHigh", "orders"),
        logs=logs,
        metric_lines=metrics,
        signals={"request_rate": 'requests{service="{service}"}', "cpu_utilization": 'cpu{service="{service}"}',
                 "latency_p99": 'latency{service="{service}"}'},
    )  # fmt: skip
    return investigated(root).diagnosis


def test_a_queue_full_under_load_that_arrived_first_is_capacity(tmp_path) -> None:
    d = _queue_full(tmp_path, load_first=True)
    assert (d.root_cause.service, d.root_cause.category) == ("risk", "capacity")
    assert d.actions[0].kind == "scale"


def test_a_queue_full_with_no_more_load_is_resource_exhaustion(tmp_path) -> None:
    d = _queue_full(tmp_path, load_first=False)
    assert (d.root_cause.service, d.root_cause.category) == ("risk", "resource_exhaustion")


def test_errors_that_name_no_one_are_not_pinned_on_the_provider_while_a_dependency_we_watch_fails(
    tmp_path,
) -> None:
    d = _feed_refused(tmp_path, bus_failing=True)
    assert d.root_cause.service != "feed"
