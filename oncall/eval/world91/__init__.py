"""World 91: written after world 90's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 91 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world91.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world91.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class DrainReceiver(Style):
    """The receiver's records in the order the drains' POSTs arrived (each app's frames a little late)."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["received_at"])


STYLE = DrainReceiver(
    world=91,
    compact=True,
    prefix="w91",
    mix=(910_003, 9_127, 911),
    start=datetime(2028, 3, 1, tzinfo=UTC),
    latency_s={"rails": 0.25, "node": 0.08, "sidekiq": 1.5, "postgres": 0.004, "redis": 0.001, "saas": 0.4},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.55,
        "disk_utilization": 0.62,
        "pool_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("rails", "node", "sidekiq", "postgres", "redis", "saas"),
    # commuters: Utrecht's mornings and evenings (UTC+1 in March)
    curve=Curve(0.5, 330, 720, floor=True, latency_swing=0.1),
    disk_techs=("postgres", "redis"),
    only={"pool_utilization": ("postgres",), "disk_utilization": ("postgres", "redis")},
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("1", "2", "3", "4"), ("a",)),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("rails", "node", "sidekiq"), (45, 300), "slug", "4{i}c1d2e", "9{i}b3a7f", "github-actions"),
    history_ids=("FIETS-", 100, 700),
    repo="fietsabo/platform",
    config_path="apps/{name}/app.json",
    repo_file=("app.json", '{\n  "env": {\n    "WEB_CONCURRENCY": {"value": "2"},\n    "RAILS_MAX_THREADS": '
                           '{"value": "5"}\n  }\n}\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "env": "production",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="fietsabo-oncall",
    external_url="https://alertmanager.fietsabo.nl",
    platform="heroku",
    unseen=("saas",),
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
