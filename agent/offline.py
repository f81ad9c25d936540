"""The offline analyst: a deterministic diagnoser behind the same interface as
the Claude loop. It knows nothing of any bundle; it ranks services by when
their anomalies began along the dependency graph, by new or surging error
templates, by changes shortly before the onset and by past incidents, and it
says HIGH only when two independent kinds of evidence agree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.catalog import Catalog
from agent.diagnosis import (
    Action,
    Candidate,
    Claim,
    Diagnosis,
    Evidence,
    RootCause,
    RunbookQuote,
    SimilarIncident,
)
from agent.evidence import Finding, diff_gist, findings
from agent.model import Case
from tools.base import ToolResult
from tools.read_logs import TemplateStat
from tools.read_runbook import RunbookPage

CHANGE_HORIZON = timedelta(hours=24)
NEAR = timedelta(minutes=2)  # onsets this close count as simultaneous


@dataclass
class Suspect:
    service: str
    findings: list[Finding] = field(default_factory=list)
    blamed_by: list[Finding] = field(default_factory=list)  # other services' logs naming this one
    score: float = 0.0
    category: str = "unknown"
    kinds: set[str] = field(default_factory=set)

    def of(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def onset(self) -> datetime | None:
        times = [f.at for f in self.findings if f.kind in ("metrics", "logs") and f.at]
        return min(times) if times else None

    @property
    def anomalous(self) -> bool:
        return self.onset is not None

    def causal_changes(self) -> list[Finding]:
        """Changes to this service in the day before its anomaly began, newest first."""
        onset = self.onset
        if onset is None:
            return []
        return sorted(
            (f for f in self.of("change") if f.at and onset - CHANGE_HORIZON <= f.at <= onset),
            key=lambda f: f.at,
            reverse=True,
        )


class OfflineAnalyst:
    name = "offline"

    def diagnose(self, case: Case) -> Diagnosis:
        found = findings(case.context.results, case.catalog)
        suspects = rank(found, case.catalog, case.context.services)
        missing = list(case.context.missing)
        if not suspects or not any(s.anomalous for s in suspects):
            return _no_incident(case, found, missing)
        top = suspects[0]
        runner_up = suspects[1].score if len(suspects) > 1 else 0.0
        confidence = _confidence(top, runner_up)
        return Diagnosis(
            summary=_summary(top, suspects),
            root_cause=_root_cause(top, confidence),
            evidence=_evidence(top, suspects, case.catalog),
            actions=_actions(top, case.catalog),
            runbook=_runbook(case.context.results, top.category),
            similar_incidents=_similar(found),
            missing_evidence=missing,
            alternatives=[
                Candidate(service=s.service, category=s.category, score=round(s.score, 2)) for s in suspects[:3]
            ],
        )


def rank(found: list[Finding], catalog: Catalog, services: list[str]) -> list[Suspect]:
    suspects: dict[str, Suspect] = {s: Suspect(s) for s in services}
    for f in found:
        suspects.setdefault(f.service, Suspect(f.service)).findings.append(f)
        if f.points_to:
            suspects.setdefault(f.points_to, Suspect(f.points_to)).blamed_by.append(f)
    onsets = [s.onset for s in suspects.values() if s.onset]
    earliest = min(onsets) if onsets else None
    for s in suspects.values():
        _score(s, suspects, catalog, earliest)
    return sorted(suspects.values(), key=lambda s: (-s.score, s.onset or datetime.max.astimezone(), s.service))


def _score(s: Suspect, all_: dict[str, Suspect], catalog: Catalog, earliest: datetime | None) -> None:
    metrics, logs = s.of("metrics"), s.of("logs")
    intrinsic = [f for f in logs if f.category and f.category != "dependency_failure" and not f.points_to]
    saturation = [f for f in metrics if f.category]
    changes = s.causal_changes()
    history = [f for f in s.of("history") if f.weight >= 1]
    if not s.anomalous and not s.blamed_by:
        s.score = 0.0
        return
    score = min(3.0, sum(f.weight for f in saturation)) + min(1.0, 0.5 * len(metrics) - 0.5 * len(saturation))
    score += min(4.0, sum(f.weight for f in intrinsic))
    score += min(1.0, 0.5 * sum(f.weight for f in logs if f not in intrinsic))
    if changes:
        score += 3.0 + (1.0 if changes[0].detail and getattr(changes[0].detail, "diff", None) else 0.0)
    score += 1.0 if history else 0.0
    score += min(4.0, 2.0 * len({f.service for f in s.blamed_by if f.service != s.service}))
    if earliest and s.onset:
        if s.onset - earliest <= NEAR:
            score += 1.5 + (1.0 if s.onset == earliest else 0.0)
        # A service whose errors name an already-failing dependency is a symptom of it.
        blamed = [all_[f.points_to] for f in logs if f.points_to in all_]
        if any(b.onset and b.onset <= s.onset + NEAR for b in blamed):
            score -= 2.0
        # Upstream services that broke after this one are explained by it.
        later = [all_[d] for d in catalog.dependents(s.service) if d in all_ and all_[d].onset]
        if any(u.onset >= s.onset for u in later):
            score += 1.0
    s.score = score
    s.category = _category(s, intrinsic, saturation, changes, history)
    s.kinds = {
        k for k, present in (("metrics", metrics), ("logs", logs), ("change", changes), ("history", history)) if present
    }


def _category(
    s: Suspect,
    intrinsic: list[Finding],
    saturation: list[Finding],
    changes: list[Finding],
    history: list[Finding],
) -> str:
    if changes:
        return "recent_change"
    votes: Counter[str] = Counter()
    for f in intrinsic + saturation:
        votes[f.category] += f.weight
    for f in history:
        votes[f.category] += 0.5 * f.weight
    if s.blamed_by and not intrinsic:
        votes["dependency_failure"] += 2.0
    for f in s.of("logs"):
        if f.category == "dependency_failure" and not f.points_to:
            votes["dependency_failure"] += 0.5 * f.weight
    votes.pop(None, None)
    return votes.most_common(1)[0][0] if votes else "unknown"


def _confidence(top: Suspect, runner_up: float) -> str:
    independent = top.kinds & {"metrics", "logs", "change"}
    if top.category == "unknown" or not independent:
        return "LOW"
    if len(independent) >= 2 and runner_up <= 0.7 * top.score:
        return "HIGH"
    return "MEDIUM"


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
    changes = top.causal_changes()
    if changes:
        c = changes[0]
        gist = diff_gist(getattr(c.detail, "diff", None))
        what = f"; the diff changes `{gist[0]}` to `{gist[1]}`" if gist else ""
        after = f", and {top.service} degraded from {_hm(top.onset)}" if top.onset else ""
        statement = f"{c.text}{what}{after}"
        cites = [c.cite.split(":")[0]] + [f.cite for f in _cause_findings(top)[1:3]]
    else:
        picks = _cause_findings(top)
        lead = picks[0] if picks else None
        statement = f"{top.service} is the earliest failing service on the dependency path" + (
            f": {lead.text}" if lead else ""
        )
        cites = [f.cite for f in picks[:3]] or [f.cite for f in top.blamed_by[:2]]
    return RootCause(
        service=top.service,
        category=top.category,
        statement=statement,
        confidence=confidence,
        cites=_dedupe(cites),
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
        cite = f.cite
        if f.kind == "change":
            gist = diff_gist(getattr(f.detail, "diff", None))
            if gist:
                out.append(
                    Evidence(
                        text=f"the change to {f.service} edits its configuration",
                        quote=gist[1],
                        cites=[cite.split(":")[0]],
                    )
                )
        out.append(Evidence(text=_plain(f), quote=f.quote, cites=[cite]))
    for f in top.of("logs"):
        t = f.detail
        if isinstance(t, TemplateStat) and t.sample_line and t.sample:
            out.append(
                Evidence(
                    text=f"a verbatim {f.service} log line of that template",
                    quote=t.sample.splitlines()[0],
                    cites=[f"{f.cite.split(':')[0]}:L{t.sample_line}"],
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


def _actions(top: Suspect, catalog: Catalog) -> list[Action]:
    svc = top.service
    ns = catalog.services[svc].namespace if svc in catalog.services else "default"
    changes = top.causal_changes()
    cites = [f.cite for f in _cause_findings(top)[:2]]
    acts: list[Action] = []
    if changes:
        c = changes[0].detail
        if getattr(c, "kind", "") == "deploy":
            acts.append(
                Action(
                    kind="rollback",
                    target=svc,
                    description=f"Roll back {svc} from {c.to} to {c.from_}",
                    command=f"kubectl rollout undo deployment/{svc} -n {ns}",
                    cites=[changes[0].cite],
                )
            )
        else:
            ref = f" {c.ref}" if c.ref else ""
            acts.append(
                Action(
                    kind="rollback",
                    target=svc,
                    description=f"Revert the {c.kind} change{ref} to {svc}",
                    command=f"git revert {c.ref}" if c.ref else None,
                    cites=[changes[0].cite],
                )
            )
    cat = top.category
    if cat in ("resource_exhaustion", "recent_change") and any(
        f.category == "resource_exhaustion" for f in top.findings
    ):
        acts.append(
            Action(
                kind="restart",
                target=svc,
                description=f"Restart {svc} to release exhausted resources",
                command=f"kubectl rollout restart deployment/{svc} -n {ns}",
                cites=cites,
            )
        )
    if cat in ("capacity", "resource_exhaustion"):
        acts.append(
            Action(
                kind="scale",
                target=svc,
                description=f"Add replicas or raise limits for {svc}",
                command=f"kubectl get hpa,deployment/{svc} -n {ns}",
                cites=cites,
            )
        )
    if cat in ("expired_credential", "permission_denied"):
        what = (
            "renew or rotate the expired credential" if cat == "expired_credential" else "grant the missing permission"
        )
        acts.append(Action(kind="config_change", target=svc, description=f"For {svc}: {what}", cites=cites))
    if cat in ("dependency_failure", "network", "unknown") or not acts:
        owner = catalog.services[svc].owner if svc in catalog.services and catalog.services[svc].owner else None
        acts.append(
            Action(
                kind="escalate",
                target=svc,
                description=f"Escalate to the owners of {svc}" + (f" ({owner})" if owner else ""),
                cites=cites or [f.cite for f in top.blamed_by[:1]],
            )
        )
    return sorted(
        acts,
        key=lambda a: ["rollback", "restart", "scale", "config_change", "escalate", "none"].index(a.kind),
    )


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
                cite = f"{r.id}:L{n}" if "\n" not in para else r.id
                return [RunbookQuote(page=page.title, section=sec.heading, quote=para, cites=[cite])]
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
