"""World 67: written after world 66's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 67 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world67.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world67.faults import FAULTS, change

# what answers HTTP (APISIX by its upstreams; meters' readings API beside its consumer)
SERVED = ("apisix", "phoenix", "envlogger", "rails", "springecs", "slogtext")
STYLE = Style(
    world=67,
    prefix="w67",
    mix=(670_511, 6_719, 677),
    start=datetime(2026, 7, 1, tzinfo=UTC),
    latency_s={"apisix": 0.12, "phoenix": 0.09, "envlogger": 0.03, "rails": 0.25, "springecs": 0.2,
               "slogtext": 0.05, "kafka": 0.004, "postgres": 0.003, "valkey": 0.001},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.45,
        "restarts": 0.0,
        "disk_utilization": 0.4,
    },
    untraced=("saas", "kafka", "postgres", "valkey"),
    # South Africa's day (UTC+2): buying peaks in the early evening, quiet before dawn
    curve=Curve(0.7, 540, 1440, floor=False, latency_swing=0.1),
    disk_techs=("kafka", "postgres", "valkey"),
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("a", "b"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("phoenix", "rails", "springecs", "slogtext"), (25, 220), "image.tag", "4.{i}.0", "4.{i}.1",
                    "fleet"),
    history_ids=("TV-", 300, 900),
    repo="tokenvend/platform",
    config_path="fleet/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 4.0.0\nreplicaCount: 2\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "cluster": "rke2-jnb-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-tokenvend",
    external_url="https://alertmanager.tokenvend.co.za",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
