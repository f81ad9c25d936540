"""What world 79's first contact taught (a Chilean copper mine's fleet platform on EKS, its logs Honeycomb's
raw-data export; written after world 78's rules and scored before any rule saw it): 12 of 14 right on each of seeds
1-4, no wrong HIGH; both misses were EMQX's expired certificate, whose lines were not found. Its reason: a backend
that flattens an OpenTelemetry record's resource into the record writes the pod under its dotted name
(`k8s.pod.name`), and a file the collector read with no service of its own (Honeycomb's `unknown_service`) is the
service its pod is named after."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.bundles import ALERT_AT, M, S, read_logs_of


def _event(t: datetime, service: str, body: str, level: str = "") -> dict:
    """One event of Honeycomb's export: the record's fields at the top level under their dotted names; with no
    level, a container file the filelog receiver read (no service.name of its own: Honeycomb's unknown_service)."""
    pod = f"{service}-6d8f9c7b5-q4x7z" if level else f"{service}-1"
    return {"Timestamp": f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}000Z", "meta.signal_type": "log",
            "service.name": service if level else "unknown_service", "severity_text": level, "body": body,
            "k8s.pod.name": pod, "k8s.namespace.name": "prod", "k8s.node.name": "ip-10-20-1-7.ec2.internal"}  # fmt: skip


def test_a_file_read_without_a_service_is_the_service_its_flattened_pod_names(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    rows = [_event(ALERT_AT - 120 * M + i * 5 * M, "api", "ok", "INFO") for i in range(20)]
    rows += [_event(ALERT_AT - 120 * M + i * M, "db", "[info] msg: client_connected") for i in range(100)]
    said = '[warning] msg: ssl_handshake_error, reason: {tls_alert,{certificate_expired,"Certificate Expired"}}'
    rows += [_event(at + i * 10 * S, "db", said) for i in range(30)]
    text = read_logs_of(tmp_path, sorted(rows, key=lambda r: r["Timestamp"], reverse=True))
    assert "certificate_expired" in text["db"] and "30x in window" in text["db"], text["db"]
    assert "certificate_expired" not in text["api"], text["api"]
