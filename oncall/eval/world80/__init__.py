"""World 80: written after world 79's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 80 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world80.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world80.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class LogfireRows(Style):
    """The query's rows newest first (`ORDER BY start_timestamp DESC`, as Logfire's explorer writes it)."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["start_timestamp"], reverse=True)

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        # a span's status says what the SDK recorded: the formatted message and the exception, not the markers
        traces = out / "traces.jsonl"
        if traces.exists():
            text = re.sub(r"[^\"|]*\|=\|", "", traces.read_text())
            traces.write_text(re.sub(r"\|exc\|[^|\"]*\|", ": ", text))


# what serves HTTP (its request metrics are the request signals)
SERVED = ("nginx", "node", "python")
STYLE = LogfireRows(
    world=80,
    prefix="w80",
    mix=(800_613, 8_039, 809),
    start=datetime(2027, 3, 1, tzinfo=UTC),
    latency_s={"nginx": 0.03, "node": 0.09, "python": 0.12, "postgres": 0.002, "redis": 0.001, "redpanda": 0.004},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
        "disk_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("saas", "nginx", "postgres", "redis", "redpanda"),
    # Lisbon: learners practise before work and in the evening
    curve=Curve(0.4, 360, 720, floor=False, latency_swing=0.1),
    disk_techs=("postgres", "redpanda", "python"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("5c7d9f8b6", "8b6c5d7f9"), ("k2v8n", "p4r6s", "w9x3z")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("python", "node"), (25, 240), "image.tag", "4.{i}.4", "4.{i}.5", "argocd"),
    history_ids=("LINGO-", 100, 700),
    repo="lingo/deploy",
    config_path="deploy/lingo/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 4.0.0\nreplicas: 6\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-lingo",
    external_url="https://alertmanager.lingo.pt",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
