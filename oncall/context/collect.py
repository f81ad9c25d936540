"""Context collection: the read tools run at once for the alerting service and
its catalog dependencies, so the model's first turn already holds the evidence.
A slow or failing tool yields an error result and a missing-evidence line."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from oncall.core.alert import Alert
from oncall.core.catalog import Catalog, mentions, word_spellings
from oncall.core.results import ToolResult
from oncall.tools.read_changes import ChangeList
from oncall.tools.read_logs import LogStats
from oncall.tools.read_traces import TraceStats
from oncall.tools.runner import ToolRunner

# where requests go wrong, enough to look (the analyst weighs what it finds there by its own bar)
LOOK_SLOWER = 2.0  # a call edge at this many times its baseline p99
LOOK_RISE = 3.0  # a call edge failing this many times as often as in the baseline, or failing anew
# a change this recent, anywhere in the estate, is looked at: a service nothing connects to the alert can
# still take what others share (an account's concurrency, a quota) or change the network they all use
LOOK_CHANGED = timedelta(hours=1)
# ...and when the kernel's OOM killer took a process, what changed in the day before: a leak on a host takes
# hours to fill it, and the process that grew (an agent beside the application) may be nothing it calls
LOOK_CHANGED_OOM = timedelta(hours=24)
# ...and when a service says a credential it presents has lapsed, how it was renewed, as far back as renewals come
# before an expiry (cert-manager renews at two thirds of a certificate's life, an ACME client thirty days ahead, a
# secrets store rotates monthly): a renewal that came while the service still presents the lapsed one says that it
# read its credential only at start
LOOK_RENEWED = timedelta(days=35)
# what a program says when its own credential has lapsed: the peer refused its certificate as expired (TLS' alert
# certificate_expired), its password, token or key expired
CREDENTIAL_LAPSED = re.compile(
    r"\b(remote error|alert)\b.{0,20}\bexpired certificate\b|\bcertificate[_ ]expired\b"
    r"|\b(password|token|key|secret|credential)s? (has |have |is )?expired\b",
    re.I,
)


@dataclass
class Context:
    alert: Alert
    services: list[str]  # alerting service first, then dependencies nearest first
    results: list[ToolResult]
    missing: list[str]


def plan(
    alert: Alert, catalog: Catalog, max_services: int = 16, offered: Collection[str] = ()
) -> tuple[list[str], list[tuple[str, dict]]]:
    """`offered`: the tools this estate can answer; an optional source (traces, Kubernetes) is read if offered."""
    services = neighbourhood(alert.service, catalog, max_services)
    calls = [c for s in services for c in _service_calls(s, s == alert.service, offered)]
    if "read_traces" in offered and alert.service:
        calls.append(("read_traces", {"service": alert.service}))  # its traces reach every hop its requests take
    # every change in the estate, the neighbourhood's first: a push to something the catalog does not
    # connect (a config server nobody lists) can still be what every failing service repeats
    calls.append(("read_changes", {"focus": services} if services else {}))
    history = {"fingerprint": alert.fingerprint, "alertname": alert.alertname}
    if alert.service:
        history["service"] = alert.service
    calls.append(("query_history", history))
    if "read_config" in offered and alert.service in catalog.services and catalog.services[alert.service].config_paths:
        calls.append(("read_config", {"service": alert.service}))  # what its runbook's values are checked against
    runbook = {"alertname": alert.alertname}
    if alert.service:
        runbook["service"] = alert.service
    calls.append(("read_runbook", runbook))
    return services, calls


def collect(alert: Alert, catalog: Catalog, runner: ToolRunner, max_services: int = 16) -> Context:
    services, calls = plan(alert, catalog, max_services, runner.tools)
    results = runner.call_many(calls)
    # follow the requests: a catalogued service past the neighbourhood that the traces show failing or
    # slowing is read too, as an engineer follows a slow call down to where it ends
    followed = traced_beyond(results, services, catalog)
    followed += [s for s in changed_beyond(results, [*services, *followed], catalog) if s not in followed]
    followed += [s for s in named_beyond(results, [*services, *followed], catalog) if s not in followed]
    if followed:
        results += runner.call_many([c for s in followed for c in _service_calls(s, False, runner.tools)])
        services = [*services, *followed]
    results += runner.call_many(renewals(results))
    missing = [f"{r.label()} failed: {r.error}" for r in results if not r.ok]
    missing += [unreadable for r in results if (unreadable := _unreadable_logs(r))]
    if alert.service and alert.service not in catalog.services:
        missing.insert(0, f"the catalog does not know service {alert.service!r}: no dependencies or repo")
    elif not alert.service:
        missing.insert(0, "no service could be identified from the alert; only history and runbooks were read")
    return Context(alert=alert, services=services, results=results, missing=missing)


def _service_calls(service: str, alerting: bool, offered: Collection[str]) -> list[tuple[str, dict]]:
    calls: list[tuple[str, dict]] = [("read_metrics", {"service": service})]
    if "read_k8s" in offered:
        calls.append(("read_k8s", {"service": service}))
    # dependencies show only what stands out, so a wide estate stays within the model's budget
    logs = {"max_templates": 6} if alerting else {"max_templates": 3, "only_notable": True}
    calls.append(("read_logs", {"service": service, **logs}))
    return calls


def traced_beyond(results: list[ToolResult], services: list[str], catalog: Catalog, most: int = 4) -> list[str]:
    """Catalogued services the neighbourhood left out that the traces show where requests fail or slow:
    an origin of errors, or the callee of an edge failing anew or slowed."""
    out: list[str] = []
    for r in results:
        if not r.ok or not isinstance(r.data, TraceStats):
            continue
        named = [o.service for o in r.data.origins]
        named += [e.callee for e in r.data.edges if e.newly_failing(LOOK_RISE) or e.slowed(LOOK_SLOWER)]
        for svc in named:
            if svc in catalog.services and svc not in services and svc not in out and len(out) < most:
                out.append(svc)
    return out


def changed_beyond(results: list[ToolResult], services: list[str], catalog: Catalog, most: int = 4) -> list[str]:
    """Catalogued services the neighbourhood left out that changed in the hour before the alert (the day
    before, when the kernel's OOM killer fired), most recent first: an engineer asks what changed
    anywhere, then looks at what changed."""
    out: list[str] = []
    back = LOOK_CHANGED_OOM if _host_oom(results) else LOOK_CHANGED
    for r in results:
        if not r.ok or not isinstance(r.data, ChangeList):
            continue
        for c in r.data.changes:  # newest first
            recent = r.data.alert_at - back <= c.ts <= r.data.alert_at
            if recent and c.service in catalog.services and c.service not in services and c.service not in out:
                out.append(c.service)
    return out[:most]


def named_beyond(results: list[ToolResult], services: list[str], catalog: Catalog, most: int = 2) -> list[str]:
    """Catalogued services the neighbourhood left out that its new or rising errors and warnings name (an
    address, a client, a host): an engineer follows the name in an error to what it points at, though no
    one listed it as a dependency (the mesh's identity service, a license server)."""
    others = [s for s in catalog.services if s not in services]
    if not others:
        return []
    firsts = {s: word_spellings(re.split(r"[-_.]", s.lower(), maxsplit=1)[0]) for s in others}
    out: list[str] = []
    for r in results:
        if not r.ok or not isinstance(r.data, LogStats):
            continue
        st = r.data
        for t in st.templates:
            if t.level not in ("ERROR", "WARN") or not st.notable(t):
                continue
            words = f"{t.template}\n{t.sample}"
            low = words.lower()  # (a name's first part must appear before its spellings are tried)
            for svc in others:
                if svc not in out and any(f in low for f in firsts[svc]) and mentions(svc, words, others):
                    out.append(svc)
    return out[:most]


def renewals(results: list[ToolResult]) -> list[tuple[str, dict]]:
    """The changes, in the weeks before those read, of the services whose new or rising lines say a credential
    they present has lapsed (CREDENTIAL_LAPSED): an engineer asks when it was last renewed (LOOK_RENEWED). None to
    ask when no service says so or changes were not read."""
    read = next((r.data for r in results if r.ok and isinstance(r.data, ChangeList)), None)
    if read is None:
        return []
    lapsed: list[str] = []
    for r in results:
        if not r.ok or not isinstance(r.data, LogStats):
            continue
        st = r.data
        said = (f"{t.template}\n{t.sample}" for t in st.templates if st.notable(t))
        if st.query.service not in lapsed and any(CREDENTIAL_LAPSED.search(x) for x in said):
            lapsed.append(st.query.service)
    if not lapsed:
        return []
    # (up to where the first read began: a change is read once)
    window = {"services": lapsed, "since": (read.since - LOOK_RENEWED).isoformat(), "until": read.since.isoformat()}
    return [("read_changes", window)]


def _host_oom(results: list[ToolResult]) -> bool:
    """A log read shows the kernel's OOM killer taking a process: the host ran out of memory."""
    return any(r.ok and isinstance(r.data, LogStats) and r.data.host_out_of_memory() for r in results)


def _unreadable_logs(r: ToolResult) -> str | None:
    """A service whose logs could not be read (LogStats.unreadable), said as missing evidence."""
    data = r.data
    if not r.ok or not isinstance(data, LogStats) or not data.unreadable:
        return None
    why = (
        f"{data.skipped_lines} lines of the source were skipped (not JSON, or no time field this reader knows)"
        if data.skipped_lines
        else f"{data.unattributed} lines of the window name no catalogued service in any field this reader knows"
    )
    return f"{r.label()}: no line of {data.query.service} could be read; {why}"


def neighbourhood(service: str | None, catalog: Catalog, max_services: int = 16) -> list[str]:
    """Where the cause of an alert on `service` can be: the service, what it depends on (up to three
    hops, nearest first), the callers that send it work (a caller can flood or poison a dependency),
    the shared infrastructure most of the estate uses (flags, DNS, config: wired to many, or to nothing,
    Catalog.unwired), and the other callers of its dependencies (a batch job flooding a database the
    alerting service also uses). Capped at `max_services`, nearest kinds first."""
    if not service:
        return []
    if service not in catalog.services:
        return [service]
    deps = catalog.dependencies(service)
    callers = [c for c in catalog.dependents(service) if c != service]
    shared = [*catalog.shared(), *catalog.unwired]
    siblings = [c for d in deps for c in catalog.dependents(d) if c != service and c not in callers]
    out: list[str] = [service]
    for group in (deps[:3], callers[:3], shared, siblings[:3], deps[3:], callers[3:], siblings[3:]):
        for s in group:
            if s not in out and len(out) < max_services:
                out.append(s)
    return out
