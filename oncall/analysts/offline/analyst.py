"""The offline analyst: a deterministic diagnoser behind the same interface as
the Claude loop. It knows nothing of any bundle; it ranks services by when
their anomalies began along the dependency graph, by new or surging error
templates, by changes shortly before the onset and by past incidents, and it
says HIGH only when two independent kinds of evidence agree."""

from __future__ import annotations

from datetime import datetime

from oncall.analysts.base import Case
from oncall.analysts.offline import weights as w
from oncall.analysts.offline.doubts import doubted
from oncall.analysts.offline.findings import (
    SATURATION_SIGNALS,
    ChangeFinding,
    Finding,
    HistoryFinding,
    LogFinding,
    MetricFinding,
    TraceFinding,
    WorkloadFinding,
    findings,
)
from oncall.analysts.offline.quiet import (
    change_absorbed,
    kept_up,
    no_incident,
    nothing_lasting,
    only_busy,
    planned_work,
)
from oncall.analysts.offline.ranking import confidence, counting, observed, rank, reached, unwatched
from oncall.analysts.offline.remedies import remedies
from oncall.analysts.offline.suspect import OwnFinding, Suspect, at_of
from oncall.core import diffs
from oncall.core.catalog import Catalog
from oncall.core.citations import cite, result_of
from oncall.core.diagnosis import (
    Candidate,
    Claim,
    Diagnosis,
    Evidence,
    RootCause,
    RunbookQuote,
    SimilarIncident,
)
from oncall.core.results import ToolResult
from oncall.tools.read_logs import TemplateStat, sample_lines
from oncall.tools.read_metrics import MetricStats
from oncall.tools.read_runbook import RunbookPage


class OfflineAnalyst:
    name = "offline"

    def diagnose(self, case: Case) -> Diagnosis:
        found = findings(case.context.results, case.catalog)
        results = case.context.results
        seen = observed(results)
        alerting = case.alert.service
        suspects = rank(
            found,
            case.catalog,
            case.context.services,
            seen,
            reached(results),
            alerting,
            unwatched(results),
            counting(results),
        )
        missing = list(case.context.missing)
        top = suspects[0] if suspects else None
        quiet = top is None or (not top.anomalous and not top.blamed_by and not top.broke)
        if top is None or quiet or nothing_lasting(top, suspects, alerting, case.alert.starts_at):
            return no_incident(case, found, missing, _runbook(results, "no_incident"), _similar(found))
        if busy := only_busy(suspects, alerting, case.catalog):
            return no_incident(case, found, missing, _runbook(results, "no_incident"), _similar(found), busy)
        if planned := planned_work(suspects, alerting):
            return no_incident(case, found, missing, _runbook(results, "no_incident"), _similar(found), planned=planned)
        if applied := change_absorbed(suspects, alerting):
            return no_incident(case, found, missing, _runbook(results, "no_incident"), _similar(found), applied=applied)
        if kept_up(suspects, alerting):
            return no_incident(case, found, missing, _runbook(results, "no_incident"), _similar(found))
        runner_up = suspects[1].score if len(suspects) > 1 else 0.0
        sure = confidence(top, runner_up)
        # a service that broke earlier, which the cause does not explain, is evidence against it (the
        # brief lists it): the cause is likely, not established
        if sure == "HIGH" and _earlier_unexplained(top, suspects):
            sure = "MEDIUM"
        doubt = doubted(top, suspects, case.catalog, results, seen) if sure == "HIGH" else None
        if doubt:
            sure = "MEDIUM"
        return Diagnosis(
            summary=_summary(top, suspects),
            root_cause=_root_cause(top, sure),
            evidence=_evidence(top, suspects, case.catalog),
            against=_against(top, suspects, case.context.results)
            + ([Evidence(text=f"why not HIGH: {doubt.text}", cites=[doubt.cite])] if doubt else []),
            actions=remedies(top, case.catalog, _cause_findings(top)),
            runbook=_runbook(case.context.results, top.category),
            similar_incidents=_similar(found),
            missing_evidence=missing,
            alternatives=[
                Candidate(
                    service=s.service,
                    category=s.category,
                    score=round(s.score, 2),
                    ruled_down=None if s is top else _ruled_down(s, top),
                )
                for s in suspects[:3]
            ],
        )


