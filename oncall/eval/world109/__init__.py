"""World 109: written after world 108's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 109 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world109.estates import BACKGROUND, ESTATES, NOISE, batch, record
from oncall.eval.world109.faults import FAULTS, change

VALUES_YAML = (
    "replicaCount: 2\nimage:\n  repository: europe-west9-docker.pkg.dev/bibli-lyon-prod/apps/app\n  tag: 3.4.1\n"
    "resources:\n  requests:\n    cpu: 500m\n    memory: 1Gi\n  limits:\n    memory: 1Gi\n"
    "autoscaling:\n  minReplicas: 2\n  maxReplicas: 8\n"
)
SERVED = ("svelte", "mojo", "fastapi", "slog", "meili")

STYLE = Style(
    world=109,
    prefix="w109",
    mix=(1_090_109, 10_909, 1_099),
    start=datetime(2029, 9, 1, tzinfo=UTC),
    latency_s={
        "svelte": 0.11,
        "mojo": 0.06,
        "fastapi": 0.05,
        "slog": 0.4,
        "meili": 0.012,
        "cloudsql": 0.004,
        "cloudnat": 0.001,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.32,
        "memory_utilization": 0.45,
        "disk_utilization": 0.4,
        "pool_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("svelte", "mojo", "fastapi", "slog", "meili", "cloudsql", "cloudnat", "saas"),
    # the libraries' day in Lyon (UTC+1 in the winter): busiest at lunch and after school
    curve=Curve(0.7, 720, 1440, floor=False, latency_swing=0.1),
    disk_techs=("cloudsql", "meili"),
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("6d8f9c7b5", "59c7d8f6b", "7b9d6f5c8"), ("k2x9q", "p7t4m", "w3n8r")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(SERVED, (45, 250), "image.tag", "3.{i}.1", "3.{i}.2", "deploy"),
    history_ids=("BIB", 30, 520),
    repo="{estate}/deploy",
    config_path="deploy/{name}/values.yaml",
    repo_file=("values.yaml", VALUES_YAML),
    labels=lambda e, f: {
        "alertname": f.alertname,
        "workload": f.alert_service,
        "cluster": "bibli-autopilot",
        "severity": "page",
    },
    receiver="bibli-astreinte",
    external_url="https://alertmanager.{estate}.lyon.example",
    metered=(*SERVED, "cloudsql"),
    compact=True,
    only={
        "pool_utilization": ("mojo", "fastapi", "slog", "cloudsql"),
        "request_rate": (*SERVED, "cloudsql"),
        "error_ratio": SERVED,
        "latency_p99": (*SERVED, "cloudsql"),
    },
    batch=batch,
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
