"""Ranking suspects: which service broke first along the dependency graph, what the
evidence says about it, and how sure to be. A pure function of the findings: `rank`
never changes what it is given; it returns new `Suspect`s built from adjusted copies.
The offline analyst turns the top suspect into claims; the Claude loop uses the count
of failing services to pick its model."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cmp_to_key

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.attribution import reattribute
from oncall.analysts.offline.findings import (
    FILLING_SIGNALS,
    ChangeFinding,
    Finding,
    HistoryFinding,
    LogFinding,
    MetricFinding,
    change_said,
    fell_away,
    log_tokens,
    reaction,
)
from oncall.analysts.offline.loads import hurt_at
from oncall.analysts.offline.neighbours import follow_changes
from oncall.analysts.offline.outside import look_beyond
from oncall.analysts.offline.patterns import (
    LOGIN_REFUSED,
    NEVER_ARRIVED,
    POOL_DRY,
    REFUSALS,
    TIMED_OUT,
    echoes,
    reaches,
    their_cert,
)
from oncall.analysts.offline.suspect import EvidenceKind, OwnFinding, Suspect, background, passes_up
from oncall.core import diffs
from oncall.core.catalog import Catalog, mentions
from oncall.core.diagnosis import Category, Confidence
from oncall.core.results import ToolResult
from oncall.tools.read_metrics import MetricStats
from oncall.tools.read_traces import TraceStats


def observed(results: list[ToolResult]) -> set[str]:
    """Services whose metrics we actually saw: for them, no anomaly means healthy."""
    return {r.data.service for r in results if r.ok and isinstance(r.data, MetricStats) and r.data.signals}


def counting(results: list[ToolResult]) -> set[str]:
    """Services with a metric that counts their requests or errors: for them, errors that move no metric are
    chatty; for a job watched only for its processor, memory and disk, its logs are all we have of its errors."""
    return {
        r.data.service
        for r in results
        if r.ok and isinstance(r.data, MetricStats)
        and any(x.signal in ("request_rate", "error_ratio") for x in r.data.signals)
    }  # fmt: skip


def unwatched(results: list[ToolResult]) -> set[str]:
    """Services whose metrics were asked for and have none at all: a provider or backend we have no
    telemetry from (not one we did not look at)."""
    return {r.data.service for r in results if r.ok and isinstance(r.data, MetricStats) and not r.data.signals}


def reached(results: list[ToolResult]) -> set[tuple[str, str]]:
    """(caller, callee) call edges the traces show working in the window: enough calls, none failing."""
    return {
        (e.caller, e.callee)
        for r in results
        if r.ok and isinstance(r.data, TraceStats)
        for e in r.data.edges
        if e.calls >= w.TRACE_FAILURES and e.errors == 0
    }


def rank(
    found: list[Finding],
    catalog: Catalog,
    services: list[str],
    seen: set[str] | None = None,
    working: Collection[tuple[str, str]] = (),
    alerting: str | None = None,
    dark: Collection[str] = (),
    counted: Collection[str] | None = None,
) -> list[Suspect]:
    """`seen`: services whose metrics were read; `working`: call edges the traces show working (`reached`);
    `dark`: services read and found to have no metrics at all (`unwatched`); `counted`: those with a metric of
    their requests or errors (`counting`; None: every one seen)."""
    seen = set(services) if seen is None else seen
    found = reattribute(found, catalog, seen, working, dark)
    by_service: dict[str, list[Finding]] = {s: [] for s in services}
    for f in found:
        by_service.setdefault(f.service, []).append(f)
        if f.points_to:
            by_service.setdefault(f.points_to, [])
    blamed = {f.points_to for f in found if f.points_to}
    by_service = _explain_traffic(by_service, catalog)
    by_service = _discount_uncorroborated_logs(by_service, seen if counted is None else set(counted))
    by_service = _discount_lone_traffic(by_service, blamed, alerting)
    suspects = {s: Suspect(s, findings=fs) for s, fs in by_service.items()}
    # witnesses in the order they were found; the adjusted copy sits at the same place of its service's list
    seen_of: Counter[str] = Counter()
    for f in found:
        adjusted = by_service[f.service][seen_of[f.service]]
        seen_of[f.service] += 1
        if (
            isinstance(adjusted, OwnFinding)
            and adjusted.points_to
            and not _expired_first(suspects[f.service], suspects[adjusted.points_to])
        ):
            suspects[adjusted.points_to].blamed_by.append(adjusted)
    for s in suspects.values():
        if (s.service not in seen or _never_reached(s)) and s.blamed_by:
            s.reported_at = min((f.at for f in s.blamed_by if f.at and f.weight >= w.WITNESS), default=None)
    onsets = [s.onset for s in suspects.values() if s.onset]
    earliest = min(onsets) if onsets else None
    for s in suspects.values():
        s.symptom_of = _symptom_of(s, suspects, seen, catalog, dark)
    cut_off = _cut_off_callers(suspects, seen)
    stated = _stated_at(suspects)
    for s in suspects.values():
        s.below_first = _dependency_broke_first(s, suspects, catalog)
        s.change, s.change_strength = _pick_change(s, s.below_first, _stated_elsewhere(s, stated))
        _score(s, suspects, catalog, earliest, seen, seen if counted is None else counted)
    follow_changes(suspects, catalog, seen)
    for name, callers in cut_off.items():
        suspects[name].score = min(suspects[name].score, w.CUT_OFF * min(c.score for c in callers))
    look_beyond(suspects, catalog, seen)
    _victims_below_causes(suspects)
    _refusers_below_refused(suspects, catalog)

    # equal scores: a service whose errors are about another that broke no later comes after it
    def order(a: Suspect, b: Suspect) -> int:
        return _before(a, b, alerting)

    return sorted(suspects.values(), key=cmp_to_key(order))


def _before(a: Suspect, b: Suspect, alerting: str | None) -> int:
    """Which of two suspects the brief names first: the higher score; on equal scores, not one whose errors are
    about another that broke no later, then the one that broke first; and of two the evidence cannot tell apart
    (they broke in the same moment, within what clocks and intervals can tell), the one the alert is about,
    where the engineer is looking and where the alert will clear."""
    if a.score != b.score:
        return -1 if a.score > b.score else 1
    if (a.symptom_of is None) != (b.symptom_of is None):
        return -1 if a.symptom_of is None else 1
    never = datetime.max.astimezone()
    ta, tb = a.onset or never, b.onset or never
    if abs(ta - tb) > w.CLOCK_SKEW:
        return -1 if ta < tb else 1
    if (a.service == alerting) != (b.service == alerting):
        return -1 if a.service == alerting else 1
    first, second = (ta, a.service), (tb, b.service)
    return (first > second) - (first < second)


Grouped = dict[str, list[Finding]]
# what a caller's errors about a dependency can still say of the caller itself
OWN_SIDE: tuple[Category, ...] = ("expired_credential", "permission_denied", "recent_change")


def _victims_below_causes(suspects: dict[str, Suspect]) -> None:
    """A victim never outranks the dependency its errors name, unless its own errors say what is wrong
    with it: a credential or permission of its own that the dependency refuses, a change of its own.
    Along a chain (a caller of a caller), each is held below the one beneath it, however they are listed.
    """
    for _ in range(len(suspects)):
        moved = False
        for s in suspects.values():
            cause = suspects.get(s.symptom_of or "")
            own_fault = any(f.category in OWN_SIDE for f in s.logs() if f.role in ("own", "external"))
            if cause is not None and not s.broke and 0 < cause.score < s.score and not own_fault:
                s.score, moved = cause.score, True
        if not moved:
            break


def _refusers_below_refused(suspects: dict[str, Suspect], catalog: Catalog) -> None:
    """A server whose new error lines are all refusals of a login (LOGIN_REFUSED) that a client of its own quotes
    in its errors refused the client's credential: the client's fault, which the server only witnessed. It
    is held at the client's score and counted its symptom, so the client comes first."""
    for t in suspects.values():
        refused = [g.detail.template for g in t.logs("own") if isinstance(g, LogFinding) and g.weight >= w.WITNESS]
        if not refused or not all(LOGIN_REFUSED.search(r) for r in refused):
            continue
        for name in catalog.dependents(t.service):
            s = suspects.get(name)
            if s is not None and any(
                echoes(r, f.detail.template) for f in s.logs("own") if isinstance(f, LogFinding) for r in refused
            ):
                t.score, t.symptom_of = min(t.score, s.score), s.service
                break


