"""World 18: written after world 17's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 18 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world18.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world18.faults import FAULTS, Hang, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class _Style(Style):
    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        """A service that hangs logs nothing from the moment it hangs."""
        recs = super().logs(e, f, t, rng)
        if not isinstance(f, Hang) or f.quiet_from is None:
            return recs
        since = f.quiet_from
        return [r for r in recs if r["service"] != f.root or datetime.fromisoformat(r["ts"]) < since]


STYLE = _Style(
    world=18,
    prefix="w18",
    mix=(161_803, 1_414, 73),
    start=datetime(2026, 7, 13, tzinfo=UTC),
    latency_s={"waf": 0.15, "node": 0.12, "java": 0.2, "python": 0.08, "go": 0.03, "postgres": 0.005, "redis": 0.001},
    normal={"error_ratio": 0.003, "cpu_utilization": 0.42, "memory_utilization": 0.61, "restarts": 0.0},
    untraced=("waf", "postgres", "redis", "saas"),
    curve=Curve(0.35, 540, 1440, floor=False, latency_swing=0.1),
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("6c9d7f8b5", "7f4b2c9d1"), ("h2k8s", "p9x4d", "w3n7q")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("node", "java", "python", "go"), (20, 110), "version:", "3.{i}.0", "3.{i}.1", "ci"),
    history_ids=("TRV", 4000, 4999),
    repo="{estate}/deployments",
    config_path="services/{name}/release.yaml",
    repo_file=("release.yaml", "version: 3.0.0\nreplicas: 4\n"),
    labels=lambda e, f: {"alertname": f.alertname, "service": f.alert_service, "severity": "critical", "team": "sre"},
    receiver="travel-sre",
    external_url="https://alertmanager.travel.example",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
