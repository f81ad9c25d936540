"""World 63: written after world 62's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 63 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world63.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world63.faults import FAULTS, change

# what answers requests over HTTP (or DNS) and is measured so by OpenTelemetry or its own exporter
SERVED = ("caddy", "openmatch", "agones", "dotnet", "winston", "gostd", "pylog", "coredns")
STYLE = Style(
    world=63,
    prefix="w63",
    mix=(630_457, 6_311, 631),
    start=datetime(2026, 3, 1, tzinfo=UTC),
    latency_s={"caddy": 0.08, "openmatch": 0.5, "agones": 0.12, "dotnet": 0.05, "winston": 0.3, "gostd": 0.02,
               "pylog": 0.04, "coredns": 0.002, "unreal": 0.03, "gojob": 1.0, "vector": 0.2, "seastar": 0.004,
               "redpanda": 0.003, "cnpg": 0.005},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "restarts": 0.0,
        "disk_utilization": 0.52,
    },
    untraced=("saas", "gojob", "seastar", "cnpg", "coredns", "unreal", "vector", "redpanda"),
    # Europe's evening: players peak around 20:00 UTC, fewest around 08:00
    curve=Curve(0.7, 840, 1440, floor=False, latency_swing=0.15),
    disk_techs=("seastar", "redpanda", "cnpg"),
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("a", "b", "c", "d"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("openmatch", "dotnet", "winston", "gostd", "pylog"), (20, 180), "image.tag", "2.{i}.4",
                    "2.{i}.5", "flux"),
    history_ids=("ASH-", 100, 999),
    repo="kestrelforge/ashfall-deploy",
    config_path="clusters/fsn1/ashfall-live/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 2.0.4\nreplicaCount: 4\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "cluster": "k3s-fsn1",
        "namespace": e.namespace,
        "severity": "warning" if f.category == "no_incident" else "critical",
        "team": "live-ops",
    },
    receiver="opsgenie-live-ops",
    external_url="https://alertmanager.kestrelforge.dev",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
