from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from pydantic import BaseModel

from oncall.core.catalog import Catalog
from oncall.core.window import Window
from oncall.estate.bundle import Bundle
from oncall.tools import READ_TOOLS
from oncall.tools.runner import ToolRunner
from oncall.tools.tool import Summary, Tool, ToolContext
from tests.bundles import ALERT_AT, alertmanager, flat_then, log, series, write_bundle

W0 = ALERT_AT - timedelta(hours=7)


def runner_for(root) -> ToolRunner:
    b = Bundle.open(root)
    return ToolRunner(ToolContext(b.backends(), b.catalog, Window.around(ALERT_AT)), dict(READ_TOOLS), 10)


@pytest.fixture
def shop(tmp_path):
    logs = []
    for i in range(300):  # steady background in the baseline and the window
        t = W0 + timedelta(minutes=i * 1.5)
        logs.append(log(t, "cart", "INFO", f"GET /cart/{1000 + i} 200 {20 + i % 7}ms"))
        if i % 50 == 0:
            logs.append(log(t, "cart", "WARN", f"slow cache read key=cart:{i} took {300 + i}ms"))
    for k in range(12):  # new after the onset
        logs.append(
            log(
                ALERT_AT - timedelta(minutes=10 - k * 0.5),
                "cart",
                "ERROR",
                f"redis: connection pool exhausted after {1000 + k}ms (pool_size=8)\n  at cart.store.get\n"
                f"  at cart.api.handler",
                pod=f"cart-7f-{k % 3}",
            )
        )
    logs.append(log(ALERT_AT - timedelta(minutes=3), "other", "ERROR", "not about cart"))
    root = write_bundle(
        tmp_path / "b",
        services={"cart": ["redis"], "redis": []},
        alert=alertmanager("CartErrors", "cart"),
        logs=logs,
        metric_lines=series(
            "error_ratio",
            "cart",
            flat_then(W0, ALERT_AT + timedelta(minutes=15), 0.01, ALERT_AT - timedelta(minutes=9), 0.2),
        )
        + series("latency_p99_seconds", "cart", flat_then(W0, ALERT_AT + timedelta(minutes=15), 0.2)),
        changes=[
            {
                "ts": "2026-03-02T12:00:00Z",
                "service": "cart",
                "kind": "config",
                "from": "pool=32",
                "to": "pool=8",
                "author": "kim",
                "ref": "abc123",
                "diff": "--- a/v.yaml\n+++ b/v.yaml\n@@ -1 +1 @@\n-pool_size: 32\n+pool_size: 8",
            },
            {"ts": "2026-02-27T12:00:00Z", "service": "cart", "kind": "deploy", "from": "1", "to": "2"},
        ],
        history=[
            {
                "id": "INC-1",
                "opened_at": "2025-01-01T00:00:00Z",
                "fingerprint": "x",
                "alertname": "Other",
                "service": "cart",
                "category": "capacity",
                "root_cause": "r1",
                "fix": "f1",
                "minutes_to_resolve": 5,
            },
            {
                "id": "INC-2",
                "opened_at": "2025-02-01T00:00:00Z",
                "fingerprint": "f00dfeedf00dfeed",
                "alertname": "CartErrors",
                "service": "cart",
                "category": "recent_change",
                "root_cause": "r2",
                "fix": "f2",
                "minutes_to_resolve": 30,
            },
            {
                "id": "INC-3",
                "opened_at": "2025-03-01T00:00:00Z",
                "fingerprint": "y",
                "alertname": "CartErrors",
                "service": "web",
                "category": "network",
                "root_cause": "r3",
                "fix": "f3",
                "minutes_to_resolve": 9,
            },
            {
                "id": "INC-4",
                "opened_at": "2025-03-01T00:00:00Z",
                "fingerprint": "z",
                "alertname": "Nope",
                "service": "web",
                "category": "network",
                "root_cause": "r4",
                "fix": "f4",
                "minutes_to_resolve": 9,
            },
        ],
        runbooks={
            "cart.md": "---\ntitle: Cart\nservices: [cart]\nalerts: [CartErrors]\n---\n# Cart\n\n"
            "## Meaning\nCart requests fail.\n\n## Mitigation\nRestart redis clients:\n"
            "`kubectl rollout restart deployment/cart`\n",
            "web.md": "---\ntitle: Web\nservices: [web]\n---\n## Overview\nnothing\n",
        },
    )
    return root


