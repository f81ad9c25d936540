"""World 29: written after world 28's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 29 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world29.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world29.faults import FAULTS, change

STYLE = Style(
    world=29,
    prefix="w29",
    mix=(203_117, 3_571, 107),
    start=datetime(2026, 10, 5, tzinfo=UTC),
    latency_s={
        "nextjs": 0.2,
        "kong": 0.02,
        "spring": 0.06,
        "akka": 0.01,
        "oracle": 0.004,
        "artemis": 0.003,
        "kannel": 0.05,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.44,
        "memory_utilization": 0.57,
        "restarts": 0.0,
        "disk_utilization": 0.49,
    },
    untraced=("kong", "oracle", "artemis", "kannel", "saas"),
    curve=Curve(0.5, 1140, 1440, floor=False, latency_swing=0.12),  # evening usage
    disk_techs=("oracle", "artemis"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("7c9d8f6b5", "5d8c7b9f4", "6f4b9c8d7"), ("q2x7k", "m9z4t", "w8r3p")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("spring", "akka", "nextjs"), (40, 190), "newTag", "2.{i}.0", "2.{i}.1", "argocd"),
    history_ids=("PRB0", 10000, 19999),
    repo="{estate}/gitops",
    config_path="overlays/prod/{name}/kustomization.yaml",
    repo_file=("kustomization.yaml", "images:\n  - name: app\n    newTag: 2.0.0\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "major", "domain": "bss"},
    receiver="bss-oncall",
    external_url="https://alertmanager.apps.{estate}.example.net",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
