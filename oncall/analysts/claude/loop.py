"""The Claude analyst: a tool-calling loop on the Messages API that ends with the
tool `submit_diagnosis`. Same tools, same Diagnosis contract and same grounding
check as the offline analyst, which it falls back to when the API stays down."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from oncall.analysts.base import Case
from oncall.analysts.claude.prompt import first_turn, result_block
from oncall.analysts.claude.transport import ApiUnavailable, Transport
from oncall.analysts.offline.analyst import OfflineAnalyst
from oncall.analysts.offline.findings import findings
from oncall.analysts.offline.ranking import observed, rank
from oncall.core.catalog import Catalog
from oncall.core.diagnosis import Diagnosis
from oncall.core.investigation import Usage
from oncall.core.results import ToolResult
from oncall.grounding import ground
from oncall.prompts import load, tool_description
from oncall.tools.limits import capped, oversized
from oncall.tools.tool import Tool

SUBMIT = "submit_diagnosis"


@dataclass(frozen=True)
class ModelSpec:
    id: str
    usd_per_mtok_in: float
    usd_per_mtok_out: float
    usd_per_mtok_cache_write: float
    usd_per_mtok_cache_read: float
    forced_tool_choice: bool = True  # Sonnet 5.5 answers 400 to a forced tool_choice
    thinking: dict[str, Any] | None = None

    def cost(self, u: dict[str, int]) -> float:
        return (
            u.get("input_tokens", 0) * self.usd_per_mtok_in
            + u.get("output_tokens", 0) * self.usd_per_mtok_out
            + u.get("cache_creation_input_tokens", 0) * self.usd_per_mtok_cache_write
            + u.get("cache_read_input_tokens", 0) * self.usd_per_mtok_cache_read
        ) / 1e6


HAIKU = ModelSpec("claude-haiku-4-5", 1.0, 5.0, 1.25, 0.10)
SONNET = ModelSpec(
    "claude-sonnet-5-5", 2.0, 10.0, 2.50, 0.20, forced_tool_choice=False, thinking={"type": "between_tools"}
)


@dataclass
class ClaudeSettings:
    first: ModelSpec = HAIKU
    escalate_to: ModelSpec | None = SONNET
    max_turns: int = 6
    max_tool_calls: int = 12
    max_output_tokens: int = 4096
    deadline_s: float = 120.0
    repair_turns: int = 1
    several_services: int = 4  # this many visibly failing services start with the stronger model


class LoopFailed(Exception):
    """The model did not submit a usable diagnosis within the limits."""


@dataclass
class Outcome:
    diagnosis: Diagnosis
    repair_failed: bool = False
    turns: int = 0
    notes: list[str] = field(default_factory=list)


def submit_schema() -> dict[str, Any]:
    schema = Diagnosis.model_json_schema()
    schema["properties"].pop("pr", None)  # only open_pr sets it
    schema["properties"].pop("warnings", None)  # grounding sets them
    return schema


def tool_specs(tools: list[Tool[Any]]) -> list[dict[str, Any]]:
    """The tools as the Messages API is sent them: schemas from the pydantic input models, then the
    forced final tool. The last block is cached: tools and system prompt are the same every call."""
    specs: list[dict[str, Any]] = [
        {"name": t.name, "description": t.description, "input_schema": t.schema()} for t in tools
    ]
    specs.append({"name": SUBMIT, "description": tool_description(SUBMIT), "input_schema": submit_schema()})
    specs[-1]["cache_control"] = {"type": "ephemeral"}
    return specs


class ClaudeAnalyst:
    name = "claude"

    def __init__(self, transport: Transport, settings: ClaudeSettings | None = None):
        self.transport = transport
        self.settings = settings or ClaudeSettings()

    def diagnose(self, case: Case) -> Diagnosis:
        """The first model's answer, the stronger model's when it is called for and finishes, and
        otherwise the offline analyst's: every failure of the Claude path ends in a grounded brief."""
        s = self.settings
        found = findings(case.context.results, case.catalog)
        failing = [
            x
            for x in rank(
                found, case.catalog, case.context.services, observed(case.context.results), alerting=case.alert.service
            )
            if x.anomalous
        ]
        spec = s.escalate_to if s.escalate_to and len(failing) >= s.several_services else s.first
        deadline = time.monotonic() + s.deadline_s
        try:
            out = self._loop(case, spec, deadline)
        except Exception as e:  # any failure: a refused key, a 400, a model the account lacks, a bad answer
            case.notes.append(f"the Claude loop did not finish ({_short(e)}); the offline analyst wrote this brief")
            case.model = "offline (fallback)"
            return OfflineAnalyst().diagnose(case)
        if spec is s.first and s.escalate_to and (out.diagnosis.root_cause.confidence == "LOW" or out.repair_failed):
            why = "answered LOW" if out.diagnosis.root_cause.confidence == "LOW" else "could not repair its citations"
            case.notes.append(f"{spec.id} {why}; escalated to {s.escalate_to.id}")
            try:
                out, spec = self._loop(case, s.escalate_to, deadline), s.escalate_to
            except Exception as e:  # the best grounded answer so far stands
                case.notes.append(f"{s.escalate_to.id} did not finish ({_short(e)}); kept the {s.first.id} answer")
        case.model = spec.id
        return out.diagnosis

    # -- the loop -------------------------------------------------------------------------------
    def _create(self, request: dict[str, Any], deadline: float) -> dict[str, Any]:
        """One request, bounded by the time left before the deadline."""
        return self.transport.create(request, timeout_s=deadline - time.monotonic())

    def _request(self, spec: ModelSpec, messages: list[dict[str, Any]], last: bool, case: Case) -> dict[str, Any]:
        tools = tool_specs([] if last else list(case.runner.tools.values()))  # the last turn: submit only
        req: dict[str, Any] = {
            "model": spec.id,
            "max_tokens": self.settings.max_output_tokens,
            "system": [{"type": "text", "text": load("system.md"), "cache_control": {"type": "ephemeral"}}],
            "tools": tools,
            "messages": messages,
        }
        if last and spec.forced_tool_choice:
            req["tool_choice"] = {"type": "tool", "name": SUBMIT}
        if spec.thinking:
            req["thinking"] = spec.thinking
        return req

    def _loop(self, case: Case, spec: ModelSpec, deadline: float) -> Outcome:
        s = self.settings
        runner = case.runner
        ctx = case.context
        messages: list[dict[str, Any]] = [
            {
                "role": "user",
                "content": [
                    # the evidence is the same for the stronger model after an escalation: cached
                    {
                        "type": "text",
                        "text": first_turn(case.alert, case.catalog, ctx.services, ctx.results),
                        "cache_control": {"type": "ephemeral"},
                    },
                    {
                        "type": "text",
                        "text": f"Budget: at most {s.max_turns} turns and {s.max_tool_calls} tool calls, "
                        f"{max(0, int(deadline - time.monotonic()))} seconds in all.",
                    },
                ],
            }
        ]
        calls = repairs = 0
        must_submit = False
        for turn in range(1, s.max_turns + 1):
            if time.monotonic() > deadline:
                raise LoopFailed(f"deadline of {s.deadline_s:g}s passed after {turn - 1} turns")
            last = must_submit or turn == s.max_turns or calls >= s.max_tool_calls
            request = self._request(spec, messages, last, case)
            offered = {tool["name"] for tool in request["tools"]}
            response = self._create(request, deadline)
            _add_usage(case.usage, spec, response.get("usage") or {})
            case.turns.append(
                {"model": spec.id, "stop_reason": response.get("stop_reason"), "usage": response.get("usage") or {}}
            )
            content = response.get("content") or []
            messages.append({"role": "assistant", "content": content})
            if response.get("stop_reason") == "refusal":
                raise LoopFailed(f"{spec.id} refused to continue")
            uses = [b for b in content if b.get("type") == "tool_use"]
            if response.get("stop_reason") == "max_tokens" and uses:
                raise LoopFailed(f"{spec.id} ran out of output tokens in the middle of a tool call")
            if not uses:
                must_submit = True
                messages.append({"role": "user", "content": f"Call {SUBMIT} now with what the evidence supports."})
                continue
            replies: list[dict[str, Any]] = []
            refused = {u["id"]: why for u in uses if (why := _refuse(u, offered))}
            replies += [_tool_result(uid, why, True) for uid, why in refused.items()]
            uses = [u for u in uses if u["id"] not in refused]
            asked = [u for u in uses if u["name"] != SUBMIT]
            if asked:
                room = max(0, s.max_tool_calls - calls)
                done = runner.call_many([(u["name"], u.get("input") or {}) for u in asked[:room]])
                calls += len(done)
                replies += [
                    _tool_result(u["id"], capped(result_block(r)), not r.ok) for u, r in zip(asked, done, strict=False)
                ]
                replies += [
                    _tool_result(u["id"], f"tool call limit reached; call {SUBMIT}", True) for u in asked[room:]
                ]
            submitted = next((u for u in uses if u["name"] == SUBMIT), None)
            if submitted is not None:
                problem, diagnosis = _check(submitted.get("input"), runner.results, case.catalog)
                if diagnosis is not None and (not problem or repairs >= s.repair_turns or turn == s.max_turns):
                    return Outcome(diagnosis, repair_failed=bool(problem) and repairs > 0, turns=turn)
                repairs += 1
                must_submit = True
                replies.append(_tool_result(submitted["id"], problem, True))
            messages.append({"role": "user", "content": replies})
        raise LoopFailed(f"no {SUBMIT} within {s.max_turns} turns")


