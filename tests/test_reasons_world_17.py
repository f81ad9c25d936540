"""What world 17's first contact taught (an online-learning platform bundled the plain way DESIGN.md
describes; nginx, php-fpm, Rails, Celery, MySQL and RabbitMQ lines; written after world 16's rules and
scored before any rule saw it): a worker killed for memory was called a dependency failure at HIGH,
because the milliseconds of the time its log format stamps on every line (`16:08:05,429`) read as an
HTTP 429, a rate limit. And on a later seed, a payment provider's outage was blamed on its caller,
whose name (api) is also the left label of the provider's host name (`api.paygate.example`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oncall.analysts.offline.findings import attribute
from oncall.core.catalog import mentions
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
    write_bundle,
)

AT = ALERT_AT - 6 * M
SIGNALS = {"memory_utilization": 'memory{service="{service}"}', "restarts": 'restarts{service="{service}"}'}


def _worker(tmp_path, stamp: str, text: str):
    """A worker whose memory climbed to its limit and that restarts, logging `text` stamped as Celery does."""
    quiet = quiet_logs("w", "mq")
    lines = [log(AT + i * 20 * timedelta(seconds=1), "w", "error", f"[2026-11-17 03:{41 + i // 3:02d}:{stamp}: "
                 f"ERROR/MainProcess] {text}") for i in range(30)]  # fmt: skip
    return write_bundle(
        tmp_path / "b",
        services={"w": ["mq"], "mq": []},
        alert=alertmanager("ContainerRestartingOften", "w"),
        logs=quiet + lines,
        metric_lines=series("memory", "w", flat_then(T0, END, 0.55, AT - 2 * M, 1.0))
        + series("memory", "mq", flat_then(T0, END, 0.4))
        + series("restarts", "w", flat_then(T0, END, 0.0, AT, 3.0))
        + series("restarts", "mq", flat_then(T0, END, 0.0)),
        signals=SIGNALS,
    )


KILLED = "Process 'ForkPoolWorker-2' pid:412 exited with 'signal 9 (SIGKILL)'"


@pytest.mark.parametrize("stamp", ["05,429", "05.503", "05,504"])
def test_the_milliseconds_a_log_format_stamps_are_no_status_code(tmp_path, stamp) -> None:
    """A worker killed over and over while its memory sits at its limit ran out of memory, whatever the
    milliseconds of its lines' times happen to be (429, 503, 502 are times here, not HTTP statuses)."""
    d = investigated(_worker(tmp_path, stamp, KILLED)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("w", "resource_exhaustion")


def test_a_status_the_line_states_is_still_read(tmp_path) -> None:
    """The same worker whose lines say, after their time, that its calls are refused with a 429: the status
    the line states is still read (what the calls failed with), only the time's digits are not."""
    d = investigated(_worker(tmp_path, "05,120", "upload to blob failed: HTTP 429 Too Many Requests")).diagnosis
    assert d.root_cause.category == "dependency_failure"


PROVIDER_DOWN = "Failed to open TCP connection to api.paygate.example:443 (execution expired)"


def test_a_host_names_the_domain_on_its_right_not_a_service_called_by_its_left_label() -> None:
    """`api.paygate.example` is paygate's API host: the provider's failing calls are not about our service
    called api, and api's errors naming that host are about paygate. A cluster's own DNS names still
    name their service (`orders.prod.svc.cluster.local` is orders)."""
    assert not mentions("api", PROVIDER_DOWN, ["api", "paygate"])
    assert mentions("paygate", PROVIDER_DOWN, ["api", "paygate"])
    assert attribute(PROVIDER_DOWN, ["api"], "paygate")[1] is None
    assert attribute(PROVIDER_DOWN, ["paygate"], "api")[:2] == ("peer", "paygate")
    lookup = "dial tcp: lookup orders.prod.svc.cluster.local: no such host"
    assert mentions("orders", lookup, ["orders", "api"]) and mentions("api", "api.internal timed out", ["api"])
