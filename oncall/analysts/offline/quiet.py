"""When nothing stands out: an alert with no incident behind it, or one the evidence cannot explain.
Missing evidence is never evidence of health; a service taken away on purpose is the one absence that
says why it is down."""

from __future__ import annotations

import re
from datetime import datetime

from oncall.analysts.base import Case
from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import (
    ChangeFinding,
    Finding,
    HistoryFinding,
    LogFinding,
    MetricFinding,
    WorkFinding,
    WorkloadFinding,
    fell_away,
    with_the_hour,
)
from oncall.analysts.offline.schedules import fired_on_schedule
from oncall.analysts.offline.suspect import Suspect
from oncall.core.catalog import Catalog
from oncall.core.diagnosis import Action, Claim, Diagnosis, RootCause, RunbookQuote, SimilarIncident
from oncall.core.fmt import fmt_hm
from oncall.tools.read_logs import LogStats
from oncall.tools.read_metrics import MetricStats

# how many instances a change leaves running: `instances: 0`, `replicas: 2 -> 0`, `desired_count = 0`
_TO_NONE = re.compile(r"(instances|replicas|count|capacity|size|nodes)\b\W*0+\s*$", re.I)
_RETIRED = re.compile(r"\b(decommission(ed)?|retired?|sunset|removed from service)\b", re.I)


def nothing_lasting(top: Suspect, suspects: list[Suspect], alerting: str | None, fired: datetime | None = None) -> bool:
    """Nothing lasting is wrong: no symptom that is still there and nothing saturated, anywhere, the
    alerting service's requests have not fallen away (below half, and staying there), and no change was
    followed to services it broke (a rule in front turning users away shows as little else). Errors
    that stopped well before the alert fired (`fired`), with nothing else lasting, were a blip that is
    over (a planned failover's minute of refused sessions), however loud they were."""
    lasting = [
        f
        for s in suspects
        for f in s.findings
        if isinstance(f, MetricFinding)
        and f.at
        and ((f.weight >= 1 and f.role in ("symptom", "saturation")) or (s.service == alerting and fell_away(f)))
    ]
    errors = [f for s in suspects for f in s.logs() if f.weight >= 1]
    if lasting or any(s.broke for s in suspects):
        return False
    # (a finding without a last time, a pod's state or a trace, is taken as still going)
    ends = [getattr(f.detail, "last_seen", None) for f in errors]
    over = fired is not None and all(e is not None and e <= fired - w.BLIP_OVER for e in ends)
    return (not errors and top.score < w.QUIET_SCORE) or (bool(errors) and over)


def only_busy(suspects: list[Suspect], alerting: str | None, catalog: Catalog) -> MetricFinding | None:
    """The alerting service's processors were busy (serving more requests, perhaps), and that is all: nothing
    on it or anywhere slowed (beyond the queueing of far more requests), failed, restarted, ran out or lost its
    traffic, and nothing was broken by a change. A busy CPU with no one worse off is work being done (a batch, a
    monthly run), not a failure; the processors of what it uses busy with it are the same work (the run's
    queries), and so are its users' requests waiting on it a little longer (a p99 up by less than twice: the
    work's queueing, reaching them). That busy signal."""
    mine = next((s for s in suspects if s.service == alerting), None)
    if mine is None or mine.broke or any(s.broke for s in suspects):
        return None
    busy = [f for f in mine.findings if isinstance(f, MetricFinding) and f.weight > 0]
    served = max((f.detail.rise or 0.0 for f in mine.metrics() if f.more_traffic), default=0.0)
    used, users = set(catalog.dependencies(mine.service, depth=1)), set(catalog.dependents(mine.service))
    # a run of work it logs (a batch, a monthly run) shares the processors with its requests: they wait a little
    # longer, as they do under far more requests; a user of it running one it logs (an import writing to it) is
    # where its work came from, its own processors busy with it
    runners = {
        s.service for s in suspects if s.service in users and any(isinstance(f, WorkFinding) for f in s.findings)
    }
    running = any(isinstance(f, WorkFinding) for f in mine.findings)
    if running:
        served = max(served, w.QUEUEING)
    if not any(_busy_cpu(f) for f in busy) or any(
        not (_busy_cpu(f) or _more_served(f) or _queued(f, served) or (running and _in_proportion(f, served)))
        for f in busy
    ):
        return None
    for s in suspects:
        for f in s.findings:
            if f in busy or f.weight < 1 or isinstance(f, ChangeFinding | HistoryFinding):
                continue
            if not (
                (s.service in used and _busy_cpu(f))
                or (s.service in users and _queued(f, w.QUEUEING))
                or (s.service in runners and _busy_cpu(f))  # the run's own processors, busy with it
            ):
                return None
    # new code burning more CPU is a regression on its way, not work; unless the CPU rose no more than the
    # requests it serves (the same work per request: the change brought more work, a planned wave)
    began = min((f.at for f in busy if f.at), default=None)
    changed = began and mine.changed_before(began)
    if changed and not in_step([f for f in mine.findings if isinstance(f, MetricFinding)]):
        return None
    return next(f for f in busy if _busy_cpu(f))


