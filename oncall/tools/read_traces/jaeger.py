"""Jaeger backend: the query service's HTTP API (`/api/traces`, as the Jaeger UI reads it). For each
period it asks for the service's traces, and in the window for its failing ones too (`tags`
error=true), so a burst of failures is not crowded out by healthy traffic. A period that reached the
limit is said to, and then rates are not compared (a capped sample says nothing about volume)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.read_traces import Span, SpanSet
from oncall.tools.remote import HttpJson, RemoteSettings, secret

MESSAGE_TAGS = ("otel.status_description", "error.message", "exception.message", "error.object")
PEER_TAGS = ("peer.service", "server.address", "net.peer.name", "db.name")


class JaegerTraces:
    def __init__(self, http: HttpJson, limit: int = 500):
        self.http = http
        self.limit = limit

    def _traces(self, service: str, since: datetime, until: datetime, errors: bool) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "service": service,
            "start": int(since.timestamp() * 1e6),
            "end": int(until.timestamp() * 1e6),
            "limit": self.limit,
            "lookback": "custom",
        }
        if errors:
            params["tags"] = json.dumps({"error": "true"})
        doc = self.http.get("/api/traces", f"search {service}'s traces", params)
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise ToolError(f"Jaeger at {self.http.remote.url} answered /api/traces without a list of traces")
        if doc.get("errors"):
            raise ToolError(f"Jaeger could not search {service}'s traces: {doc['errors']}")
        return [t for t in doc["data"] if isinstance(t, dict)]

    def spans(self, service: str, since: datetime, start: datetime, until: datetime) -> SpanSet:
        periods = {
            "baseline": self._traces(service, since, start, errors=False),
            "window": self._traces(service, start, until, errors=False),
            "failing in the window": self._traces(service, start, until, errors=True),
        }
        full = [p for p, traces in periods.items() if len(traces) >= self.limit]
        seen: set[str] = set()
        spans: list[Span] = []
        for traces in periods.values():
            for t in traces:
                tid = str(t.get("traceID") or "")
                if tid and tid not in seen:
                    seen.add(tid)
                    spans += jaeger_spans(t)
        truncated = f"{self.limit} traces for the {', '.join(full)}" if full else None
        return SpanSet(spans=spans, source=f"jaeger {self.http.remote.url}", truncated=truncated)

    def check(self) -> str:
        doc = self.http.get("/api/services", "list the services it has traces of")
        names = doc.get("data") if isinstance(doc, dict) else None
        return f"{len(names or [])} services have traces"


def _tags(items: Any) -> dict[str, Any]:
    return {str(t.get("key")): t.get("value") for t in items or [] if isinstance(t, dict)}


def jaeger_spans(trace: dict[str, Any]) -> list[Span]:
    """One trace of Jaeger's JSON (spans with references and a processID; processes name the services)."""
    processes = trace.get("processes") or {}
    out = []
    for s in trace.get("spans") or []:
        tags = _tags(s.get("tags"))
        parent = next((r.get("spanID") for r in s.get("references") or [] if r.get("refType") == "CHILD_OF"), None)
        error = tags.get("error") in (True, "true") or tags.get("otel.status_code") == "ERROR"
        message = next((str(tags[k]) for k in MESSAGE_TAGS if tags.get(k)), "")
        if not message:
            for log in s.get("logs") or []:
                fields = _tags(log.get("fields"))
                if fields.get("event") in ("error", "exception") or "error.object" in fields:
                    message = str(
                        fields.get("message") or fields.get("exception.message") or fields.get("error.object") or ""
                    )
                    break
        out.append(
            Span(
                trace_id=str(s.get("traceID") or trace.get("traceID") or ""),
                span_id=str(s.get("spanID") or ""),
                parent_id=str(parent) if parent else None,
                service=str((processes.get(s.get("processID")) or {}).get("serviceName") or "unknown"),
                name=str(s.get("operationName") or ""),
                start=float(s.get("startTime") or 0) / 1e6,
                duration_ms=float(s.get("duration") or 0) / 1e3,
                error=error,
                message=message,
                client=tags.get("span.kind") == "client",
                peer=next((str(tags[k]) for k in PEER_TAGS if tags.get(k)), None),
                ref=f"jaeger trace {s.get('traceID') or trace.get('traceID')}",
            )
        )
    return out


# -- configuration (a section of the --config file) -----------------------------------------


class JaegerConfig(RemoteSettings):
    backend: Literal["jaeger"]
    token_env: str | None = None  # a bearer token, when the query service sits behind an auth proxy
    limit: int = Field(500, ge=20, le=5000)  # traces per search (window, failing, baseline)

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        token = secret(env, self.token_env, "traces.token_env")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return JaegerTraces(HttpJson(self.remote("Jaeger", self.token_env), headers, self.verify_tls), self.limit)
