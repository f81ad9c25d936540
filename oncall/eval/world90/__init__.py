"""World 90: written after world 89's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 90 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world90.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world90.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class SearchSources(Style):
    """Each hit's `_source` of the hours asked for, as the team's script pages through them by `@timestamp`."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["@timestamp"])


STYLE = SearchSources(
    world=90,
    compact=True,
    prefix="w90",
    mix=(900_001, 9_029, 901),
    start=datetime(2028, 4, 2, tzinfo=UTC),
    latency_s={"airflow": 5.0, "spark": 30.0, "hadoop": 0.01, "hdfs": 0.05, "hive": 0.08, "postgres": 0.004},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.55,
        "disk_utilization": 0.6,
        "restarts": 0.0,
    },
    untraced=("airflow", "spark", "hadoop", "hdfs", "hive", "postgres"),
    # the nightly batch window (Tallinn, UTC+3 in April): 00:00-06:00 UTC
    curve=Curve(0.6, 60, 1440, floor=True, latency_swing=0.1),
    disk_techs=("hdfs", "postgres", "hadoop"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a", "b"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("spark", "airflow", "hive"), (45, 300), "release", "{i}.12.0", "{i}.12.1", "ansible"),
    history_ids=("DP-", 100, 700),
    repo="telco-ee/dp-ansible",
    config_path="roles/{name}/templates/{name}.conf.j2",
    repo_file=("{name}.conf.j2", "spark.executor.memory 8g\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "cluster": "dp-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="dp-oncall",
    external_url="https://alertmanager.dp.telco.ee",
    platform="vm",
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
