"""read_k8s: what does the cluster say about the service's workload?

Warning events (OOMKilled, BackOff, ImagePullBackOff, FailedScheduling, quota exceeded, Evicted,
failed probes), pods (ready, restarts, why the last container died, why one is waiting) and the
rollout (desired, updated, ready, stalled). Backends hand over the API's own objects (core/v1
Events or events.k8s.io/v1, Pods, Deployments, as JSON); `read` turns them into `WorkloadState`,
so the embedded files and a live cluster are summarised by one code path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from oncall.core.fmt import fmt_hm, fmt_time
from oncall.prompts import tool_description
from oncall.tools.tool import Summary, Tool, ToolContext

MAX_EVENTS = 8
MAX_PODS = 5
MAX_MESSAGE = 300  # an event message is for recognising the failure, not for reading a dump


class ReadK8sInput(BaseModel):
    """Kubernetes events and workload state for one service."""

    service: str = Field(description="service name as in the catalog (its Deployment and pods)")
    start: datetime | None = Field(None, description="window start, RFC 3339; default: incident window")
    end: datetime | None = Field(None, description="window end, RFC 3339; default: incident window")


class Objects(BaseModel):
    """What a backend read, as the Kubernetes API returns it (JSON objects), with where it came from."""

    events: list[dict[str, Any]] = []
    pods: list[dict[str, Any]] = []
    deployments: list[dict[str, Any]] = []
    source: str
    namespace: str | None = None


class EventGroup(BaseModel):
    """Warning events of one reason on the service's objects."""

    reason: str
    count: int  # in the window (the events' own counts summed)
    baseline_count: int
    first_seen: datetime
    last_seen: datetime
    objects: list[str]  # kind/name
    message: str  # the latest event's message, verbatim (cut)
    line: int | None = None

    @property
    def new(self) -> bool:
        return self.baseline_count == 0


class PodState(BaseModel):
    name: str
    ready: bool
    restarts: int
    terminated_reason: str | None = None  # why its last container instance died (OOMKilled, Error, ...)
    exit_code: int | None = None
    terminated_at: datetime | None = None
    waiting_reason: str | None = None  # why a container is not running now (CrashLoopBackOff, ...)
    waiting_message: str | None = None
    line: int | None = None


class Rollout(BaseModel):
    name: str
    desired: int
    updated: int
    ready: int
    available: int
    images: list[str]
    stalled: str | None = None  # the Progressing condition's reason and message when it gave up
    line: int | None = None


class WorkloadState(BaseModel):
    service: str
    start: datetime
    end: datetime
    baseline_start: datetime
    source: str
    namespace: str | None = None
    events: list[EventGroup]
    pods: list[PodState]
    rollouts: list[Rollout]


class K8sBackend(Protocol):
    def objects(self, service: str, since: datetime, until: datetime) -> Objects: ...


def run(ctx: ToolContext, args: ReadK8sInput) -> Summary:
    start, end, baseline_start = ctx.window.asked(args.start, args.end)
    found = ctx.backends.k8s.objects(args.service, baseline_start, end)
    longer = [s for s in ctx.catalog.services if s.startswith(args.service + "-")] if ctx.catalog else []
    state = read(found, args.service, start, end, baseline_start, longer)
    return Summary(summarise(state), state)


def owns(service: str, name: str, labels: dict[str, Any] | None = None, longer: list[str] | None = None) -> bool:
    """An object is the service's when its app label says so, or its name is the service's name or
    starts with it (`checkout-7d9f8-x2k4p`) and no longer catalog name claims it."""
    labels = labels or {}
    for key in ("app.kubernetes.io/name", "app", "k8s-app", "service"):
        if labels.get(key):
            return bool(labels[key] == service)
    if name == service:
        return True
    return name.startswith(service + "-") and not any(name.startswith(x + "-") for x in longer or [])


def read(
    found: Objects, service: str, start: datetime, end: datetime, baseline_start: datetime, longer: list[str]
) -> WorkloadState:
    return WorkloadState(
        service=service,
        start=start,
        end=end,
        baseline_start=baseline_start,
        source=found.source,
        namespace=found.namespace,
        events=_events(found.events, service, start, end, baseline_start, longer),
        pods=[p for o in found.pods if (p := _pod(o, service, longer))],
        rollouts=[r for o in found.deployments if (r := _rollout(o, service, longer))],
    )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _events(
    raw: list[dict[str, Any]], service: str, start: datetime, end: datetime, bstart: datetime, longer: list[str]
) -> list[EventGroup]:
    """Warning events on the service's objects, grouped by reason, window against baseline. Both Event
    APIs are read: core/v1 (involvedObject, message, count) and events.k8s.io/v1 (regarding, note, series)."""
    groups: dict[str, EventGroup] = {}
    for e in raw:
        if not isinstance(e, dict) or e.get("type") != "Warning":
            continue
        obj = e.get("involvedObject") or e.get("regarding") or {}
        name = str(obj.get("name") or "")
        if not owns(service, name, None, longer):
            continue
        series = e.get("series") or {}
        last = _time(e.get("lastTimestamp") or series.get("lastObservedTime") or e.get("eventTime"))
        first = _time(e.get("firstTimestamp") or e.get("deprecatedFirstTimestamp") or e.get("eventTime")) or last
        if last is None or first is None or last < bstart or first >= end:
            continue
        n = int(e.get("count") or series.get("count") or e.get("deprecatedCount") or 1)
        reason = str(e.get("reason") or "Unknown")
        message = " ".join(str(e.get("message") or e.get("note") or "").split())
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + " …[cut]"
        # first/last seen and the message are the window's: a group seen only in the baseline is not shown
        g = groups.setdefault(
            reason,
            EventGroup(
                reason=reason, count=0, baseline_count=0, first_seen=end, last_seen=start, objects=[], message=""
            ),
        )
        if last < start:
            g.baseline_count += n
            continue
        g.count += n
        g.first_seen = min(g.first_seen, max(first, start))
        if last >= g.last_seen:
            g.last_seen, g.message = last, message
        ref = f"{str(obj.get('kind') or 'Object').lower()}/{name}"
        if ref not in g.objects:
            g.objects.append(ref)
    return sorted((g for g in groups.values() if g.count), key=lambda g: (not g.new, g.first_seen, g.reason))


