"""World 6: written after worlds 1-5 and the rules of 2026-12-01, and scored before any rule saw it
(estates.py, faults.py). `oncall scenarios generate OUT --world 6 --seed N` writes it; deterministic
per seed."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.eval.telemetry import write_telemetry
from oncall.eval.world6.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world6.faults import FAULTS, change
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
    "fastapi": 0.18,
    "rust": 0.04,
    "envoy": 0.25,
    "go": 0.06,
    "cassandra": 0.008,
    "postgres": 0.006,
    "redis": 0.001,
    "kafka": 0.01,
}
NORMAL = {
    "error_ratio": 0.001,
    "cpu_utilization": 0.4,
    "memory_utilization": 0.5,
    "restarts": 0.0,
    "disk_utilization": 0.3,
}
HTTP = ("request_rate", "error_ratio", "latency_p99")
UNTRACED = ("cassandra", "postgres", "redis", "kafka", "saas")


def metrics(e: Estate, f: Fault, t: datetime, rng: random.Random) -> str:
    def normal(n: Any, sig: str, x: datetime) -> float:
        evening = 1 + 0.4 * math.sin((x.hour * 60 + x.minute - 1080) / 1440 * 2 * math.pi)  # prime time
        levels = {"request_rate": n.rps * evening, "latency_p99": LATENCY_S[n.tech] * (1 + 0.1 * evening)}
        return levels.get(sig, NORMAL.get(sig, 0.0))

    def keep(n: Any, sig: str) -> bool:
        return sig != "disk_utilization" or n.tech in ("cassandra", "postgres", "kafka", "fastapi", "go")

    return gauges(
        [n for n in e.nodes if n.tech != "saas"],
        e.signals,
        f,
        t,
        rng,
        normal=normal,
        step_s=lambda sig: 30,
        keep=keep,
        jitter=0.07,
    )


def logs(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    def make(at: datetime, svc: str, level: str, text: str) -> dict[str, Any]:
        pod = f"{svc}-{rng.choice(['7d9f8c6b5d', '5c8d7e9f4b'])}-{rng.choice(['x7q2p', 'm4k8z', 'r2t6w'])}"
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
        svc = rng.choice([n.name for n in e.nodes if n.name != f.root and n.tech in ("fastapi", "rust", "go")])
        at = t - (timedelta(minutes=rng.randint(25, 45)) if i == 0 else timedelta(hours=rng.uniform(1, 20)))
        out.append(change(at, svc, "deploy", "image.tag", f"4.{i}.7", f"4.{i}.8", rng, "argocd"))
    return out


def history(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    return past_incidents(
        e.nodes,
        f,
        t,
        rng,
        count=4,
        ids=("INC", 3000, 9999),
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
        repo=f"{e.name}/deploy",
        config_path=lambda name: f"deploy/{name}/kustomization.yaml",
        runbook_tags=lambda name: [name],
    )
    labels = {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "team": "sre"}
    alert = alertmanager(
        f,
        labels,
        {
            "summary": f"{f.alertname} on {f.alert_service}",
            "runbook_url": f"https://runbooks.{e.name}.example/{f.alertname}",
        },
        t,
        f"{rng.getrandbits(64):016x}",
        receiver="pagerduty-sre",
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
        p = out / "repo" / "deploy" / n.name
        p.mkdir(parents=True, exist_ok=True)
        (p / "kustomization.yaml").write_text("images:\n  - name: app\n    newTag: 4.0.0\nreplicas:\n  - count: 3\n")
    write_truth(out, f, world=6)
    write_telemetry(out, e, f, t, untraced={n.name for n in e.nodes if n.tech in UNTRACED})


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return generate_cases(
        out,
        seed,
        per_fault,
        faults=FAULTS,
        estates=ESTATES.values(),
        write=write,
        prefix="w6",
        mix=(271_829, 613, 89),
        start=datetime(2026, 3, 1, tzinfo=UTC),
    )
