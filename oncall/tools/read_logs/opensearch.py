"""OpenSearch backend (opensearch-py).

The server does the counting: one aggregation request gives the exact number of
lines per level in the window and in the baseline, the same per time slice
(date_histogram), and the earliest baseline line (retention). Template mining needs
messages, so one _msearch then fetches a bounded sample: error and warning lines
apart from the rest. A class that fits the sample is fetched whole; a larger one is
sampled in every time slice in proportion to its lines there, so a failure that
starts late in the window is not crowded out by an early flood. The sample goes
through the same aggregation as the embedded backend; when it is smaller than what
it stands for, its template counts are scaled to the server's exact level totals and
the summary says so. Field names are configurable; ECS by default."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from oncall.core.catalog import Catalog
from oncall.core.errors import ConfigError, ToolError
from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.aggregate import aggregate_rows, normalise_levels, scale_to_totals
from oncall.tools.remote import Failure, Remote, RemoteSettings, network_failure, secret


@dataclass(frozen=True)
class LogFields:
    """Where each fact lives in a document; ECS names by default. Service and level are filtered
    and aggregated on, so they must be keyword fields: with dynamic mapping, say `service.keyword`."""

    timestamp: str = "@timestamp"
    service: str = "service.name"
    level: str = "log.level"
    message: str = "message"
    pod: str = "kubernetes.pod.name"


SLICES = 8  # time slices per period for a stratified sample, when a class outgrows the sample

_RESERVED = re.compile(r'([+\-=&|><!(){}\[\]^"~*?:\\/])')


class OpenSearchLogs:
    def __init__(
        self,
        remote: Remote,
        index: str = "logs-*",
        fields: LogFields | None = None,
        sample_size: int = 2000,
        http_auth: tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        verify_tls: bool = True,
    ):
        self.remote = remote
        self.index = index
        self.fields = fields or LogFields()
        self.sample_size = sample_size
        self.http_auth = http_auth
        self.headers = headers
        self.verify_tls = verify_tls
        self._os: Any = None

    def _client(self) -> Any:
        if self._os is None:
            from opensearchpy import OpenSearch

            self._os = OpenSearch(
                hosts=[self.remote.url],
                http_auth=self.http_auth,
                headers=self.headers,
                verify_certs=self.verify_tls,
                timeout=self.remote.timeout_s,
                max_retries=0,  # tenacity retries, with one policy for every backend
                pool_maxsize=8,  # the tool runner calls in parallel
                retry_on_timeout=False,
            )
        return self._os

    def stats(self, q: LogQuery) -> LogStats:
        f = self.fields
        base = self._filters(q)
        periods = {"window": (q.start, q.end), "baseline": (q.baseline_start, q.start)}
        aggs: dict[str, Any] = {}
        slice_s = {p: max(1, math.ceil((p1 - p0).total_seconds() / SLICES)) for p, (p0, p1) in periods.items()}
        for period, (p0, p1) in periods.items():
            aggs[period] = {
                "filter": {"range": {f.timestamp: {"gte": _iso(p0), "lt": _iso(p1)}}},
                "aggs": {
                    # the period's level totals are the sum of its slices'; the first line dates retention
                    **({"first": {"min": {"field": f.timestamp}}} if period == "baseline" else {}),
                    "slices": {
                        "date_histogram": {
                            "field": f.timestamp,
                            "fixed_interval": f"{slice_s[period]}s",
                            "min_doc_count": 1,
                        },
                        "aggs": {"levels": {"terms": {"field": f.level, "size": 50, "missing": ""}}},
                    },
                },
            }
        counts = self.remote.call(
            f"count {q.service}'s log lines in {self.index}",
            lambda: self._client().search(
                index=self.index,
                body={"size": 0, "track_total_hits": True, "query": {"bool": {"filter": base}}, "aggs": aggs},
            ),
            _classify,
        )
        by_period = {p: _levels(counts, p) for p in periods}
        named = normalise_levels(v for p in by_period.values() for v in p)
        notable = sorted(v for v, level in named.items() if level in ("ERROR", "WARN"))
        level_filter = {"terms": {f.level: notable}}
        plan = []  # (period, notable?, total lines, searches)
        for period, (p0, p1) in periods.items():
            for wanted in (True, False):
                total = sum(n for v, n in by_period[period].items() if (v in notable) == wanted)
                if total == 0:
                    continue
                # window oldest first (its onset), baseline newest first (nearest the window); a class larger
                # than the sample is sampled in every time slice in proportion, so a late template is not lost
                order = "asc" if period == "window" else "desc"
                if total <= self.sample_size:
                    ranges = [((p0, p1), self.sample_size)]
                else:
                    ranges = [
                        ((max(t0, p0), min(t1, p1)), max(1, round(self.sample_size * n / total)))
                        for t0, t1, n in _slices(counts, period, slice_s[period], notable, wanted)
                    ]
                searches = []
                for (r0, r1), size in ranges:
                    in_range = [*base, {"range": {f.timestamp: {"gte": _iso(r0), "lt": _iso(r1)}}}]
                    clause = (
                        {"filter": [*in_range, level_filter]}
                        if wanted
                        else {"filter": in_range, "must_not": [level_filter]}
                    )
                    searches.append(
                        {
                            "size": size,
                            "query": {"bool": clause},
                            "sort": [{f.timestamp: {"order": order}}],
                            "_source": [_in_source(x) for x in (f.timestamp, f.service, f.level, f.message, f.pod)],
                        }
                    )
                plan.append((period, wanted, total, searches))
        body = [line for *_, searches in plan for s in searches for line in ({"index": self.index}, s)]
        responses: list[Any] = []
        if body:
            answer = self.remote.call(
                f"sample {q.service}'s log lines in {self.index}",
                lambda: self._client().msearch(body=body),
                _classify,
            )
            responses = answer.get("responses") if isinstance(answer, dict) else None  # type: ignore[assignment]
            if not isinstance(responses, list) or len(responses) != len(body) // 2:
                raise ToolError(f"OpenSearch at {self.remote.url} answered _msearch without one response per search")
        hits: list[dict[str, Any]] = []
        sampled: list[str] = []
        it = iter(responses)
        for period, wanted, total, searches in plan:
            got = 0
            for _ in searches:
                r = next(it)
                if "error" in r:
                    raise ToolError(f"OpenSearch could not sample {period} lines: {_reason(r['error'])}")
                page = r.get("hits", {}).get("hits", [])
                got += len(page)
                hits.extend(page)
            if got < total:
                kind = "error and warning" if wanted else "other"
                spread = f" across {len(searches)} time slices" if len(searches) > 1 else ""
                sampled.append(f"{got} of {total} {kind} lines in the {period}{spread}")
        first = ((counts.get("aggregations") or {}).get("baseline", {}).get("first") or {}).get("value")
        stats = self._aggregate(q, hits)
        if first is not None:
            stats.baseline_from = datetime.fromtimestamp(float(first) / 1000, UTC)
        if sampled:
            scale_to_totals(stats, _by_level(by_period["window"], named), _by_level(by_period["baseline"], named))
            stats.sampled = "; ".join(sampled)
        return stats

    def _aggregate(self, q: LogQuery, hits: list[dict[str, Any]]) -> LogStats:
        """The sampled lines through the embedded backend's aggregation."""
        rows = [self._row(h) for h in hits]
        return aggregate_rows(rows, q, self.index, lambda i: f"{hits[i - 1]['_index']}/{hits[i - 1]['_id']}")

    def _row(self, hit: dict[str, Any]) -> tuple[float | None, str, str, str, str]:
        f, src = self.fields, hit.get("_source") or {}
        ts = _parse_ts(_get(src, f.timestamp))
        return (
            ts,
            str(_get(src, f.service) or ""),
            str(_get(src, f.pod) or ""),
            str(_get(src, f.level) or ""),
            str(_get(src, f.message) or ""),
        )

    def _filters(self, q: LogQuery) -> list[dict[str, Any]]:
        f = self.fields
        out: list[dict[str, Any]] = [
            {"term": {f.service: q.service}},
            {"range": {f.timestamp: {"gte": _iso(q.baseline_start), "lt": _iso(q.end)}}},
        ]
        if q.query:
            # the words must all appear; the text is escaped so that the model's words never become syntax
            words = _RESERVED.sub(r"\\\1", q.query)
            out.append({"query_string": {"query": words, "default_field": f.message, "default_operator": "AND"}})
        return out

    def check(self) -> str:
        info = self.remote.call("read the cluster's info", lambda: self._client().info(), _classify)
        n = self.remote.call(
            f"count documents in {self.index}", lambda: self._client().count(index=self.index), _classify
        )
        version = (info.get("version") or {}).get("number", "?") if isinstance(info, dict) else "?"
        return f"version {version}; {self.index} holds {n.get('count', '?')} documents"


