"""What world 13's first contact taught (a shop on AWS Lambda, logs from a CloudWatch Logs Insights export,
functions named with the stack's prefix; written after world 12's rules and scored before any rule saw it):
a service spelled as the catalog's templates spell it, a surge that takes a limit other services share, a
network change that cuts a path several services use, the one change before a consumer broke, and a
verifier holding keys its issuer has rotated."""

from __future__ import annotations

from datetime import timedelta

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

AT = ALERT_AT - 6 * M
SIGNALS = {"request_rate": 'requests{service="{service}"}', "error_ratio": 'error_ratio{service="{service}"}'}


def _every(service: str, text: str, n: int = 120, start=AT, level: str = "error") -> list[dict]:
    return [log(start + i * timedelta(seconds=2), service, level, text) for i in range(n)]


def _steady(*services: str, rate: float = 50.0) -> list[str]:
    return [x for s in services for x in series("requests", s, flat_then(T0, END, rate))]


def _failing(service: str, at=AT) -> list[str]:
    return series("error_ratio", service, flat_then(T0, END, 0.001, at, 0.3))


def test_a_service_is_found_under_the_name_the_catalog_s_templates_give_it(tmp_path) -> None:
    """The catalog says every series carries the stack's prefix (`service="shop-prod-{service}"`); the alert
    and the log group name `shop-prod-orders`. That is orders: its logs and metrics are read, and the
    diagnosis names it, not an unknown service."""

    def row(at, text: str) -> dict:
        return {"@timestamp": at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3], "@message": text,
                "@logStream": "2026/03/02/[$LATEST]0c1d", "@log": "210987654321:/aws/lambda/shop-prod-orders"}  # fmt: skip

    lines = [row(ALERT_AT - timedelta(hours=2) + i * 5 * M, "INFO\torder loaded") for i in range(20)]
    lines += [row(AT + i * timedelta(seconds=2), "ERROR\twrite failed: No space left on device") for i in range(60)]
    root = write_bundle(
        tmp_path / "b",
        services={"orders": []},
        alert=alertmanager("LambdaErrors", "shop-prod-orders"),
        logs=lines,
        metric_lines=series("requests", "shop-prod-orders", flat_then(T0, END, 40.0))
        + series("error_ratio", "shop-prod-orders", flat_then(T0, END, 0.001, AT, 0.4)),
        signals={k: v.replace("{service}", "shop-prod-{service}") for k, v in SIGNALS.items()},
    )
    inv = investigated(root)
    d = inv.diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("orders", "resource_exhaustion")
    logs = next(r for r in inv.results if r.tool == "read_logs" and r.input.get("service") == "orders")
    assert "No space left on device" in (logs.text or "")


def _surge_bundle(tmp_path, surge: float):
    """thumbnailer, which nothing calls, changes its trigger; checkout and orders break four minutes later,
    checkout's errors saying its calls to orders were throttled."""
    return write_bundle(
        tmp_path / "b",
        services={"checkout": ["orders"], "orders": [], "thumbnailer": []},
        alert=alertmanager("LambdaErrorsHigh", "checkout"),
        logs=quiet_logs("checkout", "orders", "thumbnailer")
        + _every("checkout", "calling orders failed: TooManyRequestsException: Rate Exceeded.", start=AT + M),
        metric_lines=_steady("checkout", "orders")
        + series("requests", "thumbnailer", flat_then(T0, END, 3.0, AT - 3 * M, 3.0 * surge))
        + _failing("checkout", AT + M)
        + _failing("orders", AT + M),
        changes=[setting_change(AT - 4 * M, "thumbnailer", "events.s3.prefix", "uploads/", '""', kind="config")],
        signals=SIGNALS,
    )


