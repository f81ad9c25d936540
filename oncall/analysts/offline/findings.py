"""Findings: the facts in tool results that bear on a cause, each tied to the exact
place it can be cited from. The offline analyst reasons over these; every claim it
makes is built from a finding's own words and numbers.

A finding is a frozen value of one of four kinds (metrics, logs, change, history),
each with its typed detail: the record it was read from."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Literal, get_args

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.patterns import (
    BAD_DATA,
    HANDSHAKE_FAILED,
    OWN_PROCESS_CALL,
    REFUSED,
    STATED_FAILURES,
    STREAM_LIMIT,
    USAGE_QUOTA,
    WAITING_ON,
    asked_for_unnamed,
    classify,
    silent_for,
    their_cert,
    upstreams_named,
    without_clock,
)
from oncall.core import diffs
from oncall.core.catalog import Catalog, mentions, spellings
from oncall.core.citations import cite
from oncall.core.diagnosis import Category
from oncall.core.fmt import fmt_hm, fmt_num
from oncall.core.results import ToolResult
from oncall.grounding.injection import instructs
from oncall.tools.query_history import PastIncident
from oncall.tools.read_changes import Change, ChangeList
from oncall.tools.read_k8s import EventGroup, PodState, WorkloadState
from oncall.tools.read_logs import LogStats, TemplateStat
from oncall.tools.read_metrics import MetricStats, SignalStat
from oncall.tools.read_traces import Edge, Origin, TraceStats

Kind = Literal["metrics", "logs", "change", "history", "k8s", "traces"]
# metrics: saturation is a cause, symptoms are what users feel, traffic is load arriving,
# info (replicas) is context only
MetricRole = Literal["symptom", "saturation", "traffic", "info"]
# logs: about the service itself, about a catalogued peer, or about something outside the catalog
LogRole = Literal["own", "peer", "external"]

SATURATION_SIGNALS = {"cpu_utilization", "memory_utilization", "disk_utilization", "pool_utilization", "restarts"}
SHARE_SIGNALS = SATURATION_SIGNALS - {"restarts"}  # a use of a limit, not a count
# what fills over hours: a change that fills one reads as abnormal only near the end
FILLING_SIGNALS = {"disk_utilization", "memory_utilization"}
SYMPTOM_SIGNALS = {"error_ratio", "latency_p99"}


@dataclass(frozen=True, kw_only=True)
class Finding:
    kind: ClassVar[Kind]
    service: str
    text: str  # a claim in words; numbers only as they appear at `cite`
    cite: str  # R2:L4, or R5 for a whole result
    quote: str | None = None  # verbatim text at `cite`
    at: datetime | None = None  # when it started
    category: Category | None = None
    weight: float = 1.0
    points_to: str | None = None  # another service this finding blames


@dataclass(frozen=True, kw_only=True)
class MetricFinding(Finding):
    kind: ClassVar[Kind] = "metrics"
    role: MetricRole
    signal: str
    detail: SignalStat

    @property
    def more_traffic(self) -> bool:
        return self.role == "traffic" and self.detail.direction == "up"

    @property
    def multiplied(self) -> bool:
        """Several times its usual requests (FLOOD_FACTOR): a flood, a surge, a batch, not a busier hour."""
        base = self.detail.baseline
        return self.more_traffic and bool(base) and self.detail.peak >= w.FLOOD_FACTOR * (base or 0.0)


@dataclass(frozen=True, kw_only=True)
class LogFinding(Finding):
    kind: ClassVar[Kind] = "logs"
    role: LogRole
    detail: TemplateStat
    words: str  # raw text a change can be matched against (template and sample)


@dataclass(frozen=True, kw_only=True)
class WorkloadFinding(Finding):
    """What the cluster says about a service's own workload: a warning event new in the window, or a
    pod whose container died for a reason (OOMKilled) or cannot start (ImagePullBackOff). It is the
    service's own evidence, read from another source than its logs."""

    kind: ClassVar[Kind] = "k8s"
    role: LogRole = "own"
    detail: EventGroup | PodState
    words: str


@dataclass(frozen=True, kw_only=True)
class TraceFinding(Finding):
    """What the traces say: errors that begin in this service's own spans (role own), or calls of this
    service that fail because of what they called (role peer, pointing at the callee)."""

    kind: ClassVar[Kind] = "traces"
    role: LogRole
    detail: Origin | Edge
    words: str


