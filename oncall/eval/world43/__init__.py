"""World 43: written after world 42's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 43 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world43.estates import BACKGROUND, ESTATES, NOISE, PREFIX, record
from oncall.eval.world43.faults import FAULTS, change

STYLE = Style(
    world=43,
    prefix="w43",
    mix=(430_127, 4_303, 433),
    start=datetime(2026, 1, 5, tzinfo=UTC),
    latency_s={"node": 0.09, "rust": 0.02, "go": 0.05, "meili": 0.004, "postgres": 0.003},
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.25,
        "memory_utilization": 0.55,
        "disk_utilization": 55.0,  # Fly reports a volume's use in percent
    },
    untraced=("postgres", "meili", "saas"),
    curve=Curve(0.7, 1020, 1440, floor=True, latency_swing=0.1),  # evenings: people book dinner
    disk_techs=("postgres",),
    step_s=lambda sig: 15,
    jitter=0.04,
    pod_parts=(("m",), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("node", "rust", "go"),
        (40, 300),
        "image",
        '"registry.fly.io/tablely:deployment-1{i}0"',
        '"registry.fly.io/tablely:deployment-1{i}1"',
        "flyctl",
    ),
    history_ids=("INC", 10, 99),
    repo="{estate}/{estate}",
    config_path="apps/{name}/fly.toml",
    repo_file=("fly.toml", '[http_service]\n  auto_stop_machines = "stop"\n  min_machines_running = 1\n'),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f"{PREFIX}{f.alert_service}", "severity": "page"},
    receiver="tablely-pager",
    external_url="https://alertmanager.{estate}.example",
    platform="fly",
    only={
        "request_rate": ("node", "rust", "go", "meili"),
        "error_ratio": ("node", "rust", "go", "meili"),
        "latency_p99": ("node", "rust", "go", "meili"),
    },
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
