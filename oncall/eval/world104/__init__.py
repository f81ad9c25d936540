"""World 104: written after world 103's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 104 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Estate, Routine, Style
from oncall.eval.world104.estates import ACCOUNT, BACKGROUND, ESTATES, NOISE, batch, record
from oncall.eval.world104.faults import FAULTS, change
from oncall.eval.worlds import Fault, eventbridge_alarm

TFVARS = 'image_tag = "5.7.4"\ndesired_count = 3\n'
SERVED = ("nuxt", "play", "wildfly", "lambda")
# each alarm (by its name's ending): the EMF metric, its statistic and threshold
ALARMS = {
    "Slow": ("LatencyP99", "Maximum", 3.0),
    "LatencyHigh": ("LatencyP99", "Maximum", 2.0),
    "Errors": ("Errors", "Sum", 25.0),
    "Failures": ("Errors", "Sum", 10.0),
    "Backlog": ("QueueOldestMessageAge", "Maximum", 600.0),
}


def cloudwatch_alarm(e: Estate, f: Fault, t: datetime, rng: random.Random) -> tuple[dict[str, Any], str] | None:
    """The alarm on the services' embedded-metric-format metrics, as EventBridge delivers its change to ALARM."""
    metric, stat, threshold = next(v for k, v in ALARMS.items() if f.alertname.endswith(k))
    event = eventbridge_alarm(
        f.alertname,
        t,
        rng,
        account=ACCOUNT,
        region="eu-west-1",
        description=f"{f.alert_service}: {metric} ({stat}) over {threshold:g} for 3 minutes. Runbook: VetCloud wiki",
        metric=("VetCloud", metric, stat, threshold),
        dimensions={"Service": f.alert_service, "Environment": "prod"},
    )
    return event, f.alertname


STYLE = Style(
    world=104,
    prefix="w104",
    mix=(1_040_104, 10_401, 1_043),
    start=datetime(2029, 5, 6, tzinfo=UTC),
    latency_s={
        "nuxt": 0.35,
        "play": 0.12,
        "wildfly": 0.09,
        "lambda": 0.4,
        "rdspg": 0.006,
        "amqrabbit": 0.003,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.32,
        "memory_utilization": 0.55,
        "disk_utilization": 0.42,
        "pool_utilization": 0.25,
        "restarts": 0.0,
    },
    untraced=("nuxt", "play", "wildfly", "lambda", "rdspg", "amqrabbit", "saas"),
    # the clinics' day in Ireland, 08:00-19:00 IST (07:00-18:00 UTC)
    curve=Curve(0.8, 420, 1320, floor=True, latency_swing=0.12),
    disk_techs=("rdspg", "amqrabbit"),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("nuxt", "play", "wildfly", "lambda"), (45, 240), "image_tag", "5.{i}.2", "5.{i}.3", "codepipeline"
    ),
    history_ids=("VC", 100, 699),
    repo="{estate}/platform",
    config_path="services/{name}/deploy.tfvars",
    repo_file=("deploy.tfvars", TFVARS),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page"},
    receiver="vetcloud-oncall",
    external_url="https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1",
    alert=cloudwatch_alarm,
    only={
        "pool_utilization": ("lambda", "rdspg"),
        "request_rate": (*SERVED, "rdspg", "amqrabbit"),
        "error_ratio": SERVED,
        "latency_p99": (*SERVED, "rdspg", "amqrabbit"),
    },
    batch=batch,
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