def _refuse(use: dict[str, Any], offered: set[str]) -> str | None:
    """Why a tool call is not run: a tool this turn did not offer, an input that is not an object, or
    one too large to be a real question."""
    if use.get("name") not in offered:
        return f"tool {use.get('name')!r} was not offered in this turn; offered: {', '.join(sorted(offered))}"
    if not isinstance(use.get("input"), dict):
        return "tool input must be a JSON object"
    return oversized(use["input"])


def _short(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e)[:200]}" if not isinstance(e, ApiUnavailable | LoopFailed) else str(e)[:240]


def _check(raw: Any, results: list[ToolResult], catalog: Catalog) -> tuple[str, Diagnosis | None]:
    """('', diagnosis) when it validates and grounds; otherwise the problems, each named, for the repair turn."""
    try:
        d = Diagnosis.model_validate(raw)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()[:10])
        return f"submit_diagnosis input is invalid: {problems}. Submit again.", None
    _, report = ground(d, results, catalog)
    if not report.failures:
        return "", d
    lines = [f"- {f.where}: {'; '.join(f.reasons)}" for f in report.failures]
    return (
        "These claims failed the grounding check and will be removed unless fixed:\n"
        + "\n".join(lines)
        + f"\nCall {SUBMIT} again with corrected citations, verbatim quotes and numbers that appear in what "
        "you cite, or leave those claims out."
    ), d


def _tool_result(tool_use_id: str, text: str, is_error: bool) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_use_id, "content": text}
    if is_error:
        block["is_error"] = True
    return block


def _add_usage(u: Usage, spec: ModelSpec, raw: dict[str, int]) -> None:
    u.calls += 1
    u.input_tokens += raw.get("input_tokens", 0) or 0
    u.output_tokens += raw.get("output_tokens", 0) or 0
    u.cache_write_tokens += raw.get("cache_creation_input_tokens", 0) or 0
    u.cache_read_tokens += raw.get("cache_read_input_tokens", 0) or 0
    u.cost_usd += spec.cost({k: v or 0 for k, v in raw.items() if isinstance(v, int | type(None))})
