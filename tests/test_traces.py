"""read_traces: the bundle's OTLP spans and Jaeger's query API (a stand-in answering its documented
JSON) give one summary; errors are placed where they begin, not where they were passed on."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from oncall.analysts.offline.findings import TraceFinding, findings
from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.core.results import ToolResult
from oncall.tools.read_traces import Span, SpanSet, analyse, summarise
from oncall.tools.read_traces.embedded import otlp_spans
from oncall.tools.read_traces.jaeger import JaegerConfig
from tests.bundles import demo_runner
from tests.conftest import DEMO
from tests.fake_http import FakeServer, Fault, Request

TOKEN = "jaeger-proxy-token"


def jaeger_traces() -> list[dict]:
    """The demo's OTLP traces in Jaeger's JSON: spans with references and a processID, times in µs."""
    by_trace: dict[str, list[Span]] = {}
    for n, line in enumerate((DEMO / "traces.jsonl").read_text().splitlines(), 1):
        for s in otlp_spans(json.loads(line), f"traces.jsonl:{n}"):
            by_trace.setdefault(s.trace_id, []).append(s)
    out = []
    for tid, spans in by_trace.items():
        services = sorted({s.service for s in spans})
        pid = {svc: f"p{i + 1}" for i, svc in enumerate(services)}
        out.append(
            {
                "traceID": tid,
                "processes": {pid[svc]: {"serviceName": svc, "tags": []} for svc in services},
                "spans": [
                    {
                        "traceID": tid,
                        "spanID": s.span_id,
                        "operationName": s.name,
                        "references": [{"refType": "CHILD_OF", "traceID": tid, "spanID": s.parent_id}]
                        if s.parent_id
                        else [],
                        "startTime": int(s.start * 1e6),
                        "duration": int(s.duration_ms * 1e3),
                        "processID": pid[s.service],
                        "tags": [{"key": "span.kind", "type": "string", "value": "client" if s.client else "server"}]
                        + ([{"key": "error", "type": "bool", "value": True}] if s.error else [])
                        + (
                            [{"key": "otel.status_description", "type": "string", "value": s.message}]
                            if s.message
                            else []
                        )
                        + ([{"key": "peer.service", "type": "string", "value": s.peer}] if s.peer else []),
                        "logs": [],
                    }
                    for s in spans
                ],
            }
        )
    return out


def jaeger(traces: list[dict]) -> FakeServer:
    def route(req: Request) -> tuple[int, object]:
        if req.path == "/api/services":
            return 200, {"data": sorted({p["serviceName"] for t in traces for p in t["processes"].values()})}
        if req.path != "/api/traces":
            return 404, {"data": None, "errors": [{"code": 404, "msg": "not found"}]}
        service, limit = req.arg("service"), int(req.arg("limit") or 20)
        start, end = int(req.arg("start") or 0), int(req.arg("end") or 0)
        errors_only = json.loads(req.arg("tags") or "{}").get("error") == "true"
        found = []
        for t in traces:
            names = {pid for pid, p in t["processes"].items() if p["serviceName"] == service}
            mine = [s for s in t["spans"] if s["processID"] in names and start <= s["startTime"] <= end]
            failing = any(tag["key"] == "error" for s in t["spans"] for tag in s["tags"])
            if mine and (failing or not errors_only):
                found.append(t)
        found.sort(key=lambda t: -min(s["startTime"] for s in t["spans"]))  # newest first, as Jaeger returns
        return 200, {"data": found[:limit], "total": 0, "limit": 0, "offset": 0, "errors": None}

    return FakeServer(route, lambda h: h.get("authorization") == f"Bearer {TOKEN}", (401, {"message": "Unauthorized"}))


@pytest.fixture(scope="module")
def server():
    fake = jaeger(jaeger_traces())
    yield fake
    fake.close()


def backend(fake: FakeServer, token: str = TOKEN, limit: int = 1000):
    cfg = JaegerConfig(backend="jaeger", url=fake.url, token_env="JAEGER_TOKEN", limit=limit, timeout_s=5)
    built = cfg.build({"JAEGER_TOKEN": token}, Catalog())
    built.http.remote.sleep = lambda s: None
    return built


def runner_with(traces=None):
    return demo_runner(**({"traces": traces} if traces is not None else {}))


def test_the_demo_traces_show_the_gateway_failing_on_its_own_and_its_requests_slow() -> None:
    r = runner_with().call("read_traces", {"service": "api-gateway"})
    assert r.ok, r.error
    assert "api-gateway's own requests: p50" in r.text and "p99 5029ms (baseline p99 61.6ms)" in r.text
    origins = [x for x in r.text.splitlines() if x.startswith("O")]
    assert len(origins) == 1 and origins[0].startswith("O1 api-gateway (") and "connection pool exhausted" in origins[0]
    # the callees' spans cancelled by the gateway giving up are not where the failure began
    assert "user-service (" not in r.text and "auth (" not in r.text


def test_jaeger_gives_the_same_summary_as_the_bundle(server) -> None:
    a = runner_with().call("read_traces", {"service": "api-gateway"})
    b = runner_with(backend(server)).call("read_traces", {"service": "api-gateway"})
    assert b.ok, b.error

    def strip(text: str) -> list[str]:  # Jaeger keeps microseconds where OTLP keeps nanoseconds
        return [
            re.sub(r"[\d.]+ms", "ms", x.split(" (traces.jsonl")[0].split(" (jaeger trace")[0])
            for x in text.splitlines()[1:]
        ]

    assert strip(a.text) == strip(b.text)
    searches = [r for r in server.requests if r.path == "/api/traces"]
    assert {r.arg("tags") for r in searches} == {None, '{"error": "true"}'}


def test_jaeger_at_its_limit_says_so_keeps_every_failure_and_compares_no_rates(server) -> None:
    r = runner_with(backend(server, limit=120)).call("read_traces", {"service": "api-gateway"})
    assert "the backend stopped at its limit: 120 traces for the baseline, window" in r.text
    assert "baseline rate" not in r.text
    assert "O1 api-gateway (" in r.text and "100 of 100 failing traces" in r.text  # the failing search found them all


def test_jaeger_errors(server) -> None:
    now = datetime.now(UTC)
    with pytest.raises(ToolError, match=r"rejected the credentials.*JAEGER_TOKEN"):
        backend(server, token="nope").spans("api-gateway", now - timedelta(hours=1), now, now)
    server.fail("/api/traces", Fault(503, {"message": "storage busy"}))
    before = len(server.requests)
    assert backend(server).spans("api-gateway", now - timedelta(hours=1), now, now).source.startswith("jaeger")
    assert not server.faults and len(server.requests) - before == 4  # three searches, the first one twice
    server.fail("/api/traces", Fault(400, {"data": None, "errors": [{"code": 400, "msg": "bad service"}]}))
    with pytest.raises(ToolError, match="answered 400"):
        backend(server).spans("api-gateway", now - timedelta(hours=1), now, now)


AT = datetime(2026, 11, 17, 3, 30, tzinfo=UTC)


def span(tid: str, sid: str, svc: str, parent: str | None = None, error: str = "", minutes: float = 0, **kw) -> Span:
    return Span(
        trace_id=tid,
        span_id=sid,
        parent_id=parent,
        service=svc,
        name=kw.pop("name", "GET /x"),
        start=(AT + timedelta(minutes=minutes)).timestamp(),
        duration_ms=kw.pop("ms", 20.0),
        error=bool(error),
        message=error,
        ref="t",
        **kw,
    )


def stats_of(spans: list[Span]):
    st = analyse(
        SpanSet(spans=spans, source="t"),
        "web",
        AT - timedelta(minutes=30),
        AT + timedelta(minutes=15),
        AT - timedelta(hours=6),
    )
    r = ToolResult(id="R1", tool="read_traces", input={}, ok=True, text=summarise(st), data=st)
    return st, r


def test_errors_that_begin_in_a_callee_blame_the_callee_and_its_callers_point_at_it() -> None:
    spans = []
    for i in range(8):
        spans += [
            span(f"t{i}", "a", "web", error="upstream returned 503", minutes=i),
            span(f"t{i}", "b", "cart", parent="a", error="rpc error: code = Unavailable", minutes=i),
            span(f"t{i}", "c", "ledger", parent="b", error="WRONGPASS invalid username-password pair", minutes=i),
        ]
    st, r = stats_of(spans)
    assert [o.service for o in st.origins] == ["ledger"]
    cat = Catalog.model_validate(
        {"services": {"web": {"depends_on": ["cart"]}, "cart": {"depends_on": ["ledger"]}, "ledger": {}}}
    )
    found = [f for f in findings([r], cat) if isinstance(f, TraceFinding)]
    own = [f for f in found if f.role == "own"]
    assert [(f.service, f.category) for f in own] == [("ledger", "expired_credential")]
    assert sorted((f.service, f.points_to) for f in found if f.role == "peer") == [("cart", "ledger"), ("web", "cart")]


def test_a_peer_we_cannot_see_is_where_the_errors_begin_and_outside_the_catalog_they_stay_the_callers() -> None:
    spans = []
    for i in range(6):
        spans += [
            span(f"t{i}", "a", "web", error="payment failed", minutes=i),
            span(
                f"t{i}",
                "b",
                "web",
                parent="a",
                error="x509: certificate has expired",
                client=True,
                peer="api.stripe.com",
            ),
        ]
    st, r = stats_of(spans)
    assert [(o.service, o.seen_by) for o in st.origins] == [("api.stripe.com", "web")]
    cat = Catalog.model_validate({"services": {"web": {}}})
    (f,) = [f for f in findings([r], cat) if isinstance(f, TraceFinding)]
    assert (f.service, f.role, f.category) == ("web", "external", "expired_credential")


def test_errors_as_frequent_as_in_the_baseline_are_not_news() -> None:
    spans = []
    for i in range(40):  # one failing trace every 9 minutes, all night and now
        spans += [span(f"b{i}", "a", "web", error="card declined", minutes=-9 * i - 31)]
    spans += [
        span("n1", "a", "web", error="card declined", minutes=1),
        span("n2", "a", "web", error="card declined", minutes=10),
    ]
    st, r = stats_of(spans)
    assert st.origins and st.origins[0].traces == 2 and st.origins[0].baseline_traces >= 30
    assert not [f for f in findings([r], Catalog()) if isinstance(f, TraceFinding)]


def test_a_hop_past_the_neighbourhood_where_requests_slow_is_read_too() -> None:
    """web -> cart -> ledger -> ledger-db: the neighbourhood read stopped at ledger, but the traces show
    ledger's calls to ledger-db at twenty times their usual p99, so ledger-db is followed and read."""
    from oncall.context.collect import traced_beyond

    spans = []
    for i in range(40):
        window = i >= 20
        minutes = (i - 20) * 0.5 if window else -60 - i * 5
        spans += [
            span(f"t{i}", "a", "web", minutes=minutes),
            span(f"t{i}", "b", "cart", parent="a", minutes=minutes),
            span(f"t{i}", "c", "ledger", parent="b", minutes=minutes),
            span(f"t{i}", "d", "ledger", parent="c", minutes=minutes, client=True, peer="ledger-db",
                 ms=400.0 if window else 20.0),
        ]  # fmt: skip
    _, r = stats_of(spans)
    cat = Catalog.model_validate(
        {"services": {"web": {"depends_on": ["cart"]}, "cart": {"depends_on": ["ledger"]},
                      "ledger": {"depends_on": ["ledger-db"]}, "ledger-db": {}}}
    )  # fmt: skip
    assert traced_beyond([r], ["web", "cart", "ledger"], cat) == ["ledger-db"]
    assert traced_beyond([r], ["web", "cart", "ledger", "ledger-db"], cat) == []
