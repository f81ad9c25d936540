"""World 62: written after world 61's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 62 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world62.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world62.faults import FAULTS, change

# what answers requests (a job's are its batches)
SERVED = ("apisix", "go", "ktor", "django", "quarkus", "node")
STYLE = Style(
    world=62,
    prefix="w62",
    mix=(620_443, 6_211, 619),
    start=datetime(2026, 7, 1, tzinfo=UTC),
    latency_s={"apisix": 0.09, "go": 0.15, "ktor": 0.06, "django": 0.4, "quarkus": 0.2, "node": 0.03, "pyjob": 1.0},
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.55,
        "restarts": 0.0,
        "disk_utilization": 0.45,
    },
    untraced=("saas", "pyjob"),
    # the market's day in India: orders through the trading session (09:15 to 15:30 IST, 03:45 to 10:00 UTC)
    curve=Curve(0.8, 225, 750, floor=True, latency_swing=0.1),
    disk_techs=("pyjob",),
    step_s=lambda sig: 60,
    jitter=0.06,
    pod_parts=(("p", "q", "r"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("go", "ktor", "quarkus", "node"), (30, 200), "image", "v3.{i}.2", "v3.{i}.3", "oci-devops"),
    history_ids=("NIV-INC-", 410, 899),
    repo="nivesh/platform-gitops",
    config_path="apps/{name}/overlays/prod/kustomization.yaml",
    repo_file=("kustomization.yaml", "images:\n  - name: app\n    newTag: v3.0.2\nreplicas:\n  - count: 4\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "k8s_cluster_name": "oke-bom-prod",
        "namespace": e.namespace,
        "severity": "info" if f.category == "no_incident" else "page",
        "team": "platform",
    },
    receiver="pagerduty-platform",
    external_url="https://alertmanager.ops.nivesh.example",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
