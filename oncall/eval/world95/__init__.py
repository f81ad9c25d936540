"""World 95: written after world 94's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 95 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world95.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world95.faults import FAULTS, change

STYLE = Style(
    world=95,
    prefix="w95",
    mix=(950_023, 9_511, 953),
    start=datetime(2028, 11, 6, tzinfo=UTC),
    latency_s={"traefik": 0.3, "asterisk": 0.05, "phoenix": 0.12, "django": 0.25, "pino": 0.08, "slog": 0.4,
               "logrus": 2.5, "postgres": 0.006, "redis": 0.002, "saas": 0.3},
    normal={
        "error_ratio": 0.004,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.52,
        "disk_utilization": 0.44,
        "pool_utilization": 0.35,
        "restarts": 0.0,
    },
    untraced=("traefik", "asterisk", "django", "pino", "slog", "logrus", "postgres", "redis", "saas"),
    # the lines are open 08:00-20:00 Brasília time (11:00-23:00 UTC): quiet at night
    curve=Curve(0.7, 660, 1440, floor=True, latency_swing=0.12),
    disk_techs=("asterisk", "postgres", "redis"),
    only={"pool_utilization": ("postgres",), "disk_utilization": ("asterisk", "postgres", "redis")},
    step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio") else 60,
    jitter=0.05,
    pod_parts=(("1", "2", "3"), ("x9k2m4p7q1w3e5r8t0y6u2i4o", "b7v5c3x1z9l8k6j4h2g0f1d3s", "q2w4e6r8t0y1u3i5o7")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("phoenix", "pino", "slog"), (45, 300), "image", "2.{i}.0", "2.{i}.1", "gitlab-ci"),
    history_ids=("ATD", 1200, 1900),
    repo="falaai/atende-stack",
    config_path="stacks/{name}/docker-compose.yml",
    repo_file=("docker-compose.yml", "services:\n  asterisk:\n    image: registry.falaai.com.br/atende/asterisk:5.3.2\n"
                            "    environment:\n      TRUNK_USER: \"4130559000\"\n      TRUNK_PASSWORD_FILE: "
                            "/run/secrets/trunk_password\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f"atende_{f.alert_service}",
        "job": "cadvisor",
        "instance": "swarm-sp-01:8080",
        "severity": "ticket" if f.category == "no_incident" else "page",
    },
    receiver="plantao-telegram",
    external_url="https://alertas.falaai.com.br",
    platform="swarm",
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
