"""World 41: written after world 40's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 41 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world41.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world41.faults import FAULTS, change

STYLE = Style(
    world=41,
    prefix="w41",
    mix=(410_233, 7_121, 251),
    start=datetime(2026, 3, 2, tzinfo=UTC),
    latency_s={
        "node": 0.09,
        "go": 0.045,
        "python": 0.07,
        "java": 0.25,
        "pushsub": 0.06,
        "postgres": 0.004,
        "redis": 0.0006,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.45,
        "pool_utilization": 0.32,
    },
    untraced=("pushsub", "postgres", "redis", "saas"),
    curve=Curve(0.5, 1230, 1440, floor=True, latency_swing=0.1),  # Europe's evenings: people plan trips after work
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("r",), ("a1", "b2", "c3", "d4")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("go", "python", "java", "node"),
        (40, 240),
        "image",
        "release:2026.02.{i}",
        "release:2026.02.{i}1",
        "cloud-build",
    ),
    history_ids=("STAY", 100, 899),
    repo="{estate}/cloud-run-services",
    config_path="services/{name}.yaml",
    repo_file=(
        "{name}.yaml",
        "spec:\n  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/maxScale: '100'\n",
    ),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "severity": "page",
        "project_id": "stayhub-prod",
    },
    receiver="stayhub-oncall",
    external_url="https://alertmanager.{estate}.example",
    platform="cloud-run",
    only={
        "pool_utilization": ("postgres",),
        "cpu_utilization": ("node", "go", "python", "java", "pushsub", "postgres"),
        "memory_utilization": ("node", "go", "python", "java", "pushsub", "postgres", "redis"),
    },
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
