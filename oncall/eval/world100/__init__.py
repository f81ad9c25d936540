"""World 100: written after world 99's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 100 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world100.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world100.faults import FAULTS, change

MANIFEST = "applications:\n- name: app\n  memory: 1G\n  instances: 4\n  buildpacks: [java_buildpack_offline]\n"

STYLE = Style(
    world=100,
    prefix="w100",
    mix=(1_000_033, 10_007, 1_009),
    start=datetime(2029, 11, 5, tzinfo=UTC),
    latency_s={"bunyan": 0.12, "logstash": 0.06, "ktor": 0.4, "dotnet": 0.2, "structlog": 0.05, "logrus": 0.02},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.38,
        "memory_utilization": 0.58,
        "disk_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("ktor", "dotnet", "structlog", "logrus", "saas"),
    # the gates run 06:00-22:00 Rotterdam time (UTC+1), busiest mid-morning
    curve=Curve(0.6, 300, 1440, floor=True, latency_swing=0.12),
    disk_techs=None,
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("0", "1", "2", "3"), ("i",)),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("bunyan", "ktor", "dotnet", "logrus"), (30, 200), "app_version", "3.{i}.0", "3.{i}.1", "concourse"
    ),
    history_ids=("HVN", 100, 999),
    repo="{estate}/cf-manifests",
    config_path="apps/{name}/manifest.yml",
    repo_file=("manifest.yml", MANIFEST),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "space_name": "prod", "severity": "page"},
    receiver="havenlink-oncall",
    external_url="https://alertmanager.sys.{estate}.nl",
    platform="cloudfoundry",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
