"""World 70: written after world 69's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 70 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world70.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world70.faults import FAULTS, change

# what prometheus-net measures requests on (the workers and the broker serve none)
SERVED = ("yarp", "blazor", "aspnet", "npgsql")
STYLE = Style(
    world=70,
    prefix="w70",
    mix=(700_531, 7_019, 709),
    start=datetime(2026, 10, 5, tzinfo=UTC),
    latency_s={"yarp": 0.12, "blazor": 0.2, "aspnet": 0.15, "npgsql": 0.06, "hangfire": 0.5, "pinoseq": 0.3,
               "seqlog": 2.0, "rabbitmq": 0.003},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.3,
    },
    untraced=("saas", "rabbitmq"),
    # France (UTC+1): clinics open from eight to seven, quiet at night
    curve=Curve(0.7, 300, 1440, floor=False, latency_swing=0.1),
    disk_techs=("rabbitmq",),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("6d8f9c7b5", "7f5c4d9b8"), ("2xk4q", "h7n2m", "q9w3e")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("blazor", "aspnet", "npgsql", "hangfire", "pinoseq"), (25, 240), "image.tag", "3.{i}.0",
                    "3.{i}.1", "gitlab-ci"),
    history_ids=("VET-", 1000, 2999),
    repo="vetcare/platform",
    config_path="deploy/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 3.0.0\nreplicaCount: 3\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "cluster": "ovh-gra-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-vetcare",
    external_url="https://alertmanager.vetcare.fr",
    only={"request_rate": (*SERVED, "pinoseq"), "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
