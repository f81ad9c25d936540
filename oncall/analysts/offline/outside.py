"""Causes beyond the catalog's edges, read from the kind of failure and its timing (likely, not proven:
never HIGH), each for a reason an SRE gives:

- a clock ahead: services refuse tokens as issued in the future, and exactly one other service logs that
  its own clock cannot synchronise: what it signs is from the future, wherever it is checked;
- a change not followed: a dependency's change moved where it is reached (a failover, a new address),
  and right after a user of it failed still holding what the change replaced (writes refused as
  read-only, the old address in its errors) while another user we watch came through: the change
  worked, and the failing user holds state from before it (a restart makes it look again);
- memory taken on the host: the kernel's OOM killer took a service's process while its own memory, which
  we watch, stayed flat, and exactly one other service's memory climbed to its limit before: that one
  took the memory of the hosts they share."""

from __future__ import annotations

import re

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import ChangeFinding, MetricFinding
from oncall.analysts.offline.patterns import CLOCK_UNSYNCED, FAILOVER, OOM_KILLER, READ_ONLY, TOKEN_TOO_EARLY
from oncall.analysts.offline.suspect import Suspect
from oncall.core.catalog import Catalog


def look_beyond(suspects: dict[str, Suspect], catalog: Catalog, seen: set[str]) -> None:
    """`seen`: the services whose metrics were read."""
    _clock_ahead(suspects)
    _change_not_followed(suspects, catalog, seen)
    _memory_taken(suspects, seen)


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
                u.category, u.stale_since, u.symptom_of = "dependency_failure", c, None
                u.kinds = {*u.kinds, "change"}
                u.score = max(u.score, x.score + w.CHANGE_NOT_FOLLOWED)
                u.below_first = True  # its dependency's change came first: likely, not proven
                if u.service in x.broke:
                    x.broke.remove(u.service)


def _holds_old(u: Suspect, c: ChangeFinding) -> bool:
    """U's errors say it still holds what change `c` replaced: writes refused as read-only after a
    failover, or the very value (an address, a host) the change replaced."""
    words = " ".join(f.words for f in u.logs())
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
