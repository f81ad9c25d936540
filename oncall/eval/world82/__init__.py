"""World 82: written after world 81's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 82 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world82.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world82.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class BigQueryRows(Style):
    """The console's results of `SELECT * ... ORDER BY timestamp DESC`, saved as JSON and split a row a line."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["timestamp"], reverse=True)

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        # a span's status says the error as the SDK records it, not the bundle's markers
        traces = out / "traces.jsonl"
        if traces.exists():
            text = re.sub(r"\|exc\|[^|\"]*\|", ": ", traces.read_text())
            traces.write_text(text.replace("[cloud-sql-proxy] ", ""))


# what serves HTTP (its request metrics are the request signals)
SERVED = ("gclb", "ruby", "python", "elixir", "go")
STYLE = BigQueryRows(
    world=82,
    compact=True,
    prefix="w82",
    mix=(820_919, 8_209, 821),
    start=datetime(2027, 12, 18, tzinfo=UTC),
    latency_s={"gclb": 0.05, "ruby": 0.12, "python": 0.2, "elixir": 0.03, "go": 0.02, "postgres": 0.002,
               "redis": 0.0005},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.45,
        "disk_utilization": 0.4,
        "restarts": 0.0,
    },
    untraced=("saas", "gclb", "postgres", "redis"),
    # Vancouver (UTC-8): the lifts open at 08:30 and the shop is busiest in the evening
    curve=Curve(0.3, 990, 600, floor=False, latency_swing=0.1),
    disk_techs=("postgres",),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("6f8c7d9b5", "9b5d8c6f7"), ("p3k8w", "z7m2q", "t5v9x")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("ruby", "python", "elixir", "go"), (25, 240), "image.tag", "7.{i}.0", "7.{i}.1", "config-sync"),
    history_ids=("PEAK-", 1000, 1900),
    repo="coast-peaks/platform",
    config_path="clusters/peaks-prod/{name}/kustomization.yaml",
    repo_file=("kustomization.yaml", "images:\n  - name: app\n    newTag: 7.0.0\nreplicas:\n  - count: 6\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "cluster": "peaks-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-peaks",
    external_url="https://alertmanager.peaks.coastpeaks.ca",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