def _cut_off_callers(suspects: dict[str, Suspect], seen: set[str]) -> dict[str, list[Suspect]]:
    """A dependency we have no signal from, whose every accusing caller had just changed how it reaches
    others (egress rules, proxy, hosts, endpoints) before its errors began: those changes cut the callers
    off, and nothing but their own calls says the dependency failed. Their errors are their own (their
    change is weighed in full); the dependency is held below them once scored."""
    out: dict[str, list[Suspect]] = {}
    for t in suspects.values():
        callers = [s for s in suspects.values() if s.symptom_of == t.service]
        if t.service not in seen and callers and all(_reach_changed(c) for c in callers):
            out[t.service] = callers
            for c in callers:
                c.symptom_of = None
    return out


def _reach_changed(s: Suspect) -> bool:
    """A change of its own to how it reaches others landed in the minutes before it broke."""
    onset = s.onset
    return onset is not None and any(
        c.at is not None and timedelta(0) <= onset - c.at <= w.JUST_AFTER and reaches(*change_said(c.detail))
        for c in s.changes()
    )


def _never_reached(s: Suspect) -> bool:
    """Callers fail before their requests reach it: its certificate fails the handshake (expired,
    untrusted, for another name), its port refuses, the proxy in front of it has no healthy upstream
    or aborts by rule, the way to it is cut (a network failure its callers witness). Its own metrics cannot show
    what never arrived, so they do not acquit it, and when it broke is when callers began to say so."""
    return any(their_cert(f.words) or NEVER_ARRIVED.search(f.words) or f.category == "network" for f in s.blamed_by)


