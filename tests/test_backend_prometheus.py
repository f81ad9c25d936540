"""read_metrics through a real Prometheus gives the same summaries as the embedded
backend. Each bundle's metrics.om is backfilled with `promtool tsdb create-blocks-from
openmetrics` (the documented way to load history) into a Prometheus the test starts
on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from oncall.core.errors import ToolError
from oncall.core.investigation import Settings
from oncall.estate.bundle import Bundle
from oncall.investigate import prepare
from oncall.tools.read_metrics.prometheus import PrometheusMetrics
from oncall.tools.remote import Remote
from tests.conftest import DEMO, ROOT

pytestmark = pytest.mark.integration

SCENARIOS = ROOT / "fixtures" / "scenarios"
CASES = [
    DEMO,
    SCENARIOS / "001-bad_deploy-payments",
    SCENARIOS / "013-memory_leak-payments",
    SCENARIOS / "041-disk_full-pipeline",
]


def _binaries() -> tuple[str, str]:
    prom, tool = shutil.which("prometheus"), shutil.which("promtool")
    if not (prom and tool):
        if os.environ.get("REQUIRE_INTEGRATION") == "1":
            pytest.fail("prometheus and promtool are not installed (Debian package `prometheus`; .ci/run installs it)")
        pytest.skip("prometheus is not installed")
    return prom, tool


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_prometheus(data: Path, cases: list[Path]) -> tuple[str, subprocess.Popen]:
    """Backfill `cases` into a new TSDB at `data` and serve it; one server per bundle, since
    generated bundles reuse service names over overlapping hours."""
    prom, tool = _binaries()
    for case in cases:
        subprocess.run(
            [tool, "tsdb", "create-blocks-from", "openmetrics", str(case / "metrics.om"), str(data)],
            check=True,
            capture_output=True,
        )
    config = data / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            prom,
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=100y",  # the bundles' data is months or years old by the time CI runs
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as r:
                if r.status == 200:
                    return url, proc
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"prometheus did not become ready: {err[-2000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[dict[Path, str]]:
    running: dict[Path, tuple[str, subprocess.Popen]] = {}
    try:
        for case in CASES:
            running[case] = start_prometheus(tmp_path_factory.mktemp("tsdb"), [case])
        yield {case: url for case, (url, _) in running.items()}
    finally:
        for _, proc in running.values():
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture
def prometheus(servers: dict[Path, str]) -> str:
    return servers[DEMO]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_prometheus_gives_the_embedded_summaries(servers: dict[Path, str], case: Path) -> None:
    bundle = Bundle.open(case)
    embedded = bundle.backends()
    remote = bundle.backends()
    remote.metrics = PrometheusMetrics(Remote("Prometheus", servers[case], timeout_s=10))
    _, runner_e = prepare(bundle.alert_payload(), bundle.catalog, embedded, Settings())
    _, runner_p = prepare(bundle.alert_payload(), bundle.catalog, remote, Settings())
    compared = 0
    for service in bundle.catalog.services:
        e = runner_e.call("read_metrics", {"service": service})
        p = runner_p.call("read_metrics", {"service": service})
        assert p.ok, p.error
        assert p.text == e.text, service
        compared += len(e.data.signals)
    assert compared >= 3 * len(bundle.catalog.services)


def test_expressions_are_evaluated_by_prometheus_at_the_step(prometheus: str) -> None:
    bundle = Bundle.open(DEMO)
    at = bundle.moment()
    assert at is not None
    from datetime import timedelta

    backend = PrometheusMetrics(Remote("Prometheus", prometheus))
    start, end = at - timedelta(hours=1), at + timedelta(minutes=15)
    out = backend.query_range(
        'max by (service) (service:http_latency_p99_seconds{service="api-gateway"})', start, end, 60
    )
    raw = bundle.backends().metrics.query_range(
        'service:http_latency_p99_seconds{service="api-gateway"}', start, end, 60
    )
    assert len(out) == 1 and out[0].labels == {"service": "api-gateway"}
    steps = [b - a for (a, _), (b, _) in zip(out[0].points, out[0].points[1:], strict=False)]
    assert steps and set(steps) == {60.0}
    peak = max(v for _, v in out[0].points)
    assert peak == max(v for _, v in raw[0].points) and peak > 8  # the founding story's p99 past 8 seconds


def test_a_bad_query_says_what_prometheus_said(prometheus: str) -> None:
    from datetime import UTC, datetime

    backend = PrometheusMetrics(Remote("Prometheus", prometheus))
    with pytest.raises(ToolError, match=r"answered 400 .*parse error"):
        backend.query_range("sum(rate(", datetime(2026, 11, 17, tzinfo=UTC), datetime(2026, 11, 17, 1, tzinfo=UTC), 60)


def test_check_reports_a_working_prometheus(prometheus: str) -> None:
    assert PrometheusMetrics(Remote("Prometheus", prometheus)).check() == "PromQL answers"


def test_check_config_evaluates_every_signal_template_and_names_a_broken_one(
    prometheus: str, tmp_path: Path, capsys
) -> None:
    """A template that does not parse would silently cost every investigation that signal: check-config
    evaluates each one against the server and fails on the broken one, by name, without a traceback."""
    from oncall.cli import main

    good = tmp_path / "good.yaml"
    good.write_text(f"metrics:\n  backend: prometheus\n  url: {prometheus}\n")
    assert main(["check-config", "--config", str(good), "--bundle", str(DEMO)]) == 0
    assert "signal templates evaluate" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"metrics:\n  backend: prometheus\n  url: {prometheus}\n  signals:\n"
        "    latency_p99: 'histogram_quantile(0.99, sum by (le) (rate(x{service=\"{service}\"}[5m])'\n"
    )
    assert main(["check-config", "--config", str(bad), "--bundle", str(DEMO)]) == 6
    out = capsys.readouterr()
    assert "signal latency_p99" in out.out + out.err and "Traceback" not in out.out + out.err
