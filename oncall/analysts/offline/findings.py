"""Findings: the facts in tool results that bear on a cause, each tied to the
exact place it can be cited from. The offline analyst reasons over these;
every claim it makes is built from a finding's own words and numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from oncall.core.catalog import Catalog
from oncall.core.citations import cite
from oncall.core.fmt import fmt_hm
from oncall.core.results import ToolResult
from oncall.tools.query_history import PastIncident
from oncall.tools.read_changes import ChangeList
from oncall.tools.read_logs import LogStats
from oncall.tools.read_metrics import MetricStats

# What a log line says about the cause, most specific first. These are the
# wordings of common runtimes and libraries, not of any one bundle.
CATEGORY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (cat, re.compile(rx, re.I))
    for cat, rx in [
        (
            "expired_credential",
            r"certificate (has )?expired|x509: certificate has expired|certificate.{0,40}not valid after"
            r"|cert(ificate)? expired|token (has )?expired|expired (token|credential|password)"
            r"|ExpiredToken|bad certificate|certificate verify failed|password authentication failed"
            r"|invalid (api[ _-]?key|credentials|token)"
            r"|authentication failed|401 Unauthorized|SignatureDoesNotMatch|InvalidClientTokenId",
        ),
        (
            "permission_denied",
            r"AccessDenied|not authorized to perform|permission denied|403 Forbidden|\bforbidden\b"
            r"|insufficient (permissions|privileges)|UnauthorizedOperation|cannot (get|list|create) resource",
        ),
        (
            "network",
            r"no such host|NXDOMAIN|SERVFAIL|\bDNS\b|name resolution|could not resolve|UnknownHostException"
            r"|getaddrinfo|network is unreachable|no route to host|TLS handshake|handshake (failure|timeout)",
        ),
        (
            "resource_exhaustion",
            r"pool (is )?exhausted|connection is not available|too many (connections|clients)"
            r"|waiting for (a )?connection|remaining connection slots|OutOfMemory|OOMKilled"
            r"|out of memory|heap space|MemoryError|cannot allocate memory|No space left on device"
            r"|disk (is )?full|too many open files|thread pool .*(full|exhausted)"
            r"|RejectedExecution|queue (is )?full|CPU throttl|GC overhead limit",
        ),
        (
            "dependency_failure",
            r"rate.?limit|\b429\b|Too Many Requests|throttl|upstream|\b50[234]\b|Bad Gateway"
            r"|Service Unavailable|connection refused|deadline exceeded|timed? ?out|lock wait"
            r"|deadlock|slow query|circuit.?breaker|ECONNREFUSED|ECONNRESET|reset by peer",
        ),
    ]
]

# What a signal's movement says: saturation is a cause, symptoms are what users feel,
# traffic is load arriving, and the rest (replicas) is context only.
SATURATION = {"cpu_utilization", "memory_utilization", "disk_utilization", "pool_utilization", "restarts"}
SYMPTOMS = {"error_ratio", "latency_p99"}
# Errors about a peer's certificate blame the peer; other credential, permission and
# network errors are the logging service's own problem.
PEER_CERT = re.compile(r"x509|certificate|PKIX|SSL handshake", re.I)


def classify(text: str) -> str | None:
    for cat, rx in CATEGORY_PATTERNS:
        if rx.search(text):
            return cat
    return None


@dataclass
class Finding:
    service: str
    kind: str  # metrics | logs | change | history
    text: str  # a claim in words; numbers only as they appear at `cite`
    cite: str  # R2:L4, or R5 for a whole result
    quote: str | None = None  # verbatim text at `cite`
    at: datetime | None = None  # when it started
    category: str | None = None
    weight: float = 1.0
    points_to: str | None = None  # another service this finding blames
    signal: str | None = None
    role: str = ""  # metrics: symptom | saturation | traffic | info; logs: own | peer | external
    detail: object = None  # the underlying record (change, incident, template)
    words: str = ""  # raw text a change can be matched against (templates and samples)


def findings(results: list[ToolResult], catalog: Catalog) -> list[Finding]:
    out: list[Finding] = []
    for r in results:
        if not r.ok or r.data is None:
            continue
        if isinstance(r.data, MetricStats):
            out += _metric_findings(r, r.data)
        elif isinstance(r.data, LogStats):
            out += _log_findings(r, r.data, catalog)
        elif isinstance(r.data, ChangeList):
            out += _change_findings(r, r.data)
        elif isinstance(r.data, list) and r.data and isinstance(r.data[0], PastIncident):
            out += _history_findings(r, r.data)
    return out


def _metric_findings(r: ToolResult, m: MetricStats) -> list[Finding]:
    out = []
    for s in m.signals:
        if not s.anomalous or s.line is None:
            continue
        line = r.line(s.line) or ""
        if s.signal in SATURATION and s.direction == "up":
            role, cat, weight = "saturation", "resource_exhaustion", 2.0
        elif s.signal in SYMPTOMS and s.direction == "up":
            role, cat, weight = "symptom", None, 1.0
        elif s.signal == "request_rate":
            role, cat, weight = "traffic", ("capacity" if s.direction == "up" else None), 1.0
        else:
            role, cat, weight = "info", None, 0.0
        if s.recovered:  # a blip that ended before the window did explains little about the alert
            weight *= 0.25
        out.append(
            Finding(
                service=m.service,
                kind="metrics",
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


def _log_findings(r: ToolResult, st: LogStats, catalog: Catalog) -> list[Finding]:
    out = []
    me = st.query.service
    others = sorted((s for s in catalog.services if s != me), key=len, reverse=True)
    for t in st.templates:
        note = st.notable(t)
        if t.line is None or t.level not in ("ERROR", "WARN") or not note:
            continue
        words = f"{t.template}\n{t.sample}"
        named = next((s for s in others if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", words, re.I)), None)
        cat = classify(words)
        if named and (cat in (None, "dependency_failure") or (cat == "expired_credential" and PEER_CERT.search(words))):
            role, points = "peer", named
            cat = cat or "dependency_failure"
        elif cat == "dependency_failure":
            role, points = "external", None  # a third party or backend outside the catalog
        else:
            role, points = "own", None
        # a handful of lines is weaker evidence than a flood; warnings weigh half
        weight = (2.0 if note == "new" else 1.5) * (1.0 if t.level == "ERROR" else 0.5) * min(1.0, t.count / 10)
        line = r.line(t.line) or ""
        quote = line.split(": ", 1)[1] if ": " in line else line
        out.append(
            Finding(
                service=me,
                kind="logs",
                text=f"{me} logged {t.count} {t.level} lines of a {note.split()[0]} template "
                f"from {fmt_hm(t.first_seen)}",
                cite=cite(r.id, t.line),
                quote=quote,
                at=t.first_seen,
                category=cat,
                weight=weight,
                points_to=points,
                role=role,
                detail=t,
                words=words,
            )
        )
    return out


def _change_findings(r: ToolResult, d: ChangeList) -> list[Finding]:
    out = []
    for c in d.changes:
        if c.line is None or c.ts > d.alert_at:
            continue
        header = r.line(c.line) or ""
        out.append(
            Finding(
                service=c.service,
                kind="change",
                text=header,
                cite=cite(r.id, c.line),
                quote=header,
                at=c.ts,
                category="recent_change",
                weight=3.0,
                detail=c,
            )
        )
    return out


def _history_findings(r: ToolResult, found: list[PastIncident]) -> list[Finding]:
    out = []
    for p in found:
        if p.line is None or not p.service:
            continue
        out.append(
            Finding(
                service=p.service,
                kind="history",
                text=r.line(p.line) or "",
                cite=cite(r.id, p.line),
                category=p.category,
                weight=1.0 if p.score >= 2 else 0.5,
                detail=p,
            )
        )
    return out


VERSION_KEY = re.compile(r"^\s*[\"']?(image|tag|version|appVersion|digest|repository|registry)\b", re.I)


def diff_gist(diff: str | None) -> tuple[str, str] | None:
    """The most telling removed/added pair of a diff, as its lines read: a setting
    rather than the image tag that every deploy bumps."""
    if not diff:
        return None
    lines = diff.splitlines()
    pairs = []
    for i, x in enumerate(lines):
        if x.startswith("-") and not x.startswith("---"):
            nxt = next((y for y in lines[i + 1 :] if y.startswith("+") and not y.startswith("+++")), None)
            if nxt is not None:
                pairs.append((x[1:].strip(), nxt[1:].strip()))
    pairs = [p for p in pairs if p[0] and p[1] and p[0] != p[1]]
    if not pairs:
        return None
    return next((p for p in pairs if not VERSION_KEY.match(p[0])), pairs[0])


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
}


def change_tokens(change: object) -> set[str]:
    """What a change is about, as tokens a log line could repeat: the words of its diff
    (settings and their context, not image tags or file names), the values it introduced,
    and the flag or setting named in `to`."""
    diff = getattr(change, "diff", None) or ""
    body = [x for x in diff.splitlines() if not x.startswith(("---", "+++", "@@"))]
    added = [x[1:] for x in body if x.startswith("+")]
    removed = [x[1:] for x in body if x.startswith("-")]
    words = {w for x in body if not VERSION_KEY.match(x.lstrip("+- ")) for w in _words(x)} - GENERIC_KEYS
    new_nums = {n for x in added if not VERSION_KEY.match(x) for n in re.findall(r"\d{2,}", x)}
    new_nums -= {n for x in removed for n in re.findall(r"\d{2,}", x)}
    to = str(getattr(change, "to", "") or "")
    if getattr(change, "kind", "") == "flag":
        words |= _words(to.split("=")[0])
    words -= _words(str(getattr(change, "service", "")))  # every log line names its own service
    return words | new_nums


def _words(text: str) -> set[str]:
    """Lower-case words of 4+ letters, camelCase and kebab-case split too."""
    out = set()
    for w in re.findall(r"[A-Za-z][A-Za-z0-9_-]{3,}", text):
        out.add(w.lower())
        out |= {p.lower() for p in re.findall(r"[A-Z]?[a-z]{4,}|[A-Z]{4,}", w)}
        out |= {p.lower() for p in re.split(r"[-_]", w) if len(p) >= 4}
    return out


def log_tokens(text: str) -> set[str]:
    return _words(text) | set(re.findall(r"\d{2,}", text))