def _cause_findings(top: Suspect) -> list[Finding]:
    """The strongest few findings about the suspect, change first, then its earliest anomalies."""
    picks: list[Finding] = [*top.causal_changes()[:1]]
    logs = sorted(
        (f for f in top.logs() if f.category == top.category or top.category == "recent_change"),
        key=lambda f: (-f.weight, f.at or top.onset),
    )
    picks += logs[:1] or sorted(top.logs(), key=lambda f: -f.weight)[:1]
    metrics = sorted((f for f in top.metrics() if f.at), key=lambda f: (f.category is None, at_of(f)))
    picks += metrics[:2]
    return picks


def _root_cause(top: Suspect, confidence: str) -> RootCause:
    first = top.first
    changes = top.causal_changes()
    if changes:
        c = changes[0]
        gist = diffs.gist(c.detail.diff)
        what = f"; the diff changes `{gist[0]}` to `{gist[1]}`" if gist else ""
        after = f", and {top.service} degraded from {_hm(first.at)}" if first else ""
        statement = f"{c.text}{what}{after}"
        cites = [result_of(c.cite), *([first.cite] if first else []), *(f.cite for f in _cause_findings(top)[1:2])]
    elif first:
        lead = _cause_findings(top)[0] if _cause_findings(top) else first
        statement = f"{top.service} broke first ({top.category.replace('_', ' ')}), from {_hm(first.at)}: {lead.text}"
        cites = [first.cite, lead.cite]
    elif top.blamed_by:
        named = top.blamed_by[0]
        statement = (
            f"{', '.join(sorted({f.service for f in top.blamed_by}))} report {top.service} failing: {named.text}"
        )
        cites = [f.cite for f in top.blamed_by[:2]]
    else:  # what it logs or does explains others' failures (its clock, its work), though it fails nothing itself
        lead = max([*top.logs(), *top.metrics()], key=lambda f: f.weight)
        statement = f"{top.service}: {lead.text}; {', '.join(top.broke)} broke as it did"
        cites = [lead.cite]
    return RootCause(
        service=top.service, category=top.category, statement=statement, confidence=confidence, cites=_dedupe(cites)
    )


def _summary(top: Suspect, suspects: list[Suspect]) -> list[Claim]:
    out = []
    symptoms = sorted(
        (f for f in top.metrics() if f.signal in ("latency_p99", "error_ratio") and f.at),
        key=at_of,
    )
    for f in symptoms[:1] or top.metrics()[:1]:
        out.append(Claim(text=f.text, cites=[f.cite]))
    changes = top.causal_changes()
    if changes:
        out.append(
            Claim(
                text=f"Most likely cause, before the anomaly began: {changes[0].text}",
                cites=[changes[0].cite],
            )
        )
    logs = sorted(top.logs(), key=lambda f: -f.weight)
    if logs:
        out.append(Claim(text=logs[0].text, cites=[logs[0].cite]))
    if not out:  # nothing of its own is watched (a provider outside): what those that use it saw says it
        reports: dict[str, Finding] = {}
        for r in top.blamed_by:
            reports.setdefault(r.service, r)  # (the first each service gave)
        for svc, report in list(reports.items())[:2]:
            user = next((x for x in suspects if x.service == svc), None)
            seen = sorted(
                (m for m in (user.metrics() if user else []) if m.signal in ("latency_p99", "error_ratio") and m.at),
                key=at_of,
            )
            out += [Claim(text=m.text, cites=[m.cite]) for m in seen[:1]]
            out.append(Claim(text=report.text, cites=[report.cite]))
    if top.onset:
        followers = [s for s in suspects[1:] if s.onset and s.onset > top.onset][:2]
        for s in followers:
            # (a weak sign of it before the root broke, a few warnings, does not make it later: then nothing is said)
            if (first := _first_seen(s)) is None or at_of(first) <= top.onset:
                continue
            out.append(
                Claim(
                    text=f"{s.service} degraded later, from {_hm(first.at)}: a likely effect",
                    cites=[first.cite],
                )
            )
    return out


