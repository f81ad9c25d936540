"""World 17: written after world 16's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 17 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world17.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world17.faults import FAULTS, change

STYLE = Style(
    world=17,
    prefix="w17",
    mix=(271_828, 3_141, 61),
    start=datetime(2026, 10, 5, tzinfo=UTC),
    latency_s={
        "nginx": 0.12,
        "php": 0.09,
        "rails": 0.15,
        "celery": 45.0,
        "go": 0.02,
        "mysql": 0.003,
        "rabbitmq": 0.004,
        "memcached": 0.001,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.38,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.41,
    },
    untraced=("nginx", "mysql", "rabbitmq", "memcached", "saas"),
    curve=Curve(0.3, 480, 1440, floor=False, latency_swing=0.1),
    disk_techs=("mysql", "rabbitmq"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("5f7c9d", "8b2e41"), ("k2x9p", "q7m4z", "t1w8c")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("php", "rails", "go", "celery"), (25, 120), "image", "2026.4{i}.0", "2026.4{i}.1", "deploybot"),
    history_ids=("CAMP", 100, 999),
    repo="{estate}/infra",
    config_path="k8s/{name}/deployment.yaml",
    repo_file=(
        "deployment.yaml",
        "spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - image: api\n",
    ),
    labels=lambda e, f: {"alertname": f.alertname, "service": f.alert_service, "severity": "page", "env": "prod"},
    receiver="campus-oncall",
    external_url="https://alerts.campus.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
