"""What world 71's first contact taught (a New Zealand tradespeople marketplace on Akamai Cloud's virtual machines,
its logs Loggly's search API exported with jq; written after world 70's rules and scored before any rule saw it):
8, 9, 9 and 7 of 14 right on seeds 1-4, no HIGH said, every line read as no service's. Its reasons: Loggly's
event keeps the line as received in logmsg and the syslog header it parsed in event.syslog (the machine, the
severity spelt out); and a climb's top is read from the line through its samples, not from its highest sample."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from oncall.tools.read_metrics import climb_began
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
    setting_change,
    signals,
    write_bundle,
)
from tests.test_reasons_world_67 import _filled

HOUR = timedelta(hours=1)


def _event(t: datetime, host: str, line: str, severity: str) -> dict:
    """An event of Loggly's search API: the line in logmsg, the syslog header Loggly parsed in event.syslog."""
    ms = int(t.timestamp() * 1000)
    syslog = {"appName": "sidekiq", "host": host, "severity": severity, "facility": "daemon", "priority": "27"}
    return {"tags": ["production"], "timestamp": ms, "logmsg": line, "event": {"syslog": syslog},
            "logtypes": ["syslog"], "id": f"{ms:x}", "raw": f"<27>1 {host} sidekiq - - - {line}", "unparsed": None}  # fmt: skip


def test_a_loggly_event_is_read_for_its_line_machine_and_severity(tmp_path: Path) -> None:
    at = ALERT_AT - 8 * M
    # Sidekiq writes every line to stderr: filed at Error, its own INFO words say otherwise
    events = [_event(at - (40 - i) * M, f"{s}-1", f"pid=8 tid=ox1 class=InvoiceJob jid=a{i} INFO: done", "Error")
              for i in range(40) for s in ("api", "db")]  # fmt: skip
    events += [_event(at + i * M / 6, "api-2", "pid=8 tid=ox1 class=InvoiceJob jid=b ERROR: Windcave::ApiError: "
                      "returned 503 Service Unavailable", "Error") for i in range(30)]  # fmt: skip
    events += [_event(at + i * M / 4, "api-1", "pid=8 tid=ox1 class=InvoiceJob jid=c WARN: windcave slow", "Error")
               for i in range(20)]  # fmt: skip
    reads = read_logs_of(tmp_path / "a", events)["api"]
    assert "Windcave::ApiError: returned 503 Service Unavailable" in reads, reads
    assert "(30 ERROR, 22 INFO, 20 WARN)" in reads, reads
    assert "api-2" in reads, reads  # the machine the line came from, named after its service


def test_a_climb_s_top_is_read_from_its_line_not_its_highest_sample() -> None:
    """A store filling steadily from three hours before, crossing a threshold halfway up, its samples wobbling
    and one of them, near the top, well above the line."""
    start, full = ALERT_AT - 3 * HOUR, ALERT_AT - 8 * M
    out, t, i = [], T0, 0
    while t <= ALERT_AT:
        share = min(1.0, max(0.0, (t - start) / (full - start)))
        v = (0.5 + 0.49 * share) * (1 + 0.02 * ((i % 5) - 2) / 2)
        out.append((t.timestamp(), round(1.06 if t == full - 10 * M else v, 6)))
        t += M
        i += 1
    onset = start + 80 * M  # (0.72 of the way: a threshold crossed well after it began)
    peak = max(out, key=lambda p: p[1])[0]
    found = climb_began([p for p in out if p[0] <= peak], T0.timestamp(), onset.timestamp())
    assert found is not None and abs(found.began - start) <= 10 * M, found


def test_a_loggly_event_s_syslog_severity_is_its_level(tmp_path: Path) -> None:
    """A program that files each line at its own syslog severity, its words naming none."""
    at = ALERT_AT - 8 * M
    events = [_event(at - (40 - i) * M, f"{s}-1", "checkpoint complete", "Informational") for i in range(40)
              for s in ("api", "db")]  # fmt: skip
    events += [_event(at + i * M / 4, "db-1", "checkpoints are occurring too frequently", "Warning") for i in range(9)]
    reads = read_logs_of(tmp_path / "a", events)["db"]
    assert "WARN 9x" in reads and "checkpoints are occurring too frequently" in reads, reads


