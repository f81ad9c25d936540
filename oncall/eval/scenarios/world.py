"""Turns a fault plan into an incident bundle: a day of traffic and background
for every service of the topology, the fault's effects on top, unrelated
deploys and a history of past incidents, then the files of DESIGN.md."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from oncall.core.diagnosis import Category
from oncall.eval.scenarios import telemetry
from oncall.eval.scenarios.faults import AUTHORS, Ctx, Plan, deploy
from oncall.eval.scenarios.simulate import SIGNALS, simulate_logs, simulate_metrics
from oncall.eval.scenarios.topology import NAMESPACE, TOPOLOGIES

M = timedelta(minutes=1)
# causes a past incident can have (a noisy alert and "unknown" are not causes)
CATEGORIES = [c for c in Category.__args__ if c not in ("no_incident", "unknown")]  # type: ignore[attr-defined]


def unrelated_changes(topology: str, plan: Plan, rng: random.Random, alert_at: datetime) -> list[dict]:
    """Deploys that did not cause anything; sometimes one lands minutes before the alert (a red herring)."""
    others = [s.name for s in TOPOLOGIES[topology] if s.name != plan.root and s.kind != "db"]
    out = [
        deploy(rng.choice(others), alert_at - rng.randint(90, 1300) * M, rng, rng.choice(AUTHORS))
        for _ in range(rng.randint(1, 3))
    ]
    if rng.random() < 0.45:
        near = [s for s in (plan.alert_service, *[x.name for x in TOPOLOGIES[topology]]) if s in others]
        out.append(
            deploy(
                near[0] if rng.random() < 0.5 else rng.choice(others),
                alert_at - rng.randint(3, 20) * M,
                rng,
                rng.choice(AUTHORS),
            )
        )
    return out


def fingerprint(alertname: str, service: str) -> str:
    return hashlib.sha256(f"{alertname}/{service}".encode()).hexdigest()[:16]


def past_incidents(topology: str, plan: Plan, rng: random.Random, alert_at: datetime) -> list[dict]:
    names = [s.name for s in TOPOLOGIES[topology]]
    fixes = {
        "recent_change": "rolled back the deploy",
        "resource_exhaustion": "restarted the pods",
        "capacity": "scaled out",
        "dependency_failure": "waited for the dependency to recover",
        "expired_credential": "renewed the credential",
        "permission_denied": "restored the IAM policy",
        "network": "fixed the DNS record",
    }
    rows = []
    for _ in range(rng.randint(2, 4)):
        cat = rng.choice(CATEGORIES)
        svc = rng.choice(names)
        rows.append(
            {
                "alertname": rng.choice(["HighErrorRate", "HighLatencyP99", "KubePodCrashLooping"]),
                "service": svc,
                "category": cat,
                "root_cause": f"{cat.replace('_', ' ')} in {svc}",
                "fix": fixes[cat],
                "minutes_to_resolve": rng.randint(10, 180),
                "days_ago": rng.randint(5, 200),
            }
        )
    if rng.random() < 0.5:  # same alert on the same service, different cause: a similar name is not the same fix
        cat = rng.choice([c for c in CATEGORIES if c != plan.category])
        rows.append(
            {
                "alertname": plan.alertname,
                "service": plan.alert_service,
                "category": cat,
                "root_cause": f"{cat.replace('_', ' ')} in {plan.alert_service}",
                "fix": fixes[cat],
                "minutes_to_resolve": rng.randint(10, 120),
                "days_ago": rng.randint(10, 300),
            }
        )
    rows += plan.history
    out = []
    for i, r in enumerate(sorted(rows, key=lambda r: -r["days_ago"])):
        opened = alert_at - timedelta(days=r.pop("days_ago"), hours=rng.randint(0, 23))
        out.append(
            {
                "id": f"INC-{1000 + 37 * i + rng.randint(0, 30)}",
                "opened_at": opened.strftime("%Y-%m-%dT%H:%M:00Z"),
                "fingerprint": fingerprint(r["alertname"], r["service"]),
                **r,
            }
        )
    return out


RUNBOOK = """---
title: {title}
services: [{services}]
alerts: [{alerts}]
---
# {title}

## Meaning
{meaning}

## Diagnosis
1. Compare the service's error ratio and p99 latency with its dependencies' to see where the failure starts.
2. Check recent deploys and config changes: `kubectl rollout history deployment/<service> -n {ns}`.
3. Read the newest error templates in the logs before restarting anything.

## Mitigation
{mitigation}

