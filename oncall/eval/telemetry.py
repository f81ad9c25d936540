"""What a scenario world's fault looks like in traces and in Kubernetes, derived from what the fault
does (its metric effects, its error bursts, the events it declares), never from its answer.

Traces: sampled requests from the estate's entry along its call graph (each hop a SERVER span of
the callee under the caller's span), as many per minute as the entry's traffic. A service whose
error level an effect raises fails on its own account when nothing it calls is failing (errors begin
at the deepest failing hop); its callers then fail because of it. Latency effects stretch a span;
a callee whose request rate rose more than its callers' receives the extra calls as retries from the
callers whose own rate rose (a retry storm), else from all of them.

Kubernetes: the events a fault declares (`Fault.events`), a Deployment and pods per service in a
state snapshot (a pod's terminated or waiting reason from the fault's events), and steady background
warnings that fire all day (a cron job backing off, a probe blip every few hours)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

M = timedelta(minutes=1)


@dataclass
class KEvent:
    """A Kubernetes Warning event a fault makes the cluster raise, on the service's pods."""

    service: str
    reason: str
    message: str
    at: datetime
    minutes: int = 30  # how long it keeps being raised
    per_minute: float = 1.0
    terminated: str | None = None  # the pods' last termination reason it implies (OOMKilled)
    waiting: str | None = None  # the pods' waiting reason it implies (ImagePullBackOff)


def _ns(t: datetime) -> str:
    return str(int(t.timestamp() * 1e9))


