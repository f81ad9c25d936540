"""World 102: written after world 101's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 102 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world102.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world102.faults import FAULTS, change

VALUES = "replicas: 3\nimage:\n  repository: registry.pedal.pt/{name}\n"
APPS = ("kong", "timbre", "ecs4j", "tracing")

STYLE = Style(
    world=102,
    prefix="w102",
    mix=(1_020_102, 10_203, 1_023),
    start=datetime(2029, 6, 13, tzinfo=UTC),
    latency_s={
        "kong": 0.15,
        "timbre": 0.12,
        "ecs4j": 0.3,
        "tracing": 0.02,
        "solr": 0.04,
        "tidb": 0.008,
        "cilium": 0.001,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "disk_utilization": 0.4,
        "restarts": 0.0,
    },
    untraced=("kong", "timbre", "ecs4j", "tracing", "solr", "tidb", "cilium", "saas"),
    # Lisbon's rides: the morning and evening commutes (UTC+1 in June)
    curve=Curve(0.6, 420, 720, floor=False, latency_swing=0.15),
    disk_techs=("tidb", "solr"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("x", "y"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("timbre", "ecs4j", "tracing"), (45, 240), "image", "2029.6.{i}", "2029.6.{i}1", "flux"),
    history_ids=("PDL", 200, 899),
    repo="{estate}/platform-gitops",
    config_path="apps/{name}/values.yaml",
    repo_file=("values.yaml", VALUES),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "k8s_namespace_name": "pedal",
        "severity": "critical",
    },
    receiver="pedal-oncall",
    external_url="https://alertmanager.{estate}.pt",
    only={
        "request_rate": (*APPS, "solr", "tidb"),
        "error_ratio": (*APPS, "solr", "tidb"),
        "latency_p99": (*APPS, "solr", "tidb"),
    },
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
