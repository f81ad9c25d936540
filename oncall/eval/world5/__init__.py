"""World 5: written after worlds 1-4 and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 5 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.eval.telemetry import write_telemetry
from oncall.eval.world5.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world5.faults import FAULTS, change
from oncall.eval.worlds import (
    Fault,
    alertmanager,
    background_logs,
    gauges,
    generate_cases,
    past_incidents,
    write_catalog,
    write_changes,
    write_jsonl,
    write_truth,
)

LATENCY_S = {
    "spring": 0.25,
    "dotnet": 0.12,
    "nginx": 0.3,
    "django": 0.4,
    "gin": 0.05,
    "express": 0.2,
    "mysql": 0.01,
    "postgres": 0.01,
    "rabbitmq": 0.005,
    "memcached": 0.002,
    "redis": 0.002,
    "elastic": 0.08,
}
NORMAL = {
    "error_ratio": 0.002,
    "cpu_utilization": 0.35,
    "memory_utilization": 0.55,
    "restarts": 0.0,
    "disk_utilization": 0.5,
    "pool_utilization": 0.25,
}
HTTP = ("request_rate", "error_ratio", "latency_p99")
UNTRACED = ("mysql", "postgres", "rabbitmq", "memcached", "redis", "elastic", "saas")


def metrics(e: Estate, f: Fault, t: datetime, rng: random.Random) -> str:
    def normal(n: Any, sig: str, x: datetime) -> float:
        day = 1 + 0.3 * math.sin((x.hour * 60 + x.minute - 540) / 1440 * 2 * math.pi)
        levels = {"request_rate": n.rps * day, "latency_p99": LATENCY_S[n.tech] * (1 + 0.15 * day)}
        return levels.get(sig, NORMAL.get(sig, 0.0))

    def keep(n: Any, sig: str) -> bool:
        if sig == "pool_utilization":
            return n.tech in ("spring", "django")
        return sig != "disk_utilization" or n.tech in ("mysql", "postgres", "elastic", "rabbitmq")

    return gauges(
        [n for n in e.nodes if n.tech != "saas"],  # a provider's metrics are not ours
        e.signals,
        f,
        t,
        rng,
        normal=normal,
        step_s=lambda sig: 20 if sig in HTTP else 60,
        keep=keep,
    )


def logs(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    def make(at: datetime, svc: str, level: str, text: str) -> dict[str, Any]:
        pod = f"{svc}-{rng.choice(['6b7c9d8f5', '58f9c7d6b'])}-{rng.choice(['h7k2m', 'p3x9q', 'z8w4t'])}"
        return record(e.shipper, at, svc, pod, level, text, rng)

    return background_logs(
        [n for n in e.nodes if n.tech != "saas"],
        f,
        t,
        rng,
        make,
        lines=lambda n: BACKGROUND[n.tech],
        noise=lambda n: NOISE.get(n.tech),
        p_info=0.35,
        p_noise=0.04,
    )


def routine_changes(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """Weekly releases elsewhere, one an hour before the alert."""
    out = []
    for i in range(3):
        svc = rng.choice([n.name for n in e.nodes if n.name != f.root and n.tech != "saas"])
        at = t - (timedelta(minutes=rng.randint(50, 70)) if i == 0 else timedelta(hours=rng.uniform(2, 22)))
        out.append({**change(at, svc, "deploy", "image.tag", f"2025.{i}.3", f"2025.{i}.4", rng, "release-train")})
    return out


def history(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    return past_incidents(
        e.nodes,
        f,
        t,
        rng,
        count=3,
        ids=("PIR", 100, 999),
        days=(10, 500),
        categories=["recent_change", "dependency_failure", "capacity", "network"],
        cause="{service} problem",
        fix="see the post-incident review",
        minutes=(15, 300),
    )


def write(out: Path, e: Estate, f: Fault, t: datetime, rng: random.Random) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_catalog(
        out,
        e,
        repo=f"{e.name}/platform-config",
        config_path=lambda name: f"envs/prod/{name}/values.yaml",
        runbook_tags=lambda name: [name, e.name],
    )
    labels = {"alertname": f.alertname, e.label: f.alert_service, "severity": "P2", "env": "prod"}
    alert = alertmanager(
        f,
        labels,
        {"description": f"{f.alertname} firing for {f.alert_service}"},
        t,
        f"{rng.getrandbits(64):016x}",
        receiver="sre-oncall",
        external_url=f"https://alertmanager.{e.name}.internal",
    )
    (out / "alert.json").write_text(json.dumps(alert, indent=1))
    (out / "metrics.om").write_text(metrics(e, f, t, rng))
    write_jsonl(out / "logs.jsonl", logs(e, f, t, rng))
    write_changes(out / "changes.jsonl", [*f.changes, *routine_changes(e, f, t, rng)])
    write_jsonl(out / "history.jsonl", history(e, f, t, rng))
    (out / "runbooks").mkdir(exist_ok=True)
    (out / "runbooks" / "triage.md").write_text(
        f"---\ntitle: {e.name} triage\nservices: [{e.name}]\nalerts: [HighErrorRate, HighLatency]\n---\n"
        "## Triage\nStart from the service that alerted and walk its dependencies in the service map.\n\n"
        "## Mitigation\nRevert the latest change to the failing service; add capacity if it is saturated.\n"
    )
    for n in e.nodes:
        p = out / "repo" / "envs" / "prod" / n.name
        p.mkdir(parents=True, exist_ok=True)
        (p / "values.yaml").write_text("replicaCount: 3\nimage:\n  tag: 2025.1.0\n")
    write_truth(out, f, world=5)
    write_telemetry(out, e, f, t, untraced={n.name for n in e.nodes if n.tech in UNTRACED})


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return generate_cases(
        out,
        seed,
        per_fault,
        faults=FAULTS,
        estates=ESTATES.values(),
        write=write,
        prefix="w5",
        mix=(130_363, 409, 71),
        start=datetime(2026, 7, 1, tzinfo=UTC),
    )
