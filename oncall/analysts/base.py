"""The one interface every model implements: given the case (alert, catalog,
collected tool results, and a runner for more calls) return a Diagnosis.
The offline analyst and the Claude loop are interchangeable behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from oncall.context import Context
from oncall.core.alert import Alert
from oncall.core.catalog import Catalog
from oncall.core.diagnosis import Diagnosis
from oncall.core.investigation import Usage
from oncall.tools.runner import ToolRunner


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
