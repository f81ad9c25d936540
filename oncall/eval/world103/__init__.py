"""World 103: written after world 102's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 103 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world103.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world103.faults import FAULTS, change

VALUES = "replicaCount: 2\nimage:\n  repository: registry.kuznia.gov.pl/{name}\n"
SERVED = ("forgejo", "zerolog", "slog", "glog")

STYLE = Style(
    world=103,
    prefix="w103",
    mix=(1_030_103, 10_303, 1_033),
    start=datetime(2029, 3, 4, tzinfo=UTC),
    latency_s={
        "forgejo": 0.25,
        "zerolog": 0.08,
        "slog": 0.06,
        "slapd": 0.004,
        "glog": 0.03,
        "keydb": 0.001,
        "postgres": 0.01,
    },
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
        "disk_utilization": 0.5,
        "pool_utilization": 0.15,
        "restarts": 0.0,
    },
    untraced=("forgejo", "zerolog", "slog", "slapd", "glog", "keydb", "postgres", "saas"),
    # office hours in Warsaw (UTC+1)
    curve=Curve(0.7, 420, 1440, floor=True, latency_swing=0.1),
    disk_techs=("glog", "postgres", "keydb"),
    step_s=lambda sig: 15,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("forgejo", "zerolog", "slog"), (50, 260), "tag", "2029.2.{i}", "2029.2.{i}1", "argocd"),
    history_ids=("KUZ", 300, 999),
    repo="{estate}/deploy",
    config_path="charts/{name}/values.yaml",
    repo_file=("values.yaml", VALUES),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": "kuznia",
        "severity": "page",
    },
    receiver="kuznia-dyzur",
    external_url="https://alertmanager.{estate}.gov.pl",
    only={
        "pool_utilization": ("keydb", "postgres"),
        "request_rate": (*SERVED, "slapd", "keydb", "postgres"),
        "error_ratio": (*SERVED, "slapd"),
        "latency_p99": (*SERVED, "slapd", "keydb", "postgres"),
    },
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