def kept_up(suspects: list[Suspect], alerting: str | None) -> bool:
    """The alerting service took on more requests than usual and its p99 rose, but by less than twice and no
    more than its requests did, and that is all: nothing failed, saturated, restarted, flooded or slowed anywhere
    else. Requests waiting a little longer in proportion to how many more came: the load's queueing, answered, not
    a failure (no_incident's brief cites the requests' rise)."""
    mine = next((s for s in suspects if s.service == alerting), None)
    more = [_rise(f) for f in mine.metrics() if f.more_traffic] if mine else []
    if not more:
        return False
    served = max(more)
    for s in suspects:
        for f in s.findings:
            if f.weight < 1 or isinstance(f, ChangeFinding | HistoryFinding):
                continue
            queued = (
                s is mine
                and isinstance(f, MetricFinding)
                and f.signal == "latency_p99"
                and _rise(f) < w.QUEUEING
                and _rise(f) <= served
            )
            if not queued:
                return False
    return True


# what a change filed as planned work says it does: maintenance a team runs on a store on purpose (a DBA's
# table reorganisation, statistics refresh or index rebuild among it; data moved between a cluster's nodes:
# Kafka's partition reassignment, a shard rebalance, HDFS's balancer), a load test, a drill (a rehearsed
# failover), a node drained
PLANNED_WORK = re.compile(
    r"\b(maintenance|re-?index(ing)?|vacuum(ing)?|backups?|compactions?|force[-_ ]?merge|load[-_ ]?test|drills?"
    r"|reassign(ment|ing)?|rebalanc(e|es|ing)|balancer"
    r"|reorg(ani[sz]e|ani[sz]ation)?|runstats|analy[sz]e[-_ ]table|optimi[sz]e[-_ ]table"
    r"|(re)?build[-_ ]index(es)?|index[-_ ]rebuild)\b"
    r"|\b(node|kubectl|nomad)\b.{0,40}\bdrain\b",
    re.I,
)
# planned work that moves a node's instances elsewhere (a node drained, cordoned, its workloads evicted), or a
# store's primary to another instance (a failover, a switchover, a standby promoted): each instance it moves
# starts again, on purpose
MOVES_INSTANCES = re.compile(
    r"\bdrain(ed|ing)?\b|\bcordon(ed)?\b|\bevict(ed|ion|ing)?\b|\bfail-?over\b|\bswitch-?over\b|\bpromot(e|ed|ion)\b",
    re.I,
)


# a change that restarts a service's instances on purpose: a rollout restart (Kubernetes stamps the template's
# kubectl.kubernetes.io/restartedAt), a restart filed as such
ASKED_RESTART = re.compile(r"\brestart(s|ed|ing)?\b|restartedAt", re.I)


