"""World 44: written after world 43's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 44 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world44.estates import APPS, BACKGROUND, ESTATES, GROUP, NOISE, QUIET, UNSEEN, record
from oncall.eval.world44.faults import FAULTS, change

STYLE = Style(
    world=44,
    prefix="w44",
    mix=(440_143, 4_409, 443),
    start=datetime(2026, 3, 2, tzinfo=UTC),
    # Azure's response time is an average in milliseconds
    latency_s={
        "yarp": 35.0,
        "dotnet": 60.0,
        "quarkus": 40.0,
        "fastapi": 55.0,
        "pino": 20.0,
        "azuresql": 4.0,
        "cosmos": 6.0,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 30.0,  # Azure Monitor's percent
        "memory_utilization": 46.0,
        "restarts": 0.0,
        "replicas": 3.0,
    },
    untraced=(*UNSEEN, *QUIET),
    curve=Curve(0.8, 480, 720, floor=True, latency_swing=0.1),  # lunchtime and evening reading
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("6f9d8c7b5", "7c4b9d2f8"), ("x2k9q", "m4t7z", "p9w2c")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        APPS,
        (30, 240),
        "image",
        "leaflineacr.azurecr.io/app:1.{i}.4",
        "leaflineacr.azurecr.io/app:1.{i}.5",
        "github-actions",
    ),
    history_ids=("LL-", 100, 999),
    repo="{estate}/platform",
    config_path="infra/apps/{name}.bicep",
    repo_file=(
        "{name}.bicep",
        "resource app 'Microsoft.App/containerApps@2024-03-01' = {\n  properties: {\n"
        "    template: { scale: { minReplicas: 1, maxReplicas: 10 } }\n  }\n}\n",
    ),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "resourceGroup": GROUP, "severity": "2"},
    receiver="leafline-oncall",
    external_url="https://alertmanager.{estate}.example",
    unseen=UNSEEN,
    platform="azure-container-apps",
    only={
        "request_rate": (*APPS, "cosmos"),
        "error_ratio": (*APPS, "cosmos"),
        "latency_p99": APPS,
        "cpu_utilization": (*APPS, "azuresql"),
        "memory_utilization": APPS,
        "restarts": APPS,
        "replicas": APPS,
    },
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