def _explain_traffic(by_service: Grouped, catalog: Catalog) -> Grouped:
    """More requests at a service whose callers also got more requests is their load passing
    through, not news about this service; fewer, when its callers' fell first: requests pass down from
    callers, so a service whose requests fell before any caller's lost clients of its own (a broker its
    publishers cannot reach), which its callers then miss."""

    def passed_through(service: str, f: MetricFinding) -> bool:
        mine = f.detail.onset
        slack = w.NEAR if f.detail.direction == "up" else timedelta(0)
        return bool(mine) and any(
            isinstance(g, MetricFinding)
            and g.role == "traffic"
            and g.detail.onset
            and mine
            and g.detail.onset <= mine + slack
            and g.detail.direction == f.detail.direction
            for c in catalog.dependents(service)
            for g in by_service.get(c, [])
        )

    return {
        s: [
            replace(f, weight=0.0, at=None, category=None)
            if isinstance(f, MetricFinding) and f.role == "traffic" and passed_through(s, f)
            else f
            for f in fs
        ]
        for s, fs in by_service.items()
    }


def _discount_uncorroborated_logs(by_service: Grouped, counted: set[str]) -> Grouped:
    """Errors that move none of the metrics of a service whose requests or errors a metric counts are weaker
    evidence: chatty templates come and go. (Where no metric counts them, logs are all we have.)"""
    out: Grouped = {}
    for s, fs in by_service.items():
        quiet = s in counted and not any(isinstance(f, MetricFinding) and f.weight >= 1 for f in fs)
        out[s] = [
            replace(f, weight=f.weight * w.UNCORROBORATED_LOGS) if quiet and isinstance(f, LogFinding) else f
            for f in fs
        ]
    return out


def _discount_lone_traffic(by_service: Grouped, blamed: set[str], alerting: str | None) -> Grouped:
    """Traffic that moves while nothing else does is the day's curve or a quiet client, not an
    incident; unless it is the alerting service's, fallen below half and staying there: what the alert
    reports, users not reaching it."""
    out: Grouped = {}
    for s, fs in by_service.items():
        others = [
            f
            for f in fs
            if isinstance(f, MetricFinding | LogFinding)
            and not (isinstance(f, MetricFinding) and f.role == "traffic")
            and f.weight >= 1
        ]
        lone = not others and s not in blamed
        out[s] = [
            replace(f, weight=f.weight * w.LONE_TRAFFIC)
            if lone and isinstance(f, MetricFinding) and f.role == "traffic" and not (s == alerting and fell_away(f))
            else f
            for f in fs
        ]
    return out


def at_onset(s: Suspect) -> datetime:
    assert s.onset is not None
    return s.onset


