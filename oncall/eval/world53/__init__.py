"""World 53: written after world 52's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 53 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world53.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world53.faults import FAULTS, change
from oncall.eval.worlds import Fault

BATCH_SECONDS = 2.0  # the collector's batch processor sends what it holds this often (its `timeout`)
BATCH_RECORDS = 200  # ...or at this many records (its `send_batch_size`)
SCOPES = {"spring": "io.opentelemetry.logback-appender-1.0", "hapi": "io.opentelemetry.logback-appender-1.0"}


def batched(items: list[dict[str, Any]], techs: dict[str, str]) -> list[dict[str, Any]]:
    """The records as the file exporter writes them: one `LogsData` a line, each batch's records grouped by the
    resource they came from, in the order they arrived."""
    items = sorted(items, key=lambda x: int(x["record"]["timeUnixNano"]))
    lines: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    for item in items:
        t = int(item["record"]["timeUnixNano"]) / 1e9
        if batch and (t - int(batch[0]["record"]["timeUnixNano"]) / 1e9 > BATCH_SECONDS or len(batch) >= BATCH_RECORDS):
            lines.append(_logs_data(batch, techs))
            batch = []
        batch.append(item)
    if batch:
        lines.append(_logs_data(batch, techs))
    return lines


def _logs_data(batch: list[dict[str, Any]], techs: dict[str, str]) -> dict[str, Any]:
    resources: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = {}
    for item in batch:
        resources.setdefault(tuple(item["resource"].items()), []).append(item["record"])
    out = []
    for attrs, records in resources.items():
        service = dict(attrs)["service.name"]
        scope = SCOPES.get(techs.get(service, ""), "github.com/open-telemetry/opentelemetry-collector-contrib/"
                           "receiver/filelogreceiver")  # fmt: skip
        out.append(
            {
                "resource": {"attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attrs]},
                "scopeLogs": [{"scope": {"name": scope}, "logRecords": records}],
            }
        )
    return {"resourceLogs": out}


@dataclass(frozen=True)
class FileExporterStyle(Style):
    """World 53's style: its log records written as the OpenTelemetry Collector's file exporter batches them."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return batched(super().logs(e, f, t, rng), {n.name: n.tech for n in e.nodes})


# what answers requests (Artemis and Infinispan have no request metrics; PostgreSQL's are its statements')
SERVED = ("nextjs", "spring", "hapi", "mirth", "python", "keycloak", "postgres")
STYLE = FileExporterStyle(
    world=53,
    prefix="w53",
    mix=(531_017, 5_309, 537),
    start=datetime(2026, 3, 2, tzinfo=UTC),
    latency_s={
        "nextjs": 0.25,
        "spring": 0.12,
        "hapi": 0.09,
        "mirth": 0.4,
        "python": 0.2,
        "keycloak": 0.05,
        "artemis": 0.004,
        "infinispan": 0.002,
        "postgres": 0.008,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.35,
        "memory_utilization": 0.58,
        "restarts": 0.0,
        "disk_utilization": 0.41,
    },
    untraced=("saas", "mirth", "artemis", "infinispan", "postgres", "keycloak"),
    curve=Curve(0.3, 480, 1440, floor=False, latency_swing=0.12),  # clinics open at eight
    disk_techs=("postgres", "artemis", "infinispan"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("5d8f7c9b4", "7c6b5f4d8"), ("q2x7k", "m9w4z", "h3j8p")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("spring", "hapi", "nextjs"), (40, 240), "image.tag", "7.{i}.0", "7.{i}.1", "tekton"),
    history_ids=("PP-", 1000, 9999),
    repo="meridian-health/patient-platform-gitops",
    config_path="apps/{name}/values.yaml",
    repo_file=(
        "values.yaml",
        "image:\n  tag: 7.2.4\nchannels:\n  ehrPoll:\n    intervalMs: 60000\nresources:\n  limits:\n    cpu: 2\n",
    ),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "namespace": e.namespace,
        "severity": "info" if f.category == "no_incident" else "page",
    },
    receiver="patient-platform-pager",
    external_url="https://alertmanager-main-openshift-monitoring.apps.{estate}.example",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
