"""What world 18's first contact taught (a travel-booking platform bundled the plain DESIGN.md way;
ModSecurity, Spring Boot, uvicorn, logrus, PostgreSQL naming the client of each statement; written after
world 17's rules and scored before any rule saw it): half its cases were wrong, a third at HIGH. A
database pinned right after one of its users' releases was blamed on itself, or on another user's
routine deploy of an hour and a half before; the database's own lines naming the session that ran a
statement (`booking-api@booking`) were read as errors about that client; and a WAF rule turning
bookings away was called no incident, the service behind it seeing only its traffic fall."""

from __future__ import annotations

from datetime import timedelta

from oncall.analysts.offline.findings import attribute
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    alertmanager,
    flat_then,
    investigated,
    log,
    quiet_logs,
    series,
    setting_change,
    write_bundle,
)

AT = ALERT_AT - 8 * M
SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "latency_p99": 'latency{service="{service}"}',
    "cpu_utilization": 'cpu{service="{service}"}',
}


def _store(tmp_path, *, released: bool = True, surge: bool = False, surge_at=AT - 2 * M):
    """db's CPU pins at AT; api (the alerting service) slows and its statements time out a minute later;
    report, the other user of db, shows nothing itself; with `surge`, api's requests triple from `surge_at`."""
    changes = [setting_change(AT - 3 * M, "report", "version", "1.31.0", "1.32.0", "deploy")] if released else []
    timeout = "Booking failed: org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout"
    logs = quiet_logs("api", "report", "db") + [log(AT + M + i * 10 * timedelta(seconds=1), "api", "error", timeout)
                                             for i in range(40)]  # fmt: skip
    logs += [log(AT + M + i * 20 * timedelta(seconds=1), "db", "error", "2026-11-17 03:41:00.120 UTC [4121] "
                 "api@booking ERROR:  canceling statement due to statement timeout") for i in range(20)]  # fmt: skip
    return write_bundle(
        tmp_path / "b",
        services={"api": ["db"], "report": ["db"], "db": []},
        alert=alertmanager("HighLatency", "api"),
        logs=logs,
        metric_lines=series("cpu", "db", flat_then(T0, END, 0.4, AT, 0.97))
        + series("latency", "api", flat_then(T0, END, 0.2, AT + M, 1.8))
        + series("requests", "api", flat_then(T0, END, 80.0, *((surge_at, 240.0) if surge else (None, None))))
        + series("requests", "report", flat_then(T0, END, 2.0))
        + series("cpu", "api", flat_then(T0, END, 0.4))
        + series("cpu", "report", flat_then(T0, END, 0.3)),
        changes=changes,
        signals=SIGNALS,
    )


def test_a_store_pinned_right_after_one_of_its_users_released_was_sent_heavier_work(tmp_path) -> None:
    """No one sent db more requests and nothing else near it changed: report's release, three minutes
    before db's CPU pinned, sends it heavier work (a lost index, a new export). It is rolled back; read
    from timing, so not HIGH."""
    d = investigated(_store(tmp_path)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("report", "recent_change")
    assert d.root_cause.confidence != "HIGH" and d.actions[0].kind == "rollback"


def test_a_store_pinned_with_no_release_before_it_or_under_more_requests_is_not_a_users_release(tmp_path) -> None:
    """Without report's release nothing points at report; with api's requests tripled before db pinned,
    the load is more requests, not heavier ones, and report's release is not what sent it."""
    assert investigated(_store(tmp_path / "a", released=False)).diagnosis.root_cause.service != "report"
    assert investigated(_store(tmp_path / "b", surge=True)).diagnosis.root_cause.service != "report"


def test_the_session_a_database_names_is_who_ran_the_statement_not_what_failed() -> None:
    """PostgreSQL's `%a@%d` prefix names the application whose statement it cancelled: the database's error
    is not about api. A name after the @ (a broker's host in a URL) still names that service."""
    line = "2026-11-17 03:41:00.120 UTC [4121] api@booking ERROR:  canceling statement due to statement timeout"
    assert attribute(line, ["api"], "db")[1] is None
    assert attribute("amqp://guest@rabbitmq:5672 connection refused", ["rabbitmq"], "api")[:2] == ("peer", "rabbitmq")


def _front(tmp_path, *, changed: bool = True, text: str = "ModSecurity: Access denied with code 403 (phase 2)"):
    """waf stands in front of api; api's requests fall by half (to just above half) at AT; waf's new lines
    from a minute before say `text`."""
    changes = [setting_change(AT - 3 * M, "waf", "tx.paranoia_level", "1", "3")] if changed else []
    return write_bundle(
        tmp_path / "b",
        services={"waf": ["api"], "api": []},
        alert=alertmanager("BookingsBelowForecast", "api"),
        logs=quiet_logs("waf", "api")
        + [log(AT - M + i * 5 * timedelta(seconds=1), "waf", "warn", text) for i in range(200)],
        metric_lines=series("requests", "api", flat_then(T0, END, 60.0, AT, 32.0))
        + series("requests", "waf", flat_then(T0, END, 300.0))
        + series("latency", "api", flat_then(T0, END, 0.2))
        + series("latency", "waf", flat_then(T0, END, 0.15)),
        changes=changes,
        signals=SIGNALS,
    )


def test_requests_turned_away_right_after_a_change_in_front_are_that_change(tmp_path) -> None:
    """Right after waf's rule change it began denying requests, and api's traffic fell: the change turns
    users away before they reach api. It is an incident (never "no incident"), the change rolled back."""
    d = investigated(_front(tmp_path)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("waf", "recent_change")
    assert d.root_cause.confidence != "HIGH" and d.actions[0].kind == "rollback"


def test_a_change_in_front_whose_lines_refuse_nothing_is_not_blamed_for_less_traffic(tmp_path) -> None:
    """The same fall and change, but waf's new lines say nothing of refusing requests; or they do, with no
    change before them: neither makes the change in front the cause."""
    other = investigated(_front(tmp_path / "a", text="upstream response is buffered to a temporary file")).diagnosis
    assert (other.root_cause.service, other.root_cause.category) != ("waf", "recent_change")
    unchanged = investigated(_front(tmp_path / "b", changed=False)).diagnosis
    assert (unchanged.root_cause.service, unchanged.root_cause.category) != ("waf", "recent_change")
