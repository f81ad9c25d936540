"""World 75: written after world 74's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 75 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world75.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world75.faults import FAULTS, change

STYLE = Style(
    world=75,
    prefix="w75",
    mix=(750_227, 7_523, 751),
    start=datetime(2027, 4, 17, tzinfo=UTC),
    latency_s={"edge": 0.02, "next": 0.15, "pino": 0.2, "pylog": 0.3, "cron": 2.0},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.25,
        "memory_utilization": 0.35,
    },
    untraced=("saas",),
    # Madrid (UTC+2 in spring): bookings after work, a second peak at night
    curve=Curve(0.5, 1080, 1440, floor=False, latency_swing=0.1),
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.06,
    pod_parts=(("iad", "cdg"), ("a", "b")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("next", "pino", "pylog", "cron"), (25, 240), "version", "3.{i}.0", "3.{i}.1", "vercel-git"),
    history_ids=("PST-", 100, 600),
    repo="pista/platform",
    config_path="apps/{name}/vercel.json",
    repo_file=("vercel.json", '{ "version": "3.0.0" }\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f"pista-{f.alert_service}",
        "vercel_environment": "production",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="incident-io-pista",
    external_url="https://alertmanager.pista.es",
    platform="vercel",
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
