"""World 60: written after world 59's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 60 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world60.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world60.faults import FAULTS, change

# what answers requests (the OCR worker's are the receipts it takes from the queue)
SERVED = ("httpd", "springboot", "quarkus", "python", "keycloak", "rabbitmq", "oracle", "minio")
STYLE = Style(
    world=60,
    prefix="w60",
    mix=(601_031, 6_007, 601),
    start=datetime(2026, 6, 1, tzinfo=UTC),
    latency_s={
        "httpd": 0.2,
        "springboot": 0.18,
        "quarkus": 0.09,
        "python": 2.3,
        "keycloak": 0.15,
        "rabbitmq": 0.004,
        "oracle": 0.006,
        "minio": 0.03,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.52,
        "restarts": 0.0,
        "disk_utilization": 0.61,
    },
    untraced=("saas", "rabbitmq", "oracle", "minio"),
    curve=Curve(0.5, 420, 1440, floor=False, latency_swing=0.1),  # office hours
    disk_techs=("oracle", "minio", "rabbitmq"),
    step_s=lambda sig: 60,
    jitter=0.04,
    pod_parts=(("vm",), ("01", "02")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("springboot", "quarkus", "python", "keycloak"), (45, 300), "version", "4.{i}.2", "4.{i}.3",
                    "release-pipeline"),
    history_ids=("KV-", 7000, 7999),
    repo="kasse/ansible-platform",
    config_path="roles/{name}/defaults/main.yml",
    repo_file=("main.yml", "version: 4.0.2\nheap_max: 2g\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "umgebung": "prod",
        "severity": "info" if f.category == "no_incident" else "critical",
    },
    receiver="bereitschaft",
    external_url="https://alertmanager.kasse.example",
    platform="vm",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
