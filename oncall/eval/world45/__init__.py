"""World 45: written after world 44's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 45 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world45.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world45.faults import FAULTS, change

HTTP_TECHS = ("go", "rust", "fastapi", "keycloak", "registry")
STYLE = Style(
    world=45,
    prefix="w45",
    mix=(450_151, 4_507, 457),
    start=datetime(2026, 2, 9, tzinfo=UTC),
    latency_s={
        "go": 0.03,
        "rust": 0.012,
        "fastapi": 0.08,
        "keycloak": 0.05,
        "registry": 0.004,
        "kstreams": 0.01,
        "airflow": 1.0,
        "kafka": 0.002,
        "timescale": 0.004,
        "redis": 0.0005,
    },
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.36,
        "memory_utilization": 0.52,
        "restarts": 0.0,
        "disk_utilization": 0.45,
        "pool_utilization": 0.3,
    },
    untraced=("kafka", "registry", "timescale", "redis", "saas", "airflow"),
    curve=Curve(0.3, 360, 720, floor=False, latency_swing=0.1),  # morning and evening forecasts
    disk_techs=("kafka", "timescale"),
    step_s=lambda sig: 30,
    jitter=0.04,
    pod_parts=(("6d8f7c9b4", "5b7c9d2e1"), ("h2x7k", "q9m4t", "w3z8p")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("go", "rust", "fastapi", "kstreams"),
        (30, 200),
        "image",
        "ghcr.io/stormcast/app:4.{i}.0",
        "ghcr.io/stormcast/app:4.{i}.1",
        "argocd",
    ),
    history_ids=("SC-", 1000, 1999),
    repo="{estate}/deploy",
    config_path="deploy/{name}/values.yaml",
    repo_file=("values.yaml", "image: ghcr.io/stormcast/app:4.0.0\nreplicas: 3\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "severity": "page",
        "cluster": "stormcast-prod",
    },
    receiver="stormcast-oncall",
    external_url="https://alertmanager.{estate}.example",
    only={
        "request_rate": HTTP_TECHS,
        "error_ratio": (*HTTP_TECHS, "kstreams"),
        "latency_p99": HTTP_TECHS,
        "pool_utilization": ("timescale",),
    },
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
