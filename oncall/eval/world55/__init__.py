"""World 55: written after world 54's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 55 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world55.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world55.faults import FAULTS, change

# what answers requests (the realtime feed's are the positions it publishes)
SERVED = ("traefik", "python", "java", "golang", "php", "nats", "postgres", "redis", "vault")
STYLE = Style(
    world=55,
    prefix="w55",
    mix=(551_021, 5_519, 557),
    start=datetime(2026, 1, 12, tzinfo=UTC),
    latency_s={
        "traefik": 0.12,
        "python": 0.08,
        "java": 0.4,
        "golang": 0.02,
        "php": 0.35,
        "nats": 0.002,
        "postgres": 0.006,
        "redis": 0.001,
        "vault": 0.03,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.58,
        "restarts": 0.0,
        "disk_utilization": 0.46,
    },
    untraced=("saas", "nats", "postgres", "redis", "vault", "php"),
    curve=Curve(0.6, 300, 1440, floor=False, latency_swing=0.1),  # commuters: mornings and afternoons
    disk_techs=("postgres", "nats", "redis", "vault"),
    step_s=lambda sig: 10,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("python", "golang", "php", "java"), (40, 240), "image", "5.{i}.0", "5.{i}.1", "ci-deployer"),
    history_ids=("DRIFT-", 3000, 8999),
    repo="vest-kollektiv/nomad-jobs",
    config_path="jobs/{name}.nomad.hcl",
    repo_file=("{name}.nomad.hcl", 'job "app" {\n  group "app" {\n    task "app" {\n      resources {\n'
               "        cpu    = 2000\n        memory = 8192\n      }\n    }\n  }\n}\n"),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "nomad_namespace": e.namespace,
        "region": e.name,
        "severity": "info" if f.category == "no_incident" else "critical",
    },
    receiver="transit-oncall",
    external_url="https://alertmanager.{estate}.example",
    platform="nomad",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