def _symptom_of(
    s: Suspect, suspects: dict[str, Suspect], seen: set[str], catalog: Catalog, dark: Collection[str] = ()
) -> str | None:
    """A service whose new errors name a dependency that broke no later than it did (or that
    we could not look at), or whose own errors name a dependency already visibly broken before it
    moved, or repeat a dependency's own new error raised no later. A healthy dependency named in
    errors points back at the caller.
    A service whose own lines only say that it waited (they name no category, and no resource of its own
    is at a limit), whose dependency showed its own failure (its own errors, a resource at its limit)
    within a sample of it, is that dependency's victim: a store's first abnormal sample can come a
    minute after the lines of those waiting on it.
    A service whose errors say a call failed without naming the callee, none of whose dependencies is one we
    looked for and could not see, is the victim of the one already failing with errors of its own before it
    moved.
    A service with no errors of its own at all, whose dependency (direct or further down) was
    already failing with errors of its own before it moved, is that dependency's victim too."""
    if not s.onset:
        return None
    for f in s.logs("peer"):
        if f.weight < w.WITNESS:
            continue
        t = suspects.get(f.points_to or "")
        if t and (_expired_first(s, t) or (f.category in (None, "dependency_failure") and _only_fewer(t))):
            continue
        if t and (t.onset <= s.onset + w.NEAR if t.onset else t.service not in seen):
            return t.service
    for f in s.logs("own"):  # its own errors name a dependency that was already visibly broken before it moved
        for d in catalog.dependencies(s.service, depth=1):
            t = suspects.get(d)
            if (
                t
                and t.onset
                and t.onset < s.onset - w.NEAR
                and (t.metrics("saturation") or t.logs("own"))
                and mentions(d, f.words)
            ):
                return d
    for d in catalog.dependencies(s.service, depth=1):  # its own errors repeat a dependency's, raised no later
        t = suspects.get(d)
        if t and t.onset and t.onset <= s.onset + w.NEAR and passes_up(s, t):
            return d
    # it only waited: its own lines say nothing of what is wrong, no resource of its own is at a limit, and
    # a dependency it uses showed its own failure no later than it did
    own = s.logs("own")
    if own and not any(f.category for f in own) and not s.at_limit() and not s.logs("external"):
        failing = [
            t
            for d in catalog.dependencies(s.service, depth=1)
            if (t := suspects.get(d))
            and t.onset
            and t.onset <= s.onset + w.SAMPLE_LAG
            and (t.at_limit() or any(f.weight >= 1 for f in t.logs("own")))
        ]
        if failing:
            return min(failing, key=at_onset).service
    # its errors say a call failed and name no callee, and none of its dependencies is one we looked for and
    # could not see: the call that failed went to the dependency already failing with errors of its own
    deps = catalog.dependencies(s.service, depth=1)
    if any(f.weight >= w.WITNESS for f in s.logs("external")) and not any(d in dark for d in deps):
        failing = [
            t
            for d in deps
            if (t := suspects.get(d)) and t.onset and t.onset < s.onset and any(f.weight >= 1 for f in t.logs("own"))
        ]
        if failing:
            return min(failing, key=at_onset).service
    if not s.logs() and not s.metrics("saturation"):
        # (the dependency's new warnings count from their first line; with no lines of its own, this one's
        # onset is a metric's first abnormal sample, which stamps the start of the minute it measured: a line
        # logged within that minute is no later)
        told = {
            t.service: since
            for d in catalog.dependencies(s.service)
            if (t := suspects.get(d)) and (since := _logging_since(t)) and since < s.onset + w.SAMPLE_LAG
        }
        if told:  # (a dependency whose lines are warnings only has no onset: when it told is its time)
            return min(told, key=lambda d: (told[d], d))
    return None


def _logging_since(t: Suspect) -> datetime | None:
    """When it began failing, as it told: its onset, or its first new error or warning line if earlier
    (None without lines of its own: then it told nothing)."""
    said = [f.at for f in t.logs() if f.at and not background(f)]
    return min([*said, *([t.onset] if t.onset else [])]) if said else None


def _expired_first(s: Suspect, t: Suspect) -> bool:
    """S's own errors say its own credential or certificate expired (not a peer's that it checked), and T
    moved no earlier than S did (T refusing S moves with S, in the same minute): S fails for a reason of its
    own, so its failing calls to T neither make it T's victim nor witness against T. (A permission refused
    is not S's alone: the one refusing may have changed what it allows.)"""
    return (
        s.onset is not None
        and t.onset is not None
        and t.onset >= s.onset
        and any(
            f.category == "expired_credential" and f.weight >= w.WITNESS and not their_cert(f.words)
            for f in s.logs("own")
        )
    )


