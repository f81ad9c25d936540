"""An investigation's outcome, as every renderer, the audit log and the eval read it,
and the settings an entry point builds once and passes down."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oncall.core.alert import Alert
from oncall.core.diagnosis import Diagnosis
from oncall.core.results import ToolResult
from oncall.grounding.report import GroundingReport


@dataclass
class Usage:
    input_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0


@dataclass
class Settings:
    """Built once by an entry point and passed down; nothing here reads the environment."""

    tool_timeout_s: float = 10.0
    max_services: int = 16  # the alerting service and its dependencies, up to three hops
    window_before_min: float = 30
    window_after_min: float = 15
    baseline_hours: float = 6
    changes_hours: float = 24


@dataclass
class Investigation:
    id: str
    alert: Alert
    diagnosis: Diagnosis
    results: list[ToolResult]
    grounding: GroundingReport
    model: str
    usage: Usage
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    turns: list[dict[str, Any]] = field(default_factory=list)
