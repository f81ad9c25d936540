"""Changes that broke other services. The first pass of ranking blames a change only on the service
that broke; these rules follow a change to the neighbours it broke, each for a reason an SRE gives:

- the errors repeat it: services next to X (its users, what it uses, what shares a dependency with
  it: the consumer of a queue X publishes to) fail just after X changed, and their errors repeat what
  the change introduced (a flag's name, a setting, a field), or a service X calls rejects what X sends
  and names X in its errors; or several services the catalog does not connect to X do (a config push);
- shared infrastructure: several services fail the same way at once, and what they share changed
  just before (a DNS, flag or config service), or within one interval of a change that set how often
  it does something (a DNS server's scavenging: likely, not proven);
- a caller's flood: a service's load multiplied just after a caller of it changed, and the caller's
  own log lines are about that service (retries, timeouts), unless the service slowed or failed
  before its load rose (then the retries answer its slowness: a retry storm it started) or its load
  was already rising before the change (the change cannot have sent it); or the
  caller's own request rate multiplied after its change and a service it calls saturated right after;
- a shared limit taken: X's own requests multiplied right after its change, and right after that
  several services were throttled (a limit beyond the catalog: an account's concurrency, a quota);
- a path cut: X's change altered how traffic leaves or is routed, and right after it several services
  could not connect, none having changed itself;
- users turned away: right after X's change, X began refusing requests on purpose (a WAF rule, a policy)
  and the traffic of services behind it fell;
- the one change before it: X, which we have no signal from or which shows nothing wrong, changed, and
  right after a user of it failed with new errors of its own, nothing else it uses or it itself having
  changed in between;
- and, in loads.py, those read from load and timing alone: a leak, heavier work sent, requests set off
  beyond the services we watch, pools multiplied by a scale-out, a shield removed.
Those and the last four are read from timing and the kind of failure, not from words the errors
repeat: likely, not proven (never HIGH).

A change so followed makes X the suspect (recent_change); the services it broke become its symptoms,
and their own routine changes count for little."""

from __future__ import annotations

from datetime import datetime

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import (
    ChangeFinding,
    MetricFinding,
    change_said,
    fell_away,
    log_tokens,
    reaction,
    rotation,
    withdrawn,
)
from oncall.analysts.offline.loads import (
    changed_before,
    changed_since,
    filled_since,
    filling_since,
    flooded_after,
    kept_busy,
    load_at,
    load_led,
    one_disk_filled,
    pools_multiplied,
    pushed_over_limit,
    set_off_beyond,
    shield_removed,
    soon_after,
    within,
    work_logged_at,
    work_sent,
)
from oncall.analysts.offline.patterns import (
    CACHE_MISSED,
    NO_ROOM,
    REFUSALS,
    REFUSED,
    ROOM_SETTING,
    STALE_KEYS,
    STATED_FAILURES,
    THROTTLED,
    UNDECODABLE,
    UNREACHED,
    admits,
    reaches,
)
from oncall.analysts.offline.schedules import first_firing, schedule_set
from oncall.analysts.offline.suspect import Suspect, passes_up
from oncall.core import diffs
from oncall.core.catalog import Catalog, mentions


