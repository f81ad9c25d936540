"""World 92: written after world 91's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 92 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world92.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world92.faults import FAULTS, change

STYLE = Style(
    world=92,
    prefix="w92",
    mix=(920_011, 9_241, 929),
    start=datetime(2028, 5, 1, tzinfo=UTC),
    latency_s={"nginx": 0.35, "workhorse": 0.3, "puma": 0.4, "sidekiq": 2.0, "praefect": 0.06, "gitaly": 0.05,
               "postgres": 0.006, "redis": 0.001, "registry": 0.12, "minio": 0.03, "runner": 25.0, "saas": 0.2},
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.6,
        "disk_utilization": 0.58,
        "pool_utilization": 0.35,
        "restarts": 0.0,
    },
    untraced=("nginx", "workhorse", "puma", "sidekiq", "praefect", "gitaly", "postgres", "redis", "registry", "minio",
              "runner", "saas"),
    # engineers in Regensburg (UTC+2 in May): the working day
    curve=Curve(0.6, 360, 1440, floor=True, latency_swing=0.1),
    disk_techs=("gitaly", "postgres", "redis", "minio"),
    only={"pool_utilization": ("postgres",), "disk_utilization": ("gitaly", "postgres", "redis", "minio")},
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("01", "02"), ("a",)),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("registry", "minio", "runner"), (45, 300), "package", "17.{i}.1", "17.{i}.2", "awx"),
    history_ids=("INC-", 2100, 2900),
    repo="auerbach/gitlab-ansible",
    config_path="host_vars/{name}/main.yml",
    repo_file=("main.yml", "gitlab_rails_object_store_endpoint: https://minio.s3.auerbach-antriebe.lan:9000\n"
                           "puma_worker_processes: 8\nsidekiq_max_concurrency: 20\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "env": "gprd",
        "tier": "sv",
        "severity": "s4" if f.category == "no_incident" else "s2",
    },
    receiver="gitlab-admins",
    external_url="https://alertmanager.auerbach-antriebe.lan",
    platform="vm",
    compact=True,
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