def _only_fewer(t: Suspect) -> bool:
    """All T shows is that fewer requests reach it (no errors, no latency, nothing at a limit, no lines or events
    of its own): that is what a caller failing its requests causes, not what fails a caller, when the caller
    says no more than that its calls were slow or failed. (A caller saying why they fail, T unreachable, its
    certificate expired, tells of T: then fewer is T's failure.)"""
    moved = [f for f in t.metrics() if f.weight > 0]
    return (
        bool(moved)
        and all(f.role == "traffic" and f.detail.direction == "down" for f in moved)
        and not any(f.weight >= w.WITNESS for f in t.logs("own"))
    )


def _dependency_broke_first(s: Suspect, suspects: dict[str, Suspect], catalog: Catalog) -> bool:
    """A direct dependency was visibly failing (saturated, or errors of its own) before this one moved."""
    return bool(s.onset) and any(
        (t := suspects.get(d)) is not None
        and t.onset is not None
        and s.onset is not None
        and t.onset < s.onset
        and (t.metrics("saturation") or t.logs("own"))
        for d in catalog.dependencies(s.service, depth=1)
    )


def _stated_at(suspects: dict[str, Suspect]) -> dict[str, datetime]:
    """When each service's own errors began saying what broke (naming a category), for those whose do."""
    said = {t.service: [f.at for f in t.logs("own") if f.category and f.at] for t in suspects.values()}
    return {name: min(ats) for name, ats in said.items() if ats}


def _stated_elsewhere(s: Suspect, stated: dict[str, datetime]) -> bool:
    """Another service's own errors say what broke (_stated_at), and began no later than this one broke."""
    return s.onset is not None and any(at <= s.onset + w.NEAR for name, at in stated.items() if name != s.service)


def _pick_change(
    s: Suspect, dependency_first: bool = False, stated_elsewhere: bool = False
) -> tuple[ChangeFinding | None, float]:
    """The change that best explains the anomaly: before its onset, the sooner the likelier,
    and stronger when the evidence repeats what the change introduced. When a dependency broke
    first, a change made hours earlier explains the timing less well than the dependency does; and a release
    that only moved a version, long before, less well than another service's errors saying what broke."""
    onset = s.onset
    if onset is None:
        return None, 0.0
    own_tokens = log_tokens(" ".join(f.words for f in s.logs()))
    first_error = min((f.at for f in s.logs() if f.at and not background(f)), default=None)
    best, strength = None, 0.0
    just_before = sum(
        1 for c in s.changes() if first_error and c.at and timedelta(0) <= first_error - c.at <= w.FIRST_ERROR_AFTER
    )
    for c in s.changes():
        # a signal's first abnormal sample is when it had already moved: a change after it (beyond the
        # systems' clock skew) came too late to start it, and is more likely a reaction to it
        if not c.at or not (onset - w.CHANGE_HORIZON <= c.at <= onset + w.CLOCK_SKEW):
            continue
        if first_error and c.at > first_error + w.CLOCK_SKEW:
            continue  # it landed after the service was already logging the errors: it did not start them
        lag = onset - c.at
        value = w.CHANGE * (
            w.LAG_CLOSE_FACTOR
            if lag <= w.LAG_CLOSE
            else w.LAG_MEDIUM_FACTOR
            if lag <= w.LAG_MEDIUM
            else w.LAG_FAR_FACTOR
        )
        repeated = bool(c.tokens() & own_tokens)
        # timing ties a change to the errors only when it alone landed in the half hour before them
        timely = bool(first_error and timedelta(0) <= first_error - c.at <= w.FIRST_ERROR_AFTER) and just_before == 1
        value += (w.REPEATED_IN_ERRORS if repeated else w.COHERENT_CHANGE if timely else 0.0) + (
            w.CHANGE_WITH_DIFF if c.detail.diff else 0.0
        )
        if reaction(c.detail):
            value *= w.SCALE_CHANGE
        if s.symptom_of:
            value *= w.CHANGE_ON_SYMPTOM  # its errors are about a failing dependency, which no change here explains
        elif dependency_first and lag > w.LAG_CLOSE and not repeated:
            value *= w.CHANGE_BEFORE_DEPENDENCY
        elif stated_elsewhere and lag > w.LAG_CLOSE and not repeated and diffs.version_only(c.detail.diff):
            value *= w.STATED_ELSEWHERE
        if value > strength:
            best, strength = c, value
    return best, strength