def _attr(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def _error_onset(f: Any, service: str) -> datetime | None:
    ats = [e.at for e in f.effects if e.service == service and e.signal == "error_ratio"]
    return min(ats) if ats else None


class _Tracer:
    """Builds one sampled request's spans along the call graph, as the fault shapes them."""

    def __init__(self, estate: Any, f: Any, rng: random.Random, untraced: set[str]):
        self.nodes = {n.name: n for n in estate.nodes}
        self.untraced = untraced
        self.callers: dict[str, list[str]] = {n: [] for n in self.nodes}
        for n in estate.nodes:
            for c in n.calls:
                if c in self.callers:
                    self.callers[c].append(n.name)
        self.f, self.rng = f, rng
        self.messages = {b.service: b.text for b in f.bursts if b.level in ("error", "ERROR")}
        # a caller's error about one callee, for its failing calls to that callee (not its last error's words)
        self.about = {
            (b.service, c): b.text
            for b in f.bursts
            if b.level in ("error", "ERROR")
            for c in self.nodes
            if c != b.service and (b.peer == c or f"to {c} " in b.text)
        }
        self.stretched = {e.service for e in f.effects if e.signal == "latency_p99" and e.relative}

    def rate(self, svc: str, at: datetime) -> float:
        return float(self.f.value(svc, "request_rate", at, 1.0))

    def errors(self, svc: str, at: datetime) -> float:
        return max(0.0, float(self.f.value(svc, "error_ratio", at, 0.0)))

    def stretch(self, svc: str, at: datetime) -> float:
        return max(1.0, float(self.f.value(svc, "latency_p99", at, 1.0))) if svc in self.stretched else 1.0

    def tries(self, caller: str, callee: str, at: datetime) -> int:
        """A callee whose traffic rose more than this caller's gets the difference as this caller's
        retries, when this caller's own traffic rose (or no caller's did)."""
        rise = self.rate(callee, at) / max(self.rate(caller, at), 1e-9)
        risen = [c for c in self.callers[callee] if self.rate(c, at) > 1.05]
        return max(1, round(rise)) if rise >= 2 and (caller in risen or not risen) else 1

    def client(
        self, spans: dict[str, list[dict[str, Any]]], tid: str, svc: str, callee: str, parent: str, start: datetime
    ) -> tuple[float, bool]:
        """A call to something that sends no spans of its own (a datastore, a provider): the caller's
        CLIENT span names it. It fails when the callee fails on its own, or when the fault says the
        caller's calls to it fail (an outage of a provider we have no telemetry from)."""
        ms = self.rng.uniform(1, 6) * self.stretch(callee, start)
        declared = (svc, callee) in getattr(self.f, "failing_calls", [])
        failed = self.fails_on_its_own(callee, start) or (declared and self.rng.random() < self.errors(svc, start))
        said = self.messages.get(callee) or self.about.get((svc, callee)) or self.messages.get(svc, "error")
        status = {"code": 2, "message": said} if failed else {}
        spans.setdefault(svc, []).append(
            {
                "traceId": tid,
                "spanId": f"{self.rng.getrandbits(64):016x}",
                "parentSpanId": parent,
                "name": f"call {callee}",
                "kind": 3,
                "startTimeUnixNano": _ns(start),
                "endTimeUnixNano": _ns(start + timedelta(milliseconds=ms)),
                "attributes": [_attr("peer.service", callee)],
                "status": status or {"code": 0},
            }
        )
        return ms, failed

    def fails_on_its_own(self, svc: str, at: datetime) -> bool:
        """Errors begin at the deepest failing hop: not here when something it calls failed first."""
        mine = _error_onset(self.f, svc)
        deeper = any(
            (o := _error_onset(self.f, c)) is not None and mine is not None and o <= mine and self.errors(c, at) > 0
            for c in self.nodes[svc].calls
        ) or any(caller == svc for caller, _ in getattr(self.f, "failing_calls", []))
        return not deeper and self.rng.random() < self.errors(svc, at)

    def visit(
        self,
        spans: dict[str, list[dict[str, Any]]],
        tid: str,
        svc: str,
        parent: str | None,
        start: datetime,
        path: tuple[str, ...] = (),
    ) -> tuple[float, bool]:
        sid = f"{self.rng.getrandbits(64):016x}"
        ms = self.rng.uniform(3, 12) * self.stretch(svc, start)
        child_failed = False
        for callee in self.nodes[svc].calls:
            if callee not in self.nodes or callee in path or len(path) >= 4:
                continue
            for _ in range(self.tries(svc, callee, start)):
                at = start + timedelta(milliseconds=ms)
                if callee in self.untraced:
                    took, failed = self.client(spans, tid, svc, callee, sid, at)
                else:
                    took, failed = self.visit(spans, tid, callee, sid, at, (*path, svc))
                ms += took
                child_failed = child_failed or failed
        own = self.fails_on_its_own(svc, start)
        failed = own or (child_failed and self.rng.random() < 0.9)
        status: dict[str, Any] = {"code": 0}
        if own:
            status = {"code": 2, "message": self.messages.get(svc, "internal error")}
        elif failed:
            status = {"code": 2, "message": "a call this request made failed"}
        spans.setdefault(svc, []).append(
            {
                "traceId": tid,
                "spanId": sid,
                **({"parentSpanId": parent} if parent else {}),
                "name": f"{svc} handle",
                "kind": 2,
                "startTimeUnixNano": _ns(start),
                "endTimeUnixNano": _ns(start + timedelta(milliseconds=ms)),
                "status": status,
            }
        )
        return ms, failed


def write_traces(
    out: Path, estate: Any, f: Any, t: datetime, rng: random.Random, untraced: set[str], per_minute: float = 1.0
) -> None:
    """traces.jsonl: OTLP JSON lines, one sampled request each, from 3 hours before the alert to 15
    minutes after, entering where the estate's traffic enters (its entry, or every service nobody calls).
    `untraced`: what sends no spans (datastores, providers): its callers' CLIENT spans name it."""
    tracer = _Tracer(estate, f, rng, untraced)
    entries = [estate.entry] if getattr(estate, "entry", None) else [n for n, c in tracer.callers.items() if not c]
    lines: list[str] = []
    x, end = t - timedelta(hours=3), t + 15 * M
    while x < end:
        for entry in entries:
            n = per_minute * tracer.rate(entry, x) / len(entries)
            for _ in range(int(n) + (1 if rng.random() < n % 1 else 0)):
                spans: dict[str, list[dict[str, Any]]] = {}
                tracer.visit(
                    spans, f"{rng.getrandbits(128):032x}", entry, None, x + timedelta(seconds=rng.uniform(0, 59))
                )
                resource = [
                    {"resource": {"attributes": [_attr("service.name", s)]}, "scopeSpans": [{"spans": ss}]}
                    for s, ss in spans.items()
                ]
                lines.append(json.dumps({"resourceSpans": resource}))
        x += M
    (out / "traces.jsonl").write_text("\n".join(lines) + "\n")


def _event(pod: str, ns: str, reason: str, message: str, first: datetime, last: datetime, count: int) -> dict[str, Any]:
    return {
        "kind": "Event",
        "metadata": {"name": f"{pod}.{int(first.timestamp()):x}", "namespace": ns},
        "involvedObject": {"kind": "Pod", "name": pod, "namespace": ns},
        "reason": reason,
        "message": message,
        "type": "Warning",
        "count": count,
        "firstTimestamp": first.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lastTimestamp": last.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def write_k8s(out: Path, estate: Any, f: Any, t: datetime, rng: random.Random) -> None:
    """k8s.jsonl (the fault's warning events and all-day background ones) and k8s_state.json."""
    ns = estate.namespace
    pods = {
        n.name: [f"{n.name}-{rng.getrandbits(24):06x}-{rng.getrandbits(20):05x}" for _ in range(2)]
        for n in estate.nodes
    }
    events = []
    end = t + 15 * M
    for e in getattr(f, "events", []):
        last = min(end, e.at + e.minutes * M)
        for pod in pods.get(e.service, []):
            events.append(_event(pod, ns, e.reason, e.message, e.at, last, max(1, int(e.per_minute * e.minutes / 2))))
    noisy = rng.choice([n.name for n in estate.nodes])
    x = t - timedelta(hours=8)
    while x < end:  # a probe blip every few hours, all day: the cluster's usual noise
        pod = rng.choice(pods[noisy])
        events.append(
            _event(pod, ns, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", x, x + M, 2)
        )
        x += timedelta(hours=rng.uniform(1.5, 3))
    events.sort(key=lambda e: e["lastTimestamp"])
    (out / "k8s.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    items: list[dict[str, Any]] = []
    for n in estate.nodes:
        labels = {"app.kubernetes.io/name": n.name}
        declared = [e for e in getattr(f, "events", []) if e.service == n.name]
        waiting = next((e.waiting for e in declared if e.waiting), None)
        terminated = next((e for e in declared if e.terminated), None)
        ready = 0 if waiting else len(pods[n.name])
        items.append(
            {
                "kind": "Deployment",
                "metadata": {"name": n.name, "namespace": ns, "labels": labels},
                "spec": {"replicas": len(pods[n.name])},
                "status": {"updatedReplicas": len(pods[n.name]), "readyReplicas": ready, "availableReplicas": ready},
            }
        )
        for pod in pods[n.name]:
            status: dict[str, Any] = {"name": n.name, "ready": not waiting, "restartCount": 0, "state": {"running": {}}}
            if terminated:
                status["restartCount"] = rng.randint(2, 6)
                status["lastState"] = {
                    "terminated": {
                        "reason": terminated.terminated,
                        "exitCode": 137,
                        "finishedAt": (terminated.at + rng.randint(1, 5) * M).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    }
                }
            if waiting:
                status["state"] = {"waiting": {"reason": waiting}}
            items.append(
                {
                    "kind": "Pod",
                    "metadata": {"name": pod, "namespace": ns, "labels": labels},
                    "status": {
                        "conditions": [{"type": "Ready", "status": "False" if waiting else "True"}],
                        "containerStatuses": [status],
                    },
                }
            )
    (out / "k8s_state.json").write_text(json.dumps({"kind": "List", "items": items}) + "\n")


def write_telemetry(out: Path, estate: Any, f: Any, t: datetime, untraced: set[str], cluster: bool = True) -> None:
    """traces.jsonl and (on a cluster) the cluster's files of a case, each from randomness of its own
    (seeded by the case), so that adding them leaves the case's other files as they were."""
    write_traces(out, estate, f, t, random.Random(f"traces {f.family} {estate.name} {t.isoformat()}"), untraced)
    if cluster:
        write_k8s(out, estate, f, t, random.Random(f"k8s {f.family} {estate.name} {t.isoformat()}"))
