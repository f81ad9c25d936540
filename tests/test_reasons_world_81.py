"""What world 81's first contact taught (a Nairobi pay-as-you-go solar company on k3s, its logs ClickStack's otel_logs
rows; written after world 80's rules and scored before any rule saw it): 0.500 / 0.571 / 0.643 / 0.714 on seeds 1-4,
four or five wrong HIGHs a seed. Its reasons: the ClickHouse exporter keeps a record's exception in LogAttributes, and
PostgreSQL's JSON log names its severity error_severity wherever a wrapper nests it; a client refused right after the
server it logs in to rotated its credential holds the old one; a timeout in a service at its limit under load that
came first is that load over capacity; statements waiting on locks wait for the one user of the store that got busy
as they began; a broker at its memory alarm was filled by the consumer that had stopped draining it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.patterns import BROKER_ALARM, LOCK_WAITED, TIMED_OUT
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
    signals,
    verdict,
    write_bundle,
)


def _row(t: datetime, service: str, body: str, level: str = "", error: str = "") -> dict:
    """One row of ClickStack's otel_logs as `FORMAT JSONEachRow` writes it (a filelog row has no service, no level)."""
    attributes = {"exception.type": "Error", "exception.message": error} if error else {}
    return {"Timestamp": f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond:06d}000", "SeverityText": level,
            "SeverityNumber": {"ERROR": 17, "INFO": 9}.get(level, 0), "ServiceName": service if level else "",
            "Body": body, "ResourceAttributes": {"k8s.pod.name": f"{service}-7c9d5f6b8-x7k2q"},
            "LogAttributes": attributes}  # fmt: skip


def _cnpg(t: datetime, severity: str, message: str) -> str:
    """CloudNativePG's JSON line of PostgreSQL's record: its own level is info on every record."""
    return json.dumps({"level": "info", "ts": f"{t:%Y-%m-%dT%H:%M:%S}Z", "logger": "postgres", "msg": "record",
                       "logging_pod": "db-1", "record": {"log_time": f"{t:%Y-%m-%d %H:%M:%S}.000 UTC",
                                                         "user_name": "app", "database_name": "shop",
                                                         "process_id": "4711", "error_severity": severity,
                                                         "message": message}})  # fmt: skip


