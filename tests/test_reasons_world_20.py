"""What world 20's first contact taught (an email platform on Debian hosts whose syslog rsyslog forwards
as JSON with the template most tutorials copy: `sysloghost` and `programname`, no service field;
written after world 19's rules and scored before any rule saw it): no line of its logs could be read,
since no field this reader knows named a service or a pod, so every brief said its logs were missing
(all MEDIUM, a third wrong). Once they were read, a routine package upgrade two hours before the onset
was called the proven cause (HIGH) of a mail store's failing disk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oncall.tools.read_logs.hosts import hosts_field
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
    read_logs_of,
    series,
    setting_change,
    write_bundle,
)

AT = ALERT_AT - 8 * M
WAITED = "Warning: Locking transaction log file /srv/mail/b/bob/dovecot.index.log took 31 seconds (syncing)"


def _syslog(t: datetime, host: str, severity: str, message: str, program: str = "app") -> dict:
    """A message as rsyslog's JSON template forwards it: the host, never the service."""
    return {
        "@timestamp": t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
        "@version": "1",
        "message": f" {message}",
        "sysloghost": host,
        "severity": severity,
        "facility": "daemon",
        "programname": program,
        "procid": "2231",
    }


def test_lines_of_a_shipper_this_reader_does_not_know_are_read_by_the_host_they_name(tmp_path) -> None:
    """No field this reader knows names a service or a pod, but `sysloghost` names hosts called after the
    catalog's services (`api-02`, `db-01`): each service's lines are read, and a host named after no
    service is still nobody's."""
    records = [_syslog(ALERT_AT - 2 * M + i * S, "api-02", "err", "upstream db timed out") for i in range(30)]
    records += [_syslog(ALERT_AT - 2 * M + i * S, "db-01", "warning", "checkpoints are occurring too frequently")
                for i in range(20)]  # fmt: skip
    records += [_syslog(ALERT_AT - 2 * M + i * S, "backup-07", "err", "tape drive offline") for i in range(20)]
    text = read_logs_of(tmp_path, records)
    assert "upstream db timed out" in text["api"] and "30 lines in window (30 ERROR)" in text["api"]
    assert "20 lines in window (20 WARN)" in text["db"]
    assert "tape drive" not in text["api"] + text["db"]


def test_a_field_naming_services_is_not_taken_for_the_source_when_the_lines_name_their_own() -> None:
    """Lines that carry a service field this reader knows keep it: a field that names a peer (`upstream`)
    is not read as where they came from; nor is a field whose values name no catalogued service, nor one
    that only a few of the lines carry."""
    own = [{"service": "api", "upstream": "db", "message": "x"} for _ in range(10)]
    assert hosts_field(own, ["api", "db"]) is None
    unknown = [{"sysloghost": f"backup-0{i}", "message": "x"} for i in range(10)]
    assert hosts_field(unknown, ["api", "db"]) is None
    # a field a few lines use to name a peer says nothing of where the others came from
    assert hosts_field([{"peer": "db", "message": "x"}] * 2 + [{"message": "y"}] * 8, ["api", "db"]) is None
    syslog = [{"sysloghost": "api-02", "programname": "api", "message": "x"} for _ in range(10)]
    assert hosts_field(syslog, ["api", "db"]) in ("sysloghost", "programname")
    assert hosts_field([{"sysloghost": "api-02", "facility": "daemon"}] * 10, ["api", "db"]) == "sysloghost"


def _package_then_errors(tmp_path, *, lag: timedelta, errors: str, filling: bool = False) -> object:
    """api (which uses db) upgrades a package `lag` before AT; from AT its errors say `errors` and its
    error ratio jumps; with `filling`, its disk fills steadily from the upgrade until it is full at AT."""
    disk = []
    if filling:
        t, points = T0, []
        while t <= END:
            share = 0.4 if t < AT - lag else min(0.995, 0.4 + 0.595 * (t - (AT - lag)) / lag)
            points.append((t, round(share, 4)))
            t += M
        disk = series("disk", "api", points)
    return investigated(
        write_bundle(
            tmp_path / "b",
            services={"api": ["db"], "db": []},
            alert=alertmanager("HighErrorRate", "api"),
            logs=quiet_logs("api", "db") + [log(AT + i * 2 * S, "api", "error", errors) for i in range(200)],
            metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.001, AT, 0.3))
            + series("latency_p99_seconds", "api", flat_then(T0, END, 0.05))
            + series("error_ratio", "db", flat_then(T0, END, 0.001))
            + disk,
            changes=[setting_change(AT - lag, "api", "package", "libfoo 1.3.1-1", "libfoo 1.3.2-1", "deploy")],
            signals={
                "error_ratio": 'error_ratio{service="{service}"}',
                "latency_p99": 'latency_p99_seconds{service="{service}"}',
                "disk_utilization": 'disk{service="{service}"}',
            },
        )
    ).diagnosis


