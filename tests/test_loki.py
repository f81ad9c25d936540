"""Loki as a read_logs backend, against a stand-in speaking its HTTP API: the same summary as the
bundle's file, counting done by the server, a bounded sample, LogQL built so that the model's words
never become syntax, and its errors as one line."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.estate.bundle import Bundle
from oncall.tools.read_logs import LogQuery, summarise
from oncall.tools.read_logs.loki import LokiConfig
from tests.conftest import DEMO
from tests.fake_http import Fault
from tests.fake_loki import TENANT, TOKEN, FakeLoki, entries
from tests.test_backends import runners

ALERT_AT = datetime(2026, 11, 17, 3, 41, tzinfo=UTC)


@pytest.fixture(scope="module")
def loki():
    fake = FakeLoki(entries(str(DEMO / "logs.jsonl")))
    yield fake
    fake.close()


def backend(fake: FakeLoki, token: str = TOKEN, **kw):
    cfg = LokiConfig(backend="loki", url=fake.url, token_env="LOKI_TOKEN", tenant=TENANT, **kw)
    built = cfg.build({"LOKI_TOKEN": token}, Catalog())
    built.http.remote.sleep = lambda s: None
    return built


def refless(text: str) -> str:
    """A summary without where its samples came from (a file line, or a Loki stream and time)."""
    text = re.sub(r"sample (logs\.jsonl:\d+|loki:\S+)", "sample REF", text)
    return text.replace(f"(loki {text and ''}", "(").split("\n", 1)[1]


def test_loki_gives_the_embedded_summaries_for_every_demo_service(loki) -> None:
    whole = backend(loki)
    whole.sample_size = 20000  # a sample that covers every line must change nothing
    bundle, embedded, through = runners("logs", whole)
    for service in bundle.catalog.services:
        e = embedded.call("read_logs", {"service": service})
        o = through.call("read_logs", {"service": service})
        assert o.ok, o.error
        assert refless(o.text) == refless(e.text), service


def test_loki_counts_on_the_server_and_bounds_the_sample(loki) -> None:
    loki.queries.clear()
    q = LogQuery(
        service="api-gateway",
        start=ALERT_AT - timedelta(minutes=30),
        end=ALERT_AT + timedelta(minutes=15),
        baseline_start=ALERT_AT - timedelta(hours=6, minutes=30),
    )
    small = backend(loki, sample_size=200).stats(q)
    exact = Bundle.open(DEMO).backends().logs.stats(q)
    metric = [x for x in loki.queries if x["query"].startswith("sum by (detected_level) (count_over_time(")]
    samples = [x for x in loki.queries if not x["query"].startswith("sum by")]
    assert len(metric) == 2 and all(x["step"].endswith("s") for x in metric)  # one per period
    assert samples and all(int(x["limit"]) <= 200 for x in samples)
    assert small.total == exact.total and small.levels == exact.levels  # the server's exact totals
    assert small.sampled and "time slices" in small.sampled
    top = lambda st: max((t for t in st.templates if t.is_error), key=lambda t: t.count).template  # noqa: E731
    assert top(small) == top(exact)
    assert "template counts are scaled from a sample" in summarise(small)


def test_loki_free_text_and_names_are_quoted_never_syntax(loki) -> None:
    q = LogQuery(
        service='api-gateway"} |= "x',
        start=ALERT_AT - timedelta(minutes=30),
        end=ALERT_AT + timedelta(minutes=15),
        baseline_start=ALERT_AT - timedelta(hours=6),
        query='pool" | detected_level=~".*',
    )
    loki.queries.clear()
    st = backend(loki).stats(q)
    assert st.total == 0  # no service of that name, and no line holding that text: nothing matched
    assert all('{service_name="api-gateway\\"} |= \\"x"}' in x["query"] for x in loki.queries)
    q2 = q.model_copy(update={"service": "api-gateway", "query": "pool exhausted"})
    assert backend(loki).stats(q2).total == Bundle.open(DEMO).backends().logs.stats(q2).total > 0


def test_loki_errors(loki) -> None:
    q = LogQuery(
        service="orders",
        start=ALERT_AT,
        end=ALERT_AT + timedelta(minutes=5),
        baseline_start=ALERT_AT - timedelta(hours=1),
    )
    with pytest.raises(ToolError, match=r"rejected the credentials.*LOKI_TOKEN"):
        backend(loki, token="wrong").stats(q)
    loki.fail(
        "/loki/api/v1/query_range", Fault(429, {"message": "too many outstanding requests"}, {"Retry-After": "0"})
    )
    retried = backend(loki)
    assert retried.stats(q).total == Bundle.open(DEMO).backends().logs.stats(q).total  # answered after the 429
    assert not loki.faults  # the 429 was served, and retried
    with pytest.raises(ToolError, match=r"answered 400.*parse error"):
        backend(loki, selector="service_name={service}").stats(q)
