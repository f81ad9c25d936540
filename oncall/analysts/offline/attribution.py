"""Whose failure a finding witnesses, decided before ranking: errors that do not name the service they
are about (a bare connection error, a name that does not resolve, a lost coordination session) are
pointed at the dependency they are about, and errors a caller's own change explains are its own.
Each pass returns new findings; what it is given is not changed."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import (
    ChangeFinding,
    Finding,
    LogFinding,
    MetricFinding,
    TraceFinding,
    rotation,
)
from oncall.analysts.offline.patterns import (
    AUTHORITY_NAME,
    AUTHORITY_SERVICE,
    BAD_DATA,
    CLOSED_BY_PEER,
    DATABASE_NAME,
    DATABASE_SAID,
    HANDSHAKE_FAILED,
    INFRASTRUCTURE,
    STORE_FULL,
    STORE_NAME,
    STORE_NO_SPACE,
    STORE_READ_ONLY,
    THROTTLED,
    TIMED_OUT,
    UNREACHED,
    UNRESOLVED,
    UNTRUSTED_CERT,
    checked_their_cert,
    named_by_domain,
    told_own_cert_refused,
)
from oncall.core.catalog import Catalog, mentions, names_setting_for
from oncall.core.diagnosis import Category
from oncall.tools.read_traces import Origin

CREDENTIALS: tuple[Category, ...] = ("expired_credential", "permission_denied")


def reattribute(
    found: list[Finding],
    catalog: Catalog,
    seen: set[str],
    working: Collection[tuple[str, str]] = (),
    dark: Collection[str] = (),
) -> list[Finding]:
    """`seen`: the services whose metrics were read (a service outside it sends no telemetry we have);
    `working`: (caller, callee) edges the traces show working in the window; `dark`: services read and
    found to have no metrics at all."""
    found = _way_cut(_infrastructure_failing(_unnamed_dependency(found, catalog, dark), catalog), catalog)
    found = _bad_data_from_source(found, catalog, dark)
    found = _store_full(found, catalog)
    found = _reached_by_others(_credential_refused(_stale_trust(found, working), dark), seen, working)
    found = _limited_for_own_load(found, dark)
    found = _through_busy_path(found, catalog)
    found = _store_read_only(found, catalog)
    found = _provider_by_domain(_provider_unresolved(_change_aimed_at_peer(found), catalog, seen), catalog, seen)
    return _authority_failing(_their_certificate(_callers_certificate(found, catalog), catalog), catalog, seen)


def _bad_data_from_source(found: list[Finding], catalog: Catalog, dark: Collection[str]) -> list[Finding]:
    """A service whose own lines say the data it read was bad (BAD_DATA: a value that is not a number, a
    record it cannot decode), no change of its own just before, while of what it depends on exactly one is not
    where it keeps data (STORE_NAME), and that one is a source we see nothing of (`dark`): the data came from
    that source (a provider's file, a feed), and the lines witness against it. (A queue we watch may be the
    source: what it carried was written by a producer behind it.)"""
    changed = _changes_by_service(found)
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.role == "own" and f.at and BAD_DATA.search(f.words):
            sources = [d for d in catalog.dependencies(f.service, depth=1) if not STORE_NAME.search(d)]
            own_change = _changed_before(f.service, f.at, changed, w.LAG_CLOSE)
            if len(sources) == 1 and sources[0] in dark and not own_change:
                f = replace(f, role="peer", points_to=sources[0], category="dependency_failure")
        out.append(f)
    return out


def _store_read_only(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """Two or more services refused writes as read-only (STORE_READ_ONLY), and of the stores each uses
    (STORE_NAME) exactly one is common to them all: that store made itself read-only, as a managed database does
    at its storage limit; the refusals witness against the store, a resource it ran out of. (One caller refused
    while others write holds a replica: its own failure, left alone; writers left on the old primary by a
    switchover are the failover's, which outranks this.) The store's own lines of the writes it refused, when it
    logs them, are its own word of the same: a service no store stands behind is no caller of one."""
    refused = {f.service for f in found if isinstance(f, LogFinding) and STORE_READ_ONLY.search(f.words)}
    behind = {s: {d for d in catalog.dependencies(s, depth=1) if STORE_NAME.search(d)} for s in refused}
    callers = [ds for ds in behind.values() if ds]
    if len(callers) < 2:
        return found
    stores = set.intersection(*callers)
    if len(stores) != 1:
        return found
    store = stores.pop()
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and STORE_READ_ONLY.search(f.words):
            own = f.service == store
            f = replace(
                f, role="own" if own else "peer", points_to=None if own else store, category="resource_exhaustion"
            )
        out.append(f)
    return out


def _credential_refused(found: list[Finding], dark: Collection[str]) -> list[Finding]:
    """Calls to a dependency we see only through its callers (`dark`: no metrics of its own), failing
    while the caller's own lines say its credential was refused (expired, invalid, denied) no later than
    the calls began failing: the dependency is up and refusing; the failed calls, and the caller's lines
    about them, are the caller's credential's, not the dependency's failure. (A certificate the caller
    verified and rejected is the other side's, no credential of the caller's.)"""
    refused: dict[str, tuple[datetime, Category]] = {}  # each caller's first refusal, and what it said
    for g in found:
        if (
            isinstance(g, LogFinding)
            and g.role == "own"
            and g.at
            and g.category in CREDENTIALS
            and not checked_their_cert(g.words)
        ):
            first = refused.get(g.service)
            if first is None or g.at < first[0]:
                refused[g.service] = (g.at, g.category)
    out: list[Finding] = []
    for f in found:
        if isinstance(f, TraceFinding) and isinstance(f.detail, Origin) and f.detail.seen_by != f.detail.service:
            caller = f.detail.seen_by
            if caller in refused and refused[caller][0] <= f.detail.first_seen + w.NEAR:
                f = replace(f, service=caller, role="own", points_to=None, category=refused[caller][1])
        elif isinstance(f, LogFinding | TraceFinding) and f.role == "peer" and f.points_to in dark:
            got = refused.get(f.service)
            if got is not None and (f.at is None or got[0] <= f.at + w.NEAR):
                f = replace(f, role="own", points_to=None, category=got[1])
        out.append(f)
    return out


def _limited_for_own_load(found: list[Finding], dark: Collection[str]) -> list[Finding]:
    """Calls to a dependency we see only through its callers (`dark`), refused for their rate (429, too many
    requests, rate exceeded), from a caller whose own requests had multiplied no later than the refusals
    began: the dependency is up and holding the caller to its limit; the refusals are what the caller sent,
    not the dependency failing."""
    flooded: dict[str, datetime] = {}  # each caller's first reading of several times its usual requests
    for g in found:
        if isinstance(g, MetricFinding) and g.multiplied and g.at:
            flooded[g.service] = min(g.at, flooded.get(g.service, g.at))

    def pair(f: LogFinding | TraceFinding) -> tuple[str, str, datetime | None] | None:
        """(caller, dependency, since) of a finding about a caller's calls to a dependency we cannot see."""
        if isinstance(f.detail, Origin) and f.detail.service in dark:
            return f.detail.seen_by, f.detail.service, f.detail.first_seen
        if f.role == "peer" and f.points_to is not None and f.points_to in dark:
            return f.service, f.points_to, f.at
        return None

    about = [(f, p) for f in found if isinstance(f, LogFinding | TraceFinding) and (p := pair(f))]
    limited = {  # (caller, dependency): refused for their rate once the caller's requests had multiplied
        p[:2]
        for f, p in about
        if (since := flooded.get(p[0])) and THROTTLED.search(f.words) and (p[2] is None or since <= p[2] + w.NEAR)
    }
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding | TraceFinding) and (p := pair(f)) and p[:2] in limited:
            f = replace(f, service=p[0], role="own", points_to=None, category="capacity")  # its failed calls too
        out.append(f)
    return out


