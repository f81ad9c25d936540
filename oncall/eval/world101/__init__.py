"""World 101: written after world 100's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 101 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world101.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world101.faults import FAULTS, change

VALUES = "replicaCount: 2\nimage:\n  repository: ghcr.io/sunmeter/{name}\n"

STYLE = Style(
    world=101,
    prefix="w101",
    mix=(1_010_101, 10_103, 1_013),
    start=datetime(2029, 6, 10, tzinfo=UTC),
    latency_s={
        "symfony": 0.2,
        "katip": 0.05,
        "vapor": 0.3,
        "zerolog": 0.02,
        "loguru": 0.1,
        "emqx": 0.005,
        "postgres": 0.01,
        "redis": 0.001,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.55,
        "disk_utilization": 0.45,
        "restarts": 0.0,
    },
    untraced=("symfony", "katip", "vapor", "zerolog", "loguru", "emqx", "postgres", "redis", "saas"),
    # the sun: inverters report most between 08:00 and 17:00 in Cape Town (UTC+2)
    curve=Curve(0.8, 360, 1440, floor=True, latency_swing=0.1),
    disk_techs=("postgres", "emqx", "redis"),
    step_s=lambda sig: 15,
    jitter=0.05,
    pod_parts=(("a", "b"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("symfony", "vapor", "zerolog", "loguru"), (40, 220), "image", "2029.11.{i}", "2029.11.{i}1", "argocd"
    ),
    history_ids=("SUN", 100, 999),
    repo="{estate}/gitops",
    config_path="apps/{name}/values.yaml",
    repo_file=("values.yaml", VALUES),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": "sunmeter",
        "severity": "page",
    },
    receiver="sunmeter-oncall",
    external_url="https://alertmanager.{estate}.co.za",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
