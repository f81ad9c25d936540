"""Small incident bundles written by tests, so each test states the facts it relies on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from oncall.core.investigation import Investigation

ALERT_AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
T0, END = ALERT_AT - timedelta(hours=6), ALERT_AT + 15 * M  # the span these bundles' metrics cover


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def alertmanager(alertname: str, service: str, at: datetime = ALERT_AT, **labels: str) -> dict:
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{alertname}"}}',
        "status": "firing",
        "receiver": "copilot",
        "groupLabels": {"alertname": alertname},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://am:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": alertname, "service": service, **labels},
                "annotations": {"summary": f"{alertname} on {service}"},
                "startsAt": iso(at),
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": "f00dfeedf00dfeed",
            }
        ],
    }


def signals(*names: str) -> dict[str, str]:
    """The catalog's signal templates for these signals, named as `series` writes them (`name{service=...}`)."""
    return {sig: f'{sig}{{service="{{service}}"}}' for sig in names}


def series(name: str, service: str, values: list[tuple[datetime, float]]) -> list[str]:
    return [f'{name}{{service="{service}"}} {v} {int(t.timestamp())}' for t, v in values]


def flat_then(
    start: datetime,
    end: datetime,
    base: float,
    jump_at: datetime | None = None,
    jump_to: float | None = None,
    step_s: int = 60,
) -> list[tuple[datetime, float]]:
    """A series at `base` that moves to `jump_to` at `jump_at` (with a little deterministic wobble)."""
    out, t, i = [], start, 0
    while t <= end:
        v = jump_to if jump_at and jump_to is not None and t >= jump_at else base
        out.append((t, round(v * (1 + 0.02 * ((i % 5) - 2) / 2), 6)))
        t += timedelta(seconds=step_s)
        i += 1
    return out


def write_bundle(
    root: Path,
    *,
    services: dict[str, list[str]],
    alert: dict | str,
    logs: list[dict] | None = None,
    metric_lines: list[str] | None = None,
    changes: list[dict] | None = None,
    history: list[dict] | None = None,
    runbooks: dict[str, str] | None = None,
    signals: dict[str, str] | None = None,
    platforms: dict[str, str] | None = None,
) -> Path:
    """A bundle of these services (each `depends_on` its list; `platforms`: what some run on, else
    Kubernetes) and files."""
    root.mkdir(parents=True, exist_ok=True)
    catalog = {
        "service_label": "service",
        "services": {
            s: {
                "depends_on": deps,
                "repo": "acme/config",
                "namespace": "prod",
                "config_paths": [f"apps/{s}/values.yaml"],
                "runbook_tags": [s],
                **({"platform": platforms[s]} if platforms and s in platforms else {}),
            }
            for s, deps in services.items()
        },
        "signals": signals
        or {
            "error_ratio": 'error_ratio{service="{service}"}',
            "latency_p99": 'latency_p99_seconds{service="{service}"}',
        },
    }
    (root / "catalog.yaml").write_text(yaml.safe_dump(catalog))
    (root / "alert.json").write_text(alert if isinstance(alert, str) else json.dumps(alert))
    if logs is not None:
        (root / "logs.jsonl").write_text("".join(json.dumps(x) + "\n" for x in logs))
    if metric_lines is not None:
        names = sorted({ln.split("{")[0] for ln in metric_lines})
        body = []
        for n in names:
            body.append(f"# TYPE {n} gauge")
            body += [ln for ln in metric_lines if ln.split("{")[0] == n]
        (root / "metrics.om").write_text("\n".join([*body, "# EOF"]) + "\n")
    if changes is not None:
        (root / "changes.jsonl").write_text("".join(json.dumps(x) + "\n" for x in changes))
    if history is not None:
        (root / "history.jsonl").write_text("".join(json.dumps(x) + "\n" for x in history))
    if runbooks is not None:
        (root / "runbooks").mkdir(exist_ok=True)
        for name, text in runbooks.items():
            (root / "runbooks" / name).write_text(text)
    return root


def setting_change(at: datetime, service: str, key: str, old: str, new: str, kind: str = "config") -> dict:
    """A changes.jsonl record that sets `key` from `old` to `new` on `service`, with its one-line diff."""
    path = f"config/{service}/settings.yaml"
    return {
        "ts": iso(at), "service": service, "kind": kind, "from": f"{key}: {old}", "to": f"{key}: {new}",
        "author": "platform", "ref": "5e6f7a8",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -4 +4 @@\n-{key}: {old}\n+{key}: {new}\n",
    }  # fmt: skip