def _score(
    s: Suspect,
    all_: dict[str, Suspect],
    catalog: Catalog,
    earliest: datetime | None,
    seen: set[str],
    counted: Collection[str],
) -> None:
    metrics = [f for f in s.metrics() if f.weight > 0]
    saturation = [f for f in metrics if f.role == "saturation"]
    symptoms = [f for f in metrics if f.role == "symptom" or (f.role == "traffic" and f.detail.direction == "down")]
    traffic = [f for f in metrics if f.role == "traffic" and f.category == "capacity" and f.weight >= 1]
    own = [f for f in s.logs() if f.role in ("own", "external")]
    peer = s.logs("peer")
    history = [f for f in s.history() if f.weight >= 1]
    blamers = {f.service for f in s.blamed_by if f.service != s.service}
    if not s.anomalous and not blamers:
        s.score = 0.0
        return
    score = min(w.SATURATION_CAP, sum(f.weight for f in saturation)) + min(
        w.SYMPTOM_CAP, w.SYMPTOM_EACH * len(symptoms)
    )
    score += min(w.TRAFFIC_CAP, sum(f.weight for f in traffic))
    score += min(w.OWN_LOGS_CAP, sum(f.weight for f in own))
    score += min(w.PEER_LOGS_CAP, w.PEER_LOGS_EACH * sum(f.weight for f in peer))
    score += s.change_strength
    score += w.HISTORY_BONUS if history else 0.0
    # blame counts fully only when this service is visibly failing or could not be looked at
    full = s.anomalous or s.service not in seen or _never_reached(s)
    score += min(w.BLAMED_CAP, (w.BLAMED if full else w.BLAMED_HEALTHY) * len(blamers))
    if earliest and s.onset:
        if s.onset - earliest <= w.NEAR:
            # (onsets seconds apart are one moment: lines and samples are stamped by different clocks and intervals)
            score += w.FIRST_TO_BREAK + (w.EARLIEST if s.onset - earliest <= w.CLOCK_SKEW else 0.0)
        later = [all_[d] for d in catalog.dependents(s.service) if d in all_ and all_[d].onset]
        if any((u.onset or s.onset) >= s.onset - w.NEAR for u in later):
            score += w.CALLERS_BROKE_AFTER
    if s.symptom_of:
        score -= w.SYMPTOM_OF_DEPENDENCY
    s.score = score
    # load that passed through from callers scores nothing here, but it is still load: it tells
    # saturation under real demand (capacity) from a leak (exhaustion)
    loaded = [f for f in s.metrics() if f.more_traffic] or _callers_load(s, all_, catalog, counted)
    s.category = _category(s, own, saturation, loaded, history, blamers)
    present: dict[EvidenceKind, bool] = {
        "metrics": bool(saturation or symptoms or traffic),
        "logs": bool(own or blamers),
        "change": bool(s.causal_changes()),
        "history": bool(history),
    }
    s.kinds = {k for k, yes in present.items() if yes}


