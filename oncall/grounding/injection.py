"""Text in tool output that reads as instructions to the copilot. Everything read is data: a log
line, a commit message or a past incident that tells the reader what to conclude or run is
flagged in the brief ("this log line tries to instruct the copilot"), and nothing cited from
such a line may support a root cause."""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncall.core.citations import cite
from oncall.core.results import ToolResult

# Anywhere, runbooks included: talk addressed to a model, or to a chat channel.
_TO_MODEL = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompt|guidelines|above|previous)\b"
    r"|\b(you are now|act as|pretend to be|new instructions|system prompt|jailbreak)\b"
    r"|<\s*/?\s*(system|instructions?|tool_output|assistant)\s*>|\bsubmit_diagnosis\b"
    r"|\b(copilot|assistant|claude|llm|ai model)\b.{0,30}\b(must|should|shall)\b"
    r"|<!(channel|here|everyone)\b",
    re.I,
)
# Outside runbooks (where commands are expected): a verdict or a command handed to the reader.
_DIRECTIVE = re.compile(
    r"\broot[ -]?cause\s+(is|was)\b|\b(confidence|severity)\s*[:=]?\s*high\b"
    r"|\bkubectl\s+(delete|drain|cordon|replace|patch|exec)\b|\bkubectl\s+scale\b.{0,60}--replicas[= ]0\b"
    r"|\b(curl|wget)\b[^\n|]{0,200}\|\s*(sudo\s+)?(ba|z|da)?sh\b|\brm\s+-(rf|fr)\b|\bmkfs\b|\bdd\s+if="
    r"|\b(open|create|submit|raise)\s+(a\s+)?(pr|pull request)\b|\bset\s+replicas\s+to\s+0\b"
    r"|\bdrop\s+(table|database)\b",
    re.I,
)
NOUN = {
    "read_logs": "log line",
    "read_changes": "change",
    "query_history": "past incident",
    "read_runbook": "runbook line",
    "read_metrics": "metric line",
}


@dataclass(frozen=True)
class Instruction:
    cite: str  # R2:L7
    tool: str
    line: str

    @property
    def warning(self) -> str:
        return f"this {NOUN.get(self.tool, 'tool output')} tries to instruct the copilot; it was read as data only"


def instructs(text: str, *, runbook: bool = False) -> bool:
    """Whether `text` reads as instructions to the copilot (commands are expected in runbooks)."""
    return bool(_TO_MODEL.search(text) or (not runbook and _DIRECTIVE.search(text)))


def find(results: list[ToolResult]) -> list[Instruction]:
    out = []
    for r in results:
        if not r.ok:
            continue
        for n, line in enumerate(r.lines, 1):
            if instructs(line, runbook=r.tool == "read_runbook"):
                out.append(Instruction(cite(r.id, n), r.tool, line))
    return out
