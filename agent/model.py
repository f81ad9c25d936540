"""The one interface every model implements: given the case (alert, catalog,
collected tool results, and a runner for more calls) return a Diagnosis.
The offline analyst and the Claude loop are interchangeable behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from agent.alert import Alert
from agent.catalog import Catalog
from agent.context import Context
from agent.diagnosis import Diagnosis
from tools.base import ToolRunner


@dataclass
class Usage:
    input_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0


@dataclass
class Case:
    alert: Alert
    catalog: Catalog
    context: Context
    runner: ToolRunner
    usage: Usage = field(default_factory=Usage)
    notes: list[str] = field(default_factory=list)  # e.g. "the API was down; offline analyst used"
    model: str | None = None  # which model answered, when the analyst has several
    turns: list[dict] = field(default_factory=list)  # one entry per model call: model, stop reason, usage


class Analyst(Protocol):
    name: str

    def diagnose(self, case: Case) -> Diagnosis: ...
