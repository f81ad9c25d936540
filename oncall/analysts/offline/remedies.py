"""Remedies the evidence supports, safest first: undo a change, restart what leaks, add
capacity for load, fix a credential or permission, else escalate to the owners."""

from __future__ import annotations

from oncall.analysts.offline.findings import ChangeFinding, Finding, rotation
from oncall.analysts.offline.patterns import (
    ACCOUNT_LOCKED,
    CLOCK_UNSYNCED,
    DEVICE_FULL,
    FD_LIMIT,
    HELD_DATA,
    INOTIFY,
    LAPSED,
    LOCAL_PORTS,
    LOCKS,
    MEMORY,
    OWN_LOG_FILE,
    READ_ONLY,
    RETAINED_LOG,
    SCRATCH,
    SECRETS_STORE,
    STALE_KEYS,
    STORE_NO_SPACE,
    STORE_READ_ONLY,
    STREAM_LIMIT,
    UNMATCHED_SIGNATURE,
    UNTRUSTED_CERT,
    USAGE_QUOTA,
    WORKER_SETTING,
    named_by_domain,
)
from oncall.analysts.offline.suspect import Suspect, at_of
from oncall.core.catalog import Catalog
from oncall.core.commands import command_for
from oncall.core.diagnosis import ACTION_ORDER, Action
from oncall.core.fmt import fmt_hm, fmt_time


def _renewed_before(top: Suspect) -> ChangeFinding | None:
    """Its latest change, when that rotated or renewed a credential its own errors since say it can no longer use
    (Suspect.kept_old_credential): nothing of its own changed since (a deploy would have restarted it and read the
    new one), so it still holds what it read at start."""
    latest = max((c for c in top.changes() if c.at), key=at_of, default=None)
    return latest if latest is not None and top.kept_old_credential(latest) else None