def follow_changes(suspects: dict[str, Suspect], catalog: Catalog, seen: set[str]) -> None:
    """`seen`: the services whose metrics were read."""
    shared = set(catalog.shared())
    for x in suspects.values():
        best: tuple[float, ChangeFinding, list[Suspect], bool] | None = None
        for c in x.changes():
            if not c.at or x.kept_old_credential(c):  # its users broke because it did: its category says why
                continue
            if _verifiers_kept_old_keys(x, c, suspects, catalog):  # the rollover is not to undo: they re-read
                continue
            if stale := _users_kept_old_credential(x, c, suspects, catalog):  # nor the rotation: they read it again
                for u in stale:
                    u.holds_from_before(x, c, "expired_credential")
                continue
            if reaction(c.detail):  # a scale-out answers load, unless its new pools took a store's connections
                broke, by_load = pools_multiplied(x, c, suspects, catalog), True
            else:
                broke, by_load = _broke(x, c, suspects, catalog, shared, seen)
            if not broke:
                continue
            cause = suspects.get(x.symptom_of or "")
            if (
                cause
                and cause.service not in {s.service for s in broke}
                and (passes_up(x, cause) or _ran_clean_then_named(x, cause, c))
            ):
                # its own errors repeat those of a dependency that broke no later, or name it after the change
                # had long run clean, and not of this change's doing: its users suffer that failure passed up
                continue
            # (a service whose only sign is traffic that fell away has no onset: its fall came after the change)
            first = min((s.onset for s in broke if s.onset), default=c.at)
            lag = first - c.at
            strength = w.CHANGE * (w.LAG_CLOSE_FACTOR if lag <= w.LAG_CLOSE else w.LAG_MEDIUM_FACTOR)
            strength += w.COHERENT_CHANGE + (w.CHANGE_WITH_DIFF if c.detail.diff else 0.0)
            if best is None or strength > best[0]:
                best = (strength, c, broke, by_load)
        if best is None:
            continue
        strength, c, broke, by_load = best
        if x.category == "recent_change" and x.change is not c and x.change_strength >= strength:
            continue  # already blamed on its own breakage, by another change at least as strong
        # (the same change that broke it and then its neighbours: it is credited with them too)
        top = max(s.score for s in broke)
        x.change, x.change_strength, x.category = c, strength, "recent_change"
        x.score = max(x.score, top + w.CHANGE_BROKE_NEIGHBOURS + min(w.BLAMED_CAP, w.BLAMED * len(broke)))
        x.kinds = {*x.kinds, "change", "logs"}
        x.broke = [s.service for s in broke]
        x.broke_by_load = by_load
        for s in broke:
            if s.symptom_of is None:
                s.symptom_of = x.service
                s.score -= w.SYMPTOM_OF_DEPENDENCY
                s.change_strength *= w.CHANGE_ON_SYMPTOM


def _verifiers_kept_old_keys(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect], catalog: Catalog) -> bool:
    """X rolled its signing credential over (an identity provider's token-signing certificate, its JWKS) and
    right after, a user of X fails for holding no key that matches the tokens it is given (STALE_KEYS): the
    issuer signs with its new key as a rollover does, and the user verifies with the keys it read before (its
    federation metadata or key set, fetched once). The user's copy is the credential out of date, re-read by
    restarting it; the rollover is not a change to undo."""
    broke = _broke_after_rotation(x, c, suspects, catalog)
    return any(STALE_KEYS.search(f.words) for s in broke for f in s.logs())


def _users_kept_old_credential(
    x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect], catalog: Catalog
) -> list[Suspect]:
    """X rotated a credential its users present to it (a provider regenerated an access key, a store a password)
    and right after, users of X fail with X refusing the credential they present: they still hold the one from
    before (read once at start, a sidecar's connection string), X holds the new one. Each user reads it again
    (a restart); the rotation is not a change to undo. The users, or none."""
    return [s for s in _broke_after_rotation(x, c, suspects, catalog) if s.refused_own_credential()]


def _broke_after_rotation(
    x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect], catalog: Catalog
) -> list[Suspect]:
    """The users of X that broke within LAG_CLOSE after change `c`, when `c` rotated a credential (else none)."""
    assert c.at is not None
    if not rotation(c.detail):
        return []
    users = [suspects[u] for u in catalog.dependents(x.service) if u in suspects]
    return [s for s in users if s.onset and c.at <= s.onset <= c.at + w.LAG_CLOSE]


def _ran_clean_then_named(x: Suspect, cause: Suspect, c: ChangeFinding) -> bool:
    """X's errors about the dependency began longer after its change than a change's errors take to show:
    the change ran clean, then the dependency failed it."""
    assert c.at is not None
    first = min((f.at for f in x.logs("peer") if f.points_to == cause.service and f.at), default=None)
    return first is not None and first > c.at + w.JUST_AFTER


