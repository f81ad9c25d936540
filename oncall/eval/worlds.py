"""What every independently written scenario world (worlds 2, 3 and 4) shares: the vocabulary a
fault is told in (metric effects, log bursts, changes, the alert and the truth) and the mechanics of
writing a bundle and a set of cases. Each world keeps its own estates, idioms and fault shapes."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

M = timedelta(minutes=1)


@dataclass
class Effect:
    service: str
    signal: str
    at: datetime
    value: float  # the level the signal goes to (a multiple of its normal for rates)
    relative: bool = True  # value multiplies the normal level; False: the level itself
    ramp: timedelta = timedelta(minutes=3)
    until: datetime | None = None

    def level(self, t: datetime, normal: float) -> float | None:
        """The signal's level at `t` under this effect, or None when it is not in force."""
        if t < self.at or (self.until and t >= self.until):
            return None
        k = 1.0 if self.ramp.total_seconds() == 0 else min(1.0, (t - self.at) / self.ramp)
        target = normal * self.value if self.relative else self.value
        return normal + (target - normal) * k


@dataclass
class Burst:
    service: str
    start: datetime
    per_minute: float
    level: str
    text: str
    minutes: int = 60
    peer: str | None = None


@dataclass
class Fault:
    family: str
    root: str
    category: str
    fix: str
    alert_service: str
    alertname: str
    notes: str
    also_accept: list[str] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    bursts: list[Burst] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)  # telemetry.KEvent: what the cluster raises
    # (caller, callee) whose calls fail though the callee shows nothing (a provider we have no telemetry from)
    failing_calls: list[tuple[str, str]] = field(default_factory=list)

    def burst_lines(self, rng: random.Random, end: datetime) -> Iterator[tuple[datetime, Burst]]:
        """When each line of each burst is logged (spread at random over the burst), those before `end`."""
        for b in self.bursts:
            for _ in range(int(b.per_minute * b.minutes)):
                at = b.start + timedelta(seconds=rng.uniform(0, b.minutes * 60))
                if at < end:
                    yield at, b

    def value(self, service: str, signal: str, t: datetime, normal: float) -> float:
        """A signal's value at `t`: its normal level, unless an effect of this fault holds it (the
        last such effect wins)."""
        v = normal
        for e in self.effects:
            if e.service == service and e.signal == signal:
                level = e.level(t, normal)
                v = level if level is not None else v
        return v


def front(e: Any, svc: str) -> str:
    """Where users feel a fault of `svc`: up its first caller chain to a service nobody calls."""
    seen = svc
    while callers := e.callers(seen):
        seen = callers[0]
    return seen


def pick_called(e: Any, rng: random.Random, techs: tuple[str, ...]) -> str:
    """A service of one of `techs` that something calls (so its failure is felt)."""
    return rng.choice([n.name for n in e.nodes if n.tech in techs and e.callers(n.name)])


def gauges(
    nodes: Iterable[Any],
    signals: dict[str, str],
    f: Fault,
    t: datetime,
    rng: random.Random,
    *,
    normal: Callable[[Any, str, datetime], float],
    step_s: Callable[[str], int],
    keep: Callable[[Any, str], bool] = lambda n, sig: True,
    jitter: float = 0.05,
) -> str:
    """metrics.om of gauges from 8 hours before `t` to 15 minutes after: each kept (node, signal) at its
    world's normal level, as the fault's effects hold it, with a little noise (restarts have none)."""
    out: dict[str, list[str]] = {}
    for n in nodes:
        for sig, tmpl in signals.items():
            if not keep(n, sig):
                continue
            name, labels = tmpl.split("{", 1)
            labels = labels.rstrip("}").replace("{service}", n.name)
            x, end = t - timedelta(hours=8), t + timedelta(minutes=15)
            while x <= end:
                v = f.value(n.name, sig, x, normal(n, sig, x))
                if sig != "restarts":
                    v *= 1 + rng.uniform(-jitter, jitter)
                out.setdefault(name, []).append(f"{name}{{{labels}}} {v:.5g} {int(x.timestamp())}")
                x += timedelta(seconds=step_s(sig))
    lines = []
    for name, rows in out.items():
        lines += [f"# TYPE {name} gauge", *rows]
    return "\n".join(lines) + "\n# EOF\n"


