"""World 27: written after world 26's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 27 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world27.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world27.faults import FAULTS, change

STYLE = Style(
    world=27,
    prefix="w27",
    mix=(181_297, 3_121, 97),
    start=datetime(2026, 6, 3, tzinfo=UTC),
    latency_s={
        "haproxy": 0.03,
        "php": 0.12,
        "rails": 0.05,
        "structlog": 0.2,
        "otp": 0.25,
        "tomcat": 0.04,
        "mosquitto": 0.002,
        "memcached": 0.0006,
        "postgis": 0.008,
    },
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.33,
        "memory_utilization": 0.58,
        "restarts": 0.0,
        "disk_utilization": 0.52,
    },
    untraced=("haproxy", "mosquitto", "memcached", "postgis", "php", "saas"),
    curve=Curve(0.45, 480, 720, floor=False, latency_swing=0.1),  # the two rush hours
    disk_techs=("postgis", "mosquitto"),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("rails", "php", "structlog", "tomcat"),
        (45, 200),
        "app_version",
        "5.{i}.0",
        "5.{i}.1",
        "deploy-bot",
    ),
    history_ids=("OPS-", 4000, 4999),
    repo="{estate}/infra",
    config_path="ansible/host_vars/{name}.yml",
    repo_file=("{name}.yml", "app_version: 5.0.0\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "env": "prod"},
    receiver="ops-oncall",
    external_url="http://alertmanager.ops.{estate}.internal:9093",
    platform="vm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
