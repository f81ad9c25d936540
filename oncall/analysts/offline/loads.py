"""A change tied to what broke by load and timing alone (neighbours.py follows changes with these):
when a service's load, its strain and a neighbour's change fell, and the rules read from them. What
they find is likely, not proven: never HIGH on its own.

- a leak: the connections of a store X uses began filling minutes after X changed and climbed until
  they ran out, no other user of it having changed then (filling_since);
- a store filled: the memory or disk of a store X uses climbed steadily from X's change until its users'
  writes were refused, however long that took, nothing else near it having changed then (filled_since);
- heavier work sent: minutes after X's change a store X uses ran out of CPU or connections though no
  one sent it more requests and nothing else near it changed then (work_sent);
- requests set off beyond the services we watch: minutes after X's change a service X uses took
  several times its usual requests, though neither X, nor any other user of it, nor the front door
  sent more (set_off_beyond);
- pools multiplied: X scaled out and, minutes after, a store X uses refused connections or sessions at
  its limit, to its other users or to X itself (pools_multiplied);
- a shield removed: X (a cache) changed and right after a store its users also read took several times
  its load, their own traffic flat (shield_removed);
- pushed over a limit: X set a number of its own and, minutes after, a dependency refused X's calls for
  their rate or quota (pushed_over_limit);
- a store kept busy: X changed and, minutes after, the other users of a store X uses reported it too busy
  to answer (overloaded, locked, queued), no one else near it having changed (kept_busy)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import (
    ChangeFinding,
    WorkFinding,
    change_said,
    instances,
    number_set,
)
from oncall.analysts.offline.patterns import (
    BUSY,
    CONCURRENCY,
    KEEPING,
    REPLICAS,
    SERVER_LIMIT,
    STATED_FAILURES,
    THROTTLED,
)
from oncall.analysts.offline.suspect import Suspect
from oncall.core import diffs
from oncall.core.catalog import Catalog

FILLS = ("memory_utilization", "disk_utilization")  # what a store's writes fill (its CPU or connections they only use)


def soon_after(s: Suspect, at: datetime) -> bool:
    return s.onset is not None and at <= s.onset <= at + w.JUST_AFTER


def changed_since(s: Suspect, c: ChangeFinding) -> bool:
    """A change of its own, other than `c`, landed between `c` and its onset."""
    return any(d is not c and d.at and c.at and s.onset and c.at <= d.at <= s.onset for d in s.changes())


def within(at: datetime, since: datetime) -> bool:
    return since - w.CLOCK_SKEW <= at <= since + w.JUST_AFTER


def changed_before(s: Suspect, c: ChangeFinding, span: timedelta) -> bool:
    """A change of its own landed in the `span` before `c`: two changes, and nothing to choose between them."""
    return any(d is not c and d.at and c.at and c.at - span <= d.at < c.at for d in s.changes())


def quiet_near(
    s: Suspect,
    x: Suspect,
    c: ChangeFinding,
    suspects: dict[str, Suspect],
    catalog: Catalog,
    start: datetime | None = None,
) -> bool:
    """Neither store `s` nor any user of it but X changed in the minutes before X's change or since:
    nothing else as close could have sent what it took. (A user that shows nothing of its own has no onset
    to measure "since" by: its changes count up to the store's.) A change that took effect later (`start`,
    when a job next ran) is measured from then: another change long before that would have shown at once."""
    assert c.at is not None
    users = [suspects[u] for u in catalog.dependents(s.service) if u in suspects]
    since, until = c.at, s.onset or c.at + w.JUST_AFTER
    if start is not None and start > c.at + w.JUST_AFTER:
        since = start - w.JUST_AFTER
        return not any(
            d is not c and d.at and since <= d.at <= max(until, start)
            for v in [s, *users]
            if v is not x
            for d in v.changes()
        )

    def silent_since(v: Suspect) -> bool:
        return v.onset is None and any(d is not c and d.at and since <= d.at <= until for d in v.changes())

    return not any(
        changed_since(v, c) or changed_before(v, c, w.JUST_AFTER) or silent_since(v) for v in [s, *users] if v is not x
    )


def load_at(s: Suspect) -> datetime | None:
    """When its load left the baseline."""
    return min((m.at for m in s.metrics("traffic") if m.more_traffic and m.at), default=None)


def work_logged_at(s: Suspect) -> datetime | None:
    """When it began a new run of routine lines (a WorkFinding): work of its own, seen where its request rate
    is not (a job has none to watch)."""
    return min((f.at for f in s.findings if isinstance(f, WorkFinding) and f.at), default=None)


def hurt_at(s: Suspect, with_logs: bool = False) -> datetime | None:
    """When its latency, errors or saturation (and, with_logs, its own error lines) left the baseline."""
    times = [m.at for m in s.metrics() if m.role in ("symptom", "saturation") and m.at and m.weight > 0]
    if with_logs:
        times += [f.at for f in s.logs("own") if f.at and f.weight >= 1]
    return min(times, default=None)


def load_followed_slowdown(s: Suspect) -> bool:
    """Its latency, errors or saturation left the baseline before its load did: the extra requests are
    callers retrying what it was already failing, not a flood that broke it."""
    load, hurt = load_at(s), hurt_at(s)
    # the same service's signals share a scrape: strictly earlier is earlier
    return load is not None and hurt is not None and hurt < load


def load_led(s: Suspect) -> bool:
    """Its load left the baseline strictly before its latency, errors or saturation did."""
    load, hurt = load_at(s), hurt_at(s, with_logs=True)
    return load is not None and (hurt is None or load < hurt)


def load_rose_before(s: Suspect, c: ChangeFinding) -> bool:
    """Its load was already rising before the change landed: the change did not send it."""
    assert c.at is not None
    load = load_at(s)
    return load is not None and load < c.at - w.CLOCK_SKEW  # a sample taken before the change saw the load


def rose_soon_after(s: Suspect, c: ChangeFinding) -> bool:
    """Its load left the baseline within the minutes after the change."""
    assert c.at is not None
    load = load_at(s)
    return load is not None and within(load, c.at)


def flooded_after(s: Suspect, c: ChangeFinding) -> bool:
    """Its load multiplied, not before the change landed, and before it slowed or failed."""
    more = any(m.more_traffic and m.weight >= 1 for m in s.metrics("traffic"))
    return more and not load_followed_slowdown(s) and not load_rose_before(s, c)


def filling_since(
    x: Suspect, c: ChangeFinding, used: list[Suspect], suspects: dict[str, Suspect], catalog: Catalog
) -> list[Suspect]:
    """A dependency's connections began filling minutes after X's change and climbed until they ran out,
    X failing only after that, and no other user of it changed then: X's change holds them (opened and
    never closed), whoever the limit then refuses."""
    assert c.at is not None

    def began(s: Suspect) -> datetime | None:
        ramps = [
            m.detail.onset
            for m in s.metrics("saturation")
            if m.signal == "pool_utilization"
            and m.weight >= 1
            and m.detail.onset
            and m.detail.peak_at - m.detail.onset >= w.RAMP
        ]
        return min(ramps, default=None)

    out = []
    for s in used:
        start = began(s)
        if start is None or not c.at <= start <= c.at + w.LAG_CLOSE or not x.onset or x.onset < start:
            continue
        others = [suspects[u] for u in catalog.dependents(s.service) if u != x.service and u in suspects]
        if not any(d.at and c.at - w.JUST_AFTER <= d.at <= start for u in others for d in u.changes()):
            out.append(s)
    return out


def filled_since(
    x: Suspect, c: ChangeFinding, used: list[Suspect], suspects: dict[str, Suspect], catalog: Catalog
) -> list[Suspect]:
    """A store X uses climbed steadily to the limit of its memory or its disk from the minutes of X's change
    (its climb, drawn back along its slope, leaves its earlier level then, within what the line can tell), its
    users' writes then refused for that limit, and neither it nor another user of it changed as near where the
    climb began: X's change fills it (entries kept with no expiry, a cache with no bound, a queue nobody
    drains), however long it took to fill. The store and its users that broke once it was full."""
    assert c.at is not None
    out: list[Suspect] = []
    for s in used:
        climbs = [
            (m.detail.climb_from, m.detail.climb_error or timedelta(0))
            for m in s.at_limit()
            if m.signal in FILLS and m.detail.climb_from
        ]
        if not climbs:
            continue
        start, error = min(climbs)
        # drawn back hours along its line, where it began is known only as well as the line is
        near_start = max(w.JUST_AFTER, w.DRAWN_BACK * error)
        if abs(start - c.at) > near_start:
            continue
        users = [suspects[u] for u in catalog.dependents(s.service) if u in suspects]
        refused = any(f.points_to == s.service and f.category == "resource_exhaustion" for u in users for f in u.logs())
        others = [v for v in [s, *users] if v is not x]
        near = [d for v in others for d in v.changes() if d.at and abs(d.at - start) <= near_start]
        if near and _keeps(c) and not any(_keeps(d) for d in near):
            near = []  # of the changes landed as it began to fill, the one that set how long it keeps things
        if refused and not near:
            out += [s, *(u for u in users if u is not x and u.onset and u.onset >= start and u not in out)]
    return out


def one_disk_filled(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect]) -> list[Suspect]:
    """X's own disk climbed to its limit from the minutes of X's change, and other services' disks climbed with it
    from the same moment (within what each line can tell): they write to one disk (a host's), and X's change
    fills it (its log no longer rotated, a cache kept on the host), however long it took. What filled up beside X
    is what X's change broke."""
    assert c.at is not None
    if (mine := _disk_climb(x)) is None:
        return []
    start, error = mine
    near = max(w.JUST_AFTER, w.DRAWN_BACK * error)
    if abs(start - c.at) > near:
        return []
    beside = [
        s
        for s in suspects.values()
        if s is not x
        and (theirs := _disk_climb(s)) is not None
        and abs(theirs[0] - start) <= max(near, w.DRAWN_BACK * theirs[1])
    ]
    return beside


def _disk_climb(s: Suspect) -> tuple[datetime, timedelta] | None:
    """Where a service's disk began its climb to its limit, and how well that is known (the earliest of several)."""
    climbs = [
        (at, m.detail.climb_error or timedelta(0))
        for m in s.at_limit()
        if m.signal == "disk_utilization" and (at := m.detail.climb_from) is not None
    ]
    return min(climbs) if climbs else None


def _keeps(c: ChangeFinding) -> bool:
    """The change set how long a store keeps what it is given: of the changes landed as a store began to fill,
    that one is why it filled, and another that set no such thing (a version moved) is no rival to it."""
    return bool(KEEPING.search(" ".join(change_said(c.detail))))


def work_sent(
    x: Suspect,
    c: ChangeFinding,
    used: list[Suspect],
    suspects: dict[str, Suspect],
    catalog: Catalog,
    after: Callable[[Suspect], bool],
) -> list[Suspect]:
    """X changed and, minutes after, a store X uses ran out of CPU or connections, though no one's
    load on it grew, its own errors name nothing of its own that ran out, and neither it nor any other
    user of it changed in the minutes before X or since: X's change sends it heavier work (a query that lost its
    index, reads that now miss a cache, a new export). The store, and its other users that broke then."""
    assert c.at is not None
    out: list[Suspect] = []
    for s in used:
        if catalog.dependencies(s.service, depth=1):
            continue  # a store uses nothing itself: a service in between may be slow on its own account
        # CPU or connections: what heavier statements take (a disk or memory filling is its own doing)
        busy = [m for m in s.metrics("saturation") if m.signal in ("cpu_utilization", "pool_utilization")]
        if not soon_after(s, c.at) or not busy or any(f.category in STATED_FAILURES for f in s.logs("own")):
            continue
        users = [suspects[u] for u in catalog.dependents(s.service) if u in suspects]
        # more requests, not heavier ones: a surge or a flood, read by the rules above; requests that rose
        # only after it was already busy (the day's rise, retries) did not make it busy
        began = min((m.at for m in busy if m.at), default=None)
        if any(
            m.more_traffic and (not m.at or not began or m.at <= began + w.SAMPLE_LAG)
            for v in [s, *users]
            for m in v.metrics("traffic")
        ):
            continue
        if not quiet_near(s, x, c, suspects, catalog):
            continue  # another change as close to it could have sent it too
        out += [s, *(u for u in users if u is not x and after(u) and u not in out)]
    return out


def kept_busy(
    x: Suspect,
    c: ChangeFinding,
    used: list[Suspect],
    suspects: dict[str, Suspect],
    catalog: Catalog,
    after: Callable[[Suspect], bool],
) -> list[Suspect]:
    """X changed and, minutes after, the other users of a store X uses reported it too busy to answer
    (overloaded, locked, queued: not down, nor only timing out), though neither it nor any other user of it changed
    in the minutes before X or since: X's change keeps it busy (a migration building an index, a backfill),
    whether or not we see the store itself. The store, and its users that broke then."""
    assert c.at is not None
    out: list[Suspect] = []
    for s in used:
        if s.onset is None or not within(s.onset, c.at) or not quiet_near(s, x, c, suspects, catalog):
            continue
        users = [suspects[u] for u in catalog.dependents(s.service) if u in suspects and u != x.service]
        said = [u for u in users if any(f.points_to == s.service and BUSY.search(f.words) for f in u.logs("peer"))]
        if said:
            out += [s, *(u for u in users if after(u) and u not in out)]
    return out


def set_off_beyond(
    x: Suspect,
    c: ChangeFinding,
    used: list[Suspect],
    suspects: dict[str, Suspect],
    catalog: Catalog,
    after: Callable[[Suspect], bool],
) -> list[Suspect]:
    """Minutes after X's change, a service X uses took several times its usual requests and broke under
    them (not failing before they came, as far as its samples tell), though neither X, nor any other
    user of it, nor any front door sent more: the requests came from beyond the services we watch, and
    X's change set them off (a firmware campaign reconnecting a fleet, a job fanning out to clients).
    The service and its users that broke then."""
    assert c.at is not None
    fronts = [suspects[n] for n in catalog.services if not catalog.dependents(n) and n in suspects]
    out: list[Suspect] = []
    for s in used:
        load = load_at(s)
        several = any(m.multiplied for m in s.metrics("traffic"))
        if load is None or not several or not within(load, c.at) or load_rose_before(s, c):
            continue
        # a rate's first abnormal sample can come a scrape after the requests began, while a log line is
        # exact: strain within one sampling interval before the load is the same moment
        hurt = hurt_at(s, with_logs=True)
        if hurt is not None and hurt < load - w.SAMPLE_LAG:
            continue  # it was failing before the requests came: callers retrying, not requests set off
        users = [suspects[u] for u in catalog.dependents(s.service) if u in suspects]
        # (a service wired to nothing is no front door of its own load)
        if any(m.more_traffic for v in [*users, *fronts] if v is not s for m in v.metrics("traffic")):
            continue  # those requests came through a service we watch: a surge or a flood the rules above read
        if quiet_near(s, x, c, suspects, catalog):
            out += [s, *(u for u in users if u is not x and after(u) and u not in out)]
    return out


def scaled_out(c: ChangeFinding) -> bool:
    """The change raised how many instances run (replicas, an autoscaler's bounds, a desired count), or how
    many things each does at once (its workers, threads, concurrency, a scheduler's active runs)."""
    d = c.detail
    before, now = instances(d)
    setting = f"{d.from_} {d.to}"
    said = d.kind in ("scale", "scaling", "autoscaling") or any(rx.search(setting) for rx in (REPLICAS, CONCURRENCY))
    if said and before is not None and now is not None and now > before:
        return True
    # (or a release whose diff raises one: `REPORT_WORKERS: "4"` -> `"48"` beside the image's new tag)
    return any(
        any(rx.search(re.sub(r"[_.-]", " ", key)) for rx in (REPLICAS, CONCURRENCY)) and _larger(old, new)
        for key, old, new in diffs.settings_changed(d.diff)
    )


def _larger(old: str, new: str) -> bool:
    try:
        return float(new) > float(old)
    except ValueError:
        return False


def took_effect(x: Suspect, c: ChangeFinding) -> datetime:
    """When X's change took effect: at once, or when X next ran (a job's new release does nothing until its
    schedule starts it): X's own first sign after the change, when it came within LAG_CLOSE of it."""
    assert c.at is not None
    return x.onset if x.onset is not None and c.at <= x.onset <= c.at + w.LAG_CLOSE else c.at


def pools_multiplied(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect], catalog: Catalog) -> list[Suspect]:
    """X scaled out (or ran more at once) and, minutes after, a store X uses refused connections at its own
    limit (too many clients, too many sessions), nothing else near it having changed then: each new replica or
    concurrent run of X opens its own connections, so the change took the connections the store's other users
    need, or X's own new replicas are refused theirs. The store and its users that broke then. (The refusal is
    the store's own line, or its users' quoting it, X among them: a managed database's or an HSM's own log is
    rarely ours to read.)"""
    assert c.at is not None
    if not scaled_out(c):
        return []
    info = catalog.services.get(x.service)
    out: list[Suspect] = []
    start = took_effect(x, c)
    for d in info.depends_on if info else []:
        s = suspects.get(d)
        users = [suspects[u] for u in catalog.dependents(d) if u in suspects and u != x.service]
        said = [*(s.logs("own") if s else []), *(f for u in users for f in u.logs())]
        said += [f for f in x.logs() if f.points_to == d]
        refused = s is not None and any(f.at and within(f.at, start) and SERVER_LIMIT.search(f.words) for f in said)
        if s is None or not refused or not quiet_near(s, x, c, suspects, catalog, start):
            continue
        out += [s, *(u for u in users if soon_after(u, start) and u not in out)]
    return out


