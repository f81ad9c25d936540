"""World 52: written after world 51's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 52 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world52.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world52.faults import FAULTS, change

# what answers requests (the queue manager counts messages; the rules engine and Redis have no request metrics)
SERVED = ("haproxy", "httpd", "weblogic", "goapp", "javaconsumer", "mq", "db2")
STYLE = Style(
    world=52,
    prefix="w52",
    mix=(521_011, 5_209, 523),
    start=datetime(2026, 2, 2, tzinfo=UTC),
    latency_s={
        "haproxy": 0.2,
        "httpd": 0.18,
        "weblogic": 0.15,
        "goapp": 0.05,
        "pyrules": 0.3,
        "javaconsumer": 0.08,
        "mq": 0.01,
        "db2": 0.006,
        "redis": 0.001,
    },
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.62,
        "restarts": 0.0,
        "disk_utilization": 0.48,
    },
    untraced=("saas", "haproxy", "httpd", "mq", "db2", "redis", "pyrules"),
    curve=Curve(0.35, 300, 1440, floor=False, latency_swing=0.1),  # the morning's briefings
    disk_techs=("db2", "httpd", "mq", "redis"),
    step_s=lambda sig: 60,
    jitter=0.04,
    pod_parts=(("1", "2"), ("a", "b")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("weblogic", "goapp", "javaconsumer"), (40, 240), "release", "4.{i}.0", "4.{i}.1", "jenkins"),
    history_ids=("INC", 400000, 499999),
    repo="skycrew/infrastructure",
    config_path="ansible/roles/{name}/defaults/main.yml",
    repo_file=("main.yml", "release: 4.0.0\nhttpd_loglevel: warn\njdbc:\n  CrewDS:\n    MaxCapacity: 50\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "dc": "lhr2",
        "severity": "info" if f.category == "no_incident" else "critical",
    },
    receiver="crewops-oncall",
    external_url="https://alertmanager.{estate}.example",
    platform="vm",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
