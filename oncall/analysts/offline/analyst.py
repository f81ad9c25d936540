"""The offline analyst: a deterministic diagnoser behind the same interface as
the Claude loop. It knows nothing of any bundle; it ranks services by when
their anomalies began along the dependency graph, by new or surging error
templates, by changes shortly before the onset and by past incidents, and it
says HIGH only when two independent kinds of evidence agree."""

from __future__ import annotations

import re
from datetime import datetime

from oncall.analysts.base import Case
from oncall.analysts.offline.findings import Finding, diff_gist, findings
from oncall.analysts.offline.ranking import Suspect, confidence, observed, rank
from oncall.core.catalog import Catalog
from oncall.core.citations import cite, result_of
from oncall.core.diagnosis import (
    ACTION_ORDER,
    Action,
    Candidate,
    Claim,
    Diagnosis,
    Evidence,
    RootCause,
    RunbookQuote,
    SimilarIncident,
)
from oncall.core.results import ToolResult
from oncall.tools.read_logs import TemplateStat
from oncall.tools.read_runbook import RunbookPage


class OfflineAnalyst:
    name = "offline"

    def diagnose(self, case: Case) -> Diagnosis:
        found = findings(case.context.results, case.catalog)
        suspects = rank(found, case.catalog, case.context.services, observed(case.context.results))
        missing = list(case.context.missing)
        top = suspects[0] if suspects else None
        if top is None or (not top.anomalous and not top.blamed_by) or _quiet(top, case.alert.service, suspects):
            return _no_incident(case, found, missing)
        runner_up = suspects[1].score if len(suspects) > 1 else 0.0
        sure = confidence(top, runner_up)
        return Diagnosis(
            summary=_summary(top, suspects),
            root_cause=_root_cause(top, sure),
            evidence=_evidence(top, suspects, case.catalog),
            actions=_actions(top, case.catalog),
            runbook=_runbook(case.context.results, top.category),
            similar_incidents=_similar(found),
            missing_evidence=missing,
            alternatives=[
                Candidate(service=s.service, category=s.category, score=round(s.score, 2)) for s in suspects[:3]
            ],
        )


def _quiet(top: Suspect, alerting: str | None, suspects: list[Suspect]) -> bool:
    """Nothing lasting is wrong: no symptom that is still there and nothing saturated, anywhere."""
    lasting = [
        f
        for s in suspects
        for f in s.findings
        if f.kind == "metrics" and f.at and f.weight >= 1 and f.role in ("symptom", "saturation")
    ]
    errors = [f for s in suspects for f in s.of("logs") if f.weight >= 1]
    return not lasting and not errors and top.score < 4


def _cause_findings(top: Suspect) -> list[Finding]:
    """The strongest few findings about the suspect, change first, then its earliest anomalies."""
    picks = top.causal_changes()[:1]
    logs = sorted(
        (f for f in top.of("logs") if f.category == top.category or top.category == "recent_change"),
        key=lambda f: (-f.weight, f.at or top.onset),
    )
    picks += logs[:1] or sorted(top.of("logs"), key=lambda f: -f.weight)[:1]
    metrics = sorted((f for f in top.of("metrics") if f.at), key=lambda f: (f.category is None, f.at))
    picks += metrics[:2]
    return picks


def _root_cause(top: Suspect, confidence: str) -> RootCause:
    first = top.first
    changes = top.causal_changes()
    if changes:
        c = changes[0]
        gist = diff_gist(getattr(c.detail, "diff", None))
        what = f"; the diff changes `{gist[0]}` to `{gist[1]}`" if gist else ""
        after = f", and {top.service} degraded from {_hm(first.at)}" if first else ""
        statement = f"{c.text}{what}{after}"
        cites = [result_of(c.cite), *([first.cite] if first else []), *(f.cite for f in _cause_findings(top)[1:2])]
    elif first:
        lead = _cause_findings(top)[0] if _cause_findings(top) else first
        statement = f"{top.service} broke first ({top.category.replace('_', ' ')}), from {_hm(first.at)}: {lead.text}"
        cites = [first.cite, lead.cite]
    else:
        named = top.blamed_by[0]
        statement = (
            f"{', '.join(sorted({f.service for f in top.blamed_by}))} report {top.service} failing: {named.text}"
        )
        cites = [f.cite for f in top.blamed_by[:2]]
    return RootCause(
        service=top.service, category=top.category, statement=statement, confidence=confidence, cites=_dedupe(cites)
    )


