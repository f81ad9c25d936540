"""World 97: written after world 96's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 97 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world97.estates import APPS, BACKGROUND, ESTATES, NOISE, PROJECT, record
from oncall.eval.world97.faults import FAULTS, change
from oncall.eval.worlds import Fault

APP_YAML = (
    "runtime: python312\ninstance_class: F1\nautomatic_scaling:\n  max_instances: 20\n"
    "vpc_access_connector:\n  name: projects/passe-tejo-prod/locations/europe-west1/connectors/tejo-conn\n"
    "  egress_setting: private-ranges-only\n"
)


class SinkStyle(Style):
    """The sink writes a folder per log and the team concatenates the folders: grouped by log, then by time."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: (r["logName"], r["timestamp"]))


STYLE = SinkStyle(
    world=97,
    prefix="w97",
    mix=(970_027, 9_719, 977),
    start=datetime(2029, 1, 8, tzinfo=UTC),
    latency_s={"flask": 0.12, "java8": 0.35, "go": 0.08, "gunicorn": 0.05, "node": 0.2, "mysql": 0.004},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.58,
        "disk_utilization": 0.47,
        "pool_utilization": 0.25,
        "restarts": 0.0,
    },
    untraced=("flask", "java8", "go", "gunicorn", "node", "mysql", "saas"),
    # Lisbon's day, 06:00-01:00 (UTC in winter): rush hours, quiet at night
    curve=Curve(0.7, 360, 1440, floor=True, latency_swing=0.12),
    disk_techs=("mysql",),
    only={
        **{
            sig: APPS
            for sig in (
                "request_rate",
                "error_ratio",
                "latency_p99",
                "cpu_utilization",
                "memory_utilization",
                "restarts",
            )
        },
        "pool_utilization": ("mysql",),
        "disk_utilization": ("mysql",),
    },
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2", "3", "4")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("flask", "go", "gunicorn", "node"), (40, 240), "version", "2029010{i}t0930", "2029010{i}t1415", "cloud-build"
    ),
    history_ids=("TEJO", 1200, 1999),
    repo="passe-tejo/services",
    config_path="{name}/app.yaml",
    repo_file=("app.yaml", APP_YAML),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "project_id": PROJECT,
        "severity": "page",
    },
    receiver="tejo-oncall",
    external_url="https://alertmanager.passe-tejo.internal",
    platform="appengine",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
