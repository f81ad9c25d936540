"""World 36: written after world 35's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 36 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world36.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world36.faults import FAULTS, change

STYLE = Style(
    world=36,
    prefix="w36",
    mix=(436_211, 9_173, 307),
    start=datetime(2026, 1, 19, tzinfo=UTC),
    latency_s={
        "logback": 0.004,
        "kafka": 0.008,
        "flink": 0.05,
        "goklog": 0.06,
        "airflow": 20.0,
        "postgres": 0.005,
        "trino": 2.5,
    },
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.45,
        "memory_utilization": 0.6,
        "restarts": 0.0,
        "disk_utilization": 0.5,
    },
    untraced=("kafka", "flink", "airflow", "postgres", "trino", "saas"),
    curve=Curve(0.4, 420, 1440, floor=False, latency_swing=0.1),  # the exchanges' day, auctions all night
    disk_techs=("kafka", "postgres", "goklog"),
    step_s=lambda sig: 30,
    jitter=0.04,
    pod_parts=(("5c8d9f7b6d", "7f4b8c9d5e"), ("x2kqp", "m8zrt", "b4nwc")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("logback", "goklog", "trino"), (45, 240), "image.tag", "2026.01.{i}", "2026.01.{i}1", "argo-cd"),
    history_ids=("MKT", 200, 899),
    repo="{estate}/platform-deploy",
    config_path="deploy/{name}/values.yaml",
    repo_file=("values.yaml", "replicas: 3\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "desk": "power"},
    receiver="markets-oncall",
    external_url="https://alertmanager.{estate}.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
