"""World 46: written after world 45's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 46 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world46.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world46.faults import FAULTS, change

HTTP_TECHS = ("envoy", "structlog", "fastapi", "triton", "vllm", "qdrant", "feast")
STYLE = Style(
    world=46,
    prefix="w46",
    mix=(460_211, 4_603, 467),
    start=datetime(2026, 4, 6, tzinfo=UTC),
    # Beyla's old OpenTelemetry names: http_server_duration in milliseconds
    latency_s={
        "envoy": 2600.0,
        "structlog": 2500.0,
        "fastapi": 120.0,
        "triton": 15.0,
        "vllm": 2400.0,
        "qdrant": 8.0,
        "feast": 6.0,
        "redis": 0.5,
        "coredns": 1.0,
        "ray": 1000.0,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.42,
        "memory_utilization": 0.58,
        "restarts": 0.0,
        "disk_utilization": 0.4,
    },
    untraced=("saas", "redis", "coredns", "ray"),
    curve=Curve(0.5, 540, 1440, floor=False, latency_swing=0.15),  # one working day's peak, across time zones
    disk_techs=("vllm", "triton", "qdrant", "redis"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("7d9f8c6b5", "5c8b7a9d4"), ("x2x7k", "r8p4m", "t6n2v")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("envoy", "structlog", "fastapi", "feast"),
        (30, 200),
        "image",
        "ghcr.io/lumen-ai/platform:7.{i}.3",
        "ghcr.io/lumen-ai/platform:7.{i}.4",
        "argocd",
    ),
    history_ids=("LUM-", 100, 999),
    repo="lumen-ai/{estate}-gitops",
    config_path="apps/{name}/values.yaml",
    repo_file=("values.yaml", "image: ghcr.io/lumen-ai/platform:7.0.3\nreplicas: 4\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "severity": "warning" if f.category == "no_incident" else "critical",
        "cluster": "lumen-prod",
    },
    receiver="ml-platform-pager",
    external_url="https://alertmanager.{estate}.example",
    only={
        "request_rate": HTTP_TECHS,
        "error_ratio": HTTP_TECHS,
        "latency_p99": HTTP_TECHS,
    },
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
