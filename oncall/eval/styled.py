"""How a case of worlds 6 to 8 is written: one function, given the world's `Style` (what those worlds
differ in: their technologies' normal levels, daily curve, sampling, pod names, routine deploys,
history, alert labels, repository layout and log records). Each world keeps its own estates, log
idioms and fault shapes in its own package; only the writing of the bundle is shared."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.eval.telemetry import write_telemetry
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

HTTP = ("request_rate", "error_ratio", "latency_p99")
RUNBOOK = (
    "---\ntitle: {alertname}\nalerts: [{alertname}]\n---\n"
    "## Diagnosis\nFind the first service in the call path whose own signals moved.\n\n"
    "## Mitigation\nIf a rollout preceded it, roll it back. If traffic is real, scale out.\n"
)


def runbook_annotations(e: Any, f: Fault) -> dict[str, str]:
    """A summary and the team's runbook page for the alert, as most rule files carry them."""
    return {
        "summary": f"{f.alertname} on {f.alert_service}",
        "runbook_url": f"https://runbooks.{e.name}.example/{f.alertname}",
    }


@dataclass(frozen=True)
class Node:
    """A service of an estate: its technology (which decides its log idiom), what it calls, its rate."""

    name: str
    tech: str
    calls: tuple[str, ...] = ()
    rps: float = 30.0


@dataclass(frozen=True)
class Estate:
    """An estate of worlds 6 to 10: its services, how its logs are shipped, the label naming a service."""

    name: str
    namespace: str
    shipper: str
    nodes: tuple[Node, ...]
    label: str
    signals: dict[str, str] = field(default_factory=dict)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def callers(self, name: str) -> list[str]:
        return [n.name for n in self.nodes if name in n.calls]


@dataclass(frozen=True)
class Curve:
    """The day's traffic as a multiple of a node's normal rate: 1 + amplitude * sin(...) over `period`
    minutes, peaking `peak_minute` minutes after midnight's phase; `floor` keeps only the peaks."""

    amplitude: float
    shift: int  # minutes subtracted from the minute of the day
    period: int  # minutes
    floor: bool  # max(0, sin): quiet outside the peaks
    latency_swing: float  # how much of the load latency follows

    def load(self, x: datetime) -> float:
        s = math.sin((x.hour * 60 + x.minute - self.shift) / self.period * 2 * math.pi)
        return 1 + self.amplitude * (max(0.0, s) if self.floor else s)


@dataclass(frozen=True)
class Routine:
    """Deploys elsewhere through the day, one shortly before the alert."""

    techs: tuple[str, ...]
    first_lag_min: tuple[int, int]
    key: str
    version: str  # with {i}, e.g. "4.{i}.7" -> "4.{i}.8"
    next_version: str
    who: str


