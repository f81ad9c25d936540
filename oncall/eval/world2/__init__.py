"""A second scenario world, written apart from the first (oncall/eval/scenarios): other estates,
names, metric names, log idioms and fault shapes. Rules shaped on one world are scored on the
other (leave-one-world-out), so a rule that only knows our own generator's phrasing shows up.

`oncall scenarios generate OUT --world 2 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oncall.eval.telemetry import write_telemetry
from oncall.eval.world2.estates import BACKGROUND, ESTATES, NOISE, Estate, line
from oncall.eval.world2.faults import FAULTS
from oncall.eval.worlds import (
    Fault,
    alertmanager,
    generate_cases,
    iso,
    past_incidents,
    write_catalog,
    write_changes,
    write_jsonl,
    write_truth,
)

NORMAL = {
    "error_ratio": 0.004,
    "cpu_utilization": 0.35,
    "memory_utilization": 0.5,
    "restarts": 0.0,
    "replicas": 3.0,
    "pool_utilization": 0.25,
}
LATENCY = {
    "envoy": 0.04,
    "node": 0.12,
    "go": 0.03,
    "dotnet": 0.09,
    "java": 0.15,
    "python": 0.2,
    "redis": 0.002,
    "mongo": 0.01,
    "kafka": 0.02,
    "cpp": 0.01,
    "rust": 0.02,
    "ruby": 0.3,
}


UNTRACED = ("redis", "mongo", "kafka")  # datastores and providers: they send no spans


def metrics(e: Estate, f: Fault, t: datetime, rng: random.Random) -> str:
    out: dict[str, list[str]] = {}
    start, end = t - timedelta(hours=8), t + timedelta(minutes=15)
    times, x = [], start
    while x <= end:
        times.append(x)
        x += timedelta(seconds=60 if x >= t - timedelta(minutes=75) else 300)
    for n in e.nodes:
        for sig, tmpl in e.signals.items():
            name, labels = tmpl.split("{", 1)
            labels = labels.rstrip("}").replace("{service}", n.name)
            rows = out.setdefault(name, [])
            for x in times:
                day = 1 + 0.25 * math.sin((x.hour * 60 + x.minute) / 1440 * 2 * math.pi)
                normal = {"request_rate": n.rps * day, "latency_p99": LATENCY[n.runtime] * (1 + 0.1 * day)}.get(
                    sig, NORMAL.get(sig, 0.0)
                )
                v = f.value(n.name, sig, x, normal)
                if sig not in ("restarts", "replicas"):
                    v *= 1 + rng.uniform(-0.04, 0.04)
                rows.append(f"{name}{{{labels}}} {v:.4g} {int(x.timestamp())}")
    lines = []
    for name, rows in out.items():
        lines.append(f"# TYPE {name} gauge")
        lines += rows
    return "\n".join(lines) + "\n# EOF\n"


def logs(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, object]]:
    recs: list[tuple[datetime, dict[str, object]]] = []
    start, end = t - timedelta(hours=7), t + timedelta(minutes=15)

    def emit(at: datetime, svc: str, level: str, text: str, peer: str | None = None) -> None:
        n = e.node(svc)
        # some shippers name the pod after the host and drop the service field
        pod = f"{svc}-{rng.choice(['7d9f8', '5c6b2', '84f1d'])}-{rng.choice(['x2k4p', 'q9z7w'])}"
        base: dict[str, object] = {"time" if e.name == "hotel" else "timestamp": iso(at), "pod": pod}
        base["app" if e.name == "hotel" else "service"] = svc
        recs.append((at, {**base, **line(n.runtime, level, text, rng, peer=peer)}))

    x = start
    while x < end:
        for n in e.nodes:
            if rng.random() < 0.3:
                emit(x + timedelta(seconds=rng.uniform(0, 59)), n.name, "info", rng.choice(BACKGROUND[n.runtime]))
            if n.runtime in NOISE and rng.random() < 0.03:
                emit(x + timedelta(seconds=rng.uniform(0, 59)), n.name, "error", NOISE[n.runtime])
        x += timedelta(minutes=1)
    for at, b in f.burst_lines(rng, end):
        emit(at, b.service, b.level, b.text, b.peer)
    recs.sort(key=lambda r: r[0])
    return [r for _, r in recs]


def history(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, object]]:
    return past_incidents(
        e.nodes,
        f,
        t,
        rng,
        count=4,
        ids=("PIR", 100, 999),
        days=(5, 200),
        categories=["dependency_failure", "resource_exhaustion", "recent_change", "capacity", "network"],
        cause="{service} misbehaved",
        fix="mitigated by on-call",
        minutes=(15, 240),
    )


def unrelated_changes(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, object]]:
    """Routine image bumps elsewhere, one of them minutes before the alert."""
    from oncall.eval.world2.shapes import change, values_path

    out = []
    for i in range(4):
        svc = rng.choice([n.name for n in e.nodes if n.name != f.root])
        at = t - (timedelta(minutes=rng.randint(3, 9)) if i == 0 else timedelta(hours=rng.uniform(2, 20)))
        out.append(change(at, svc, "deploy", f"1.{i}.0", f"1.{i}.1", values_path(e, svc), "image.tag", rng, "renovate"))
    return out


def write(out: Path, e: Estate, f: Fault, t: datetime, rng: random.Random) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_catalog(
        out,
        e,
        repo=f"platform/{e.name}-deploy",
        config_path=lambda name: f"deploy/{e.name}/{name}.yaml",
        runbook_tags=lambda name: [e.name],
    )
    labels = {"alertname": f.alertname, e.label: f.alert_service, "severity": "page", "namespace": e.namespace}
    alert = alertmanager(
        f,
        labels,
        {"summary": f"{f.alertname} on {f.alert_service}"},
        t,
        f"{rng.getrandbits(64):016x}",
        receiver="copilot",
        external_url="http://alertmanager:9093",
    )
    (out / "alert.json").write_text(json.dumps(alert, indent=1))
    (out / "metrics.om").write_text(metrics(e, f, t, rng))
    write_jsonl(out / "logs.jsonl", logs(e, f, t, rng))
    write_changes(out / "changes.jsonl", [*f.changes, *unrelated_changes(e, f, t, rng)])
    write_jsonl(out / "history.jsonl", history(e, f, t, rng))
    (out / "runbooks").mkdir(exist_ok=True)
    (out / "runbooks" / "errors.md").write_text(
        f"---\ntitle: {e.name} errors and latency\nservices: [{e.name}]\nalerts: [HighErrorRate, HighLatency]\n---\n"
        "## Diagnosis\nFind the first service whose errors or latency moved, then what changed on it.\n\n"
        "## Mitigation\nRoll back the change that caused it; otherwise scale the saturated service.\n"
    )
    repo = out / "repo" / "deploy" / e.name
    repo.mkdir(parents=True, exist_ok=True)
    for n in e.nodes:
        (repo / f"{n.name}.yaml").write_text(f"service:\n  {n.name}:\n    image.tag: 1.0.0\n")
    write_truth(out, f, world=2)
    # datastores and providers send no spans: their callers' CLIENT spans name them
    write_telemetry(out, e, f, t, untraced={n.name for n in e.nodes if n.runtime in UNTRACED})


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    start = datetime(2026, 2, 1, tzinfo=UTC)
    return generate_cases(
        out,
        seed,
        per_fault,
        faults=FAULTS,
        estates=ESTATES.values(),
        write=write,
        prefix="w2",
        mix=(10_007, 1_009, 31),
        start=start,
    )