def planned_work(suspects: list[Suspect], alerting: str | None) -> ChangeFinding | None:
    """A change filed as planned work (maintenance: a reindex, a vacuum, a backup, a compaction; a load test; a
    restart asked for) landed on the alerting service shortly before it moved, and since then it has only been
    busy, slower and warning, failing nothing: no error line or error rate on it or anywhere, nothing restarted
    (but the instances a drain or the restart moved) or broken by a change, no other service slower. The work
    it was filed for, not an incident. That change."""
    mine = next((s for s in suspects if s.service == alerting), None)
    if mine is None or mine.onset is None or any(s.broke for s in suspects):
        return None

    def said(c: ChangeFinding) -> str:
        return f"{c.detail.kind} {c.detail.to or ''}"

    planned = [
        c
        for c in mine.changed_before(mine.onset)
        if PLANNED_WORK.search(said(c)) or fired_on_schedule(c.detail) or ASKED_RESTART.search(said(c))
    ]
    if not planned:
        return None
    # (its instances restarted as the work moved them, or as the restart asked: what the work does, not a failure)
    moves = bool(MOVES_INSTANCES.search(planned[-1].detail.to or "") or ASKED_RESTART.search(said(planned[-1])))
    for s in suspects:
        for f in s.findings:
            if f.weight < 1 or isinstance(f, ChangeFinding | HistoryFinding):
                continue
            if s is not mine:
                return None  # another service moved: the work reached beyond the one doing it
            restarted = moves and isinstance(f, MetricFinding) and f.signal == "restarts"
            busy = (
                _busy_cpu(f)
                or _more_served(f)
                or (isinstance(f, MetricFinding) and f.signal == "latency_p99")
                or restarted
            )
            warned = isinstance(f, LogFinding) and f.detail.level == "WARN"
            if not (busy or warned):
                return None
    return planned[-1]


def change_absorbed(suspects: list[Suspect], alerting: str | None) -> ChangeFinding | None:
    """A change on the alerting service was being applied (an operator restarting a store's nodes one at a time
    to apply a setting) and nothing failed: no error line or error rate on it or anywhere, nothing saturated, no
    one slower; the cluster may have seen its instances restart, and its users only warned (they reconnected to
    an instance that went away). A change applied as designed, not an incident. That change: the last to land
    before the first of those signs."""
    mine = next((s for s in suspects if s.service == alerting), None)
    if mine is None:
        return None
    # (a warning the cluster stopped raising has no time as a finding: a rollout's probes fail for a minute)
    signs = [
        t
        for s in suspects
        for f in s.findings
        if (s is mine and (isinstance(f, WorkloadFinding) or (isinstance(f, MetricFinding) and f.signal == "restarts")))
        or (isinstance(f, LogFinding) and f.weight >= 1 and f.detail.level == "WARN")
        if (t := f.at or getattr(f.detail, "first_seen", None)) is not None
    ]
    changes = mine.changed_before(min(signs)) if signs else []
    if not changes:
        return None
    for s in suspects:
        for f in s.findings:
            if f.weight < 1 or isinstance(f, ChangeFinding | HistoryFinding):
                continue
            # (nor are requests moving with the hour anywhere: more, or fewer that did not fall away)
            harmless = (isinstance(f, LogFinding) and f.detail.level == "WARN") or with_the_hour(f)
            if not (harmless or (s is mine and (_busy_cpu(f) or isinstance(f, WorkloadFinding)))):
                return None
    return changes[-1]


def in_step(found: list[MetricFinding]) -> bool:
    """The busy CPU rose no more than the requests served did (within IN_STEP, as samples scatter): each request
    costs what it cost before."""
    cpu = [_rise(f) for f in found if _busy_cpu(f)]
    served = [_rise(f) for f in found if _more_served(f)]
    return bool(cpu and served) and max(cpu) <= max(served) * w.IN_STEP


