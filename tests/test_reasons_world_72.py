"""What world 72's first contact taught (a Brazilian port-logistics platform on Huawei Cloud's CCE with Istio, its
logs DataSet's query API exported with jq; written after world 71's rules and scored before any rule saw it):
11, 13, 14 and 12 of 14 right on seeds 1-4, one wrong HIGH. Its reasons: a level numbered up with severity, 3 its
info, is told from syslog's by the number most lines carry (most lines of any estate are routine); and a store
that ran out of what its users use up, just after one of them changed a setting, may have been filled by it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

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
    read_logs_of,
    series,
    setting_change,
    signals,
    write_bundle,
)


def _match(t: datetime, pod: str, line: str, severity: int) -> dict:
    """A match of DataSet's query API, its session inlined: the time in epoch nanoseconds as a string."""
    return {"timestamp": str(int(t.timestamp()) * 1_000_000_000), "message": line, "severity": severity,
            "attributes": {"pod_name": pod, "container_name": pod.split("-")[0], "stream": "stdout"},
            "session": {"serverHost": "10.16.2.31", "k8s-controller": pod.split("-")[0]}}  # fmt: skip


def test_a_level_numbered_up_with_severity_is_told_by_the_number_most_lines_carry(tmp_path: Path) -> None:
    """DataSet's severity runs 0 (finest) to 6 (fatal), 3 info, which it also gives every line no parser read:
    most lines carry 3, so 5 is an error and 4 a warning, where on syslog's scale 3 would be an error and 5 a
    notice; a 3 says nothing, and the line's own words decide."""
    at = ALERT_AT - 8 * M
    matches = [
        _match(at - (60 - i) * M, f"{s}-6f8d9-k2m4p", "slot reserved", 3) for i in range(60) for s in ("api", "db")
    ]
    matches += [_match(at + i * M / 4, "api-6f8d9-k2m4p", "nfe rejected: Servico Paralisado", 5) for i in range(30)]
    matches += [_match(at + i * M / 2, "api-6f8d9-r7t9w", "nfe queued for retry", 4) for i in range(12)]
    matches += [_match(at + i * M / 2, "api-6f8d9-r7t9w", "ERROR could not render report", 3) for i in range(6)]
    reads = read_logs_of(tmp_path / "up", matches)["api"]
    assert "ERROR 30x" in reads and "Servico Paralisado" in reads, reads
    assert "WARN 12x" in reads and "ERROR 6x" in reads, reads  # (a 3 whose words say error)
    # syslog's numbers, most lines at 6 (info): 3 stays an error
    matches = [
        _match(at - (60 - i) * M, f"{s}-6f8d9-k2m4p", "slot reserved", 6) for i in range(60) for s in ("api", "db")
    ]
    matches += [_match(at + i * M / 4, "api-6f8d9-k2m4p", "nfe rejected: Servico Paralisado", 3) for i in range(30)]
    reads = read_logs_of(tmp_path / "down", matches)["api"]
    assert "ERROR 30x" in reads, reads
    # only 3 and 6, most at 3: Docker's GELF streams (stderr 3, stdout 6) are not flipped: 6 is no fatal
    matches = [_match(at - (60 - i) * M, "api-6f8d9-k2m4p", "slot reserved", 3) for i in range(60)]
    matches += [_match(at + i * M / 4, "api-6f8d9-k2m4p", "GET /agenda 200", 6) for i in range(30)]
    reads = read_logs_of(tmp_path / "gelf", matches)["api"]
    assert "CRITICAL" not in reads and "ERROR 30x" not in reads, reads


def _pool(tmp_path: Path, name: str, changes: list[dict]) -> tuple[str, str]:
    """db's connections climbing to its limit from 35 minutes before the alert, api (which uses it with jobs)
    refused by it from 8 minutes before: the root cause named, and its confidence."""
    at = ALERT_AT - 8 * M
    climb = ALERT_AT - 35 * M
    pool = [(t, v if t < climb else min(1.0, 0.3 + 0.7 * (t - climb) / (27 * M))) for t, v in flat_then(T0, END, 0.3)]
    refused = "FATAL: sorry, too many clients already"
    root = write_bundle(
        tmp_path / name,
        services={"api": ["db"], "jobs": ["db"], "db": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=sorted(
            quiet_logs("api", "jobs", "db")
            + [log(at + i * M / 6, "api", "error", f"could not get a connection: {refused}") for i in range(40)]
            + [log(at + i * M / 6, "db", "error", refused) for i in range(40)],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("pool_utilization", "db", pool)
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at, 0.4)),
        changes=changes,
        signals=signals("error_ratio", "pool_utilization"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.root_cause.confidence


def test_a_store_out_of_what_its_users_use_up_just_after_one_changed_a_setting_may_have_been_filled(
    tmp_path: Path,
) -> None:
    at = ALERT_AT - 35 * M
    setting = setting_change(at - 20 * M, "jobs", "concurrencyPolicy", "Forbid", "Allow")
    said = _pool(tmp_path, "setting", [setting])
    assert said[1] != "HIGH", said
    # a release that only moved a version, or a setting changed long before: the store's running out stands
    bump = setting_change(at - 20 * M, "jobs", "image", "jobs:1.4.0", "jobs:1.4.1", kind="deploy")
    assert _pool(tmp_path, "bump", [bump]) == ("db/resource_exhaustion", "HIGH")
    early = setting_change(at - 3 * 60 * M, "jobs", "concurrencyPolicy", "Forbid", "Allow")
    assert _pool(tmp_path, "early", [early]) == ("db/resource_exhaustion", "HIGH")


def test_a_kustomize_image_tag_bumped_is_a_version_not_a_setting() -> None:
    """kustomize's images name the new version newTag (and newName): a release, like any other."""
    from oncall.core import diffs

    path = "overlays/prod/topup/kustomization.yaml"
    bump = f"--- a/{path}\n+++ b/{path}\n@@ -12,1 +12,1 @@\n-  newTag: 2.1.0\n+  newTag: 2.1.1\n"
    assert diffs.version_only(bump)
    limit = f"--- a/{path}\n+++ b/{path}\n@@ -12,1 +12,1 @@\n-  maxConnections: 100\n+  maxConnections: 10\n"
    assert not diffs.version_only(limit)
