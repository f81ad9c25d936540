"""One investigation, top-down: intake -> context -> model -> grounding -> brief."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from datetime import timedelta as td
from typing import Any

from oncall.analysts.base import Analyst, Case
from oncall.context import collect
from oncall.core.alert import Alert
from oncall.core.catalog import Catalog
from oncall.core.citations import Cite
from oncall.core.diagnosis import Action, Diagnosis, PullRequest, RootCause
from oncall.core.errors import ToolError
from oncall.core.investigation import Investigation, Settings
from oncall.core.redact import redact
from oncall.core.window import Window
from oncall.grounding import ground
from oncall.intake import subject
from oncall.tools import offered
from oncall.tools.backends import Backends
from oncall.tools.open_pr import TOOL as OPEN_PR
from oncall.tools.open_pr import Picture, PrRequests
from oncall.tools.read_changes import ChangeList
from oncall.tools.runner import ToolRunner
from oncall.tools.tool import ToolContext


def prepare(
    payload: Any, catalog: Catalog, backends: Backends, settings: Settings, now: datetime | None = None
) -> tuple[Alert, ToolRunner]:
    """The alert and a tool runner scoped to its incident window. A request without a time of its own
    (free text) is investigated at `now`: a bundle's moment, since a bundle holds nothing later."""
    alert = subject(payload, catalog, now=now)
    window = Window.around(
        alert.starts_at,
        before=td(minutes=settings.window_before_min),
        after=td(minutes=settings.window_after_min),
        baseline=td(hours=settings.baseline_hours),
        changes=td(hours=settings.changes_hours),
    )
    tools = offered(backends)
    if backends.pull_requests is not None:  # the one write, offered only when the entry point enabled it
        tools[OPEN_PR.name] = OPEN_PR
    alarm = (alert.service, alert.labels["alarm_metric"]) if alert.service and "alarm_metric" in alert.labels else None
    runner = ToolRunner(ToolContext(backends, catalog, window, alarm), tools, settings.tool_timeout_s)
    if backends.pull_requests is not None:
        backends.pull_requests.results = runner.results
    return alert, runner


def investigate(
    payload: Any,
    *,
    catalog: Catalog,
    backends: Backends,
    analyst: Analyst,
    settings: Settings | None = None,
    notes: list[str] | None = None,
    on_stage: Callable[[int], None] | None = None,
    pr_body: Callable[[Investigation], str] | None = None,
    pr_picture: Callable[[Investigation], Picture | None] | None = None,
    now: datetime | None = None,
) -> Investigation:
    """`on_stage(i)` is told when stage i begins: 1 analysing, 2 checking citations (0 is collecting).
    `pr_body` renders a pull request's description and `pr_picture` the picture at its top (delivery's
    Markdown and PNG, given by the entry point)."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    alert, runner = prepare(payload, catalog, backends, settings, now)
    t1 = time.perf_counter()
    context = collect(alert, catalog, runner, settings.max_services)
    t2 = time.perf_counter()
    case = Case(alert=alert, catalog=catalog, context=context, runner=runner, notes=list(notes or []))
    if on_stage:
        on_stage(1)
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
            missing_evidence=[*context.missing, f"the {analyst.name} analyst failed: {type(e).__name__}: {e}"],
        )
    t3 = time.perf_counter()
    if on_stage:
        on_stage(2)
    diagnosis, report = ground(raw.ordered(), runner.results, catalog)
    t4 = time.perf_counter()
    inv = Investigation(
        id=new_id(),
        alert=alert,
        diagnosis=diagnosis,
        results=runner.results,
        grounding=report,
        model=case.model or analyst.name,
        usage=case.usage,
        timings={"intake_s": t1 - t0, "context_s": t2 - t1, "model_s": t3 - t2, "grounding_s": t4 - t3},
        notes=case.notes,
        turns=case.turns,
    )
    if backends.pull_requests is not None:
        open_pull_request(inv, runner, backends.pull_requests, pr_body or _plain_body, pr_picture)
    inv.timings["total_s"] = time.perf_counter() - t0
    return inv


def open_pull_request(
    inv: Investigation,
    runner: ToolRunner,
    requests: PrRequests,
    body: Callable[[Investigation], str],
    picture: Callable[[Investigation], Picture | None] | None = None,
) -> None:
    """After grounding: open the PR the model asked for, or, for the offline analyst, the revert of the
    change its grounded root cause names. Never on a LOW root cause."""
    d = inv.diagnosis
    if d.root_cause.confidence == "LOW":
        inv.notes.append("no pull request: the root cause is not established (LOW confidence)")
        return
    if not requests.plans and d.actions and d.actions[0].kind == "rollback":
        ref = _cited_change_ref(d.actions[0], runner)
        if ref:
            runner.call(
                OPEN_PR.name, {"service": d.actions[0].target, "revert_change": ref, "reason": d.actions[0].description}
            )
    if not requests.plans:
        return
    plan = requests.plans[0]
    if plan.service != d.root_cause.service:  # a PR may change only the grounded root service's config
        inv.notes.append(
            f"no pull request: it would change {plan.service}, not the root-cause service {d.root_cause.service}"
        )
        return
    try:
        # the redaction boundary for pull requests: title, commit message and body, whichever backend
        plan = replace(plan, title=redact(plan.title), reason=redact(plan.reason))
        image = picture(inv) if picture else None
        opened = requests.backend.open(plan, branch=pr_branch(inv), body=redact(body(inv)), picture=image)
    except ToolError as e:
        inv.notes.append(f"the pull request could not be opened: {e}")
        return
    inv.diagnosis = d.model_copy(update={"pr": PullRequest(url=opened.url, branch=opened.branch, title=opened.title)})
    inv.notes.append(
        f"draft pull request {'already existed' if opened.existing else 'opened'}: {opened.url} "
        f"(branch {opened.branch})"
    )


def _cited_change_ref(action: Action, runner: ToolRunner) -> str | None:
    """The ref of the change a rollback action names: a change of its target with a diff, on the line
    it cites (R13:L11), or, when it cites a whole result, the one whose ref its description names."""
    candidates = []
    for c in filter(None, map(Cite.parse, action.cites)):
        r = runner.get(c.result)
        if r is None or not r.ok or not isinstance(r.data, ChangeList):
            continue
        for ch in r.data.changes:
            if ch.ref and ch.diff and ch.service == action.target and (c.line is None or ch.line == c.line):
                candidates.append(ch.ref)
    named = [ref for ref in candidates if ref in action.description]
    if len(set(candidates)) == 1:
        return candidates[0]
    return named[0] if len(set(named)) == 1 else None


def _plain_body(inv: Investigation) -> str:
    """A PR description when the entry point gave no renderer: the root cause and its citations."""
    rc = inv.diagnosis.root_cause
    return f"{rc.service}, {rc.category}: {rc.statement} [{', '.join(rc.cites)}]\n"


def new_id() -> str:
    """Unique and time-ordered: when the investigation ran, to the microsecond, and 40 random bits."""
    return f"inv-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(5)}"


def pr_branch(inv: Investigation) -> str:
    """One branch per alert (its fingerprint and start): a second investigation of the same alert
    finds the pull request the first one opened instead of opening another."""
    a = inv.alert
    return f"oncall/{a.fingerprint[:16]}-{a.starts_at:%Y%m%dT%H%M%S}"