def _category(
    s: Suspect,
    own: list[OwnFinding],
    saturation: list[MetricFinding],
    loaded: list[MetricFinding],
    history: list[HistoryFinding],
    blamers: set[str],
) -> Category:
    if s.change_strength >= w.STRONG_CHANGE and not (s.change and s.kept_old_credential(s.change)):
        return "recent_change"
    votes: dict[Category, float] = defaultdict(float)
    for f in own:
        votes[f.category or "unknown"] += f.weight
    # restarts say the process died, not why: they vote for nothing on their own
    for m in saturation:
        if m.signal != "restarts":
            votes["resource_exhaustion"] += m.weight
    exhausted = [f for f in own if f.category == "resource_exhaustion"]
    timed_out = [f for f in own if f.category == "dependency_failure" and TIMED_OUT.search(f.words)]
    if loaded and saturation and _load_came_first(s, loaded):
        votes["capacity"] += sum(m.weight for m in saturation) + w.LEGITIMATE_LOAD  # legitimate load, not a leak
        # a queue or pool full under load that arrived first is that load over capacity, not a leak; and its
        # requests running out of time at its limit under that load are its own slowness, not a dependency's
        _move_votes(votes, [*exhausted, *timed_out], "capacity")
    elif votes.get("network", 0) > 0:
        # a call that timed out says the other side was slow or the way to it was lost: its own lines saying
        # meanwhile that the way is gone (no route to host) say which
        _move_votes(votes, timed_out, "network")
    if exhausted and (refusal := _dried_up_by_refusal(own)) is not None:
        _move_votes(votes, exhausted, refusal)
    failing_on_it = {f.service for f in s.blamed_by if f.category and f.service != s.service}  # not only slow
    # its own errors name no category and no resource of its own is at a limit: its callers say why.
    # A resource at its limit is why it failed; its callers failing says only that it did.
    if failing_on_it and not [f for f in own if f.category] and not s.at_limit():
        votes["dependency_failure"] += w.BLAMERS_VOTE * len(failing_on_it)
    for f in s.blamed_by:  # what callers say is wrong with it (an expired certificate, say)
        if f.category and f.category != "dependency_failure":
            votes[f.category] += w.CALLERS_SAY * f.weight
    if _refused_for_room(s, own):  # its refusals, and its callers' quoting them, are its being full
        for f, share in [(f, 1.0) for f in own] + [(f, float(w.CALLERS_SAY)) for f in s.blamed_by]:
            if f.category in REFUSALS:
                votes[f.category] -= share * f.weight
                votes["resource_exhaustion"] += share * f.weight
    votes.pop("unknown", None)
    if not votes and any(f.weight >= 1 for f in loaded):
        return "capacity"
    if not votes and s.change:  # nothing else explains it, and it changed today: suspect the change
        return "recent_change"
    if not votes:
        return "unknown"
    # history supports a category the evidence already raised, and only among those the evidence holds equal:
    # it never outweighs the evidence (the first of equals, as found, where it says nothing either)
    top = max(votes.values())
    tied = [c for c, v in votes.items() if abs(v - top) < 1e-9]
    support = {c: sum(w.HISTORY_VOTE * h.weight for h in history if h.category == c) for c in tied}
    return max(tied, key=lambda c: support[c])


def _move_votes(votes: dict[Category, float], moved: list[OwnFinding], to: Category) -> None:
    """Each finding's vote moves from the category it gave to `to` (what it says, read another way)."""
    for f in moved:
        votes[f.category or "unknown"] -= f.weight
        votes[to] += f.weight


# what a store holds its data in: when it is full, whatever it refuses, it refuses for want of room
STORAGE = ("disk_utilization",)


def _refused_for_room(s: Suspect, own: list[OwnFinding]) -> bool:
    """Its storage was at its limit when its own lines began refusing (a permission denied, a credential
    refused): it refuses for want of room, whatever the refusal calls itself (a hosted database's plan enforced
    by revoking INSERT). (A change of its own that could have taken a grant away is blamed before this is asked.)"""
    refused = [f for f in own if isinstance(f, LogFinding) and f.category in REFUSALS]
    filled = [m for m in s.at_limit() if m.signal in STORAGE]
    if not refused or not filled:
        return False
    began = min(f.detail.first_seen for f in refused)
    for m in filled:
        since = m.detail.climb_from or m.detail.onset
        level = m.detail.mean_between(began - 2 * w.NEAR, began + w.NEAR)
        if since is None or since > began or (level is not None and level < w.NEAR_LIMIT * m.detail.limit):
            return False
    return True


def _dried_up_by_refusal(own: list[OwnFinding]) -> Category | None:
    """A connection pool that ran dry (POOL_DRY) once new connections began to be refused for a reason the
    service's own lines state (an expired password or certificate, a permission denied) ran dry because of it:
    each connection it could not replace left it one short. The refusal's category, when its lines began no
    later than the pool's (within NEAR); else None. (A full disk or memory is not a pool a refusal empties.)"""
    logs = [f for f in own if isinstance(f, LogFinding)]
    dry = [f.detail.first_seen for f in logs if f.category == "resource_exhaustion" and POOL_DRY.search(f.words)]
    refused = [f for f in logs if f.category in REFUSALS]
    if not dry or not refused:
        return None
    first = min(refused, key=lambda f: f.detail.first_seen)
    return first.category if first.detail.first_seen <= min(dry) + w.NEAR else None


