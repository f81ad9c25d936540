"""The runner every tool call goes through: it validates input, enforces timeouts,
redacts, and numbers results R1, R2, ... in call order."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from oncall.core.errors import ToolError
from oncall.core.redact import redact
from oncall.core.results import ToolResult
from oncall.tools.clock import CallClock, timing
from oncall.tools.tool import Tool, ToolContext


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
        # Each call runs on its own daemon thread from the moment it is asked, with its own deadline:
        # one slow backend does not eat another call's time, and a call that never returns cannot keep
        # the process alive once the brief is out (a thread cannot be killed; it is left behind).
        running = [(rid, name, args, *self._spawn(rid, name, args), time.monotonic()) for rid, name, args in new]
        for rid, name, args, fut, clock, began in running:
            try:
                fresh[rid] = self._await(fut, clock, began)
            except FutureTimeout:
                fresh[rid] = ToolResult(
                    id=rid,
                    tool=name,
                    input=args,
                    ok=False,
                    error=f"timed out after {self.timeout_s:g}s",
                    elapsed_ms=self.timeout_s * 1000,
                )
        with self._lock:
            for rid, name, args in new:
                self.results.append(fresh[rid])
                self._seen[_key(name, args)] = fresh[rid]
            self.results.sort(key=lambda r: int(r.id[1:]))
        return [fresh.get(rid) or self._by_id(rid) for rid, _, _, _ in plan]

    def _spawn(self, rid: str, name: str, args: dict[str, Any]) -> tuple[Future[ToolResult], CallClock]:
        fut: Future[ToolResult] = Future()
        clock = CallClock()

        def work() -> None:
            try:
                with timing(clock):
                    fut.set_result(self._run_one(rid, name, args))
            except BaseException as e:  # _run_one turns failures into results; this is for the unforeseen
                fut.set_exception(e)

        threading.Thread(target=work, name=f"tool-{rid}", daemon=True).start()
        return fut, clock

    def _await(self, fut: Future[ToolResult], clock: CallClock, began: float) -> ToolResult:
        """The call's result, waiting until its deadline: its timeout plus whatever it spent reading
        local data every call needs (see clock.py)."""

        def left() -> float:
            return began + self.timeout_s + clock.excused() - time.monotonic()

        while True:
            try:
                return fut.result(timeout=max(0.0, left()))
            except FutureTimeout:
                if left() <= 0:
                    raise

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
