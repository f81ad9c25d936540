"""World 89: written after world 88's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 89 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world89.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world89.faults import FAULTS, change
from oncall.eval.worlds import Fault


def _container(row: dict[str, Any]) -> str:
    """The container's id (its log file's folder): a hash of its compose service, as each run names it."""
    return hashlib.sha256(row["attrs"]["com.docker.compose.service"].encode()).hexdigest()


@dataclass(frozen=True)
class ConcatenatedJsonFiles(Style):
    """Every container's json-file log, concatenated in the order the shell lists their folders."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        rows = sorted(super().logs(e, f, t, rng), key=lambda r: r["time"])
        return sorted(rows, key=_container)  # (stable: each container's own lines stay in time order)


STYLE = ConcatenatedJsonFiles(
    world=89,
    compact=True,
    prefix="w89",
    mix=(890_997, 8_923, 891),
    start=datetime(2028, 2, 6, tzinfo=UTC),
    latency_s={"nginx": 0.2, "rails": 0.15, "node": 0.01, "sidekiq": 0.5, "pgbouncer": 0.002, "postgres": 0.004,
               "redis": 0.0005, "elasticsearch": 0.05},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "disk_utilization": 0.55,
        "restarts": 0.0,
    },
    untraced=("nginx", "saas", "pgbouncer", "postgres", "redis", "elasticsearch", "node"),
    # Edinburgh (UTC+0 in February): evenings and lunchtimes
    curve=Curve(0.3, 720, 720, floor=False, latency_swing=0.1),
    disk_techs=("postgres", "elasticsearch"),
    step_s=lambda sig: 15,
    jitter=0.05,
    pod_parts=(("1",), ("",)),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("rails", "sidekiq", "node", "nginx"), (60, 400), "image", "v4.{i}.1", "v4.{i}.2",
                    "admin@fedi.scot"),
    history_ids=("fedi-", 1, 90),
    repo="fedi-scot/server",
    config_path="docker-compose.yml",
    repo_file=("docker-compose.yml", "services:\n  sidekiq:\n    command: bundle exec sidekiq -c 25\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "instance": "fedi-01",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="admins-matrix",
    external_url="https://alerts.fedi.scot",
    platform="docker-compose",
    only={"request_rate": ("nginx", "rails", "sidekiq", "node"), "error_ratio": ("nginx", "rails", "sidekiq", "node"),
          "latency_p99": ("nginx", "rails", "sidekiq", "postgres"),
          "cpu_utilization": ("rails", "sidekiq", "node", "postgres", "elasticsearch", "pgbouncer"),
          "memory_utilization": ("rails", "sidekiq", "node", "postgres", "elasticsearch", "redis")},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
