"""World 58: written after world 57's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 58 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world58.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world58.faults import FAULTS, change

SERVED = ("nginx", "kotlin", "golang", "python", "node", "java", "emqx", "postgres", "redis")
STYLE = Style(
    world=58,
    prefix="w58",
    mix=(581_041, 5_813, 587),
    start=datetime(2026, 5, 4, tzinfo=UTC),
    latency_s={
        "nginx": 0.15,
        "kotlin": 0.05,
        "golang": 0.03,
        "python": 0.12,
        "node": 0.2,
        "java": 1.8,
        "emqx": 0.004,
        "postgres": 0.005,
        "redis": 0.001,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.38,
        "memory_utilization": 0.57,
        "restarts": 0.0,
        "disk_utilization": 0.44,
    },
    untraced=("saas", "emqx", "postgres", "redis"),
    curve=Curve(0.6, 480, 1440, floor=False, latency_swing=0.1),  # pickups after work
    disk_techs=("postgres", "emqx", "redis"),
    step_s=lambda sig: 15,
    jitter=0.05,
    pod_parts=(("a", "b"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("kotlin", "golang", "python", "node", "java"), (40, 300), "image.tag", "6.{i}.0", "6.{i}.1",
                    "flux"),
    history_ids=("PCZ-", 100, 899),
    repo="paczka/flux-fleet",
    config_path="releases/{name}.yaml",
    repo_file=("{name}.yaml", "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  values:\n"
               "    replicaCount: 3\n    resources:\n      limits:\n        memory: 1Gi\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "severity": "info" if f.category == "no_incident" else "critical",
    },
    receiver="lockers-dyzur",
    external_url="https://alertmanager.paczka.example",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
