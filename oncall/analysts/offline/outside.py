"""Causes beyond what the catalog's edges and the errors along them say, read from the kind of failure and
its timing (likely, not proven: never HIGH), each for a reason an SRE gives:

- a clock ahead: services refuse tokens as issued in the future, and exactly one other service logs that
  its own clock cannot synchronise: what it signs is from the future, wherever it is checked;
- a change not followed: a dependency's change moved where it is reached (a failover, a new address) or
  rotated the credential it is logged in to with, and right after a user of it failed still holding what the
  change replaced (writes refused as read-only, the old address in its errors, its login refused) while
  another user we watch came through: the change worked, and the failing user holds state from before it (a
  restart makes it look again, or read the new secret);
- memory taken on the host: the kernel's OOM killer took a service's process while its own memory, which
  we watch, stayed flat, and exactly one other service's memory climbed to its limit before: that one
  took the memory of the hosts they share;
- connections taken: a store refused connections at its limit, and exactly one of its users, changed or not,
  had been busy at its own limit since before the store was: that user's work (a job's runs piling up) took
  the connections, and the users that only waited on the store are its victims too;
- locks held: statements waited on locks, or gave up waiting, and exactly one other service around them,
  failing nothing itself, got busy as the waits began: its work holds the locks they wait for (a batch in one
  transaction, a migration), whatever it shows of its own. Its change, if any before, is the cause;
- a broker filled: a broker raised its memory or disk alarm and blocked the users publishing to it, and
  exactly one other user of it had broken before, for a reason its own errors give (not the broker): it
  stopped draining what it consumes, and what it waits on is the cause;
- series multiplied: a metrics store ran out of memory speaking of its series, and minutes before, exactly
  one change elsewhere labelled a metric by an id (a user's, a vehicle's): every id is a new series in
  each store that scrapes it, whatever the catalog connects. That change is the cause."""

from __future__ import annotations

import re

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import ChangeFinding, MetricFinding, WorkloadFinding, rotation
from oncall.analysts.offline.patterns import (
    BROKER_ALARM,
    CLOCK_UNSYNCED,
    FAILOVER,
    LOCK_WAITED,
    LOGIN_REFUSED,
    MEMORY,
    OOM_KILLER,
    PER_ID_LABEL,
    READ_ONLY,
    SERIES_STORE,
    SERVER_LIMIT,
    TOKEN_TOO_EARLY,
)
from oncall.analysts.offline.suspect import Suspect
from oncall.core import diffs
from oncall.core.catalog import Catalog


def look_beyond(suspects: dict[str, Suspect], catalog: Catalog, seen: set[str]) -> None:
    """`seen`: the services whose metrics were read."""
    _clock_ahead(suspects)
    _change_not_followed(suspects, catalog, seen)
    _memory_taken(suspects, seen)
    _connections_taken(suspects, catalog)
    _locks_held(suspects, catalog)
    _broker_filled(suspects, catalog)
    _series_multiplied(suspects)


def _blame(x: Suspect, victims: list[Suspect], margin: float, how: str) -> None:
    """X broke `victims` for a reason read from timing and the kind of failure: it outranks them, they
    are its symptoms, and the brief says how."""
    x.broke, x.broke_by_load, x.broke_how = [v.service for v in victims], True, how
    x.kinds = {*x.kinds, "logs"}
    x.score = max(x.score, max(v.score for v in victims) + margin)
    for v in victims:
        if v.symptom_of is None:
            v.symptom_of = x.service


def _clock_ahead(suspects: dict[str, Suspect]) -> None:
    """Services refuse tokens as issued in the future, and exactly one other service logs that its own
    clock cannot synchronise: its clock ran ahead and what it signs is from the future, wherever it is
    checked (by services that need not call it)."""
    victims = [s for s in suspects.values() if s.onset and any(TOKEN_TOO_EARLY.search(f.words) for f in s.logs("own"))]
    clocks = [
        s for s in suspects.values() if s not in victims and any(CLOCK_UNSYNCED.search(f.words) for f in s.logs())
    ]
    if not victims or len(clocks) != 1:
        return
    x = clocks[0]
    x.category = "expired_credential"
    _blame(x, victims, w.CLOCK_AHEAD, f"{x.service}'s clock stopped synchronising")


