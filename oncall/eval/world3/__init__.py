"""A third scenario world, written after the rules were shaped on worlds 1 and 2 and scored on
them before any rule saw it: other estates, fluent-bit shipped text logs with pods named by
host, `job`- and CloudWatch-keyed metric names, 15 s and 60 s scrape intervals side by side,
a day of metric history, CloudWatch alarms through EventBridge, and its own fault shapes.

`oncall scenarios generate OUT --world 3 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.eval.telemetry import write_telemetry
from oncall.eval.world3.estates import BACKGROUND, ESTATES, NOISE, Estate, text
from oncall.eval.world3.faults import FAULTS, change, diff, path
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
    "error_ratio": 0.002,
    "cpu_utilization": 0.3,
    "memory_utilization": 0.55,
    "disk_utilization": 0.6,
    "restarts": 0.0,
    "pool_utilization": 0.2,
}
LATENCY = {
    "nginx": 0.05,
    "spring": 0.18,
    "klog": 0.04,
    "python": 0.25,
    "bunyan": 0.1,
    "postgres": 0.008,
    "zookeeper": 0.004,
    "clickhouse": 0.09,
    "rust": 0.02,
}
INFRA = ("cpu_utilization", "memory_utilization", "disk_utilization", "restarts")  # scraped every 60 s


UNTRACED = ("postgres", "zookeeper", "clickhouse")  # datastores and providers: they send no spans


def _times(t: datetime, step_s: int, data_end: datetime) -> list[datetime]:
    """A day of history at 5 minutes, then the last 90 minutes at the scrape interval."""
    out, x = [], t - timedelta(hours=26)
    end = min(t + timedelta(minutes=15), data_end)
    while x <= end:
        out.append(x)
        x += timedelta(seconds=step_s if x >= t - timedelta(minutes=90) else 300)
    return out


def metrics(e: Estate, f: Fault, t: datetime, rng: random.Random, data_end: datetime) -> str:
    out: dict[str, list[str]] = {}
    for n in e.nodes:
        for sig, tmpl in e.signals.items():
            if sig == "pool_utilization" and n.style not in ("spring", "python"):
                continue
            if sig == "disk_utilization" and not n.stateful:
                continue
            name, labels = tmpl.split("{", 1)
            labels = labels.rstrip("}").replace("{service}", n.name)
            rows = out.setdefault(name, [])
            for x in _times(t, 60 if sig in INFRA else 15, data_end):
                day = 1 + 0.3 * math.sin((x.hour * 60 + x.minute) / 1440 * 2 * math.pi)
                normal = {"request_rate": n.rps * day, "latency_p99": LATENCY[n.style] * (1 + 0.15 * day)}.get(
                    sig, NORMAL.get(sig, 0.0)
                )
                v = f.value(n.name, sig, x, normal)
                if sig != "restarts":
                    v *= 1 + rng.uniform(-0.06, 0.06)
                rows.append(f"{name}{{{labels}}} {v:.5g} {int(x.timestamp())}")
    lines = []
    for name, rows in out.items():
        lines += [f"# HELP {name} recording rule", f"# TYPE {name} gauge", *rows]
    return "\n".join(lines) + "\n# EOF\n"


def logs(e: Estate, f: Fault, t: datetime, rng: random.Random, data_end: datetime) -> list[dict[str, Any]]:
    recs: list[tuple[datetime, dict[str, Any]]] = []
    start, end = t - timedelta(hours=8), min(t + timedelta(minutes=15), data_end)
    container = {"postgres": "postgres", "zookeeper": "zookeeper", "clickhouse": "clickhouse", "nginx": "nginx"}

    def emit(at: datetime, svc: str, level: str, msg: str) -> None:
        n = e.node(svc)
        lines = text(n.style, level, msg, at, rng).split("\n")
        k8s: dict[str, object] = {
            "pod_name": e.pod(svc, rng),
            "namespace_name": e.namespace,
            "container_name": container.get(n.style, "app"),
            "host": f"ip-10-4-{rng.randint(0, 3)}-{rng.randint(10, 200)}",
        }
        if n.stateful and not n.stateful.startswith(svc):  # an operator's pod name: only its label says whose
            k8s["labels"] = {"app.kubernetes.io/name": svc, "app.kubernetes.io/managed-by": "operator"}
        for i, ln in enumerate(lines):  # the container runtime splits a multi-line panic into lines
            if ln:
                recs.append(
                    (
                        at,
                        {
                            "@timestamp": iso(at + timedelta(microseconds=i)),
                            "stream": "stderr",
                            "log": ln,
                            "kubernetes": k8s,
                        },
                    )
                )

    x = start
    while x < end:
        for n in e.nodes:
            if rng.random() < 0.35:
                emit(x + timedelta(seconds=rng.uniform(0, 59)), n.name, "info", rng.choice(BACKGROUND[n.style]))
            if n.style in NOISE and rng.random() < 0.04:
                emit(x + timedelta(seconds=rng.uniform(0, 59)), n.name, "warn", NOISE[n.style])
        x += timedelta(minutes=1)
    for at, b in f.burst_lines(rng, end):
        emit(at, b.service, b.level, b.text)
    recs.sort(key=lambda r: r[0])
    return [r for _, r in recs]


def routine_changes(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """What a busy estate changes anyway: autoscaler steps and dependency bumps, one close to the alert."""
    out = []
    others = [n.name for n in e.nodes if n.name != f.root]
    for i in range(5):
        svc = rng.choice(others)
        at = t - (timedelta(minutes=rng.randint(2, 8)) if i == 0 else timedelta(hours=rng.uniform(1, 22)))
        if i % 2:
            out.append(
                change(
                    at,
                    svc,
                    "scale",
                    "3",
                    "4",
                    diff(path(e, svc), [("  replicas: 3", "  replicas: 4")], "spec:"),
                    "hpa",
                    rng,
                )
            )
        else:
            old, new = f"2.{i}.0", f"2.{i}.1"
            out.append(
                change(
                    at,
                    svc,
                    "deploy",
                    old,
                    new,
                    diff(path(e, svc), [(f"  tag: {old}", f"  tag: {new}")], "image:"),
                    "dependabot",
                    rng,
                )
            )
    return out


def history(e: Estate, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
    return past_incidents(
        e.nodes,
        f,
        t,
        rng,
        count=3,
        ids=("INC", 1000, 9999),
        days=(3, 300),
        categories=["recent_change", "capacity", "dependency_failure", "resource_exhaustion", "network"],
        cause="{service} degraded",
        fix="see postmortem",
        minutes=(20, 300),
    )


def alert(e: Estate, f: Fault, t: datetime, rng: random.Random) -> dict[str, Any]:
    if e.cloudwatch:
        return {
            "version": "0",
            "id": f"{rng.getrandbits(128):032x}",
            "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch",
            "account": "210987654321",
            "time": iso(t),
            "region": "eu-west-1",
            "resources": [f"arn:aws:cloudwatch:eu-west-1:210987654321:alarm:{f.alertname}-{f.alert_service}"],
            "detail": {
                "alarmName": f"{f.alertname}-{f.alert_service}",
                "state": {
                    "value": "ALARM",
                    "reason": "Threshold Crossed: 3 datapoints were greater than the threshold",
                    "timestamp": iso(t),
                },
                "previousState": {"value": "OK", "timestamp": iso(t - timedelta(days=2))},
                "configuration": {
                    "description": f"{f.alertname} for {f.alert_service}",
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": "Pipeline",
                                    "name": f.alertname,
                                    "dimensions": {"Service": f.alert_service},
                                },
                                "period": 60,
                                "stat": "Average",
                            },
                            "returnData": True,
                        }
                    ],
                },
            },
        }
    labels = {"alertname": f.alertname, e.label: f.alert_service, "severity": "critical", "team": "payments"}
    return alertmanager(
        f,
        labels,
        {"description": f"SLO burn on {f.alert_service}", "runbook_url": "https://wiki/slo"},
        t,
        f"{rng.getrandbits(64):016x}",
        receiver="oncall",
        external_url="https://alertmanager.payments.internal",
        group_key=f'{{}}/{{severity="critical"}}:{{alertname="{f.alertname}"}}',
    )


def write(out: Path, e: Estate, f: Fault, t: datetime, rng: random.Random) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data_end = t - timedelta(hours=3) if f.family == "telemetry_gap" else t + timedelta(hours=1)
    write_catalog(
        out,
        e,
        repo=f"acme/{e.name}-infra",
        config_path=lambda name: path(e, name),
        runbook_tags=lambda name: [e.name, name],
    )
    (out / "alert.json").write_text(json.dumps(alert(e, f, t, rng), indent=1))
    (out / "metrics.om").write_text(metrics(e, f, t, rng, data_end))
    write_jsonl(out / "logs.jsonl", logs(e, f, t, rng, data_end))
    write_changes(out / "changes.jsonl", [*f.changes, *routine_changes(e, f, t, rng)])
    write_jsonl(out / "history.jsonl", history(e, f, t, rng))
    (out / "runbooks").mkdir(exist_ok=True)
    (out / "runbooks" / f"{e.name}-slo.md").write_text(
        f"---\ntitle: {e.name} SLO burn\nservices: [{', '.join(n.name for n in e.nodes)}]\n"
        f"alerts: [ErrorBudgetBurn, ApiLatencyHigh]\n---\n"
        "## Triage\nCheck which dependency moved first; look at the last change to it.\n\n"
        "## Mitigation\nIf a change preceded the burn, revert it. "
        "If the service is saturated by real traffic, add replicas.\n"
    )
    for n in e.nodes:
        p = out / "repo" / path(e, n.name)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("image:\n  tag: 2.0.0\nreplicas: 3\ndatasource:\n  maximumPoolSize: 100\n")
    write_truth(out, f, world=3)
    # datastores and providers send no spans: their callers' CLIENT spans name them
    write_telemetry(out, e, f, t, untraced={n.name for n in e.nodes if n.style in UNTRACED})


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return generate_cases(
        out,
        seed,
        per_fault,
        faults=FAULTS,
        estates=ESTATES.values(),
        write=write,
        prefix="w3",
        mix=(7_919, 613, 37),
        start=start,
    )