def test_a_surge_right_after_a_change_takes_a_limit_others_are_throttled_by(tmp_path) -> None:
    """Its own invocations multiplied forty times right after thumbnailer's change, and services the catalog
    does not connect to it were throttled right after: the limit they share went to thumbnailer. Read from
    timing and the kind of failure, so not HIGH."""
    d = investigated(_surge_bundle(tmp_path, 40.0)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("thumbnailer", "recent_change")
    assert d.root_cause.confidence != "HIGH"


def test_a_change_with_no_surge_does_not_take_the_blame_for_throttling(tmp_path) -> None:
    """The same throttling, but thumbnailer's traffic did not move after its change: nothing ties it to them."""
    d = investigated(_surge_bundle(tmp_path, 1.0)).diagnosis
    assert d.root_cause.service != "thumbnailer"


def _path_bundle(tmp_path, key: str, old: str, new: str):
    """An infrastructure change two minutes before catalog and orders, which share no dependency (nor it),
    both began failing to connect; the alert is on the API in front of them."""
    return write_bundle(
        tmp_path / "b",
        services={"api": ["catalog", "orders"], "catalog": ["catalog-table"], "orders": ["orders-table"],
                  "catalog-table": [], "orders-table": [], "network": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=quiet_logs("api", "catalog", "orders")
        + _every("catalog", 'ConnectTimeoutError: Connect timeout on endpoint URL: "https://dynamodb.eu-west-1.amazonaws.com/"')
        + _every("orders", "GetItem failed: TimeoutError: Socket timed out without establishing a connection within 1000 ms"),
        metric_lines=_steady("api", "catalog", "orders") + _failing("catalog") + _failing("orders") + _failing("api", AT + M),
        changes=[setting_change(AT - 2 * M, "network", key, old, new, kind="infra")],
        signals=SIGNALS,
    )  # fmt: skip


def test_a_network_change_that_cut_a_path_several_services_use_is_the_cause(tmp_path) -> None:
    """The VPC's DynamoDB endpoint was removed; right after, two services that share nothing in the catalog
    could not connect. The change is the cause, though no dependency leads to it."""
    d = investigated(_path_bundle(tmp_path, "vpc_endpoints", "[s3, dynamodb]", "[s3]")).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("network", "recent_change")


def test_an_infrastructure_change_that_touches_no_path_is_not_blamed_for_timeouts(tmp_path) -> None:
    """The same timeouts after a change to a log retention setting: it changes nothing of how anyone connects."""
    d = investigated(_path_bundle(tmp_path, "log_retention_days", "30", "14")).diagnosis
    assert d.root_cause.service != "network"


def _queue_bundle(tmp_path, own_deploy: bool):
    changes = [setting_change(AT - 3 * M, "payments-queue", "visibility_timeout_seconds", "180", "20", kind="infra")]
    if own_deploy:
        changes.append(setting_change(AT - 5 * M, "payment-worker", "version", "1.4.0", "1.5.0", kind="deploy"))
    return write_bundle(
        tmp_path / "b",
        services={"payment-worker": ["payments-queue", "stripe"], "payments-queue": [], "stripe": []},
        alert=alertmanager("DeadLetterQueueNotEmpty", "payment-worker"),
        logs=quiet_logs("payment-worker")
        + _every("payment-worker", "Failed to process record: IdempotencyAlreadyInProgressError: already in progress")
        + _every("payment-worker", "stripe returned 409 idempotency_key_in_use; will retry", 40, level="warn"),
        metric_lines=_steady("payment-worker") + _failing("payment-worker"),
        changes=changes,
        signals=SIGNALS,
    )


def test_the_one_change_before_a_consumer_broke_is_the_suspect(tmp_path) -> None:
    """The queue payment-worker consumes, which we have no signal from, had its visibility timeout cut three
    minutes before payment-worker's new errors; nothing else changed. That change is the suspect (likely,
    not proven: nothing says how it broke them), not the provider payment-worker warns about."""
    d = investigated(_queue_bundle(tmp_path, own_deploy=False)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("payments-queue", "recent_change")
    assert d.root_cause.confidence != "HIGH"


def test_two_changes_before_a_consumer_broke_do_not_single_out_the_unwatched_one(tmp_path) -> None:
    """payment-worker deployed new code two minutes before the queue changed: two changes, and nothing to
    choose the queue's."""
    d = investigated(_queue_bundle(tmp_path, own_deploy=True)).diagnosis
    assert d.root_cause.service != "payments-queue"


def test_a_verifier_holding_rotated_signing_keys_is_restarted_first(tmp_path) -> None:
    """Every token is rejected because no key matches its key id, the traceback kept in Powertools'
    `exception` field: a credential out of date, cached in the process. A restart fetches the keys again."""
    traceback = (
        'Traceback (most recent call last):\n  File "/var/task/handler.py", line 61\n'
        'PyJWKClientError: Unable to find a signing key that matches: "k-2026-09"'
    )
    lines = [{**x, "exception": traceback} for x in _every("authorizer", "token rejected")]
    root = write_bundle(
        tmp_path / "b",
        services={"authorizer": ["idp"], "idp": []},
        alert=alertmanager("AuthorizerErrors", "authorizer"),
        logs=quiet_logs("authorizer") + lines,
        metric_lines=_steady("authorizer") + _failing("authorizer"),
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("authorizer", "expired_credential")
    assert d.actions[0].kind == "restart" and "signing keys" in d.actions[0].description
