"""World 86: written after world 85's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 86 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world86.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world86.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class LogAnalyticsRows(Style):
    """`SELECT * FROM _AllLogs ... ORDER BY timestamp`, saved from the console as JSON, a row a line."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["timestamp"])

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        traces = out / "traces.jsonl"
        if traces.exists():
            traces.write_text(re.sub(r"\|exc\|[^|\"]*\|", ": ", traces.read_text()).replace("system: ", ""))


SERVED = ("nextjs", "go", "python", "node")
STYLE = LogAnalyticsRows(
    world=86,
    compact=True,
    prefix="w86",
    mix=(860_977, 8_613, 861),
    start=datetime(2028, 10, 20, tzinfo=UTC),
    latency_s={"nextjs": 0.12, "go": 0.03, "python": 0.05, "node": 0.4, "connector": 0.001, "redis": 0.0005,
               "postgres": 0.002},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.45,
        "disk_utilization": 0.4,
        "restarts": 0.0,
    },
    untraced=("saas", "connector", "redis", "postgres"),
    # Singapore (UTC+8): orders after work, 18:00-22:00
    curve=Curve(0.4, 480, 720, floor=False, latency_swing=0.1),
    disk_techs=("postgres",),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("0001", "0002"), ("a", "b")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("nextjs", "go", "python", "node"), (25, 240), "image", "{i}.4.0", "{i}.4.1", "cloud-deploy"),
    history_ids=("SGR-", 100, 900),
    repo="segar-sg/platform",
    config_path="terraform/run/{name}.tf",
    repo_file=("service.tf", 'resource "google_cloud_run_v2_service" "app" {\n  image = "1.4.0"\n}\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "project": "segar-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-segar",
    external_url="https://alertmanager.segar.sg",
    platform="cloud-run",
    only={"request_rate": (*SERVED, "connector"), "error_ratio": SERVED, "latency_p99": SERVED,
          "cpu_utilization": (*SERVED, "connector", "postgres")},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
