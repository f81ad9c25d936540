"""World 39: written after world 38's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 39 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world39.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world39.faults import FAULTS, change

STYLE = Style(
    world=39,
    prefix="w39",
    mix=(391_411, 6_653, 229),
    start=datetime(2026, 1, 19, tzinfo=UTC),
    latency_s={
        "rails": 0.12,
        "workhorse": 0.13,
        "sidekiq": 0.5,
        "gitaly": 0.02,
        "registry": 0.03,
        "runner": 0.4,
        "postgres": 0.003,
        "redis": 0.0006,
    },
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.5,
    },
    untraced=("gitaly", "runner", "postgres", "redis", "saas"),
    curve=Curve(0.5, 540, 1440, floor=True, latency_swing=0.1),  # working hours across time zones
    disk_techs=("gitaly", "postgres", "redis", "registry"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("7d9f8c6b5", "5b6c7d8e9"), ("k2x9p", "w7m3q", "z4n8r")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("rails", "sidekiq", "workhorse", "registry"), (40, 240), "image.tag", '"16.8.{i}"', '"16.8.{i}1"', "helm"
    ),
    history_ids=("INC", 4000, 4999),
    repo="{estate}/forge-deploy",
    config_path="values/{name}.yaml",
    repo_file=("{name}.yaml", "replicas: 2\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page"},
    receiver="forge-oncall",
    external_url="https://alertmanager.{estate}.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
