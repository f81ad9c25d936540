"""What every tool shares: the result contract, the context tools run in,
and the runner that validates input, enforces timeouts, redacts and numbers
results R1, R2, ... in call order."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.redact import redact

In = TypeVar("In", bound=BaseModel)


class ToolError(Exception):
    """A tool could not answer; the message is shown to the model and the engineer."""


class ToolResult(BaseModel):
    """One tool call's outcome. `text` is what the model sees and what claims cite;
    `data` is the same facts, structured, for the offline analyst (never sent)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    tool: str
    input: dict[str, Any]
    ok: bool
    text: str = ""
    error: str | None = None
    elapsed_ms: float = 0.0
    data: Any = Field(default=None, exclude=True)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line(self, n: int) -> str | None:
        """Line n (1-based) of the text, as cited by `R3:L12`."""
        lines = self.lines
        return lines[n - 1] if 1 <= n <= len(lines) else None

    def label(self) -> str:
        """Short human description: which tool, with which arguments."""
        args = " ".join(f"{k}={_short(v)}" for k, v in self.input.items() if v not in (None, [], ""))
        return f"{self.tool} {args}".strip()


def _short(v: Any) -> str:
    if isinstance(v, list):
        return ",".join(map(str, v))
    return str(v)


@dataclass(frozen=True)
class Window:
    """The incident's time frame. Tools default to it; the model may ask for others."""

    alert_at: datetime
    start: datetime  # start of the incident window
    end: datetime  # end of the incident window (usually "now")
    baseline_start: datetime  # normal behaviour is measured from here to `start`
    changes_since: datetime  # how far back to look for deploys and config changes

    @classmethod
    def around(
        cls,
        alert_at: datetime,
        *,
        before: timedelta = timedelta(minutes=30),
        after: timedelta = timedelta(minutes=15),
        baseline: timedelta = timedelta(hours=6),
        changes: timedelta = timedelta(hours=24),
    ) -> Window:
        start = alert_at - before
        return cls(
            alert_at=alert_at,
            start=start,
            end=alert_at + after,
            baseline_start=start - baseline,
            changes_since=alert_at - changes,
        )


@dataclass
class ToolContext:
    """Everything a tool may use, passed explicitly (never globals): the backends,
    the service catalog, and the incident window."""

    backends: Any  # agent.bundle.Backends; typed loosely so tools/ never imports agent/
    catalog: Any  # agent.catalog.Catalog
    window: Window


@dataclass(frozen=True)
class Summary:
    """What a tool returns: citable text lines and the structured facts behind them."""

    text: str
    data: Any = None


@dataclass(frozen=True)
class Tool(Generic[In]):
    name: str
    input_model: type[In]
    run: Callable[[ToolContext, In], Summary]
    description: str

    def schema(self) -> dict[str, Any]:
        """The JSON schema the model sees, generated from the pydantic model."""
        return self.input_model.model_json_schema()


@dataclass
class ToolRunner:
    """Runs tool calls with a timeout each. Results are numbered in call order;
    an exact repeat of an earlier call is answered from the earlier result."""

    context: ToolContext
    tools: dict[str, Tool[Any]]
    timeout_s: float = 10.0
    results: list[ToolResult] = field(default_factory=list)
    _seen: dict[str, ToolResult] = field(default_factory=dict)
    _next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, rid: str) -> ToolResult | None:
        for r in self.results:
            if r.id == rid:
                return r
        return None

    def call(self, name: str, args: dict[str, Any]) -> ToolResult:
        return self.call_many([(name, args)])[0]

    def call_many(self, calls: Sequence[tuple[str, dict[str, Any]]]) -> list[ToolResult]:
        """Run calls concurrently; every call yields a result, failures included."""
        with self._lock:
            plan: list[tuple[str, str, dict[str, Any], bool]] = []  # id, name, args, is_new
            batch: dict[str, str] = {}
            for name, args in calls:
                key = _key(name, args)
                if key in self._seen:
                    plan.append((self._seen[key].id, name, args, False))
                elif key in batch:
                    plan.append((batch[key], name, args, False))
                else:
                    self._next += 1
                    batch[key] = f"R{self._next}"
                    plan.append((batch[key], name, args, True))
        new = [(rid, name, args) for rid, name, args, is_new in plan if is_new]
        fresh: dict[str, ToolResult] = {}
        if new:
            pool = ThreadPoolExecutor(max_workers=min(8, len(new)), thread_name_prefix="tool")
            try:
                futures = [(rid, name, args, pool.submit(self._run_one, rid, name, args)) for rid, name, args in new]
                deadline = time.monotonic() + self.timeout_s
                for rid, name, args, fut in futures:
                    try:
                        fresh[rid] = fut.result(timeout=max(0.0, deadline - time.monotonic()))
                    except FutureTimeout:
                        fresh[rid] = ToolResult(
                            id=rid,
                            tool=name,
                            input=args,
                            ok=False,
                            error=f"timed out after {self.timeout_s:g}s",
                            elapsed_ms=self.timeout_s * 1000,
                        )
            finally:
                # a timed-out thread cannot be killed; do not wait for it
                pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            for rid, name, args in new:
                self.results.append(fresh[rid])
                self._seen[_key(name, args)] = fresh[rid]
            self.results.sort(key=lambda r: int(r.id[1:]))
        return [fresh.get(rid) or self._by_id(rid) for rid, _, _, _ in plan]

    def _by_id(self, rid: str) -> ToolResult:
        res = self.get(rid)
        assert res is not None
        return res

    def _run_one(self, rid: str, name: str, args: dict[str, Any]) -> ToolResult:
        t0 = time.perf_counter()

        def fail(msg: str) -> ToolResult:
            return ToolResult(
                id=rid,
                tool=name,
                input=args,
                ok=False,
                error=redact(msg),
                elapsed_ms=(time.perf_counter() - t0) * 1000,
            )

        tool = self.tools.get(name)
        if tool is None:
            return fail(f"unknown tool {name!r}; available: {', '.join(sorted(self.tools))}")
        try:
            parsed = tool.input_model.model_validate(args)
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(map(str, x['loc'])) or 'input'}: {x['msg']}" for x in e.errors())
            return fail(f"invalid input for {name}: {problems}")
        try:
            summary = tool.run(self.context, parsed)
        except ToolError as e:
            return fail(str(e))
        except Exception as e:  # a backend bug must not end the investigation
            return fail(f"{type(e).__name__}: {e}")
        return ToolResult(
            id=rid,
            tool=name,
            input=parsed.model_dump(mode="json", exclude_none=True),
            ok=True,
            text=redact(summary.text),
            data=summary.data,
            elapsed_ms=(time.perf_counter() - t0) * 1000,
        )


def _key(name: str, args: dict[str, Any]) -> str:
    return name + json.dumps(args, sort_keys=True, default=str)


def fmt_num(x: float) -> str:
    """One number format for every summary, so claims can quote numbers exactly."""
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 10:
        return str(round(x)) if ax >= 100 else f"{x:.1f}".rstrip("0").rstrip(".")
    if ax >= 1:
        s = f"{x:.2f}"
    elif ax >= 0.01:
        s = f"{x:.3f}"
    else:
        s = f"{x:.2g}"
        if "e" in s:
            s = f"{x:.6f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def fmt_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_hm(t: datetime) -> str:
    return t.strftime("%H:%M")