@dataclass(frozen=True)
class Style:
    world: int
    prefix: str
    mix: tuple[int, int, int]
    start: datetime
    latency_s: dict[str, float]
    normal: dict[str, float]
    untraced: tuple[str, ...]
    curve: Curve
    disk_techs: tuple[str, ...] | None  # who reports disk use (None: everyone)
    step_s: Callable[[str], int]
    jitter: float
    pod_parts: tuple[Sequence[str], Sequence[str]]
    background: dict[str, list[str]]
    noise: dict[str, str]
    record: Callable[[Any, datetime, str, str, str, str], dict[str, Any] | list[dict[str, Any]]]
    change: Callable[..., dict[str, Any]]
    routine: Routine
    history_ids: tuple[str, int, int]
    repo: str  # with {estate}
    config_path: str  # with {name}
    repo_file: tuple[str, str]  # the config file's name in the repo, and its content
    labels: Callable[[Any, Fault], dict[str, str]]
    receiver: str
    external_url: str  # with {estate}
    alert_indent: int = 2
    unseen: tuple[str, ...] = ("saas",)  # technologies with no metrics or logs of their own
    annotations: Callable[[Any, Fault], dict[str, str]] = runbook_annotations
    # another alert source than Alertmanager: (payload, the alert's name as the runbooks list it), or None
    alert: Callable[[Any, Fault, datetime, random.Random], tuple[dict[str, Any], str] | None] = lambda e, f, t, r: None
    platform: str = "kubernetes"  # what the services run on: the catalog says so, and only a cluster has k8s files
    metered: tuple[str, ...] | None = None  # technologies with metrics (None: every one not unseen)
    # signals only some technologies report (a database's connections), by signal (None: as disk_techs says)
    only: dict[str, tuple[str, ...]] | None = None
    compact: bool = False  # the shipper writes each log record with no space after its separators
    # the shipper packs records into batches, one a line (a subscription's payloads), or None: a record a line
    batch: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None

    def metrics(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> str:
        def normal(n: Any, sig: str, x: datetime) -> float:
            load = self.curve.load(x)
            levels = {
                "request_rate": n.rps * load,
                "latency_p99": self.latency_s[n.tech] * (1 + self.curve.latency_swing * load),
            }
            return levels.get(sig, self.normal.get(sig, 0.0))

        def keep(n: Any, sig: str) -> bool:
            techs = (self.only or {}).get(sig, self.disk_techs if sig == "disk_utilization" else None)
            return techs is None or n.tech in techs

        return gauges(
            [n for n in e.nodes if n.tech not in self.unseen and (self.metered is None or n.tech in self.metered)],
            e.signals,
            f,
            t,
            rng,
            normal=normal,
            step_s=self.step_s,
            keep=keep,
            jitter=self.jitter,
        )

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        def make(at: datetime, svc: str, level: str, text: str) -> dict[str, Any] | list[dict[str, Any]]:
            pod = f"{svc}-{rng.choice(self.pod_parts[0])}-{rng.choice(self.pod_parts[1])}"
            return self.record(e, at, svc, pod, level, text)

        return background_logs(
            [n for n in e.nodes if n.tech not in self.unseen],
            f,
            t,
            rng,
            make,
            lines=lambda n: self.background[n.tech],
            noise=lambda n: self.noise.get(n.tech),
            p_info=0.3,
            p_noise=0.05,
        )

    def routine_changes(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        r, out = self.routine, []
        for i in range(4):
            svc = rng.choice([n.name for n in e.nodes if n.name != f.root and n.tech in r.techs])
            lag = timedelta(minutes=rng.randint(*r.first_lag_min)) if i == 0 else timedelta(hours=rng.uniform(1, 20))
            old, new = r.version.format(i=i), r.next_version.format(i=i)
            out.append(self.change(t - lag, svc, "deploy", r.key, old, new, rng, r.who))
        return out

    def history(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        return past_incidents(
            e.nodes,
            f,
            t,
            rng,
            count=4,
            ids=self.history_ids,
            days=(5, 400),
            categories=["recent_change", "capacity", "dependency_failure", "resource_exhaustion"],
            cause="{service} degraded",
            fix="see the incident doc",
            minutes=(10, 240),
        )

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        out.mkdir(parents=True, exist_ok=True)
        write_catalog(
            out,
            e,
            repo=self.repo.format(estate=e.name),
            config_path=lambda name: self.config_path.format(name=name),
            runbook_tags=lambda name: [name],
            platform=self.platform,
        )
        alertname = f.alertname
        if other := self.alert(e, f, t, rng):
            alert, alertname = other
        else:
            alert = alertmanager(
                f,
                self.labels(e, f),
                self.annotations(e, f),
                t,
                f"{rng.getrandbits(64):016x}",
                receiver=self.receiver,
                external_url=self.external_url.format(estate=e.name),
            )
        (out / "alert.json").write_text(json.dumps(alert, indent=self.alert_indent))
        (out / "metrics.om").write_text(self.metrics(e, f, t, rng))
        logs = self.logs(e, f, t, rng)
        write_jsonl(out / "logs.jsonl", self.batch(logs) if self.batch else logs, compact=self.compact)
        write_changes(out / "changes.jsonl", [*f.changes, *self.routine_changes(e, f, t, rng)])
        write_jsonl(out / "history.jsonl", self.history(e, f, t, rng))
        (out / "runbooks").mkdir(exist_ok=True)
        (out / "runbooks" / f"{alertname}.md").write_text(RUNBOOK.format(alertname=alertname))
        name, text = self.repo_file
        for n in e.nodes:
            p = out / "repo" / Path(self.config_path.format(name=n.name)).parent
            p.mkdir(parents=True, exist_ok=True)
            (p / name.format(name=n.name)).write_text(text)
        write_truth(out, f, world=self.world)
        untraced = {n.name for n in e.nodes if n.tech in self.untraced}
        write_telemetry(out, e, f, t, untraced=untraced, cluster=self.platform == "kubernetes")

    def generate(
        self, out: Path, seed: int, per_fault: int, faults: Sequence[Callable[..., Fault]], estates: Sequence[Any]
    ) -> list[Path]:
        return generate_cases(
            out,
            seed,
            per_fault,
            faults=faults,
            estates=estates,
            write=self.write,
            prefix=self.prefix,
            mix=self.mix,
            start=self.start,
        )
