"""World 20: written after world 19's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 20 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world20.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world20.faults import FAULTS, change

STYLE = Style(
    world=20,
    prefix="w20",
    mix=(173_205, 3_607, 83),
    start=datetime(2026, 3, 16, tzinfo=UTC),
    latency_s={
        "haproxy": 0.05,
        "roundcube": 0.3,
        "postfix": 0.4,
        "rspamd": 0.045,
        "unbound": 0.002,
        "slapd": 0.003,
        "dovecot": 0.02,
        "nfs": 0.004,
        "mariadb": 0.003,
        "redis": 0.0005,
    },
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.28,
        "memory_utilization": 0.61,
        "restarts": 0.0,
        "disk_utilization": 0.52,
    },
    untraced=("haproxy", "postfix", "rspamd", "unbound", "slapd", "dovecot", "nfs", "mariadb", "redis", "saas"),
    curve=Curve(0.3, 540, 1440, floor=False, latency_swing=0.1),  # office hours in Europe
    disk_techs=("postfix", "nfs", "mariadb", "dovecot"),
    step_s=lambda sig: 60,
    jitter=0.06,
    pod_parts=(("a", "b", "c"), ("1", "2", "3", "4", "5")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(
        ("roundcube", "dovecot", "rspamd", "haproxy"),
        (40, 180),
        "package:",
        "{i}.3.1-1",
        "{i}.3.2-1",
        "unattended-upgrades",
    ),
    history_ids=("MAIL", 300, 999),
    repo="{estate}/ansible",
    config_path="roles/{name}/defaults/main.yml",
    repo_file=("main.yml", "package: 0.3.1-1\n"),
    labels=lambda e, f: {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "site": "fra1"},
    receiver="mail-oncall",
    external_url="https://alertmanager.{estate}.example",
    platform="vm",
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