@dataclass(frozen=True, kw_only=True)
class WorkFinding(Finding):
    """A new run of routine lines by the hundred (WORK_LINES: a job logs each batch it sends), or of lines that say
    how far a run has got (PROGRESS): work the service began, read where no rate of its requests is (a job has none
    to watch). It says when the work began and scores nothing: load alone explains nothing."""

    kind: ClassVar[Kind] = "logs"
    detail: TemplateStat
    weight: float = 0.0
    # a run already logged before the window, now several times as often: work, with no onset of its own
    rising: bool = False


@dataclass(frozen=True, kw_only=True)
class ChangeFinding(Finding):
    kind: ClassVar[Kind] = "change"
    detail: Change
    estate: frozenset[str] = frozenset()  # the words naming the whole estate (estate_words), which tie nothing

    def tokens(self) -> set[str]:
        """What the change is about, as tokens a log line could repeat (change_tokens), less the estate's name."""
        return change_tokens(self.detail) - self.estate


@dataclass(frozen=True, kw_only=True)
class HistoryFinding(Finding):
    kind: ClassVar[Kind] = "history"
    detail: PastIncident


def findings(results: list[ToolResult], catalog: Catalog) -> list[Finding]:
    out: list[Finding] = _stopped_reporting(results)
    for r in results:
        if not r.ok or r.data is None:
            continue
        if isinstance(r.data, MetricStats):
            out += _metric_findings(r, r.data)
        elif isinstance(r.data, LogStats):
            out += _log_findings(r, r.data, catalog)
        elif isinstance(r.data, TraceStats):
            out += _trace_findings(r, r.data, catalog)
        elif isinstance(r.data, WorkloadState):
            out += _workload_findings(r, r.data)
        elif isinstance(r.data, ChangeList):
            out += _change_findings(r, r.data, estate_words(catalog))
        elif isinstance(r.data, list) and r.data and isinstance(r.data[0], PastIncident):
            out += _history_findings(r, r.data)
    return out


def fell_away(f: MetricFinding) -> bool:
    """Its requests fell below half their baseline, or of what arrived just before they fell, and have not
    come back: on the service an alert is about, users not reaching it (a refused handshake, a route gone),
    not a quiet hour (the day's curve does not halve a rate within minutes; a morning's rise lifts the level
    above the night's baseline that a step down is then measured against)."""
    d = f.detail
    if f.role != "traffic" or d.direction != "down" or not d.baseline:
        return False
    before = d.mean_between(d.onset - w.JUST_BEFORE, d.onset) if d.onset is not None else None
    return d.last <= w.FELL_AWAY * max(d.baseline, before or 0.0)


def with_the_hour(f: Finding) -> bool:
    """Requests that rose, or fell without falling away (fell_away): the day's traffic, no failure."""
    return isinstance(f, MetricFinding) and f.role == "traffic" and not fell_away(f)


def instances(c: Change) -> tuple[float | None, float | None]:
    """The number a change's `from` and `to` end with (`replicas: 6` -> `replicas: 30`), when they do."""
    found = (re.search(r"(\d+(?:\.\d+)?)\s*$", (v or "").strip()) for v in (c.from_, c.to))
    before, after = (float(m.group(1)) if m else None for m in found)
    return before, after


_NUMBER_SET = re.compile(r"\s*([\w.\-/]+)\s*[:=]\s*\"?(-?\d+(?:\.\d+)?)\"?\s*")


def number_set(c: Change) -> bool:
    """The change set one setting's number to another (`fallback_weight: 0.05` -> `1.0`, an interval, a
    concurrency, a batch size): a setting, not a version (`image: app:7.2.4` is not a number)."""
    was, now = (_NUMBER_SET.fullmatch((v or "").strip()) for v in (c.from_, c.to))
    return bool(was and now and was.group(1) == now.group(1) and float(was.group(2)) != float(now.group(2)))


# (also as an API names it, `RotateSecret`: a capital after it ends the word)
_ROTATION = re.compile(r"rotat(e|ed|es|ion|ing)(\b|(?-i:(?=[A-Z])))", re.I)
# (a certificate re-issued in place of one is a credential rotated: cert-manager's renewals, a service CA's)
_SECRET_KIND = re.compile(r"(secret|credential|certificate|cert|tls)s?", re.I)
_TAKEN_AWAY = re.compile(r"\b(unset|removed?|deleted?|revoked?|none|null)\b|^\W*$", re.I)


