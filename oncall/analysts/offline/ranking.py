"""Ranking suspects: which service broke first along the dependency graph, what the
evidence says about it, and how sure to be. Pure functions of the findings; the
offline analyst turns the top suspect into claims, the Claude loop uses the count
of failing services to pick its model."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from oncall.analysts.offline.findings import Finding, change_tokens, log_tokens
from oncall.core.catalog import Catalog
from oncall.core.results import ToolResult
from oncall.tools.read_metrics import MetricStats

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


def confidence(top: Suspect, runner_up: float) -> str:
    independent = top.kinds & {"metrics", "logs", "change"}
    if top.category == "unknown" or not independent:
        return "LOW"
    weak_change = top.category == "recent_change" and top.change_strength < STRONG_CHANGE
    if len(independent) >= 2 and runner_up <= 0.7 * top.score and not weak_change:
        return "HIGH"
    return "MEDIUM"
