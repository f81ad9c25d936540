"""World 84: written after world 83's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 84 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world84.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world84.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class NomadTableRows(Style):
    """`SELECT * FROM logs.nomad ... ORDER BY timestamp FORMAT JSONEachRow`."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["timestamp"])

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        traces = out / "traces.jsonl"
        if traces.exists():
            traces.write_text(re.sub(r"\|exc\|[^|\"]*\|", ": ", traces.read_text()))
        path = out / "logs.jsonl"
        rows = [json.loads(line) for line in path.read_text().splitlines() if line]
        path.write_text("".join(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in rows))


SERVED = ("traefik", "java", "go", "python", "node")
STYLE = NomadTableRows(
    world=84,
    prefix="w84",
    mix=(840_223, 8_407, 841),
    start=datetime(2028, 5, 2, tzinfo=UTC),
    latency_s={"traefik": 0.04, "java": 0.12, "go": 0.03, "python": 0.06, "node": 0.4, "postgres": 0.002,
               "redis": 0.0005, "emqx": 0.005},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.45,
        "disk_utilization": 0.4,
        "restarts": 0.0,
    },
    untraced=("saas", "traefik", "postgres", "redis", "emqx"),
    # Montréal (UTC-4 in season): commuters at 8 and 17
    curve=Curve(0.45, 600, 540, floor=False, latency_swing=0.1),
    disk_techs=("postgres",),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a1", "b2"), ("k3", "p9", "x7")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("java", "go", "python", "node"), (25, 240), "image", "2.{i}.0", "2.{i}.1", "nomad-deploy"),
    history_ids=("FLV-", 300, 900),
    repo="velo-fleuve/infra",
    config_path="nomad/{name}.nomad.hcl",
    repo_file=("job.nomad.hcl", 'job "app" {\n  group "web" {\n    count = 4\n  }\n}\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "region": "mtl",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-fleuve",
    external_url="https://alertmanager.fleuve.example",
    platform="nomad",
    only={"request_rate": (*SERVED, "emqx"), "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
