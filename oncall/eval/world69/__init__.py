"""World 69: written after world 68's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 69 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world69.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world69.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class NewestFirst(Style):
    """The search returned its hits newest first, and the export kept that order."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return list(reversed(super().logs(e, f, t, rng)))


# what the spanmetrics connector sees serving (the gates' scans on access-control; Skipper by its routes)
SERVED = ("skipper", "sveltekit", "goslog", "javaagent", "rusttracing", "pyotel")
STYLE = NewestFirst(
    world=69,
    prefix="w69",
    mix=(690_523, 6_911, 691),
    start=datetime(2026, 12, 12, tzinfo=UTC),
    latency_s={"skipper": 0.15, "sveltekit": 0.2, "goslog": 0.12, "javaagent": 0.08, "rusttracing": 0.04,
               "pyotel": 0.1, "dotnet": 0.3, "nats": 0.002},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.35,  # kubeletstats: a fraction of the limit
        "memory_utilization": 0.5,
        "disk_utilization": 0.45,
    },
    untraced=("saas", "nats"),
    # Toronto's ski day (UTC-5): the lifts' morning peak around ten, quiet overnight
    curve=Curve(0.6, 540, 1440, floor=False, latency_swing=0.1),
    disk_techs=("nats",),
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.05,
    pod_parts=(("7c9f6d5b8", "5d4b9c8f7"), ("x2k4q", "m9p3z", "t7r2w")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("sveltekit", "goslog", "javaagent", "rusttracing", "pyotel"), (25, 230), "image.tag", "5.{i}.0",
                    "5.{i}.1", "argocd"),
    history_ids=("PISTE-", 100, 700),
    repo="piste/platform",
    config_path="apps/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 5.0.0\nreplicaCount: 3\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "k8s_cluster_name": "doks-tor1-prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-piste-platform",
    external_url="https://alertmanager.piste.ca",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