def rotation(c: Change) -> bool:
    """A change that rotated a credential (a secret's scheduled rotation, a password or key reissued; a change
    of the kind `secret` that sets a new value in place of one) put a new one in its store: what fails after
    it is whatever still holds the old one, not what it changed. A secret unset or deleted is taken away: a
    change to undo. A setting that names a credential (a secret's version) moved by a change whose record says
    it rotated, renewed or re-issued it, in its diff or in what ran it (the secrets store's RotateSecret run,
    cert-manager's renewal, a rotation runbook renewing a namespace's key) is one too."""
    replaced = bool(_SECRET_KIND.fullmatch(c.kind)) and c.from_ is not None and not _TAKEN_AWAY.search(c.to or "")
    if replaced or _ROTATION.search(" ".join([c.kind, str(c.from_ or ""), str(c.to or "")])):
        return True
    setting = str(c.from_ or c.to or "").partition("=")[0]
    said = " ".join(filter(None, (c.diff, c.ref)))  # (or what ran it says so: a rotation runbook's name, its command)
    return bool(_CREDENTIAL.search(setting) and (_ROTATION.search(said) or _RENEWED.search(said))) and not (
        _TAKEN_AWAY.search(c.to or "")
    )


# (a credential renewed or re-issued is one rotated: cert-manager's renewal, a key issued again; so is a new one put
# beside it, as an issuer adds a new signing key to its key set)
_RENEWED = re.compile(
    r"\b(renew(s|ed|al|ing)?|re-?issu(e|ed|es|ing))(\b|(?-i:(?=[A-Z])))"
    r"|\bnew (signing |private |public )?(key|certificate|secret|password|token)s?\b",
    re.I,
)


# what names a credential in a change's setting: a key, secret, token, certificate or password (a JSON Web Key set)
_CREDENTIAL = re.compile(r"key|secret|token|cert|jwt|jwk|signing|password|credential", re.I)


def setting_beside(c: Change) -> str | None:
    """A setting a secret's value holds beside its credential (a connection string's `Maximum Pool Size=10`)
    that the change gave another value: the change set it, whatever else it rotated. Its name, or None."""

    def pairs(text: str | None) -> dict[str, str]:
        parts = (p.partition("=") for p in re.split(r"[;&,]", text or ""))
        return {k.strip().lower(): v.strip() for k, eq, v in parts if eq and k.strip()}

    old, new = pairs(c.from_), pairs(c.to)
    changed = [k for k in old.keys() & new.keys() if old[k] != new[k] and not _CREDENTIAL.search(k)]
    return changed[0] if changed else None


def withdrawn(c: Change) -> bool:
    """A change that took a credential away (a key, secret or token revoked, removed or unset): whatever was
    issued under it, or verified against it, is no longer valid."""
    setting = " ".join(str(x or "").split(":")[0] for x in (c.from_, c.to))  # (`key: value`: the key)
    return bool(_CREDENTIAL.search(setting)) and bool(_TAKEN_AWAY.search(str(c.to or "").split(":", 1)[-1]))


def reaction(c: Change) -> bool:
    """Scaling out is usually a reaction to load, not a cause; scaling in (to fewer, or to zero) takes
    capacity away, and is a cause like any other change."""
    if c.kind != "scale":
        return False
    before, after = instances(c)
    if after == 0:
        return False
    return not (before is not None and after is not None and after < before)


def _stopped_reporting(results: list[ToolResult]) -> list[Finding]:
    """A service whose every signal went silent minutes before the others' last samples stopped
    reporting: scaled to zero, evicted, cut off from the scraper. That is news, never quiet."""
    stats = [r for r in results if r.ok and isinstance(r.data, MetricStats)]
    ends = {r.id: r.data.last_sample() for r in stats}
    data_end = max((t for t in ends.values() if t), default=None)
    out: list[Finding] = []
    for r in stats:
        m, last = r.data, ends[r.id]
        if data_end is None or last is None or m.quiet_line is None or last >= data_end - w.STOPPED_REPORTING:
            continue
        out.append(
            MetricFinding(
                service=m.service,
                text=f"{m.service} stopped reporting metrics after {fmt_hm(last)}",
                cite=cite(r.id, m.quiet_line),
                quote=r.line(m.quiet_line),
                at=last,
                weight=1.0,
                signal="reporting",
                role="symptom",
                detail=max(m.signals, key=lambda s: s.last_at or data_end),  # the last to fall silent
            )
        )
    return out


