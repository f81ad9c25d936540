"""The offline analyst: a deterministic diagnoser behind the same interface as
the Claude loop. It knows nothing of any bundle; it ranks services by when
their anomalies began along the dependency graph, by new or surging error
templates, by changes shortly before the onset and by past incidents, and it
says HIGH only when two independent kinds of evidence agree."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.catalog import Catalog
from agent.diagnosis import (
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
from agent.evidence import Finding, change_tokens, diff_gist, findings, log_tokens
from agent.model import Case
from tools.base import ToolResult
from tools.read_logs import TemplateStat
from tools.read_metrics import MetricStats
from tools.read_runbook import RunbookPage

CHANGE_HORIZON = timedelta(hours=24)
NEAR = timedelta(minutes=2)  # onsets this close count as simultaneous
STRONG_CHANGE = 2.5  # a change this strong is named as the cause


@dataclass
class Suspect:
    service: str
    findings: list[Finding] = field(default_factory=list)
    blamed_by: list[Finding] = field(default_factory=list)  # other services' logs naming this one
    score: float = 0.0
    category: str = "unknown"
    kinds: set[str] = field(default_factory=set)
    symptom_of: str | None = None  # the failing dependency this service's errors name
    change: Finding | None = None  # the change most likely to have caused it
    change_strength: float = 0.0

    def of(self, kind: str, role: str | None = None) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind and (role is None or f.role == role)]

    @property
    def onset(self) -> datetime | None:
        first = self.first
        return first.at if first else None

    @property
    def first(self) -> Finding | None:
        """The finding that marks when it visibly broke: a symptom, saturation, an error template,
        traffic falling away. More traffic is load, not breakage, and a few new warnings alone do
        not make a service the first to fail."""
        marks = [
            f
            for f in self.findings
            if f.kind in ("metrics", "logs")
            and f.at
            and f.weight >= 1
            and not (f.role == "traffic" and f.detail.direction == "up")
        ]
        return min(marks, key=lambda f: f.at) if marks else None

    @property
    def anomalous(self) -> bool:
        return self.onset is not None

    def causal_changes(self) -> list[Finding]:
        named = self.change_strength >= STRONG_CHANGE or self.category == "recent_change"
        return [self.change] if self.change and named else []


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


def observed(results: list[ToolResult]) -> set[str]:
    """Services whose metrics we actually saw: for them, no anomaly means healthy."""
    return {r.data.service for r in results if r.ok and isinstance(r.data, MetricStats) and r.data.signals}


def rank(found: list[Finding], catalog: Catalog, services: list[str], seen: set[str] | None = None) -> list[Suspect]:
    seen = set(services) if seen is None else seen
    suspects: dict[str, Suspect] = {s: Suspect(s) for s in services}
    for f in found:
        suspects.setdefault(f.service, Suspect(f.service)).findings.append(f)
        if f.points_to:
            suspects.setdefault(f.points_to, Suspect(f.points_to)).blamed_by.append(f)
    _explain_traffic(suspects, catalog)
    _discount_uncorroborated_logs(suspects, seen)
    _discount_lone_traffic(suspects)
    onsets = [s.onset for s in suspects.values() if s.onset]
    earliest = min(onsets) if onsets else None
    for s in suspects.values():
        _symptom_of(s, suspects, seen)
    for s in suspects.values():
        _pick_change(s)
        _score(s, suspects, catalog, earliest, seen)
    return sorted(suspects.values(), key=lambda s: (-s.score, s.onset or datetime.max.astimezone(), s.service))


def _explain_traffic(suspects: dict[str, Suspect], catalog: Catalog) -> None:
    """More requests at a service whose callers also got more requests is their load passing
    through, not news about this service."""
    for s in suspects.values():
        for f in s.of("metrics", "traffic"):
            callers = [suspects[c] for c in catalog.dependents(s.service) if c in suspects]
            mine = f.detail.onset
            if mine and any(
                g.detail.onset and g.detail.onset <= mine + NEAR and g.detail.direction == f.detail.direction
                for c in callers
                for g in c.of("metrics", "traffic")
            ):
                f.weight, f.at, f.category = 0.0, None, None


def _discount_uncorroborated_logs(suspects: dict[str, Suspect], seen: set[str]) -> None:
    """Errors that move none of a watched service's metrics are weaker evidence: chatty
    templates come and go. (Where we have no metrics, logs are all we have.)"""
    for s in suspects.values():
        if s.service in seen and not any(f.weight >= 1 for f in s.of("metrics")):
            for f in s.of("logs"):
                f.weight *= 0.5


def _discount_lone_traffic(suspects: dict[str, Suspect]) -> None:
    """Traffic that moves while nothing else does is the day's curve or a quiet client,
    not an incident."""
    for s in suspects.values():
        others = [f for f in s.findings if f.kind in ("metrics", "logs") and f.role != "traffic" and f.weight >= 1]
        if not others and not s.blamed_by:
            for f in s.of("metrics", "traffic"):
                f.weight *= 0.5


def _symptom_of(s: Suspect, suspects: dict[str, Suspect], seen: set[str]) -> None:
    """A service whose new errors name a dependency that broke no later than it did (or that
    we could not look at). A healthy dependency named in errors points back at the caller."""
    if not s.onset:
        return
    for f in s.of("logs", "peer"):
        t = suspects.get(f.points_to or "")
        if t and (t.onset <= s.onset + NEAR if t.onset else t.service not in seen):
            s.symptom_of = t.service
            return


def _pick_change(s: Suspect) -> None:
    """The change that best explains the anomaly: before its onset, the sooner the likelier,
    and stronger when the evidence repeats what the change introduced."""
    onset = s.onset
    if onset is None:
        return
    own_tokens = log_tokens(" ".join(f.words for f in s.of("logs")))
    first_error = min((f.at for f in s.of("logs") if f.at), default=None)
    best, strength = None, 0.0
    for c in s.of("change"):
        if not c.at or not (onset - CHANGE_HORIZON <= c.at <= onset + NEAR):
            continue
        lag = onset - c.at
        value = 3.0 * (1.0 if lag <= timedelta(minutes=45) else 0.75 if lag <= timedelta(hours=3) else 0.5)
        coherent = bool(change_tokens(c.detail) & own_tokens) or bool(
            first_error and timedelta(0) <= first_error - c.at <= timedelta(minutes=30)
        )
        value += (1.5 if coherent else 0.0) + (0.5 if getattr(c.detail, "diff", None) else 0.0)
        if getattr(c.detail, "kind", "") == "scale":
            value *= 0.5
        if s.symptom_of:
            value *= 0.3  # its errors are about a failing dependency, which no change here explains
        if value > strength:
            best, strength = c, value
    s.change, s.change_strength = best, strength


def _score(s: Suspect, all_: dict[str, Suspect], catalog: Catalog, earliest: datetime | None, seen: set[str]) -> None:
    metrics = [f for f in s.of("metrics") if f.weight > 0]
    saturation = [f for f in metrics if f.role == "saturation"]
    symptoms = [f for f in metrics if f.role == "symptom" or (f.role == "traffic" and f.detail.direction == "down")]
    traffic = [f for f in metrics if f.role == "traffic" and f.category == "capacity" and f.weight >= 1]
    own = [f for f in s.of("logs") if f.role in ("own", "external")]
    peer = s.of("logs", "peer")
    history = [f for f in s.of("history") if f.weight >= 1]
    blamers = {f.service for f in s.blamed_by if f.service != s.service}
    if not s.anomalous and not blamers:
        s.score = 0.0
        return
    score = min(3.0, sum(f.weight for f in saturation)) + min(1.0, 0.5 * len(symptoms))
    score += min(1.0, sum(f.weight for f in traffic))
    score += min(4.0, sum(f.weight for f in own)) + min(0.5, 0.25 * sum(f.weight for f in peer))
    score += s.change_strength
    score += 1.0 if history else 0.0
    # blame counts fully only when this service is visibly failing or could not be looked at
    score += min(4.0, (2.0 if s.anomalous or s.service not in seen else 0.5) * len(blamers))
    if earliest and s.onset:
        if s.onset - earliest <= NEAR:
            score += 1.5 + (1.0 if s.onset == earliest else 0.0)
        later = [all_[d] for d in catalog.dependents(s.service) if d in all_ and all_[d].onset]
        if any(u.onset >= s.onset - NEAR for u in later):
            score += 1.0
    if s.symptom_of:
        score -= 2.5
    s.score = score
    s.category = _category(s, own, saturation, traffic, history, blamers)
    s.kinds = {
        k
        for k, present in (
            ("metrics", saturation or symptoms or traffic),
            ("logs", own or blamers),
            ("change", s.causal_changes()),
            ("history", history),
        )
        if present
    }


def _category(
    s: Suspect,
    own: list[Finding],
    saturation: list[Finding],
    traffic: list[Finding],
    history: list[Finding],
    blamers: set[str],
) -> str:
    if s.change_strength >= STRONG_CHANGE:
        return "recent_change"
    votes: Counter[str] = Counter()
    for f in own:
        votes[f.category or "unknown"] += f.weight
    for f in saturation:
        votes["resource_exhaustion"] += f.weight
    if traffic and saturation and not [f for f in own if f.category == "resource_exhaustion"]:
        votes["capacity"] += sum(f.weight for f in saturation) + 1.0  # legitimate load, not a leak
    for f in history:
        votes[f.category or "unknown"] += 0.5 * f.weight
    if blamers and not own:
        votes["dependency_failure"] += 2.0 * len(blamers)
    for f in s.blamed_by:  # what callers say is wrong with it (an expired certificate, say)
        if f.category and f.category != "dependency_failure":
            votes[f.category] += 1.5 * f.weight
    votes.pop("unknown", None)
    if not votes and traffic:
        return "capacity"
    if not votes and s.change:  # nothing else explains it, and it changed today: suspect the change
        return "recent_change"
    return votes.most_common(1)[0][0] if votes else "unknown"


def _confidence(top: Suspect, runner_up: float) -> str:
    independent = top.kinds & {"metrics", "logs", "change"}
    if top.category == "unknown" or not independent:
        return "LOW"
    weak_change = top.category == "recent_change" and top.change_strength < STRONG_CHANGE
    if len(independent) >= 2 and runner_up <= 0.7 * top.score and not weak_change:
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
    first = top.first
    changes = top.causal_changes()
    if changes:
        c = changes[0]
        gist = diff_gist(getattr(c.detail, "diff", None))
        what = f"; the diff changes `{gist[0]}` to `{gist[1]}`" if gist else ""
        after = f", and {top.service} degraded from {_hm(first.at)}" if first else ""
        statement = f"{c.text}{what}{after}"
        cites = [c.cite.split(":")[0], *([first.cite] if first else []), *(f.cite for f in _cause_findings(top)[1:2])]
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
