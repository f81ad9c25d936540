"""Grafana Tempo backend: TraceQL search (`/api/search`) for the traces through the service, then each
trace by id (`/api/traces/<id>`, OTLP JSON), so errors are placed by the same analysis as the bundle's
spans. As with Jaeger, the window's failing traces are searched on their own (`status = error`), so a
burst of failures is not crowded out by healthy traffic; a search that reached its limit is said to,
and then rates are not compared. Traces are fetched a few at a time, one HTTP session per thread."""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.read_traces import Span, SpanSet
from oncall.tools.read_traces.embedded import otlp_spans
from oncall.tools.remote import HttpJson, RemoteSettings, secret

HEX_ID = re.compile(r"[0-9a-fA-F]{16}|[0-9a-fA-F]{32}")
FETCHERS = 4  # traces fetched at once: enough to hide latency, few enough for a shared query frontend


class TempoTraces:
    def __init__(self, http: HttpJson, limit: int = 100):
        self.http = http
        self.limit = limit
        self._local = threading.local()

    def _search(self, service: str, since: datetime, until: datetime, errors: bool) -> list[str]:
        # TraceQL; the name quoted as a string literal (json's escaping is TraceQL's)
        q = "{ resource.service.name = " + json.dumps(service) + (" && status = error }" if errors else " }")
        params = {"q": q, "start": int(since.timestamp()), "end": int(until.timestamp()) + 1, "limit": self.limit}
        doc = self.http.get("/api/search", f"search {service}'s traces", params)
        if not isinstance(doc, dict) or not isinstance(doc.get("traces", []), list):
            raise ToolError(f"Tempo at {self.http.remote.url} answered /api/search without a list of traces")
        return [str(t["traceID"]) for t in doc.get("traces") or [] if isinstance(t, dict) and t.get("traceID")]

    def _fetch(self, trace_id: str) -> list[Span] | None:
        """The trace's spans; None when Tempo no longer has it (searched, then compacted away)."""
        http = getattr(self._local, "http", None)
        if http is None:  # requests' Session is not shared across threads
            http = self._local.http = HttpJson(self.http.remote, self.http.headers, self.http.verify_tls)
        try:
            doc = http.get(f"/api/traces/{trace_id}", f"fetch trace {trace_id}")
        except ToolError as e:
            if "answered 404 while" in str(e):  # the status, not a trace id that happens to hold 404
                return None
            raise
        if not isinstance(doc, dict):
            raise ToolError(f"Tempo answered /api/traces/{trace_id} without a trace")
        # v1: {"batches": [...]}; v2 API and OTLP/JSON: {"trace": {"resourceSpans": ...}} / {"resourceSpans": ...}
        batches = doc.get("batches") or doc.get("resourceSpans") or (doc.get("trace") or {}).get("resourceSpans") or []
        spans = otlp_spans({"resourceSpans": batches}, f"tempo trace {trace_id}")
        # Tempo's JSON writes ids in base64 (protobuf's JSON mapping); people and its UI use hex
        return [
            s.model_copy(update={"trace_id": trace_id, "span_id": _hex(s.span_id), "parent_id": _hex(s.parent_id)})
            for s in spans
        ]

    def spans(self, service: str, since: datetime, start: datetime, until: datetime) -> SpanSet:
        periods = {
            "baseline": self._search(service, since, start, errors=False),
            "window": self._search(service, start, until, errors=False),
            "failing in the window": self._search(service, start, until, errors=True),
        }
        full = [p for p, ids in periods.items() if len(ids) >= self.limit]
        ids = list(dict.fromkeys(i for found in periods.values() for i in found))
        with ThreadPoolExecutor(FETCHERS) as pool:
            fetched = list(pool.map(self._fetch, ids))
        spans = [s for trace in fetched if trace for s in trace]
        gone = sum(1 for trace in fetched if trace is None)
        truncated = f"{self.limit} traces for the {', '.join(full)}" if full else None
        source = f"tempo {self.http.remote.url}" + (f", {gone} traces no longer stored" if gone else "")
        return SpanSet(spans=spans, source=source, truncated=truncated)

    def check(self) -> str:
        doc = self.http.get("/api/search/tag/service.name/values", "list the services it has traces of")
        names = doc.get("tagValues") if isinstance(doc, dict) else None
        return f"{len(names or [])} services have traces"


def _hex(span_id: str | None) -> str | None:
    if not span_id or HEX_ID.fullmatch(span_id):
        return span_id and span_id.lower()
    try:
        return base64.b64decode(span_id, validate=True).hex()
    except (binascii.Error, ValueError):
        return span_id


# -- configuration (a section of the --config file) -----------------------------------------


class TempoConfig(RemoteSettings):
    backend: Literal["tempo"]
    token_env: str | None = None  # a bearer token (Grafana Cloud, or an auth proxy in front of Tempo)
    tenant: str | None = None  # X-Scope-OrgID, for a multi-tenant Tempo
    limit: int = Field(100, ge=20, le=1000)  # traces per search (window, failing, baseline); each is fetched

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        token = secret(env, self.token_env, "traces.token_env")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if self.tenant:
            headers["X-Scope-OrgID"] = self.tenant
        return TempoTraces(HttpJson(self.remote("Tempo", self.token_env), headers, self.verify_tls), self.limit)
