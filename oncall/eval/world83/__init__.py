"""World 83: written after world 82's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 83 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world83.estates import BACKGROUND, ESTATES, NOISE, REF, record
from oncall.eval.world83.faults import FAULTS, change
from oncall.eval.worlds import Fault

# the order the team's script runs one query per source in
SOURCES = ("api-gateway", "rest", "auth", "storage", "realtime", "redeem-points", "stripe-webhook", "send-push",
           "supavisor", "postgres")  # fmt: skip


@dataclass(frozen=True)
class LogsExplorerRows(Style):
    """One Logs Explorer query a source, each `order by timestamp desc`, saved one after another."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        rows = super().logs(e, f, t, rng)
        return sorted(rows, key=lambda r: (SOURCES.index(r["source"]), -r["timestamp"]))

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        # a span's status says the error as the SDK records it, not the bundle's marker of an exception apart
        traces = out / "traces.jsonl"
        if traces.exists():
            traces.write_text(re.sub(r"\|exc\|[^|\"]*\|", ": ", traces.read_text()))
        # jq -c writes each row compactly
        path = out / "logs.jsonl"
        rows = [json.loads(line) for line in path.read_text().splitlines() if line]
        path.write_text("".join(json.dumps(r, separators=(",", ":"), ensure_ascii=False) + "\n" for r in rows))


# what serves HTTP (its request metrics are the request signals)
SERVED = ("kong", "postgrest", "gotrue", "node", "deno")
STYLE = LogsExplorerRows(
    world=83,
    prefix="w83",
    mix=(830_417, 8_311, 831),
    start=datetime(2027, 12, 11, tzinfo=UTC),
    latency_s={"kong": 0.06, "postgrest": 0.03, "gotrue": 0.08, "node": 0.09, "elixir": 0.01, "deno": 0.25,
               "supavisor": 0.002, "postgres": 0.003},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "disk_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("saas", "kong", "postgrest", "supavisor", "postgres", "elixir"),
    # Melbourne (UTC+11 in December): coffee before work and at lunch
    curve=Curve(0.4, 1200, 720, floor=False, latency_swing=0.1),
    disk_techs=("postgres",),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("a", "b"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("deno",), (25, 240), "release", "1.{i}.0", "1.{i}.1", "github-actions"),
    history_ids=("BEAN-", 100, 600),
    repo="beanstalk-loyalty/app",
    config_path="supabase/{name}/config.toml",
    repo_file=("config.toml", "[deploy]\nrelease = \"1.0.0\"\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "project": REF,
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-beanstalk",
    external_url="https://alertmanager.beanstalk.com.au",
    platform="supabase",
    only={"request_rate": (*SERVED, "postgres"), "error_ratio": SERVED, "latency_p99": SERVED,
          "cpu_utilization": ("postgres", "supavisor"), "memory_utilization": ("postgres", "supavisor"),
          "restarts": ("postgres", "supavisor", "elixir")},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
