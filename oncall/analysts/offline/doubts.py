"""Doubts an SRE keeps before saying "this is it": each caps the diagnosis at MEDIUM, however well the top
suspect scores, while its evidence is still shown:

- a change on something it depends on landed just before it broke, and the diagnosis does not name it
  (a version bump does not count, nor does it when a resource of its own is at its limit);
- another service the catalog does not connect to it broke in the same minutes with errors of its own
  of the same kind: a cause they share beyond the catalog (a clock, a quota, an agent) is not ruled out;
- the kernel's OOM killer took its process while its own memory, which we watch, stayed flat;
- a change blamed for breaking its users while another user of it that we watch came through unharmed;
- a version bump blamed while its own errors say a party outside the catalog refused its connections:
  the party may have failed on its own;
- it is blamed as the failing dependency, its own errors say no cause, and it depends on a provider we
  see nothing of: what that provider sent or answered may be the cause; or its errors say a dependency
  failed it without naming which, and some of what it depends on we see nothing of;
- its own errors say the data it read was bad (a NaN where a number belongs, a record it cannot decode):
  where that data was written may be the cause;
- its own lines say a transaction a client left open holds back its cleanup (PostgreSQL's oldest xmin far
  in the past, dead rows not yet removable): the client holding it may be the cause;
- it ran out of what its users use up (connections, the memory or disk their writes fill) within the hour
  after a user of it changed a setting: what that user now does may have filled it;
- a credential of its own was rotated and is blamed as a change to undo, while none of the errors since
  (its own, its users' about it) could be read: they would say whether it holds a wrong new credential
  or still the old one;
- a change is blamed and all that followed it is a modest slowdown: nothing failed, nothing at its limit,
  nothing else broke; a change that costs time may be the work it does on purpose;
- it is blamed (its network, or what it depends on) while its errors only say its connections timed out
  before they were opened: which end of the way failed, the far host, its link or its own, is not in them."""

from __future__ import annotations

from dataclasses import dataclass

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import (
    MetricFinding,
    log_tokens,
    reaction,
    rotation,
    setting_beside,
)
from oncall.analysts.offline.patterns import BAD_DATA, HELD_OPEN, NEVER_ARRIVED, NOT_CONNECTED, OOM_KILLER, PEER_CERT
from oncall.analysts.offline.suspect import Suspect
from oncall.core import diffs
from oncall.core.catalog import Catalog
from oncall.core.results import ToolResult
from oncall.tools.read_metrics import MetricStats


@dataclass(frozen=True)
class Doubt:
    """Why a strong answer stays MEDIUM, in an SRE's words, and where the brief can show it."""

    text: str
    cite: str


def doubted(
    top: Suspect, suspects: list[Suspect], catalog: Catalog, results: list[ToolResult], seen: set[str]
) -> Doubt | None:
    """Why the top suspect, however well it scores, is likely rather than established (None: no doubt).
    `seen`: the services whose metrics were read."""
    if killed := _resource_not_its_own(top, results):
        return Doubt("the kernel's OOM killer took it while its own memory stayed at baseline", killed)
    if (fine := _others_fine(top, suspects, catalog, seen)) and top.change:
        # cite what we saw of the user that came through: its metrics
        seen_it = [r.id for r in results if isinstance(r.data, MetricStats) and r.data.service == fine]
        return Doubt(f"{fine}, which also uses it, came through its change unharmed", (seen_it or [top.change.cite])[0])
    if outside := _outside_failed_it(top):
        return Doubt("its own errors say a party outside refused it, and its change only moved a version", outside)
    if behind := _provider_behind(top, catalog, seen):
        return behind
    held = [f for f in top.logs("own") if HELD_OPEN.search(f.words)]
    if held:
        return Doubt("its own lines say a transaction a client left open holds back its cleanup: the client "
                     "holding it may be the cause", held[0].cite)  # fmt: skip
    if bad := _bad_data(top):
        return Doubt("its own errors say the data it read was bad (a value it cannot hold, a record it cannot "
                     "decode): where that data was written may be the cause", bad)  # fmt: skip
    if filled := _filled_by_a_user(top, suspects, catalog):
        return filled
    if unread := _rotation_unread(top):
        return Doubt("its credential was rotated and none of its errors since could be read: they would say whether "
                     "it holds a wrong new one (undo) or still the old one (read it again)", unread)  # fmt: skip
    if slower := _only_slower(top, suspects, catalog):
        return Doubt("all that followed the change is a modest slowdown, nothing failing or at its limit: the "
                     "time may be the work the change does on purpose", slower)  # fmt: skip
    if far := _far_end(top):
        return Doubt("its connections timed out before they were opened, and that names neither end: the host at "
                     "the far end, or its link, may be what is unreachable", far)  # fmt: skip
    if top.onset is None:
        return None
    info = catalog.services.get(top.service)
    deps = set(info.depends_on) if info else set()
    if top.category != "recent_change" and not top.at_limit():  # a resource of its own at its limit explains it
        for s in suspects:
            if s.service in deps:
                for c in s.changes():
                    near_onset = c.at and top.onset - w.JUST_AFTER <= c.at <= top.onset + w.NEAR
                    if near_onset and not reaction(c.detail) and not diffs.version_only(c.detail.diff):
                        return Doubt(f"{s.service}, which it depends on, changed just before it broke", c.cite)
    kinds = {f.category for f in top.logs("own") if f.category and f.weight >= 1}
    near = deps | set(catalog.dependencies(top.service)) | set(catalog.dependents(top.service))
    for s in suspects:
        if s is top or s.service in near or top.service in catalog.dependencies(s.service) or s.onset is None:
            continue
        same = [f for f in s.logs("own") if f.weight >= 1 and f.category in kinds]
        if abs(s.onset - top.onset) <= w.NEAR and same:
            return Doubt(
                f"{s.service}, which it is not connected to, failed the same way at the same time", same[0].cite
            )
    return None


