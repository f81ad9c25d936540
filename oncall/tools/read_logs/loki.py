"""Grafana Loki backend (LogQL over the HTTP API; Loki has no Python SDK of note, so requests).

Like OpenSearch, the server counts: one metric query per period (`sum by (level) (count_over_time(...))`
over `query_range`, stepped so that each point counts one slice of the period exactly) gives the lines
per level and slice. Template mining needs messages, so a bounded sample follows: error and warning
lines apart from the rest, the window oldest first and the baseline newest first; a class larger than
the sample is sampled in every slice in proportion. The sample goes through the embedded backend's
aggregation and is scaled to the exact totals. A JSON or logfmt line's message field is the message."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.aggregate import Row, aggregate_rows, normalise_levels, scale_to_totals
from oncall.tools.remote import HttpJson, RemoteSettings, secret

SLICES = 8  # at most, per period; fewer when the period does not divide evenly into whole seconds
MESSAGE_KEYS = ("message", "msg", "log", "body")
LOGFMT_MSG = re.compile(r'(?:^|\s)(?:msg|message)=("(?:[^"\\]|\\.)*"|\S+)')


def _q(value: str) -> str:
    """A LogQL string literal: JSON's escaping is Go's for quotes, backslashes and control characters."""
    return json.dumps(value)


def _ns(t: datetime) -> str:
    return str(int(t.timestamp() * 1_000_000_000))


def _slices(p0: datetime, p1: datetime) -> tuple[int, int]:
    """(slice seconds, count): the largest count up to SLICES that divides the period into whole seconds."""
    total = max(1, int((p1 - p0).total_seconds()))
    n = next(k for k in range(SLICES, 0, -1) if total % k == 0)
    return total // n, n


class LokiLogs:
    def __init__(
        self,
        http: HttpJson,
        selector: str = '{{service_name="{service}"}}',
        level: str = "detected_level",
        pod: str = "pod",
        sample_size: int = 2000,
    ):
        self.http = http
        self.selector = selector  # a stream selector template; {service} is replaced by the quoted name
        self.level = level  # the label (or structured metadata) holding the level
        self.pod = pod
        self.sample_size = sample_size

    def _selector(self, q: LogQuery) -> str:
        sel = self.selector.replace('"{service}"', _q(q.service)).replace("{{", "{").replace("}}", "}")
        return sel + (f" |= {_q(q.query)}" if q.query else "")

    def _range(self, query: str, what: str, **params: Any) -> list[dict[str, Any]]:
        doc = self.http.get("/loki/api/v1/query_range", what, {"query": query, **params})
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("result"), list):
            raise ToolError(f"Loki at {self.http.remote.url} answered query_range without a result list")
        return [r for r in data["result"] if isinstance(r, dict)]

    def _counts(self, q: LogQuery, p0: datetime, p1: datetime) -> list[tuple[datetime, dict[str, int]]]:
        """(slice start, lines per raw level value) for each slice of [p0, p1)."""
        step, n = _slices(p0, p1)
        query = f"sum by ({self.level}) (count_over_time({self._selector(q)} [{step}s]))"
        # a point at t counts (t - step, t]: the points at p0 + step, ..., p1 cover the period exactly
        result = self._range(
            query,
            f"count {q.service}'s log lines",
            start=_ns(p0 + timedelta(seconds=step)),
            end=_ns(p1),
            step=f"{step}s",
        )
        slices: list[tuple[datetime, dict[str, int]]] = [(p0 + timedelta(seconds=step * i), {}) for i in range(n)]
        for series in result:
            level = str((series.get("metric") or {}).get(self.level, ""))
            for t, value in series.get("values") or []:
                i = round((float(t) - p0.timestamp()) / step) - 1
                if 0 <= i < n:
                    slices[i][1][level] = slices[i][1].get(level, 0) + int(float(value))
        return slices

    def stats(self, q: LogQuery) -> LogStats:
        periods = {"window": (q.start, q.end), "baseline": (q.baseline_start, q.start)}
        counts = {p: self._counts(q, *span) for p, span in periods.items()}
        raw = {v for slices in counts.values() for _, c in slices for v in c}
        named = normalise_levels(raw)
        notable = sorted(v for v, level in named.items() if level in ("ERROR", "WARN"))
        rows: list[Row] = []
        refs: list[str] = []
        sampled: list[str] = []
        for period, (p0, p1) in periods.items():
            step, _ = _slices(p0, p1)
            for wanted in (True, False):
                per_slice = [(t, sum(n for v, n in c.items() if (v in notable) == wanted)) for t, c in counts[period]]
                total = sum(n for _, n in per_slice)
                if total == 0:
                    continue
                if wanted:
                    level_filter = f" | {self.level}=~{_q('|'.join(map(re.escape, notable)))}"
                elif notable:
                    level_filter = f" | {self.level}!~{_q('|'.join(map(re.escape, notable)))}"
                else:
                    level_filter = ""
                ranges = (
                    [((p0, p1), self.sample_size)]
                    if total <= self.sample_size
                    else [
                        ((t, t + timedelta(seconds=step)), max(1, round(self.sample_size * k / total)))
                        for t, k in per_slice
                        if k
                    ]
                )
                got = 0
                for (r0, r1), limit in ranges:
                    streams = self._range(
                        self._selector(q) + level_filter,
                        f"sample {q.service}'s log lines",
                        start=_ns(r0),
                        end=str(int(_ns(r1)) - 1),  # Loki's end is inclusive; the next slice starts there
                        limit=limit,
                        direction="forward" if period == "window" else "backward",
                    )
                    for s in streams:
                        labels = s.get("stream") or {}
                        for value in s.get("values") or []:
                            rows.append(self._row(q, labels, value))
                            refs.append(f"loki:{labels.get('service_name') or q.service}@{value[0]}")
                            got += 1
                if got < total:
                    kind = "error and warning" if wanted else "other"
                    spread = f" across {len(ranges)} time slices" if len(ranges) > 1 else ""
                    sampled.append(f"{got} of {total} {kind} lines in the {period}{spread}")
        stats = aggregate_rows(rows, q, f"loki {self.http.remote.url}", lambda i: refs[i - 1])
        first = next((t for t, c in counts["baseline"] if c), None)
        if first is not None:
            stats.baseline_from = max(first, q.baseline_start)
        if sampled:
            by_level = {p: _by_level([c for _, c in counts[p]], named) for p in periods}
            scale_to_totals(stats, by_level["window"], by_level["baseline"])
            stats.sampled = "; ".join(sampled)
        return stats

    def _row(self, q: LogQuery, labels: Mapping[str, Any], value: list[Any]) -> Row:
        """One [ns, line, (structured metadata)] entry: the message out of a JSON or logfmt line."""
        ts = float(value[0]) / 1e9 if value and str(value[0]).isdigit() else None
        line = str(value[1]) if len(value) > 1 else ""
        meta = value[2] if len(value) > 2 and isinstance(value[2], dict) else {}
        meta = meta.get("structuredMetadata", meta) if isinstance(meta, dict) else {}
        message = line
        if line.startswith("{"):
            try:
                doc = json.loads(line)
                message = next((str(doc[k]) for k in MESSAGE_KEYS if isinstance(doc, dict) and doc.get(k)), line)
            except ValueError:
                pass
        elif m := LOGFMT_MSG.search(line):
            message = m.group(1).strip('"').replace('\\"', '"')
        level = str(labels.get(self.level) or meta.get(self.level) or "")
        return (ts, q.service, str(labels.get(self.pod) or ""), level, message)

    def check(self) -> str:
        doc = self.http.get("/loki/api/v1/labels", "list its labels")
        labels = doc.get("data") if isinstance(doc, dict) else None
        return f"{len(labels or [])} labels"


def _by_level(slices: list[dict[str, int]], named: dict[str, str]) -> dict[str, int]:
    """Lines per level (ERROR, WARN, ...) over a period's slices of lines per raw level value."""
    out: dict[str, int] = {}
    for counts in slices:
        for value, n in counts.items():
            out[named.get(value, "INFO")] = out.get(named.get(value, "INFO"), 0) + n
    return out


# -- configuration (a section of the --config file) -----------------------------------------


class LokiConfig(RemoteSettings):
    backend: Literal["loki"]
    selector: str = '{{service_name="{service}"}}'  # the service's streams; {service} becomes its quoted name
    level_label: str = "detected_level"  # a stream label or structured metadata; `level` on older setups
    pod_label: str = "pod"
    tenant: str | None = None  # X-Scope-OrgID, for a multi-tenant Loki
    token_env: str | None = None  # a bearer token (Grafana Cloud, an auth proxy)
    sample_size: int = Field(2000, ge=100, le=5000)  # lines fetched per level group and period, for templates

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        token = secret(env, self.token_env, "logs.token_env")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if self.tenant:
            headers["X-Scope-OrgID"] = self.tenant
        http = HttpJson(self.remote("Loki", self.token_env), headers, self.verify_tls)
        return LokiLogs(http, self.selector, self.level_label, self.pod_label, self.sample_size)
