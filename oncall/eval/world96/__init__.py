"""World 96: written after world 95's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 96 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world96.estates import ACCOUNT, BACKGROUND, ENV, ESTATES, NOISE, REGION, Estate, record
from oncall.eval.world96.faults import FAULTS, change
from oncall.eval.worlds import Fault, eventbridge_alarm

WHO = "github-actions"
OPTIONS = (
    "option_settings:\n  aws:elasticbeanstalk:application:environment:\n    NODE_ENV: production\n"
    "  aws:autoscaling:asg:\n    MinSize: 2\n    MaxSize: 6\n"
)
# each alarm (by its name's ending): namespace, metric, statistic, threshold
ALARMS = {
    "-5xx": ("AWS/ElasticBeanstalk", "ApplicationRequests5xx", "Sum", 25.0),
    "-latency-p99": ("AWS/ElasticBeanstalk", "ApplicationLatencyP99", "Maximum", 3.0),
    "-b2c-failures": ("Mkopo/Payments", "B2CResultFailures", "Sum", 10.0),
    "-bureau-errors": ("Mkopo/Scoring", "BureauErrors", "Sum", 20.0),
}


def cloudwatch_alarm(e: Estate, f: Fault, t: datetime, rng: random.Random) -> tuple[dict[str, Any], str] | None:
    """The alarm's state change as EventBridge delivers it to the team's Lambda, by the environment's name."""
    namespace, metric, stat, threshold = next(v for k, v in ALARMS.items() if f.alertname.endswith(k))
    event = eventbridge_alarm(
        f.alertname,
        t,
        rng,
        account=ACCOUNT,
        region=REGION,
        description=f"{metric} ({stat}) over {threshold:g} for 3 minutes",
        metric=(namespace, metric, stat, threshold),
        dimensions={"EnvironmentName": ENV.format(service=f.alert_service)},
    )
    return event, f.alertname


STYLE = Style(
    world=96,
    prefix="w96",
    mix=(960_019, 9_613, 967),
    start=datetime(2028, 12, 1, tzinfo=UTC),
    latency_s={"express": 0.15, "django": 0.3, "spring": 0.2, "laravel": 0.1, "worker": 0.5, "postgres": 0.005},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.28,
        "memory_utilization": 0.55,
        "disk_utilization": 0.61,
        "pool_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("express", "django", "spring", "laravel", "worker", "postgres", "saas"),
    # Nairobi's day, 06:00-22:00 EAT (03:00-19:00 UTC): quiet at night
    curve=Curve(0.6, 180, 1440, floor=True, latency_swing=0.1),
    disk_techs=("postgres",),
    only={"pool_utilization": ("postgres",), "disk_utilization": ("postgres",)},
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2", "3", "4")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("express", "django", "spring", "laravel"), (40, 240), "version", "v2.{i}.3", "v2.{i}.4", WHO),
    history_ids=("MKP", 300, 899),
    repo="mkopo/platform",
    config_path="{name}/.ebextensions/01-options.config",
    repo_file=("01-options.config", OPTIONS),
    labels=lambda e, f: {"alertname": f.alertname, e.label: ENV.format(service=f.alert_service)},
    receiver="mkopo-oncall",
    external_url="https://console.aws.amazon.com/cloudwatch/home?region=af-south-1",
    alert=cloudwatch_alarm,
    platform="elasticbeanstalk",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