def _broke(
    x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect], catalog: Catalog, shared: set[str], seen: set[str]
) -> tuple[list[Suspect], bool]:
    """The services that broke just after change `c`, for one of the reasons above, and whether only
    timing, load or the kind of failure ties them to it (likely, not proven)."""
    assert c.at is not None
    # the disk X's change began to fill, which others write to as well: whatever else their errors say, and
    # however long it took, they broke when it was full
    if beside := one_disk_filled(x, c, suspects):
        return beside, True
    users = [suspects[u] for u in catalog.dependents(x.service) if u in suspects]
    info = catalog.services.get(x.service)
    used = [suspects[d] for d in (info.depends_on if info else []) if d in suspects]
    # and the infrastructure every service uses without the catalog saying so (its lookups, its scrapes): a
    # change can load that too, but timing alone ties them only when its requests multiplied, or when X itself
    # began failing just after its change, as the infrastructure did
    unsaid = [suspects[d] for d in catalog.unwired if d in suspects and d != x.service]

    def after(s: Suspect) -> bool:
        return bool(s.onset) and c.at <= s.onset <= c.at + w.LAG_CLOSE  # type: ignore[operator]

    tokens = c.tokens()

    def repeats(s: Suspect) -> bool:
        return bool(tokens & log_tokens(" ".join(f.words for f in s.logs())))

    def names_x(s: Suspect) -> bool:
        # a service rejecting what its caller X sends names X
        return any(f.points_to == x.service for f in s.logs("peer"))

    def only_about_x(s: Suspect) -> bool:
        # users whose errors are about X, failing right after X changed (a restart that emptied it, a new
        # certificate, a new schema): not when their own errors say what is wrong with them (their pool,
        # their memory), nor when a change of their own landed after X's and before they broke
        own_cause = any(f.category and f.weight >= 1 for f in s.logs("own"))  # not one stray failing trace
        own_change = any(d.at and c.at < d.at <= s.onset for d in s.changes() if s.onset)  # type: ignore[operator]
        return names_x(s) and not own_cause and not own_change

    # and those that share a dependency with X (a consumer of the queue X publishes to) repeating its words
    near = {x.service, *(s.service for s in users), *(s.service for s in used)}
    siblings = [
        suspects[s]
        for s in dict.fromkeys(s for d in (info.depends_on if info else []) for s in catalog.dependents(d))
        if s not in near and s in suspects
    ]
    repeated = (
        [s for s in users if after(s) and (repeats(s) or only_about_x(s))]
        + [s for s in used if after(s) and (repeats(s) or names_x(s))]
        + [s for s in siblings if after(s) and s.logs("own") and repeats(s)]
    )
    alike = _alike_after_shared(x, c, users, shared)
    if repeated:  # (with the users that failed alike just after shared infrastructure changed, below)
        also = [s for s in alike if all(s is not r for r in repeated)]
        # and a store it uses that it sent heavier work to (its users naming X say how X failed them, not
        # why the store is busy; the words that tie them prove the change)
        heavier = [
            s for s in work_sent(x, c, used, suspects, catalog, after) if all(s is not r for r in [*repeated, *also])
        ]
        return [*repeated, *also, *heavier], False
    if taken := _credential_taken(x, c, suspects):
        return taken, True
    if refused := _callers_refused(c, users):
        return refused, True
    if no_room := _room_taken(x, c, suspects):
        return no_room, True
    # several services, whatever the catalog says of them, fail right after the change with its words
    strangers = [s for s in suspects.values() if s is not x and after(s) and s.logs("own") and repeats(s)]
    if len(strangers) >= w.STRANGERS:
        return strangers, False
    # a consumer of what X publishes (it shares X's broker) that, right after X's change, cannot decode what it
    # reads: X's change sent another format (likely: nothing but the kind of failure ties them)
    undecoded = [s for s in siblings if after(s) and any(UNDECODABLE.search(f.words) for f in s.logs("own"))]
    if undecoded:
        return undecoded, True
    if alike:
        return alike, not all(after(s) for s in alike)
    if fired := _fired_at_new_time(c, used):
        return fired, True
    # X went quiet right after its change (its own work fell away) and something it drains filled up:
    # a consumer that stopped consuming, its queue backing up
    filled = [s for s in used if after(s) and s.metrics("saturation")]
    quiet = any(
        m.detail.direction == "down" and m.at and c.at <= m.at <= c.at + w.LAG_CLOSE for m in x.metrics("traffic")
    )
    if quiet and filled:
        return filled, False
    # X itself sends several times its usual load (a batch job moved into peak, a retry loop)
    surged = any(m.multiplied for m in x.metrics("traffic"))
    if surged and filled:  # its own request rate shows the load is its own
        # a new schedule or setting says it sends more; a deploy of new code only might (an edge
        # deploying while its users surge looks the same): likely, not proven
        return filled, c.detail.kind == "deploy"
    # X's own requests multiplied right after its change, and right after, so did the work of a service sharing a
    # dependency with it (the workers draining the queue X fills), to its limit: X passes on what its change let in.
    # Not a release that only moved a version: new code does not open a door to more work, and a deploy landing as
    # the day's demand surges (an episode out at the top of the hour) is there by chance
    if (
        not diffs.version_only(c.detail.diff)
        and _multiplied_after(x, c)
        and (drained := [s for s in siblings if after(s) and _multiplied_after(s, c) and s.metrics("saturation")])
    ):
        return drained, True
    # only the service's load and X's words about it tie them: a flood, or X retrying what was failing.
    # Proven when the load rose before the service slowed; at the same moment, either could be first.
    flooded = [s for s in used if after(s) and flooded_after(s, c) and any(f.points_to == s.service for f in x.logs())]
    if flooded:
        return flooded, not all(load_led(s) for s in flooded)
    # the change's own text names a service (its address in a webhook, a job's target) that the catalog does
    # not connect to X, and that service's load multiplied right after: the change sends it those requests
    if sent_to := [s for s in _named_by(c, x, suspects) if after(s) and _multiplied_after(s, c)]:
        return sent_to, True
    if filling := filling_since(x, c, used, suspects, catalog):
        return filling, True
    if filled := filled_since(x, c, used, suspects, catalog):
        return filled, True
    if sent := work_sent(x, c, [*used, *unsaid] if after(x) else used, suspects, catalog, after):
        return sent, True
    if busy := kept_busy(x, c, used, suspects, catalog, after):
        return busy, True
    if set_off := set_off_beyond(x, c, [*used, *unsaid], suspects, catalog, after):
        return set_off, True
    if pools := pools_multiplied(x, c, suspects, catalog):
        return pools, True
    if shielded := shield_removed(c, users, suspects, catalog, after):
        return shielded, True
    if pushed := pushed_over_limit(x, c, suspects, catalog):
        return pushed, True
    if (surged or work_logged_at(x)) and (taken := _shared_limit_taken(x, c, suspects)):
        return taken, True
    if cut := _path_cut(x, c, suspects):
        return cut, True
    if away := _turned_away(x, c, suspects, catalog):
        return away, True
    return _one_change_before(x, c, users, suspects, catalog, seen), True


