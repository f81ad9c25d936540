"""World 19: written after world 18's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 19 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world19.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world19.faults import FAULTS, change

STYLE = Style(
    world=19,
    prefix="w19",
    mix=(141_421, 2_718, 97),
    start=datetime(2026, 3, 2, tzinfo=UTC),
    latency_s={
        "envoy": 0.09,
        "zap": 0.03,
        "node": 0.11,
        "emqx": 0.002,
        "rust": 0.04,
        "kafka": 0.004,
        "streams": 0.35,
        "clickhouse": 0.02,
        "structlog": 0.2,
        "postgres": 0.004,
    },
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.33,
        "memory_utilization": 0.58,
        "restarts": 0.0,
        "disk_utilization": 0.47,
    },
    untraced=("envoy", "emqx", "kafka", "clickhouse", "postgres", "saas"),
    curve=Curve(0.25, 420, 1440, floor=False, latency_swing=0.15),
    disk_techs=("kafka", "clickhouse", "postgres"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("7d9f6c4b8", "5b8c2e7f1"), ("2xk9q", "m4t7w", "9pzr3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("zap", "rust", "structlog", "node"), (30, 150), "image.tag:", "1.{i}4.2", "1.{i}4.3", "argocd"),
    history_ids=("IOT", 200, 899),
    repo="{estate}/gitops",
    config_path="clusters/prod/{name}/values.yaml",
    repo_file=("values.yaml", "replicaCount: 3\nimage:\n  tag: 1.04.2\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "cluster": "iot-prod"},
    receiver="fleet-oncall",
    external_url="https://alertmanager.fleet.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
