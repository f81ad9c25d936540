"""World 26: written after world 25's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 26 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world26.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world26.faults import FAULTS, change

STYLE = Style(
    world=26,
    prefix="w26",
    mix=(170_243, 2_917, 83),
    start=datetime(2026, 5, 16, tzinfo=UTC),
    latency_s={
        "envoy": 0.05,
        "gozap": 0.04,
        "logrus": 0.3,
        "hclog": 0.08,
        "consul": 0.004,
        "dotnet": 0.06,
        "kotlin": 0.03,
        "uvicorn": 0.05,
        "pino": 0.07,
        "rust": 0.02,
        "ejabberd": 0.01,
        "scylla": 0.002,
        "cockroach": 0.006,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.41,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.47,
    },
    untraced=("envoy", "consul", "ejabberd", "scylla", "cockroach", "saas"),
    curve=Curve(0.55, 1200, 1440, floor=False, latency_swing=0.15),  # the evening's players
    disk_techs=("scylla", "cockroach", "consul"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a1", "b2", "c3"), ("x", "y", "z")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("gozap", "dotnet", "kotlin", "uvicorn", "pino", "rust"),
        (25, 160),
        'image = "registry.questline.example/app:',
        '{i}.8.0"',
        '{i}.8.1"',
        "nomad-pack",
    ),
    history_ids=("QL-", 2000, 2999),
    repo="{estate}/nomad-jobs",
    config_path="jobs/{name}.nomad.hcl",
    repo_file=("{name}.nomad.hcl", 'job "app" {\n  group "api" {\n    count = 6\n  }\n}\n'),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "team": "live-ops"},
    receiver="liveops-pager",
    external_url="https://alertmanager.{estate}.example.games",
    platform="nomad",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
