"""What world 89's first contact taught (a community Mastodon server under Docker Compose, its logs Docker's own
json-file logs concatenated; written after world 88's rules and scored before any rule saw it): 0.583 on each of
seeds 1-4, no wrong HIGH; every line was read right. Its lessons: a worker's command line saying how many it runs
at once (`-c 100`) is a concurrency, and PgBouncer refusing clients at max_client_conn is a server at its
connection limit; services that broke in the same moment broke together, and of two the evidence cannot tell
apart the brief names the one the alert is about; and the workers draining a queue another service fills take on
the work its change let in."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import ALERT_AT as AT
from tests.bundles import (
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    log,
    quiet_logs,
    series,
    setting_change,
    signals,
    verdict,
    write_bundle,
)

POOLER = "pooler error: no more connections allowed (max_client_conn)"


def _threads(tmp_path: Path, name: str, old: str = "bundle exec sidekiq -c 25", new: str = "bundle exec sidekiq -c 100",
             said: str = POOLER) -> str:  # fmt: skip
    """sidekiq's command changed from `old` to `new` two minutes before pgbouncer, which web and sidekiq use,
    began saying `said`, and web's requests failing quoting it."""
    at = AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"web": ["pgbouncer"], "sidekiq": ["pgbouncer"], "pgbouncer": ["db"], "db": []},
        alert=alertmanager("WebErrors", "web"),
        logs=quiet_logs("web", "sidekiq", "pgbouncer", "db")
        + [log(at + i * 10 * S, "pgbouncer", "warn", f"WARNING C-0x55d: (nodb)/(nouser)@172.18.0.5:4812 {said}")
           for i in range(40)]
        + [log(at + i * 10 * S, "web", "error", f"ActiveRecord::ConnectionNotEstablished: connection to server at "
           f'"pgbouncer", port 6432 failed: ERROR:  {said}') for i in range(40)],
        metric_lines=series("error_ratio", "web", flat_then(T0, END, 0.003, at, 0.35))
        + series("error_ratio", "sidekiq", flat_then(T0, END, 0.003)),
        changes=[setting_change(at - 2 * M, "sidekiq", "command", old, new)],
        signals=signals("error_ratio"),
    )  # fmt: skip
    return verdict(root)


def test_a_worker_command_line_that_runs_more_at_once_takes_a_poolers_client_slots(tmp_path: Path) -> None:
    assert _threads(tmp_path, "threads") == "sidekiq/recent_change"
    # Gunicorn's workers, said the same way
    assert _threads(tmp_path, "workers", "gunicorn app:app -w 4", "gunicorn app:app -w 16") == "sidekiq/recent_change"
    # a command that runs no more at once: nothing of its doing
    assert (
        _threads(tmp_path, "queues", "sidekiq -q default", "sidekiq -q default -q mailers") != "sidekiq/recent_change"
    )
    # PostgreSQL's own limit for one role, as its clients quote it
    said = 'FATAL:  too many connections for role "mastodon"'
    assert _threads(tmp_path, "role", said=said) == "sidekiq/recent_change"


def _together(tmp_path: Path, name: str, apart: int = 2, alerting: str = "web") -> str:
    """web and sidekiq, which both use the object store, are refused by it alike, sidekiq `apart` seconds first."""
    at = AT - 8 * M
    said = "Aws::S3::Errors::InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records."
    root = write_bundle(
        tmp_path / name,
        services={"web": ["s3"], "sidekiq": ["s3"], "s3": []},
        alert=alertmanager("MediaErrors", alerting),
        logs=quiet_logs("web", "sidekiq")
        + [log(at + apart * S + i * 10 * S, "web", "error", said) for i in range(40)]
        + [log(at + i * 10 * S, "sidekiq", "error", said) for i in range(40)],
        metric_lines=series("error_ratio", "web", flat_then(T0, END, 0.003, at + apart * S, 0.2))
        + series("error_ratio", "sidekiq", flat_then(T0, END, 0.003, at, 0.2)),
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_two_services_that_broke_in_one_moment_alike_are_told_apart_by_the_alert(tmp_path: Path) -> None:
    assert _together(tmp_path, "web").startswith("web/")
    assert _together(tmp_path, "sidekiq", alerting="sidekiq").startswith("sidekiq/")
    # minutes apart: the first to break is first
    assert _together(tmp_path, "apart", apart=300).startswith("sidekiq/")


def _relay(tmp_path: Path, name: str, own: float = 5.0, drained: float = 6.0, busy: bool = True,
           shared: bool = True, early: bool = False, release: bool = False) -> str:  # fmt: skip
    """web's setting changed two minutes before its requests rose `own` times; right after, sidekiq (which shares
    redis with web when `shared`) took on `drained` times its jobs (from before the change when `early`), its CPU
    at its limit when `busy`, its queue's latency a minute long."""
    at = AT - 10 * M
    began = at - 20 * M if early else at
    root = write_bundle(
        tmp_path / name,
        services={"web": ["redis", "db"], "sidekiq": ["redis" if shared else "queue", "db2"], "redis": [], "db": [],
                  "queue": [], "db2": []},
        alert=alertmanager("SidekiqQueueLatency", "sidekiq"),
        logs=quiet_logs("web", "sidekiq"),
        metric_lines=series("request_rate", "web", flat_then(T0, END, 60.0, at, 60.0 * own))
        + series("request_rate", "sidekiq", flat_then(T0, END, 40.0, began + M, 40.0 * drained))
        + series("cpu_utilization", "sidekiq", flat_then(T0, END, 0.35, at + 2 * M, 0.99 if busy else 0.35))
        + series("latency_p99", "sidekiq", flat_then(T0, END, 0.5, at + 3 * M, 60.0)),
        changes=[setting_change(at - 2 * M, "web", "image", "web:4.3.1", "web:4.3.2", kind="deploy") if release
                 else setting_change(at - 2 * M, "web", "relays", "none", "https://relay.example/inbox (enabled)",
                                     kind="setting")],
        signals=signals("request_rate", "cpu_utilization", "latency_p99"),
    )  # fmt: skip
    return verdict(root)


def test_the_workers_draining_a_queue_take_on_what_a_change_let_into_it(tmp_path: Path) -> None:
    assert _relay(tmp_path, "relay") == "web/recent_change"
    # web's own requests did not multiply: nothing came in through it
    assert _relay(tmp_path, "steady", own=1.2) != "web/recent_change"
    # the workers kept up: no limit reached
    assert _relay(tmp_path, "kept-up", busy=False) != "web/recent_change"
    # they share nothing with web: not its queue
    assert _relay(tmp_path, "apart", shared=False) != "web/recent_change"
    # their work had multiplied before the change
    assert _relay(tmp_path, "before", early=True) != "web/recent_change"
    # a release that only moved web's version: no door opened, a surge of demand met it there by chance
    assert _relay(tmp_path, "release", release=True) != "web/recent_change"
