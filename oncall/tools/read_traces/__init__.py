"""read_traces: where along the call path do the failing and slow requests go wrong?

Backends hand over spans (from OTLP JSON lines, or Jaeger's query API) of the traces that pass
through the service; `analyse` turns them into call edges (caller → callee: calls, errors,
p50/p99, against the baseline), the spans where errors originate (an error span none of whose
children failed: the deepest), and a few verbatim failing spans. One summary, whichever backend."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, Field

from oncall.core.fmt import fmt_hm, fmt_num, fmt_time
from oncall.prompts import tool_description
from oncall.tools.tool import Summary, Tool, ToolContext

MAX_MESSAGE = 300
# Words of a span that failed because its caller stopped waiting (gRPC CANCELLED, Go's context, Node's abort)
CANCELLED = re.compile(
    r"context canceled|\bCANCELLED\b|cancell?ed by (the )?(client|caller)|client (closed|disconnected)"
    r"|AbortError|operation was aborted",
    re.I,
)


class ReadTracesInput(BaseModel):
    """Failing and slow traces through one service."""

    service: str = Field(description="service name as in the catalog; traces that pass through it are read")
    start: datetime | None = Field(None, description="window start, RFC 3339; default: incident window")
    end: datetime | None = Field(None, description="window end, RFC 3339; default: incident window")
    max_edges: int = Field(8, ge=1, le=30, description="how many call edges to show, failing and slow first")


class Span(BaseModel):
    trace_id: str
    span_id: str
    parent_id: str | None = None
    service: str
    name: str
    start: float  # epoch seconds
    duration_ms: float
    error: bool = False
    message: str = ""  # the status message or error description, verbatim
    client: bool = False  # a CLIENT span: the call as its caller saw it
    peer: str | None = None  # whom a CLIENT span called (peer.service, server.address), when known
    ref: str = ""  # where it came from: traces.jsonl:120, or jaeger trace id


class SpanSet(BaseModel):
    spans: list[Span]
    source: str
    truncated: str | None = None  # when the backend stopped at its limit, which one (rates are then not compared)


class Edge(BaseModel):
    caller: str
    callee: str
    calls: int
    errors: int
    p50_ms: float
    p99_ms: float
    baseline_calls: int
    baseline_errors: int
    baseline_p99_ms: float | None
    rate_ratio: float | None  # calls per minute now against the baseline's; None when the baseline had none
    line: int | None = None

    def slowed(self, factor: float, min_calls: int = 1) -> bool:
        """Its p99 is at least `factor` times the baseline's, over at least `min_calls` calls."""
        return bool(self.baseline_p99_ms and self.calls >= min_calls and self.p99_ms >= factor * self.baseline_p99_ms)

    def newly_failing(self, rise: float, min_errors: int = 1) -> bool:
        """At least `min_errors` errors, and none in the baseline or a share of calls failing `rise` times
        the baseline's."""
        baseline_share = self.baseline_errors / max(1, self.baseline_calls)
        return self.errors >= min_errors and (
            self.baseline_errors == 0 or self.errors / self.calls >= rise * baseline_share
        )


class Origin(BaseModel):
    service: str  # where the errors begin: the span's service, or the peer a CLIENT span called
    seen_by: str  # the service whose span it is (the caller, for a peer we cannot see)
    operations: list[str]  # its failing operations, most failing first
    traces: int  # failing traces in the window whose deepest error is here
    baseline_traces: int
    first_seen: datetime
    message: str
    line: int | None = None


class Sample(BaseModel):
    trace_id: str
    service: str
    operation: str
    message: str
    ref: str
    line: int | None = None


class TraceStats(BaseModel):
    service: str
    start: datetime
    end: datetime
    baseline_start: datetime
    source: str
    traces: int
    failing: int
    baseline_traces: int
    baseline_failing: int
    entry_ms: dict[str, float]  # the service's own entry spans: p50, p99, baseline_p99 (ms)
    edges: list[Edge]
    origins: list[Origin]
    samples: list[Sample]
    truncated: str | None = None


class TraceBackend(Protocol):
    def spans(self, service: str, since: datetime, start: datetime, until: datetime) -> SpanSet:
        """Spans of the traces through `service` from `since` (the baseline's start) to `until`;
        `start` is where the window begins, for a backend that searches the periods apart."""
        ...


