"""World 21: written after world 20's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 21 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world21.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world21.faults import FAULTS, change

STYLE = Style(
    world=21,
    prefix="w21",
    mix=(190_237, 4_441, 97),
    start=datetime(2026, 2, 2, tzinfo=UTC),
    latency_s={
        "envoy": 0.09,
        "go": 0.06,
        "node": 0.03,
        "java": 0.12,
        "python": 0.2,
        "cockroach": 0.006,
        "postgres": 0.004,
        "redis": 0.0006,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.41,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.47,
    },
    untraced=("envoy", "cockroach", "postgres", "redis", "saas"),
    curve=Curve(0.5, 1080, 1440, floor=False, latency_swing=0.3),  # players in the evening
    disk_techs=("cockroach", "postgres", "redis"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("7f9c", "5d2a", "b81e"), ("q2", "w7", "z4", "k9")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("node", "java", "go", "python"),
        (30, 150),
        "newTag:",
        "2025.4{i}.2",
        "2025.4{i}.3",
        "argocd-image-updater",
    ),
    history_ids=("INC", 2000, 4999),
    repo="{estate}/gitops",
    config_path="deploy/{name}/config.yaml",
    repo_file=("config.yaml", "newTag: 2025.40.2\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "severity": "page",
        "k8s_cluster_name": "arena-eu-prod",
        "k8s_namespace_name": e.namespace,
    },
    receiver="arena-pager",
    external_url="https://alertmanager.{estate}.example.net",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
