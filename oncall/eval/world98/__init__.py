"""World 98: written after world 97's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 98 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world98.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world98.faults import FAULTS, PARAMETERS, change

CLOUD_XML = (
    '<?xml version="1.0" encoding="utf-8"?>\n<Application Name="fabric:/Ctecka">\n  <Parameters>\n'
    '    <Parameter Name="Orders_GoPayTimeoutSeconds" Value="30" />\n'
    '    <Parameter Name="Catalog_CassandraTimeoutSeconds" Value="2" />\n  </Parameters>\n</Application>\n'
)

STYLE = Style(
    world=98,
    prefix="w98",
    mix=(980_039, 9_811, 983),
    start=datetime(2029, 3, 5, tzinfo=UTC),
    latency_s={"aspnet": 0.12, "pulsar": 0.01, "cassandra": 0.004},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.32,
        "memory_utilization": 0.5,
        "disk_utilization": 0.55,
        "pool_utilization": 0.1,
        "restarts": 0.0,
    },
    untraced=("aspnet", "pulsar", "cassandra", "saas"),
    # Brno's evening reading (UTC+1): the shop busiest after dinner
    curve=Curve(0.8, 600, 1440, floor=True, latency_swing=0.1),
    disk_techs=("pulsar", "cassandra"),
    only={"pool_utilization": ("aspnet",)},
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("0", "1", "2"), ("a", "b")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("aspnet",), (40, 240), "ApplicationTypeVersion", "2.{i}.0", "2.{i}.1", "Azure DevOps"),
    history_ids=("CTK", 100, 699),
    repo="ctecka/platform",
    config_path=PARAMETERS,
    repo_file=("Cloud.xml", CLOUD_XML),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical"},
    receiver="ctecka-oncall",
    external_url="https://ctecka-amw.westeurope.prometheus.monitor.azure.com",
    platform="servicefabric",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
