"""Two doubts that keep a change-based answer at MEDIUM when what followed the change does not say how it broke
(world 90's first contact gave four wrong HIGHs a seed this way: a keytab's renewal blamed as a change to undo
while the Kerberos errors after it were unread, and planned work nobody had named blamed for a slowdown):

- a credential rotated under a service whose errors since could not be read: it may hold a wrong new credential
  (undo the rotation) or still the old one (read it again), and only those errors say which;
- a change followed by nothing but a modest slowdown (under three times, no error, nothing at its limit, no
  neighbour broken): a change that costs a little time may be the work it does on purpose.

Neither knows any product's words: they ask what was read, not what it said."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import ALERT_AT as AT
from tests.bundles import (
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    log,
    quiet_logs,
    series,
    setting_change,
    signals,
    verdict,
    write_bundle,
)

# a refusal in words no pattern knows (a made-up product's own phrasing)
UNREAD = "frobnicate handshake rejected by peer: code 0x1f, session 7a"


def _changed(tmp_path: Path, name: str, key: str, old: str, new: str, kind: str, said: str = UNREAD,
             app_said: str = "request to store failed") -> str:  # fmt: skip
    """store's `key` changed `old` -> `new` two minutes before it began failing its caller app, saying `said`; app
    saying `app_said` (by default only that store failed it)."""
    at = AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"app": ["store"], "store": []},
        alert=alertmanager("AppFailures", "app"),
        logs=quiet_logs("app", "store")
        + [log(at + i * 10 * S, "store", "error", said) for i in range(40)]
        + [log(at + M + i * 15 * S, "app", "error", app_said) for i in range(20)],
        metric_lines=series("error_ratio", "store", flat_then(T0, END, 0.002, at, 0.9))
        + series("error_ratio", "app", flat_then(T0, END, 0.002, at + M, 0.5)),
        changes=[setting_change(at - 2 * M, "store", key, old, new, kind=kind)],
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_a_rotated_credential_with_unread_errors_is_blamed_at_medium(tmp_path: Path) -> None:
    assert _changed(tmp_path, "rotated", "service keytab", "kvno 4", "kvno 5 (rotated)", "credential") == (
        "store/recent_change"
    )
    # its caller's errors about it were read (it refused their connections): they say what the rotation did
    refused = "connection to store refused: x509: certificate signed by unknown authority"
    assert _changed(tmp_path, "users-read", "service keytab", "kvno 4", "kvno 5 (rotated)", "credential",
                    app_said=refused).endswith("/HIGH")  # fmt: skip
    # or they only say it failed them, but over the certificate it showed: that is what the rotation did
    shown = 'Get "https://store.example/v2/": tls: failed to verify certificate: x509: certificate is valid for example'
    assert _changed(tmp_path, "users-cert", "tls.commonName", "store.example", "example", "secret",
                    app_said=shown).endswith("/HIGH")  # fmt: skip
    # a secret whose value holds a setting beside the password, changed with it: that change, at HIGH
    assert _changed(tmp_path, "pool", "ConnectionStrings__Store", "Host=db;Password=a1;Maximum Pool Size=100",
                    "Host=db;Password=b2;Maximum Pool Size=10", "secret").endswith("/HIGH")  # fmt: skip
    # ...but only its password changed: a rotation, whose unread errors keep it at MEDIUM
    assert _changed(tmp_path, "password", "ConnectionStrings__Store", "Host=db;Password=a1", "Host=db;Password=b2",
                    "secret") == "store/recent_change"  # fmt: skip
    # a setting that is not a credential, with the same unread errors: the change is the cause, said at HIGH
    assert _changed(tmp_path, "setting", "handshake.mode", "lenient", "strict", "config") == "store/recent_change/HIGH"
    # a rotation whose errors were read (it checks what callers sign with the new secret): undo it, at HIGH
    signed = "webhook signature verification failed: no signatures found matching the expected signature"
    assert _changed(tmp_path, "read", "webhook secret", "whsec_a", "whsec_b (rotated)", "secret", said=signed) == (
        "store/recent_change/HIGH"
    )


def _slowed(tmp_path: Path, name: str, to: float, errors: int = 0, ratio: float = 0.002, cpu: float = 0.5,
            app_ratio: float = 0.002, requests: float = 1.0, app_p99: float = 0.2) -> str:  # fmt: skip
    """store's p99 rose from 0.06 s to `to` from a minute after a job began on it, with `errors` error lines, its
    error ratio rising to `ratio`, its CPU to `cpu`, its requests `requests` times, and its caller app's error
    ratio to `app_ratio` and its p99 from 0.2 s to `app_p99`."""
    at = AT - 12 * M
    root = write_bundle(
        tmp_path / name,
        services={"app": ["store"], "store": []},
        alert=alertmanager("StoreSlowWrites", "store", severity="warning"),
        logs=quiet_logs("app", "store") + [log(at + i * 10 * S, "store", "error", UNREAD) for i in range(errors)],
        metric_lines=series("latency_p99", "store", flat_then(T0, END, 0.06, at, to))
        + series("error_ratio", "store", flat_then(T0, END, 0.002, at, ratio))
        + series("cpu_utilization", "store", flat_then(T0, END, 0.4, at, cpu))
        + series("request_rate", "store", flat_then(T0, END, 100.0, at, 100.0 * requests))
        + series("error_ratio", "app", flat_then(T0, END, 0.002, at + M, app_ratio))
        + series("latency_p99", "app", flat_then(T0, END, 0.2, at + M, app_p99)),
        changes=[setting_change(at - M, "store", "nightly-import", "idle", "running (import, hourly)", kind="job")],
        signals=signals("latency_p99", "error_ratio", "cpu_utilization", "request_rate"),
    )
    return verdict(root)


def test_a_change_followed_only_by_a_modest_slowdown_is_blamed_at_medium(tmp_path: Path) -> None:
    assert _slowed(tmp_path, "modest", 0.125) == "store/recent_change"
    # serving more requests does not make the slowdown a fault
    assert _slowed(tmp_path, "busier", 0.125, requests=1.6) == "store/recent_change"
    # nor does its caller waiting on it a little longer
    assert _slowed(tmp_path, "caller-waits", 0.125, app_p99=0.3) == "store/recent_change"
    # four times slower, failing as well (its lines, or its error ratio), its CPU at the limit, or its caller
    # broken: the change broke it
    assert _slowed(tmp_path, "slower", 0.25) == "store/recent_change/HIGH"
    assert _slowed(tmp_path, "logged", 0.125, errors=40) == "store/recent_change/HIGH"
    assert _slowed(tmp_path, "ratio", 0.125, ratio=0.3) == "store/recent_change/HIGH"
    assert _slowed(tmp_path, "cpu", 0.125, cpu=0.99) == "store/recent_change/HIGH"
    assert _slowed(tmp_path, "caller", 0.125, app_ratio=0.4) == "store/recent_change/HIGH"
