"""World 34: written after world 33's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 34 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world34.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world34.faults import FAULTS, change

STYLE = Style(
    world=34,
    prefix="w34",
    mix=(263_167, 4_297, 139),
    start=datetime(2026, 1, 19, tzinfo=UTC),
    latency_s={
        "haproxy": 0.25,
        "php": 0.24,
        "cron": 30.0,
        "galera": 0.004,
        "redis": 0.0005,
        "nfs": 0.006,
        "clamd": 0.4,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.38,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.42,
    },
    untraced=("haproxy", "cron", "galera", "redis", "nfs", "clamd", "saas"),
    curve=Curve(0.6, 420, 1440, floor=True, latency_swing=0.2),  # term-time days, quiet nights
    disk_techs=("galera", "nfs", "redis"),
    step_s=lambda sig: 15,
    jitter=0.05,
    pod_parts=(("a",), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("php", "cron", "haproxy", "redis"), (40, 230), "package_version", "4.3.{i}", "4.3.{i}.1", "puppet"
    ),
    history_ids=("LMS", 100, 999),
    repo="{estate}/puppet-control",
    config_path="hieradata/role/{name}.yaml",
    repo_file=("{name}.yaml", "moodle::version: 4.3.0\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "site": "main"},
    receiver="lms-oncall",
    external_url="https://alertmanager.{estate}.uni.example",
    platform="vm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