def _keeping_up(m: MetricStats) -> bool:
    """Its requests rose several-fold while its errors did not: a latency up by less than KEPT_UP of its
    baseline is the service serving that load, not failing it."""
    by = {s.signal: s for s in m.signals}
    rate, errors = by.get("request_rate"), by.get("error_ratio")
    return (
        rate is not None
        and rate.anomalous
        and rate.direction == "up"
        and (rate.rise or 0.0) >= w.SEVERAL_FOLD
        and not (errors is not None and errors.anomalous and errors.direction == "up")
    )


def _metric_findings(r: ToolResult, m: MetricStats) -> list[Finding]:
    out: list[Finding] = []
    keeping_up = _keeping_up(m)
    for s in m.signals:
        if not s.anomalous or s.line is None:
            continue
        if keeping_up and s.signal == "latency_p99" and s.direction == "up" and (s.rise or 0.0) < w.KEPT_UP:
            continue
        line = r.line(s.line) or ""
        role: MetricRole
        cat: Category | None
        if s.signal in SATURATION_SIGNALS and s.direction == "up":
            role, cat, weight = "saturation", "resource_exhaustion", float(w.SATURATION)
            if _short_of_limit(s):
                weight *= w.BELOW_LIMIT
        elif s.signal in SYMPTOM_SIGNALS and s.direction == "up":
            role, cat, weight = "symptom", None, float(w.SYMPTOM)
        elif s.signal == "request_rate":
            role, cat, weight = "traffic", ("capacity" if s.direction == "up" else None), float(w.TRAFFIC)
        else:
            role, cat, weight = "info", None, 0.0
        if s.recovered:
            weight *= w.RECOVERED
        out.append(
            MetricFinding(
                service=m.service,
                text=f"{m.service} {line}",
                cite=cite(r.id, s.line),
                quote=line,
                at=None if s.recovered or role == "info" else s.onset,
                category=cat,
                weight=weight,
                signal=s.signal,
                role=role,
                detail=s,
            )
        )
    return out


def _short_of_limit(s: SignalStat) -> bool:
    """A utilization read as a share of its limit (every value between 0 and the limit: 1, or 100 for one
    kept in percent) that rose but peaked well short of it: busier than usual, not exhausted (a count is
    not judged)."""
    top = s.limit
    share = s.signal in SHARE_SIGNALS and s.baseline is not None and 0 <= s.baseline <= top and 0 <= s.peak <= top
    return share and s.peak < w.NEAR_LIMIT * top


ACTOR = re.compile(r"[\w.-]+@(?=[\w\[])")
# the workload a certifier certifies (an identity service, a CA issuing for a host) asked for a certificate; it
# is not what failed: `Failed to certify playback-api.live.serviceaccount...` names who asked
CERTIFIED = re.compile(r"\b(certify(?:ing)?|(?:issue|issuing|sign|signing) (?:a )?certificate for)\s+[\w.-]+", re.I)
QUALIFIED_CLASS = re.compile(r"\b[a-z]\w*(?:\.[a-z]\w*)+\.[A-Z]\w*")  # package.path.ClassName
# a DNS question (a fully qualified name, its trailing dot, the record type asked for) names what a resolver was
# asked to look up, not what failed: CoreDNS' `plugin/errors: 2 api.stripe.com. A: read udp ...: i/o timeout`
DNS_QUESTION = re.compile(r"[\w-]+(?:\.[\w-]+)*\.\s+(?:A|AAAA|CNAME|SRV|TXT|MX|PTR|NS|SOA|HTTPS|SVCB|ANY)\b")


