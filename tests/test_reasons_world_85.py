"""What world 85's first contact taught (a Cape Town water utility on Ubuntu VMs, its logs the central syslog-ng
server's format-json lines; written after world 84's rules and scored before any rule saw it): 0.750 / 0.667 /
0.833 / 0.833 on seeds 1-4, no wrong HIGH. Read right from the first: PROGRAM as the service, PRIORITY by name,
ISODATE with its offset. Its reason: a service busy with a run of its own work that it logs (a monthly statement
run), a little slower and failing nothing, is doing that work, not failing. Left: the report that crowded the API
on the VM they share (the reader takes the program for the pod, so no machine is known to compare)."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    log,
    quiet_logs,
    series,
    signals,
    write_bundle,
)


def _run(tmp_path: Path, name: str, slower: float = 1.5, lines: int = 30, level: str = "info",
         usual_s: int = 1800) -> str:  # fmt: skip
    """api's CPU went from 0.3 to 0.9 and its p99 `slower` times its baseline from `at`, its requests as usual and
    nothing failing, while it logged `lines` a minute of a routine line it also logs every `usual_s` seconds."""
    at = ALERT_AT - 10 * M
    usual = [log(ALERT_AT - 300 * M + i * usual_s * S, "api", "info", f"statement rendered for 4{i}")
             for i in range(300 * 60 // usual_s)]  # fmt: skip
    run = [log(at + i * (60 // lines) * S, "api", level, f"statement rendered for 7{i}") for i in range(20 * lines)]
    root = write_bundle(
        tmp_path / name,
        services={"edge": ["api"], "api": ["db"], "db": []},
        alert=alertmanager("ApiCPUHigh", "api", severity="warning"),
        logs=quiet_logs("edge", "api", "db") + usual + run,
        metric_lines=series("cpu_utilization", "api", flat_then(T0, END, 0.3, at, 0.9))
        + series("latency_p99", "api", flat_then(T0, END, 0.17, at + 2 * M, 0.17 * slower))
        + series("request_rate", "api", flat_then(T0, END, 40.0))
        + series("error_ratio", "api", flat_then(T0, END, 0.003))
        + series("cpu_utilization", "db", flat_then(T0, END, 0.3)),
        signals=signals("cpu_utilization", "latency_p99", "request_rate", "error_ratio"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}"


def test_a_service_busy_with_a_run_of_its_own_logged_work_a_little_slower_is_doing_that_work(tmp_path: Path) -> None:
    assert _run(tmp_path, "statements") == "api/no_incident"
    # twice as slow and more: its users are worse off, whatever it is busy with
    assert _run(tmp_path, "slow", slower=3.0) != "api/no_incident"
    # no run of work in its logs: what keeps its processors busy is unknown
    assert _run(tmp_path, "unlogged", lines=0) != "api/no_incident"
    # the routine line at its usual pace: no run of work
    assert _run(tmp_path, "usual", lines=5, usual_s=30) != "api/no_incident"
    # a rise of a few dozen lines: not yet a run of work
    assert _run(tmp_path, "few", lines=4) != "api/no_incident"