def run(ctx: ToolContext, args: ReadTracesInput) -> Summary:
    start, end, baseline_start = ctx.window.asked(args.start, args.end)
    found = ctx.backends.traces.spans(args.service, baseline_start, start, end)
    stats = analyse(found, args.service, start, end, baseline_start)
    return Summary(summarise(stats, args.max_edges), stats)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def analyse(found: SpanSet, service: str, start: datetime, end: datetime, baseline_start: datetime) -> TraceStats:
    t0, t1, tb = start.timestamp(), end.timestamp(), baseline_start.timestamp()
    by_trace: dict[str, list[Span]] = defaultdict(list)
    for s in found.spans:
        by_trace[s.trace_id].append(s)
    # a trace belongs to the period its first span started in; only traces through the service count
    periods: dict[str, str] = {}
    for tid, spans in by_trace.items():
        if not any(s.service == service for s in spans):
            continue
        first = min(s.start for s in spans)
        if t0 <= first < t1:
            periods[tid] = "window"
        elif tb <= first < t0:
            periods[tid] = "baseline"
    calls: dict[tuple[str, str], dict[str, list[tuple[float, bool]]]] = defaultdict(
        lambda: {"window": [], "baseline": []}
    )
    origins: dict[str, dict[str, int]] = defaultdict(lambda: {"window": 0, "baseline": 0})
    origin_first: dict[str, tuple[float, str, str]] = {}
    operations: dict[str, Counter[str]] = defaultdict(Counter)
    samples: list[Sample] = []
    failing = Counter[str]()
    entry: dict[str, list[float]] = {"window": [], "baseline": []}
    # oldest first, whatever order the backend gave: the samples are the earliest failures
    for tid, period in sorted(periods.items(), key=lambda kv: (min(x.start for x in by_trace[kv[0]]), kv[0])):
        spans = by_trace[tid]
        ids = {s.span_id: s for s in spans}
        children: dict[str, list[Span]] = defaultdict(list)
        for s in spans:
            if s.parent_id:
                children[s.parent_id].append(s)
        for s in spans:
            parent = ids.get(s.parent_id or "")
            if s.service == service and (parent is None or parent.service != service):
                entry[period].append(s.duration_ms)
            if parent is not None and parent.service != s.service:
                calls[(parent.service, s.service)][period].append((s.duration_ms, _failed(s)))
            elif s.client and s.peer and not any(c.service != s.service for c in children.get(s.span_id, [])):
                calls[(s.service, s.peer)][period].append((s.duration_ms, _failed(s)))  # a callee we cannot see
        errors = [s for s in spans if s.error]
        if not errors:
            continue
        failing[period] += 1
        # a span cancelled because its caller gave up did not start the failure: its caller's did
        errors = [s for s in errors if not CANCELLED.search(s.message)] or errors
        deepest = [s for s in errors if not any(c.error and c in errors for c in children.get(s.span_id, []))]
        origin = max(deepest, key=lambda s: (_depth(s, ids), -s.start))
        where = origin.peer if origin.client and origin.peer else origin.service
        origins[where][period] += 1
        if period == "window":
            operations[where][origin.name] += 1
            if where not in origin_first or origin.start < origin_first[where][0]:
                origin_first[where] = (origin.start, origin.message, origin.service)
            if len(samples) < 3 and all(x.message != _cut(origin.message) for x in samples):
                samples.append(
                    Sample(
                        trace_id=tid,
                        service=origin.service,
                        operation=origin.name,
                        message=_cut(origin.message),
                        ref=origin.ref,
                    )
                )
    window_min = max(1.0, (t1 - t0) / 60)
    # the baseline's rate counts only the time its traces cover (retention may be shorter than asked)
    covered = [min(x.start for x in by_trace[tid]) for tid, p in periods.items() if p == "baseline"]
    baseline_min = max(1.0, (t0 - max(tb, min(covered, default=tb))) / 60)
    edges = []
    for (a, b), by in calls.items():
        now, before = by["window"], by["baseline"]
        if not now:
            continue
        durations = [d for d, _ in now]
        edges.append(
            Edge(
                caller=a,
                callee=b,
                calls=len(now),
                errors=sum(e for _, e in now),
                p50_ms=_pct(durations, 0.5),
                p99_ms=_pct(durations, 0.99),
                baseline_calls=len(before),
                baseline_errors=sum(e for _, e in before),
                baseline_p99_ms=_pct([d for d, _ in before], 0.99) if before else None,
                rate_ratio=(len(now) / window_min) / (len(before) / baseline_min)
                if before and not found.truncated
                else None,
            )
        )

    def badness(e: Edge) -> tuple[float, float, str, str]:
        slower = e.p99_ms / e.baseline_p99_ms if e.baseline_p99_ms else 1.0
        return (-e.errors / e.calls, -slower, e.caller, e.callee)

    edges.sort(key=badness)
    found_origins = [
        Origin(
            service=svc,
            seen_by=origin_first[svc][2],
            operations=[op for op, _ in operations[svc].most_common()],
            traces=n["window"],
            baseline_traces=n["baseline"],
            first_seen=datetime.fromtimestamp(origin_first[svc][0], UTC),
            message=_cut(origin_first[svc][1]),
        )
        for svc, n in origins.items()
        if n["window"]
    ]
    found_origins.sort(key=lambda o: (-o.traces, o.service))
    return TraceStats(
        service=service,
        start=start,
        end=end,
        baseline_start=baseline_start,
        source=found.source,
        traces=sum(1 for p in periods.values() if p == "window"),
        entry_ms={
            k: v
            for k, v in (
                ("p50", _pct(entry["window"], 0.5)),
                ("p99", _pct(entry["window"], 0.99)),
                ("baseline_p99", _pct(entry["baseline"], 0.99)),
            )
            if v
        },
        failing=failing["window"],
        baseline_traces=sum(1 for p in periods.values() if p == "baseline"),
        baseline_failing=failing["baseline"],
        edges=edges,
        origins=found_origins,
        samples=samples,
        truncated=found.truncated,
    )


