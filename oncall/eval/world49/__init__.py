"""World 49: written after world 48's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 49 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world49.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world49.faults import FAULTS, change

# what Micrometer's HTTP server metrics cover: services answering HTTP (not the brokers, the job, the databases)
SERVED = ("nextjs", "spring", "valhalla", "goslog", "rust", "prometheus", "emqx")
STYLE = Style(
    world=49,
    prefix="w49",
    mix=(491_023, 4_909, 499),
    start=datetime(2026, 6, 2, tzinfo=UTC),
    latency_s={
        "nextjs": 0.25,
        "spring": 0.12,
        "valhalla": 0.08,
        "goslog": 0.01,
        "emqx": 0.005,
        "kafka": 0.01,
        "rust": 0.04,
        "timescale": 0.006,
        "postgres": 0.004,
        "redis": 0.001,
        "celery": 0.5,
        "cron": 1.0,
        "prometheus": 0.2,
    },
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.38,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.3,
    },
    untraced=("saas", "emqx", "kafka", "timescale", "postgres", "redis", "cron", "prometheus", "valhalla"),
    curve=Curve(0.6, 360, 1080, floor=False, latency_swing=0.1),  # the working day of the depots
    disk_techs=("timescale", "postgres", "kafka"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("7c9d5b6f4", "5f8b7c9d2"), ("x2k7p", "q9m4z", "t6w8r")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("nextjs", "spring", "goslog", "rust", "celery"), (30, 200), "image.tag", "3.{i}.1", "3.{i}.2", "deploy-bot"
    ),
    history_ids=("RW", 200, 899),
    repo="routewise/{estate}-platform",
    config_path="deploy/values/{name}.yaml",
    repo_file=("{name}.yaml", "image:\n  tag: 3.0.1\nreplicaCount: 4\nlivenessProbe:\n  timeoutSeconds: 5\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "severity": "warning" if f.category == "no_incident" else "page",
        "team": "fleet-platform",
    },
    receiver="fleet-platform-pager",
    external_url="https://alertmanager.{estate}.example",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": (*SERVED, "timescale", "postgres")},
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
