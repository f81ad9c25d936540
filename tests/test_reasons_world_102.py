"""What world 102's first contact taught (a Lisbon bike-share on Exoscale SKS, its logs Fluentd's out_s3 archive;
written after world 101's rules and scored before any rule saw it): 0.833 on each of seeds 1-4, no wrong HIGH. Its
misses: a Cilium upgrade that turned on WireGuard between nodes, after which every service's calls to TiDB timed out
while TiDB sat idle, was put on a service's routine deploy or on the dependency; and docks, out of file descriptors
under a load that had not grown, was told to raise its limit. Its lessons:

- a change to how the network carries every packet between nodes (the CNI's tunnel or its encryption, the MTU) is a
  change to every path, as an egress rule or a route is to some: services that cannot reach others right after it
  were cut off by it;
- descriptors that ran out while the load did not grow, with nothing changed, are held by a leak: a restart releases
  them (a limit raised only puts the day off); run out as the load grew, the limit is what to raise."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from oncall.analysts.offline.patterns import reaches
from tests.bundles import ALERT_AT as AT
from tests.bundles import (
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    iso,
    series,
    setting_change,
    signals,
    verdict,
    write_bundle,
)

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]


def _log(t: datetime, service: str, level: str, message: str) -> dict:
    return {"ts": iso(t), "service": service, "level": level, "message": message}


def _network_changed(tmp_path: Path, old: str, new: str) -> str:
    """The platform's network agent (which no service says it uses) changed ten minutes before the alert, and
    two minutes later two services' calls to the database they share began timing out, the database itself well."""
    at = AT - 8 * M
    root = write_bundle(
        tmp_path,
        services={"api": ["rides", "docks"], "rides": ["db"], "docks": ["db"], "db": [], "netagent": []},
        alert=alertmanager("ApiServerErrors", "api"),
        logs=[_log(t, s, "info", "request served") for t in BASELINE for s in ("api", "rides", "docks", "db")]
        + [_log(at + 10 * i * S, "docks", "error", 'batch store failed error="error communicating with database: '
                'Connection timed out (os error 110)"') for i in range(45)]
        + [_log(at + 10 * i * S, "rides", "error", "query failed: connect ETIMEDOUT 10.2.3.4:4000")
           for i in range(45)],
        metric_lines=series("error_ratio", "rides", flat_then(T0, END, 0.002, at, 0.3))
        + series("error_ratio", "docks", flat_then(T0, END, 0.002, at, 0.25))
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at + M, 0.2))
        + series("error_ratio", "db", flat_then(T0, END, 0.001)),
        changes=[setting_change(at - 2 * M, "netagent", "encryption", old, new)],
        signals=signals("error_ratio"),
    )  # fmt: skip
    return verdict(root)


def test_a_change_to_how_the_cluster_carries_packets_cut_the_paths_that_failed_after_it(tmp_path: Path) -> None:
    assert _network_changed(tmp_path / "wg", "disabled", "wireguard").startswith("netagent/")
    # a change of the same agent that says nothing of how packets travel does not explain the timeouts
    assert not _network_changed(tmp_path / "log", "info", "debug").startswith("netagent/")
    for said in ("mtu: 1450", "tunnel: vxlan", "routingMode: tunnel", "ipsec.enabled=true", "tunnelProtocol: geneve",
                 "cni.exclusive: false", "encapsulation: disabled"):  # fmt: skip
        assert reaches(said), said
    for said in ("encryption at rest: aws:kms", "logLevel: debug", "replicas: 3"):
        assert not reaches(said), said


def _out_of_descriptors(tmp_path: Path, load_grew: bool, changed: bool = False) -> list[tuple[str, str]]:
    """docks runs out of open files eight minutes before the alert: its load steady or grown beforehand, a
    release of it twenty minutes before or none. Its actions, (kind, description), in order."""
    at = AT - 8 * M
    rate = flat_then(T0, END, 400.0, at - 20 * M, 640.0) if load_grew else flat_then(T0, END, 400.0)
    root = write_bundle(
        tmp_path,
        services={"api": ["docks"], "docks": ["db"], "db": []},
        alert=alertmanager("DockReportsFailing", "docks"),
        logs=[_log(t, "docks", "info", "dock report accepted") for t in BASELINE]
        + [_log(at + 6 * i * S, "docks", "error", "accept error: Too many open files (os error 24)") for i in range(70)],
        metric_lines=series("error_ratio", "docks", flat_then(T0, END, 0.002, at, 0.8))
        + series("request_rate", "docks", rate),
        changes=[setting_change(at - 20 * M, "docks", "image", "1.4.1", "1.4.2", kind="deploy")] if changed else [],
        signals=signals("error_ratio", "request_rate"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == (
        "docks",
        "recent_change" if changed else "resource_exhaustion",
    )
    return [(a.kind, a.description) for a in d.actions]


@pytest.mark.parametrize(
    ("load_grew", "changed", "first"),
    [(False, False, "restart"), (True, False, "config_change"), (False, True, "rollback")],
)
def test_descriptors_run_out_under_steady_load_are_released_by_a_restart(
    tmp_path: Path, load_grew: bool, changed: bool, first: str
) -> None:
    acts = _out_of_descriptors(tmp_path, load_grew, changed)
    assert acts[0][0] == first, acts
    if first == "restart":  # the limit stays a step, after what releases them
        assert "leak" in acts[0][1]
        assert any(k == "config_change" and "open-file limit" in d for k, d in acts), acts
    else:  # more load, or a release that may have brought the leak: a restart is not the answer
        assert "restart" not in [k for k, _ in acts], acts
