"""What world 71's first contact taught (a New Zealand tradespeople marketplace on Akamai Cloud's virtual machines,
its logs Loggly's search API exported with jq; written after world 70's rules and scored before any rule saw it):
8, 9, 9 and 7 of 14 right on seeds 1-4, no HIGH said, every line read as no service's. Its reasons: Loggly's
event keeps the line as received in logmsg and the syslog header it parsed in event.syslog (the machine, the
severity spelt out); and a climb's top is read from the line through its samples, not from its highest sample."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from oncall.tools.read_metrics import climb_began
from tests.bundles import ALERT_AT, T0, M, read_logs_of

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
    assert found is not None and abs(found - start) <= 10 * M, found


def test_a_loggly_event_s_syslog_severity_is_its_level(tmp_path: Path) -> None:
    """A program that files each line at its own syslog severity, its words naming none."""
    at = ALERT_AT - 8 * M
    events = [_event(at - (40 - i) * M, f"{s}-1", "checkpoint complete", "Informational") for i in range(40)
              for s in ("api", "db")]  # fmt: skip
    events += [_event(at + i * M / 4, "db-1", "checkpoints are occurring too frequently", "Warning") for i in range(9)]
    reads = read_logs_of(tmp_path / "a", events)["db"]
    assert "WARN 9x" in reads and "checkpoints are occurring too frequently" in reads, reads
