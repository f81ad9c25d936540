"""World 99: written after world 98's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 99 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world99.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world99.faults import FAULTS, change

VALUES = "replicaCount: 3\nimage:\n  repository: registry-vpc.ap-southeast-3.aliyuncs.com/tolpay/{name}\n"

STYLE = Style(
    world=99,
    prefix="w99",
    mix=(990_053, 9_907, 991),
    start=datetime(2029, 4, 2, tzinfo=UTC),
    latency_s={"springgw": 0.08, "zap": 0.03, "spring": 0.12, "pino": 0.4, "python": 0.6, "redis": 0.001},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.52,
        "disk_utilization": 0.4,
        "pool_utilization": 0.2,
        "restarts": 0.0,
    },
    untraced=("springgw", "zap", "spring", "pino", "python", "redis", "saas"),
    # Klang Valley's commute (UTC+8): the plazas busiest at 07:00-09:00 and 17:00-20:00 local
    curve=Curve(0.7, 1380, 720, floor=True, latency_swing=0.1),
    disk_techs=("redis",),
    only={"pool_utilization": ("spring", "zap")},
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("springgw", "zap", "pino", "python"), (40, 240), "image", "1.{i}.0", "1.{i}.1", "gitlab-ci"),
    history_ids=("TP", 2000, 2999),
    repo="tolpay/deploy",
    config_path="charts/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", VALUES),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": "tolpay",
        "severity": "critical",
    },
    receiver="tolpay-oncall",
    external_url="https://arms-prometheus.ap-southeast-3.aliyuncs.com/alertmanager",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
