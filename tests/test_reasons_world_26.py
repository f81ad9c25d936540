"""What world 26's first contact taught (a game studio's services on Nomad and Consul, bundled the plain
DESIGN.md way by an OpenTelemetry collector; written after world 25's rules and scored before any rule
saw it): ten of fourteen right on each of its four seeds, no wrong HIGH. The misses: a Consul token past
its TTL ("403 (ACL not found)") read as Consul failing its caller, and a Consul change that stopped its
DNS answering for a database blamed on the first service that could not resolve it, because one of the
three services that broke worded the failure its own way ("no host is available")."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.analysts.offline.patterns import classify
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
    "words",
    [
        "failed to register: Unexpected response code: 403 (ACL not found)",
        "Error querying Nomad: ACL token not found",
        "refused: session token not found",
    ],
)
def test_a_token_its_server_no_longer_knows_is_an_expired_credential(words: str) -> None:
    assert classify(words) == "expired_credential"


def test_a_token_that_is_only_a_parsers_word_is_not_a_credential() -> None:
    assert classify("syntax error: token not found at line 3") is None


def test_a_token_its_server_deleted_is_the_callers_to_renew(tmp_path: Path) -> None:
    """alloc registers with sd (service discovery) and is called by mm; from AT every registration is
    refused for a token sd no longer knows, and mm cannot place anything."""
    at = ALERT_AT - 8 * M
    services = {"mm": ["alloc"], "alloc": ["sd"], "sd": []}
    logs = quiet_logs("mm", "alloc", "sd")
    logs += [log(at + i * 5 * S, "alloc", "error", "alloc.sd: failed to register server: "
                 'error="Unexpected response code: 403 (ACL not found)"') for i in range(100)]  # fmt: skip
    logs += [
        log(at + M + i * 10 * S, "mm", "error", "placement failed: no server could be allocated") for i in range(40)
    ]
    metrics = series("error_ratio", "alloc", flat_then(T0, END, 0.002, at, 0.95))
    metrics += series("error_ratio", "mm", flat_then(T0, END, 0.002, at + M, 0.4))
    metrics += series("error_ratio", "sd", flat_then(T0, END, 0.001))
    root = write_bundle(
        tmp_path / "b", services=services, alert=alertmanager("PlacementFailing", "mm"), logs=logs, metric_lines=metrics
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("alloc", "expired_credential")


def _names_stop_resolving(tmp_path: Path, *, changed: bool) -> Diagnosis:
    """a, b and c look `store` up through `discovery` (the estate's shared service discovery, with its
    DNS); from AT none of them can: two say the name did not resolve, the third (which also calls a, and
    breaks a minute later) only that no host could be reached. `changed`: discovery's DNS was set to answer with passing instances only four minutes
    before."""
    at = ALERT_AT - 8 * M
    services = {"a": ["store", "discovery"], "b": ["store", "discovery"], "c": ["a", "store", "discovery"], "d": []}
    services |= {"store": [], "discovery": []}
    logs = quiet_logs(*services)
    said = {
        "a": "Could not load profile 88213: java.net.UnknownHostException: store.service.discovery",
        "b": "NoHostAvailable: ('Unable to connect to any servers', {'store.service.discovery:9042': "
        "gaierror(-2, 'Name or service not known')})",
        "c": "Join failed: NoHostAvailableException: No host is available to be queried "
        "(tried: store.service.discovery:9042)",
    }
    # c, which also calls a, breaks a minute later and less
    for n, (svc, text) in enumerate(said.items()):
        logs += [log(at + n * 30 * S + i * 6 * S, svc, "error", text) for i in range(80 if svc != "c" else 20)]
    metrics = [ln for svc in "ab" for ln in series("error_ratio", svc, flat_then(T0, END, 0.002, at, 0.6))]
    metrics += series("error_ratio", "c", flat_then(T0, END, 0.002, at + M, 0.2))
    # both watched and fine (a dependency we see nothing of would answer for the names it should resolve)
    metrics += series("error_ratio", "store", flat_then(T0, END, 0.001))
    metrics += series("error_ratio", "discovery", flat_then(T0, END, 0.001))
    changes = [setting_change(at - 4 * M, "discovery", "dns_config.only_passing", "false", "true")] if changed else []
    root = write_bundle(
        tmp_path / "b",
        services=services,
        alert=alertmanager("ReadErrors", "a"),
        logs=logs,
        metric_lines=metrics,
        changes=changes,
    )
    return investigated(root).diagnosis


def test_shared_infrastructure_changed_and_its_users_failed_alike_though_one_words_it_otherwise(tmp_path) -> None:
    d = _names_stop_resolving(tmp_path, changed=True)
    assert (d.root_cause.service, d.root_cause.category) == ("discovery", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "discovery"


def test_without_a_change_the_name_service_is_not_blamed(tmp_path) -> None:
    d = _names_stop_resolving(tmp_path, changed=False)
    assert d.root_cause.service != "discovery"
