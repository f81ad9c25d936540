"""What world 88's first contact taught (a Wellington university's research cloud on OpenStack, its logs Kolla's
central logging saved by elasticdump from OpenSearch; written after world 87's rules and scored before any rule
saw it): 0.833 on each of seeds 1-4, no wrong HIGH; every line was read right. Its lesson: a scheduler that finds
no room to place work right after a change to how much room the hosts offer (an overcommit ratio) is that
change's doing, though no edge of the catalog joins them."""

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

NO_VALID_HOST = "Failed to compute_task_build_instances: No valid host was found. There are not enough hosts available."


def _builds(tmp_path: Path, name: str, key: str = "cpu_allocation_ratio", said: str = NO_VALID_HOST,
            changed: int = 3) -> str:  # fmt: skip
    """conductor (which reaches compute through a queue the catalog does not name) fails to place instances from
    eight minutes before the alert, saying `said`; compute's `key` changed `changed` minutes before that."""
    at = AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"api": ["conductor"], "conductor": ["db"], "compute": [], "db": []},
        alert=alertmanager("BuildFailures", "conductor"),
        logs=quiet_logs("api", "conductor", "compute", "db")
        + [log(at + i * 10 * S, "conductor", "error", said) for i in range(48)],
        metric_lines=series("error_ratio", "conductor", flat_then(T0, END, 0.004, at, 0.9))
        + series("error_ratio", "compute", flat_then(T0, END, 0.004))
        + series("error_ratio", "api", flat_then(T0, END, 0.004)),
        changes=[setting_change(at - changed * M, "compute", key, "4.0", "1.0")],
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_no_room_to_place_work_right_after_a_change_to_the_room_offered_is_that_changes(tmp_path: Path) -> None:
    assert _builds(tmp_path, "ratio") == "compute/recent_change"
    # Kubernetes' words for the same
    said = "0/6 nodes are available: 6 Insufficient cpu. preemption: 0/6 nodes are available"
    assert _builds(tmp_path, "pods", key="maxPods", said=said) == "compute/recent_change"
    # a setting that offers no room: nothing ties the failures to it
    assert not _builds(tmp_path, "log-level", key="log_level").startswith("compute/")
    # failures of another kind: not for want of room
    assert not _builds(tmp_path, "other", said="Failed to build instance: KeyError: 'image_ref'").startswith("compute/")
    # long before the failures began
    assert not _builds(tmp_path, "earlier", changed=40).startswith("compute/")
