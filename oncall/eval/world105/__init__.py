"""World 105: written after world 104's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 105 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world105.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world105.faults import FAULTS, change

VALUES = "replicaCount: 3\nimage:\n  repository: harbor.kowhai.nz/kowhai/{name}\n  tag: 3.14.2\n"
SERVED = ("blazor", "aspnet", "hangfire", "goslog")

STYLE = Style(
    world=105,
    prefix="w105",
    mix=(1_050_105, 10_505, 1_055),
    start=datetime(2029, 6, 11, tzinfo=UTC),
    latency_s={
        "blazor": 0.3,
        "aspnet": 0.07,
        "hangfire": 2.5,
        "goslog": 0.4,
        "postgres": 0.008,
        "rabbit": 0.002,
        "redis": 0.0008,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "disk_utilization": 0.45,
        "pool_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("blazor", "aspnet", "hangfire", "goslog", "postgres", "rabbit", "redis", "saas"),
    # homes' mornings and evenings in Christchurch (UTC+12): 06:30-22:00 NZST is 18:30-10:00 UTC
    curve=Curve(0.75, 1110, 1860, floor=True, latency_swing=0.1),
    disk_techs=("postgres", "rabbit", "redis"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("blazor", "aspnet", "hangfire", "goslog"), (40, 250), "tag", "3.{i}.2", "3.{i}.3", "argocd"),
    history_ids=("KWH", 200, 899),
    repo="{estate}/gitops",
    config_path="deploy/{name}/values.yaml",
    repo_file=("values.yaml", VALUES),
    labels=lambda e, f: {
        "alertname": f.alertname,
        "job": f"kowhai/{f.alert_service}",
        "namespace": "kowhai",
        "severity": "critical",
    },
    receiver="kowhai-oncall",
    external_url="https://alertmanager.{estate}.nz",
    compact=True,
    only={
        "pool_utilization": ("aspnet", "hangfire", "postgres"),
        "request_rate": (*SERVED, "postgres", "rabbit", "redis"),
        "error_ratio": SERVED,
        "latency_p99": (*SERVED, "postgres", "rabbit", "redis"),
    },
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
