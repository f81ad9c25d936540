"""World 85: written after world 84's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 85 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world85.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world85.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class SyslogJson(Style):
    """The central syslog-ng server's file: lines in the order they arrived."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["ISODATE"])

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        traces = out / "traces.jsonl"
        if traces.exists():
            traces.write_text(re.sub(r"\|exc\|[^|\"]*\|", ": ", traces.read_text()))


SERVED = ("nginx", "php", "go", "python")
STYLE = SyslogJson(
    world=85,
    compact=True,  # format-json writes each object compactly (frac-digits(3) gives ISODATE its milliseconds)
    prefix="w85",
    mix=(850_611, 8_521, 851),
    start=datetime(2028, 8, 6, tzinfo=UTC),
    latency_s={"nginx": 0.05, "php": 0.15, "go": 0.02, "python": 0.3, "pyreport": 1.0, "postgres": 0.002,
               "rabbitmq": 0.002},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.4,
        "disk_utilization": 0.45,
        "restarts": 0.0,
    },
    untraced=("saas", "nginx", "postgres", "rabbitmq", "pyreport"),
    # Cape Town (UTC+2): residents pay in the evening and at month's start
    curve=Curve(0.35, 660, 720, floor=False, latency_swing=0.1),
    disk_techs=("postgres", "rabbitmq"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("01",), ("a",)),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("php", "go", "python"), (25, 240), "release", "4.{i}.0", "4.{i}.1", "deploy-bot"),
    history_ids=("AMZ-", 100, 700),
    repo="amanzi-water/infrastructure",
    config_path="ansible/host_vars/{name}.yml",
    repo_file=("host_vars.yml", "release: 4.0.0\nworkers: 8\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "site": "cpt",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-amanzi",
    external_url="https://alertmanager.amanzi.example",
    platform="vm",
    only={"request_rate": (*SERVED, "rabbitmq"), "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
