"""World 76: written after world 75's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 76 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world76.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world76.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class NewestFirst(Style):
    """logcli returns a query's entries newest first (its default direction), and the export kept that order."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return list(reversed(super().logs(e, f, t, rng)))


# what serves HTTP (its request metrics are the request signals)
SERVED = ("apicast", "quarkus", "zap", "spring")
STYLE = NewestFirst(
    world=76,
    prefix="w76",
    mix=(760_417, 7_607, 761),
    start=datetime(2027, 5, 3, tzinfo=UTC),
    latency_s={"apicast": 0.08, "quarkus": 0.06, "zap": 0.25, "spring": 0.4, "structlog": 1.0, "kafka": 0.005,
               "infinispan": 0.002, "postgres": 0.003},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
    },
    untraced=("saas", "postgres", "kafka", "infinispan", "structlog"),
    # Helsinki (UTC+3 in May): the morning and afternoon rush hours
    curve=Curve(0.7, 240, 720, floor=False, latency_swing=0.15),
    disk_techs=(),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("5c9d7f6b8", "6f8b9c7d4"), ("q7w2r", "t5y8u", "p3k6m")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("quarkus", "zap", "spring", "structlog"), (25, 230), "image.tag", "5.{i}.0", "5.{i}.1",
                    "openshift-gitops"),
    history_ids=("LIPPU-", 1200, 1900),
    repo="lippu/deploy",
    config_path="apps/{name}/overlays/prod/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 5.0.0\nreplicas: 3\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": "lippu-prod",
        "openshift_io_alert_source": "platform" if f.alert_service == "kafka" else "user",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="pagerduty-lippu",
    external_url="https://alertmanager-main-openshift-monitoring.apps.ocp4.hki.lippu.fi",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
