"""World 64: written after world 63's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 64 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world64.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world64.faults import FAULTS, change

# what answers requests (the broker's are connections, not requests; a job's are its tasks)
SERVED = ("envoy", "spring", "goslog", "fastapi", "nodeconsole")
STYLE = Style(
    world=64,
    prefix="w64",
    mix=(640_481, 6_421, 641),
    start=datetime(2026, 4, 1, tzinfo=UTC),
    latency_s={"envoy": 0.12, "spring": 0.1, "goslog": 0.5, "fastapi": 0.8, "nodeconsole": 0.05, "celery": 2.0,
               "mosquitto": 0.01},
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.45,
        "restarts": 0.0,
        "disk_utilization": 0.3,
    },
    untraced=("saas", "celery", "mosquitto"),
    # rides through Almaty's day: commutes and the evening (UTC+5), fewest at night
    curve=Curve(0.9, 60, 720, floor=False, latency_swing=0.1),
    disk_techs=("mosquitto",),
    step_s=lambda sig: 20 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("k", "m", "x"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("spring", "goslog", "fastapi", "nodeconsole"), (25, 240), "image.tag", "4.{i}.1", "4.{i}.2",
                    "gitlab-ci"),
    history_ids=("VELO-", 120, 480),
    repo="velo-almaty/deploy",
    config_path="deploy/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "image:\n  tag: 4.0.1\nreplicaCount: 3\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "cluster": "mk8s-almaty",
        "env": "prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="telegram-oncall",
    external_url="https://alertmanager.velo.kz",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
