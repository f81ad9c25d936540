"""World 9: written after world 8's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 9 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import HTTP, Curve, Routine, Style
from oncall.eval.world9.estates import BACKGROUND, ESTATES, NOISE, UNSEEN, Estate, record
from oncall.eval.world9.faults import FAULTS, change
from oncall.eval.worlds import Fault, eventbridge_alarm

METRIC = {"HighLatency": ("LatencyP99", "Maximum", 2.0), "HighErrorRate": ("ErrorRatio", "Average", 0.05)}


def alert_labels(e: Estate, f: Fault) -> dict[str, str]:
    return {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "team": e.name}


def cloudwatch_alarm(e: Estate, f: Fault, t: datetime, rng: random.Random) -> tuple[dict[str, Any], str] | None:
    """The freight estate alarms through CloudWatch and EventBridge: one alarm per service and metric."""
    if e.shipper != "journald":
        return None
    metric, stat, threshold = METRIC[f.alertname]
    name = f"prod-{f.alert_service}-{metric}"
    event = eventbridge_alarm(
        name,
        t,
        rng,
        account="318204117723",
        region="eu-central-1",
        description=f"{metric} of {f.alert_service} over {threshold}",
        metric=("Freight/Services", metric, stat, threshold),
        dimensions={e.label: f.alert_service, "Environment": "prod"},
    )
    return event, name


STYLE = Style(
    world=9,
    prefix="w9",
    mix=(271_828, 577, 89),
    start=datetime(2026, 3, 1, tzinfo=UTC),
    latency_s={
        "haproxy": 0.09,
        "envoy": 0.11,
        "go": 0.05,
        "grpc": 0.03,
        "python": 0.25,
        "node": 0.14,
        "postgres": 0.006,
        "memcached": 0.0008,
    },
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
        "disk_utilization": 0.55,
        "restarts": 0.0,
        "pool_utilization": 0.25,
    },
    untraced=("postgres", "memcached", *UNSEEN),
    curve=Curve(0.4, 120, 1440, floor=False, latency_swing=0.15),  # one broad daily wave
    disk_techs=("postgres", "memcached"),
    step_s=lambda sig: 30 if sig in HTTP else 60,
    jitter=0.05,
    pod_parts=(("6c9d8f7b5", "5b7f8d9c6"), ("q7w2e", "r4t8y", "u1i5o")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("go", "python", "node", "grpc"), (20, 60), "image", "4.{i}.0", "4.{i}.1", "release-bot"),
    history_ids=("INC", 2000, 4999),
    repo="{estate}/deploy",
    config_path="deploy/{name}.nomad.hcl",
    repo_file=("{name}.nomad.hcl", 'job "app" {\n  count = 3\n  image = "4.0.0"\n}\n'),
    labels=alert_labels,
    receiver="pagerduty",
    external_url="https://alertmanager.{estate}.example",
    alert=cloudwatch_alarm,
    unseen=UNSEEN,
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
