"""World 10: written after world 9's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 10 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.eval.styled import HTTP, Curve, Routine, Style
from oncall.eval.world10.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world10.faults import FAULTS, change
from oncall.eval.worlds import Fault

SAID = {
    "HighErrorRate": "is throwing errors",
    "HighLatency": "is really slow",
    "ConsumerLagHigh": "is way behind on its queue",
}


def alert_labels(e: Estate, f: Fault) -> dict[str, str]:
    return {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "team": e.name}


def slack_request(e: Estate, f: Fault, t: datetime, rng: random.Random) -> tuple[dict[str, Any], str] | None:
    """Nobody pages the billing estate: an engineer notices and asks in Slack a few minutes later."""
    if e.shipper != "papertrail":
        return None
    asked = t + timedelta(minutes=rng.randint(3, 9))
    text = f"<@U07C0P1L0T> {f.alert_service} {SAID[f.alertname]} since {t:%H:%M} UTC, can you take a look?"
    event = {
        "token": "verification-token-unused",
        "team_id": "T024BE7LD",
        "api_app_id": "A07C0P1L0T",
        "type": "event_callback",
        "event_id": f"Ev{rng.getrandbits(40):010X}",
        "event_time": int(asked.timestamp()),
        "event": {
            "type": "app_mention",
            "user": "U02ONCALL",
            "text": text,
            "ts": f"{asked.timestamp():.6f}",
            "channel": "C0INCIDENTS",
            "event_ts": f"{asked.timestamp():.6f}",
        },
    }
    return event, f.alertname


STYLE = Style(
    world=10,
    prefix="w10",
    mix=(141_421, 733, 61),
    start=datetime(2026, 4, 1, tzinfo=UTC),
    latency_s={
        "nginx": 0.08,
        "emqx": 0.004,
        "go": 0.02,
        "node": 0.12,
        "python": 0.3,
        "java": 0.05,
        "kafka": 0.006,
        "postgres": 0.008,
        "redis": 0.0006,
        "rails": 0.35,
        "ruby": 0.4,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.4,
        "memory_utilization": 0.55,
        "disk_utilization": 0.5,
        "restarts": 0.0,
        "pool_utilization": 0.2,
    },
    untraced=("kafka", "postgres", "redis", "saas", "emqx"),
    curve=Curve(0.35, 300, 1440, floor=False, latency_swing=0.2),
    disk_techs=("kafka", "postgres", "redis"),
    step_s=lambda sig: 30 if sig in HTTP else 60,
    jitter=0.05,
    pod_parts=(("7b8c9d6f5", "6f5d9c8b7"), ("h2k9l", "m3n8p", "q4r7s")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("node", "go", "python", "java", "rails", "ruby"), (25, 70), "release", "v2{i}0", "v2{i}1", "deploy-bot"
    ),
    history_ids=("INC", 5000, 5999),
    repo="{estate}/platform",
    config_path="apps/{name}/app.json",
    repo_file=("app.json", '{\n  "release": "v200",\n  "formation": {"web": 2}\n}\n'),
    labels=alert_labels,
    receiver="oncall-copilot",
    external_url="https://alertmanager.{estate}.example",
    alert=slack_request,
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
