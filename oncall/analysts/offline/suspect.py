"""A suspect: a service, the findings about it, and what ranking concluded (score, category,
the change that explains it, whom it broke). Built by ranking; read by the analyst and the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import (
    ChangeFinding,
    Finding,
    HistoryFinding,
    LogFinding,
    LogRole,
    MetricFinding,
    MetricRole,
    TraceFinding,
    WorkloadFinding,
    rotation,
    with_the_hour,
)
from oncall.analysts.offline.patterns import (
    CONSUMED,
    LOGIN_REFUSED,
    UNMATCHED_SIGNATURE,
    UNRESOLVED,
    UNTRUSTED_CERT,
    echoes,
)
from oncall.core.diagnosis import Category
from oncall.tools.read_logs import TemplateStat

EvidenceKind = Literal["metrics", "logs", "change", "history", "k8s", "traces"]
# the service's own evidence besides its metrics: its log lines, what the cluster and the traces say of it
OwnFinding = LogFinding | WorkloadFinding | TraceFinding


@dataclass
class Suspect:
    service: str
    findings: list[Finding] = field(default_factory=list)
    blamed_by: list[OwnFinding] = field(default_factory=list)  # other services' logs naming this one
    score: float = 0.0
    category: Category = "unknown"
    kinds: set[EvidenceKind] = field(default_factory=set)
    symptom_of: str | None = None  # the failing dependency this service's errors name
    change: ChangeFinding | None = None  # the change most likely to have caused it
    change_strength: float = 0.0
    broke: list[str] = field(default_factory=list)  # neighbours its change broke (neighbours.py)
    # ...and whether only their load ties them to it (a flood read from timing and traffic, no shared words)
    broke_by_load: bool = False
    broke_how: str | None = None  # what of it they followed, when not its change (its clock, its memory)
    took_connections_of: str | None = None  # the store whose connections its own work took (outside.py)
    # a change of a dependency it did not follow (a failover: it still holds the old primary)
    stale_since: ChangeFinding | None = None
    below_first: bool = False  # a direct dependency was visibly failing before it moved
    # a dependency we cannot observe (no metrics, no logs of its own) broke when its callers' errors
    # about it began: set by ranking, from the earliest of them
    reported_at: datetime | None = None

    def metrics(self, role: MetricRole | None = None) -> list[MetricFinding]:
        return [f for f in self.findings if isinstance(f, MetricFinding) and (role is None or f.role == role)]

    def logs(self, role: LogRole | None = None) -> list[OwnFinding]:
        """Its log findings and the cluster's about its workload (both say what goes wrong in it)."""
        return [f for f in self.findings if isinstance(f, OwnFinding) and (role is None or f.role == role)]

    def at_limit(self) -> list[MetricFinding]:
        """Its own resources at a limit (restarts say the process died, not why)."""
        return [m for m in self.metrics("saturation") if m.signal != "restarts" and m.weight >= 1]

    def changes(self) -> list[ChangeFinding]:
        return [f for f in self.findings if isinstance(f, ChangeFinding)]

    def changed_before(self, t: datetime) -> list[ChangeFinding]:
        """Its changes that landed in the minutes before `t` (LAG_CLOSE): close enough to be related."""
        return [c for c in self.changes() if c.at and timedelta(0) <= t - c.at <= w.LAG_CLOSE]

    def kept_old_credential(self, c: ChangeFinding) -> bool:
        """`c` rotated a credential and its own errors since say it can no longer use its credential: it
        holds the one from before the rotation (a credential to read again, not a change to undo). Not when
        they say it cannot match what senders signed (a webhook's signature): then it checks with the new
        secret while they still sign with the old one, and the rotation is what to undo. Nor when they say its
        certificate's authority is unknown to its peers: the one it serves is the new one, installed without
        what chains it to a trusted authority."""
        return rotation(c.detail) and self.refused_own_credential()

    def holds_from_before(self, x: Suspect, c: ChangeFinding, category: Category) -> None:
        """It failed holding what X's change `c` replaced (the old primary, address or credential): the cause to
        act on, ranked above X (whose change worked); likely, not proven, since X's change came first."""
        self.category = category
        self.stale_since, self.symptom_of = c, None
        self.kinds = {*self.kinds, "change"}
        self.score = max(self.score, x.score + w.CHANGE_NOT_FOLLOWED)
        self.below_first = True
        if self.service in x.broke:
            x.broke.remove(self.service)

    def refused_own_credential(self) -> bool:
        """Its own errors say the credential it presents is no longer valid (not that it cannot match what others
        signed with theirs, nor that its certificate's authority is unknown: see kept_old_credential)."""
        return any(
            f.category == "expired_credential"
            and not UNMATCHED_SIGNATURE.search(f.words)
            and not UNTRUSTED_CERT.search(f.words)
            for f in self.logs("own")
        )

    def history(self) -> list[HistoryFinding]:
        return [f for f in self.findings if isinstance(f, HistoryFinding)]

    @property
    def onset(self) -> datetime | None:
        """When it visibly broke; for a service we cannot observe, its callers' first reports about it
        count too (a sampled trace sees a failure late, and nothing else of ours sees it at all)."""
        first = self.first
        times = [t for t in (first.at if first else None, self.reported_at) if t]
        return min(times) if times else None

    @property
    def first(self) -> Finding | None:
        """The finding that marks when it visibly broke: a symptom, saturation, an error template,
        traffic falling away. More traffic is load, not breakage, nor is less that did not fall away (a
        quieter hour: fell_away), and a few new warnings alone do not make a service the first to fail,
        unless another service's errors already name it: then its new warnings that say what failed (its
        cluster lost, a limit reached) say when it broke."""
        named = any(f.service != self.service for f in self.blamed_by)
        marks = [
            f
            for f in self.findings
            if isinstance(f, MetricFinding | OwnFinding)
            and f.at
            and (f.weight >= 1 or (named and isinstance(f, LogFinding) and f.role == "own" and f.category))
            and not with_the_hour(f)
            and not background(f)
        ]
        return min(marks, key=at_of) if marks else None

    @property
    def anomalous(self) -> bool:
        return self.onset is not None

    def causal_changes(self) -> list[ChangeFinding]:
        named = self.change_strength >= w.STRONG_CHANGE or self.category == "recent_change"
        return [self.change] if self.change and named else []


