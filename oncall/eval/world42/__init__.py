"""World 42: written after world 41's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 42 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import HTTP, Curve, Routine, Style
from oncall.eval.world42.estates import ACCOUNT, BACKGROUND, CLUSTER, ESTATES, NOISE, UNSEEN, Estate, record
from oncall.eval.world42.faults import FAULTS, change
from oncall.eval.worlds import Fault, eventbridge_alarm

# each alarm: its namespace, metric, statistic, threshold, and whether it watches the load balancer's target group
ALARMS = {
    "alb-5xx": ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", 50.0, True),
    "alb-latency": ("AWS/ApplicationELB", "TargetResponseTime", "p99", 2.0, True),
    "unhealthy-hosts": ("AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", 0.0, True),
    "cpu-high": ("AWS/ECS", "CPUUtilization", "Average", 85.0, False),
    "ride-end-failures": ("Scootly/Rides", "RideEndFailures", "Sum", 20.0, False),
    "errors": ("Scootly/Services", "Errors", "Sum", 30.0, False),
}


def cloudwatch_alarm(e: Estate, f: Fault, t: datetime, rng: random.Random) -> tuple[dict[str, Any], str] | None:
    """Scootly alarms through CloudWatch and EventBridge: the load balancer's target group for what riders
    feel, ECS's own metrics for a service's tasks, the services' custom metrics for the rest."""
    kind = next(k for k in ALARMS if f.alertname.endswith(k))
    namespace, metric, stat, threshold, alb = ALARMS[kind]
    svc = f.alert_service
    if alb:
        tg = hashlib.sha256(svc.encode()).hexdigest()[:16]
        dims = {"LoadBalancer": f"app/{CLUSTER}/50dc6c495c0c9188", "TargetGroup": f"targetgroup/{svc}/{tg}"}
    elif namespace == "AWS/ECS":
        dims = {"ClusterName": CLUSTER, "ServiceName": svc}
    else:
        dims = {"ServiceName": svc}
    event = eventbridge_alarm(
        f.alertname,
        t,
        rng,
        account=ACCOUNT,
        region="eu-west-1",
        description=f"{metric} ({stat}) over {threshold:g} for 3 minutes",
        metric=(namespace, metric, stat, threshold),
        dimensions=dims,
    )
    return event, f.alertname


STYLE = Style(
    world=42,
    prefix="w42",
    mix=(420_421, 4_201, 421),
    start=datetime(2026, 4, 1, tzinfo=UTC),
    latency_s={"node": 0.12, "go": 0.04, "python": 0.06, "structlog": 0.03, "java": 0.2},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 32.0,  # YACE passes CloudWatch's percent through
        "memory_utilization": 48.0,
    },
    untraced=UNSEEN,
    curve=Curve(0.6, 330, 600, floor=True, latency_swing=0.1),  # the morning and evening commutes
    disk_techs=(),
    step_s=lambda sig: 15 if sig in HTTP else 60,
    jitter=0.05,
    pod_parts=(("t",), ("a1", "b2", "c3", "d4", "e5")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("node", "go", "python", "structlog", "java"),
        (30, 200),
        "image",
        '"2026.05.{i}"',
        '"2026.05.{i}1"',
        "github-actions",
    ),
    history_ids=("SCT", 100, 999),
    repo="{estate}/infrastructure",
    config_path="ecs/{name}/main.tf",
    repo_file=("main.tf", 'resource "aws_ecs_service" "this" {\n  desired_count = 6\n}\n'),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service},
    receiver="scootly-oncall",
    external_url="https://alertmanager.{estate}.example",
    alert=cloudwatch_alarm,
    unseen=UNSEEN,
    platform="ecs",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
