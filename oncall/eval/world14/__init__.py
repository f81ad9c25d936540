"""World 14: written after world 13's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 14 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import HTTP, Curve, Routine, Style
from oncall.eval.world14.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world14.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class Machines(Style):
    """A retired service stops reporting and logging when it is retired."""

    def metrics(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> str:
        text = super().metrics(e, f, t, rng)
        gone = _retired(f)
        if gone is None:
            return text
        svc, when = gone
        return "".join(
            line
            for line in text.splitlines(keepends=True)
            if f'="{svc}"' not in line or int(line.rsplit(" ", 1)[1]) < when.timestamp()
        )

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        recs = super().logs(e, f, t, rng)
        gone = _retired(f)
        if gone is None:
            return recs
        svc, when = gone
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S")
        return [r for r in recs if f"/var/log/{svc}/" not in r["log"]["file"]["path"] or r["@timestamp"] < stamp]


def _retired(f: Fault) -> tuple[str, datetime] | None:
    """A service scaled to no instances by this fault's change: (its name, when)."""
    for c in f.changes:
        if c["kind"] == "scale" and c["to"].endswith(": 0"):
            return c["service"], c["ts"]
    return None


STYLE = Machines(
    world=14,
    prefix="w14",
    mix=(161_803, 3_989, 71),
    start=datetime(2026, 5, 4, tzinfo=UTC),
    latency_s={
        "haproxy": 0.08,
        "java": 0.07,
        "go": 0.01,
        "python": 0.15,
        "node": 0.05,
        "pgbouncer": 0.004,
        "postgres": 0.003,
        "redis": 0.0005,
        "agent": 0.0,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "restarts": 0.0,
        "pool_utilization": 0.3,
    },
    untraced=("pgbouncer", "postgres", "redis", "saas", "agent"),
    curve=Curve(0.35, 420, 1440, floor=False, latency_swing=0.15),
    disk_techs=(),
    step_s=lambda sig: 10 if sig in HTTP else 60,
    jitter=0.04,
    pod_parts=(("a", "b", "c"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("java", "go", "python", "node"), (20, 120), "app_version", "3.{i}.0", "3.{i}.1", "jenkins"),
    history_ids=("LDG", 2000, 2999),
    repo="{estate}/ansible",
    config_path="ansible/roles/{name}/defaults/main.yml",
    repo_file=("main.yml", "app_version: 3.0.0\nheap_max: 1g\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "env": "prod"},
    receiver="ledger-oncall",
    external_url="http://alertmanager.{estate}.internal:9093",
    platform="vm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