def _evidence(top: Suspect, suspects: list[Suspect], catalog: Catalog) -> list[Evidence]:
    out: list[Evidence] = []
    for f in _cause_findings(top):
        where = f.cite
        if isinstance(f, ChangeFinding):
            gist = diffs.gist(f.detail.diff)
            if gist:
                # which file says what kind of edit it is (a setting's file, a source file): named, not guessed
                edited = diffs.edited_file(f.detail.diff, gist[0]) or "its configuration"
                out.append(
                    Evidence(
                        text=f"the change to {f.service} edits {edited}",
                        quote=gist[1],
                        cites=[result_of(where)],
                    )
                )
        out.append(Evidence(text=_plain(f), quote=f.quote, cites=[where]))
    if (c := top.stale_since) is not None:
        out.append(
            Evidence(
                text=f"{c.service} changed just before {top.service} failed still holding what the change replaced",
                quote=c.detail.from_,
                cites=[c.cite],
            )
        )
    # a line of the template shown above (the summary's sample of it), else of its first other template
    shown = [f for f in _cause_findings(top) if isinstance(f, OwnFinding)]
    for f in [*shown, *top.logs()]:
        t = f.detail
        if isinstance(t, TemplateStat) and t.sample_line and t.sample:
            out.append(
                Evidence(
                    text=f"a verbatim {f.service} log line of {'that' if f in shown else 'its'} template",
                    quote=sample_lines(t.sample)[0],  # as the summary shows it
                    cites=[cite(result_of(f.cite), t.sample_line)],
                )
            )
            break
    # what the change broke (a queue's consumer, the services a cut path served): the link, shown
    for s in [s for s in suspects if s.service in top.broke][:2]:
        if (seen_first := _first_seen(s)) is not None:
            out.append(
                Evidence(
                    text=f"{s.service} broke just after {_what_broke_it(top)}",
                    quote=seen_first.quote,
                    cites=[seen_first.cite],
                )
            )
    for s in suspects[1:3]:
        if s.service in top.broke or not (s.onset and top.onset and s.onset > top.onset):
            continue
        if (seen_first := _first_seen(s)) is None:
            continue
        where = (
            "downstream of"
            if s.service in catalog.dependencies(top.service)
            else "upstream of"
            if top.service in catalog.dependencies(s.service)
            else "beside"
        )
        out.append(
            Evidence(
                text=f"{s.service}, {where} {top.service}, degraded after it",
                quote=seen_first.quote,
                cites=[seen_first.cite],
            )
        )
    return out


def _earlier_unexplained(top: Suspect, suspects: list[Suspect]) -> Suspect | None:
    """The first other suspect that visibly broke before the root did and is not among its effects."""
    for s in suspects[1:]:
        first = s.first
        if first and top.onset and first.at and first.at < top.onset - w.NEAR and s.service not in top.broke:
            return s
    return None


def _against(top: Suspect, suspects: list[Suspect], results: list[ToolResult]) -> list[Evidence]:
    """What does not fit: another service that broke earlier and is not explained as an effect, and,
    for a resource cause, the root's resources that stayed at their baseline."""
    out: list[Evidence] = []
    if earlier := _earlier_unexplained(top, suspects):
        first = earlier.first
        assert first is not None and first.at is not None
        out.append(
            Evidence(
                text=f"{earlier.service} left its baseline earlier, from {_hm(first.at)}: "
                "this cause does not explain it",
                quote=first.quote,
                cites=[first.cite],
            )
        )
    if top.category in ("resource_exhaustion", "capacity") and not top.metrics("saturation"):
        for r in results:
            m = r.data
            if r.ok and isinstance(m, MetricStats) and m.service == top.service:
                steady = [s for s in m.signals if s.signal in SATURATION_SIGNALS and not s.anomalous and s.line]
                if steady and steady[0].line:
                    names = ", ".join(sorted({s.signal for s in steady}))
                    out.append(
                        Evidence(
                            text=f"{top.service}'s {names} stayed at baseline",
                            cites=[cite(r.id, steady[0].line)],
                        )
                    )
    return out