def _by_level(raw: dict[str, int], named: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value, n in raw.items():
        out[named[value]] = out.get(named[value], 0) + n
    return out


def _slice_levels(answer: Any, period: str) -> list[tuple[datetime, dict[str, int]]]:
    """The period's date_histogram buckets: (start, lines per raw level value)."""
    try:
        return [
            (
                datetime.fromtimestamp(float(b["key"]) / 1000, UTC),
                {str(x["key"]): int(x["doc_count"]) for x in b["levels"]["buckets"]},
            )
            for b in answer["aggregations"][period]["slices"]["buckets"]
        ]
    except (KeyError, TypeError, ValueError) as e:
        raise ToolError(f"OpenSearch answered the count without the {period} histogram ({e})") from None


def _levels(answer: Any, period: str) -> dict[str, int]:
    """Lines per raw level value in the period: the sum over its time slices."""
    out: dict[str, int] = {}
    for _, counts in _slice_levels(answer, period):
        for value, n in counts.items():
            out[value] = out.get(value, 0) + n
    return out


def _slices(
    answer: Any, period: str, slice_s: int, notable: list[str], wanted: bool
) -> list[tuple[datetime, datetime, int]]:
    """(start, end, lines of the class) of the period's time slices that hold any."""
    out = []
    for start, counts in _slice_levels(answer, period):
        n = sum(c for value, c in counts.items() if (value in notable) == wanted)
        if n:
            out.append((start, start + timedelta(seconds=slice_s), n))
    return out


def _in_source(field: str) -> str:
    """Where a field lives in _source: `service.keyword` is an index-time sub-field of `service`."""
    return field.removesuffix(".keyword")


def _get(src: dict[str, Any], path: str) -> Any:
    """A field by dotted path, whether the document nests it or spells it flat."""
    path = _in_source(path)
    if path in src:
        return src[path]
    node: Any = src
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _parse_ts(v: Any) -> float | None:
    if isinstance(v, int | float):
        return float(v) / 1000  # epoch_millis, OpenSearch's default numeric date
    if isinstance(v, str) and v:
        try:
            t = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()
    return None


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _reason(error: Any) -> str:
    if isinstance(error, dict):
        causes: Iterable[Any] = error.get("root_cause") or [error]
        return "; ".join(str(c.get("reason", c.get("type", c))) for c in causes if isinstance(c, dict))
    return str(error)


def _classify(e: Exception) -> Failure | None:
    from opensearchpy.exceptions import ConnectionError as OsConnectionError
    from opensearchpy.exceptions import SerializationError, TransportError

    if isinstance(e, SerializationError):
        return Failure(None, f"the answer is not valid JSON ({e})", transient=False)
    if isinstance(e, OsConnectionError):  # includes ConnectionTimeout; status 'N/A'
        return Failure(None, f"{type(e).__name__}: {e.info or e.error}", transient=True)
    if isinstance(e, TransportError):
        status = e.status_code if isinstance(e.status_code, int) else None
        return Failure(status, _reason(e.info.get("error")) if isinstance(e.info, dict) else str(e.error))
    return network_failure(e)


# -- configuration (a section of the --config file) -----------------------------------------


class OpenSearchConfig(RemoteSettings):
    backend: Literal["opensearch"]
    index: str = "logs-*"  # index pattern searched
    username_env: str | None = None  # variable holding the user for basic auth
    password_env: str | None = None  # variable holding its password
    api_key_env: str | None = None  # sent as "Authorization: ApiKey ..."
    # timestamp, service, level, message, pod; ECS names by default
    fields: dict[str, str] = Field(default_factory=dict)
    sample_size: int = Field(2000, ge=100, le=10000)  # lines fetched per level group and period, for templates

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        user = secret(env, self.username_env, "logs.username_env")
        password = secret(env, self.password_env, "logs.password_env")
        key = secret(env, self.api_key_env, "logs.api_key_env")
        try:
            fields = LogFields(**self.fields)
        except TypeError as e:
            raise ConfigError(f"logs.fields: {e}; known: timestamp, service, level, message, pod") from None
        return OpenSearchLogs(
            self.remote("OpenSearch", self.password_env or self.api_key_env),
            index=self.index,
            fields=fields,
            sample_size=self.sample_size,
            http_auth=(user or "", password) if password else None,
            headers={"Authorization": f"ApiKey {key}"} if key else None,
            verify_tls=self.verify_tls,
        )
