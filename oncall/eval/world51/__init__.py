"""World 51: written after world 50's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 51 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world51.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world51.faults import FAULTS, change

# what the span metrics cover: the services answering requests (not the job, the brokers or the stores)
SERVED = ("rails", "zap", "fastapi", "bunyan", "laravel", "mysql", "postgres", "elasticsearch", "kafka")
STYLE = Style(
    world=51,
    prefix="w51",
    mix=(511_013, 5_101, 521),
    start=datetime(2026, 1, 12, tzinfo=UTC),
    latency_s={
        "rails": 0.09,
        "zap": 0.4,
        "fastapi": 0.12,
        "bunyan": 0.02,
        "rollup": 1.0,
        "laravel": 0.3,
        "celery": 30.0,
        "mysql": 0.003,
        "postgres": 0.004,
        "redis": 0.001,
        "kafka": 0.008,
        "elasticsearch": 0.05,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.46,
        "restarts": 0.0,
        "disk_utilization": 0.55,
    },
    untraced=("saas", "mysql", "postgres", "redis", "kafka", "elasticsearch", "rollup"),
    curve=Curve(0.45, 420, 1440, floor=False, latency_swing=0.1),  # the morning commute's downloads
    disk_techs=("mysql", "postgres", "kafka", "elasticsearch"),
    step_s=lambda sig: 20,
    jitter=0.05,
    pod_parts=(("5b7c9d8f6", "7f6d5c4b9"), ("h2k9d", "p4r7s", "z8q3w")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("rails", "zap", "fastapi", "bunyan", "laravel"), (30, 200), "image.tag", "3.{i}.0", "3.{i}.1", "spinnaker"
    ),
    history_ids=("PW", 1000, 1999),
    repo="podwave/deploy",
    config_path="k8s/{name}/values.yaml",
    repo_file=("values.yaml", 'image:\n  tag: 3.0.0\nreplicas: 4\nenv:\n  KAFKA_LINGER_MS: "50"\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "k8s_cluster_name": "podwave-use1",
        "severity": "info" if f.category == "no_incident" else "page",
        "team": "listening",
    },
    receiver="listening-pagerduty",
    external_url="https://alertmanager.{estate}.example",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": (*SERVED, "redis")},
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
