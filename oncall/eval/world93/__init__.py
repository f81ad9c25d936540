"""World 93: written after world 92's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 93 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world93.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world93.faults import FAULTS, change

STYLE = Style(
    world=93,
    prefix="w93",
    mix=(930_013, 9_343, 937),
    start=datetime(2028, 6, 1, tzinfo=UTC),
    latency_s={"haproxy": 0.25, "spring": 0.3, "python": 0.9, "go": 0.08, "aispy": 0.05, "node": 0.4,
               "postgres": 0.005, "rabbitmq": 0.002, "saas": 0.3},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.28,
        "memory_utilization": 0.55,
        "disk_utilization": 0.46,
        "pool_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("haproxy", "spring", "python", "go", "aispy", "node", "postgres", "rabbitmq", "saas"),
    # sailings from early morning to late evening (UTC+2): the day's traffic, quiet at night
    curve=Curve(0.8, 240, 1440, floor=True, latency_swing=0.15),
    disk_techs=("postgres", "rabbitmq"),
    only={"pool_utilization": ("postgres",), "disk_utilization": ("postgres", "rabbitmq")},
    step_s=lambda sig: 60,
    jitter=0.06,
    pod_parts=(("1", "2"), ("",)),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("go", "aispy", "python"), (40, 280), "rpm", "3.{i}.0", "3.{i}.1", "jenkins"),
    history_ids=("VKF", 300, 900),
    repo="vestkyst/ferje-ansible",
    config_path="group_vars/{name}.yml",
    repo_file=("vars.yml", "booking_api_heap: 2g\nbooking_api_hikari_max_pool: 40\n"
                           "payments_nets_secret_key: vault:secret/payments/nets#secret_key\n"
                           "ais_feed_upstream: 153.44.253.27:5631\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f"{f.alert_service}.service",
        "job": "telegraf",
        "site": "bgo1",
        "severity": "ticket" if f.category == "no_incident" else "page",
    },
    receiver="drift-vakt",
    external_url="https://alertmanager.drift.vestkyst.no",
    platform="vm",
    compact=True,
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
