"""A fourth scenario world, written after the rules had been shaped on worlds 1-3 and scored before
any rule saw it (`oncall scenarios generate OUT --world 4 --seed N`): OpenTelemetry and Datadog
shipped logs, Istio metrics in milliseconds, external services with no telemetry of their own, and
thirteen fault shapes of its own. Deterministic per seed."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.eval.telemetry import write_telemetry
from oncall.eval.world4.estates import BACKGROUND, ESTATES, NOISE, Estate, record
from oncall.eval.world4.faults import FAULTS, change
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

LATENCY_MS = {
    "kotlin": 120,
    "go": 25,
    "python": 180,
    "node": 90,
    "elixir": 40,
    "rust": 15,
    "postgres": 4,
    "redis": 1,
    "kafka": 8,
    "coredns": 2,
}
NORMAL = {
    "error_ratio": 0.003,
    "cpu_utilization": 0.4,
    "memory_utilization": 0.5,
    "restarts": 0.0,
    "pool_utilization": 0.3,
}
APP_SIGNALS = ("request_rate", "error_ratio", "latency_p99")


UNTRACED = ("external", "postgres", "redis", "kafka", "coredns")  # datastores and providers: they send no spans


def metrics(e: Estate, f: Fault, t: datetime, rng: random.Random) -> str:
    def normal(n: Any, sig: str, x: datetime) -> float:
        day = 1 + 0.2 * math.sin((x.hour * 60 + x.minute) / 1440 * 2 * math.pi)
        levels = {"request_rate": n.rps * day, "latency_p99": LATENCY_MS[n.lang] * (1 + 0.1 * day)}
        return levels.get(sig, NORMAL.get(sig, 0.0))

    return gauges(
        [n for n in e.nodes if n.lang != "external"],  # nobody scrapes a provider
        e.signals,
        f,
        t,
        rng,
        normal=normal,
        step_s=lambda sig: 30 if sig in APP_SIGNALS else 60,
        keep=lambda n, sig: sig != "pool_utilization" or n.lang in ("kotlin", "python", "go"),
    )


def logs(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    def make(at: datetime, svc: str, level: str, text: str) -> dict[str, Any]:
        host = f"{svc}-{rng.choice(['5d8c7b9f6', '7f6d5c4b3'])}-{rng.choice(['m2x8q', 'k4t7p', 'w9z3r'])}"
        return record(e.shipper, at, svc, host, level, text, rng)

    return background_logs(
        [n for n in e.nodes if n.lang != "external"],
        f,
        t,
        rng,
        make,
        lines=lambda n: BACKGROUND[n.lang],
        noise=lambda n: NOISE.get(n.lang),
        p_info=0.4,
        p_noise=0.05,
    )


def routine_changes(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """Rollouts elsewhere, one of them minutes before the alert."""
    out = []
    for i in range(4):
        svc = rng.choice([n.name for n in e.nodes if n.name != f.root and n.lang != "external"])
        at = t - (timedelta(minutes=rng.randint(3, 10)) if i == 0 else timedelta(hours=rng.uniform(1, 20)))
        out.append(change(at, svc, "deploy", f"4.{i}.0", f"4.{i}.1", "image", rng, "argo-rollouts"))
    return out


def history(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    return past_incidents(
        e.nodes,
        f,
        t,
        rng,
        count=3,
        ids=("PM", 10, 99),
        days=(7, 400),
        categories=["recent_change", "dependency_failure", "capacity"],
        cause="{service} incident",
        fix="see postmortem",
        minutes=(10, 200),
    )


def write(out: Path, e: Estate, f: Fault, t: datetime, rng: random.Random) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_catalog(
        out,
        e,
        repo=f"{e.name}/gitops",
        config_path=lambda name: f"k8s/{name}/deployment.yaml",
        runbook_tags=lambda name: [name],
    )
    labels = {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "slo": "availability"}
    alert = alertmanager(
        f,
        labels,
        {"summary": f"{f.alert_service} is burning its error budget"},
        t,
        f"{rng.getrandbits(64):016x}",
        receiver="oncall",
        external_url=f"https://alerts.{e.name}.example",
    )
    (out / "alert.json").write_text(json.dumps(alert, indent=1))
    (out / "metrics.om").write_text(metrics(e, f, t, rng))
    write_jsonl(out / "logs.jsonl", logs(e, f, t, rng))
    write_changes(out / "changes.jsonl", [*f.changes, *routine_changes(e, f, t, rng)])
    write_jsonl(out / "history.jsonl", history(e, f, t, rng))
    (out / "runbooks").mkdir(exist_ok=True)
    (out / "runbooks" / "slo.md").write_text(
        f"---\ntitle: {e.name} SLO burn\nservices: [{', '.join(n.name for n in e.nodes)}]\n"
        "alerts: [SLOBurnRateHigh]\n---\n"
        "## First steps\nFind the workload whose errors or latency moved first in the mesh dashboards.\n\n"
        "## Mitigation\nRoll back the last rollout of that workload; scale it if it is saturated by real traffic.\n"
    )
    for n in e.nodes:
        p = out / "repo" / "k8s" / n.name
        p.mkdir(parents=True, exist_ok=True)
        (p / "deployment.yaml").write_text(
            f"spec:\n  template:\n    spec:\n      containers:\n        - name: {n.name}\n"
        )
    write_truth(out, f, world=4)
    # datastores and providers send no spans: their callers' CLIENT spans name them
    write_telemetry(out, e, f, t, untraced={n.name for n in e.nodes if n.lang in UNTRACED})


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    start = datetime(2026, 4, 1, tzinfo=UTC)
    return generate_cases(
        out,
        seed,
        per_fault,
        faults=FAULTS,
        estates=ESTATES.values(),
        write=write,
        prefix="w4",
        mix=(104_729, 331, 53),
        start=start,
    )
