"""What world 15's first contact taught (a video streaming service on systemd hosts, journald's JSON
export, Grafana's webhook; written after world 14's rules and scored before any rule saw it): a
certificate rotated without its intermediate chain was called "no incident" at MEDIUM, because the
handshake failures (logged by nginx at notice) named nothing a rule knew and falling traffic alone
was read as the day's curve."""

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
    log,
    quiet_logs,
    series,
    setting_change,
    write_bundle,
)

AT = ALERT_AT - 6 * M
SIGNALS = {"request_rate": 'requests{service="{service}"}', "error_ratio": 'error_ratio{service="{service}"}'}


def _every(service: str, text: str, level: str = "info", n: int = 120) -> list[dict]:
    return [log(AT + i * timedelta(seconds=2), service, level, text) for i in range(n)]


def _edge(tmp_path, text: str, changed: bool):
    """The edge's requests fall to 40% at once and stay there; its new lines say `text`."""
    cert = setting_change(AT - 2 * M, "edge", "ssl_certificate", "edge-2025.fullchain.pem", "edge-2026.pem", "cert")
    return write_bundle(
        tmp_path / "b",
        services={"edge": ["api"], "api": []},
        alert=alertmanager("TrafficDrop", "edge"),
        logs=quiet_logs("edge", "api") + _every("edge", text),
        metric_lines=series("requests", "edge", flat_then(T0, END, 400.0, AT, 160.0))
        + series("requests", "api", flat_then(T0, END, 200.0, AT, 90.0))
        + series("error_ratio", "edge", flat_then(T0, END, 0.002))
        + series("error_ratio", "api", flat_then(T0, END, 0.002)),
        changes=[cert] if changed else [],
        signals=SIGNALS,
    )


UNKNOWN_CA = (
    "SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48) "
    "while SSL handshaking, client: 10.30.7.12, server: 0.0.0.0:443"
)


def test_a_certificate_its_clients_cannot_chain_is_rolled_back_then_installed_whole(tmp_path) -> None:
    """Clients refuse the handshake with 'unknown ca' right after the edge's certificate was replaced: the
    new certificate lacks the chain they need. The change is the cause, undone first; then the
    certificate is installed with its intermediates. Not "renew an expired credential"."""
    d = investigated(_edge(tmp_path, UNKNOWN_CA, changed=True)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("edge", "recent_change")
    assert [a.kind for a in d.actions][:2] == ["rollback", "config_change"]
    assert "full chain" in d.actions[1].description


def test_an_expired_certificate_with_no_change_is_renewed(tmp_path) -> None:
    """Handshakes fail because the certificate expired, and nothing changed: there is nothing to roll back;
    the certificate is renewed."""
    d = investigated(
        _edge(tmp_path, "SSL_do_handshake() failed: x509: certificate has expired or is not yet valid", False)
    ).diagnosis
    assert d.root_cause.category == "expired_credential"
    assert not any(a.kind == "rollback" for a in d.actions)
    assert any(a.kind == "config_change" and "Renew" in a.description for a in d.actions)


def test_requests_that_fell_by_half_right_after_a_change_are_an_incident(tmp_path) -> None:
    """The same fall, but its new lines are ones no rule knows. Nothing else moved, yet users not reaching
    the edge is an incident, never "no incident": the change just before is the suspect."""
    d = investigated(_edge(tmp_path, "handshake with client aborted: code 48", changed=True)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("edge", "recent_change")


def test_requests_that_dipped_and_came_back_are_not_an_incident(tmp_path) -> None:
    """Requests fell by half for twenty minutes and came back before the window ended, with no new lines
    and no change: a quiet spell, not users locked out."""
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api"], "api": []},
        alert=alertmanager("TrafficDrop", "edge"),
        logs=quiet_logs("edge", "api"),
        metric_lines=series(
            "requests",
            "edge",
            [(t, 160.0 if AT - 20 * M <= t < AT else v) for t, v in flat_then(T0, END, 400.0)],
        )
        + series("requests", "api", flat_then(T0, END, 200.0))
        + series("error_ratio", "edge", flat_then(T0, END, 0.002)),
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert d.root_cause.category == "no_incident"


def test_requests_that_fell_by_half_and_stay_down_are_never_called_noise(tmp_path) -> None:
    """The edge's requests fell to 40% and stay there, and nothing else says why: whatever the cause (a
    resolver, a CDN, a route outside our view), users are not reaching it. Not "no incident"."""
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api"], "api": []},
        alert=alertmanager("TrafficDrop", "edge"),
        logs=quiet_logs("edge", "api"),
        metric_lines=series("requests", "edge", flat_then(T0, END, 400.0, AT, 160.0))
        + series("requests", "api", flat_then(T0, END, 200.0))
        + series("error_ratio", "edge", flat_then(T0, END, 0.002)),
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert d.root_cause.category != "no_incident" and d.root_cause.confidence != "HIGH"
