"""What world 70's first contact taught (a French veterinary SaaS on OVHcloud's Managed Kubernetes, its logs
Seq's HTTP API read back: event entities with their properties as a list of name and value entries; written after
world 69's rules and scored before any rule saw it): 6 of 14 right on each of seeds 1-4, no wrong HIGH, every line
read as no service's. Its reasons: a list of name and value entries is an object written as a list (Seq's
properties, AWS's tags), and Seq's rendered message is a line's text; and a broker blocking its publishers at its
disk or memory alarm refuses writes for its limit, as a store does."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from oncall.analysts.offline.patterns import STORE_FULL, STORE_NO_SPACE, classify
from oncall.tools.read_logs.paired import as_maps, pairs
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
    read_logs_of,
    series,
    setting_change,
    signals,
    write_bundle,
)

HOUR = timedelta(hours=1)


def _event(t: datetime, service: str, message: str, level: str = "", exception: str = "") -> dict:
    """An event entity of Seq's API (render=true): Level left out at Information, properties as entries."""
    event: dict = {
        "Timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.0000000+00:00"),
        "Properties": [
            {"Name": "SourceContext", "Value": f"VetCare.{service}"},
            {"Name": "Application", "Value": service},
            {"Name": "MachineName", "Value": f"{service}-6d8f9c7b5-2xk4q"},
            {"Name": "ElapsedMs", "Value": 12},
        ],
        "MessageTemplateTokens": [{"Text": message}],
        "EventType": "$A3BBF697",
    }
    if level:
        event["Level"] = level
    if exception:
        event["Exception"] = exception
    return event | {"RenderedMessage": message, "Id": "event-0a1b", "Links": {"Self": "api/events/event-0a1b"}}


def test_a_list_of_name_and_value_entries_is_read_as_the_object_it_stands_for(tmp_path: Path) -> None:
    at = ALERT_AT - 8 * M
    events = [_event(at - (40 - i) * M, s, "record updated") for i in range(40) for s in ("api", "db")]
    pool = "Npgsql.NpgsqlException (0x80004005): The connection pool has been exhausted"
    events += [_event(at + i * M / 6, "api", "An unhandled exception has occurred", "Error", pool) for i in range(30)]
    events += [_event(at + i * M / 4, "api", "Slow query: 1200 ms", "Warning") for i in range(20)]
    reads = read_logs_of(tmp_path / "a", events)["api"]
    assert "An unhandled exception has occurred: Npgsql.NpgsqlException" in reads, reads
    assert "(30 ERROR, 22 INFO, 20 WARN)" in reads, reads  # Information left out: the words decide, and say none
    # the same entries in AWS's spelling are a map too; entries with more than a name and a value are not
    tags = [{"tags": [{"key": "service", "value": "api"}]}, {"tags": [{"key": "service", "value": "db"}]}]
    assert [p.name for p in pairs(tags)] == ["tags"] and as_maps(tags, pairs(tags))[0]["tags"] == {"service": "api"}
    rows = [{"items": [{"Name": "a", "Value": 1, "Unit": "ms"}]}] * 2
    assert pairs(rows) == []
    assert pairs([{"items": []}] * 2) == []  # an empty list says nothing of what it holds


def test_a_broker_blocking_its_publishers_at_its_alarm_refuses_writes_for_its_limit() -> None:
    blocked = "RabbitMQ connection blocked: low on disk; publishing reminder for booking B-1 waits"
    assert STORE_NO_SPACE.search(blocked) and classify(blocked) == "resource_exhaustion"
    assert STORE_FULL.search("connection.blocked received: low on memory")


def _climb(start: datetime, full: datetime, low: float = 0.3, top: float = 0.97) -> list[tuple[datetime, float]]:
    """A disk flat at `low`, then filling steadily from `start` to `top` at `full` (and held there)."""
    out, t, i = [], T0, 0
    while t <= END:
        share = min(1.0, max(0.0, (t - start) / (full - start)))
        out.append((t, round((low + (top - low) * share) * (1 + 0.02 * ((i % 5) - 2) / 2), 6)))
        t += M
        i += 1
    return out


def _blocked(tmp_path: Path, name: str, changes: list[dict], said: str) -> str:
    """broker's disk filling for three hours until, eight minutes before the alert, bookings (which publishes
    to it) says `said`; reminders (which consumes from it) quiet."""
    at, began = ALERT_AT - 8 * M, ALERT_AT - 3 * HOUR
    root = write_bundle(
        tmp_path / name,
        services={"bookings": ["broker"], "reminders": ["broker"], "broker": []},
        alert=alertmanager("BookingsSlow", "bookings"),
        logs=sorted(
            quiet_logs("bookings", "reminders", "broker")
            + [log(at + i * M / 6, "bookings", "warn", said) for i in range(40)]
            + [
                log(at + M + i * M / 6, "bookings", "error", "Booking failed: publishing timed out after 15000 ms")
                for i in range(30)
            ],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("disk_utilization", "broker", _climb(began, at))
        + series("error_ratio", "bookings", flat_then(T0, END, 0.002, at + M, 0.3))
        + series("latency_p99", "bookings", flat_then(T0, END, 0.15, at, 3.5)),
        changes=changes,
        signals=signals("error_ratio", "latency_p99", "disk_utilization"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}"


def test_a_consumer_s_change_that_began_its_broker_s_fill_blocked_the_broker_s_publishers(tmp_path: Path) -> None:
    moved = setting_change(ALERT_AT - 3 * HOUR, "reminders", "keda.queueName", "reminders.sms", "reminders.sms.v2")
    said = "RabbitMQ connection blocked: low on disk; publishing reminder waits"
    assert _blocked(tmp_path, "moved", [moved], said) == "reminders/recent_change"
    # nothing changed where the fill began: the broker's disk is the news
    assert _blocked(tmp_path, "none", [], said) == "broker/resource_exhaustion"
    # the publisher does not say the broker refused it for its disk: nothing ties the fill to its failures
    assert _blocked(tmp_path, "unsaid", [moved], "publishing reminder waits") != "reminders/recent_change"
