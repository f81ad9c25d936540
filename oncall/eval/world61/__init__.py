"""World 61: written after world 60's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 61 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world61.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world61.faults import FAULTS, change

# what answers requests (the broker's are the messages it takes)
SERVED = ("scg", "dubbo", "go", "rocketmq", "nacos")
STYLE = Style(
    world=61,
    prefix="w61",
    mix=(611_027, 6_101, 613),
    start=datetime(2026, 6, 3, tzinfo=UTC),
    latency_s={"scg": 0.08, "dubbo": 0.12, "go": 0.05, "rocketmq": 0.003, "nacos": 0.01},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.6,
        "restarts": 0.0,
        "disk_utilization": 0.55,
    },
    untraced=("saas", "rocketmq", "nacos", "polardb", "tair"),
    curve=Curve(0.7, 600, 720, floor=False, latency_swing=0.15),  # lunch and dinner: two peaks a day
    disk_techs=("rocketmq", "nacos"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a", "b"), ("1", "2", "3")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("dubbo", "go"), (40, 240), "image tag", "2.{i}.0", "2.{i}.1", "yunxiao-pipeline"),
    history_ids=("WM-INC-", 2000, 2999),
    repo="waimai/ack-charts",
    config_path="charts/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "image:\n  tag: 2.0.0\nreplicaCount: 6\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "clusterId": "c7e1f0a2b3c4d4e9",
        "namespace": e.namespace,
        "severity": "P4" if f.category == "no_incident" else "P1",
    },
    receiver="waimai-oncall-dingtalk",
    external_url="https://arms.console.aliyun.com/alert",
    unseen=("saas", "polardb", "tair"),
    annotations=lambda e, f: {
        "summary": f"{f.alert_service} 告警: {f.alertname}",
        "runbook_url": f"https://yuque.waimai.example/sre/runbooks/{f.alertname}",
    },
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
