"""World 23: written after world 22's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 23 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world23.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world23.faults import FAULTS, change

STYLE = Style(
    world=23,
    prefix="w23",
    mix=(104_729, 7_919, 61),
    start=datetime(2026, 9, 14, tzinfo=UTC),
    latency_s={
        "traefik": 0.08,
        "elixir": 0.05,
        "keycloak": 0.18,
        "rust": 0.02,
        "loguru": 0.01,
        "quickfix": 0.03,
        "spdlog": 0.002,
        "vault": 0.01,
        "nats": 0.0008,
        "mongo": 0.004,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.38,
        "memory_utilization": 0.52,
        "restarts": 0.0,
        "replicas": 4.0,
    },
    untraced=("traefik", "vault", "nats", "mongo", "saas"),
    curve=Curve(0.8, 810, 780, floor=True, latency_swing=0.2),  # the US market's session, 13:30-20:00 UTC
    disk_techs=(),
    step_s=lambda sig: 20,
    jitter=0.05,
    pod_parts=(("5f7d9c", "8b2e4a", "c91f03"), ("x2kq9", "m7tz4", "r4vn8")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("elixir", "rust", "loguru", "spdlog"), (25, 140), "tag:", "7.{i}.3", "7.{i}.4", "flux"),
    history_ids=("SEV", 1000, 1999),
    repo="{estate}/deploy",
    config_path="clusters/prod/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 7.0.3\nreplicas: 4\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "severity": "page",
        "cluster": "trading-use1",
        "namespace": e.namespace,
    },
    receiver="trading-oncall",
    external_url="https://alerts.{estate}.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
