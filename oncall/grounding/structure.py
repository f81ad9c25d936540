"""Grounding beyond text: what the engineer is shown must make sense in the estate, whatever
a tool output or a model reply says. Checked in code:

- the root-cause service is in the catalog, and its citations are not text that tried to
  instruct the copilot; otherwise the confidence is LOW;
- every action is on a catalogued service, its command is generated in code from its kind
  and service or quoted verbatim from a runbook it cites, and its words hand over no command;
- a root cause whose own logs or metrics could not be read is at most MEDIUM: missing evidence
  lowers confidence;
- alternatives name catalogued services;
- a pull-request link comes only from open_pr's own result (the pipeline sets it), never
  from an analyst;
- tool output that reads as instructions is listed as a warning, and claims citing it go."""

from __future__ import annotations

from typing import TypeVar

from oncall.core.catalog import Catalog
from oncall.core.citations import Cite
from oncall.core.commands import allowed, command_for
from oncall.core.diagnosis import Action, Claim, Diagnosis, Evidence
from oncall.core.results import ToolResult
from oncall.grounding.injection import find as find_instructions
from oncall.grounding.injection import instructs
from oncall.grounding.report import Failure
from oncall.tools.read_logs import LogStats

C = TypeVar("C", Claim, Evidence)


def ground_structure(d: Diagnosis, results: list[ToolResult], catalog: Catalog) -> tuple[Diagnosis, list[Failure]]:
    by_id = {r.id: r for r in results}
    flagged = find_instructions(results)
    tainted = {f.cite for f in flagged}
    failures: list[Failure] = []
    missing = list(d.missing_evidence)

    def taints(cites: list[str]) -> bool:
        return any(c.strip() in tainted for c in cites)

    rc = d.root_cause
    if rc.service not in catalog.services:
        rc = rc.model_copy(update={"confidence": "LOW"})
        missing.append(f"the root-cause service {rc.service!r} is not in the catalog, so the cause is not established")
        failures.append(Failure(where="root_cause", reasons=[f"service {rc.service!r} is not in the catalog"]))
    if rc.confidence == "HIGH" and (blind := unread(results, rc.service)):
        rc = rc.model_copy(update={"confidence": "MEDIUM"})
        missing.append(f"{rc.service}'s own {' and '.join(blind)} could not be read, so the cause is not certain")
    if taints(rc.cites):
        rc = rc.model_copy(update={"confidence": "LOW"})
        failures.append(Failure(where="root_cause", reasons=["cites text that tries to instruct the copilot"]))
        missing.append("the root cause rests on tool output that tries to instruct the copilot")

    def untainted(kind: str, items: list[C]) -> list[C]:
        """The claims that cite no text trying to instruct the copilot; the others are on record."""
        kept = []
        for i, c in enumerate(items):
            if taints(c.cites):
                failures.append(
                    Failure(where=f"{kind}[{i}]", reasons=["cites text that tries to instruct the copilot"])
                )
            else:
                kept.append(c)
        return kept

    actions = []
    for i, a in enumerate(d.actions):
        checked, reasons = _action(a, by_id, catalog)
        if reasons:
            failures.append(Failure(where=f"actions[{i}]", reasons=reasons))
        if checked is not None:
            actions.append(checked)
    alternatives = [c for c in d.alternatives if c.service in catalog.services]
    warnings = [Claim(text=f.warning, cites=[f.cite]) for f in flagged]
    return (
        d.model_copy(
            update={
                "root_cause": rc,
                "summary": untainted("summary", d.summary),
                "evidence": untainted("evidence", d.evidence),
                "against": untainted("against", d.against),
                "actions": actions,
                "alternatives": alternatives,
                "missing_evidence": missing,
                "warnings": warnings,
                "pr": None,
            }
        ),
        failures,
    )


def unread(results: list[ToolResult], service: str) -> list[str]:
    """The kinds of the service's own evidence (logs, metrics) that were asked for and never read:
    every call failed, or found only lines the reader could not parse."""
    asked: dict[str, bool] = {}
    for r in results:
        if r.tool in ("read_logs", "read_metrics") and r.input.get("service") == service:
            read = r.ok and not (isinstance(r.data, LogStats) and r.data.unreadable)
            asked[r.tool] = asked.get(r.tool, False) or read
    return [tool.removeprefix("read_") for tool, read in asked.items() if not read]


def _action(a: Action, by_id: dict[str, ToolResult], catalog: Catalog) -> tuple[Action | None, list[str]]:
    """The action as it may be shown, or None when it may not be shown at all, and why."""
    if a.target not in catalog.services:
        return None, [f"target {a.target!r} is not a catalogued service"]
    if instructs(a.description):
        return None, ["its description hands over a command or a verdict; only commands made in code are shown"]
    if a.command is None:
        return a, []
    refs = [
        ch.ref
        for r in by_id.values()
        if r.ok and r.tool == "read_changes"
        for ch in getattr(r.data, "changes", [])
        if ch.service == a.target and ch.ref
    ]
    if a.command in allowed(a.kind, a.target, catalog, refs) or _quoted_from_runbook(a, by_id):
        return a, []
    made = command_for(a.kind, a.target, catalog)
    return a.model_copy(update={"command": made}), [
        "its command was neither generated for this action nor quoted from a runbook it cites; "
        + (f"replaced by {made!r}" if made else "removed")
    ]


def _quoted_from_runbook(a: Action, by_id: dict[str, ToolResult]) -> bool:
    for c in filter(None, map(Cite.parse, a.cites)):
        r = by_id.get(c.result)
        if r is None or not r.ok or r.tool != "read_runbook" or not a.command:
            continue
        scope = r.line(c.line) if c.line is not None else r.text
        if scope and a.command.strip() in scope:
            return True
    return False