def _failed(s: Span) -> bool:
    """The call failed on its own account: an error that is not a cancellation by its caller."""
    return s.error and not CANCELLED.search(s.message)


def _depth(s: Span, ids: dict[str, Span]) -> int:
    """How many ancestors a span has in its trace (a cycle in bad data stops at 64)."""
    n = 0
    while s.parent_id in ids and n < 64:
        s, n = ids[s.parent_id or ""], n + 1
    return n


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " …[cut]"


def _ms(x: float) -> str:
    return f"{fmt_num(x)}ms"


def summarise(st: TraceStats, max_edges: int = 8) -> str:
    lines = [
        f"traces through {st.service}, window {st.start:%Y-%m-%d} {fmt_hm(st.start)} to {fmt_time(st.end)}, "
        f"baseline from {fmt_time(st.baseline_start)} ({st.source})",
        f"{st.traces} traces in window ({st.failing} with errors); {st.baseline_traces} in baseline "
        f"({st.baseline_failing} with errors)",
    ]
    if st.truncated:
        lines.append(f"the backend stopped at its limit: {st.truncated}")
    if not st.traces:
        lines.append("no trace through this service in the window")
        return "\n".join(lines)
    if "p99" in st.entry_ms:
        base = f" (baseline p99 {_ms(st.entry_ms['baseline_p99'])})" if "baseline_p99" in st.entry_ms else ""
        lines.append(
            f"{st.service}'s own requests: p50 {_ms(st.entry_ms.get('p50', 0))}, p99 {_ms(st.entry_ms['p99'])}{base}"
        )
    lines.append("call edges, failing and slowest first (times UTC):")
    for i, e in enumerate(st.edges[:max_edges], 1):
        e.line = len(lines) + 1
        share = f" ({fmt_num(100 * e.errors / e.calls)}%)" if e.errors else ""
        base = (
            f"baseline {e.baseline_calls} calls, {e.baseline_errors} errors, p99 {_ms(e.baseline_p99_ms)}"
            if e.baseline_p99_ms is not None
            else "no calls in baseline"
        )
        rate = f", {fmt_num(e.rate_ratio)}x baseline rate" if e.rate_ratio is not None else ""
        lines.append(
            f"E{i} {e.caller} -> {e.callee}: {e.calls} calls, {e.errors} errors{share}, "
            f"p50 {_ms(e.p50_ms)}, p99 {_ms(e.p99_ms)}{rate} ({base})"
        )
    if len(st.edges) > max_edges:
        lines.append(f"[{len(st.edges) - max_edges} more edges]")
    if st.origins:
        lines.append("where the errors originate (the deepest failing span of each failing trace):")
        for i, o in enumerate(st.origins[:5], 1):
            o.line = len(lines) + 1
            ops = ", ".join(o.operations[:3]) + (f" and {len(o.operations) - 3} more" if len(o.operations) > 3 else "")
            lines.append(
                f"O{i} {o.service} ({ops}): {o.traces} of {st.failing} failing traces (baseline {o.baseline_traces}), "
                f"first {o.first_seen:%H:%M:%S}: {o.message or 'no status message'}"
            )
        for i, s in enumerate(st.samples, 1):
            s.line = len(lines) + 1
            lines.append(f"S{i} trace {s.trace_id} span {s.service} {s.operation!r} ({s.ref}): ERROR {s.message}")
    else:
        lines.append("no failing trace in the window")
    return "\n".join(lines)


TOOL = Tool("read_traces", ReadTracesInput, run, tool_description("read_traces"))