def _provider_behind(top: Suspect, catalog: Catalog, seen: set[str]) -> Doubt | None:
    """Answered as a dependency failure, nothing of its own at a limit, while what it depends on includes
    providers we have no telemetry from, and its own errors either name no cause (with exactly one such
    provider: the errors may be what it sent or answered) or, on a service we watch, say a dependency failed
    it without naming which (a timeout, a refused call): the failure is likely one of those providers."""
    if top.category != "dependency_failure" or top.at_limit():
        return None
    unseen = [d for d in catalog.dependencies(top.service, depth=1) if d not in seen]
    own = [f for f in top.logs("own") if f.weight >= 1]
    if own and not any(f.category for f in own) and len(unseen) == 1:
        return Doubt(f"its own errors say no cause, and {unseen[0]}, which it depends on, is a provider we see "
                     "nothing of", own[0].cite)  # fmt: skip
    said = [f for f in top.logs() if f.weight >= 1 and f.category == "dependency_failure" and f.role != "peer"]
    if said and unseen and top.service in seen:
        return Doubt(f"its own errors say something it depends on failed without naming it, and "
                     f"{' and '.join(unseen)}, which it depends on, we see nothing of", said[0].cite)  # fmt: skip
    return None


# what a store's users use up: the connections they hold, the memory and disk their writes fill
USED_UP = ("pool_utilization", "memory_utilization", "disk_utilization")


def _filled_by_a_user(top: Suspect, suspects: list[Suspect], catalog: Catalog) -> Doubt | None:
    """Answered as its own exhaustion of what its users use up, which began to climb within the hour
    (LAG_CLOSE) after a user of it changed a setting (not only a version, not a scale-out): runs that hold
    connections, writes never expired, may be that user's doing, so the store's running out is established
    but not that it is the cause."""
    if top.category != "resource_exhaustion":
        return None
    climbs = [m.detail.climb_from or m.detail.onset for m in top.at_limit() if m.signal in USED_UP]
    began = min((t for t in climbs if t), default=None)
    if began is None:
        return None
    by_name = {s.service: s for s in suspects}
    for user in catalog.dependents(top.service):
        for c in by_name[user].changes() if user in by_name else []:
            near = c.at and began - w.LAG_CLOSE <= c.at <= began
            if near and not reaction(c.detail) and not diffs.version_only(c.detail.diff):
                return Doubt(f"{user}, which uses it, changed a setting before it began to fill: what {user} "
                             "now does may have filled it", c.cite)  # fmt: skip
    return None


def _bad_data(top: Suspect) -> str | None:
    """Not blamed on a change of its own, and its own errors say the data it read was bad (BAD_DATA): it may
    only be where bad data surfaced, written upstream (a feed's bad run, a producer's new schema). Their
    cite, or None."""
    if top.category == "recent_change":
        return None
    bad = [f for f in top.logs() if f.weight >= 1 and f.role != "peer" and BAD_DATA.search(f.words)]
    return bad[0].cite if bad else None


def _outside_failed_it(top: Suspect) -> str | None:
    """The diagnosis is its own change, a version bump that changed no setting, while its own errors say
    something outside the catalog refused its connections (their cite; None when not): a release does
    not usually stop a remote port listening."""
    c = top.change
    if top.category != "recent_change" or c is None or not diffs.version_only(c.detail.diff):
        return None
    outside = [f for f in top.logs("external") if f.weight >= 1 and NEVER_ARRIVED.search(f.words)]
    return outside[0].cite if outside else None