def test_a_climb_ends_where_the_store_reached_its_limit_not_at_its_peak_sample() -> None:
    """A store filling steadily for three hours, then held at its limit for 25 minutes (refusing writes), the
    highest of its wobbling samples at the very end: the samples at the limit are not the climb, and a line
    bent flat by them would be drawn back to well before the change that began it."""
    start, full = ALERT_AT - 3 * HOUR, ALERT_AT - 10 * M
    out, t, i = [], T0, 0
    while t <= ALERT_AT + 15 * M:
        share = min(1.0, max(0.0, (t - start) / (full - start)))
        v = (0.5 + 0.49 * share) * (1 + 0.04 * ((i % 5) - 2) / 2)
        out.append((t.timestamp(), round(1.03 if t == ALERT_AT + 15 * M else v, 6)))
        t += M
        i += 1
    onset = start + 80 * M
    peak = max(out, key=lambda p: p[1])[0]
    found = climb_began([p for p in out if p[0] <= peak], T0.timestamp(), onset.timestamp())
    assert found is not None and abs(found.began - start) <= 5 * M, found
    # a straight climb with no time at its limit is read as before: its line runs through every sample
    steady = [p for p in out if p[0] <= full.timestamp()]
    found = climb_began(steady, T0.timestamp(), onset.timestamp())
    assert found is not None and abs(found.began - start) <= 5 * M, found


def test_each_machine_s_stream_is_its_own_where_lines_name_no_service(tmp_path: Path) -> None:
    """Sidekiq on one machine writes every line to stderr (filed at Error, its words saying INFO), while a
    program on another machine files its warnings at Warning: the second's levels say nothing of the first's
    stream, though no line names a service and both are read in one partition of no service."""
    at = ALERT_AT - 8 * M
    events = [_event(at - (40 - i) * M, "api-1", f"pid=8 tid=ox1 class=InvoiceJob jid=a{i} INFO: done", "Error")
              for i in range(40)]  # fmt: skip
    events += [_event(at + i * M / 4, "api-1", f"pid=8 tid=ox1 class=InvoiceJob jid=b{i} INFO: done", "Error")
               for i in range(20)]  # fmt: skip
    events += [_event(at - (40 - i) * M, "db-1", "checkpoints are occurring too frequently", "Warning")
               for i in range(0, 40, 4)]  # fmt: skip
    reads = read_logs_of(tmp_path / "a", events)["api"]
    counts = reads.splitlines()[1]  # not errors: the machine's every line is filed at Error by its stream
    assert "INFO)" in counts and "ERROR" not in counts, reads


def _door(tmp_path: Path, line: str, since: datetime) -> tuple[str, str]:
    """An edge whose requests fall to 0.6 of their level two minutes after its certificate changed, while it
    logs `line` at info for every client turned away from `since`; its errors and latency do not move (what
    never arrived was never served)."""
    changed = ALERT_AT - 12 * M
    access = [log(T0 + i * 2 * M, "edge", "info", f'10.0.3.{i % 200}:51{i % 90} [edge~ app/web1 0/0/1/3/4 200 512') for i in range(200)]  # fmt: skip
    refused = [log(since + i * M / 6, "edge", "info", f"10.0.{i % 9}.{i % 200}:5{i % 9}12 [https/1]: {line}")
               for i in range(int((END - since) / (M / 6)))]  # fmt: skip
    root = write_bundle(
        tmp_path,
        services={"edge": ["web"], "web": []},
        alert=alertmanager("RequestsDropped", "edge"),
        logs=access + refused,
        metric_lines=series("request_rate", "edge", flat_then(T0, END, 80.0, changed + 2 * M, 48.0))
        + series("error_ratio", "edge", flat_then(T0, END, 0.003))
        + series("latency_p99_seconds", "edge", flat_then(T0, END, 0.1)),
        changes=[
            setting_change(changed, "edge", "ssl_crt", "site.pem (fullchain)", "site.pem (leaf only)", "certificate")
        ],
        signals={**signals("request_rate", "error_ratio"), "latency_p99": 'latency_p99_seconds{service="{service}"}'},
    )
    d = investigated(root).diagnosis
    return d.root_cause.service, d.root_cause.category