def shield_removed(
    c: ChangeFinding,
    users: list[Suspect],
    suspects: dict[str, Suspect],
    catalog: Catalog,
    after: Callable[[Suspect], bool],
) -> list[Suspect]:
    """X changed (a cache scaled in, emptied, reconfigured) and, right after, a store that X's `users`
    also read took several times its load though those users' own traffic did not grow: what X used to
    answer now falls through to the store. The store and the users that broke after the change."""
    steady = [u for u in users if not any(m.more_traffic for m in u.metrics("traffic"))]
    stores = {
        d
        for u in steady
        for d in (catalog.services[u.service].depends_on if u.service in catalog.services else [])
        if d != c.service and d in suspects
    }
    # what a shield stops falls through at once: a store whose load rose long after is not its doing
    flooded = [
        suspects[d]
        for d in sorted(stores)
        if after(suspects[d]) and flooded_after(suspects[d], c) and rose_soon_after(suspects[d], c)
    ]
    if not flooded:
        return []
    names = {s.service for s in flooded}
    return flooded + [u for u in steady if after(u) and u.symptom_of in names]


def pushed_over_limit(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect], catalog: Catalog) -> list[Suspect]:
    """X's change set a number of its own (a weight sending traffic somewhere, an interval, a concurrency, a
    batch size), or released its code and X then worked harder (its CPU or its requests up after the release,
    before the refusals: a release sets no number, so only that says it does more), and, minutes after, a
    dependency refused X's own calls for their rate or quota: X now sends it more than it allows. The
    dependencies that refused."""
    assert c.at is not None
    released = not number_set(c.detail)
    if released and c.detail.kind != "deploy":
        return []
    info = catalog.services.get(x.service)
    uses = set(info.depends_on) if info else set()
    refusals = [
        f for f in x.logs() if f.points_to in uses and f.at and within(f.at, c.at) and THROTTLED.search(f.words)
    ]
    first = min((f.at for f in refusals if f.at), default=None)
    if released and (first is None or not _busier_between(x, c.at, first)):
        return []
    refused = {f.points_to for f in refusals}
    return [suspects[d] for d in sorted(r for r in refused if r) if d in suspects]


def _busier_between(x: Suspect, since: datetime, until: datetime) -> bool:
    """X's CPU or requests rose from `since` (less the deploy system's skew) to `until`."""
    return any(
        m.at and since - w.CLOCK_SKEW <= m.at <= until and m.detail.direction == "up"
        for m in x.metrics()
        if m.signal == "cpu_utilization" or m.more_traffic
    )
