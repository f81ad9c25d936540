"""World 7: written after world 6's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 7 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.eval.telemetry import write_telemetry
from oncall.eval.world7.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world7.faults import FAULTS, change
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
    "java": 0.3,
    "node": 0.12,
    "python": 0.2,
    "nginx": 0.15,
    "postgres": 0.01,
    "mysql": 0.008,
    "rabbitmq": 0.004,
}
NORMAL = {
    "error_ratio": 0.003,
    "cpu_utilization": 0.45,
    "memory_utilization": 0.6,
    "restarts": 0.0,
    "disk_utilization": 0.4,
}
UNTRACED = ("postgres", "mysql", "rabbitmq", "saas")


def metrics(e: Estate, f: Fault, t: datetime, rng: random.Random) -> str:
    def normal(n: Any, sig: str, x: datetime) -> float:
        meals = 1 + 0.5 * max(0.0, math.sin((x.hour * 60 + x.minute - 660) / 720 * 2 * math.pi))  # lunch, dinner
        levels = {"request_rate": n.rps * meals, "latency_p99": LATENCY_S[n.tech] * (1 + 0.25 * meals)}
        return levels.get(sig, NORMAL.get(sig, 0.0))

    def keep(n: Any, sig: str) -> bool:
        return sig != "disk_utilization" or n.tech in ("postgres", "mysql", "rabbitmq", "python", "java")

    return gauges(
        [n for n in e.nodes if n.tech != "saas"],
        e.signals,
        f,
        t,
        rng,
        normal=normal,
        step_s=lambda sig: 60,
        keep=keep,
        jitter=0.06,
    )


def logs(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    def make(at: datetime, svc: str, level: str, text: str) -> dict[str, Any]:
        pod = f"{svc}-{rng.choice(['6f8d9c7b4', '84c7d9e5f'])}-{rng.choice(['kq2x8', 'p9w3n'])}"
        return record(e, at, svc, pod, level, text)

    return background_logs(
        [n for n in e.nodes if n.tech != "saas"],
        f,
        t,
        rng,
        make,
        lines=lambda n: BACKGROUND[n.tech],
        noise=lambda n: NOISE.get(n.tech),
        p_info=0.3,
        p_noise=0.05,
    )


def routine_changes(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """Continuous delivery: a few deploys elsewhere through the day, one shortly before the alert."""
    out = []
    for i in range(4):
        svc = rng.choice([n.name for n in e.nodes if n.name != f.root and n.tech in ("java", "node", "python")])
        at = t - (timedelta(minutes=rng.randint(10, 30)) if i == 0 else timedelta(hours=rng.uniform(1, 20)))
        out.append(change(at, svc, "deploy", "image", f"1.{i}.4", f"1.{i}.5", rng, "spinnaker"))
    return out


def history(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    return past_incidents(
        e.nodes,
        f,
        t,
        rng,
        count=4,
        ids=("PM", 100, 900),
        days=(5, 400),
        categories=["recent_change", "capacity", "dependency_failure", "resource_exhaustion"],
        cause="{service} degraded",
        fix="see the incident doc",
        minutes=(10, 240),
    )


def write(out: Path, e: Estate, f: Fault, t: datetime, rng: random.Random) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_catalog(
        out,
        e,
        repo=f"{e.name}/infra",
        config_path=lambda name: f"services/{name}/deploy.yaml",
        runbook_tags=lambda name: [name],
    )
    labels = {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "squad": e.name}
    alert = alertmanager(
        f,
        labels,
        {
            "summary": f"{f.alertname} on {f.alert_service}",
            "runbook_url": f"https://runbooks.{e.name}.example/{f.alertname}",
        },
        t,
        f"{rng.getrandbits(64):016x}",
        receiver="opsgenie",
        external_url=f"https://am.{e.name}.example",
    )
    (out / "alert.json").write_text(json.dumps(alert, indent=2))
    (out / "metrics.om").write_text(metrics(e, f, t, rng))
    write_jsonl(out / "logs.jsonl", logs(e, f, t, rng))
    write_changes(out / "changes.jsonl", [*f.changes, *routine_changes(e, f, t, rng)])
    write_jsonl(out / "history.jsonl", history(e, f, t, rng))
    (out / "runbooks").mkdir(exist_ok=True)
    (out / "runbooks" / f"{f.alertname}.md").write_text(
        f"---\ntitle: {f.alertname}\nalerts: [{f.alertname}]\n---\n"
        "## Diagnosis\nFind the first service in the call path whose own signals moved.\n\n"
        "## Mitigation\nIf a rollout preceded it, roll it back. If traffic is real, scale out.\n"
    )
    for n in e.nodes:
        p = out / "repo" / "services" / n.name
        p.mkdir(parents=True, exist_ok=True)
        (p / "deploy.yaml").write_text("image: 1.0.0\nreplicas: 3\n")
    write_truth(out, f, world=7)
    write_telemetry(out, e, f, t, untraced={n.name for n in e.nodes if n.tech in UNTRACED})


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return generate_cases(
        out,
        seed,
        per_fault,
        faults=FAULTS,
        estates=ESTATES.values(),
        write=write,
        prefix="w7",
        mix=(314_159, 271, 97),
        start=datetime(2026, 2, 1, tzinfo=UTC),
    )