def _change_not_followed(suspects: dict[str, Suspect], catalog: Catalog, seen: set[str]) -> None:
    """X's change moved where it is reached, and right after it a user of X failed still holding what the
    change replaced, while another user of X that we watch came through unharmed: the change worked, and
    the failing user holds state from before it (connections to the old primary, now a replica, whose
    writes it refuses as read-only; an address a DNS cache keeps, which its errors still name). The
    user is the cause to act on (a restart makes it look X up again); X's change is ruled down."""
    for x in suspects.values():
        users = [suspects[u] for u in catalog.dependents(x.service) if u in suspects]
        fine = [u for u in users if u.service in seen and not u.anomalous]
        for c in x.changes():
            if not c.at or not fine:
                continue
            stale = [u for u in users if u.onset and c.at <= u.onset <= c.at + w.LAG_CLOSE and _holds_old(u, c)]
            for u in stale:
                # (a rotated credential it still presents is its credential out of date, not the dependency's failure)
                u.holds_from_before(x, c, "expired_credential" if rotation(c.detail) else "dependency_failure")


def _holds_old(u: Suspect, c: ChangeFinding) -> bool:
    """U's errors say it still holds what change `c` replaced: writes refused as read-only after a
    failover, its login refused after the credential it logs in with was rotated, or the very value (an
    address, a host) the change replaced."""
    words = " ".join(f.words for f in u.logs())
    if rotation(c.detail) and LOGIN_REFUSED.search(words):
        return True
    if FAILOVER.search(" ".join(filter(None, (c.detail.from_, c.detail.to)))) and READ_ONLY.search(words):
        return True
    old = _value(c.detail.from_)  # whole, not inside a longer value (10.4.3.17 is not 10.4.3.170)
    return len(old) >= w.DISTINCT_VALUE and bool(re.search(rf"(?<![\w.]){re.escape(old)}(?![\w])", words))


def _value(setting: str | None) -> str:
    """The value of a `key: value` setting as a change records it."""
    _, sep, value = (setting or "").partition(": ")
    return value.strip() if sep else (setting or "").strip()


def _memory_taken(suspects: dict[str, Suspect], seen: set[str]) -> None:
    """The kernel's OOM killer took services' processes while their own memory, which we watch, stayed
    flat, and exactly one other service's memory climbed to its limit before the first kill: it took the
    memory of the hosts they share (an agent beside the application, a sidecar), whatever the catalog
    connects. Its change, if one explains the climb, is the cause; else its memory is."""
    killed = [
        s
        for s in suspects.values()
        if s.service in seen and not _memory_full(s) and any(OOM_KILLER.search(f.words) for f in s.logs())
    ]
    first_kill = min((f.at for s in killed for f in s.logs() if f.at and OOM_KILLER.search(f.words)), default=None)
    if not killed or first_kill is None:
        return
    takers = [
        s for s in suspects.values() if s not in killed and any(m.at and m.at < first_kill for m in _memory_full(s))
    ]
    if len(takers) != 1:
        return
    x = takers[0]
    if x.category != "recent_change":
        x.category = "resource_exhaustion"
    _blame(x, killed, w.MEMORY_TAKEN, f"{x.service}'s memory climbed to its limit")


def _memory_full(s: Suspect) -> list[MetricFinding]:
    return [m for m in s.metrics("saturation") if m.signal == "memory_utilization" and m.weight >= 1]


def _locks_held(suspects: dict[str, Suspect], catalog: Catalog) -> None:
    """Statements waited on a lock, or gave up waiting (LOCK_WAITED), and exactly one other service of those
    around them (not a store they wait on), failing nothing itself, got busy (its CPU or its requests rose) as
    the first of them began: its work holds the locks they wait for (what else there takes them without
    failing?). A change of it before then is the cause (it changed how that work takes its locks); likely, not
    proven."""
    waits = [(s, f.at) for s in suspects.values() for f in s.logs() if f.at and LOCK_WAITED.search(f.words)]
    if not waits:
        return
    first = min(at for _, at in waits)
    waited = list({s.service: s for s, _ in waits}.values())
    # (the stores they wait on hold no locks of their own: their sessions do, busy as the store may look)
    stores = {d for s in waited for d in catalog.dependencies(s.service, depth=2)}
    busy = [
        s
        for s in suspects.values()
        # not a store they wait on, failing nothing (no errors, nothing slower or failing), busier (its CPU,
        # its requests) right then
        if s.service not in stores
        and not any(f.weight >= 1 for f in [*s.logs(), *s.metrics("symptom")])
        and any(m.at and abs(m.at - first) <= w.NEAR for m in s.metrics())
    ]
    if len(busy) != 1:
        return
    holder = busy[0]
    # (its release of hours before counts: the work it changed takes its locks only when it runs)
    before = [c for c in holder.changes() if c.at and c.at <= first]
    if before:
        holder.change = max(before, key=lambda c: c.at or first)
        holder.category = "recent_change"
    _blame(holder, waited, w.LOCKS_HELD, f"{holder.service} got busy as the lock waits began")


