"""Grounding: every claim must be backed by tool output, checked in code.

Rules: every cited id exists (and the line, for R3:L12); a quote appears
verbatim in what it cites; every number in a claim appears in a cited scope.
Failing claims are dropped; a root cause that fails keeps its place but drops
to LOW confidence, because the brief must still say what is suspected."""

from __future__ import annotations

import re
from collections.abc import Iterable

from oncall.core.catalog import Catalog
from oncall.core.citations import Cite
from oncall.core.diagnosis import Diagnosis
from oncall.core.redact import redact
from oncall.core.results import ToolResult
from oncall.grounding.freshness import stale_quotes
from oncall.grounding.report import Failure, GroundingReport
from oncall.grounding.structure import ground_structure

# A number not glued to a word: "p99" and "k8s" are names, but "v2.14.3" and the time in
# "2026-11-17T03:41:00Z" are numbers.
NUMBER = re.compile(r"(?<![A-SU-Za-uw-z_\d])\d+(?:[.:,]\d+)*")


def numbers(text: str) -> list[str]:
    """Numeric tokens, with thousands separators removed ("24,000" -> "24000")."""
    return [re.sub(r"(?<=\d),(?=\d{3}\b)", "", n).strip(".:,") for n in NUMBER.findall(text or "")]


def _supported(num: str, scope_numbers: set[str]) -> bool:
    # "03:41" is supported by "03:41:00"; "8.2" is not supported by "8.25".
    return num in scope_numbers or any(s.startswith(num + ":") for s in scope_numbers)


def check_claim(
    texts: Iterable[str | None], cites: list[str], results: dict[str, ToolResult], quote: str | None = None
) -> list[str]:
    """Reasons this claim is not grounded; empty when it is."""
    if not cites:
        return ["cites nothing"]
    reasons: list[str] = []
    scopes: list[str] = []
    for c in cites:
        parsed = Cite.parse(c)
        if parsed is None:
            reasons.append(f"{c!r} is not a citation (use R4 or R4:L2)")
            continue
        r = results.get(parsed.result)
        if r is None:
            reasons.append(f"{c} does not exist")
            continue
        if not r.ok:
            reasons.append(f"{c} is a failed tool call ({r.error})")
            continue
        if parsed.line is not None:
            line = r.line(parsed.line)
            if line is None:
                reasons.append(f"{c}: {r.id} has only {len(r.lines)} lines")
                continue
            scopes.append(line)
        else:
            scopes.append(r.text)
    if reasons:
        return reasons
    # checked as the engineer reads it, past the one redaction boundary: a secret's digits, masked in the
    # tool output and in the brief alike, are not a number the output must carry
    texts, quote = [redact(t) if t else t for t in texts], redact(quote) if quote else quote
    if quote is not None and quote.strip() and not any(quote.strip() in s for s in scopes):
        reasons.append(f"quote {quote.strip()[:80]!r} is not verbatim in {', '.join(cites)}")
    scope_numbers = {n for s in scopes for n in numbers(s)}
    for t in texts:
        for n in numbers(t or ""):
            if not _supported(n, scope_numbers):
                reasons.append(f"number {n} does not appear in {', '.join(cites)}")
    return reasons


def ground(
    d: Diagnosis, results: list[ToolResult], catalog: Catalog | None = None
) -> tuple[Diagnosis, GroundingReport]:
    """Return the diagnosis with unsupported claims removed, and what was removed. With the catalog,
    what the engineer is shown is also checked against the estate (grounding/structure.py)."""
    by_id = {r.id: r for r in results}
    report = GroundingReport()

    def keep(kind: str, items: list, texts, quote=lambda x: None) -> list:
        kept = []
        for i, item in enumerate(items):
            report.checked += 1
            reasons = check_claim(texts(item), item.cites, by_id, quote(item))
            if reasons:
                report.failures.append(Failure(where=f"{kind}[{i}]", reasons=reasons))
            else:
                kept.append(item)
        return kept

    summary = keep("summary", d.summary, lambda c: [c.text])
    evidence = keep("evidence", d.evidence, lambda e: [e.text, e.quote], lambda e: e.quote)
    against = keep("against", d.against, lambda e: [e.text, e.quote], lambda e: e.quote)
    actions = keep("actions", d.actions, lambda a: [a.description, a.command])
    runbook = keep("runbook", d.runbook, lambda q: [q.quote], lambda q: q.quote)
    similar = keep("similar_incidents", d.similar_incidents, lambda s: [s.resolution], lambda s: s.id)

    rc = d.root_cause
    report.checked += 1
    reasons = check_claim([rc.statement], rc.cites, by_id)
    missing = list(d.missing_evidence)
    if reasons:
        report.failures.append(Failure(where="root_cause", reasons=reasons))
        report.root_cause_supported = False
        rc = rc.model_copy(update={"confidence": "LOW"})
        missing.append("the root cause statement is not supported by the cited tool output: " + "; ".join(reasons))
    grounded = d.model_copy(
        update={
            "summary": summary,
            "evidence": evidence,
            "against": against,
            "actions": actions,
            "runbook": runbook,
            "similar_incidents": similar,
            "root_cause": rc,
            "missing_evidence": missing,
        }
    )
    if catalog is not None:
        grounded, more = ground_structure(grounded, results, catalog)
        report.failures += more
        report.root_cause_supported = report.root_cause_supported and not any(f.where == "root_cause" for f in more)
    stale = stale_quotes(grounded.runbook, results)  # of the quotes that survived: both sides cited
    if stale:
        grounded = grounded.model_copy(update={"warnings": [*grounded.warnings, *stale]})
    return grounded, report
