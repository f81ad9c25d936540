"""World 6: written after worlds 1-5 and the rules of 2026-12-01, and scored before any rule saw it
(estates.py, faults.py). `oncall scenarios generate OUT --world 6 --seed N` writes it; deterministic
per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world6.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world6.faults import FAULTS, change
from oncall.eval.worlds import Fault


def alert_labels(e: Estate, f: Fault) -> dict[str, str]:
    return {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "team": "sre"}


STYLE = Style(
    world=6,
    prefix="w6",
    mix=(271_829, 613, 89),
    start=datetime(2026, 3, 1, tzinfo=UTC),
    latency_s={
        "fastapi": 0.18,
        "rust": 0.04,
        "envoy": 0.25,
        "go": 0.06,
        "cassandra": 0.008,
        "postgres": 0.006,
        "redis": 0.001,
        "kafka": 0.01,
    },
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.5,
        "restarts": 0.0,
        "disk_utilization": 0.3,
    },
    untraced=("cassandra", "postgres", "redis", "kafka", "saas"),
    curve=Curve(0.4, 1080, 1440, floor=False, latency_swing=0.1),  # prime time
    disk_techs=("cassandra", "postgres", "kafka", "fastapi", "go"),
    step_s=lambda sig: 30,
    jitter=0.07,
    pod_parts=(("7d9f8c6b5d", "5c8d7e9f4b"), ("x7q2p", "m4k8z", "r2t6w")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("fastapi", "rust", "go"), (25, 45), "image.tag", "4.{i}.7", "4.{i}.8", "argocd"),
    history_ids=("INC", 3000, 9999),
    repo="{estate}/deploy",
    config_path="deploy/{name}/kustomization.yaml",
    repo_file=("kustomization.yaml", "images:\n  - name: app\n    newTag: 4.0.0\nreplicas:\n  - count: 3\n"),
    labels=alert_labels,
    receiver="pagerduty-sre",
    external_url="https://am.{estate}.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
