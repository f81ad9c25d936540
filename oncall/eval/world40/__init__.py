"""World 40: written after world 39's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 40 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world40.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world40.faults import FAULTS, change

STYLE = Style(
    world=40,
    prefix="w40",
    mix=(402_211, 7_019, 241),
    start=datetime(2026, 1, 19, tzinfo=UTC),
    latency_s={
        "nginx": 0.09,
        "django": 0.08,
        "spring": 0.05,
        "node": 0.04,
        "mailer": 0.6,
        "imgproxy": 0.12,
        "indexer": 2.0,
        "postgres": 0.004,
        "redis": 0.0005,
        "rabbitmq": 0.002,
        "opensearch": 0.03,
        "unbound": 0.001,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "restarts": 0.0,
        "disk_utilization": 0.45,
    },
    untraced=("nginx", "indexer", "postgres", "redis", "rabbitmq", "opensearch", "unbound", "saas"),
    curve=Curve(0.55, 1200, 1440, floor=True, latency_swing=0.15),  # evenings busiest: people browse after work
    disk_techs=("postgres", "rabbitmq", "opensearch", "redis"),
    step_s=lambda sig: 20,
    jitter=0.05,
    pod_parts=(("a",), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("django", "spring", "node", "mailer", "imgproxy"),
        (40, 240),
        "app_version",
        '"2026.1.{i}"',
        '"2026.1.{i}1"',
        "ansible",
    ),
    history_ids=("SWAP", 300, 999),
    repo="{estate}/ansible",
    config_path="roles/{name}/defaults/main.yml",
    repo_file=("main.yml", "app_version: 2026.1.0\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "env": "live"},
    receiver="swapmart-oncall",
    external_url="https://alertmanager.{estate}.example",
    platform="vm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
