"""World 78: written after world 77's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 78 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world78.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world78.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class ClickHouseExport(Style):
    """The export's rows in ClickHouse's order for `ORDER BY timestamp DESC` (the query SigNoz's explorer runs)."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: int(r["timestamp"]), reverse=True)

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        path = out / "logs.jsonl"
        rows = [json.loads(line) for line in path.read_text().splitlines() if line]
        # JSONEachRow: compact, UTF-8 as is, and `/` escaped (output_format_json_escape_forward_slashes, on by default)
        compact = (json.dumps(r, separators=(",", ":"), ensure_ascii=False).replace("/", "\\/") for r in rows)
        path.write_text("".join(line + "\n" for line in compact))
        # a span's status says the error as the SDK records it, not the bundle's marker of an exception apart
        traces = out / "traces.jsonl"
        if traces.exists():
            traces.write_text(re.sub(r"\|exc\|[^|\"]*\|", ": ", traces.read_text()))


# what serves HTTP (its request metrics are the request signals)
SERVED = ("envoy", "pino", "java", "slog", "python")
STYLE = ClickHouseExport(
    world=78,
    prefix="w78",
    mix=(780_311, 7_823, 787),
    start=datetime(2027, 2, 8, tzinfo=UTC),
    latency_s={"envoy": 0.05, "pino": 0.12, "java": 0.08, "slog": 0.3, "python": 0.2, "pgbouncer": 0.002,
               "postgres": 0.002, "kafka": 0.004},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "disk_utilization": 0.45,
        "pool_utilization": 0.3,
    },
    untraced=("saas", "envoy", "pgbouncer", "postgres", "kafka"),
    # Istanbul (UTC+3): lunch and the evening's dinner orders
    curve=Curve(0.6, 300, 720, floor=False, latency_swing=0.1),
    disk_techs=("kafka", "postgres"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("7f9c5d8b6", "5d8b6f9c7"), ("x2k4p", "m8n3q", "r5t7w")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("java", "slog", "python", "pino"), (25, 230), "image.tag", "7.{i}.0", "7.{i}.1", "argocd"),
    history_ids=("CBK-", 2100, 2900),
    repo="cabuk/platform",
    config_path="clusters/ist1/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 7.0.0\nreplicas: 6\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "k8s_namespace_name": "cabuk-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-cabuk",
    external_url="https://alertmanager.ist1.cabuk.com.tr",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED, "pool_utilization": ("java",)},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
