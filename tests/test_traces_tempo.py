"""read_traces on Grafana Tempo: a stand-in answering its documented HTTP API (TraceQL search at
/api/search, each trace by id at /api/traces/<id> as OTLP JSON batches with base64 ids, as Tempo's
JSON encoder writes them) gives the same summary as the bundle's spans."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.read_traces.tempo import TempoConfig
from tests.bundles import demo_runner
from tests.conftest import DEMO
from tests.fake_http import FakeServer, Fault, Request

TOKEN = "tempo-token"
TENANT = "ops"


def b64(hex_id: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_id)).decode()


def tempo_traces() -> dict[str, list[dict]]:
    """The demo's OTLP export requests regrouped by trace: trace id (hex) -> Tempo's batches."""
    by_trace: dict[str, list[dict]] = {}
    for line in (DEMO / "traces.jsonl").read_text().splitlines():
        for rs in json.loads(line)["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for s in ss["spans"]:
                    s = {**s, "traceId": b64(s["traceId"]), "spanId": b64(s["spanId"])}
                    if s.get("parentSpanId"):
                        s["parentSpanId"] = b64(s["parentSpanId"])
                    tid = base64.b64decode(s["traceId"]).hex()
                    by_trace.setdefault(tid, []).append(
                        {"resource": rs["resource"], "scopeSpans": [{"scope": ss["scope"], "spans": [s]}]}
                    )
    return by_trace


def service_of(batch: dict) -> str:
    return next(a["value"]["stringValue"] for a in batch["resource"]["attributes"] if a["key"] == "service.name")


def tempo(traces: dict[str, list[dict]], gone: frozenset[str] = frozenset()) -> FakeServer:
    def route(req: Request) -> tuple[int, object]:
        if req.path == "/api/search/tag/service.name/values":
            return 200, {"tagValues": sorted({service_of(b) for bs in traces.values() for b in bs})}
        if req.path.startswith("/api/traces/"):
            tid = req.path.rsplit("/", 1)[1]
            if tid not in traces or tid in gone:
                return 404, "trace not found"
            return 200, {"batches": traces[tid]}
        if req.path != "/api/search":
            return 404, "404 page not found"
        q = req.arg("q") or ""
        m = re.fullmatch(r'\{ resource\.service\.name = "([^"]+)"( && status = error)? \}', q)
        if not m:
            return 400, f"invalid TraceQL query: {q}"
        service, errors_only = m.group(1), bool(m.group(2))
        start, end, limit = (
            int(req.arg("start") or 0) * 10**9,
            int(req.arg("end") or 0) * 10**9,
            int(req.arg("limit") or 20),
        )
        found = []
        for tid, batches in traces.items():
            spans = [s for b in batches if service_of(b) == service for ss in b["scopeSpans"] for s in ss["spans"]]
            hits = [
                s
                for s in spans
                if start <= int(s["startTimeUnixNano"]) < end and (not errors_only or s["status"].get("code") == 2)
            ]
            if hits:
                first = min(int(s["startTimeUnixNano"]) for b in batches for ss in b["scopeSpans"] for s in ss["spans"])
                found.append({"traceID": tid, "rootServiceName": service_of(batches[0]), "rootTraceName": "GET",
                              "startTimeUnixNano": str(first), "durationMs": 1,
                              "spanSet": {"spans": [{"spanID": s["spanId"]} for s in hits], "matched": len(hits)}})  # fmt: skip
        found.sort(key=lambda t: -int(t["startTimeUnixNano"]))  # most recent first
        return 200, {"traces": found[:limit], "metrics": {"inspectedTraces": len(traces)}}

    def authorised(h: dict[str, str]) -> bool:
        return h.get("authorization") == f"Bearer {TOKEN}" and h.get("x-scope-orgid") == TENANT

    return FakeServer(route, authorised, (401, "Unauthorized"))


@pytest.fixture(scope="module")
def traces():
    return tempo_traces()


@pytest.fixture
def server(traces):
    fake = tempo(traces)
    yield fake
    fake.close()


def backend(fake: FakeServer, token: str = TOKEN, limit: int = 1000):
    cfg = TempoConfig(backend="tempo", url=fake.url, token_env="TEMPO_TOKEN", tenant=TENANT, limit=limit, timeout_s=5)
    built = cfg.build({"TEMPO_TOKEN": token}, Catalog())
    built.http.remote.sleep = lambda s: None
    return built


def strip(text: str) -> list[str]:
    """A summary without where each line came from (a file line, a trace id) and its first line."""
    return [re.sub(r" \((traces\.jsonl|tempo trace)[^)]*\)", "", x) for x in text.splitlines()[1:]]


def test_tempo_gives_the_same_summary_as_the_bundle(server) -> None:
    a = demo_runner().call("read_traces", {"service": "api-gateway"})
    b = demo_runner(traces=backend(server)).call("read_traces", {"service": "api-gateway"})
    assert b.ok, b.error
    assert strip(a.text) == strip(b.text)
    searches = [r.arg("q") for r in server.requests if r.path == "/api/search"]
    assert sorted(searches) == [
        '{ resource.service.name = "api-gateway" && status = error }',
        '{ resource.service.name = "api-gateway" }',
        '{ resource.service.name = "api-gateway" }',
    ]
    fetched = [r.path for r in server.requests if r.path.startswith("/api/traces/")]
    assert len(fetched) == len(set(fetched))  # a trace found by two searches is fetched once


def test_tempo_at_its_limit_says_so_and_keeps_every_failure(server) -> None:
    r = demo_runner(traces=backend(server, limit=120)).call("read_traces", {"service": "api-gateway"})
    assert "the backend stopped at its limit: 120 traces for the baseline, window" in r.text
    assert "baseline rate" not in r.text
    assert "O1 api-gateway (" in r.text and "100 of 100 failing traces" in r.text


def test_a_trace_compacted_away_between_search_and_fetch_is_counted_not_fatal(traces) -> None:
    gone = frozenset(list(traces)[:3])
    fake = tempo(traces, gone=gone)
    try:
        now = datetime(2026, 11, 17, 4, 0, tzinfo=UTC)
        got = backend(fake).spans("api-gateway", now - timedelta(hours=8), now - timedelta(hours=1), now)
        assert got.source.endswith(", 3 traces no longer stored")
        assert not {s.trace_id for s in got.spans} & {b64(t) for t in gone}
    finally:
        fake.close()


def test_tempo_errors(server, traces) -> None:
    now = datetime.now(UTC)
    with pytest.raises(ToolError, match=r"Tempo at .* rejected the credentials.*TEMPO_TOKEN"):
        backend(server, token="nope").spans("api-gateway", now - timedelta(hours=1), now, now)
    server.fail("/api/search", Fault(503, "query frontend busy"))
    before = len(server.requests)
    assert backend(server).spans("api-gateway", now - timedelta(hours=1), now, now).source.startswith("tempo")
    assert len(server.requests) - before == 4  # three searches, the first one twice
    services = {service_of(b) for batches in traces.values() for b in batches}
    assert backend(server).check() == f"{len(services)} services have traces"