def test_an_otel_logs_row_s_exception_and_a_nested_postgres_severity_are_read(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    rows = [_row(ALERT_AT - 120 * M + i * M, "api", "sale recorded", "INFO") for i in range(60)]
    rows += [_row(ALERT_AT - 120 * M + i * M, "db", _cnpg(ALERT_AT - 120 * M + i * M, "LOG", "checkpoint complete"))
             for i in range(60)]  # fmt: skip
    rows += [_row(at + i * 10 * S, "api", "amqp connect failed", "ERROR", "ACCESS_REFUSED - Login was refused")
             for i in range(20)]  # fmt: skip
    rows += [_row(at + i * 10 * S, "db", _cnpg(at + i * 10 * S, "ERROR", "canceling statement due to lock timeout"))
             for i in range(12)]  # fmt: skip
    text = read_logs_of(tmp_path, sorted(rows, key=lambda r: (r["ServiceName"], r["Timestamp"])))
    assert "amqp connect failed: ACCESS_REFUSED - Login was refused" in text["api"], text["api"]
    assert "12 ERROR" in text["db"], text["db"]


def _rotated(tmp_path: Path, name: str, rotated: bool = True, refused: bool = True) -> tuple[str, list[str]]:
    """The broker's password changed six minutes before sms began to fail (its login refused, or a queue it declares
    refused); the broker logs the refusals; pay, which uses it too, is fine."""
    said = (
        "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN"
        if refused
        else "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'sms.tokens'"
    )
    at = ALERT_AT - 10 * M
    change = setting_change(
        at - 6 * M, "broker", "auth.password", "<old>", "<new>", kind="secret" if rotated else "config"
    )
    root = write_bundle(
        tmp_path / name,
        services={"sms": ["broker"], "pay": ["broker"], "broker": []},
        alert=alertmanager("SmsQueueBacklog", "broker"),
        logs=quiet_logs("sms", "pay", "broker")
        + [log(at + i * 15 * S, "sms", "error", f"amqp connect failed, retrying in 5s: {said}") for i in range(30)]
        + [log(at + i * 15 * S, "broker", "error", "PLAIN login refused: user 'sms' - invalid credentials")
           for i in range(30)],
        metric_lines=series("request_rate", "sms", flat_then(T0, END, 30.0, at, 1.5))
        + series("request_rate", "pay", flat_then(T0, END, 40.0))
        + series("error_ratio", "pay", flat_then(T0, END, 0.002)),
        changes=[change],
        signals=signals("request_rate", "error_ratio"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", [
        f"{a.kind} {a.target}: {a.description}" for a in d.actions
    ]


def test_a_client_refused_after_its_server_rotated_the_credential_holds_the_old_one(tmp_path: Path) -> None:
    cause, actions = _rotated(tmp_path, "rotated")
    assert cause == "sms/expired_credential", cause
    assert actions[0].startswith("restart sms: Restart sms to read the credential broker was rotated to"), actions
    # a setting changed on the broker, not a credential rotated: nothing says sms holds an old one
    assert not _rotated(tmp_path, "set", rotated=False)[1][0].startswith("restart sms")
    # refused something else than its login: not the credential it presents
    assert _rotated(tmp_path, "other", refused=False)[0] != "sms/expired_credential"


def _surge(tmp_path: Path, name: str, said: str) -> str:
    """pay's requests quadrupled, then its CPU reached its limit and two of its calls began to fail with `said`."""
    at = ALERT_AT - 15 * M
    root = write_bundle(
        tmp_path / name,
        services={"pay": ["db"], "db": []},
        alert=alertmanager("PayLatencyHigh", "pay"),
        logs=quiet_logs("pay", "db")
        + [
            log(at + 6 * M + i * 10 * S, "pay", "error", f"{call} failed: {said}")
            for i in range(50)
            for call in ("post payment", "read balance")
        ],
        metric_lines=series("request_rate", "pay", flat_then(T0, END, 30.0, at, 120.0))
        + series("cpu_utilization", "pay", flat_then(T0, END, 0.3, at + 4 * M, 0.99))
        + series("latency_p99", "pay", flat_then(T0, END, 0.05, at + 5 * M, 8.0))
        + series("error_ratio", "pay", flat_then(T0, END, 0.002, at + 6 * M, 0.08))
        + series("cpu_utilization", "db", flat_then(T0, END, 0.3)),
        signals=signals("request_rate", "cpu_utilization", "latency_p99", "error_ratio"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}"


def test_a_timeout_in_a_service_at_its_limit_under_load_that_came_first_is_that_load(tmp_path: Path) -> None:
    assert _surge(tmp_path, "own", "context deadline exceeded") == "pay/capacity"
    # not a timeout: what it called answered that it failed
    assert _surge(tmp_path, "answered", "the provider answered 503 Service Unavailable") != "pay/capacity"


def test_a_call_out_of_time_is_told_in_each_runtime_s_words() -> None:
    for said in (
        "context deadline exceeded",
        "rpc error: code = DEADLINE_EXCEEDED desc = ...",
        "java.net.SocketTimeoutException: Read timed out",
        "connect ETIMEDOUT 10.42.0.7:5432",
        "upstream request timeout",
    ):
        assert TIMED_OUT.search(said), said
    for said in ("retries=3 timeouts=0", "connection refused", "503 Service Unavailable"):
        assert not TIMED_OUT.search(said), said


def _locked(
    tmp_path: Path,
    name: str,
    busy_at: int = 0,
    job: str = "busy",
    second_job: bool = False,
    caller_fails: bool = False,
    db_busy: bool = False,
    released: int = -9 * 60,
) -> str:
    """pay's statements time out on locks from `at`; job, which uses the same database through its pooler, got
    busy `busy_at` minutes after that (and, as `job` says, failed, waited on the pooler or slowed) and was released
    `released` minutes from it."""
    at = ALERT_AT - 12 * M
    said = {"fails": "accrual failed: disk quota", "waits": "accrual stalled: pool exhausted waiting on pooler"}
    job_logs = [log(at + i * 20 * S, "job", "error", said[job]) for i in range(20)] if job in said else []
    root = write_bundle(
        tmp_path / name,
        services={"web": ["pay"], "pay": ["pooler"], "job": ["pooler"],
                  "job2": ["pooler"], "pooler": ["db"], "db": [], "cache": []},
        alert=alertmanager("PayErrors", "pay"),
        logs=quiet_logs("pay", "job", "pooler", "db") + job_logs
        + [log(at + i * 10 * S, "pay", "error", "post payment failed: ERROR: canceling statement due to lock timeout "
               "(SQLSTATE 55P03)") for i in range(60)],
        metric_lines=series("error_ratio", "pay", flat_then(T0, END, 0.002, at, 0.4))
        + series("cpu_utilization", "job", flat_then(T0, END, 0.3, at + busy_at * M, 0.7))
        + series("cpu_utilization", "job2", flat_then(T0, END, 0.3, at, 0.7) if second_job else flat_then(T0, END, 0.3))
        + series("error_ratio", "web", flat_then(T0, END, 0.002, at, 0.2) if caller_fails else flat_then(T0, END, 0.002))
        + series("cpu_utilization", "pooler", flat_then(T0, END, 0.3))
        + series("cpu_utilization", "db", flat_then(T0, END, 0.3, at, 0.6) if db_busy else flat_then(T0, END, 0.3))
        + series("error_ratio", "job", flat_then(T0, END, 0.002))
        + series("latency_p99", "job", flat_then(T0, END, 0.2, at, 4.0) if job == "slow" else flat_then(T0, END, 0.2)),
        changes=[setting_change(at + released * M, "job", "image.tag", "2.13.4", "2.14.0", kind="deploy")],
        signals=signals("error_ratio", "cpu_utilization", "latency_p99"),
    )  # fmt: skip
    return verdict(root)


def test_statements_waiting_on_locks_wait_for_the_user_of_the_store_that_got_busy_as_they_began(
    tmp_path: Path,
) -> None:
    # (only timing ties them: likely, never HIGH)
    assert _locked(tmp_path, "held") == "job/recent_change"
    # a caller failing as pay does is pay's symptom, not another user of the store; the database, busy as it may
    # be, is the store they wait on
    assert _locked(tmp_path, "caller", caller_fails=True) == "job/recent_change"
    assert _locked(tmp_path, "db-busy", db_busy=True) == "job/recent_change"
    # busy half an hour before: not what they waited on
    assert not _locked(tmp_path, "early", busy_at=-30).startswith("job/")
    # failing itself, waiting on the store too, or slower itself: its own trouble, not a holder of locks
    for state in ("fails", "waits", "slow"):
        assert not _locked(tmp_path, state, job=state).startswith("job/recent_change"), state
    # two got busy: nothing says which holds them
    assert not _locked(tmp_path, "two", second_job=True).startswith("job/")
    # released after the waits began: not what changed how it takes its locks (the holder, no cause named)
    assert _locked(tmp_path, "after", released=5) == "job/unknown"


def test_a_lock_waited_on_is_told_in_each_database_s_words() -> None:
    for said in (
        "ERROR: canceling statement due to lock timeout",
        "process 4711 still waiting for ShareLock on transaction 889 after 1000.123 ms",
        "Lock wait timeout exceeded; try restarting transaction",
        'ERROR: could not obtain lock on row in relation "loans"',
        "Lock request time out period exceeded.",
    ):
        assert LOCK_WAITED.search(said), said
    for said in ("deadlock detected", "clock skew detected", "blocked by broker (low on memory)"):
        assert not LOCK_WAITED.search(said), said


def _filled(
    tmp_path: Path,
    name: str,
    stalled_first: bool = True,
    alarm: bool = True,
    of_broker: bool = False,
    two: bool = False,
) -> str:
    """sms, which consumes from the broker, timed out on its provider from `at` (or, `of_broker`, lost its broker
    connection; `two`: so did mail, another consumer); nine minutes later the broker raised its memory alarm and
    pay's publishes to it were blocked."""
    at = ALERT_AT - 20 * M
    start = at if stalled_first else at + 9 * M
    said = "memory resource limit alarm set on node rabbit@broker-0" if alarm else "vhost / has 412 connections"
    stalled = "consume from broker failed: connection reset" if of_broker else "send to provider timed out, requeued"
    consumers = ("sms", "mail") if two else ("sms",)
    root = write_bundle(
        tmp_path / name,
        services={"pay": ["broker"], "sms": ["broker", "provider"], "mail": ["broker", "provider"], "broker": [],
                  "provider": []},
        alert=alertmanager("PayLatencyHigh", "pay"),
        logs=quiet_logs("pay", "sms", "mail", "broker")
        + [log(start + i * 10 * S, c, "warn", stalled) for i in range(100) for c in consumers]
        + [log(at + 9 * M + i * 2 * M, "broker", "warn", said) for i in range(10)]
        + [log(at + 9 * M + i * 10 * S, "pay", "error", "publish to broker failed: connection blocked (low on memory)")
           for i in range(60)],
        metric_lines=[line for c in consumers for line in series("latency_p99", c, flat_then(T0, END, 0.3, start, 30.0))]
        + series("latency_p99", "pay", flat_then(T0, END, 0.04, at + 9 * M, 10.0))
        + series("error_ratio", "pay", flat_then(T0, END, 0.002, at + 9 * M, 0.3))
        + series("request_rate", "broker", flat_then(T0, END, 90.0)),
        signals=signals("latency_p99", "error_ratio", "request_rate"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    pay = next((c.ruled_down for c in d.alternatives if c.service == "pay"), None)
    return f"{d.root_cause.service}: pay {pay}"


def test_a_broker_at_its_memory_alarm_was_filled_by_the_consumer_that_stopped_draining_it(tmp_path: Path) -> None:
    blocked = "provider: pay it broke just after sms stopped draining broker"
    assert _filled(tmp_path, "filled") == blocked
    # the consumer slowed with the publishers, not before: nothing says it filled the broker
    assert _filled(tmp_path, "together", stalled_first=False) != blocked
    # no alarm: the broker did not run out of room
    assert _filled(tmp_path, "no-alarm", alarm=False) != blocked
    # the consumer could not reach the broker: the broker's own trouble, not a backlog it left
    assert "stopped draining" not in _filled(tmp_path, "of-broker", of_broker=True)
    # two consumers stalled: nothing says which one's backlog filled it
    assert "stopped draining" not in _filled(tmp_path, "two", two=True)


def test_a_broker_s_alarm_is_told_in_its_words() -> None:
    for said in (
        "memory resource limit alarm set on node 'rabbit@rabbitmq-0'.",
        "disk resource limit alarm set on node 'rabbit@rabbitmq-0'.",
        "Free disk space alarm set",
        "Publishers will be blocked until this alarm clears",
    ):
        assert BROKER_ALARM.search(said), said
    for said in ("memory high watermark set to 0.4", "alarm cleared: disk", "queue sms.tokens is long"):
        assert not BROKER_ALARM.search(said), said
