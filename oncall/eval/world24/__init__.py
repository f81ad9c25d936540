"""World 24: written after world 23's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 24 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world24.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world24.faults import FAULTS, change

STYLE = Style(
    world=24,
    prefix="w24",
    mix=(130_363, 2_711, 89),
    start=datetime(2026, 5, 4, tzinfo=UTC),
    latency_s={
        "varnish": 0.04,
        "php": 0.35,
        "imgproxy": 0.09,
        "node": 0.03,
        "python": 0.12,
        "mysql": 0.006,
        "coredns": 0.0004,
        "memcached": 0.0005,
    },
    normal={"error_ratio": 0.004, "cpu_utilization": 0.33, "memory_utilization": 0.58, "restarts": 0.0},
    untraced=("varnish", "php", "mysql", "coredns", "memcached", "saas"),
    curve=Curve(0.45, 360, 1440, floor=False, latency_swing=0.15),  # readers in the morning
    disk_techs=(),
    step_s=lambda sig: 30,
    jitter=0.06,
    pod_parts=(("6b9f", "77cd", "f0a2"), ("jq4lp", "w8zrt", "c2mnx")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("php", "node", "python", "imgproxy"), (30, 160), "image.tag:", "2026.{i}.1", "2026.{i}.2", "argocd"
    ),
    history_ids=("NEWS", 100, 999),
    repo="{estate}/platform",
    config_path="charts/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "image:\n  tag: 2026.0.1\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "env": "prod"},
    receiver="web-oncall",
    external_url="https://alertmanager.{estate}.example.org",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
