"""World 73: written after world 72's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 73 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world73.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world73.faults import FAULTS, change

# what serves HTTP (the ingress controller by its upstreams)
SERVED = ("nginx", "spring", "zerolog", "lograge", "nodeconsole")
STYLE = Style(
    world=73,
    prefix="w73",
    mix=(730_149, 7_331, 733),
    start=datetime(2027, 2, 8, tzinfo=UTC),
    latency_s={"nginx": 0.08, "spring": 0.25, "zerolog": 0.04, "lograge": 0.6, "nodeconsole": 0.3, "mysql": 0.003,
               "redis": 0.001},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
    },
    untraced=("saas", "mysql", "redis"),
    # Japan (UTC+9): bookings through the evening, quiet before dawn
    curve=Curve(0.5, 420, 1440, floor=False, latency_swing=0.1),
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("5c7d9f8b6", "8b6f5d7c9"), ("q4w7e", "t2y9u", "p8a3s")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("spring", "zerolog", "lograge", "nodeconsole"), (25, 230), "image.tag", "4.{i}.0", "4.{i}.1",
                    "oci-devops"),
    history_ids=("RYO-", 400, 990),
    repo="ryokan/charts",
    config_path="charts/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 4.0.0\nreplicaCount: 3\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": "ryokan",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-ryokan",
    external_url="https://alertmanager.ryokan.jp",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
