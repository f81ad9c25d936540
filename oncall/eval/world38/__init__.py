"""World 38: written after world 37's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 38 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world38.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world38.faults import FAULTS, change

STYLE = Style(
    world=38,
    prefix="w38",
    mix=(381_667, 3_319, 211),
    start=datetime(2026, 1, 19, tzinfo=UTC),
    latency_s={
        "phoenix": 0.02,
        "zapgo": 0.05,
        "rails": 0.09,
        "py": 2.0,
        "postgres": 0.004,
        "redis": 0.0005,
        "nats": 0.001,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.42,
        "memory_utilization": 0.52,
        "restarts": 0.0,
        "disk_utilization": 0.4,
    },
    untraced=("phoenix", "postgres", "redis", "nats", "saas"),
    curve=Curve(0.7, 1080, 1440, floor=True, latency_swing=0.15),  # evenings and weekends, matches
    disk_techs=("postgres", "redis", "nats"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("6f9c7b8d4", "84d5c6f9b"), ("q2x7k", "z9m4t", "h3w8p")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("zapgo", "rails", "phoenix", "py"), (40, 240), "image.tag", "2026.01.1{i}-1", "2026.01.1{i}-2", "argocd"
    ),
    history_ids=("BET", 100, 999),
    repo="{estate}/charts",
    config_path="charts/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "replicaCount: 3\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical"},
    receiver="betting-oncall",
    external_url="https://alertmanager.{estate}.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
