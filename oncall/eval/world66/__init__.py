"""World 66: written after world 65's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 66 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world66.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world66.faults import FAULTS, change

# what answers HTTP (measured by each service's own exporter; HAProxy's by its backends)
SERVED = ("haproxy", "timbre", "mojo", "logrus", "pyjson", "winston")
STYLE = Style(
    world=66,
    prefix="w66",
    mix=(660_487, 6_607, 661),
    start=datetime(2026, 2, 1, tzinfo=UTC),
    latency_s={"haproxy": 0.1, "timbre": 0.08, "mojo": 0.9, "logrus": 0.01, "pyjson": 0.4, "winston": 0.05,
               "natsd": 0.002, "redis": 0.001, "pyjob": 30.0},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
        "restarts": 0.0,
        "disk_utilization": 0.4,
    },
    untraced=("saas", "natsd", "redis", "pyjob"),
    # Iceland's morning auction (UTC all year): busiest around 07:00, quiet in the evening
    curve=Curve(0.8, 60, 1440, floor=False, latency_swing=0.1),
    disk_techs=("mojo", "natsd", "redis"),
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("v", "w"), ("1", "2", "3", "4")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("timbre", "logrus", "pyjson", "winston"), (30, 240), "image.tag", "3.{i}.0", "3.{i}.1",
                    "argocd"),
    history_ids=("UPP-", 40, 400),
    repo="uppbod/platform",
    config_path="apps/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "image:\n  tag: 3.0.0\nreplicaCount: 2\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "cluster": "kapsule-par-uppbod",
        "severity": "warning" if f.category == "no_incident" else "page",
    },
    receiver="grafana-oncall",
    external_url="https://alertmanager.uppbod.is",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
