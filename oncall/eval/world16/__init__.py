"""World 16: written after world 15's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 16 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import HTTP, Curve, Routine, Style
from oncall.eval.world16.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world16.faults import FAULTS, change

STYLE = Style(
    world=16,
    prefix="w16",
    mix=(314_159, 2_719, 97),
    start=datetime(2026, 3, 23, tzinfo=UTC),
    latency_s={
        "envoy": 0.09,
        "java": 0.08,
        "go": 0.02,
        "node": 0.04,
        "python": 0.12,
        "elasticsearch": 0.03,
        "postgres": 0.004,
    },
    normal={"error_ratio": 0.001, "cpu_utilization": 0.45, "memory_utilization": 0.6, "restarts": 0.0},
    untraced=("elasticsearch", "postgres", "saas"),
    curve=Curve(0.4, 600, 1440, floor=False, latency_swing=0.12),
    disk_techs=(),
    step_s=lambda sig: 15 if sig in HTTP else 30,
    jitter=0.04,
    pod_parts=(("7d9f8", "5c2ab"), ("x2k4p", "m8q1z", "b7w3n", "r4t6y")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("java", "go", "node", "python"), (30, 150), "image.tag", "2026.{i}.0", "2026.{i}.1", "argocd"),
    history_ids=("PCL", 3000, 3999),
    repo="{estate}/deploy",
    config_path="deploy/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 2026.0.0\nconcurrency: 4\nreplicas: 3\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "cluster": "prod"},
    receiver="parcels-pager",
    external_url="http://alertmanager.monitoring.svc:9093",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
