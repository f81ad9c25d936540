"""World 108: written after world 107's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 108 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world108.estates import BACKGROUND, ESTATES, NOISE, batch, record
from oncall.eval.world108.faults import FAULTS, change

APP_BICEP = (
    "param name string\nparam image string\n\nresource app 'Microsoft.App/containerApps@2024-03-01' = {\n  name: name\n"
    "  location: 'westeurope'\n  properties: {\n    managedEnvironmentId: cae.id\n    configuration: {\n"
    "      ingress: { external: false, targetPort: 8080 }\n      dapr: { enabled: true, appId: name }\n    }\n"
    "    template: {\n      containers: [ { name: name, image: image,\n"
    "        resources: { cpu: json('1.0'), memory: '2Gi' } } ]\n"
    "      scale: { minReplicas: 2, maxReplicas: 10 }\n    }\n  }\n}\n"
)
SERVED = ("frontdoor", "pino", "laravel", "nest")

STYLE = Style(
    world=108,
    prefix="w108",
    mix=(1_080_108, 10_808, 1_088),
    start=datetime(2029, 11, 2, tzinfo=UTC),
    latency_s={
        "frontdoor": 0.12,
        "pino": 0.09,
        "laravel": 0.07,
        "nest": 0.015,
        "pylog": 0.3,
        "pgflex": 0.005,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
        "disk_utilization": 0.61,
        "pool_utilization": 0.2,
        "restarts": 0.0,
    },
    untraced=("frontdoor", "pino", "laravel", "nest", "pylog", "pgflex", "saas"),
    # lunch and dinner in Porto (UTC in the winter): a peak around 20:30, quiet through the night
    curve=Curve(0.9, 870, 1440, floor=True, latency_swing=0.15),
    disk_techs=("pgflex",),
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.06,
    pod_parts=(("5f8c9d7b6", "7d9f4c8b2", "6b7c5d9f8"), ("x2k9q", "m4t7r", "b8v3n")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("pino", "laravel", "nest", "pylog"), (40, 240), "image", "1.{i}.4", "1.{i}.5", "github-actions"),
    history_ids=("MESA", 20, 310),
    repo="{estate}/platform",
    config_path="infra/apps/{name}/main.bicep",
    repo_file=("main.bicep", APP_BICEP),
    labels=lambda e, f: {
        "alertname": f.alertname,
        "container_app": f.alert_service,
        "environment": "cae-mesa-prod",
        "severity": "critical",
    },
    receiver="mesa-plantao",
    external_url="https://alertmanager.{estate}.pt",
    platform="container-apps",
    compact=True,
    only={
        "pool_utilization": ("laravel", "nest", "pylog"),
        "request_rate": (*SERVED, "pylog", "pgflex"),
        "error_ratio": SERVED,
        "latency_p99": (*SERVED, "pgflex"),
    },
    batch=batch,
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
