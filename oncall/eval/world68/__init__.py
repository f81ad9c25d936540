"""World 68: written after world 67's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 68 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world68.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world68.faults import FAULTS, change

# what answers requests (API Management by its APIs; the notifications function by its executions)
SERVED = ("apim", "nextjs", "dotnet", "spring", "fastapi", "nodefunc")
STYLE = Style(
    world=68,
    prefix="w68",
    mix=(680_519, 6_823, 683),
    start=datetime(2026, 9, 1, tzinfo=UTC),
    latency_s={"apim": 0.3, "nextjs": 0.25, "dotnet": 0.15, "spring": 0.5, "fastapi": 0.7, "pyfunc": 2.0,
               "nodefunc": 0.4},
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 35.0,  # Azure Monitor's percentages
        "memory_utilization": 45.0,
    },
    untraced=("saas",),
    # Mexico City (UTC-6): shoppers in the evening, quiet before dawn
    curve=Curve(0.6, 1140, 1440, floor=False, latency_swing=0.1),
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("0", "1"), ("a", "b", "c")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("nextjs", "dotnet", "spring", "fastapi"), (25, 240), "image", "app:9.{i}.0", "app:9.{i}.1",
                    "azure-devops"),
    history_ids=("INC0", 10000, 99999),
    repo="farmalia/plataforma",
    config_path="infra/{name}/main.bicep",
    repo_file=("main.bicep", "param image string = 'app:9.0.0'\nparam instances int = 6\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "resourceGroup": e.namespace,
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="teams-farmalia-oncall",
    external_url="https://alertmanager.farmalia.mx",
    platform="azure-app-service",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