def test_read_logs_templates_errors_first_with_verbatim_samples(shop):
    r = runner_for(shop).call("read_logs", {"service": "cart"})
    assert r.ok, r.error
    lines = r.lines
    t1 = next(i for i, ln in enumerate(lines) if ln.startswith("T1 "))
    assert "ERROR 12x" in lines[t1] and "new" in lines[t1]
    assert "connection pool exhausted after <*>ms" in lines[t1]
    # the sample is verbatim, with the file line number it came from
    assert "redis: connection pool exhausted after 1000ms (pool_size=8)" in lines[t1 + 1]
    assert "logs.jsonl:" in lines[t1 + 1]
    assert lines[t1 + 2].strip() == "at cart.store.get"
    stats = r.data
    assert stats.levels["ERROR"] == 12
    assert all(t.template != "not about cart" for t in stats.templates)
    # every shown template is on the line the data says, so R:L citations are exact
    shown = [t for t in stats.templates if t.line]
    assert shown and all(lines[t.line - 1].startswith("T") and t.template in lines[t.line - 1] for t in shown)


def test_read_logs_skips_and_counts_bad_lines(shop):
    with (shop / "logs.jsonl").open("a") as f:
        f.write('this is not json\n{"ts": "2026-03-02T13:59:00Z", "service": "cart"\n\n[1,2]\n')
    r = runner_for(shop).call("read_logs", {"service": "cart"})
    assert r.ok
    assert "3 lines in the log source were skipped: not JSON, or no time field this reader knows" in r.text


def test_read_logs_empty_file_is_not_fatal(shop):
    (shop / "logs.jsonl").write_text("")
    r = runner_for(shop).call("read_logs", {"service": "cart"})
    assert r.ok and "no log lines for this service" in r.text


def test_read_logs_query_filter(shop):
    r = runner_for(shop).call("read_logs", {"service": "cart", "query": "SLOW CACHE"})
    assert r.ok and r.data.total == sum(t.count for t in r.data.templates)
    assert all("slow cache" in t.template for t in r.data.templates)


def test_read_logs_mines_a_bounded_number_of_shapes_and_counts_the_rest_together(tmp_path):
    """Free text that masking cannot fold: 5,000 distinct INFO shapes. The 2,000 most frequent are
    mined, the rest counted as one group, and the new error is still found with its sample."""
    import random

    from oncall.tools.read_logs.aggregate import MAX_SHAPES

    rng = random.Random(7)

    def word() -> str:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))

    start = ALERT_AT - timedelta(minutes=25)
    logs = [
        log(start + timedelta(seconds=i / 5), "chat", "info", " ".join(word() for _ in range(rng.randint(2, 12))))
        for i in range(5000)
    ] + [log(ALERT_AT - timedelta(minutes=5, seconds=-i), "chat", "error", "moderation queue full") for i in range(12)]
    root = write_bundle(tmp_path / "b", services={"chat": []}, alert=alertmanager("HighErrorRate", "chat"), logs=logs)
    r = runner_for(root).call("read_logs", {"service": "chat", "max_templates": 30})
    assert r.ok, r.error
    stats = r.data
    rare = [t for t in stats.templates if "rarer message shapes" in t.template]
    assert len(rare) == 1 and rare[0].count + rare[0].baseline_count == 5000 - MAX_SHAPES
    assert sum(t.count + t.baseline_count for t in stats.templates if t.level == "INFO") == 5000
    (err,) = [t for t in stats.templates if t.level == "ERROR"]
    assert err.count == 12 and err.sample == "moderation queue full" and err.sample_ref.startswith("logs.jsonl:")


def test_read_metrics_baseline_peak_onset(shop):
    r = runner_for(shop).call("read_metrics", {"service": "cart"})
    assert r.ok, r.error
    err = next(s for s in r.data.signals if s.signal == "error_ratio")
    assert err.anomalous and err.direction == "up"
    assert err.onset == ALERT_AT - timedelta(minutes=9)
    assert err.baseline == pytest.approx(0.01, rel=0.05)
    lat = next(s for s in r.data.signals if s.signal == "latency_p99")
    assert not lat.anomalous
    assert "error_ratio: rose from baseline 0.01 to 0.2" in r.text
    assert "steady (baseline, peak): latency_p99 0.2," in r.text


def test_read_metrics_unknown_signal_is_an_error_result(shop):
    r = runner_for(shop).call("read_metrics", {"service": "cart", "signals": ["nonsense"]})
    assert not r.ok and "unknown signal(s) nonsense" in r.error


def test_read_changes_with_diff_and_relative_time(shop):
    r = runner_for(shop).call("read_changes", {"services": ["cart"]})
    assert r.ok
    assert "config cart pool=8 -> pool=8" not in r.text
    assert "config cart pool=32 -> pool=8 at 2026-03-02T12:00:00Z (2h00m before the alert) by kim ref abc123" in r.text
    assert "  +pool_size: 8" in r.lines
    assert "2026-02-27" not in r.text  # older than the 24 h default


