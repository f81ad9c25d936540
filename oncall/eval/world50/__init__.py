"""World 50: written after world 49's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 50 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world50.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world50.faults import FAULTS, change

# what the HTTP server metrics cover: services answering requests (CoreDNS: its queries), not the brokers
# and databases
SERVED = ("nginx", "django", "phoenix", "zerolog", "quarkus", "dotnet", "keycloak", "coredns")
STYLE = Style(
    world=50,
    prefix="w50",
    mix=(503_017, 5_011, 509),
    start=datetime(2026, 3, 9, tzinfo=UTC),
    latency_s={
        "nginx": 0.3,
        "django": 0.25,
        "phoenix": 0.05,
        "zerolog": 0.06,
        "quarkus": 0.03,
        "dotnet": 0.4,
        "rust": 0.05,
        "winston": 0.3,
        "keycloak": 0.12,
        "rabbitmq": 0.005,
        "cnpg": 0.004,
        "redis": 0.001,
        "clickhouse": 0.03,
        "coredns": 0.002,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.34,
        "memory_utilization": 0.5,
        "restarts": 0.0,
        "disk_utilization": 0.42,
    },
    untraced=("saas", "nginx", "rabbitmq", "cnpg", "redis", "clickhouse", "coredns", "keycloak"),
    curve=Curve(0.55, 1020, 1440, floor=False, latency_swing=0.15),  # drivers plug in after work
    disk_techs=("cnpg", "rabbitmq", "clickhouse", "redis"),
    step_s=lambda sig: 60,
    jitter=0.04,
    pod_parts=(("6f7d9c8b5", "84c5d7f9b"), ("x2k7p", "m4q8z", "w7t2r")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("django", "zerolog", "quarkus", "dotnet", "winston", "phoenix"),
        (25, 180),
        "image.tag",
        "5.{i}.0",
        "5.{i}.1",
        "argocd",
    ),
    history_ids=("VLT", 100, 699),
    repo="voltline/platform-gitops",
    config_path="apps/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", 'image:\n  tag: 5.0.0\nreplicaCount: 3\nenv:\n  CLICKHOUSE_BATCH_ROWS: "5000"\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "cluster": "hel1-prod",
        "severity": "info" if f.category == "no_incident" else "critical",
    },
    receiver="charging-oncall",
    external_url="https://vmalert.{estate}.example",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": (*SERVED, "cnpg", "clickhouse")},
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