def at_of(f: Finding) -> datetime:
    assert f.at is not None
    return f.at


def passes_up(s: Suspect, t: Suspect) -> bool:
    """S's own new errors repeat T's own new error (a driver quoting its database's error, a client
    wrapping its server's reply): T's failure passed up to S. Not when T ran out of what its clients use
    up (connections, client slots, rate, quota): then its clients filled it and stay suspects. Nor when
    T could not resolve a name: each caller resolves its own names, so two services failing to resolve
    suffer the same resolver together; neither passed it to the other. Nor when T refused a login: the
    credential it refused is its client's, and S quoting the refusal says so."""
    return any(
        isinstance(f, LogFinding)
        and f.weight >= w.WITNESS
        and isinstance(g, LogFinding)
        and not CONSUMED.search(g.detail.template)
        and not UNRESOLVED.search(g.detail.template)
        and not LOGIN_REFUSED.search(g.detail.template)
        and echoes(g.detail.template, f.detail.template)
        for f in s.logs("own")
        for g in t.logs("own")
    )


def background(f: Finding) -> bool:
    """A handful of lines of an error it already logged before: background, not when it broke (its
    first line in the window may well be one of the usual ones). A flood of it marks the break."""
    t = f.detail if isinstance(f, LogFinding) else None
    return isinstance(t, TemplateStat) and t.baseline_count > 0 and t.count < w.FLOOD_LINES
