"""World 22: written after world 21's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 22 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world22.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world22.faults import FAULTS, change

STYLE = Style(
    world=22,
    prefix="w22",
    mix=(211_109, 5_021, 101),
    start=datetime(2026, 1, 5, tzinfo=UTC),
    latency_s={"arr": 0.12, "iis": 0.1, "winsvc": 0.05, "ssrs": 1.2, "rabbitmq": 0.002, "mssql": 0.004, "ad": 0.002},
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.22,
        "memory_utilization": 0.58,
        "restarts": 0.0,
        "disk_utilization": 0.41,
    },
    untraced=("arr", "iis", "winsvc", "ssrs", "rabbitmq", "mssql", "ad", "saas"),
    curve=Curve(0.35, 480, 1440, floor=False, latency_swing=0.15),  # banking hours
    disk_techs=("mssql", "rabbitmq"),
    step_s=lambda sig: 60,
    jitter=0.04,
    pod_parts=(("a", "b", "c"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("iis", "winsvc", "ssrs"),
        (50, 200),
        "ModuleVersion =",
        "'3.{i}.1'",
        "'3.{i}.2'",
        "octopus-deploy",
    ),
    history_ids=("PRB", 40000, 49999),
    repo="{estate}/dsc",
    config_path="roles/{name}/settings.json",
    repo_file=("settings.json", '{"ModuleVersion": "3.0.1"}\n'),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "dc": "lon2"},
    receiver="payments-oncall",
    external_url="https://alerts.{estate}.corp.example",
    platform="vm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
