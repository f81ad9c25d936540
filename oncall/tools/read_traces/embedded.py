"""Embedded trace backend: `traces.jsonl`, OTLP JSON as the OpenTelemetry Collector's file exporter
writes it (one export request a line: resourceSpans → scopeSpans → spans). Read once, kept by trace;
a line that is not an OTLP JSON object is skipped and counted."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.core.errors import ToolError
from oncall.core.files import RECORDS_MAX
from oncall.tools.clock import local_read
from oncall.tools.read_traces import Span, SpanSet

NAME = "traces.jsonl"
PEER_KEYS = ("peer.service", "server.address", "net.peer.name", "db.name", "rpc.service")
MESSAGE_KEYS = ("exception.message", "error.message", "otel.status_description", "error")


def present(root: Path) -> bool:
    return (root / NAME).is_file()


def value(v: Any) -> Any:
    """An OTLP AnyValue as a plain value."""
    if not isinstance(v, dict):
        return v
    for key in ("stringValue", "intValue", "doubleValue", "boolValue"):
        if key in v:
            return v[key]
    return None


def attrs(items: Any) -> dict[str, Any]:
    return {str(a.get("key")): value(a.get("value")) for a in items or [] if isinstance(a, dict)}


def otlp_spans(doc: Any, ref: str) -> list[Span]:
    """The spans of one OTLP export request (JSON encoding: ids in hex, times in nanoseconds as strings)."""
    out = []
    for rs in (doc or {}).get("resourceSpans") or []:
        service = str(attrs((rs.get("resource") or {}).get("attributes")).get("service.name") or "unknown")
        for ss in rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []:
            for s in ss.get("spans") or []:
                a = attrs(s.get("attributes"))
                status = s.get("status") or {}
                code = status.get("code")
                error = code in (2, "2", "STATUS_CODE_ERROR") or a.get("error") in (True, "true")
                message = str(status.get("message") or "")
                for ev in s.get("events") or []:
                    if not message and ev.get("name") == "exception":
                        message = str(attrs(ev.get("attributes")).get("exception.message") or "")
                message = message or next((str(a[k]) for k in MESSAGE_KEYS if a.get(k) not in (None, "", True)), "")
                start, end = int(s.get("startTimeUnixNano") or 0), int(s.get("endTimeUnixNano") or 0)
                kind = s.get("kind")
                out.append(
                    Span(
                        trace_id=str(s.get("traceId") or ""),
                        span_id=str(s.get("spanId") or ""),
                        parent_id=str(s.get("parentSpanId") or "") or None,
                        service=service,
                        name=str(s.get("name") or ""),
                        start=start / 1e9,
                        duration_ms=max(0, end - start) / 1e6,
                        error=error,
                        message=message,
                        client=kind in (3, "3", "SPAN_KIND_CLIENT"),
                        peer=next((str(a[k]) for k in PEER_KEYS if a.get(k)), None),
                        ref=ref,
                    )
                )
    return out


class OtlpFile:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.skipped = 0
        self._spans: list[Span] | None = None
        self._lock = threading.Lock()

    def _load(self) -> list[Span]:
        with local_read(), self._lock:  # the file's one read (or waiting for it): not the call's own time
            if self._spans is None:
                if not self.path.is_file():
                    raise ToolError(f"trace file {self.path.name} not found")
                if self.path.stat().st_size > RECORDS_MAX:
                    raise ToolError(f"trace file {self.path.name} is over {RECORDS_MAX:,} bytes")
                spans: list[Span] = []
                with self.path.open(encoding="utf-8", errors="replace") as f:
                    for n, raw in enumerate(f, 1):
                        if not raw.strip():
                            continue
                        try:
                            spans += otlp_spans(json.loads(raw), f"{self.path.name}:{n}")
                        except (json.JSONDecodeError, AttributeError, TypeError, ValueError):
                            self.skipped += 1
                self._spans = spans
            return self._spans

    def spans(self, service: str, since: datetime, start: datetime, until: datetime) -> SpanSet:
        t0, t1 = since.timestamp(), until.timestamp()
        spans = [s for s in self._load() if t0 <= s.start < t1]
        return SpanSet(spans=spans, source=self.path.name + (f", {self.skipped} lines skipped" if self.skipped else ""))
