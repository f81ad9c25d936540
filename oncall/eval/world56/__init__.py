"""World 56: written after world 55's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 56 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world56.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world56.faults import FAULTS, change
from oncall.eval.worlds import Fault

SERVED = ("nginx", "java", "golang", "python", "node", "postgres", "rabbitmq", "redis")


@dataclass(frozen=True)
class SplunkExport(Style):
    """Splunk's export lists a search's results newest first, each with its row's offset; the last row says so."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        rows = list(reversed(super().logs(e, f, t, rng)))
        for i, r in enumerate(rows):
            r["offset"] = i
            r["result"]["_serial"] = str(i)
        if rows:
            rows[-1]["lastrow"] = True
        return rows


STYLE = SplunkExport(
    world=56,
    prefix="w56",
    mix=(561_023, 5_623, 563),
    start=datetime(2026, 3, 2, tzinfo=UTC),
    latency_s={
        "nginx": 0.25,
        "java": 0.22,
        "golang": 0.015,
        "python": 0.03,
        "node": 0.09,
        "postgres": 0.004,
        "rabbitmq": 0.003,
        "redis": 0.001,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.32,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.41,
    },
    untraced=("saas", "postgres", "rabbitmq", "redis", "node"),
    curve=Curve(0.5, 540, 1200, floor=True, latency_swing=0.1),  # daytime payments, a quiet night
    disk_techs=("postgres", "rabbitmq", "redis"),
    step_s=lambda sig: 15,
    jitter=0.05,
    pod_parts=(("c",), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("java", "golang", "python", "node"), (45, 300), "image", "7.{i}.0", "7.{i}.1", "gitlab-ci"),
    history_ids=("PIX-INC-", 1200, 4999),
    repo="pagaja/infra-compose",
    config_path="stacks/{name}/docker-compose.yml",
    repo_file=("docker-compose.yml", "services:\n  app:\n    image: registry.pagaja.example/pix/app:7.0.0\n"
               "    pids_limit: 1024\n    mem_limit: 4g\n    cpus: 2.0\n    restart: unless-stopped\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "env": e.name,
        "stack": f.alert_service,
        "severity": "info" if f.category == "no_incident" else "page",
    },
    receiver="pix-plantao",
    external_url="https://alertmanager.pagaja.example",
    platform="docker-compose",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
