"""What world 32's first contact taught (a DNS and edge-delivery provider on bare-metal hosts, bundled the
plain DESIGN.md way with local times and syslog's numeric severities; written after world 31's rules and
scored before any rule saw it): eight of fourteen right on each seed, no wrong HIGH. Its first lesson: what
only a certificate authority serves (OCSP responses, revocation lists) failing is the authority's failure,
when the one certificate authority the caller depends on is a provider we see nothing of."""

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


def _staples(tmp_path: Path, *, about_ocsp: bool) -> Diagnosis:
    """edge serves customers' sites from origins, with certificates from ca (both providers we have no
    telemetry from); for half an hour it could not refresh its OCSP staples, and from AT handshakes fail.
    `about_ocsp`: its lines say so; else they name no revocation service."""
    at = ALERT_AT - 8 * M
    warn = (
        "failed to refresh OCSP response for certificate *.customer.example: responder returned 503"
        if about_ocsp
        else "failed to refresh session ticket keys for *.customer.example: responder returned 503"
    )
    error = "SSL handshake failed: stapled OCSP response expired" if about_ocsp else "SSL handshake failed"
    logs = quiet_logs("edge")
    logs += [log(at - 30 * M + i * 60 * S, "edge", "warn", warn) for i in range(30)]
    logs += [log(at + i * 10 * S, "edge", "error", f"{error} for *.customer.example") for i in range(40)]
    metrics = series("error_ratio", "edge", flat_then(T0, END, 0.001, at, 0.12))
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["origins", "ca"], "origins": [], "ca": []},
        alert=alertmanager("EdgeTlsHandshakeFailures", "edge"),
        logs=logs,
        metric_lines=metrics,
    )
    return investigated(root).diagnosis


def test_what_only_a_certificate_authority_serves_failing_is_the_authoritys(tmp_path: Path) -> None:
    d = _staples(tmp_path, about_ocsp=True)
    assert (d.root_cause.service, d.root_cause.category) == ("ca", "dependency_failure")
    assert d.root_cause.confidence != "HIGH"  # we see nothing of the authority itself


def test_errors_naming_no_revocation_service_are_not_the_authoritys(tmp_path: Path) -> None:
    assert _staples(tmp_path, about_ocsp=False).root_cause.service != "ca"
