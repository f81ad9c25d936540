"""World 54: written after world 53's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 54 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world54.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world54.faults import FAULTS, change

# what answers requests (the optimizer runs batches; Kafka's are its produce and fetch requests)
SERVED = ("rust", "kotlin", "golang", "emqx", "kafka", "java", "cockroach")
STYLE = Style(
    world=54,
    prefix="w54",
    mix=(541_019, 5_407, 541),
    start=datetime(2026, 4, 6, tzinfo=UTC),
    latency_s={
        "rust": 0.09,
        "kotlin": 0.3,
        "golang": 0.04,
        "emqx": 0.003,
        "kafka": 0.012,
        "python": 2.0,
        "java": 0.6,
        "cockroach": 0.007,
    },
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.32,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.52,
    },
    untraced=("saas", "emqx", "kafka", "cockroach", "python", "java"),
    curve=Curve(0.25, 360, 1440, floor=False, latency_swing=0.08),  # ship-to-shore work around the clock
    disk_techs=("kafka", "cockroach", "emqx"),
    step_s=lambda sig: 15,
    jitter=0.05,
    pod_parts=(("vm",), ("01", "02", "03")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("rust", "kotlin", "java"), (40, 240), "version", "3.{i}.0", "3.{i}.1", "release-bot"),
    history_ids=("OPS-", 20000, 29999),
    repo="rtm-delta/terminal-ansible",
    config_path="inventories/rtm-delta/group_vars/{name}.yml",
    repo_file=("{name}.yml", "version: 3.0.0\nkafka_max_poll_interval_ms: 300000\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "site": e.name,
        "severity": "info" if f.category == "no_incident" else "page",
    },
    receiver="terminal-ops",
    external_url="https://alertmanager.{estate}.example",
    platform="vm",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
