"""World 13: written after world 12's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 13 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world13.estates import BACKGROUND, ESTATES, FUNCTION, NOISE, record
from oncall.eval.world13.faults import FAULTS, change

STYLE = Style(
    world=13,
    prefix="w13",
    mix=(314_159, 2_653, 59),
    start=datetime(2026, 9, 1, tzinfo=UTC),
    latency_s={"node": 180.0, "python": 95.0, "go": 1400.0, "java": 240.0},  # milliseconds
    normal={
        "error_ratio": 0.001,
        "memory_utilization": 0.4,
        "pool_utilization": 0.15,
    },
    untraced=("postgres", "dynamodb", "sqs", "s3", "saas", "infra"),
    curve=Curve(0.6, 600, 1440, floor=False, latency_swing=0.1),
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.08,
    pod_parts=(("a1", "b2", "c3"), ("4f7e", "9d0a", "e21b")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("node", "python", "go", "java"), (15, 90), "version", "1.{i}.0", "1.{i}.1", "github-actions"),
    history_ids=("SHOP", 100, 999),
    repo="shop/serverless-services",
    config_path="services/{name}/serverless.yml",
    repo_file=("serverless.yml", "service: shop\nprovider:\n  name: aws\n  memorySize: 1024\n  timeout: 6\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: FUNCTION.format(service=f.alert_service),
        "severity": "critical",
    },
    annotations=lambda e, f: {
        "summary": f"{f.alertname} for {FUNCTION.format(service=f.alert_service)}",
        "runbook_url": f"https://wiki.{e.name}.example/runbooks/{f.alertname}",
    },
    receiver="shop-pagerduty",
    external_url="https://alertmanager.{estate}.internal",
    unseen=("dynamodb", "sqs", "s3", "saas", "infra"),
    platform="lambda",
    metered=("node", "python", "go", "java"),  # the recording rules are over Lambda's metrics
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
