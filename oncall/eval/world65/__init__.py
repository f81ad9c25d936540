"""World 65: written after world 64's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 65 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world65.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world65.faults import FAULTS, change

# what answers requests over HTTP (the USSD gateway: Africa's Talking's callbacks)
SERVED = ("traefik", "laravel", "zerolog", "dotnetjson", "gunicorn")
STYLE = Style(
    world=65,
    prefix="w65",
    mix=(650_473, 6_529, 653),
    start=datetime(2026, 5, 1, tzinfo=UTC),
    latency_s={"traefik": 0.15, "laravel": 0.3, "zerolog": 0.2, "dotnetjson": 0.6, "gunicorn": 0.05,
               "rabbitmq": 0.005, "pylogging": 0.4},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.4,
        "restarts": 0.0,
        "disk_utilization": 0.35,
    },
    untraced=("saas", "rabbitmq", "pylogging"),
    # Kenya's day (UTC+3): markets open early, a peak at noon East Africa time, quiet at night
    curve=Curve(0.8, 180, 1440, floor=False, latency_swing=0.1),
    disk_techs=("rabbitmq",),
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("p", "q", "r"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("laravel", "zerolog", "dotnetjson", "gunicorn"), (20, 200), "image.tag", "5.{i}.0", "5.{i}.1",
                    "azure-pipelines"),
    history_ids=("SHD-", 200, 700),
    repo="shamba-direct/platform",
    config_path="charts/{name}/values.prod.yaml",
    repo_file=("values.prod.yaml", "image:\n  tag: 5.0.0\nreplicaCount: 3\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "cluster": "aks-shamba-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-shamba",
    external_url="https://alerts.shamba.co.ke",
    only={"request_rate": (*SERVED, "pylogging", "rabbitmq"), "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