def background_logs(
    nodes: Iterable[Any],
    f: Fault,
    t: datetime,
    rng: random.Random,
    make: Callable[[datetime, str, str, str], dict[str, Any] | list[dict[str, Any]]],
    *,
    lines: Callable[[Any], list[str]],
    noise: Callable[[Any], str | None],
    p_info: float,
    p_noise: float,
) -> list[dict[str, Any]]:
    """Eight hours of a healthy estate's logs, a minute at a time (each node now and then logs one of its
    usual lines, and its usual warning), then the fault's bursts, oldest first. `make(at, service, level,
    text)` writes one record as the world's shipper does (or several: a shipper that sends each physical
    line of an event as its own record)."""
    recs: list[tuple[datetime, dict[str, Any]]] = []

    def add(at: datetime, made: dict[str, Any] | list[dict[str, Any]]) -> None:
        recs.extend((at, r) for r in (made if isinstance(made, list) else [made]))

    x, end = t - timedelta(hours=8), t + timedelta(minutes=15)
    while x < end:
        for n in nodes:
            if rng.random() < p_info:
                at = x + timedelta(seconds=rng.uniform(0, 59))
                add(at, make(at, n.name, "info", rng.choice(lines(n))))
            if (text := noise(n)) and rng.random() < p_noise:
                at = x + timedelta(seconds=rng.uniform(0, 59))
                add(at, make(at, n.name, "warn", text))
        x += timedelta(minutes=1)
    for at, b in f.burst_lines(rng, end):
        add(at, make(at, b.service, b.level, b.text))
    recs.sort(key=lambda r: r[0])
    return [r for _, r in recs]


def past_incidents(
    nodes: Sequence[Any],
    f: Fault,
    t: datetime,
    rng: random.Random,
    *,
    count: int,
    ids: tuple[str, int, int],
    days: tuple[int, int],
    categories: Sequence[str],
    cause: str,
    fix: str,
    minutes: tuple[int, int],
) -> list[dict[str, Any]]:
    """history.jsonl: past incidents of the same alert on random services with causes of their own, so
    history supports a category and never decides one. `ids`: (prefix, lowest, highest number);
    `cause`: a template with {service}."""
    out = []
    for _ in range(count):
        svc = rng.choice([n.name for n in nodes])
        out.append(
            {
                "id": f"{ids[0]}-{rng.randint(ids[1], ids[2])}",
                "opened_at": iso(t - timedelta(days=rng.randint(*days))),
                "fingerprint": f"{rng.getrandbits(64):016x}",
                "alertname": f.alertname,
                "service": svc,
                "category": rng.choice(list(categories)),
                "root_cause": cause.format(service=svc),
                "fix": fix,
                "minutes_to_resolve": rng.randint(*minutes),
            }
        )
    return out


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def change_record(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, who: str, *, ref: str, diff: str
) -> dict[str, Any]:
    """A change as a team's pipeline records it for changes.jsonl: `key` moved from `old` to `new` by `who`, its
    reference in the team's tool and what it ran or changed (`diff`)."""
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}={old}",
        "to": f"{key}={new}",
        "author": who,
        "ref": ref,
        "diff": diff,
    }


