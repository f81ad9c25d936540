"""World 79: written after world 78's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 79 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world79.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world79.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class HoneycombExport(Style):
    """The raw-data export's events newest first, as Honeycomb's query results list them."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["Timestamp"], reverse=True)

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        # a span's status says the error as the SDK records it, not the bundle's marker of an exception apart
        traces = out / "traces.jsonl"
        if traces.exists():
            traces.write_text(re.sub(r"\|exc\|[^|\"]*\|", ": ", traces.read_text()))


# what serves HTTP (its request metrics are the request signals)
SERVED = ("envoy", "go", "python", "dotnet")
STYLE = HoneycombExport(
    world=79,
    compact=True,  # Honeycomb writes the export compactly
    prefix="w79",
    mix=(790_457, 7_919, 797),
    start=datetime(2027, 4, 12, tzinfo=UTC),
    latency_s={"envoy": 0.04, "go": 0.06, "rust": 0.01, "python": 0.15, "dotnet": 0.4, "emqx": 0.003,
               "postgres": 0.002, "coredns": 0.001},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.45,
        "disk_utilization": 0.5,
        "restarts": 0.0,
    },
    untraced=("saas", "envoy", "emqx", "postgres", "coredns"),
    # a mine works around the clock: two shifts, the load flat but for the changes at 08:00 and 20:00 (UTC-4)
    curve=Curve(0.1, 720, 720, floor=False, latency_swing=0.05),
    disk_techs=("postgres", "emqx"),
    step_s=lambda sig: 60 if sig in ("restarts", "disk_utilization") else 30,
    jitter=0.05,
    pod_parts=(("6d8f9c7b5", "7b5d6f8c9"), ("q4x7z", "t2m9k", "h8w3p")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("go", "python", "dotnet", "rust"), (25, 240), "image.tag", "5.{i}.2", "5.{i}.3", "flux"),
    history_ids=("FAE-", 300, 900),
    repo="faena-digital/fleet",
    config_path="clusters/faena-prod/{name}/release.yaml",
    repo_file=("release.yaml", "spec:\n  values:\n    image:\n      tag: 5.0.0\n    replicas: 4\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f"{e.namespace}/{f.alert_service}",
        "namespace": e.namespace,
        "cluster": "faena-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-faena",
    external_url="https://alertmanager.faena-prod.faena.cl",
    only={"request_rate": (*SERVED, "rust", "emqx"), "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
