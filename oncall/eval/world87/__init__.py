"""World 87: written after world 86's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 87 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world87.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world87.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class EnvironmentLogs(Style):
    """`environmentLogs` pages saved a node a line, oldest first."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["timestamp"])


SERVED = ("node", "python", "go", "ruby")
STYLE = EnvironmentLogs(
    world=87,
    compact=True,
    prefix="w87",
    mix=(870_991, 8_719, 871),
    start=datetime(2028, 3, 14, tzinfo=UTC),
    latency_s={"node": 0.15, "python": 0.06, "go": 0.02, "ruby": 0.8, "postgres": 0.003, "redis": 0.0004},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
        "disk_utilization": 0.55,
        "restarts": 0.0,
    },
    untraced=("saas", "postgres", "redis"),
    # Lisbon (UTC+0 in March): lessons after school and work, 17:00-22:00
    curve=Curve(0.45, 840, 1440, floor=False, latency_swing=0.1),
    disk_techs=("postgres", "redis"),
    step_s=lambda sig: 30,
    jitter=0.06,
    pod_parts=(("7f3c", "a91e", "5b20"), ("x", "q")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(SERVED, (30, 240), "source.image", "{i}.8.0", "{i}.8.1", "railway"),
    history_ids=("FAL-", 40, 400),
    repo="falar-pt/platform",
    config_path="services/{name}/railway.json",
    repo_file=("railway.json", '{\n  "deploy": {\n    "numReplicas": 2,\n    "source.image": "1.8.0"\n  }\n}\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "environment": "production",
        "severity": "warning" if f.category == "no_incident" else "page",
    },
    receiver="falar-oncall",
    external_url="https://alerts.falar.pt",
    platform="railway",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED,
          "cpu_utilization": (*SERVED, "postgres", "redis"), "memory_utilization": (*SERVED, "postgres", "redis")},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