def busy_with_job(root: Path, store: str, job: str, kind: str, alertname: str) -> Path:
    """A bundle where a job filed as a change (`kind`, its text `job`) starts on `store` a minute after it is
    filed: the store's CPU and latency rise a little, its user's errors do not, nothing fails."""
    at = ALERT_AT - 15 * M
    return write_bundle(
        root,
        services={"api": [store], store: []},
        alert=alertmanager(alertname, store),
        logs=quiet_logs("api", store),
        metric_lines=series("cpu_utilization", store, flat_then(T0, END, 0.3, at, 0.85))
        + series("latency_p99", store, flat_then(T0, END, 0.02, at, 0.05))
        + series("error_ratio", "api", flat_then(T0, END, 0.002)),
        changes=[setting_change(at - M, store, "job", "none", job, kind=kind)],
        signals=signals("cpu_utilization", "latency_p99", "error_ratio", "request_rate"),
    )


def quiet_logs(*services: str) -> list[dict]:
    """A line every five minutes from each service, two hours before the alert: they were seen, and fine."""
    return [
        log(ALERT_AT - timedelta(hours=2) + i * timedelta(minutes=5), s, "info", "ok")
        for i in range(20)
        for s in services
    ]


def log(t: datetime, service: str, level: str, message: str, pod: str | None = None) -> dict:
    return {
        "ts": iso(t),
        "service": service,
        "pod": pod or f"{service}-abc12-xyz",
        "level": level,
        "message": message,
    }


def demo_runner(**backends: object):
    """A tool runner on the demo bundle, with some of its embedded backends replaced (`k8s=...`)."""
    from oncall.core.investigation import Settings
    from oncall.estate.bundle import Bundle
    from oncall.investigate import prepare
    from tests.conftest import DEMO

    bundle = Bundle.open(DEMO)
    chosen = bundle.backends()
    for name, backend in backends.items():
        setattr(chosen, name, backend)
    _, runner = prepare(bundle.alert_payload(), bundle.catalog, chosen, Settings(), bundle.moment())
    return runner


def investigated(root: Path) -> Investigation:
    """The offline analyst's investigation of the bundle at `root`, as `oncall investigate` runs it."""
    from oncall.analysts.offline.analyst import OfflineAnalyst
    from oncall.estate.bundle import Bundle
    from oncall.investigate import investigate

    b = Bundle.open(root)
    return investigate(b.alert_payload(), catalog=b.catalog, backends=b.backends(), analyst=OfflineAnalyst())


def verdict(root: Path) -> str:
    """`service/category` of the root cause the offline analyst gives, with `/HIGH` when it is said at HIGH."""
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}" + ("/HIGH" if d.root_cause.confidence == "HIGH" else "")


def read_logs_of(
    tmp_path: Path, records: list[dict], services: dict[str, list[str]] | None = None, alerting: str = "api"
) -> dict[str, str]:
    """read_logs' summary per service of these services (default: api, which calls db) with these log records and
    no metrics, the alert on `alerting`."""
    root = write_bundle(
        tmp_path / "b",
        services=services or {"api": ["db"], "db": []},
        alert=alertmanager("HighErrorRate", alerting),
        logs=records,
        metric_lines=[],
    )
    return {r.input.get("service"): r.text or "" for r in investigated(root).results if r.tool == "read_logs"}


def trace_line(
    t: datetime,
    calls: dict[str, list[str]],
    failing: set[tuple[str, str]],
    n: int,
    broken: frozenset[str] = frozenset(),
) -> str:
    """One trace in OTLP JSON from the first service of `calls`: each serves the request and calls those it
    lists; the `failing` calls fail, and the spans with which the `broken` services serve it."""
    ns = int(t.timestamp() * 1e9)
    trace = f"{n:032x}"

    def attr(key: str, value: str) -> dict:
        return {"key": key, "value": {"stringValue": value}}

    def span(i: int, name: str, kind: int, parent: str | None, ok: bool, peer: str | None = None) -> dict:
        return {"traceId": trace, "spanId": f"{n:012x}{i:04x}", **({"parentSpanId": parent} if parent else {}),
                "name": name, "kind": kind, "startTimeUnixNano": str(ns + i * 1_000_000),
                "endTimeUnixNano": str(ns + (i + 3) * 1_000_000), "status": {"code": 0 if ok else 2},
                **({"attributes": [attr("peer.service", peer)]} if peer else {})}  # fmt: skip

    resources, parents, i = [], {next(iter(calls)): None}, 0
    for svc, callees in calls.items():
        spans = [span(i := i + 1, f"{svc} handle", 2, parents.get(svc), svc not in broken)]
        server = spans[0]["spanId"]
        for callee in callees:
            spans.append(span(i := i + 1, f"call {callee}", 3, server, (svc, callee) not in failing, callee))
            parents[callee] = spans[-1]["spanId"]
        resources.append({"resource": {"attributes": [attr("service.name", svc)]}, "scopeSpans": [{"spans": spans}]})
    return json.dumps({"resourceSpans": resources})