def _broker_filled(suspects: dict[str, Suspect], catalog: Catalog) -> None:
    """A broker logged its memory or disk alarm (BROKER_ALARM), blocking its publishers, and exactly one of its
    users had broken before the alarm for a reason of its own (its errors are not about the broker): its
    messages piled up undrained until the broker ran out of room. What that user's errors name (a provider
    timing out) is the cause, else the user; the broker and the publishers blocked are their symptoms."""
    for x in suspects.values():
        alarm = min((f.at for f in x.logs("own") if f.at and BROKER_ALARM.search(f.words)), default=None)
        if alarm is None:
            continue
        users = [suspects[u] for u in catalog.dependents(x.service) if u in suspects]
        blocked = [u for u in users if any(f.points_to == x.service for f in u.logs())]
        stalled = [u for u in users if u not in blocked and u.onset and u.onset < alarm]
        if len(stalled) != 1:
            continue
        drainer = stalled[0]
        cause = suspects.get(drainer.symptom_of or "") or drainer
        _blame(cause, [x, *blocked], w.BROKER_FILLED, f"{drainer.service} stopped draining {x.service}")


def _series_multiplied(suspects: dict[str, Suspect]) -> None:
    """A metrics store's memory ran out (at its limit, or OOM-killed) while it spoke of its series, and in
    the minutes before exactly one change anywhere labelled a metric by an id: each user, vehicle or
    request a new series in every store that scrapes it. That change is the cause, wherever it was made."""
    for x in suspects.values():
        full = _memory_full(x) or any(MEMORY.search(f.words) for f in x.findings if isinstance(f, WorkloadFinding))
        if not (x.onset and full and any(SERIES_STORE.search(f.words) for f in x.logs("own"))):
            continue
        labelled = [
            c
            for s in suspects.values()
            if s is not x
            for c in s.changed_before(x.onset)
            if any(PER_ID_LABEL.search(line) for line in diffs.parse(c.detail.diff).added)
        ]
        if len(labelled) != 1:
            continue
        c = labelled[0]
        owner = suspects[c.service]
        owner.category, owner.change, owner.change_strength = "recent_change", c, max(owner.change_strength, c.weight)
        owner.kinds = {*owner.kinds, "change"}
        _blame(owner, [x], w.SERIES_MULTIPLIED, f"{owner.service}'s change labelled a metric by an id")


def _connections_taken(suspects: dict[str, Suspect], catalog: Catalog) -> None:
    """A store refused connections at its own limit (too many clients), and exactly one of its users had been
    busy at its own limit since before the store showed anything: that user's own work took the connections
    (a scheduled job whose runs outgrew their schedule and pile up, each with its pool), and the users that
    only waited on the store (their failures the store's) are its victims too. A change of that user stays
    its cause."""
    for x in suspects.values():
        refused = any(f.at and SERVER_LIMIT.search(f.words) for f in x.logs("own"))
        if not refused or not x.onset:
            continue
        users = [suspects[u] for u in catalog.dependents(x.service) if u in suspects]
        waited = [u for u in users if u.symptom_of == x.service]
        busy = [
            u
            for u in users
            if u.symptom_of is None and any(m.at and m.at < x.onset for m in u.metrics("saturation") if m.weight >= 1)
        ]
        if len(busy) != 1:
            continue
        taker = busy[0]
        if taker.category != "recent_change":
            taker.category = "resource_exhaustion"
        taker.took_connections_of = x.service
        _blame(taker, [x, *waited], w.CONNECTIONS_TAKEN, f"{taker.service} was busy at its limit")
