"""World 88: written after world 87's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 88 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world88.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world88.faults import FAULTS, change
from oncall.eval.worlds import Fault


@dataclass(frozen=True)
class Elasticdump(Style):
    """The flog-* hits of the hours asked for, as elasticdump writes them: a hit a line, in the scroll's order."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return sorted(super().logs(e, f, t, rng), key=lambda r: r["_source"]["@timestamp"])


APIS = ("wsgi", "django")
STYLE = Elasticdump(
    world=88,
    compact=True,
    prefix="w88",
    mix=(880_993, 8_821, 881),
    start=datetime(2028, 7, 20, tzinfo=UTC),
    latency_s={"wsgi": 0.25, "django": 0.6, "oslo": 2.0, "rabbitmq": 0.002, "mariadb": 0.003, "memcached": 0.0005},
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.25,
        "memory_utilization": 0.45,
        "disk_utilization": 0.6,
        "restarts": 0.0,
    },
    untraced=("rabbitmq", "mariadb", "memcached", "oslo"),
    # Wellington (UTC+12 in July): the working day, 21:00-05:00 UTC
    curve=Curve(0.5, 1260, 1440, floor=False, latency_swing=0.1),
    disk_techs=("wsgi", "mariadb"),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("1", "2", "3"), ("a", "b")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("wsgi", "oslo"), (40, 300), "image", "2024.1-{i}.3", "2024.1-{i}.4", "kolla-ansible upgrade"),
    history_ids=("INC0", 11000, 19000),
    repo="vuw-rcs/kolla-config",
    config_path="etc/kolla/config/{name}.conf",
    repo_file=("{name}.conf", "[DEFAULT]\ncpu_allocation_ratio = 4.0\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "region": "RegionOne",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="rcs-oncall",
    external_url="https://alertmanager.rcs.vuw.ac.nz",
    platform="kolla",
    only={"request_rate": APIS, "error_ratio": (*APIS, "oslo"), "latency_p99": APIS,
          "cpu_utilization": (*APIS, "oslo", "rabbitmq", "mariadb"),
          "memory_utilization": (*APIS, "oslo", "rabbitmq", "mariadb")},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