def _credential_taken(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect]) -> list[Suspect]:
    """X's change took a credential away (a signing key revoked, a secret removed), and right after it several
    other services began refusing the credentials they are presented: what they were issued under, or verify
    against, was X's; whatever the catalog says of them, the change to undo is X's."""
    assert c.at is not None
    if not withdrawn(c.detail):
        return []
    refusing = [
        s
        for s in suspects.values()
        if s is not x and soon_after(s, c.at) and any(f.category in REFUSALS for f in s.logs("own"))
    ]
    return refusing if len(refusing) >= w.STRANGERS else []


def _callers_refused(c: ChangeFinding, users: list[Suspect]) -> list[Suspect]:
    """X's change set who may call it (its intentions, authorization policy, allow list), and right after it a
    user of X began being refused permission: X's new rules refuse it, whatever its own recent changes."""
    assert c.at is not None
    if not admits(*change_said(c.detail)):
        return []
    return [u for u in users if soon_after(u, c.at) and any(f.category == "permission_denied" for f in u.logs("own"))]


def _room_taken(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect]) -> list[Suspect]:
    """X's change set how much room a scheduler has to place work on X's hosts (an overcommit ratio, what a host
    keeps back, how many pods a node takes, a pool's size), and right after it other services began failing to
    place work for want of room (no valid host, no node with the CPU asked for): the change took that room away,
    whatever the catalog says of them (a scheduler reaches its hosts through a queue or an API it does not name)."""
    assert c.at is not None
    if not ROOM_SETTING.search(f"{c.detail.from_} {c.detail.to} {c.detail.diff}"):
        return []
    return [
        s
        for s in suspects.values()
        if s is not x and soon_after(s, c.at) and any(NO_ROOM.search(f.words) for f in s.logs("own"))
    ]


