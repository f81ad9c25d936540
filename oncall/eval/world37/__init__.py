"""World 37: written after world 36's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 37 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world37.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world37.faults import FAULTS, change

STYLE = Style(
    world=37,
    prefix="w37",
    mix=(371_533, 5_521, 197),
    start=datetime(2026, 1, 19, tzinfo=UTC),
    latency_s={
        "spring": 0.15,
        "django": 0.09,
        "gosync": 0.4,
        "mysql": 0.004,
        "memcached": 0.0004,
        "activemq": 0.003,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.58,
        "restarts": 0.0,
        "disk_utilization": 0.46,
    },
    untraced=("mysql", "memcached", "activemq", "gosync", "saas"),
    curve=Curve(0.55, 360, 1440, floor=True, latency_swing=0.15),  # shoppers by day, quiet at night
    disk_techs=("mysql", "activemq"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a",), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("spring", "django", "gosync"), (40, 240), "version", "2.{i}.0", "2.{i}.1", "jenkins"),
    history_ids=("SHOP", 3000, 3999),
    repo="{estate}/ansible",
    config_path="group_vars/{name}.yml",
    repo_file=("{name}.yml", "version: 2.0.0\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page"},
    receiver="shop-oncall",
    external_url="https://alertmanager.{estate}.example",
    platform="vm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
