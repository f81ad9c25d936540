"""World 48: written after world 47's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 48 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world48.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world48.faults import FAULTS, change

# what Linkerd's proxies meter: servers behind a meshed port (not the job, not the connector)
MESHED = ("nestjs", "gozap", "elixir", "spring", "python", "rust", "cockroach", "temporal", "linkerd")
STYLE = Style(
    world=48,
    prefix="w48",
    mix=(480_317, 4_807, 487),
    start=datetime(2026, 5, 9, tzinfo=UTC),
    # Linkerd's response_latency_ms: milliseconds
    latency_s={
        "nestjs": 180.0,
        "gozap": 60.0,
        "elixir": 25.0,
        "spring": 90.0,
        "python": 45.0,
        "rust": 50.0,
        "job": 1.0,
        "connect": 1.0,
        "cockroach": 8.0,
        "valkey": 1.0,
        "temporal": 30.0,
        "linkerd": 5.0,
    },
    normal={"error_ratio": 0.002, "cpu_utilization": 0.44, "memory_utilization": 0.57, "restarts": 0.0},
    untraced=("saas", "valkey", "linkerd", "job", "connect", "cockroach", "temporal", "rust"),
    curve=Curve(0.7, 900, 1440, floor=False, latency_swing=0.1),  # evening kick-offs
    disk_techs=(),
    step_s=lambda sig: 15 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("6c9f7d8b5", "7d4b9c6f8"), ("k2x9p", "m7q4z", "w3n8r")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("nestjs", "gozap", "python", "rust", "elixir"), (30, 200), "image.tag", "1.{i}.3", "1.{i}.4", "argocd"
    ),
    history_ids=("GL", 1000, 1999),
    repo="goalline/{estate}-deploy",
    config_path="charts/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "image:\n  tag: 1.0.3\nreplicaCount: 6\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "severity": "warning" if f.category == "no_incident" else "critical",
        "cluster": "goalline-prod",
    },
    receiver="goalline-oncall",
    external_url="https://alertmanager.{estate}.example",
    only={"request_rate": MESHED, "error_ratio": MESHED, "latency_p99": MESHED},
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