def _first_seen(s: Suspect) -> Finding | None:
    """Its earliest dated metric, log, trace or workload finding, however weak (None when its onset is
    only what its callers reported)."""
    return min((f for f in s.findings if isinstance(f, MetricFinding | OwnFinding) and f.at), key=at_of, default=None)


def _plain(f: Finding) -> str:
    if isinstance(f, MetricFinding):
        return f"{f.service} {f.signal} left its baseline"
    if isinstance(f, LogFinding):
        kind = "new" if "new" in f.text else "rising"
        return f"{f.service} logs show a {kind} {(f.category or 'error').replace('_', ' ')} template"
    if isinstance(f, ChangeFinding):
        kind = f.detail.kind
        what = (
            f"a deploy of {f.service}"
            if kind == "deploy"
            else f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} change to {f.service}"
        )
        return f"{what} preceded the anomaly"
    if isinstance(f, TraceFinding):
        return f"traces show errors beginning in {f.service}" if f.role != "peer" else f"{f.service}'s calls fail"
    if isinstance(f, WorkloadFinding):
        return f"Kubernetes reports {f.words.split(':')[0]} on {f.service}'s workload"
    return "a past incident matches"


RUNBOOK_WORDS = {
    "recent_change": ("rollback", "roll back", "revert", "mitigation", "remediation"),
    "resource_exhaustion": ("mitigation", "remediation", "pool", "restart", "memory", "scale"),
    "capacity": ("scale", "capacity", "mitigation"),
}


def _runbook(results: list[ToolResult], category: str) -> list[RunbookQuote]:
    words = (*RUNBOOK_WORDS.get(category, ()), "mitigation", "remediation", "resolution", "fix", "action")
    for r in results:
        if r.tool != "read_runbook" or not r.ok or not isinstance(r.data, list):
            continue
        pages: list[RunbookPage] = r.data
        best = None
        for page in pages:
            for sec in page.sections:
                rank_ = next((i for i, w in enumerate(words) if w in sec.heading.lower()), None)
                if rank_ is not None and sec.line and (best is None or rank_ < best[0]):
                    best = (rank_, page, sec)
        if best:
            _, page, sec = best
            n, para = _first_paragraph(r, sec.line or 0)
            if para:
                where = cite(r.id, n) if "\n" not in para else r.id
                return [RunbookQuote(page=page.title, section=sec.heading, quote=para, cites=[where])]
    return []


def _first_paragraph(r: ToolResult, heading_line: int) -> tuple[int, str]:
    """The first paragraph under a heading, verbatim (at most three lines)."""
    start, para = 0, list[str]()
    for n in range(heading_line + 1, len(r.lines) + 1):
        text = r.line(n) or ""
        if text.startswith("## ") or (not text.strip() and para) or len(para) == 3:
            break
        if text.strip():
            start = start or n
            para.append(text)
    return start, "\n".join(para)


def _similar(found: list[Finding]) -> list[SimilarIncident]:
    past = sorted((f for f in found if isinstance(f, HistoryFinding)), key=lambda f: -f.detail.score)[:3]
    return [SimilarIncident(id=f.detail.id, resolution=f.detail.fix or "not recorded", cites=[f.cite]) for f in past]


def _hm(t: datetime | None) -> str:
    return t.strftime("%H:%M") if t else "?"


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _what_broke_it(top: Suspect) -> str:
    """What of the root the services it broke followed: its change, or (a clock, say) its own trouble."""
    if top.broke_how:
        return top.broke_how
    return f"the change to {top.service}" if top.change else f"{top.service}'s trouble began"


def _ruled_down(s: Suspect, top: Suspect) -> str:
    """Why a hypothesis ranks below the root cause, in an SRE's words."""
    if s.service in top.broke:
        return f"it broke just after {_what_broke_it(top)}"
    if top.stale_since and top.stale_since.service == s.service:
        return f"others that use it came through its change; {top.service} did not follow it"
    if s.symptom_of:
        return f"its errors are about {s.symptom_of}, which broke no later than it did"
    if s.onset and top.onset and s.onset > top.onset:
        return f"it degraded after {top.service}, from {_hm(s.onset)}"
    if not s.anomalous:
        return "nothing of its own left its baseline"
    return f"less evidence of its own ({s.score:.1f} against {top.score:.1f})"
