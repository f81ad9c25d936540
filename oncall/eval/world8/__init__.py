"""World 8: written after world 7's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 8 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.eval.telemetry import write_telemetry
from oncall.eval.world8.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world8.faults import FAULTS, change
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
    "spring": 0.22,
    "express": 0.09,
    "aspnet": 0.11,
    "nginx": 0.12,
    "elasticsearch": 0.05,
    "redis": 0.001,
    "sqlserver": 0.01,
    "postgres": 0.01,
}
NORMAL = {"error_ratio": 0.002, "cpu_utilization": 0.35, "memory_utilization": 0.55, "restarts": 0.0}
UNTRACED = ("postgres", "sqlserver", "redis", "elasticsearch", "saas")


def metrics(e: Estate, f: Fault, t: datetime, rng: random.Random) -> str:
    def normal(n: Any, sig: str, x: datetime) -> float:
        office = 1 + 0.6 * max(0.0, math.sin((x.hour * 60 + x.minute - 480) / 1440 * 2 * math.pi))  # office hours
        levels = {"request_rate": n.rps * office, "latency_p99": LATENCY_S[n.tech] * (1 + 0.2 * office)}
        return levels.get(sig, NORMAL.get(sig, 0.0))

    def keep(n: Any, sig: str) -> bool:
        return True

    return gauges(
        [n for n in e.nodes if n.tech != "saas"],
        e.signals,
        f,
        t,
        rng,
        normal=normal,
        step_s=lambda sig: 30 if sig in ("request_rate", "error_ratio", "latency_p99") else 60,
        keep=keep,
        jitter=0.06,
    )


def logs(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    def make(at: datetime, svc: str, level: str, text: str) -> dict[str, Any]:
        pod = f"{svc}-{rng.choice(['5b6c7d8e9', '9e8d7c6b5'])}-{rng.choice(['ab1cd', 'ef2gh', 'ij3kl'])}"
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
        svc = rng.choice([n.name for n in e.nodes if n.name != f.root and n.tech in ("spring", "express", "aspnet")])
        at = t - (timedelta(minutes=rng.randint(15, 50)) if i == 0 else timedelta(hours=rng.uniform(1, 20)))
        out.append(change(at, svc, "deploy", "image.tag", f"3.{i}.1", f"3.{i}.2", rng, "flux"))
    return out


def history(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    return past_incidents(
        e.nodes,
        f,
        t,
        rng,
        count=4,
        ids=("PIR", 10, 99),
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
        repo=f"{e.name}/gitops",
        config_path=lambda name: f"apps/{name}/values.yaml",
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
        p = out / "repo" / "apps" / n.name
        p.mkdir(parents=True, exist_ok=True)
        (p / "values.yaml").write_text("image:\n  tag: 3.0.0\nreplicas: 2\n")
    write_truth(out, f, world=8)
    write_telemetry(out, e, f, t, untraced={n.name for n in e.nodes if n.tech in UNTRACED})


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return generate_cases(
        out,
        seed,
        per_fault,
        faults=FAULTS,
        estates=ESTATES.values(),
        write=write,
        prefix="w8",
        mix=(161_803, 331, 53),
        start=datetime(2026, 1, 10, tzinfo=UTC),
    )