def said_about(words: str, namespaces: Iterable[str] = ()) -> str:
    """An error's words with what names no service it is about masked: who acted, what a request asked for, the
    subject a certifier certifies, the question a resolver was asked, and, of a record it cannot decode, the
    decoder's class. `namespaces`: the catalog's, which a proxy's upstream names begin with."""
    # the name before an @ is who acted (a database session's `application@database`, a user@host), not
    # what failed: booking-api's statement cancelled by the database is the database's doing
    about = CERTIFIED.sub(r"\1 <subject>", ACTOR.sub("<who>@", upstreams_named(asked_for_unnamed(words), namespaces)))
    about = DNS_QUESTION.sub("<question>", about)
    if BAD_DATA.search(words):
        # of a record it cannot decode, a library's qualified class (org.apache.kafka.common.errors.
        # SerializationException) names the code that failed to decode it, not where the record came from
        about = QUALIFIED_CLASS.sub("<class>", about)
    return about


def attribute(
    words: str, others: list[str], me: str, namespaces: Iterable[str] = ()
) -> tuple[LogRole, str | None, Category | None]:
    """Whose problem an error is: a catalogued peer it names when it is about that peer (a failing
    call, the peer's certificate, our threads waiting on it); something outside the catalog when it
    is a dependency failure naming none; else the service's own. `others`: the other services' names,
    longest first; `me`: whose error it is; `namespaces`: the catalog's, which a proxy's upstream names
    begin with. Returns (role, the peer it points to, category)."""
    about = said_about(words, namespaces)
    # (or by the name it has under its namespace's prefix, a Helm release named for the namespace: `kuznia-dex`; only
    # the namespaces the words hold, however spelt, are tried, so that a large estate's names are not each looked for
    # again)
    squashed = re.sub(r"[^a-z0-9]", "", about.lower())
    prefixes = [ns for ns in namespaces if re.sub(r"[^a-z0-9]", "", ns.lower()) in squashed]
    named = next(
        (
            s
            for s in others
            if mentions(s, about, [*others, me], own=me) or any(mentions(f"{ns}-{s}", about) for ns in prefixes)
        ),
        None,
    )
    cat = classify(words)
    waited = bool(named) and re.search(WAITING_ON.pattern + spellings(named or "").pattern, words, re.I)
    if named and (
        cat in (None, "dependency_failure")
        or (cat == "expired_credential" and their_cert(words))
        # (its limit, not ours)
        or (cat == "resource_exhaustion" and (waited or STREAM_LIMIT.search(words) or USAGE_QUOTA.search(words)))
    ):
        return "peer", named, cat or "dependency_failure"
    if cat == "dependency_failure" and _own_process(words, me):
        return "own", None, None  # its own process too slow to answer: how busy it is says why
    if cat == "dependency_failure":
        return "external", None, cat  # a third party or backend outside the catalog
    if cat == "resource_exhaustion" and USAGE_QUOTA.search(words):
        return "external", None, cat  # an allowance used up at a provider it does not name: the provider's limit
    return "own", None, cat


# a line saying how far a run has got: so many of so many (items, accounts, rows) done, or a share of it
PROGRESS = re.compile(
    r"\b\d[\d,]* (?:of|/) \d[\d,]*\b(?! (?:attempts?|tries|retries)\b)|\b\d{1,3}(?:\.\d+)?% (?:done|complete)"
    # ...or written close, as progress bars write it, of a total in the hundreds or more (`3900/41000`: not a date)
    r"|\b\d[\d,]*/\d[\d,]{2,}\b(?!/)",
    re.I,
)
# a count of tries is not progress of work: `attempt 2 of 5` is a call failing again
RETRYING = re.compile(r"\b(attempt|retry|retrying|try)\b", re.I)


def _work_finding(r: ToolResult, t: TemplateStat, me: str, rising: bool = False) -> WorkFinding:
    assert t.line is not None
    said = "logged" if rising else "began logging"
    return WorkFinding(
        service=me,
        text=f"{me} {said} {t.count} {t.level} lines of a {'rising' if rising else 'new'} template from "
        f"{fmt_hm(t.first_seen)}",
        cite=cite(r.id, t.line),
        at=None if rising else t.first_seen,
        detail=t,
        rising=rising,
    )


def _own_process(words: str, me: str) -> bool:
    """The call that failed went to a process of the service's own code: its module is named after the
    service (GenServer.call(LiveScores.MatchServer, ...) in live-scores), so nothing outside it is named."""
    call = OWN_PROCESS_CALL.search(words)
    return call is not None and mentions(me, call["target"].split(".")[0])


