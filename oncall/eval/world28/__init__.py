"""World 28: written after world 27's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 28 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world28.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world28.faults import FAULTS, change

STYLE = Style(
    world=28,
    prefix="w28",
    mix=(191_413, 3_329, 101),
    start=datetime(2026, 9, 1, tzinfo=UTC),
    latency_s={
        "caddy": 0.04,
        "golog": 0.03,
        "pylog": 0.09,
        "jul": 0.05,
        "celery": 1.2,
        "sidekiq": 0.5,
        "clickhouse": 0.2,
        "opensearch": 0.03,
        "redis": 0.0007,
        "mysql": 0.004,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.38,
        "memory_utilization": 0.52,
        "restarts": 0.0,
        "disk_utilization": 0.45,
    },
    untraced=("caddy", "redis", "mysql", "clickhouse", "opensearch", "saas"),
    curve=Curve(0.5, 600, 1440, floor=False, latency_swing=0.15),  # business hours
    disk_techs=("mysql", "opensearch", "clickhouse"),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("a1", "b2", "c3"), ("x", "y", "z")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("golog", "pylog", "jul", "celery", "sidekiq"),
        (35, 180),
        "image",
        "inkwell/app:3.{i}.0",
        "inkwell/app:3.{i}.1",
        "ci",
    ),
    history_ids=("INC-", 700, 999),
    repo="{estate}/deploy",
    config_path="ecs/{name}/task-definition.json",
    repo_file=("task-definition.json", '{\n  "image": "inkwell/app:3.0.0"\n}\n'),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "account": "prod"},
    receiver="pagerduty-prod",
    external_url="https://alertmanager.{estate}.example.com",
    platform="ecs",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