def _named_by(c: ChangeFinding, x: Suspect, suspects: dict[str, Suspect]) -> list[Suspect]:
    """The services other than X that the change's new lines name."""
    added = " ".join(diffs.parse(c.detail.diff).added) + " " + str(c.detail.to or "")
    return [s for s in suspects.values() if s is not x and mentions(s.service, added, own=x.service)]


def _multiplied_after(s: Suspect, c: ChangeFinding) -> bool:
    """Its requests multiplied from after the change on, no later than it began to fail (read whether or not
    its callers' rose too: through them is how the change may send them)."""
    assert c.at is not None
    return any(
        m.multiplied and m.detail.onset and c.at <= m.detail.onset <= (s.onset or m.detail.onset) + w.NEAR
        for m in s.metrics("traffic")
    )


def _alike_after_shared(x: Suspect, c: ChangeFinding, users: list[Suspect], shared: set[str]) -> list[Suspect]:
    """X is infrastructure many services use, and after its change several of its users failed the same
    way: one kind of failure in the errors of at least two (each client library words a failure its own
    way: one says the name did not resolve, another only that no host could be reached). A change that
    sets how often the infrastructure does something acts when that first fires, up to one interval
    after it (likely, not proven, beyond the minutes that tie any change). A failure counts as alike only
    when a user had it first-hand: users whose errors are about another that broke no later pass its
    failure up, and say nothing of what they share. Those users that failed."""
    assert c.at is not None
    if x.service not in shared:
        return []
    reach = min(max(schedule_set(c.detail) or w.LAG_CLOSE, w.LAG_CLOSE), w.SCHEDULE_REACH)
    failing = [s for s in users if s.onset and c.at <= s.onset <= c.at + reach and s.logs()]
    kinds = [{f.category for f in s.logs() if f.category} for s in failing]
    firsthand = set().union(*(ks for s, ks in zip(failing, kinds, strict=True) if s.symptom_of in (None, x.service)))
    alike = any(sum(k in ks for ks in kinds) >= 2 for k in firsthand)
    return failing if alike else []


def _fired_at_new_time(c: ChangeFinding, used: list[Suspect]) -> list[Suspect]:
    """X's change set the clock time a job of X's runs (a cron schedule), and a service X uses broke
    within minutes of that time's first firing, however long after the change: the job, run at its new
    time, did it (a nightly batch moved into the working day). Likely, not proven: the time ties them."""
    fired = first_firing(c.detail)
    if fired is None:
        return []
    return [s for s in used if s.onset and fired - w.CLOCK_SKEW <= s.onset <= fired + w.JUST_AFTER]


def _shared_limit_taken(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect]) -> list[Suspect]:
    """X's own requests multiplied (or, with no rate of them read, it began logging a run of work) right after
    its change, and right after that several services broke, the errors of one of them (or of its callers
    about it) saying it was throttled (rate exceeded, too many requests): a limit they share beyond the
    catalog (an account's concurrency, a cloud API's quota, a stream's throughput) went to X. Those that
    broke then, none having changed since X did."""
    assert c.at is not None
    began = load_at(x) or work_logged_at(x)  # (a job's batches, logged, where no rate of its requests is read)
    if began is None or not c.at - w.CLOCK_SKEW <= began <= c.at + w.JUST_AFTER:
        return []
    broke = [s for s in suspects.values() if s is not x and soon_after(s, began) and not changed_since(s, c)]
    said = any(_throttled(s, suspects) for s in broke)
    return broke if said and len(broke) >= w.STRANGERS else []