def _log_findings(r: ToolResult, st: LogStats, catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []
    me = st.query.service
    others = sorted((s for s in catalog.services if s != me), key=len, reverse=True)
    for t in st.templates:
        note = st.notable(t)
        words = f"{t.template}\n{without_clock(t.sample)}"
        # an info line counts only when it is new and names what failed (a certificate, a permission, a limit)
        # or says requests were turned away on purpose (a firewall's record of what it blocked has no level) or
        # at the door (a client's failed handshake, which servers file at info)
        new = note is not None and note.startswith("new")  # (or new since it began, just before the window)
        turned_away = REFUSED.search(words) or HANDSHAKE_FAILED.search(words)
        stated = t.level == "INFO" and new and (classify(words) in STATED_FAILURES or turned_away)
        # a run of routine lines by the hundred, new, or rising (several times its baseline's pace) or under way
        # since just before the window: work
        # (or a few, each saying how far a run has got: `1400 of 60214 accounts billed`)
        routine = t.line is not None and t.level in ("INFO", "DEBUG")
        progress = PROGRESS.search(t.sample) and not RETRYING.search(words)
        routine_run = routine and (t.count >= w.WORK_LINES or bool(progress))
        if routine_run and note == "new":
            out.append(_work_finding(r, t, me))
        elif routine_run and note:
            out.append(_work_finding(r, t, me, rising=True))
        if t.line is None or (t.level not in ("ERROR", "WARN") and not stated) or not note:
            continue
        if instructs(words):  # text that tries to instruct the copilot is flagged, never evidence
            continue
        role, points, cat = attribute(words, others, me, catalog.namespaces)
        weight = (
            (w.NEW_TEMPLATE if new else w.RISING_TEMPLATE)
            * {"ERROR": 1.0, "WARN": w.WARNING_SHARE}.get(t.level, w.INFO_SHARE)
            * min(1.0, t.count / w.FLOOD_LINES)
        )
        line = r.line(t.line) or ""
        quote = line.split(": ", 1)[1] if ": " in line else line
        # a source's silence the line reports began that long before it was logged (a watchdog's own "nothing
        # imported for 15 minutes" dates nothing: it says what the service failed to do, not what failed it)
        silence = silent_for(t.sample) if cat == "dependency_failure" else timedelta(0)
        # (news under way since before the window began when it began, not when the window opened on it)
        first = st.under_way(t) or t.first_seen
        out.append(
            LogFinding(
                service=me,
                text=f"{me} logged {t.count} {t.level} lines of a {note.split()[0]} template from {fmt_hm(first)}",
                cite=cite(r.id, t.line),
                quote=quote,
                at=first - silence if silence <= w.SILENCE_DATED else first,
                category=cat,
                weight=weight,
                points_to=points,
                role=role,
                detail=t,
                words=words,
            )
        )
    return out


def _trace_findings(r: ToolResult, st: TraceStats, catalog: Catalog) -> list[Finding]:
    """Errors originating in a service are its own evidence when they are new or rising; a caller whose
    calls fail because of them is pointed at its callee. (A peer outside the catalog stays its caller's.)"""
    out: list[Finding] = []
    window_s = (st.end - st.start).total_seconds()
    baseline_s = max(1.0, (st.start - st.baseline_start).total_seconds())
    for o in st.origins:
        rising = o.baseline_traces == 0 or o.traces / window_s >= w.TRACE_RISE * o.baseline_traces / baseline_s
        if o.line is None or not rising or instructs(o.message):
            continue
        cat = classify(o.message)
        # a peer refusing our credentials or permissions is our problem, unless its certificate is
        theirs = cat not in ("expired_credential", "permission_denied") or their_cert(o.message)
        known = (o.service in catalog.services or not catalog.services) and (theirs or o.service == o.seen_by)
        # a caller's span to a peer we cannot see holds the caller's words: its own name among them (a word
        # like `availability`) says who asked, not who failed
        others = (x for x in catalog.services if x not in (o.service, o.seen_by))
        role, points, said = attribute(o.message, sorted(others, key=len, reverse=True), o.service)
        if known and role == "peer":  # its own span failed, but with words about a peer (waiting on it)
            cat = said
        out.append(
            TraceFinding(
                service=o.service if known else o.seen_by,
                text=f"{o.traces} failing traces begin in {o.service} from {fmt_hm(o.first_seen)}",
                cite=cite(r.id, o.line),
                quote=(r.line(o.line) or "").split(": ", 1)[-1],
                at=o.first_seen,
                category=cat if known else cat or "dependency_failure",
                weight=w.TRACE_ORIGIN * min(1.0, o.traces / w.TRACE_FAILURES),
                points_to=points if known else None,
                role=("peer" if points else "own") if known else "external",
                detail=o,
                words=o.message,
            )
        )
    origins = {o.service for o in st.origins}

    def slow(e: Edge) -> bool:
        return e.slowed(w.SLOW_CALLS, int(w.TRACE_FAILURES))

    # slowness shows along the whole path: it starts at the deepest slow call, whose callee waits on nothing slow
    waiting = {e.caller for e in st.edges if slow(e)}
    for e in st.edges:
        new_errors = e.newly_failing(w.TRACE_RISE, min_errors=3)
        slower = slow(e) and e.callee not in waiting
        failing = new_errors and not (e.caller in origins - {e.callee} and e.callee not in origins)
        if e.line is None or not (failing or slower) or e.callee not in catalog.services:
            continue  # an external callee's failures are already the caller's own (its origin finding)
        out.append(
            TraceFinding(
                service=e.caller,
                text=f"{e.caller}'s calls to {e.callee} failed {e.errors} times"
                if failing
                else f"{e.caller}'s calls to {e.callee} slowed to p99 {fmt_num(e.p99_ms)}ms "
                f"(baseline p99 {fmt_num(e.baseline_p99_ms or 0)}ms)",
                cite=cite(r.id, e.line),
                quote=(r.line(e.line) or "").split(": ", 1)[-1],
                at=None,  # the edge says how often, not since when
                category="dependency_failure" if failing else None,  # slow says where to look, not what broke
                weight=float(w.TRACE_EDGE),
                points_to=e.callee,
                role="peer",
                detail=e,
                words=f"{e.callee}",
            )
        )
    return out


# Why a container died or waits that says nothing of the cause by itself: restarts say the process
# died, not why (the events and logs say why).
UNTELLING = {"Error", "Completed", "CrashLoopBackOff", "ContainerCreating", "PodInitializing", "BackOff"}


def _workload_findings(r: ToolResult, st: WorkloadState) -> list[Finding]:
    out: list[Finding] = []
    for g in st.events:
        if g.line is None or not g.new:
            continue  # a warning the cluster also raised in the baseline is its usual noise
        words = f"{g.reason}: {g.message}"
        if instructs(words):
            continue
        ended = g.last_seen < st.end - w.K8S_ENDED  # pods starting during a rollout fail probes for a minute
        out.append(
            WorkloadFinding(
                service=st.service,
                text=f"the cluster raised {g.count} {g.reason} warnings about {st.service} from {fmt_hm(g.first_seen)}",
                cite=cite(r.id, g.line),
                quote=(r.line(g.line) or "").split(": ", 1)[-1],
                at=None if ended else g.first_seen,
                category=classify(words),
                weight=w.K8S_WARNING * min(1.0, g.count / w.K8S_EVENTS) * (w.RECOVERED if ended else 1.0),
                detail=g,
                words=words,
            )
        )
    for p in st.pods:
        reason = p.waiting_reason if p.waiting_reason not in UNTELLING else None
        reason = reason or (p.terminated_reason if p.terminated_reason not in UNTELLING else None)
        if p.line is None or not reason:
            continue
        died_now = p.terminated_at is not None and p.terminated_at >= st.start
        words = f"{reason}: {p.waiting_message or ''}"
        out.append(
            WorkloadFinding(
                service=st.service,
                text=f"pod {p.name} of {st.service} shows {reason}",
                cite=cite(r.id, p.line),
                quote=r.line(p.line),
                at=p.terminated_at if died_now and reason == p.terminated_reason else None,
                category=classify(words),
                weight=float(w.K8S_POD),
                detail=p,
                words=words,
            )
        )
    return out


def estate_words(catalog: Catalog) -> frozenset[str]:
    """The words naming the whole estate: its namespaces' and the owners of its repositories (`ctecka-prod`,
    `ctecka/platform`). Every change's command and many services' lines carry them, as every line carries its own
    service's name: a change that repeats them repeats nothing of what it did."""
    names = [*catalog.namespaces, *(info.repo.split("/")[0] for info in catalog.services.values() if info.repo)]
    return frozenset(x for n in names for x in _words(n))


def _change_findings(r: ToolResult, d: ChangeList, estate: frozenset[str]) -> list[Finding]:
    out: list[Finding] = []
    for c in d.changes:
        if c.line is None or c.ts > d.alert_at:
            continue
        header = r.line(c.line) or ""
        out.append(
            ChangeFinding(
                service=c.service,
                text=header,
                cite=cite(r.id, c.line),
                quote=header,
                at=c.ts,
                category="recent_change",
                weight=float(w.CHANGE),
                detail=c,
                estate=estate,
            )
        )
    return out


def _history_findings(r: ToolResult, found: list[PastIncident]) -> list[Finding]:
    out: list[Finding] = []
    for p in found:
        if p.line is None or not p.service:
            continue
        out.append(
            HistoryFinding(
                service=p.service,
                text=r.line(p.line) or "",
                cite=cite(r.id, p.line),
                category=_category(p.category),
                weight=float(w.HISTORY_MATCH if p.score >= 2 else w.HISTORY_WEAK),
                detail=p,
            )
        )
    return out


CATEGORIES = frozenset(get_args(Category))


def _category(value: str | None) -> Category | None:
    return value if value in CATEGORIES else None  # type: ignore[return-value]


# Words of a diff that say nothing about what it changed.
GENERIC_KEYS = {
    "image",
    "repository",
    "replicacount",
    "replica",
    "replicas",
    "count",
    "resources",
    "limits",
    "requests",
    "values",
    "apps",
    "true",
    "false",
    "enabled",
    "name",
    "spec",
    "metadata",
    "yaml",
    "from",
    "with",
    # (every estate's word: a Kubernetes Service, a command's ServiceFabric..., a 503's "Service Unavailable")
    "service",
}


def change_said(change: Change) -> tuple[str, ...]:
    """What a change says it changed, to read for what kind of setting it touched: its from and to, and its diff's
    lines without the file headers (a path names which file, not what changed: an inventory's `hosts/`)."""
    return (change.from_ or "", change.to or "", *diffs.parse(change.diff).body)


def change_tokens(change: Change) -> set[str]:
    """What a change is about, as tokens a log line could repeat: the words of its diff
    (settings and their context, not image tags or file names), the values it introduced,
    and the flag or setting named in `to`."""
    d = diffs.parse(change.diff)
    words = {x for line in d.body if not diffs.VERSION_KEY.match(line.lstrip("+- ")) for x in _words(line)}
    words -= GENERIC_KEYS
    new_nums = {n for x in d.added if not diffs.VERSION_KEY.match(x) for n in re.findall(r"\d{2,}", x)}
    new_nums -= {n for x in d.removed for n in re.findall(r"\d{2,}", x)}
    if change.kind == "flag":
        words |= _words(str(change.to or "").split("=")[0])
    words -= _words(change.service)  # every log line names its own service
    return words | new_nums


def _words(text: str) -> set[str]:
    """Lower-case words of 4+ letters, camelCase and kebab-case split too."""
    out = set()
    for x in re.findall(r"[A-Za-z][A-Za-z0-9_-]{3,}", text):
        out.add(x.lower())
        out |= {p.lower() for p in re.findall(r"[A-Z]?[a-z]{4,}|[A-Z]{4,}", x)}
        out |= {p.lower() for p in re.split(r"[-_]", x) if len(p) >= 4}
    return out


# A line's own time and ids: the hour of its timestamp or the digits inside a request id are not values it
# repeats from a change (a limit set to 20 is not repeated by a line logged at 20:04)
_OWN_STAMPS = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?|\b\d{1,2}:\d{2}:\d{2}([.,]\d+)?"
    r"|\b[0-9a-f]*(\d[0-9a-f]*[a-f]|[a-f][0-9a-f]*\d)[0-9a-f]*\b",
    re.I,
)


def log_tokens(text: str) -> set[str]:
    text = _OWN_STAMPS.sub(" ", text)
    return _words(text) | set(re.findall(r"\d{2,}", text))
