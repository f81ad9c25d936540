"""World 81: written after world 80's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 81 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world81.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world81.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class OtelLogsRows(Style):
    """`SELECT *` with no ORDER BY: ClickHouse returns a MergeTree's rows in its sort key, service, then time."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: (r["ServiceName"], r["Timestamp"]))

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        # a span's status says the error as the SDK records it, not the bundle's marker of an exception apart
        traces = out / "traces.jsonl"
        if traces.exists():
            traces.write_text(re.sub(r"\|exc\|[^|\"]*\|", ": ", traces.read_text()))


# what serves HTTP (its request metrics are the request signals)
SERVED = ("nginx", "java", "python", "go", "node")
STYLE = OtelLogsRows(
    world=81,
    compact=True,  # JSONEachRow writes each row compactly
    prefix="w81",
    mix=(810_733, 8_123, 811),
    start=datetime(2027, 7, 30, tzinfo=UTC),
    latency_s={"nginx": 0.03, "java": 0.15, "python": 0.08, "go": 0.04, "node": 0.3, "pgbouncer": 0.003,
               "postgres": 0.002, "rabbitmq": 0.002},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.3,
        "disk_utilization": 0.35,
        "restarts": 0.0,
    },
    untraced=("saas", "nginx", "pgbouncer", "postgres", "rabbitmq"),
    # Nairobi (UTC+3): customers pay in the morning and after work, agents sell by day
    curve=Curve(0.35, 300, 720, floor=False, latency_swing=0.1),
    disk_techs=("postgres", "rabbitmq"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("7c9d5f6b8", "5b8f7c6d9"), ("x7k2q", "m3p8v", "r5t9w")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("java", "python", "go", "node"), (25, 240), "image.tag", "3.{i}.1", "3.{i}.2", "flux"),
    history_ids=("MWZ-", 200, 800),
    repo="mwangaza-solar/platform",
    config_path="apps/mwangaza/{name}/helmrelease.yaml",
    repo_file=("helmrelease.yaml", "spec:\n  values:\n    image:\n      tag: 3.0.0\n    replicas: 4\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-mwangaza",
    external_url="https://alertmanager.mwangaza.co.ke",
    only={"request_rate": (*SERVED, "rabbitmq", "pgbouncer"), "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