def eventbridge_alarm(
    name: str,
    t: datetime,
    rng: random.Random,
    *,
    account: str,
    region: str,
    description: str,
    metric: tuple[str, str, str, float],
    dimensions: dict[str, str],
) -> dict[str, Any]:
    """A CloudWatch alarm's change to ALARM as EventBridge delivers it (`metric`: its namespace, name, statistic
    and threshold), crossed for the last three datapoints."""
    namespace, metric_name, stat, threshold = metric
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    return {
        "version": "0",
        "id": f"{rng.getrandbits(128):032x}",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": account,
        "time": iso(t).replace(".000", ""),
        "region": region,
        "resources": [f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"],
        "detail": {
            "alarmName": name,
            "state": {
                "value": "ALARM",
                "reason": "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold "
                f"({threshold}).",
                "timestamp": stamp,
            },
            "previousState": {"value": "OK", "reason": "Threshold Crossed", "timestamp": stamp},
            "configuration": {
                "description": description,
                "metrics": [
                    {
                        "id": "m1",
                        "metricStat": {
                            "metric": {"namespace": namespace, "name": metric_name, "dimensions": dimensions},
                            "period": 60,
                            "stat": stat,
                        },
                        "returnData": True,
                    }
                ],
            },
        },
    }


def alertmanager(
    f: Fault,
    labels: dict[str, str],
    annotations: dict[str, str],
    t: datetime,
    fingerprint: str,
    *,
    receiver: str,
    external_url: str,
    group_key: str | None = None,
) -> dict[str, Any]:
    """An Alertmanager webhook (v4) carrying the fault's one firing alert."""
    return {
        "version": "4",
        "groupKey": group_key or f'{{}}:{{alertname="{f.alertname}"}}',
        "status": "firing",
        "receiver": receiver,
        "groupLabels": {"alertname": f.alertname},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": external_url,
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": annotations,
                "startsAt": iso(t),
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": fingerprint,
            }
        ],
    }


def write_catalog(
    out: Path,
    estate: Any,
    *,
    repo: str,
    config_path: Callable[[str], str],
    runbook_tags: Callable[[str], list[str]],
    platform: str = "kubernetes",
) -> None:
    """catalog.yaml of an estate whose nodes have `name` and `calls`, and which has `label`,
    `namespace` and `signals`; `platform` is said only when it is not the default."""
    catalog = {
        "service_label": estate.label,
        "services": {
            n.name: {
                "depends_on": list(n.calls),
                "repo": repo,
                "config_paths": [config_path(n.name)],
                "runbook_tags": runbook_tags(n.name),
                "namespace": estate.namespace,
                **({"platform": platform} if platform != "kubernetes" else {}),
            }
            for n in estate.nodes
        },
        "signals": estate.signals,
    }
    (out / "catalog.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False))


def write_jsonl(path: Path, records: Iterable[dict[str, Any]], compact: bool = False) -> None:
    """A record a line; `compact`: with no space after separators, as many exporters write them."""
    separators = (",", ":") if compact else None
    with path.open("w") as fh:
        for r in records:
            fh.write(json.dumps(r, separators=separators) + "\n")


def write_changes(path: Path, changes: Sequence[dict[str, Any]]) -> None:
    """changes.jsonl, oldest first, times in RFC 3339."""
    write_jsonl(path, ({**c, "ts": iso(c["ts"])} for c in sorted(changes, key=lambda c: c["ts"])))


def write_truth(out: Path, f: Fault, world: int) -> None:
    truth = {
        "root_cause": {"service": f.root, "category": f.category, "also_accept": f.also_accept},
        "fix": {"kind": f.fix, "target": f.root},
        "notes": f.notes,
        "family": f.family,
        "world": world,
    }
    (out / "truth.yaml").write_text(yaml.safe_dump(truth, sort_keys=False))


def generate_cases(
    out: Path,
    seed: int,
    per_fault: int,
    *,
    faults: Sequence[Callable[[Any, random.Random, datetime], Fault]],
    estates: Iterable[Any],
    write: Callable[[Path, Any, Fault, datetime, random.Random], None],
    prefix: str,
    mix: tuple[int, int, int],
    start: datetime,
) -> list[Path]:
    """Every fault on every estate, `per_fault` times; each case's randomness from the seed, the
    round, the fault and the estate (`mix` spreads them), at a minute of the 200 days after `start`."""
    cases: list[Path] = []
    estates = list(estates)
    for k in range(per_fault):
        for i, fault in enumerate(faults):
            for e in estates:
                rng = random.Random(seed * mix[0] + k * mix[1] + i * mix[2] + len(e.name))
                t = start + timedelta(days=rng.randint(0, 200), minutes=rng.randint(0, 1439))
                t = t.replace(second=0, microsecond=0)
                f = fault(e, rng, t)
                case = out / f"{prefix}-{len(cases) + 1:03d}-{f.family}-{e.name}"
                write(case, e, f, t, rng)
                cases.append(case)
    return cases
