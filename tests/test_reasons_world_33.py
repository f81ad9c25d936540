"""What world 33's first contact taught (an insurer's platform on Cloud Foundry, bundled the plain DESIGN.md
way from Log Cache's envelopes; written after world 32's rules and scored before any rule saw it): every
case right on each seed, but the evidence misread. Its `level` is the stream a line was written to, OUT or
ERR, and Python's logging and Go's log write every line to stderr: a healthy service's requests read as
errors. A field that only ever names the two streams is not a level; and a scale-out is told in the words
of the platform the service runs on."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    alertmanager,
    flat_then,
    investigated,
    log,
    read_logs_of,
    series,
    write_bundle,
)


def _lines(stream_of: dict[str, str]) -> list[dict]:
    """api (Python, logging's default format) and db (Go's log, no level) each with their usual lines and,
    for api, two errors, every level field set by `stream_of[level]`."""
    at = ALERT_AT - 5 * M
    out = [log(at + i * M, "api", stream_of["info"], "INFO:api.http:GET /v1/policies/P-1 200 14ms") for i in range(4)]
    out += [
        log(at + i * M, "api", stream_of["error"], "ERROR:api.store:could not reach the database: timed out")
        for i in (1, 2)
    ]
    out += [
        log(at + i * M, "db", stream_of["info"], "2026/12/02 03:41:00 checkpoint complete in 412ms") for i in (1, 2, 3)
    ]
    return out


def test_a_level_field_that_only_names_output_streams_is_read_from_each_lines_text(tmp_path):
    """Cloud Foundry's OUT and ERR (as Docker's stdout and stderr) say where a line went, not how bad it is."""
    text = read_logs_of(tmp_path, [*_lines({"info": "ERR", "error": "ERR"}), log(ALERT_AT, "api", "OUT", "ready")])
    assert "7 lines in window (5 INFO, 2 ERROR)" in text["api"]
    assert "3 lines in window (3 INFO)" in text["db"]
    text = read_logs_of(tmp_path / "docker", _lines({"info": "stderr", "error": "stderr"}))
    assert "6 lines in window (4 INFO, 2 ERROR)" in text["api"]


def test_syslogs_err_among_other_levels_stays_an_error(tmp_path):
    """The same spelling among real levels (syslog's names), or alone, is a level: believed as written."""
    with_levels = [*_lines({"info": "ERR", "error": "ERR"}), log(ALERT_AT, "api", "INFO", "ready")]
    assert "7 lines in window (6 ERROR, 1 INFO)" in read_logs_of(tmp_path, with_levels)["api"]
    assert (
        "6 lines in window (6 ERROR)"
        in read_logs_of(tmp_path / "alone", _lines({"info": "ERR", "error": "ERR"}))["api"]
    )


def _saturated(tmp_path: Path, platform: str) -> str:
    """render saturates its CPU under three times its usual load; its catalog says what it runs on."""
    at = ALERT_AT - 15 * M
    root = write_bundle(
        tmp_path / platform,
        services={"render": []},
        alert=alertmanager("RenderLatencyHigh", "render"),
        logs=[log(ALERT_AT - 2 * M, "render", "warn", "render queue behind: 18422 messages waiting")],
        metric_lines=series("requests", "render", flat_then(T0, END, 10.0, at - 10 * M, 30.0))
        + series("cpu_ratio", "render", flat_then(T0, END, 0.4, at, 0.98))
        + series("latency_p99_seconds", "render", flat_then(T0, END, 0.6, at + 5 * M, 5.0)),
        signals={
            "request_rate": 'requests{service="{service}"}',
            "cpu_utilization": 'cpu_ratio{service="{service}"}',
            "latency_p99": 'latency_p99_seconds{service="{service}"}',
        },
        platforms={"render": platform},
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category, d.actions[0].kind) == ("render", "capacity", "scale")
    return d.actions[0].description


def test_a_scale_out_is_told_in_the_words_of_the_platform_the_service_runs_on(tmp_path):
    assert "HPA" in _saturated(tmp_path, "kubernetes")
    said = _saturated(tmp_path, "cloudfoundry")
    assert "instances" in said and "HPA" not in said


def test_python_loggings_default_format_states_its_level_over_a_shippers_info(tmp_path):
    """`WARNING:logger:text` (logging.basicConfig's format) filed at info by a shipper is a warning."""
    lines = [log(ALERT_AT - i * M, "api", "INFO", "WARNING:api.rates:rate table cache is 26 hours old") for i in (1, 2)]
    lines += [log(ALERT_AT - 3 * M, "api", "INFO", "INFO:api.http:GET /v1/policies/P-1 200 14ms")]
    assert "3 lines in window (2 WARN, 1 INFO)" in read_logs_of(tmp_path, lines)["api"]
