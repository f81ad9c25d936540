"""One investigation, top-down: intake -> context -> model -> grounding -> brief."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta as td
from typing import Any

from agent.alert import Alert, parse
from agent.catalog import Catalog
from agent.context import collect
from agent.diagnosis import Diagnosis, RootCause
from agent.errors import AlertFormatError
from agent.grounding import GroundingReport, ground
from agent.model import Analyst, Case, Usage
from tools import READ_TOOLS, Backends
from tools.base import ToolContext, ToolResult, ToolRunner, Window


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


def intake(payload: Any, catalog: Catalog) -> Alert:
    """The first firing alert of the payload, with its service resolved by the catalog."""
    alerts = parse(payload, service_label=catalog.service_label)
    firing = [a for a in alerts if a.status == "firing"]
    if not firing:
        raise AlertFormatError("the payload holds only resolved alerts: nothing to investigate")
    alert = firing[0]
    return alert.model_copy(update={"service": catalog.resolve(alert) or alert.service})


def prepare(payload: Any, catalog: Catalog, backends: Backends, settings: Settings) -> tuple[Alert, ToolRunner]:
    """The alert and a tool runner scoped to its incident window."""
    alert = intake(payload, catalog)
    window = Window.around(
        alert.starts_at,
        before=td(minutes=settings.window_before_min),
        after=td(minutes=settings.window_after_min),
        baseline=td(hours=settings.baseline_hours),
        changes=td(hours=settings.changes_hours),
    )
    return alert, ToolRunner(ToolContext(backends, catalog, window), dict(READ_TOOLS), settings.tool_timeout_s)


def investigate(
    payload: Any,
    *,
    catalog: Catalog,
    backends: Backends,
    analyst: Analyst,
    settings: Settings | None = None,
    notes: list[str] | None = None,
) -> Investigation:
    settings = settings or Settings()
    t0 = time.perf_counter()
    alert, runner = prepare(payload, catalog, backends, settings)
    t1 = time.perf_counter()
    context = collect(alert, catalog, runner, settings.max_services)
    t2 = time.perf_counter()
    case = Case(alert=alert, catalog=catalog, context=context, runner=runner, notes=list(notes or []))
    try:
        raw = analyst.diagnose(case)
    except Exception as e:  # a model bug must still leave the engineer a brief with the evidence
        raw = Diagnosis(
            summary=[],
            root_cause=RootCause(
                service=alert.service or "unknown",
                category="unknown",
                confidence="LOW",
                cites=[],
                statement="no diagnosis: the analyst failed",
            ),
            missing_evidence=[
                *context.missing,
                f"the {analyst.name} analyst failed: {type(e).__name__}: {e}",
            ],
        )
    t3 = time.perf_counter()
    diagnosis, report = ground(raw.ordered(), runner.results)
    t4 = time.perf_counter()
    return Investigation(
        id=f"inv-{alert.starts_at:%Y%m%dT%H%M}-{alert.fingerprint[:8]}-{uuid.uuid4().hex[:6]}",
        alert=alert,
        diagnosis=diagnosis,
        results=list(runner.results),
        grounding=report,
        model=case.model or analyst.name,
        usage=case.usage,
        timings={
            "intake_s": t1 - t0,
            "context_s": t2 - t1,
            "model_s": t3 - t2,
            "grounding_s": t4 - t3,
            "total_s": t4 - t0,
        },
        notes=case.notes,
    )
