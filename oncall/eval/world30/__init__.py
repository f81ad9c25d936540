"""World 30: written after world 29's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 30 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world30.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world30.faults import FAULTS, change

STYLE = Style(
    world=30,
    prefix="w30",
    mix=(211_231, 3_677, 113),
    start=datetime(2026, 11, 2, tzinfo=UTC),
    latency_s={
        "apisix": 0.03,
        "rust": 0.09,
        "goslog": 0.02,
        "gojson": 0.05,
        "micronaut": 0.2,
        "pylog": 2.5,
        "unleash": 0.01,
        "aerospike": 0.0008,
        "etcd": 0.006,
        "minio": 0.15,
    },
    normal={
        "error_ratio": 0.001,
        "cpu_utilization": 0.41,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.47,
    },
    untraced=("apisix", "aerospike", "etcd", "minio", "unleash", "saas"),
    curve=Curve(0.45, 1080, 1440, floor=False, latency_swing=0.1),  # evening viewing
    disk_techs=("aerospike", "etcd", "minio"),
    step_s=lambda sig: 15 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
    jitter=0.06,
    pod_parts=(("68d4b7c9f", "7f5c9d8b6", "5b8f7c6d9"), ("2xk9p", "n7q4v", "t5m8r")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("rust", "goslog", "gojson", "micronaut", "pylog"), (30, 200), "image.tag", "4.{i}.2", "4.{i}.3", "flux"
    ),
    history_ids=("RTB-", 1200, 1999),
    repo="{estate}/fleet",
    config_path="clusters/prod/rtb/{name}/values.yaml",
    repo_file=("values.yaml", "image:\n  tag: 4.0.2\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "team": "rtb"},
    receiver="rtb-pager",
    external_url="https://alerts.{estate}.example.io",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
