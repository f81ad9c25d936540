"""World 57: written after world 56's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 57 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world57.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world57.faults import FAULTS, change

SERVED = ("envoy", "node", "golang", "java", "kotlin", "python", "rust", "mysql", "redis", "kafka")
STYLE = Style(
    world=57,
    prefix="w57",
    mix=(571_031, 5_717, 571),
    start=datetime(2026, 4, 6, tzinfo=UTC),
    latency_s={
        "envoy": 0.2,
        "node": 0.18,
        "golang": 0.012,
        "java": 0.3,
        "kotlin": 0.25,
        "python": 0.02,
        "rust": 0.03,
        "mysql": 0.003,
        "redis": 0.001,
        "kafka": 0.004,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.6,
        "restarts": 0.0,
        "disk_utilization": 0.3,
    },
    untraced=("saas", "mysql", "redis", "kafka"),
    curve=Curve(0.7, 0, 1440, floor=False, latency_swing=0.1),  # evenings in Japan: a day's one swing
    disk_techs=("rust", "mysql", "kafka", "redis"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a", "b"), ("x", "y", "z")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("node", "golang", "java", "kotlin", "python", "rust"), (40, 300), "image.tag", "v{i}.4.0",
                    "v{i}.4.1", "argocd"),
    history_ids=("KMN-", 200, 999),
    repo="kaimono/gitops",
    config_path="apps/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: v1.4.0\nresources:\n  requests:\n    cpu: 500m\n    memory: 512Mi\n"
               "    ephemeral-storage: 1Gi\n  limits:\n    memory: 1Gi\n    ephemeral-storage: 2Gi\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "cluster": e.name,
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="shop-oncall",
    external_url="https://alertmanager.kaimono.example",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