@pytest.mark.parametrize(
    ("lag", "errors", "sure"),
    [
        (timedelta(minutes=10), "TypeError: cannot read properties of undefined (reading 'id')", "HIGH"),
        (timedelta(hours=2), "TypeError: cannot read properties of undefined (reading 'id')", "MEDIUM"),
        (timedelta(hours=2), "ImportError: libfoo.so.1.3.2: undefined symbol: foo_init", "HIGH"),
    ],
)
def test_a_change_the_service_ran_through_for_hours_is_likely_not_proven(tmp_path, lag, errors, sure) -> None:
    """The same upgrade and the same errors: minutes before them it is the cause (HIGH); two hours before,
    with nothing in the errors about it, the service ran through it healthy, so it is the likely cause
    (MEDIUM); two hours before, with the errors naming what it changed, it is the cause again (HIGH)."""
    d = _package_then_errors(tmp_path, lag=lag, errors=errors)
    assert (d.root_cause.service, d.root_cause.category) == ("api", "recent_change")
    assert d.root_cause.confidence == sure


def test_a_change_whose_disk_filled_from_it_until_it_was_full_did_not_run_through_it(tmp_path) -> None:
    """Two hours after the upgrade the disk is full, having filled steadily since: the service did not run
    through the change healthy, so the change stays the proven cause."""
    d = _package_then_errors(
        tmp_path, lag=timedelta(hours=2), errors="write /var/log/app.log: no space left on device", filling=True
    )
    assert (d.root_cause.service, d.root_cause.category, d.root_cause.confidence) == ("api", "recent_change", "HIGH")


def _store_slows(
    tmp_path, *, store_fails: bool = True, imap_says: str | None = WAITED, store_logs: bool = True
) -> object:
    """webmail uses imap, imap uses store. From AT imap logs `imap_says`; store's latency, sampled each
    minute, is abnormal from AT + 1 min (twenty-five times its usual) and, with `store_fails`, its kernel
    logs that its NFS server is stuck from AT + 3 min; imap slows from AT + 1 min and webmail fails on
    it from AT + 2 min."""
    store_lines = [log(AT + 3 * M + i * 20 * S, "store", "error", "INFO: task nfsd:2231 blocked for more than "
                       "120 seconds.") for i in range(20)] if store_fails and store_logs else []  # fmt: skip
    return investigated(
        write_bundle(
            tmp_path / "b",
            services={"webmail": ["imap"], "imap": ["store"], "store": []},
            alert=alertmanager("WebmailSlow", "webmail"),
            logs=quiet_logs("webmail", "imap", "store")
            + store_lines
            + [log(AT + i * 3 * S, "imap", "warn", imap_says) for i in range(300) if imap_says]
            + [
                log(AT + 2 * M + i * 10 * S, "webmail", "error", "IMAP Error: Empty startup greeting (imap:143)")
                for i in range(60)
            ],
            metric_lines=series(
                "latency_p99_seconds", "store", flat_then(T0, END, 0.004, AT + M, 0.1 if store_fails else 0.004)
            )
            + series("latency_p99_seconds", "imap", flat_then(T0, END, 0.02, AT + M, 0.27))
            + series("latency_p99_seconds", "webmail", flat_then(T0, END, 0.3, AT + 2 * M, 2.7))
            + series("error_ratio", "webmail", flat_then(T0, END, 0.004, AT + 2 * M, 0.14)),
        )
    ).diagnosis


def test_a_service_that_only_waited_on_a_store_that_broke_with_it_is_the_stores_victim(tmp_path) -> None:
    """imap's lines say only that it waited, and its store showed its own failure within a sample of them
    (its latency is sampled once a minute): the store is where it began, though imap's lines came a
    minute before the store's first abnormal sample. Read from timing, so not HIGH."""
    d = _store_slows(tmp_path)
    assert d.root_cause.service == "store" and d.root_cause.confidence != "HIGH"


def test_a_service_with_its_own_failure_or_a_healthy_store_is_not_the_stores_victim(tmp_path) -> None:
    """imap's own lines saying what is wrong with it (its heap), a store that did not slow, or a store that
    slowed with nothing of its own to say it failed (no error of its own, no resource at a limit), leave
    imap the cause."""
    heap = "java.lang.OutOfMemoryError: Java heap space"
    assert _store_slows(tmp_path / "a", imap_says=heap).root_cause.service == "imap"
    assert _store_slows(tmp_path / "b", store_fails=False).root_cause.service == "imap"
    assert _store_slows(tmp_path / "c", store_logs=False).root_cause.service == "imap"


def test_a_service_whose_store_broke_within_a_sample_of_it_is_not_certainly_the_cause(tmp_path) -> None:
    """imap logs nothing (so it is not shown to have only waited), its callers fail on it, and its store
    broke the same minute with errors of its own: the store scores as much as imap, so naming imap,
    against a runner-up that close, is not HIGH."""
    d = _store_slows(tmp_path, imap_says=None)
    assert d.root_cause.confidence != "HIGH"
