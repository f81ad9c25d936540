"""World 31: written after world 30's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 31 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world31.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world31.faults import FAULTS, change

STYLE = Style(
    world=31,
    prefix="w31",
    mix=(223_007, 3_821, 127),
    start=datetime(2026, 3, 2, tzinfo=UTC),
    latency_s={
        "appgw": 0.06,
        "dotnet": 0.05,
        "python": 3.0,
        "node": 0.04,
        "azuresql": 0.008,
        "cosmos": 0.006,
        "servicebus": 0.02,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.36,
        "memory_utilization": 0.5,
        "restarts": 0.0,
        "disk_utilization": 0.3,
    },
    untraced=("appgw", "azuresql", "cosmos", "servicebus", "saas"),
    curve=Curve(0.6, 540, 1440, floor=True, latency_swing=0.1),  # office hours
    disk_techs=("azuresql", "servicebus"),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("6d9f8c7b5", "7b5c4d9f8", "5f8d6c9b7"), ("kq2zn", "w8xv4", "p3rt7")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("dotnet", "python", "node"), (40, 240), "image.tag", "7.{i}.0", "7.{i}.1", "azure-pipelines"),
    history_ids=("INC0", 40000, 49999),
    repo="{estate}/platform",
    config_path="charts/{name}/values.prod.yaml",
    repo_file=("values.prod.yaml", "image:\n  tag: 7.0.0\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "Sev2", "team": "payroll"},
    receiver="payroll-oncall",
    external_url="https://alertmanager.{estate}.example.com",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