def _rise(f: MetricFinding) -> float:
    """How many times its baseline the signal's peak is (infinite without a baseline)."""
    rise = f.detail.rise
    return rise if rise is not None else float("inf")


def _busy_cpu(f: Finding) -> bool:
    return isinstance(f, MetricFinding) and f.role == "saturation" and f.signal == "cpu_utilization"


def _queued(f: Finding, served: float) -> bool:
    """Requests waiting a little longer while far more of them arrive: the load's queueing, not a failure (a p99
    up by half under five times the requests); `served`: how many times its baseline the requests rose."""
    rise = f.detail.rise if isinstance(f, MetricFinding) and f.signal == "latency_p99" else None
    return rise is not None and rise < w.QUEUEING and served >= w.QUEUEING


def _in_proportion(f: Finding, served: float) -> bool:
    """While it runs a batch of its own that it logs, its p99 rose no more than the work it took on did: each job
    waits on the others in proportion to how many more there are (the run's cost, not a failure)."""
    rise = f.detail.rise if isinstance(f, MetricFinding) and f.signal == "latency_p99" else None
    return rise is not None and rise <= served


def _more_served(f: Finding) -> bool:
    """More requests than usual: with nothing slower or failing, the work the busy processors are doing."""
    return isinstance(f, MetricFinding) and f.role == "traffic" and f.detail.direction == "up"


def retired(svc: str, found: list[Finding]) -> ChangeFinding | None:
    """A change in the day before that took the service away on purpose (scaled to no instances,
    decommissioned): its silence is that change's doing, not a failure."""
    out = [
        f
        for f in found
        if isinstance(f, ChangeFinding)
        and f.service == svc
        and (_TO_NONE.search(f.detail.to or "") or _RETIRED.search(f"{f.detail.kind} {f.detail.to or ''}"))
    ]
    return max(out, key=lambda f: f.at or f.detail.ts, default=None)


def _more_requests(svc: str, found: list[Finding]) -> MetricFinding | None:
    """The alerting service's requests rising above their baseline, if they did."""
    return next((f for f in found if isinstance(f, MetricFinding) and f.service == svc and f.more_traffic), None)


