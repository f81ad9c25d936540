"""What world 87's first contact taught (a Lisbon tutoring marketplace on Railway, its logs the environment's logs
saved from Railway's GraphQL API; written after world 86's rules and scored before any rule saw it): 0.929 / 1.000
/ 1.000 / 1.000 on seeds 1-4 and 0.929 / 0.929 on seeds 5 and 6, no wrong HIGH; every line was read right. Its
lesson: a p99 that rose by less than twice and no more than the requests did, with nothing failing, saturated or
slower anywhere else, is the extra load's queueing (a newsletter's evening), not an incident."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, alertmanager, flat_then, quiet_logs, series, signals, verdict, write_bundle


def _evening(tmp_path: Path, name: str, requests: float = 2.0, p99: float = 1.8, errors: bool = False,
             db_slower: bool = False, memory: bool = False) -> str:  # fmt: skip
    """web and api take `requests` times their usual requests from twelve minutes before the alert; api's p99
    rises `p99` times; `errors`: api's error ratio rises too; `db_slower`: the database api uses slows as well,
    as much; `memory`: api's memory fills."""
    at = AT - 12 * M
    root = write_bundle(
        tmp_path / name,
        services={"web": ["api"], "api": ["db"], "db": []},
        alert=alertmanager("ApiLatencyHigh", "api", severity="warning"),
        logs=quiet_logs("web", "api", "db"),
        metric_lines=series("request_rate", "web", flat_then(T0, END, 70.0, at, 70.0 * requests))
        + series("request_rate", "api", flat_then(T0, END, 50.0, at, 50.0 * requests))
        + series("latency_p99", "api", flat_then(T0, END, 0.07, at + 2 * M, 0.07 * p99))
        + series("error_ratio", "api", flat_then(T0, END, 0.003, at, 0.2 if errors else 0.003))
        + series("latency_p99", "db", flat_then(T0, END, 0.07, at, 0.07 * p99 if db_slower else 0.07))
        + series("cpu_utilization", "api", flat_then(T0, END, 0.3))
        + series("memory_utilization", "api", flat_then(T0, END, 0.5, at, 0.97 if memory else 0.5)),
        signals=signals("request_rate", "latency_p99", "error_ratio", "cpu_utilization", "memory_utilization"),
    )
    return verdict(root)


def test_a_p99_that_rose_no_more_than_the_requests_it_answered_is_the_loads_queueing(tmp_path: Path) -> None:
    assert _evening(tmp_path, "evening") == "api/no_incident"
    # slower by more than the requests grew: each request waits longer than the load explains
    assert _evening(tmp_path, "slower", requests=1.3) != "api/no_incident"
    # twice as slow or more: past what queueing explains, whatever the load
    assert _evening(tmp_path, "twice", requests=3.0, p99=2.5) != "api/no_incident"
    # failing requests: not only waiting
    assert _evening(tmp_path, "errors", errors=True) != "api/no_incident"
    # what it uses slowed too: the wait may be its
    assert _evening(tmp_path, "db", db_slower=True) != "api/no_incident"
    # its memory filled as the requests came: more than waiting
    assert _evening(tmp_path, "memory", memory=True) != "api/no_incident"
