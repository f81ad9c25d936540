"""World 12: written after world 11's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 12 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import HTTP, Curve, Routine, Style
from oncall.eval.world12.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world12.faults import FAULTS, change

STYLE = Style(
    world=12,
    prefix="w12",
    mix=(271_828, 577, 41),
    start=datetime(2026, 8, 17, tzinfo=UTC),
    latency_s={
        "ingress": 0.06,
        "dotnet": 0.05,
        "rust": 0.012,
        "rails": 0.12,
        "go": 0.02,
        "python": 0.3,
        "postgres": 0.003,
        "redis": 0.0004,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.55,
        "disk_utilization": 0.35,
        "restarts": 0.0,
        "pool_utilization": 0.2,
    },
    untraced=("postgres", "redis", "saas"),
    curve=Curve(0.45, 540, 1440, floor=False, latency_swing=0.2),
    disk_techs=("postgres", "redis"),
    step_s=lambda sig: 30 if sig in HTTP else 60,
    jitter=0.05,
    pod_parts=(("7d9c4", "5b8f1", "66a0e"), ("qz2lm", "x8kpt")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("dotnet", "rust", "rails", "go", "python"), (15, 90), "image.tag", "2.{i}.3", "2.{i}.4", "ci-argo"
    ),
    history_ids=("CLN", 1000, 4999),
    repo="{estate}/helm-releases",
    config_path="deploy/{name}/values.yaml",
    repo_file=("values.yaml", "replicaCount: 3\nresources:\n  limits:\n    memory: 512Mi\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page"},
    receiver="clinic-oncall",
    external_url="http://alertmanager.{estate}.svc:9093",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
