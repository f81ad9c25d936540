"""World 33: written after world 32's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 33 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world33.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world33.faults import FAULTS, change

STYLE = Style(
    world=33,
    prefix="w33",
    mix=(251_003, 4_111, 137),
    start=datetime(2026, 5, 11, tzinfo=UTC),
    latency_s={"rails": 0.18, "node": 0.09, "spring": 0.12, "py": 0.03, "golog": 0.6},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.42,
        "memory_utilization": 0.61,
        "restarts": 0.0,
        "disk_utilization": 0.22,
    },
    untraced=("golog", "saas"),
    curve=Curve(0.5, 840, 1440, floor=True, latency_swing=0.15),  # US business hours
    disk_techs=None,
    step_s=lambda sig: 20,
    jitter=0.05,
    pod_parts=(("0", "1", "2"), ("i",)),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("rails", "node", "py"), (35, 200), "app_version", "2.{i}.3", "2.{i}.4", "concourse"),
    history_ids=("HM", 1000, 4999),
    repo="{estate}/cf-manifests",
    config_path="apps/{name}/manifest.yml",
    repo_file=("manifest.yml", "applications:\n- name: app\n  memory: 1G\n  instances: 3\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "P2", "space": "prod"},
    receiver="platform-oncall",
    external_url="https://alertmanager.sys.{estate}.example.com",
    platform="cloudfoundry",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
