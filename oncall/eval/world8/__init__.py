"""World 8: written after world 7's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 8 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import HTTP, Curve, Routine, Style
from oncall.eval.world8.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world8.faults import FAULTS, change
from oncall.eval.worlds import Fault


def alert_labels(e: Estate, f: Fault) -> dict[str, str]:
    return {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "squad": e.name}


STYLE = Style(
    world=8,
    prefix="w8",
    mix=(161_803, 331, 53),
    start=datetime(2026, 1, 10, tzinfo=UTC),
    latency_s={
        "spring": 0.22,
        "express": 0.09,
        "aspnet": 0.11,
        "nginx": 0.12,
        "elasticsearch": 0.05,
        "redis": 0.001,
        "sqlserver": 0.01,
        "postgres": 0.01,
    },
    normal={"error_ratio": 0.002, "cpu_utilization": 0.35, "memory_utilization": 0.55, "restarts": 0.0},
    untraced=("postgres", "sqlserver", "redis", "elasticsearch", "saas"),
    curve=Curve(0.6, 480, 1440, floor=True, latency_swing=0.2),  # office hours
    disk_techs=None,
    step_s=lambda sig: 30 if sig in HTTP else 60,
    jitter=0.06,
    pod_parts=(("5b6c7d8e9", "9e8d7c6b5"), ("ab1cd", "ef2gh", "ij3kl")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("spring", "express", "aspnet"), (15, 50), "image.tag", "3.{i}.1", "3.{i}.2", "flux"),
    history_ids=("PIR", 10, 99),
    repo="{estate}/gitops",
    config_path="apps/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 3.0.0\nreplicas: 2\n"),
    labels=alert_labels,
    receiver="opsgenie",
    external_url="https://am.{estate}.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
