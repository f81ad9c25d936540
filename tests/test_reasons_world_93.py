"""What world 93's first contact taught (a Bergen ferry operator's booking platform on VMs, its logs Logstash's
syslog input events; written after world 92's rules and scored before any rule saw it): 0.500 / 0.429 / 0.500 /
0.429 on seeds 1-4, no wrong HIGH, with every line read two hours late. Its lessons:

- a time written with its zone names the instant; a syslog header's (`Jun 14 06:02:11`) is the sender's wall clock,
  its zone and year unsaid: where a line holds both (the header's `timestamp` beside Logstash's `@timestamp`), the
  zoned one is read;
- a database server's own name (the syslog tag `postgres`) in the field that names the other lines' services is
  the estate's one database's (`postgresql`), however its telemetry spells that one (`postgresql.service`);
- the users of a busy store waiting on it a little longer (a p99 up by less than twice), nothing failing, are the
  work's queueing reaching them, not an incident (a planned bulk import's load);
- a stream that went silent says so (`no sentences from 153.44.253.27:5631 for 120 s`): its source failed the
  consumer, and the silence began that long before the line that reports it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from oncall.tools.read_logs import LogQuery
from oncall.tools.read_logs.embedded import JsonlLogs
from oncall.tools.read_logs.owners import named
from oncall.tools.read_logs.times import zoned_time
from tests.bundles import ALERT_AT as AT
from tests.bundles import (
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    quiet_logs,
    series,
    setting_change,
    signals,
    trace_line,
    verdict,
    write_bundle,
)

LABELS = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"]


def _event(at: datetime, program: str, message: str, severity: int = 6, host: str = "app-01") -> dict:
    """Logstash's syslog input event: the header's time as written (the sender's clock, UTC+2, no year) beside the
    date filter's @timestamp."""
    local = at + timedelta(hours=2)
    return {"message": message, "@version": "1", "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "type": "syslog", "host": "10.12.4.21", "priority": 8 + severity,
            "timestamp": f"{local:%b} {local.day:>2} {local:%H:%M:%S}", "logsource": host, "program": program,
            "pid": "2211", "severity": severity, "facility": 1, "facility_label": "user-level",
            "severity_label": LABELS[severity]}  # fmt: skip


def _routine(program: str, message: str, every_s: int = 300) -> list[dict]:
    return [_event(AT - 7200 * S + every_s * i * S, program, message) for i in range(7200 // every_s)]


def _stats(path: Path, records: list[dict], service: str, known: list[str]):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    q = LogQuery(service=service, start=AT - 45 * M, end=AT, baseline_start=AT - 8 * 60 * M, known=known)
    return JsonlLogs(path).stats(q)


def test_a_zoned_time_is_read_before_a_syslog_headers_wall_clock(tmp_path: Path) -> None:
    # the errors began ten minutes before the alert; their header times say two hours later, in Oslo's summer
    errors = [_event(AT - 600 * S + 10 * i * S, "api", "ERROR payment refused: 401 Unauthorized", 3) for i in range(30)]
    records = _routine("api", "INFO GET /sailings 200") + _routine("db", "LOG:  checkpoint complete") + errors
    st = _stats(tmp_path / "logs.jsonl", records, "api", ["api", "db"])
    assert st.levels.get("ERROR") == 30, st.levels
    assert [t.first_seen for t in st.templates if t.level == "ERROR"] == [AT - 600 * S]


def test_a_database_servers_own_tag_is_the_estates_database_however_spelt(tmp_path: Path) -> None:
    # the tags name services as hosts are named (most lines are api's), but the database's is its server's own
    # name; and the catalog's templates spell every service `<name>.service`: postgresql is known twice over
    known = ["api", "api.service", "postgresql", "postgresql.service", "cron-scheduler", "cron-scheduler.service"]
    panic = [_event(AT - 300 * S + 10 * i * S, "postgres", "PANIC:  could not write to file: No space left", 2)
             for i in range(20)]  # fmt: skip
    # syslog's own cron daemon shares a word with cron-scheduler, and is not it
    cron = [_event(AT - 400 * S + 20 * i * S, "CRON", "ERROR (root) MAIL (mailed 1 byte of output)", 3)
            for i in range(10)]  # fmt: skip
    records = (
        _routine("api", "INFO GET /sailings 200", 60)
        + _routine("postgres", "LOG:  checkpoint complete")
        + _routine("cron-scheduler", "INFO tick")
        + panic
        + cron
    )
    path = tmp_path / "logs.jsonl"
    assert _stats(path, records, "postgresql", known).levels.get("ERROR") == 20
    assert _stats(path, records, "api", known).levels.get("ERROR") is None
    # (each service spelt once, so that cron is a word only cron-scheduler's name has)
    plain = ["api", "postgresql", "cron-scheduler"]
    assert _stats(path, records, "cron-scheduler", plain).levels.get("ERROR") is None
    # two databases are not one spelt twice: the server's name is neither's
    assert named("postgres", ["api", "db", "mongodb"]) is None
    assert named("postgres", ["api", "db", "orders-db"]) is None
    assert named("postgres", known) == "postgresql"


def test_only_a_wall_clock_gives_way_to_a_zoned_time() -> None:
    header = {"timestamp": "Jun 14 06:02:11", "@timestamp": "2026-06-14T04:02:11.000Z"}
    assert zoned_time([header] * 4) == "@timestamp"
    # a line's own zoned time before the shipper's (read five minutes later): the line's own stays first
    own = {"timestamp": "2026-06-14T04:02:11Z", "@timestamp": "2026-06-14T04:07:11.000Z"}
    assert zoned_time([own] * 4) is None
    # an epoch number is UTC by definition, first or later
    assert zoned_time([{"timestamp": 1781409731, "@timestamp": "2026-06-14T04:02:11.000Z"}] * 4) is None
    assert zoned_time([{"timestamp": "Jun 14 06:02:11", "time": 1781409731}] * 4) == "time"
    # two wall clocks: nothing to prefer
    assert zoned_time([{"timestamp": "Jun 14 06:02:11", "time": "2026-06-14 06:02:11"}] * 4) is None


def _busy_store(tmp_path: Path, name: str, user_p99: float, slower: str = "api") -> str:
    """db's CPU rises from 0.3 to 0.9 fifteen minutes before its alert; `slower` (api uses db, web does not)
    answers at `user_p99` (0.3 before); nothing fails anywhere."""
    at = AT - 15 * M
    root = write_bundle(
        tmp_path / name,
        services={"api": ["db"], "db": [], "web": []},
        alert=alertmanager("DbCpuHigh", "db"),
        logs=quiet_logs("api", "db", "web"),
        metric_lines=series("cpu_utilization", "db", flat_then(T0, END, 0.3, at, 0.9))
        + series("latency_p99", slower, flat_then(T0, END, 0.3, at + M, user_p99))
        + series("error_ratio", "api", flat_then(T0, END, 0.002)),
        signals=signals("cpu_utilization", "latency_p99", "error_ratio"),
    )
    return verdict(root)


def test_a_busy_stores_users_a_little_slower_is_the_works_queueing(tmp_path: Path) -> None:
    assert _busy_store(tmp_path, "queued", 0.45).startswith("db/no_incident")
    # its users twice as slow and more: it is failing them
    assert not _busy_store(tmp_path, "slowed", 1.2).startswith("db/no_incident")
    # a service that does not use it slower at the same time: not this work's queueing
    assert not _busy_store(tmp_path, "elsewhere", 0.45, slower="web").startswith("db/no_incident")


def _silent_source(tmp_path: Path, name: str, says: list[str], changed_min: int | None = None) -> str:
    """feed reads source (no metrics or logs of its own); the stream stops sending twelve minutes before the
    alert: feed's traffic falls at once, its lines (`says`) begin two and a half minutes later; with a change,
    sampled spans see feed's calls to source fail from five minutes after."""
    at = AT - 12 * M
    said = [says[i % len(says)] for i in range(30)]
    lines = [
        _event(at + 150 * S + 20 * i * S, "feed", x, 3 if x.startswith("ERROR") else 4) for i, x in enumerate(said)
    ]
    root = write_bundle(
        tmp_path / name,
        services={"feed": ["source"], "source": []},
        alert=alertmanager("FeedStale", "feed"),
        logs=_routine("feed", "INFO 412 messages in the last minute") + lines,
        metric_lines=series("request_rate", "feed", flat_then(T0, END, 14.0, at, 0.3))
        + series("error_ratio", "feed", flat_then(T0, END, 0.003, at + 3 * M, 0.3)),
        changes=[setting_change(AT - changed_min * M, "feed", "version", "3.0.0", "3.0.1", kind="deploy")]
        if changed_min
        else [],
        signals=signals("request_rate", "error_ratio"),
    )
    if changed_min:
        calls = [trace_line(at + 5 * M + 60 * i * S, {"feed": ["source"]}, {("feed", "source")}, i) for i in range(6)]
        (root / "traces.jsonl").write_text("".join(c + "\n" for c in calls))
    return verdict(root)


def test_a_stream_gone_silent_is_its_sources_failing(tmp_path: Path) -> None:
    says = ["WARNING no messages from 10.40.7.2:5631 for 120 s, reconnecting",
            "ERROR reconnected to 10.40.7.2:5631 but no messages arrived within 60 s"]  # fmt: skip
    assert _silent_source(tmp_path, "from", ["ERROR no messages from 10.40.7.2:5631 for 120 s"]).startswith(
        "source/dependency_failure"
    )
    assert _silent_source(tmp_path, "arrived", says[1:]).startswith("source/dependency_failure")
    # a release of the feed's own an hour and a quarter before, whose words the lines do not repeat: the silence,
    # dated from its start, came with the source's failing, not long after the feed changed
    assert _silent_source(tmp_path, "released", says, changed_min=75).startswith("source/dependency_failure")


def test_a_silence_is_dated_from_its_start_up_to_a_quarter_hour(tmp_path: Path) -> None:
    from oncall.analysts.offline.findings import LogFinding, findings
    from oncall.estate.bundle import Bundle

    lines = {"s": "WARNING no messages from 10.40.7.2:5631 for 90 s", "m": "WARNING ais: no sentences received for 3 min",
             "h": "WARNING nothing arrived from the upstream queue for 45 minutes",
             "own": "WARNING exporter idle: no order exported to the ledger for 5 minutes"}  # fmt: skip
    first = AT - 5 * M
    root = write_bundle(
        tmp_path / "b",
        services={"feed": []},
        alert=alertmanager("FeedStale", "feed"),
        logs=_routine("feed", "INFO 412 messages in the last minute")
        + [_event(first + 10 * i * S, "feed", lines[k], 4) for k in lines for i in range(12)],
        metric_lines=[],
    )
    found = [f for f in findings(investigated(root).results, Bundle.open(root).catalog) if isinstance(f, LogFinding)]
    at = {k: next(f.at for f in found if lines[k] in f.detail.sample) for k in lines}
    # seconds and minutes dated back; a silence longer than a quarter hour is older than what broke now; what the
    # service itself did not do for a while (no source named as silent) dates nothing
    assert at == {"s": first - 90 * S, "m": first - 3 * M, "h": first, "own": first}, at


def _gateway(tmp_path: Path, name: str, says: list[str]) -> str:
    """gw (which calls nothing the catalog knows) logs `says` in turns from eight minutes before its alert, its
    errors up to a quarter of its calls."""
    at = AT - 8 * M
    said = [says[i % len(says)] for i in range(60)]
    root = write_bundle(
        tmp_path / name,
        services={"gw": []},
        alert=alertmanager("GatesUnreachable", "gw"),
        logs=_routine("gw", "level=info msg=heartbeat")
        + [_event(at + 8 * i * S, "gw", x, 3) for i, x in enumerate(said)],
        metric_lines=series("error_ratio", "gw", flat_then(T0, END, 0.003, at, 0.25)),
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_timeouts_beside_a_lost_route_are_the_lost_routes(tmp_path: Path) -> None:
    route = 'level=error msg="push failed" gate=G{i} err="dial tcp 10.31.2.1{i}:8443: connect: no route to host"'
    stalled = (
        'level=error msg="stream lost" camera=C{i} err="read tcp 10.12.4.23:41{i}2->10.31.2.3{i}:554: i/o timeout"'
    )
    gates = [route.format(i=i) for i in range(5)]
    cameras = [stalled.format(i=i) for i in range(5)]
    # (the cameras' timeouts logged first, as many as the lost routes)
    assert _gateway(tmp_path, "both", cameras + gates).startswith("gw/network")
    # timeouts alone: the far side slow or the way lost, which is not said
    assert not _gateway(tmp_path, "timeouts", cameras).startswith("gw/network")
    # refusals answered by the far side are not a lost way's: the way worked
    refused = ['level=error msg="store failed" err="dial tcp 10.12.6.11:5432: connect: connection refused"',
               'level=error msg="publish failed" err="dial tcp 10.12.6.21:5672: connect: connection refused"']  # fmt: skip
    assert not _gateway(tmp_path, "refused", refused + gates).startswith("gw/network")