def _callers_load(
    s: Suspect, all_: dict[str, Suspect], catalog: Catalog, counted: Collection[str]
) -> list[MetricFinding]:
    """A service no metric counts the requests of (a fleet of game servers, a pool of workers) takes its
    load from its callers: their requests rising is its load rising."""
    if s.service in counted:
        return []
    callers = [all_[c] for c in catalog.dependents(s.service) if c in all_]
    return [f for c in callers for f in c.metrics() if f.more_traffic]


def _load_came_first(s: Suspect, loaded: list[MetricFinding]) -> bool:
    """Its load (its own, or its callers' passing through) left the baseline before its latency, errors,
    saturation or own error lines did, or with them: the requests came first, and what ran out ran out
    under them. (A rate's first abnormal sample can come a scrape after the requests began, while a
    latency or a log line is at once: strain within that lag before the load is the same moment.)"""
    load = min((m.detail.onset for m in loaded if m.detail.onset), default=None)
    hurt = hurt_at(s, with_logs=True)
    return load is not None and (hurt is None or load - w.SAMPLE_LAG <= hurt)


def direct_evidence(s: Suspect) -> bool:
    """The category has evidence of its own on this service: its own log lines of that kind, its own
    resource at the limit, the change itself, or its callers' errors. Not history, not restarts alone."""
    own = [f for f in s.logs() if f.role in ("own", "external") and f.weight >= 1]
    resources = s.at_limit()
    match s.category:
        case "recent_change":
            return s.change_strength >= w.STRONG_CHANGE
        case "resource_exhaustion":
            return bool(resources) or any(f.category == "resource_exhaustion" for f in own)
        case "capacity":
            return bool(resources) and any(m.more_traffic for m in s.metrics("traffic"))
        case "dependency_failure":
            return any(f.category == "dependency_failure" for f in own) or len({f.service for f in s.blamed_by}) >= 1
        case _:
            return any(f.category == s.category for f in [*own, *s.blamed_by])


def unexplained_change(s: Suspect) -> bool:
    """A change on the suspect shortly before it broke that the diagnosis does not name as the cause (a
    rotation whose old credential it kept is named: that is the cause)."""
    if s.onset is None or s.category == "recent_change":
        return False
    return any(
        c.at
        and s.onset - w.LAG_CLOSE <= c.at <= s.onset + w.NEAR
        and not reaction(c.detail)
        and not s.kept_old_credential(c)
        for c in s.changes()
    )


def _healed(s: Suspect) -> bool:
    """Every signal of it that moved is back at its baseline by the end of the window: whatever it was
    is over (or was a blip), and nothing lasting shows it."""
    moved = [m for m in s.metrics() if m.role in ("symptom", "saturation", "traffic")]
    return bool(moved) and all(m.detail.recovered for m in moved)


def _ran_through(s: Suspect) -> bool:
    """Its change landed more than RAN_THROUGH (a release: RELEASE_RAN_THROUGH) before it broke, its errors
    repeat none of the change's words, and no disk or memory of its own filled to its limit: the service ran
    through the change healthy, so the change is a likely cause, not a proven one."""
    c, onset = s.change, s.onset
    if c is None or c.at is None or onset is None:
        return False
    if onset - c.at <= (w.RELEASE_RAN_THROUGH if diffs.version_only(c.detail.diff) else w.RAN_THROUGH):
        return False
    if any(m.signal in FILLING_SIGNALS for m in s.at_limit()):
        return False
    return not c.tokens() & log_tokens(" ".join(f.words for f in s.logs()))


def confidence(top: Suspect, runner_up: float) -> Confidence:
    """HIGH only when the category has direct evidence on the root service, two independent kinds of
    evidence agree, no recent change on it is left unexplained, the runner-up is well below, and what
    it shows has not all healed; a change blamed only because a neighbour's load rose after it (no
    words shared) stays MEDIUM."""
    independent = top.kinds & {"metrics", "logs", "change"}
    if top.category == "unknown" or not independent:
        return "LOW"
    weak_change = top.category == "recent_change" and (top.change_strength < w.STRONG_CHANGE or _ran_through(top))
    if (
        len(independent) >= 2
        and runner_up <= w.RUNNER_UP_RATIO * top.score
        and not weak_change
        and direct_evidence(top)
        and not unexplained_change(top)
        and not top.broke_by_load  # a flood read from timing and load alone is likely, not proven
        and not _healed(top)
        # its own failure while a dependency of it visibly broke first may be that dependency's
        and not (top.below_first and top.category != "recent_change")
    ):
        return "HIGH"
    return "MEDIUM"