def no_incident(
    case: Case,
    found: list[Finding],
    missing: list[str],
    runbook: list[RunbookQuote],
    similar: list[SimilarIncident],
    busy: MetricFinding | None = None,
    planned: ChangeFinding | None = None,
    applied: ChangeFinding | None = None,
) -> Diagnosis:
    """Nothing stands out (or only a busy CPU: `busy`, see only_busy; or only the planned work a change
    filed: `planned`, see planned_work; or only a change being applied: `applied`, see change_absorbed). That
    is "no incident" only when
    the alerting service itself was seen, in its metrics during the window and in its logs, or when a
    change took it away on purpose and nothing that uses it fails: otherwise missing evidence is never
    evidence of health."""
    svc = case.alert.service or "unknown"
    seen = [
        r
        for r in case.context.results
        if r.ok and isinstance(r.data, MetricStats) and r.data.service == svc and r.data.signals
    ]
    logs_read = any(
        r.ok and isinstance(r.data, LogStats) and r.data.query.service == svc and r.data.total
        for r in case.context.results
    )
    if seen and logs_read and svc in case.catalog.services:
        r = seen[0]
        rc = RootCause(
            service=svc,
            category="no_incident",
            confidence="MEDIUM" if not missing else "LOW",
            statement=f"no signal of {svc} left its baseline and no new error templates appeared",
            cites=[r.id],
        )
        summary = [Claim(text="Metrics and logs stayed at their baseline: the alert looks noisy", cites=[r.id])]
        act = ("none", "No action; review the alert's threshold if it keeps firing")
        if busy is not None:
            rc.statement = (
                f"the CPU of {svc} was busy ({busy.text}), and nothing on it or on its users failed or restarted, "
                "nor slowed beyond the queueing of the requests it took on: work being done, not a failure"
            )
            rc.cites = [busy.cite]
            summary = [Claim(text=f"The CPU of {svc} was busy, and nothing failed: {busy.text}", cites=[busy.cite])]
            act = ("none", "No action while nothing else moves; if the work is expected at this hour, review the alert")
        elif planned is not None:
            rc.statement = (
                f"{svc} is doing the planned work filed just before it moved ({planned.text}): it is busier and "
                "slower, and nothing on it or anywhere failed, restarted or slowed: work being done, not a failure"
            )
            rc.cites = [planned.cite]
            summary = [Claim(text=f"{svc} is busy with planned work: {planned.text}", cites=[planned.cite])]
            act = ("none", "No action while nothing fails; if the work should not slow it this much, pace it")
        elif applied is not None:
            rc.statement = (
                f"{svc} changed just before its alert ({applied.text}), and since then nothing on it or anywhere "
                "failed, ran out or slowed: its users only warned while the change was applied"
            )
            rc.cites = [applied.cite]
            summary = [
                Claim(text=f"{svc} is applying a change, and nothing fails: {applied.text}", cites=[applied.cite])
            ]
            act = (
                "none",
                "No action while nothing fails; if the change does not finish applying, look at where it stopped",
            )
        elif (more := _more_requests(svc, found)) is not None:
            # (its requests did leave their baseline: the brief says so, and that they were answered)
            rc.statement = (
                f"{svc} took more requests than usual ({more.text}) and answered them: no errors, no slowing "
                "beyond the load, no new error templates"
            )
            rc.cites = [more.cite]
            summary = [Claim(text=f"Requests to {svc} rose and were served: {more.text}", cites=[more.cite])]
            act = ("none", "No action while it keeps up; if this load is now normal, review the alert's threshold")
    elif (gone := retired(svc, found)) is not None and not (seen and logs_read):
        missing = [*missing, f"no telemetry of {svc} in the window, as expected once it was taken away"]
        when = f" at {fmt_hm(gone.at)}" if gone.at else ""
        rc = RootCause(
            service=svc,
            category="no_incident",
            confidence="MEDIUM",
            statement=f"{svc} was taken away on purpose{when} ({gone.text}) and nothing that was read is failing: "
            "the alert watches a target that is meant to be gone",
            cites=[gone.cite],
        )
        summary = [Claim(text=f"{svc} is down because a change took it away{when}: {gone.text}", cites=[gone.cite])]
        act = (
            "none",
            f"No action on {svc}; remove the alert or scrape target left for it, or restore it if taking it away "
            "was a mistake",
        )
    else:
        gap = []
        if not seen:
            gap.append(f"no metric of {svc} had samples in the incident window")
        if not logs_read:
            gap.append(f"no log line of {svc} was found in the window")
        missing = [*missing, *gap]
        # the reads that came back empty are the evidence: cite them, so the engineer sees what is absent
        empty = [
            r.id
            for r in case.context.results
            if r.ok and isinstance(r.data, MetricStats | LogStats) and _about(r.data) == svc
        ]
        rc = RootCause(
            service=svc,
            category="unknown",
            confidence="LOW",
            cites=empty,
            statement=f"not enough evidence to diagnose this alert: {'; '.join(gap) or 'nothing stands out'}",
        )
        summary = [Claim(text=f"The alert is not explained by what could be read: {'; '.join(gap)}", cites=empty)]
        summary = summary if empty and gap else []
        act = (
            "escalate",
            f"Escalate to the owners of {svc}, and find out why its telemetry is missing (scrape target, log "
            "shipper) before treating the alert as noise",
        )
    return Diagnosis(
        summary=summary,
        root_cause=rc,
        actions=[Action(kind=act[0], target=svc, cites=rc.cites or [], description=act[1])],
        runbook=runbook,
        similar_incidents=similar,
        missing_evidence=missing,
    )


def _about(data: MetricStats | LogStats) -> str:
    return data.service if isinstance(data, MetricStats) else data.query.service