def _pod(o: dict[str, Any], service: str, longer: list[str]) -> PodState | None:
    meta, status = o.get("metadata") or {}, o.get("status") or {}
    name = str(meta.get("name") or "")
    if not owns(service, name, meta.get("labels"), longer):
        return None
    containers = status.get("containerStatuses") or []
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    pod = PodState(name=name, ready=ready, restarts=sum(int(c.get("restartCount") or 0) for c in containers))
    for c in containers:
        term = (c.get("lastState") or {}).get("terminated") or (c.get("state") or {}).get("terminated")
        finished = _time((term or {}).get("finishedAt"))
        if term and (pod.terminated_at is None or (finished and finished >= pod.terminated_at)):
            pod.terminated_reason = term.get("reason")
            pod.exit_code = term.get("exitCode")
            pod.terminated_at = finished
        waiting = (c.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason"):
            pod.waiting_reason = str(waiting["reason"])
            pod.waiting_message = " ".join(str(waiting.get("message") or "").split())[:MAX_MESSAGE] or None
    if status.get("reason") == "Evicted" and not pod.terminated_reason:
        pod.terminated_reason = "Evicted"
    return pod


def _rollout(o: dict[str, Any], service: str, longer: list[str]) -> Rollout | None:
    meta, spec, status = o.get("metadata") or {}, o.get("spec") or {}, o.get("status") or {}
    name = str(meta.get("name") or "")
    if not owns(service, name, meta.get("labels"), longer):
        return None
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    stalled = next(
        (
            f"{c.get('reason')}: {c.get('message') or ''}".strip()
            for c in status.get("conditions") or []
            if c.get("type") == "Progressing" and c.get("status") == "False"
        ),
        None,
    )
    return Rollout(
        name=name,
        desired=int(spec.get("replicas", 1) or 0),
        updated=int(status.get("updatedReplicas") or 0),
        ready=int(status.get("readyReplicas") or 0),
        available=int(status.get("availableReplicas") or 0),
        images=[str(c.get("image")) for c in containers if c.get("image")],
        stalled=stalled,
    )


def summarise(st: WorkloadState) -> str:
    ns = f" in namespace {st.namespace}" if st.namespace else ""
    lines = [
        f"kubernetes state of {st.service}{ns}, window {st.start:%Y-%m-%d} {fmt_hm(st.start)} to {fmt_time(st.end)}, "
        f"baseline from {fmt_time(st.baseline_start)} ({st.source})"
    ]
    if not (st.rollouts or st.pods or st.events):
        lines.append("no deployment, pod or warning event of this service was found")
        return "\n".join(lines)
    for r in st.rollouts:
        r.line = len(lines) + 1
        state = f"stalled: {r.stalled}" if r.stalled else "in progress" if r.updated < r.desired else "complete"
        lines.append(
            f"deployment {r.name}: {r.desired} desired, {r.updated} updated, {r.ready} ready, {r.available} available; "
            f"rollout {state}; image {', '.join(r.images) or 'unknown'}"
        )
    if st.pods:
        ready = sum(p.ready for p in st.pods)
        lines.append(f"{len(st.pods)} pod(s), {ready} ready, {sum(p.restarts for p in st.pods)} restarts in all")
        troubled = sorted(
            (p for p in st.pods if not p.ready or p.restarts or p.waiting_reason), key=lambda p: (-p.restarts, p.name)
        )
        for i, p in enumerate(troubled[:MAX_PODS], 1):
            p.line = len(lines) + 1
            parts = [("ready" if p.ready else "not ready"), f"{p.restarts} restarts"]
            if p.terminated_reason:
                code = f" (exit {p.exit_code})" if p.exit_code is not None else ""
                when = f" at {p.terminated_at:%H:%M:%S}" if p.terminated_at else ""
                parts.append(f"last terminated {p.terminated_reason}{code}{when}")
            if p.waiting_reason:
                msg = f": {p.waiting_message}" if p.waiting_message else ""
                parts.append(f"waiting {p.waiting_reason}{msg}")
            lines.append(f"P{i} pod {p.name}: " + ", ".join(parts))
        if len(troubled) > MAX_PODS:
            lines.append(f"[{len(troubled) - MAX_PODS} more pods not ready or restarting]")
    if st.events:
        lines.append("warning events in the window, new reasons first (times UTC):")
        for i, g in enumerate(st.events[:MAX_EVENTS], 1):
            g.line = len(lines) + 1
            seen = "new" if g.new else f"baseline {g.baseline_count}"
            objs = ", ".join(g.objects[:3]) + (f" and {len(g.objects) - 3} more" if len(g.objects) > 3 else "")
            lines.append(
                f"K{i} Warning {g.reason} {g.count}x ({seen}), first {g.first_seen:%H:%M:%S}, "
                f"last {g.last_seen:%H:%M:%S}, {objs}: {g.message}"
            )
        if len(st.events) > MAX_EVENTS:
            lines.append(f"[{len(st.events) - MAX_EVENTS} more warning reasons]")
    else:
        lines.append("no warning events in the window")
    return "\n".join(lines)


TOOL = Tool("read_k8s", ReadK8sInput, run, tool_description("read_k8s"))