def test_a_server_s_failed_handshakes_filed_at_info_are_clients_turned_away(tmp_path: Path) -> None:
    """HAProxy files a client's failed TLS handshake at info: new, right after its certificate changed, with its
    requests falling, they are the change turning clients away at the door, not an alert without an incident."""
    assert _door(tmp_path / "a", "SSL handshake failure", ALERT_AT - 10 * M) == ("edge", "recent_change")
    # the same fall with new info lines that say nothing failed: no more than traffic lower than before
    assert _door(tmp_path / "b", "client closed the keep-alive", ALERT_AT - 10 * M) != ("edge", "recent_change")
    # handshakes failing all along (scanners, old clients) say nothing of this change
    assert _door(tmp_path / "c", "SSL handshake failure", T0) != ("edge", "recent_change")


def _noisy_fill(start: datetime, full: datetime, jitter: float, seed: int = 7) -> list[tuple[datetime, float]]:
    """A memory flat at a half, climbing steadily from `start` to 0.99 at `full` and held there, each sample off
    by up to `jitter` of itself (a shipper's scrape of a gauge that moves as keys come and go)."""
    rng = random.Random(seed)
    out, t = [], T0
    while t <= END:
        share = min(1.0, max(0.0, (t - start) / (full - start)))
        out.append((t, round((0.5 + 0.49 * share) * (1 + rng.uniform(-jitter, jitter)), 6)))
        t += M
    return out


def test_where_a_climb_began_is_known_as_well_as_its_line(tmp_path: Path) -> None:
    """A store filled over four hours, its samples noisy: drawn back that far, its start is known within minutes
    either way (the line's standard error), and a release further from it than JUST_AFTER, but within three of
    those errors, filled it; one further than that did not."""
    start, full = ALERT_AT - 4 * HOUR, ALERT_AT - 8 * M

    def error(jitter: float) -> timedelta:
        pts = [(t.timestamp(), v) for t, v in _noisy_fill(start, full, jitter) if t <= ALERT_AT]
        climb = climb_began(pts, T0.timestamp(), (start + 2 * HOUR).timestamp())
        assert climb is not None and abs(climb.began - start) <= 4 * climb.error, climb
        return climb.error

    assert M < error(0.05) < 10 * M  # (about 5 minutes)
    assert error(0.01) < error(0.05) / 3  # a steadier line tells its start more closely
    memory = _noisy_fill(start, full, 0.05)
    _filled(tmp_path, "none", [], memory)  # where the investigation draws it back to, and how well it knows
    stat = next(
        sig
        for r in investigated(tmp_path / "none").results
        if r.tool == "read_metrics" and r.input.get("service") == "cache"
        for sig in r.data.signals
        if sig.signal == "memory_utilization"
    )
    began, error = stat.climb_from, stat.climb_error
    assert began is not None and error is not None and 3 * error > 12 * M, stat  # (further than JUST_AFTER's 10)
    gap = (10 * M + 3 * error) / 2
    for name, at, filled in (("within", began - gap, True), ("far", began - 3 * error - 10 * M, False)):
        deploy = setting_change(at, "web", "image", "web:7.3.2", "web:7.4.0", kind="deploy")
        said = _filled(tmp_path, name, [deploy], memory)
        assert (said == ("web/recent_change", "rollback")) is filled, (name, said)
    # another user of it changed as near where it began, on the other side: nothing to choose between them
    deploy = setting_change(began - gap, "web", "image", "web:7.3.2", "web:7.4.0", kind="deploy")
    other = setting_change(began + gap, "api", "image", "api:2.0.0", "api:2.1.0", kind="deploy")
    assert _filled(tmp_path, "two", [deploy, other], memory)[0] != "web/recent_change"
