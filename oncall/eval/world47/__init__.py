"""World 47: written after world 46's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 47 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world47.estates import BACKGROUND, ESTATES, NOISE, UNSEEN, record
from oncall.eval.world47.faults import FAULTS, change

STYLE = Style(
    world=47,
    prefix="w47",
    mix=(470_279, 4_703, 479),
    start=datetime(2026, 5, 4, tzinfo=UTC),
    # wall time in milliseconds (a worker waits on what it binds to)
    latency_s={"remix": 180.0, "hono": 25.0, "sync": 900.0, **{u: 1.0 for u in UNSEEN}},
    normal={"error_ratio": 0.003},
    untraced=("remix", "hono", "sync", *UNSEEN),
    curve=Curve(0.6, 600, 1440, floor=False, latency_swing=0.1),  # shoppers' evenings
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("",), ("",)),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("remix", "hono"), (30, 200), "version_id", "1a2b3c{i}d", "9e8f7a{i}b", "github-actions"),
    history_ids=("INC-", 2000, 2999),
    repo="{estate}/edge",
    config_path="workers/{name}/wrangler.toml",
    repo_file=("wrangler.toml", 'name = "worker"\nmain = "src/index.ts"\ncompatibility_date = "2026-03-01"\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "severity": "warning" if f.category == "no_incident" else "page",
        "team": "storefront",
    },
    receiver="storefront-pager",
    external_url="https://alertmanager.{estate}.example",
    unseen=UNSEEN,
    platform="workers",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