def test_query_history_ranks_fingerprint_then_alertname_then_service(shop):
    r = runner_for(shop).call(
        "query_history", {"fingerprint": "f00dfeedf00dfeed", "alertname": "CartErrors", "service": "cart"}
    )
    assert r.ok, r.error
    assert [p.id for p in r.data] == ["INC-2", "INC-3", "INC-1"]
    assert "(same fingerprint, alertname, service)" in r.lines[1]


def test_read_runbook_quotes_sections_verbatim(shop):
    r = runner_for(shop).call("read_runbook", {"service": "cart", "alertname": "CartErrors"})
    assert r.ok
    assert 'page "Cart" (runbooks/cart.md)' in r.text
    assert "## Mitigation" in r.lines
    assert "`kubectl rollout restart deployment/cart`" in r.lines
    assert "Web" not in r.text


def test_missing_sources_become_error_results(tmp_path):
    root = write_bundle(tmp_path / "b", services={"a": []}, alert=alertmanager("A", "a"))
    runner = runner_for(root)
    results = runner.call_many(
        [
            ("read_logs", {"service": "a"}),
            ("read_metrics", {"service": "a"}),
            ("read_changes", {}),
            ("query_history", {"service": "a"}),
            ("read_runbook", {"service": "a"}),
        ]
    )
    assert [r.ok for r in results] == [False] * 5
    assert "logs.jsonl not found" in results[0].error
    assert "metrics.om not found" in results[1].error


def test_runner_ids_validation_unknown_tool_and_repeats(shop):
    runner = runner_for(shop)
    a, b, c = runner.call_many([("read_changes", {}), ("nope", {}), ("read_logs", {"service": 5})])
    assert (a.id, b.id, c.id) == ("R1", "R2", "R3")
    assert not b.ok and "unknown tool 'nope'" in b.error
    assert not c.ok and "invalid input for read_logs: service" in c.error
    again = runner.call("read_changes", {})
    assert again.id == "R1"  # an exact repeat is answered from the earlier result
    assert runner.call("read_runbook", {"service": "cart"}).id == "R4"


class SlowIn(BaseModel):
    seconds: float


def test_runner_timeout_and_crash_become_error_results():
    def slow(ctx, args):
        time.sleep(args.seconds)
        return Summary("done")

    def boom(ctx, args):
        raise RuntimeError("backend exploded with password=hunter2")

    tools = {"slow": Tool("slow", SlowIn, slow, ""), "boom": Tool("boom", SlowIn, boom, "")}
    runner = ToolRunner(ToolContext(None, Catalog(), Window.around(ALERT_AT)), tools, timeout_s=0.3)
    t0 = time.monotonic()
    fast, stuck, crashed = runner.call_many(
        [("slow", {"seconds": 0}), ("slow", {"seconds": 3}), ("boom", {"seconds": 0})]
    )
    assert time.monotonic() - t0 < 2
    assert fast.ok and fast.text == "done"
    assert not stuck.ok and "timed out" in stuck.error
    assert not crashed.ok and "RuntimeError" in crashed.error and "hunter2" not in crashed.error


def test_runner_gives_every_call_its_own_deadline():
    """Twelve calls of 1 s each with a 1.6 s deadline: none waits for a free worker behind the others
    (a pool of eight left the last four what the first eight had not used, and they timed out)."""

    def slow(ctx, args):
        time.sleep(args.seconds)
        return Summary("done")

    runner = ToolRunner(
        ToolContext(None, Catalog(), Window.around(ALERT_AT)), {"slow": Tool("slow", SlowIn, slow, "")}, 1.6
    )
    results = runner.call_many([("slow", {"seconds": 1.0 + i / 1000}) for i in range(12)])
    assert [r.ok for r in results] == [True] * 12


def test_reading_a_local_file_once_is_not_held_against_the_calls_deadline():
    """Three calls need one 0.6 s read of a bundle file; their deadline is 0.3 s. The read (and waiting
    for it) is not theirs: all three answer. A call that is merely slow still times out."""
    import threading

    from oncall.tools.clock import local_read

    lock, done = threading.Lock(), []

    def reads(ctx, args):
        with local_read(), lock:
            if not done:
                time.sleep(args.seconds)
                done.append(True)
        return Summary("read")

    def slow(ctx, args):
        time.sleep(args.seconds)
        return Summary("late")

    tools = {"reads": Tool("reads", SlowIn, reads, ""), "slow": Tool("slow", SlowIn, slow, "")}
    runner = ToolRunner(ToolContext(None, Catalog(), Window.around(ALERT_AT)), tools, timeout_s=0.3)
    results = runner.call_many([("reads", {"seconds": 0.6 + i / 1000}) for i in range(3)] + [("slow", {"seconds": 3})])
    assert [r.ok for r in results] == [True, True, True, False]
    assert "timed out" in results[3].error


