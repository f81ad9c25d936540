"""World 74: written after world 73's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 74 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world74.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world74.faults import FAULTS, change

# what serves HTTP (its span metrics are the request signals)
SERVED = ("tyk", "ktor", "nest", "loguru", "envlogger")
STYLE = Style(
    world=74,
    prefix="w74",
    mix=(740_311, 7_419, 743),
    start=datetime(2027, 3, 13, tzinfo=UTC),
    latency_s={"tyk": 0.05, "ktor": 0.12, "nest": 0.2, "loguru": 0.3, "envlogger": 0.08, "mongo": 0.004,
               "postgres": 0.003},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.45,
    },
    untraced=("saas", "mongo", "postgres"),
    # Korea (UTC+9): readers late in the evening, quiet in the small hours
    curve=Curve(0.6, 480, 1440, floor=False, latency_swing=0.1),
    disk_techs=(),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("6d8f7c9b5", "7b9c5d6f8"), ("x7k2p", "m4n8q", "h3j6w")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("ktor", "nest", "loguru", "envlogger"), (25, 230), "image.tag", "2.{i}.0", "2.{i}.1",
                    "argocd"),
    history_ids=("WT-", 300, 900),
    repo="webtoon/deploy",
    config_path="apps/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "image:\n  tag: 2.0.0\nreplicaCount: 3\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "k8s_namespace_name": "webtoon",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="opsgenie-webtoon",
    external_url="https://alertmanager.webtoon.kr",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