def _resource_not_its_own(top: Suspect, results: list[ToolResult]) -> str | None:
    """The kernel's OOM killer took its process while its own memory, which we watch, stayed at baseline:
    something else on the host used the memory up, so why it died is not established. (Its own heap
    running out, or its container's limit, is its own memory: not this.) The kill's citation, or None."""
    kills = [f for f in top.logs() if OOM_KILLER.search(f.words)]
    if not kills or any(m.signal == "memory_utilization" for m in top.metrics("saturation")):
        return None
    flat = any(
        r.ok and isinstance(r.data, MetricStats) and r.data.service == top.service
        and any(x.signal == "memory_utilization" and not x.anomalous for x in r.data.signals)
        for r in results
    )  # fmt: skip
    return kills[0].cite if flat else None


def _others_fine(top: Suspect, suspects: list[Suspect], catalog: Catalog, seen: set[str]) -> str | None:
    """A change blamed for breaking what uses it, while another user of it that we watch shows nothing
    wrong after it: the change did not break everyone, and the users that fail may hold something of
    their own (a stale connection, a cache) that the others let go."""
    if top.category != "recent_change" or not top.change or not top.change.at:
        return None
    if any(f.weight >= 1 for f in top.logs("own")):
        return None  # it broke itself
    users = _users(top, suspects, catalog)
    failing = [s for s in users if s.anomalous]
    words = top.change.tokens()
    if any(words & log_tokens(" ".join(f.words for f in s.logs())) for s in failing):
        return None  # their errors repeat the change: it reached them, whoever else came through
    fine = [s.service for s in users if not s.anomalous and s.service in seen]
    return fine[0] if failing and fine else None


def _rotation_unread(top: Suspect) -> str | None:
    """Blamed on the rotation of a credential of its own as a change to undo, while none of the errors since,
    its own or its users' about it, were read as saying how it failed (a user's "it failed me" does not, unless
    it speaks of the certificate it was shown): a service failing after a rotation either holds a new credential
    that is wrong (undo it) or still the old one (read it again), and only those errors say which. Not when the
    rotated value also changed a setting it holds (a pool's size in a connection string): that is a change. The
    change's cite."""
    c = top.change
    if top.category != "recent_change" or c is None or not rotation(c.detail) or setting_beside(c.detail):
        return None
    said = [*(f for f in top.logs("own") if f.weight >= 1), *top.blamed_by]
    read = [f for f in said if f.category not in (None, "dependency_failure") or PEER_CERT.search(f.words)]
    return None if read else c.cite


def _only_slower(top: Suspect, suspects: list[Suspect], catalog: Catalog) -> str | None:
    """Blamed on a change, while all that followed it is its requests slower by less than SLOWER: no error of
    its own, nothing of its own at a limit (no other signal of its own moved), no user of it failing (slower along
    with it is the same slowdown). A change that costs a little time may be the work it does on purpose (a job,
    data moved); the slowdown's cite."""
    if top.category != "recent_change":
        return None
    if any(f.weight >= 1 for f in top.logs()) or any(_failing(s) for s in _users(top, suspects, catalog)):
        return None
    symptoms = [m for m in top.metrics() if m.weight >= 1 and not m.more_traffic]
    slow = [m for m in symptoms if _latency(m) and (m.detail.rise or w.SLOWER) < w.SLOWER]
    return slow[0].cite if slow and len(slow) == len(symptoms) else None


def _far_end(top: Suspect) -> str | None:
    """Blamed for the failure its errors say (something it depends on failed it, its network), while all those
    errors say is that connections timed out before they were opened (NOT_CONNECTED): a connection that
    never opened says the way to the far end failed, which is as often the far host's end (its link, its switch
    port, the host itself) as the caller's, and names neither. (A change of its own to how it reaches others is
    blamed as that change.) The first such error's cite."""
    said = [f for f in top.logs() if f.weight >= 1 and f.category == top.category]
    return said[0].cite if said and all(NOT_CONNECTED.search(f.words) for f in said) else None


def _users(top: Suspect, suspects: list[Suspect], catalog: Catalog) -> list[Suspect]:
    """The suspects that depend on it."""
    users = set(catalog.dependents(top.service))
    return [s for s in suspects if s.service in users]


def _failing(s: Suspect) -> bool:
    """Something of it is wrong beyond its requests taking longer."""
    return any(f.weight >= 1 and not (isinstance(f, MetricFinding) and _latency(f)) for f in s.logs() + s.metrics())


def _latency(m: MetricFinding) -> bool:
    return m.signal.startswith("latency")