def test_a_hung_tool_call_does_not_keep_the_process_alive(tmp_path):
    """After its deadline a call that never returns is left behind: the process ends with its output,
    not when the call would have finished (60 s)."""
    script = tmp_path / "hung.py"
    script.write_text(
        "import time\n"
        "from pydantic import BaseModel\n"
        "from oncall.tools.runner import ToolRunner\n"
        "from oncall.tools.tool import Summary, Tool, ToolContext\n"
        "class In(BaseModel):\n    pass\n"
        "def hang(ctx, args):\n    time.sleep(60)\n    return Summary('late')\n"
        "r = ToolRunner(ToolContext(None, None, None), {'hang': Tool('hang', In, hang, '')}, timeout_s=0.2)\n"
        "print(r.call('hang', {}).error, flush=True)\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30, check=True)
    assert out.stdout.strip() == "timed out after 0.2s"


def test_tool_schemas_come_from_pydantic_models():
    schema = READ_TOOLS["read_logs"].schema()
    assert schema["required"] == ["service"]
    assert "max_templates" in schema["properties"]
    assert all(t.description for t in READ_TOOLS.values())


@pytest.mark.parametrize("held", [100_000, 0], ids=["samples-held", "series-queried"])
def test_metrics_file_reads_escaped_labels_exemplars_and_comments_like_the_reference_parser(
    tmp_path, monkeypatch, held
):
    """The fast reader decodes only the series a query selects; it must read what prometheus_client
    reads: braces, spaces and escaped quotes inside label values, exemplars, comments; whether a small
    file's samples are all held at its load or a large one's are read a query's series at a time."""
    from datetime import UTC, datetime

    from oncall.tools.read_metrics import embedded
    from oncall.tools.read_metrics.embedded import OpenMetricsFile

    monkeypatch.setattr(embedded, "HELD_SAMPLES", held)

    om = tmp_path / "metrics.om"
    om.write_text(
        "# HELP lat latency\n# TYPE lat gauge\n"
        'lat{service="a} b",path="q\\"z"} 1.5 1700000000\n'
        'lat{service="api"} 2.5 1700000060 # {trace_id="abc"} 1.0 1700000060\n'
        'lat{service="api"} 3.5 1700000120\n'
        "# TYPE up gauge\nup 1 1700000000\n# EOF\n"
    )
    f = OpenMetricsFile(om)
    t0, t1 = datetime.fromtimestamp(1699999000, UTC), datetime.fromtimestamp(1700001000, UTC)
    (odd,) = f.query_range('lat{service="a} b"}', t0, t1, 15)
    assert odd.labels == {"service": "a} b", "path": 'q"z'} and odd.points == [(1700000000.0, 1.5)]
    (api,) = f.query_range('lat{service="api"}', t0, t1, 15)
    assert api.points == [(1700000060.0, 2.5), (1700000120.0, 3.5)]
    (q,) = f.query_range('lat{path="q\\"z"}', t0, t1, 15)
    assert q.labels["service"] == "a} b"
    assert f.query_range("up", t0, t1, 15)[0].points == [(1700000000.0, 1.0)]
    assert len(f.query_range('{service="api"}', t0, t1, 15)) == 1  # a selector without a name
    assert (f._raw is not None) == (held > 0)  # (held at its load, or read a series at a time)


def test_the_metrics_index_is_kept_and_reused_until_the_file_changes(tmp_path):
    from datetime import UTC, datetime

    from oncall.tools.read_metrics.embedded import OpenMetricsFile

    om = tmp_path / "metrics.om"
    om.write_text('# TYPE up gauge\nup{service="a"} 1 1700000000\n# EOF\n')
    cache = tmp_path / "cache"
    t0, t1 = datetime.fromtimestamp(1699999000, UTC), datetime.fromtimestamp(1700001000, UTC)
    assert OpenMetricsFile(om, cache=cache).query_range('up{service="a"}', t0, t1, 15)[0].points == [(1.7e9, 1.0)]
    (index,) = cache.glob("*.duckdb")
    again = OpenMetricsFile(om, cache=cache)
    assert again.query_range('up{service="a"}', t0, t1, 15)[0].points == [(1.7e9, 1.0)]
    assert list(cache.glob("*.duckdb")) == [index]  # reused, not rebuilt
    om.write_text('# TYPE up gauge\nup{service="a"} 0 1700000000\nup{service="a"} 1 1700000060\n# EOF\n')
    changed = OpenMetricsFile(om, cache=cache).query_range('up{service="a"}', t0, t1, 15)[0]
    assert changed.points == [(1.7e9, 0.0), (1700000060.0, 1.0)]  # a changed file is indexed again
