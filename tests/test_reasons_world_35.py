"""What world 35's first contact taught (a programmable-voice provider on Docker Swarm, bundled the plain
DESIGN.md way by a Fluentd aggregator in the hosts' zone; written after world 34's rules and scored before
any rule saw it): thirteen of fourteen right on average, one wrong HIGH in 56. Every miss was the SIP edge
whose own certificate the carrier refused: its calls to the switch behind it failed too, the switch broke a
minute later, and the edge was read as the switch's victim. A service whose own certificate or credential
expired before its dependency moved is failing for its own reason."""

from __future__ import annotations

from pathlib import Path

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
    write_bundle,
)


def _edge(tmp_path: Path, edge_says: str, switch_lead: int = -1) -> Diagnosis:
    """The edge fails from AT with `edge_says` and a few lines that its calls to the switch failed; the switch
    (which the edge depends on) breaks `switch_lead` minutes before it (-1: a minute after), its lines saying
    a call got a 503."""
    at = ALERT_AT - 7 * M
    moved = at - switch_lead * M
    logs = quiet_logs("edge", "switch")
    logs += [log(at + i * 10 * S, "edge", "error", edge_says) for i in range(30)]
    logs += [log(at + 20 * S + i * 30 * S, "edge", "error", "INVITE relayed to switch failed") for i in range(8)]
    logs += [
        log(moved + i * 15 * S, "switch", "warn", "Hangup [NORMAL_TEMPORARY_FAILURE]: 503 Service Unavailable")
        for i in range(20)
    ]
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["switch", "carrier"], "switch": [], "carrier": []},
        alert=alertmanager("OutboundCallsFailing", "edge"),
        logs=logs,
        metric_lines=series("error_ratio", "edge", flat_then(T0, END, 0.004, at, 0.45))
        + series("error_ratio", "switch", flat_then(T0, END, 0.004, moved, 0.3)),
    )
    return investigated(root).diagnosis


def test_a_service_whose_own_certificate_expired_before_its_dependency_moved_is_the_cause(tmp_path: Path) -> None:
    d = _edge(tmp_path, "TLS connect:error:0A000415:SSL routines::sslv3 alert certificate expired")
    assert (d.root_cause.service, d.root_cause.category) == ("edge", "expired_credential")


def test_a_caller_that_only_times_out_is_still_its_failing_dependencys_victim(tmp_path: Path) -> None:
    d = _edge(tmp_path, "request to switch timed out after 5000 ms")
    assert d.root_cause.service == "switch"


def test_a_peers_expired_certificate_that_the_caller_checked_is_no_reason_of_its_own(tmp_path: Path) -> None:
    d = _edge(tmp_path, "TLS connect: certificate verify failed: certificate has expired")
    assert d.root_cause.service == "switch"


def test_credentials_expiring_after_the_dependency_broke_are_its_doing(tmp_path: Path) -> None:
    d = _edge(tmp_path, "401 Unauthorized: the access token has expired", switch_lead=1)
    assert d.root_cause.service == "switch"
    edge = next(c for c in d.alternatives if c.service == "edge")
    assert "switch, which broke no later" in (edge.ruled_down or "")
