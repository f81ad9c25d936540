"""World 94: written after world 93's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 94 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world94.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world94.faults import FAULTS, change

STYLE = Style(
    world=94,
    prefix="w94",
    mix=(940_019, 9_413, 941),
    start=datetime(2028, 7, 1, tzinfo=UTC),
    latency_s={"nginx": 0.2, "kratos": 0.15, "spring": 0.08, "zap": 0.1, "nest": 0.3, "uvicorn": 0.03,
               "tencentdb": 0.004, "saas": 0.25},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.5,
        "disk_utilization": 0.4,
        "pool_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("nginx", "spring", "nest", "uvicorn", "tencentdb", "saas"),
    # the stores open at 10:00 and close at 22:00 China time (UTC+8): lunch and the afternoon are the peaks
    curve=Curve(0.9, 60, 720, floor=True, latency_swing=0.1),
    disk_techs=("tencentdb",),
    only={"pool_utilization": ("tencentdb",), "disk_utilization": ("tencentdb",)},
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("6f9c7d8b4", "7b5d9c6f8"), ("k2x9p", "q7w4m", "z3n8r")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("uvicorn", "nest", "zap"), (50, 320), "image.tag", "1.{i}.3", "1.{i}.4", "ci-bot"),
    history_ids=("CHALI-", 100, 700),
    repo="chali-tea/deploy",
    config_path="deploy/{name}/values-prod.yaml",
    repo_file=("values-prod.yaml", "replicaCount: 4\nfeie:\n  ukeySecret: feie-ukey\nwechatpay:\n"
                                   "  platformCertSerial: 5157F09EFDC096DE15EBE81A47057A72\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f"deployment/{f.alert_service}",
        "namespace": "chali",
        "cluster": "cls-8x2k4p9q",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="wecom-oncall",
    external_url="https://alertmanager.chali-tea.cn",
    compact=True,
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
