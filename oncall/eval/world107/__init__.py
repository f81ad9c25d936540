"""World 107: written after world 106's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 107 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world107.estates import BACKGROUND, ESTATES, NOISE, batch, record
from oncall.eval.world107.faults import FAULTS, change

DEPLOY_YML = (
    "service: wisla\nimage: wisla\nservers:\n  web:\n    hosts: [wisla-app-1, wisla-app-2]\n  job:\n"
    "    hosts: [wisla-app-2]\n    cmd: bin/jobs\n    options:\n      log-opt: max-size=100m\nproxy:\n"
    "  ssl: true\n  host: wisla.pl\nenv:\n  clear:\n    RAILS_LOG_LEVEL: info\n"
)
SERVED = ("kamal-proxy", "rails", "solidqueue", "zap", "phoenix")

STYLE = Style(
    world=107,
    prefix="w107",
    mix=(1_070_107, 10_707, 1_077),
    start=datetime(2029, 10, 6, tzinfo=UTC),
    latency_s={
        "kamal-proxy": 0.09,
        "rails": 0.08,
        "solidqueue": 1.5,
        "zap": 0.02,
        "phoenix": 0.01,
        "mysql": 0.004,
        "valkey": 0.001,
    },
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.55,
        "disk_utilization": 0.48,
        "pool_utilization": 0.25,
        "restarts": 0.0,
    },
    untraced=("kamal-proxy", "rails", "solidqueue", "zap", "phoenix", "mysql", "valkey", "saas"),
    # evening ordering in Kraków (UTC+1 in the winter): 17:00-23:00 CET is 16:00-22:00 UTC
    curve=Curve(0.8, 900, 1440, floor=False, latency_swing=0.1),
    disk_techs=("mysql", "valkey", "solidqueue", "zap"),
    step_s=lambda sig: 15 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("rails", "solidqueue", "zap", "phoenix"), (45, 260), "version", "2.{i}.0", "2.{i}.1", "kamal"),
    history_ids=("WIS", 10, 420),
    repo="{estate}/infra",
    config_path="apps/{name}/config/deploy.yml",
    repo_file=("deploy.yml", DEPLOY_YML),
    labels=lambda e, f: {
        "alertname": f.alertname,
        "app": f.alert_service,
        "env": "production",
        "severity": "critical",
    },
    receiver="wisla-dyzur",
    external_url="https://alertmanager.{estate}.pl",
    platform="vm",
    compact=True,
    only={
        "pool_utilization": ("rails", "solidqueue"),
        "request_rate": (*SERVED, "mysql", "valkey"),
        "error_ratio": SERVED,
        "latency_p99": (*SERVED, "mysql", "valkey"),
    },
    batch=batch,
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