def _throttled(s: Suspect, suspects: dict[str, Suspect]) -> bool:
    """Its own errors say it was throttled, or those of a caller whose errors are about it do."""
    if any(THROTTLED.search(f.words) for f in s.logs()):
        return True
    callers = [suspects[f.service] for f in s.blamed_by if f.service in suspects]
    return any(THROTTLED.search(g.words) for c in callers for g in c.logs())


def _path_cut(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect]) -> list[Suspect]:
    """X's change altered how traffic leaves or is routed (endpoints, egress, routes, DNS, firewall), and
    right after it several services could not connect or timed out connecting, none having changed
    itself since: the path they share was cut."""
    assert c.at is not None
    if not reaches(*change_said(c.detail)):
        return []
    cut = [
        s
        for s in suspects.values()
        if s is not x
        and soon_after(s, c.at)
        and any(UNREACHED.search(f.words) for f in s.logs())
        and not changed_since(s, c)
    ]
    return cut if len(cut) >= w.STRANGERS else []


def _turned_away(x: Suspect, c: ChangeFinding, suspects: dict[str, Suspect], catalog: Catalog) -> list[Suspect]:
    """Right after X's change, requests stopped getting through X to the services behind it. Either X began
    turning them away on purpose (denied, blocked: a WAF rule, a policy, a limit) and their traffic fell; or
    the change set what may reach X or how traffic passes it (a security group, a firewall, an allow list) and
    a service's requests fell away: shut out before X, nobody logs the refusal, and X's own total may barely
    move (one caller's share of it). A service behind X with errors of its own is failing for its own reason.
    The services behind X whose requests fell."""
    assert c.at is not None
    refusing = any(f.at and within(f.at, c.at) and REFUSED.search(f.words) for f in x.logs())
    if not (refusing or reaches(*change_said(c.detail))):
        return []
    behind = [suspects[d] for d in catalog.dependencies(x.service, depth=4) if d in suspects]
    return [
        s
        for s in behind
        if any(_fell(m, c.at) and (refusing or fell_away(m)) for m in s.metrics("traffic"))
        and not changed_since(s, c)
        and (refusing or not any(f.weight >= 1 for f in s.logs("own")))
    ]


def _fell(m: MetricFinding, at: datetime) -> bool:
    """Requests that fell right after `at` (dated by the signal, also where the fall was read as passed down
    from callers: through the door X shut is how it passes down)."""
    d = m.detail
    return d.direction == "down" and d.onset is not None and within(d.onset, at)


def _one_change_before(
    x: Suspect, c: ChangeFinding, users: list[Suspect], suspects: dict[str, Suspect], catalog: Catalog, seen: set[str]
) -> list[Suspect]:
    """X, which we have no signal from or which shows nothing wrong itself, changed, and right after a user
    of it failed with new errors of its own that name no resource or credential of its own, no other
    change having landed on that user or on anything it uses in between: the one change before the
    breakage is the first suspect, though nothing says how it broke them."""
    assert c.at is not None
    if x.service in seen and x.anomalous:
        return []
    out = []
    for u in users:
        if not soon_after(u, c.at) or not any(f.weight >= 1 for f in u.logs("own")):
            continue
        if any(f.category in STATED_FAILURES for f in u.logs("own")):
            continue  # its own errors say what of its own ran out or was refused
        # a healthy X's change explains less than a resource of the user's own filling up; unless the user says
        # its lookups in a cache began missing: then it fills up doing the work the cache saved it
        if x.service in seen and u.metrics("saturation") and not any(CACHE_MISSED.search(f.words) for f in u.logs()):
            continue
        info = catalog.services.get(u.service)
        near = [u, *(suspects[d] for d in (info.depends_on if info else []) if d in suspects and d != x.service)]
        # where we watch X and see it healthy, a change of the user's own within the hour competes too
        before = w.LAG_CLOSE if x.service in seen else w.JUST_AFTER
        if not any(changed_since(v, c) or changed_before(v, c, before) for v in near):
            out.append(u)
    return out
