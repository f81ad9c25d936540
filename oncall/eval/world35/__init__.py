"""World 35: written after world 34's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 35 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world35.estates import BACKGROUND, ESTATES, NOISE, STACK, record
from oncall.eval.world35.faults import FAULTS, change

STYLE = Style(
    world=35,
    prefix="w35",
    mix=(351_089, 7_211, 263),
    start=datetime(2026, 1, 19, tzinfo=UTC),
    latency_s={
        "kamailio": 0.05,
        "rtpengine": 0.002,
        "freeswitch": 0.3,
        "node": 0.12,
        "celery": 0.4,
        "py": 3.0,
        "rabbitmq": 0.003,
        "postgres": 0.006,
        "redis": 0.0008,
    },
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "restarts": 0.0,
        "disk_utilization": 0.48,
    },
    untraced=("kamailio", "rtpengine", "freeswitch", "rabbitmq", "postgres", "redis", "saas"),
    curve=Curve(0.5, 480, 1440, floor=False, latency_swing=0.15),  # business calls by day, some all night
    disk_techs=("postgres", "rabbitmq", "redis"),
    step_s=lambda sig: 60 if sig in ("cpu_utilization", "memory_utilization", "disk_utilization", "restarts") else 15,
    jitter=0.05,
    pod_parts=(("t",), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("node", "celery", "py", "kamailio"), (50, 240), "IMAGE", "2.{i}.4", "2.{i}.5", "ci"),
    history_ids=("VOX", 1000, 4999),
    repo="{estate}/swarm-stacks",
    config_path="stacks/voice/{name}.env",
    repo_file=("{name}.env", "LOG_LEVEL=info\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f"{STACK}_{f.alert_service}",
        "severity": "page",
        "dc": "par1",
    },
    receiver="voice-pager",
    external_url="https://alerts.{estate}.example",
    platform="swarm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
