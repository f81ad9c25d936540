"""World 32: written after world 31's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 32 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world32.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world32.faults import FAULTS, change

STYLE = Style(
    world=32,
    prefix="w32",
    mix=(239_401, 3_907, 131),
    start=datetime(2026, 1, 12, tzinfo=UTC),
    latency_s={"ats": 0.03, "zapgo": 0.001, "pdns": 0.0008, "knot": 0.0007, "mojo": 0.12, "timer": 4.0},
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.33,
        "memory_utilization": 0.48,
        "restarts": 0.0,
        "disk_utilization": 0.41,
    },
    untraced=("ats", "pdns", "knot", "timer", "saas"),
    curve=Curve(0.55, 1200, 1440, floor=False, latency_swing=0.1),  # European evenings
    disk_techs=None,
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("r1", "r2", "r3"), ("01", "02", "03")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("zapgo", "mojo", "pdns"), (45, 220), "package_version", "3.{i}.4", "3.{i}.5", "ansible"),
    history_ids=("ZC-", 300, 899),
    repo="{estate}/infra",
    config_path="hosts/group_vars/{name}.yml",
    repo_file=("{name}.yml", "package_version: 3.0.4\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "dc": "fra1"},
    receiver="noc",
    external_url="https://alertmanager.fra1.{estate}.example.net",
    platform="vm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
