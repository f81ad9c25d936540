"""World 25: written after world 24's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 25 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import HTTP, Curve, Routine, Style
from oncall.eval.world25.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world25.faults import FAULTS, change

STYLE = Style(
    world=25,
    prefix="w25",
    mix=(155_921, 3_301, 71),
    start=datetime(2026, 3, 9, tzinfo=UTC),
    latency_s={
        "nginx": 0.06,
        "django": 0.25,
        "hapi": 0.09,
        "mirth": 0.04,
        "dotnet": 0.05,
        "redis": 0.0008,
        "postgres": 0.005,
        "rabbitmq": 0.002,
        "certmanager": 0.01,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.36,
        "memory_utilization": 0.49,
        "restarts": 0.0,
        "disk_utilization": 0.41,
    },
    untraced=("nginx", "mirth", "redis", "postgres", "rabbitmq", "certmanager", "saas"),
    curve=Curve(0.6, 420, 1440, floor=False, latency_swing=0.2),  # clinic hours
    disk_techs=("mirth", "postgres", "redis", "rabbitmq"),
    step_s=lambda sig: 15 if sig in HTTP else 60,
    jitter=0.05,
    pod_parts=(("7c4d9", "58bf2", "d31e6"), ("2xq7k", "9mfwz", "h4trp")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("django", "hapi", "dotnet", "mirth"), (40, 180), "image.tag:", "4.{i}.0", "4.{i}.1", "flux"),
    history_ids=("PRB", 10000, 19999),
    repo="{estate}/gitops",
    config_path="environments/prod/{name}.yaml",
    repo_file=("{name}.yaml", "image:\n  tag: 4.0.0\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "tenant": "care"},
    receiver="clinical-platform",
    external_url="https://alertmanager.{estate}.example.nhs",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
