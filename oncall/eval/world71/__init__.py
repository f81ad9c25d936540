"""World 71: written after world 70's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 71 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world71.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world71.faults import FAULTS, change

# what answers HTTP (HAProxy by its backends)
SERVED = ("haproxy", "laravel", "django", "gozap")
STYLE = Style(
    world=71,
    prefix="w71",
    mix=(710_541, 7_127, 719),
    start=datetime(2026, 11, 2, tzinfo=UTC),
    latency_s={"haproxy": 0.1, "laravel": 0.3, "django": 0.2, "gozap": 0.05, "pino": 0.2, "sidekiq": 0.8,
               "postgres": 0.004, "redis": 0.001},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
        "disk_utilization": 0.4,
    },
    untraced=("saas", "postgres", "redis"),
    # New Zealand (UTC+13 in summer): bookings through the day, quiet at night
    curve=Curve(0.6, 1200, 1440, floor=False, latency_swing=0.1),
    disk_techs=("postgres", "redis"),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("vm",), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("laravel", "django", "gozap", "pino", "sidekiq"), (25, 240), "version", "2.{i}.0", "2.{i}.1",
                    "ansible"),
    history_ids=("TRD-", 200, 800),
    repo="tradie/ops",
    config_path="group_vars/{name}.yml",
    repo_file=("{name}.yml", "version: 2.0.0\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "env": "production",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-tradie",
    external_url="https://alertmanager.tradie.co.nz",
    platform="vm",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
