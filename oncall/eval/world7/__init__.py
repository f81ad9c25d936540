"""World 7: written after world 6's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 7 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world7.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world7.faults import FAULTS, change
from oncall.eval.worlds import Fault


def alert_labels(e: Estate, f: Fault) -> dict[str, str]:
    return {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "squad": e.name}


STYLE = Style(
    world=7,
    prefix="w7",
    mix=(314_159, 271, 97),
    start=datetime(2026, 2, 1, tzinfo=UTC),
    latency_s={
        "java": 0.3,
        "node": 0.12,
        "python": 0.2,
        "nginx": 0.15,
        "postgres": 0.01,
        "mysql": 0.008,
        "rabbitmq": 0.004,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.45,
        "memory_utilization": 0.6,
        "restarts": 0.0,
        "disk_utilization": 0.4,
    },
    untraced=("postgres", "mysql", "rabbitmq", "saas"),
    curve=Curve(0.5, 660, 720, floor=True, latency_swing=0.25),  # lunch and dinner
    disk_techs=("postgres", "mysql", "rabbitmq", "python", "java"),
    step_s=lambda sig: 60,
    jitter=0.06,
    pod_parts=(("6f8d9c7b4", "84c7d9e5f"), ("kq2x8", "p9w3n")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("java", "node", "python"), (10, 30), "image", "1.{i}.4", "1.{i}.5", "spinnaker"),
    history_ids=("PM", 100, 900),
    repo="{estate}/infra",
    config_path="services/{name}/deploy.yaml",
    repo_file=("deploy.yaml", "image: 1.0.0\nreplicas: 3\n"),
    labels=alert_labels,
    receiver="opsgenie",
    external_url="https://am.{estate}.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
