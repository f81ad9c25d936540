"""World 59: written after world 58's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 59 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world59.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world59.faults import FAULTS, change

SERVED = ("kong", "rust", "golang", "elixir", "dotnet", "python", "node")
STYLE = Style(
    world=59,
    prefix="w59",
    mix=(591_013, 5_917, 593),
    start=datetime(2026, 6, 8, tzinfo=UTC),
    latency_s={
        "kong": 0.12,
        "rust": 0.02,
        "golang": 0.04,
        "elixir": 0.01,
        "dotnet": 1.3,
        "python": 0.15,
        "node": 0.3,
        "postgres": 0.004,
        "redis": 0.001,
    },
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.48,
    },
    untraced=("saas", "postgres", "redis"),
    curve=Curve(0.7, 600, 1440, floor=False, latency_swing=0.1),  # evenings, when on-sales open
    disk_techs=("postgres", "redis"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("rust", "golang", "elixir", "dotnet", "python", "node"), (35, 240), "image.tag", "2026.{i}.3",
                    "2026.{i}.4", "argocd-image-updater"),
    history_ids=("INC-", 2100, 2999),
    repo="podiumkaart/platform-gitops",
    config_path="apps/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "replicaCount: 3\nresources:\n  limits:\n    cpu: 1\n    memory: 1Gi\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "cluster": "podium-prod-weu",
        "severity": "info" if f.category == "no_incident" else "page",
    },
    receiver="tickets-oncall",
    external_url="https://alertmanager.podiumkaart.example",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