def remedies(top: Suspect, catalog: Catalog, cause: list[Finding]) -> list[Action]:
    """Remedies the evidence supports, safest first: undo a change, restart what leaks, add capacity
    for load, fix a credential or permission, else escalate to the owners."""
    svc = top.service
    info = catalog.services.get(svc)
    cites = [f.cite for f in cause[:2]] or [f.cite for f in top.blamed_by[:1]]
    owner = f" ({info.owner})" if info and info.owner else ""
    words = " ".join(f.words for f in top.logs())
    saturated = {f.signal for f in top.metrics("saturation") if f.weight > 0}
    more_load = any(f.signal == "request_rate" and f.detail.direction == "up" for f in top.metrics())
    cat = top.category
    # a clock that cannot keep time makes its tokens look wrong: the time service is fixed, not a credential
    clock = bool(CLOCK_UNSYNCED.search(words))
    change = top.causal_changes()[0] if top.causal_changes() else None
    # a certificate installed by the change that its checkers cannot chain to a CA (an intermediate left
    # out) is undone like any change, then installed whole; an expired or rotated one is renewed instead
    untrusted = bool(change and UNTRUSTED_CERT.search(words))
    # so is a secret the change gave it that senders do not sign with (a webhook's): it checks with the new one
    unmatched = bool(change and UNMATCHED_SIGNATURE.search(words) and not top.kept_old_credential(change))
    credential = (
        not clock
        and not untrusted
        and not unmatched
        and (cat == "expired_credential" or any(f.category == "expired_credential" for f in top.logs()))
    )
    acts: list[Action] = []
    if change and not credential:  # a rotated secret is not rolled back; the service is updated
        c = change.detail
        if c.kind == "restart":  # nothing to undo: what it emptied refills; the owners shed load meanwhile
            when = f" at {fmt_hm(change.at)}" if change.at else ""
            acts.append(
                Action(
                    kind="escalate",
                    target=svc,
                    description=f"{svc} was restarted{when} and a restart cannot be rolled back: "
                    f"warm {svc} or shed load on what it protects until it refills",
                    cites=[change.cite],
                )
            )
        elif c.kind == "deploy":
            acts.append(
                Action(
                    kind="rollback",
                    target=svc,
                    description=f"Roll back {svc} from {c.to} to {c.from_}",
                    command=command_for("rollback", svc, catalog),
                    cites=[change.cite],
                )
            )
        elif c.kind == "scale":  # only a scale that took the service away is a cause (findings.reaction)
            acts.append(
                Action(
                    kind="rollback",
                    target=svc,
                    description=f"Scale {svc} back: {c.to} to {c.from_}",
                    cites=[change.cite],
                )
            )
        elif c.kind == "flag":
            acts.append(
                Action(kind="rollback", target=svc, description=f"Set {c.to} back to {c.from_}", cites=[change.cite])
            )
        else:
            # its reference only as the engineer is shown it: a line masked for the secret it changed shows
            # none, and an action may say no more than what it cites
            ref = c.ref if c.ref and c.ref in change.text else None
            acts.append(
                Action(
                    kind="rollback",
                    target=svc,
                    description=f"Revert the {c.kind} change {ref or ''} to {svc}".replace("  ", " "),
                    command=command_for("rollback", svc, catalog, revert_ref=ref) if ref else None,
                    cites=[change.cite],
                )
            )
    # a restart clears state (leaked memory, held connections), not a bad change or too little capacity;
    # a store full of what it holds comes back empty (its data lost) or full again
    # (what its callers quote of its refusal, "used memory > 'maxmemory'", says so as well as its own lines)
    said = [words, *(f.words for f in top.blamed_by)]
    full = cat == "resource_exhaustion" and any(HELD_DATA.search(x) for x in said)
    restart = None
    if cat == "resource_exhaustion" and not more_load and not full:
        if "memory_utilization" in saturated or MEMORY.search(words):
            restart = "reclaim leaked memory"
        elif "pool_utilization" in saturated and not change:
            restart = "release held connections" if not LOCKS.search(words) else None
        elif FD_LIMIT.search(words):
            # its open files ran out while its load did not grow: it holds what it no longer uses (a leak), which a
            # restart releases; a limit raised only puts the day off
            restart = "release the files and sockets it holds open (they ran out with no more load: a leak)"
        elif DEVICE_FULL.search(words) and SCRATCH.search(words) and "disk_utilization" not in saturated:
            # what fills its scratch space (a function's /tmp, a pod's ephemeral storage) is its own for the while
            # it runs: new instances start with it empty; then what writes there must clean up after itself. A
            # volume we watch at its limit is the volume's to grow or free, as what it holds says (below)
            restart = "start it with empty scratch space (what it wrote there and never deleted filled it)"
    if top.stale_since and not change:
        x = top.stale_since.service
        if rotation(top.stale_since.detail):
            restart = f"read the credential {x} was rotated to (it still presents the one from before)"
        elif READ_ONLY.search(words):
            restart = f"reconnect to {x}'s new primary (it holds connections to the old one)"
        else:
            restart = f"look {x} up again (it still uses what {x}'s change replaced)"
    # (an account its store locked after the refused logins stays locked whatever it holds: unlocking comes first)
    if credential and not ACCOUNT_LOCKED.search(words):
        if change and top.kept_old_credential(change):
            restart = "read its credential again (it holds the one from before the rotation)"
        # its credential lapsed though its last change renewed it (days before, as renewals come ahead of an
        # expiry): it still presents the one it read at start
        elif (renewed := _renewed_before(top)) is not None and renewed.at:
            restart = f"read the credential renewed at {fmt_time(renewed.at)} (it still presents the one that lapsed)"
            cites = [*cites, renewed.cite]
    # (a certificate it checked refused as untrusted, with no change of its own: its trust store is what is stale;
    # attribution._stale_trust makes such errors its own when others trust that certificate)
    if credential and not change and UNTRUSTED_CERT.search(words):
        restart = "read its trusted certificate authorities again (it trusts those from before a re-issue)"
    elif credential and not change and STALE_KEYS.search(words):
        restart = "fetch its issuer's current signing keys (it holds a copy from before they were rotated)"
    # a login refused, nothing of its own changed, no lapse said, and its credentials are issued by a secrets
    # store it uses: the store rotated or revoked the one it read at start (Vault ends a lease, drops its user)
    elif (
        credential
        and not change
        and not LAPSED.search(words)
        and (store := next((d for d in catalog.dependencies(svc, depth=1) if SECRETS_STORE.search(d)), None))
    ):
        restart = f"be issued its credential again by {store} (it holds one {store} has since rotated or revoked)"
    if restart:
        acts.append(
            Action(
                kind="restart",
                target=svc,
                description=f"Restart {svc} to {restart}",
                command=command_for("restart", svc, catalog),
                cites=cites,
            )
        )
    if full:
        acts.append(
            Action(
                kind="scale",
                target=svc,
                description=f"Give {svc} more memory, or drain or expire what it holds: it refuses writes at its "
                "memory limit, and a restart would empty it or fill it again",
                cites=cites,
            )
        )
    elif cat == "resource_exhaustion" and any(USAGE_QUOTA.search(x) for x in said):
        # (a quota for the day or month, spent: it refuses until the period ends; a restart spends nothing less)
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                description=f"Raise {svc}'s usage limit (its plan's daily or monthly quota), or cut what spends it; "
                "it refuses until the period ends",
                cites=cites,
            )
        )
    elif cat == "resource_exhaustion" and any(STREAM_LIMIT.search(x) for x in said):
        # (a stream refusing what is new at the size it may keep: its limit is a value; a restart keeps it full)
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                description=f"Raise the limits of {svc}'s full stream (its maximum bytes or messages), or keep less "
                "in it (a shorter maximum age); then find what grew",
                cites=cites,
            )
        )
    elif cat == "resource_exhaustion" and any(STORE_READ_ONLY.search(x) for x in said):
        # (what its writers quote: a store that made itself read-only with no switchover is at its storage limit)
        acts.append(
            Action(
                kind="scale",
                target=svc,
                description=f"Grow {svc}'s storage: its writers are refused as read-only, as a managed database "
                "is at its storage limit; then find what filled it",
                cites=cites,
            )
        )
    elif "disk_utilization" in saturated and RETAINED_LOG.search(words):
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                description=f"Free {svc}'s volume by keeping less of its write-ahead or binary logs (expire the "
                "oldest; drop a replication slot or replica that still holds them); expand it only if it fills again",
                cites=cites,
            )
        )
    elif "disk_utilization" in saturated and any(
        DEVICE_FULL.search(f.words) and OWN_LOG_FILE.search(f.words) for f in top.logs()
    ):
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                description=f"Free {svc}'s volume of its own logs: lower its log level (a debug level left on "
                "fills a disk in hours) and rotate or compress its logs; expand it only if it fills again",
                cites=cites,
            )
        )
    elif "disk_utilization" in saturated:
        acts.append(Action(kind="scale", target=svc, description=f"Expand the volume of {svc}", cites=cites))
    elif cat == "resource_exhaustion" and any(STORE_NO_SPACE.search(x) for x in said):
        # (a store out of room for what it writes, with no volume watched: its files or volume are what to grow;
        # a restart frees nothing it keeps)
        acts.append(
            Action(
                kind="scale",
                target=svc,
                description=f"Grow {svc}'s storage (its data files, or the volume under them): it has no room left "
                "for what it writes; then find what filled it",
                cites=cites,
            )
        )
    elif (
        cat in ("capacity", "resource_exhaustion")
        and WORKER_SETTING.search(words)
        and not any(m.signal == "cpu_utilization" for m in top.at_limit())
    ):
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                description=f"Raise the worker limit {svc} says it reached: its processors have room for more; "
                "add instances if they fill",
                cites=cites,
            )
        )
    elif cat == "capacity" or (more_load and saturated & {"cpu_utilization", "pool_utilization"}):
        acts.append(
            Action(
                kind="scale",
                target=svc,
                # (an HPA is Kubernetes'; elsewhere the same step has the platform's words)
                description=f"Add replicas to {svc} (or raise its HPA maximum)"
                if info is None or info.platform == "kubernetes"
                else f"Add instances to {svc} (or raise its autoscaler's maximum)",
                command=command_for("scale", svc, catalog),
                cites=cites,
            )
        )
    if untrusted:
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                cites=cites,
                description=f"Install {svc}'s certificate with its full chain (the intermediates its clients lack)",
            )
        )
    if credential and not change and named_by_domain(svc, (f.words for f in top.blamed_by)):
        # a provider's credential (the certificate its callers verify) lapsed: its owners renew it, we cannot
        acts.append(
            Action(
                kind="escalate",
                target=svc,
                cites=cites,
                description=f"Escalate to the owners of {svc}{owner}: the certificate or credential its callers "
                "check has expired, and only they can renew it",
            )
        )
    elif credential:
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                cites=cites,
                description=f"Renew or update the expired or rotated credential used by {svc}",
            )
        )
    elif cat == "permission_denied":
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                cites=cites,
                description=f"Grant {svc}'s role the permission it is denied",
            )
        )
    elif cat == "resource_exhaustion" and top.took_connections_of and not change:
        # its own work took a store's connections (runs piling up, each with its pool): cap it, do not restart it
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                cites=cites,
                description=f"Cap the connections {svc} holds on {top.took_connections_of} at once: how many of "
                "its runs may overlap (a CronJob's concurrencyPolicy: Forbid) or its pool's size",
            )
        )
    elif cat == "resource_exhaustion" and FD_LIMIT.search(words):  # a limit reached is a value to raise
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                cites=cites,
                description=(
                    f"Raise the node's inotify limit for {svc} (sysctl fs.inotify.max_user_instances, max_user_watches)"
                    if INOTIFY.search(words)
                    else f"Raise {svc}'s open-file limit (LimitNOFILE, ulimit -n, worker_rlimit_nofile)"
                ),
            )
        )
    elif cat == "resource_exhaustion" and LOCAL_PORTS.search(words):
        # its own connections used up its local ports: more of them (a restart, a replica) runs out again
        acts.append(
            Action(
                kind="config_change",
                target=svc,
                cites=cites,
                description=f"Make {svc} reuse its outbound connections (keep-alive, one shared client or pool): "
                "it opens one per request and the closed ones hold its local ports in TIME_WAIT",
            )
        )
    if clock:
        acts.append(
            Action(
                kind="escalate",
                target=svc,
                description=f"Restore {svc}'s time synchronisation (its NTP or chrony sources): what it signs "
                "is dated ahead of everyone checking it",
                cites=cites,
            )
        )
    elif not acts or cat in ("dependency_failure", "network", "unknown") or LOCKS.search(words):
        acts.append(
            Action(kind="escalate", target=svc, description=f"Escalate to the owners of {svc}{owner}", cites=cites)
        )
    return sorted(acts, key=lambda a: ACTION_ORDER.index(a.kind))