## Escalation
Page the owning team ({owner}) if the mitigation does not help within 15 minutes.
"""

MITIGATION = {
    "api": "If a deploy or config change preceded the errors, roll it back first: "
    "`kubectl rollout undo deployment/<service> -n {ns}`.\nIf CPU or the connection pool is saturated "
    "without a change, scale out before raising limits.",
    "worker": "Roll back a recent deploy first; restart the workers only if memory keeps growing.",
    "db": "Find blocking sessions in pg_stat_activity and cancel the blocker; if the volume is full, expand it "
    "before anything else. Never restart the primary without the data team.",
    "cache": "If memory or disk is exhausted, expand the volume or evict; clients fall back to the database.",
    "queue": "If a broker's disk is full, expand the volume or lower retention; producers retry.",
}


def write_bundle(
    out: Path,
    plan: Plan,
    seed: int,
    rng: random.Random,
    alert_at: datetime,
    log_scale: float = 1.0,
    name: str | None = None,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    topo, ns = plan.topology, NAMESPACE[plan.topology]
    svcs = TOPOLOGIES[topo]
    catalog = {
        "service_label": "service",
        "services": {
            s.name: {
                "depends_on": list(s.deps),
                "repo": f"acme/{topo}-config",
                "config_paths": [f"apps/{s.name}/values.yaml"],
                "runbook_tags": [s.name, s.kind],
                "namespace": ns,
                "owner": s.owner,
            }
            for s in svcs
        },
        "signals": {sig: f'{name}{{service="{{service}}"}}' for sig, name in SIGNALS.items()},
    }
    (out / "catalog.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False, width=120))
    labels = {"alertname": plan.alertname, "service": plan.alert_service, "namespace": ns, "severity": plan.severity}
    fp = fingerprint(plan.alertname, plan.alert_service)
    alert = {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{plan.alertname}"}}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "oncall-copilot",
        "groupLabels": {"alertname": plan.alertname},
        "commonLabels": labels,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": f"{plan.alertname} on {plan.alert_service}"},
                "startsAt": alert_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph",
                "fingerprint": fp,
            }
        ],
    }
    (out / "alert.json").write_text(json.dumps(alert, indent=2) + "\n")
    (out / "metrics.om").write_text("\n".join(simulate_metrics(topo, plan, rng, alert_at)) + "\n")
    logs = simulate_logs(topo, plan, rng, alert_at, log_scale)
    with (out / "logs.jsonl").open("w") as f:
        for i, rec in enumerate(logs):
            f.write(json.dumps(rec) + "\n")
            if i == len(logs) // 3 and rng.random() < 0.3:  # a truncated write, as log shippers produce
                f.write(json.dumps(rec)[: rng.randint(10, 40)] + "\n")
    telemetry.write(out, plan, alert_at)  # randomness of its own: the case's other files stay as they were
    changes = sorted([*plan.changes, *unrelated_changes(topo, plan, rng, alert_at)], key=lambda c: c["ts"])
    (out / "changes.jsonl").write_text("".join(json.dumps(c) + "\n" for c in changes))
    history = past_incidents(topo, plan, rng, alert_at)
    (out / "history.jsonl").write_text("".join(json.dumps(h) + "\n" for h in history))
    rb = out / "runbooks"
    rb.mkdir(exist_ok=True)
    for kind in sorted({s.kind for s in svcs}):
        members = [s for s in svcs if s.kind == kind]
        (rb / f"{kind}.md").write_text(
            RUNBOOK.format(
                title=f"{topo} {kind} services",
                services=", ".join([kind, *(s.name for s in members)]),
                alerts="HighErrorRate, HighLatencyP99"
                + (
                    ", PersistentVolumeFillingUp"
                    if kind in ("db", "cache", "queue")
                    else ", KubernetesContainerOomKiller"
                ),
                meaning=f"One of the {kind} services ({', '.join(s.name for s in members)}) is failing or slow.",
                mitigation=MITIGATION[kind].replace("{ns}", ns),
                ns=ns,
                owner=members[0].owner,
            )
        )
    repo = out / "repo" / "apps"
    for s in svcs:
        (repo / s.name).mkdir(parents=True, exist_ok=True)
        cfg = plan.config.get(s.name, {})
        (repo / s.name / "values.yaml").write_text(
            f"image:\n  repository: registry.acme.internal/{s.name}\n  tag: v1.0.0\nreplicaCount: {s.replicas}\n"
            f"autoscaling:\n  maxReplicas: {s.hpa_max}\n"
            + (
                f"database:\n  pool:\n    maxSize: {cfg.get('pool_max', 50)}\n    idleTimeout: 60s\n"
                if s.pooled
                else ""
            )
            + (f"clients:\n  timeoutMs: {cfg.get('timeout_ms', 5000)}\n" if s.deps else "")
        )
    truth = {
        "root_cause": {"service": plan.root, "category": plan.category, "also_accept": plan.also_accept},
        "fix": {"kind": plan.fix, "target": plan.root},
        "notes": plan.notes,
        "family": plan.family,
        "topology": topo,
        "seed": seed,
    }
    (out / "truth.yaml").write_text(yaml.safe_dump(truth, sort_keys=False, width=120))


def make_case(out: Path, family: str, topology: str, seed: int, log_scale: float = 1.0) -> Plan:
    from oncall.eval.scenarios.faults import FAMILIES

    rng = random.Random(f"{seed}/{family}/{topology}")
    day = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 20))
    alert_at = day + timedelta(minutes=rng.randint(0, 24 * 60 - 1))
    plan = FAMILIES[family](Ctx(rng, topology, alert_at))
    write_bundle(out, plan, seed, rng, alert_at, log_scale)
    return plan


def generate(out: Path, seed: int, per_family: int = 4, log_scale: float = 1.0) -> list[Path]:
    """Every family `per_family` times, rotating through the topologies; deterministic per seed."""
    from oncall.eval.scenarios.faults import FAMILIES

    topologies = sorted(TOPOLOGIES)
    cases = []
    n = 0
    for fam_i, family in enumerate(FAMILIES):
        for k in range(per_family):
            topology = topologies[(fam_i + k) % len(topologies)]
            n += 1
            path = out / f"{n:03d}-{family}-{topology}"
            make_case(path, family, topology, seed * 1000 + k, log_scale)
            cases.append(path)
    return cases