def _through_busy_path(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """A caller's calls that time out, to a dependency that shows nothing wrong of its own or to one they do not
    name, while another dependency of the caller that sits in its path (it uses something the caller uses too) is
    saturated: the path is what ran out (a VPC connector, an egress proxy or NAT at its limit), not what is behind
    it. (Which broke first is the ranking's to say, as for any other finding.)"""
    saturated: set[str] = set()
    troubled: set[str] = set()  # services with trouble of their own: slower, failing, saturated, erring
    for g in found:
        if isinstance(g, MetricFinding) and g.role in ("symptom", "saturation") and g.weight > 0:
            troubled.add(g.service)
            if g.role == "saturation" and g.weight >= 1:
                saturated.add(g.service)
        elif isinstance(g, LogFinding) and g.role == "own" and g.weight >= 1:
            troubled.add(g.service)
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.role in ("peer", "external") and f.at and TIMED_OUT.search(f.words):
            target = f.points_to
            deps = catalog.dependencies(f.service, depth=1)
            paths = [p for p in deps if p in saturated and set(catalog.dependencies(p, depth=1)) & set(deps)]
            if len(paths) == 1 and (target is None or target not in troubled):
                f = replace(f, role="peer", points_to=paths[0])
        out.append(f)
    return out


def _callers_of(working: Collection[tuple[str, str]]) -> dict[str, set[str]]:
    """The callers whose calls to each callee the traces show working."""
    callers: dict[str, set[str]] = {}
    for caller, callee in working:
        callers.setdefault(callee, set()).add(caller)
    return callers


def _stale_trust(found: list[Finding], working: Collection[tuple[str, str]]) -> list[Finding]:
    """A caller that stopped trusting a dependency's certificate (it does not know who signed it) after that
    certificate was re-issued, while another caller's calls to the dependency work in the same window: the
    others trust the new certificate, so this caller holds the trust it read before the re-issue (a CA bundle
    read once at start). Its errors are its own stale credential, and the dependency's lines of a peer refusing
    its certificate witness against that one caller."""
    reissued = {f.service: f.at for f in found if isinstance(f, ChangeFinding) and f.at and rotation(f.detail)}
    callers = _callers_of(working)
    stale: dict[str, str] = {}  # caller -> the dependency whose new certificate it does not trust
    for f in found:
        if (
            isinstance(f, LogFinding)
            and f.role == "peer"
            and f.at
            and (d := f.points_to) in reissued
            and timedelta(0) <= f.at - reissued[d] <= w.LAG_CLOSE
            and checked_their_cert(f.words)
            and UNTRUSTED_CERT.search(f.words)
            and callers.get(d, set()) - {f.service}
        ):
            stale[f.service] = d
    refusing = {d: [c for c in stale if stale[c] == d] for d in stale.values()}
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.role == "peer" and stale.get(f.service) == f.points_to:
            f = replace(f, role="own", points_to=None, category="expired_credential")
        elif (
            isinstance(f, TraceFinding)
            and isinstance(f.detail, Origin)
            and stale.get(f.detail.seen_by) == f.detail.service
        ):
            f = replace(f, service=f.detail.seen_by, role="own", points_to=None, category="expired_credential")
        elif (
            isinstance(f, LogFinding)
            and f.role == "own"
            and len(refusing.get(f.service, [])) == 1
            and told_own_cert_refused(f.words)
        ):
            f = replace(f, role="peer", points_to=refusing[f.service][0])
        out.append(f)
    return out


def _reached_by_others(found: list[Finding], seen: set[str], working: Collection[tuple[str, str]]) -> list[Finding]:
    """A caller failing to reach a dependency we cannot observe, while another caller's calls to it
    work in the same window: the dependency is up, and the path from this caller is what fails (its
    own network, its host's connection table), so the errors are its own, and a network failure. Not
    when its errors quote what the dependency answered (a quota spent, a limit reached): it reached it. A
    caller whose own errors name the dependency failing it is no witness that it works, whatever its sampled
    traces show."""
    callers = _callers_of(working)
    complaining = {(g.service, g.points_to) for g in found if isinstance(g, LogFinding) and g.role == "peer"}
    out: list[Finding] = []
    for f in found:
        d = f.points_to
        if (
            isinstance(f, LogFinding | TraceFinding)
            and f.role == "peer"
            and f.category in (None, "dependency_failure", "network")
            and d
            and d not in seen
            and {c for c in callers.get(d, set()) - {f.service} if (c, d) not in complaining}
            and f.service not in callers.get(d, set())
        ):
            f = replace(f, role="own", points_to=None, category="network")
        out.append(f)
    return out


def _unnamed_dependency(found: list[Finding], catalog: Catalog, dark: Collection[str]) -> list[Finding]:
    """A caller failing on a dependency it does not name (an address, a bare connection error, a host
    outside the catalog), while exactly one of its dependencies lost its traffic at that moment (the calls
    are not arriving there: a port, a policy, a selector changed; not when the caller's own traffic fell
    first, for then it is sending less), or, for connections the other side closed, exactly one of them
    changed minutes before (an upstream's keep-alive cut below the proxy's); else, when exactly one of its
    dependencies is one we looked at and have no metrics from (a provider), the caller did not change in
    the minutes before, and none of the dependencies we watch was failing then (of several such, the one its
    failing traces end in), or its change ran clean for longer than a change's errors take to show and its
    failing traces end in one of them, which did not throttle it: the errors witness against that dependency."""
    lost = {
        f.service: f.at
        for f in found
        if isinstance(f, MetricFinding) and f.role == "traffic" and f.detail.direction == "down" and f.at
    }
    changed = _changes_by_service(found)
    failing = _failing_since(found, ("saturation", "symptom"))
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.at and _unreached(f, changed):
            at, mine = f.at, lost.get(f.service)
            deps = catalog.dependencies(f.service, depth=1)
            gone = [d for d in deps if d in lost and abs(lost[d] - at) <= w.NEAR and not (mine and mine <= lost[d])]
            if f.role == "own":  # a network error: only the dependency its calls stopped arriving at
                f = replace(f, role="peer", points_to=gone[0]) if len(gone) == 1 else f
                out.append(f)
                continue
            if not gone and CLOSED_BY_PEER.search(f.words):
                gone = [d for d in deps if any(at - w.JUST_AFTER <= t <= at for t in changed.get(d, []))]
            if (
                not gone
                and _changed_before(f.service, at, changed)
                and not _changed_before(f.service, at, changed, w.JUST_AFTER)
                and not THROTTLED.search(f.words)
            ):
                # its change ran clean for longer than a change's errors take to show, and its failing traces
                # end in its calls to one dependency it cannot see: that dependency failed it, not the change
                # (unless it turned the caller away for the rate it sent: what it sends is what changed)
                gone = [d for d in deps if d in dark and _traced_to(found, f.service, d, at)]
            elif not gone and not _changed_before(f.service, at, changed) and not _own_load(f, found):
                gone = [d for d in deps if d in dark]
                if len(gone) > 1 and (traced := [d for d in gone if _traced_to(found, f.service, d, at)]):
                    # of several it cannot see, the one its failing traces end in: its calls to that one fail
                    gone = traced
                if DATABASE_SAID.search(f.words):
                    # of those it cannot see, the one whose name says it is the kind the error names (a refused
                    # database says nothing of a payment gateway it cannot see)
                    gone = [d for d in gone if DATABASE_NAME.search(d)]
                if any(d not in dark and failing.get(d, at + w.LAG_CLOSE) <= at + w.NEAR for d in deps):
                    gone = []  # a dependency we watch was failing then: the errors may well be about it
            if len(gone) == 1:
                f = replace(f, role="peer", points_to=gone[0])
        out.append(f)
    return out


def _own_load(f: LogFinding, found: list[Finding]) -> bool:
    """F's calls ran out of time while its service was at its own limit under more requests that arrived
    before: its own slowness under that load, which says nothing of a dependency it cannot see."""
    mine = [g for g in found if isinstance(g, MetricFinding) and g.service == f.service]
    more = min((g.at for g in mine if g.more_traffic and g.at), default=None)
    limit = min((g.at for g in mine if g.role == "saturation" and g.weight >= 1 and g.at), default=None)
    if not TIMED_OUT.search(f.words) or f.at is None or more is None or limit is None:
        return False
    return more <= limit <= f.at


def _traced_to(found: list[Finding], caller: str, callee: str, at: datetime) -> bool:
    """The caller's failing traces end in its calls to `callee` from about `at` on (traces sample a failure:
    the first failing one may come many minutes after the caller's logs began to show it)."""
    return any(
        isinstance(f, TraceFinding)
        and isinstance(f.detail, Origin)
        and f.detail.seen_by == caller
        and f.detail.service == callee
        and at - w.NEAR <= f.detail.first_seen <= at + w.LAG_CLOSE
        for f in found
    )


def _unreached(f: LogFinding, changed: dict[str, list[datetime]]) -> bool:
    """An error about a dependency it names not: a third party's failure (external), or the caller's own
    network error (no route, a connect timeout) when the caller changed nothing in the minutes before, for a
    change of its own to how it reaches others is its own fault (an egress rule removed). A name that did not
    resolve is not one: the resolver failed, not the way to what the name is of."""
    if f.role == "external":
        return True
    return (
        f.role == "own"
        and f.category == "network"
        and not UNRESOLVED.search(f.words)
        and f.at is not None
        and not _changed_before(f.service, f.at, changed)
    )


def _changes_by_service(found: list[Finding]) -> dict[str, list[datetime]]:
    """When each service changed, by the change findings."""
    changed: dict[str, list[datetime]] = {}
    for c in found:
        if isinstance(c, ChangeFinding) and c.at:
            changed.setdefault(c.service, []).append(c.at)
    return changed


def _changed_before(
    service: str, at: datetime, changed: dict[str, list[datetime]], within: timedelta = w.FIRST_ERROR_AFTER
) -> bool:
    """The service changed in the minutes before `at` (errors that soon after are its change's)."""
    return any(at - within <= t <= at for t in changed.get(service, []))


def _first_at(found: Iterable[Finding]) -> dict[str, datetime]:
    """Each service's earliest time among these findings."""
    first: dict[str, datetime] = {}
    for f in found:
        if f.at:
            first[f.service] = min(f.at, first.get(f.service, f.at))
    return first


def _failing_since(
    found: list[Finding], roles: tuple[str, ...], logs: tuple[str, ...] = ("own",)
) -> dict[str, datetime]:
    """When each service began failing by its own account: a metric of these roles out of its baseline,
    or error lines of its own (`logs`: of these roles)."""
    return _first_at(
        f
        for f in found
        if (isinstance(f, MetricFinding) and f.role in roles and f.weight > 0)
        or (isinstance(f, LogFinding) and f.role in logs)
    )


def _infrastructure_failing(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """A caller whose errors say which kind of shared infrastructure failed it (names that do not
    resolve; a coordination session lost; a database at its connection limit, or not serving), while the one service
    of that kind it depends on was already failing (at a limit, or erring itself): the errors witness
    against that service, not the caller or the name looked up. With that service healthy, the caller
    keeps its errors. (Shared infrastructure failing because something outside the catalog fails it, a
    resolver's upstream, is failing all the same.)"""
    failing = _failing_since(found, ("saturation",), logs=("own", "external"))
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.role != "peer" and f.at:
            at = f.at
            for says, named in INFRASTRUCTURE:
                if not says.search(f.words):
                    continue
                # (or, of none it names, the one the catalog wires to nothing: everything uses it unsaid)
                kind = [d for d in catalog.dependencies(f.service, depth=1) if named.search(d)] or [
                    d for d in catalog.unwired if named.search(d)
                ]
                if len(kind) == 1 and kind[0] in failing and failing[kind[0]] <= at + w.NEAR:
                    f = replace(f, role="peer", points_to=kind[0], category="dependency_failure")
                    break
        out.append(f)
    return out


CONNECTIONS = "pool_utilization"  # a server's share of the connections it allows, open


def _way_cut(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """A caller that could not open a connection to a database (its errors name one and say no connection was
    made), while the one database it depends on whose open connections fell as the errors began logged no
    trouble of its own and had nothing at a limit: the calls are not arriving there, so the way to it is cut
    (a firewall rule, a route, a connector), a network failure the errors witness at that database."""
    troubled = {
        f.service
        for f in found
        if (isinstance(f, LogFinding) and f.role == "own" and f.weight >= 1)
        or (isinstance(f, MetricFinding) and f.role in ("saturation", "symptom") and f.weight > 0)
    }
    # (its connections rising are a resource of it filling: troubled, above)
    fell = {
        f.service: f.detail.onset
        for f in found
        if isinstance(f, MetricFinding) and f.signal == CONNECTIONS and f.detail.onset
    }
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.at and UNREACHED.search(f.words) and DATABASE_SAID.search(f.words):
            at = f.at
            kind = [
                d
                for d in catalog.dependencies(f.service, depth=1)
                if DATABASE_NAME.search(d) and d in fell and at - w.NEAR <= fell[d] <= at + w.CONNECTIONS_DRAIN
            ]
            if len(kind) == 1 and kind[0] not in troubled:
                f = replace(f, role="peer", points_to=kind[0], category="network")
        out.append(f)
    return out


# a store's refusal for its own limit, as its callers quote it, and the signal at that limit
_REFUSALS = ((STORE_FULL, "memory_utilization"), (STORE_NO_SPACE, "disk_utilization"))


def _store_full(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """A caller quoting a store's refusal for its own limit ("used memory > 'maxmemory'", "database space
    exceeded", "filegroup is full"), while exactly one of its dependencies has that resource at the limit, or
    (none watched at its limit) states that refusal in its own logs: that store ran out, not the caller."""
    full = {
        (f.service, f.signal) for f in found if isinstance(f, MetricFinding) and f.role == "saturation" and f.weight > 0
    }
    # (a store whose own lines say it refused for that limit: what it watches may not include the resource)
    full |= {
        (f.service, signal)
        for f in found
        if isinstance(f, LogFinding) and f.role == "own" and f.at
        for says, signal in _REFUSALS
        if says.search(f.words)
    }
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding | TraceFinding) and f.role != "peer":
            for says, signal in _REFUSALS:
                if not says.search(f.words):
                    continue
                stores = [d for d in catalog.dependencies(f.service, depth=1) if (d, signal) in full]
                if len(stores) == 1:
                    f = replace(f, role="peer", points_to=stores[0], category="resource_exhaustion")
                    break
        out.append(f)
    return out


def _change_aimed_at_peer(found: list[Finding]) -> list[Finding]:
    """A caller whose own change, landed just before it began failing, names the peer its failures are
    about (the peer's route, address, health check, timeout; in a setting's name, Orders_GoPayTimeoutSeconds),
    while the peer shows no trouble of its own: the change explains those failures.
    They are the caller's own, not witnesses against the peer."""
    began = _first_at(f for f in found if isinstance(f, LogFinding | TraceFinding | MetricFinding))
    # a peer that buckled itself (a resource at its limit) may have been sent more work by that change (retries
    # after a shorter timeout): the calls' failures stay witnesses to it, for the reasons about its load to weigh
    buckled = {f.service for f in found if isinstance(f, MetricFinding) and f.role == "saturation" and f.weight > 0}
    aimed: set[tuple[str, str]] = set()
    for c in found:
        if not isinstance(c, ChangeFinding) or c.at is None or c.service not in began:
            continue
        if timedelta(0) <= began[c.service] - c.at + w.CLOCK_SKEW <= w.FIRST_ERROR_AFTER:
            said = f"{c.detail.from_ or ''} {c.detail.to or ''} {c.detail.diff or ''}"
            aimed |= {
                (c.service, f.points_to)
                for f in found
                if f.points_to
                and f.points_to not in buckled
                and (mentions(f.points_to, said) or names_setting_for(f.points_to, said))
            }
    return [
        replace(f, role="own", points_to=None, category="recent_change" if f.at else f.category)
        if isinstance(f, LogFinding | TraceFinding) and f.role == "peer" and (f.service, f.points_to) in aimed
        else f
        for f in found
    ]


def _provider_unresolved(found: list[Finding], catalog: Catalog, seen: set[str]) -> list[Finding]:
    """A caller that cannot resolve the name of a dependency we have no telemetry from (a provider
    outside the estate): that provider's domain or its DNS failed, not the caller."""
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.role == "own" and f.at and UNRESOLVED.search(f.words):
            named = [d for d in catalog.dependencies(f.service, depth=1) if d not in seen and mentions(d, f.words)]
            if len(named) == 1:
                f = replace(f, role="peer", points_to=named[0])
        out.append(f)
    return out


def _provider_by_domain(found: list[Finding], catalog: Catalog, seen: set[str]) -> list[Finding]:
    """A caller's failed call to a URL, its errors naming no service: the URL's domain names the provider it
    called (`https://api.kaspi.kz/pay/...` is Kaspi Pay's), when exactly one dependency we have no telemetry
    from begins with that name."""
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.role == "external":
            named = [
                d for d in catalog.dependencies(f.service, depth=1) if d not in seen and named_by_domain(d, [f.words])
            ]
            if len(named) == 1:
                f = replace(f, role="peer", points_to=named[0])
        out.append(f)
    return out


def _callers_certificate(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """A service's errors saying a certificate it verified was rejected (expired, untrusted), while exactly
    one of its callers says, in the same minutes, that its own certificate was refused (the TLS alert it
    received): the service checked that caller's certificate and did its job; its lines witness against the
    caller, whose certificate it is."""
    refused = {
        g.service: g.at
        for g in found
        if isinstance(g, LogFinding) and g.role == "own" and g.at and told_own_cert_refused(g.words)
    }
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.role == "own" and f.at and checked_their_cert(f.words):
            at = f.at
            callers = [c for c in catalog.dependents(f.service) if (t := refused.get(c)) and abs(t - at) <= w.NEAR]
            if len(callers) == 1:
                f = replace(f, role="peer", points_to=callers[0])
        out.append(f)
    return out


def _their_certificate(found: list[Finding], catalog: Catalog) -> list[Finding]:
    """A caller's errors saying a certificate it verified was rejected (expired, untrusted), naming no one,
    while its other errors of those minutes point at exactly one dependency (by its name, or its domain in a
    failed call's URL), or exactly one of its dependencies logged, in those minutes, clients' handshakes failing
    (the other side of the same handshake): the certificate is that dependency's, and the errors witness against
    it."""
    out: list[Finding] = []
    for f in found:
        if isinstance(f, LogFinding) and f.role == "own" and f.at and checked_their_cert(f.words):
            at = f.at
            deps = catalog.dependencies(f.service, depth=1)
            peers = {
                g.points_to
                for g in found
                if isinstance(g, LogFinding)
                and g.service == f.service
                and g.role == "peer"
                and g.points_to
                and g.at
                and abs(g.at - at) <= w.NEAR
            } or {
                g.service
                for g in found
                if isinstance(g, LogFinding)
                and g.service in deps
                and g.at
                and abs(g.at - at) <= w.NEAR
                and HANDSHAKE_FAILED.search(g.words)
            }
            if len(peers) == 1:
                f = replace(f, role="peer", points_to=peers.pop())
        out.append(f)
    return out


def _authority_failing(found: list[Finding], catalog: Catalog, seen: set[str]) -> list[Finding]:
    """A caller whose errors are about what only a certificate authority serves (its OCSP responses, its
    revocation lists), naming no cause of its own, while exactly one thing it depends on is a certificate
    authority we see nothing of: the authority failed it (its responder down, a staple gone stale)."""
    out: list[Finding] = []
    for f in found:
        if (
            isinstance(f, LogFinding | TraceFinding)
            and f.role != "peer"
            and f.category in (None, "dependency_failure")
            and AUTHORITY_SERVICE.search(f.words)
        ):
            authority = [
                d for d in catalog.dependencies(f.service, depth=1) if d not in seen and AUTHORITY_NAME.search(d)
            ]
            if len(authority) == 1:
                f = replace(f, role="peer", points_to=authority[0], category="dependency_failure")
        out.append(f)
    return out
