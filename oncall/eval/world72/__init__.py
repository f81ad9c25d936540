"""World 72: written after world 71's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 72 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world72.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world72.faults import FAULTS, change

# what Istio's sidecars see serving (the gate-events consumer and the reports job serve nothing)
SERVED = ("envoy", "nextjs", "quarkus", "structlog")
STYLE = Style(
    world=72,
    prefix="w72",
    mix=(720_611, 7_219, 727),
    start=datetime(2027, 1, 11, tzinfo=UTC),
    # Istio's durations are in milliseconds
    latency_s={"envoy": 90.0, "nextjs": 180.0, "quarkus": 60.0, "goslog": 20.0, "structlog": 400.0, "pycron": 1000.0,
               "postgres": 4.0, "kafka": 5.0, "coredns": 1.0},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,  # of the limit
        "memory_utilization": 0.45,
        "pool_utilization": 0.3,
    },
    untraced=("saas", "postgres", "kafka", "coredns"),
    # the port's day (UTC-3): trucks from five in the morning to the evening, the gates quiet at night
    curve=Curve(0.6, 300, 1440, floor=False, latency_swing=0.1),
    disk_techs=(),
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("6f8d9c7b5", "7b9c5d8f6"), ("k2m4p", "r7t9w", "z3x8q")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("nextjs", "quarkus", "goslog", "structlog"), (25, 230), "image.tag", "3.{i}.0", "3.{i}.1",
                    "argocd"),
    history_ids=("PORTO-", 300, 900),
    repo="porto/platform",
    config_path="apps/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 3.0.0\nreplicaCount: 4\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "destination_workload_namespace": "porto",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-porto",
    external_url="https://alertmanager.porto.com.br",
    only={
        "request_rate": SERVED,
        "error_ratio": SERVED,
        "latency_p99": SERVED,
        "pool_utilization": ("postgres",),
    },
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