def _summary(top: Suspect, suspects: list[Suspect]) -> list[Claim]:
    out = []
    symptoms = sorted(
        (f for f in top.of("metrics") if f.signal in ("latency_p99", "error_ratio") and f.at),
        key=lambda f: f.at,
    )
    for f in symptoms[:1] or top.of("metrics")[:1]:
        out.append(Claim(text=f.text, cites=[f.cite]))
    changes = top.causal_changes()
    if changes:
        out.append(
            Claim(
                text=f"Most likely cause, before the anomaly began: {changes[0].text}",
                cites=[changes[0].cite],
            )
        )
    logs = sorted(top.of("logs"), key=lambda f: -f.weight)
    if logs:
        out.append(Claim(text=logs[0].text, cites=[logs[0].cite]))
    if top.onset:
        followers = [s for s in suspects[1:] if s.onset and s.onset > top.onset][:2]
        for s in followers:
            first = min((f for f in s.findings if f.kind in ("metrics", "logs") and f.at), key=lambda f: f.at)
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
        if f.kind == "change":
            gist = diff_gist(getattr(f.detail, "diff", None))
            if gist:
                out.append(
                    Evidence(
                        text=f"the change to {f.service} edits its configuration",
                        quote=gist[1],
                        cites=[result_of(where)],
                    )
                )
        out.append(Evidence(text=_plain(f), quote=f.quote, cites=[where]))
    for f in top.of("logs"):
        t = f.detail
        if isinstance(t, TemplateStat) and t.sample_line and t.sample:
            out.append(
                Evidence(
                    text=f"a verbatim {f.service} log line of that template",
                    quote=t.sample.splitlines()[0],
                    cites=[cite(result_of(f.cite), t.sample_line)],
                )
            )
            break
    for s in suspects[1:3]:
        if not (s.onset and top.onset and s.onset > top.onset):
            continue
        f = min((f for f in s.findings if f.kind in ("metrics", "logs") and f.at), key=lambda f: f.at)
        where = (
            "downstream of"
            if s.service in catalog.dependencies(top.service)
            else "upstream of"
            if top.service in catalog.dependencies(s.service)
            else "beside"
        )
        out.append(
            Evidence(text=f"{s.service}, {where} {top.service}, degraded after it", quote=f.quote, cites=[f.cite])
        )
    return out


def _plain(f: Finding) -> str:
    return {
        "metrics": f"{f.service} {f.signal} left its baseline",
        "logs": f"{f.service} logs show a "
        f"{'new' if 'new' in f.text else 'rising'} {(f.category or 'error').replace('_', ' ')} template",
        "change": f"a {getattr(f.detail, 'kind', 'change')} of {f.service} preceded the anomaly",
        "history": "a past incident matches",
    }.get(f.kind, f.kind)


SHA = re.compile(r"[0-9a-f]{7,40}")
LOCKS = re.compile(r"lock|deadlock|slow (query|statement)|duration: \d", re.I)
MEMORY = re.compile(r"OOMKilled|out of memory|OutOfMemory|heap space|MemoryError", re.I)


def _actions(top: Suspect, catalog: Catalog) -> list[Action]:
    """Remedies the evidence supports, safest first: undo a change, restart what leaks, add capacity
    for load, fix a credential or permission, else escalate to the owners."""
    svc = top.service
    info = catalog.services.get(svc)
    ns = info.namespace if info else "default"
    cites = [f.cite for f in _cause_findings(top)[:2]] or [f.cite for f in top.blamed_by[:1]]
    words = " ".join(f.words for f in top.of("logs"))
    saturated = {f.signal for f in top.of("metrics", "saturation") if f.weight > 0}
    more_load = any(f.signal == "request_rate" and f.detail.direction == "up" for f in top.of("metrics"))
    cat = top.category
    credential = cat == "expired_credential" or any(f.category == "expired_credential" for f in top.of("logs"))
    acts: list[Action] = []
    change = top.causal_changes()[0] if top.causal_changes() else None
    if change and not credential:  # a rotated secret is not rolled back; the service is updated
        c = change.detail
        if c.kind == "deploy":
            acts.append(
                Action(
                    kind="rollback",
                    target=svc,
                    description=f"Roll back {svc} from {c.to} to {c.from_}",
                    command=f"kubectl rollout undo deployment/{svc} -n {ns}",
                    cites=[change.cite],
                )
            )
        elif c.kind == "flag":
            acts.append(
                Action(kind="rollback", target=svc, description=f"Set {c.to} back to {c.from_}", cites=[change.cite])
            )
        else:
            acts.append(
                Action(
                    kind="rollback",
                    target=svc,
                    description=f"Revert the {c.kind} change {c.ref or ''} to {svc}".replace("  ", " "),
                    command=f"git revert {c.ref}" if c.ref and SHA.fullmatch(c.ref) else None,
                    cites=[change.cite],
                )
            )
    restart = None
    if "memory_utilization" in saturated or MEMORY.search(words):
        restart = "reclaim leaked memory"
    elif "pool_utilization" in saturated and not more_load and not change and not LOCKS.search(words):
        restart = "release held connections"
    if restart:
        acts.append(
            Action(
                kind="restart",
                target=svc,
                description=f"Restart {svc} to {restart}",
                command=f"kubectl rollout restart deployment/{svc} -n {ns}",
                cites=cites,
            )
        )
    if "disk_utilization" in saturated:
        acts.append(Action(kind="scale", target=svc, description=f"Expand the volume of {svc}", cites=cites))
    elif cat == "capacity" or (more_load and saturated & {"cpu_utilization", "pool_utilization"}):
        acts.append(
            Action(
                kind="scale",
                target=svc,
                description=f"Add replicas to {svc} (or raise its HPA maximum)",
                command=f"kubectl get hpa,deployment/{svc} -n {ns}",
                cites=cites,
            )
        )
    if credential:
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                cites=cites,
                description=f"Renew or update the expired or rotated credential used by {svc}",
            )
        )
    elif cat == "permission_denied":
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                cites=cites,
                description=f"Grant {svc}'s role the permission it is denied",
            )
        )
    if not acts or cat in ("dependency_failure", "network", "unknown") or LOCKS.search(words):
        owner = f" ({info.owner})" if info and info.owner else ""
        acts.append(
            Action(kind="escalate", target=svc, description=f"Escalate to the owners of {svc}{owner}", cites=cites)
        )
    return sorted(acts, key=lambda a: ACTION_ORDER.index(a.kind))


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
            n, para = _first_paragraph(r, sec.line)
            if para:
                where = cite(r.id, n) if "\n" not in para else r.id
                return [RunbookQuote(page=page.title, section=sec.heading, quote=para, cites=[where])]
    return []


def _first_paragraph(r: ToolResult, heading_line: int) -> tuple[int, str]:
    """The first paragraph under a heading, verbatim (at most three lines)."""
    start, para = 0, []
    for n in range(heading_line + 1, len(r.lines) + 1):
        text = r.line(n) or ""
        if text.startswith("## ") or (not text.strip() and para) or len(para) == 3:
            break
        if text.strip():
            start = start or n
            para.append(text)
    return start, "\n".join(para)


def _similar(found: list[Finding]) -> list[SimilarIncident]:
    past = sorted((f for f in found if f.kind == "history"), key=lambda f: -f.detail.score)[:3]
    return [SimilarIncident(id=f.detail.id, resolution=f.detail.fix or "not recorded", cites=[f.cite]) for f in past]


def _no_incident(case: Case, found: list[Finding], missing: list[str]) -> Diagnosis:
    metrics = [r for r in case.context.results if r.tool == "read_metrics" and r.ok]
    svc = case.alert.service or "unknown"
    if metrics:
        r = metrics[0]
        rc = RootCause(
            service=svc,
            category="no_incident",
            confidence="MEDIUM" if not missing else "LOW",
            statement=f"no signal of {svc} left its baseline and no new error templates appeared",
            cites=[r.id],
        )
        summary = [Claim(text="Metrics and logs stayed at their baseline: the alert looks noisy", cites=[r.id])]
    else:
        rc = RootCause(
            service=svc,
            category="unknown",
            confidence="LOW",
            cites=[],
            statement="not enough evidence was available to diagnose this alert",
        )
        summary = []
    return Diagnosis(
        summary=summary,
        root_cause=rc,
        actions=[
            Action(
                kind="none",
                target=svc,
                cites=rc.cites or [],
                description="No action; review the alert's threshold if it keeps firing",
            )
        ],
        runbook=_runbook(case.context.results, "no_incident"),
        similar_incidents=_similar(found),
        missing_evidence=missing,
    )


def _hm(t: datetime | None) -> str:
    return t.strftime("%H:%M") if t else "?"


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
