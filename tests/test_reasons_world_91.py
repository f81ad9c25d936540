"""What world 91's first contact taught (a Utrecht bike-subscription company on Heroku, its logs the Logplex
drains' syslog frames as the team's receiver keeps them; written after world 90's rules and scored before any rule
saw it): 1.000 / 0.917 / 1.000 / 1.000 on seeds 1-4, no wrong HIGH, with the frames unread. Its lessons:

- a syslog frame kept whole as a line's text is read after its header: at the header's time, as the service its
  process names (Heroku files a database add-on's lines on the drain of the app that owns it, as `postgres.29410`
  or `heroku-postgres`), and a JSON body by its message, error and level;
- read so, the database's own lines said "permission denied" as its storage sat at its plan's limit: a store
  whose storage is full when it begins refusing, with no change of its own, refuses for want of room;
- a caller whose own errors name a provider failing it is no witness that the provider works, whatever its
  sampled traces show."""

from __future__ import annotations

import json
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
    read_logs_of,
    series,
    setting_change,
    signals,
    trace_line,
    verdict,
    write_bundle,
)


def _frame(at_s: int, app: str, process: str, said: str) -> dict:
    """The receiver's record of one Logplex frame, written `at_s` seconds before the alert and received 90 s
    later, on the drain of `app`."""
    at, got = AT - at_s * S, AT - (at_s - 90) * S
    return {
        "received_at": got.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "app": app,
        "frame": f"<190>1 {at:%Y-%m-%dT%H:%M:%S.%f}+00:00 host app {process} - {said}",
    }


def test_a_syslog_frame_is_read_after_its_header_as_the_process_it_names(tmp_path: Path) -> None:
    body = json.dumps({"level": 50, "time": 1, "reqId": "req-9d351b", "err": {"type": "error", "message":
                       "permission denied for table rides"}, "msg": "ride end failed"})  # fmt: skip
    records = (
        [_frame(7200 - 300 * i, "api", "web.1", "Completed 200 OK in 12ms") for i in range(20)]
        + [_frame(7200 - 300 * i, "api", "heroku-db", "source=DATABASE sample#active-connections=12") for i in range(20)]
        + [_frame(600 - 10 * i, "api", f"db.{29400 + i}", "sql_error_code = 42501 ERROR:  permission denied for "
                  "table rides") for i in range(30)]
        + [_frame(590 - 10 * i, "api", "web.2", body.replace("9d351b", f"{i:06x}")) for i in range(30)]
        + [_frame(580 - 10 * i, "api", "web.3", json.dumps({"level": 50, "msg": "ride end not recorded"}))
           for i in range(30)]
    )  # fmt: skip
    said = read_logs_of(tmp_path, records)
    first = (AT - 600 * S).strftime("%H:%M:%S")
    assert "ERROR: permission denied for table rides" in said["db"] and f"first {first}" in said["db"], said["db"]
    assert "baseline 0, new" in said["db"]  # the add-on's own samples are its baseline
    assert "ride end failed: permission denied for table rides" in said["api"], said["api"]
    # pino's level 50 is an error, though the words do not say so
    assert any("ERROR" in x and "ride end not recorded" in x for x in said["api"].splitlines()), said["api"]
    assert "host app" not in said["api"] + said["db"]


def _store(tmp_path: Path, name: str, disk: float, grant_revoked: bool = False, full_after: int = 0) -> str:
    """db's disk at `disk` all along (or at 0.6 until `full_after` minutes after the refusals began); from eight
    minutes before the alert it refuses writes as a permission denied, and jobs, which use it, quote the refusal."""
    at = AT - 8 * M
    level = flat_then(T0, END, 0.6, at + full_after * M, disk) if full_after else flat_then(T0, END, disk)
    denied = "ERROR:  permission denied for table ride_events"
    root = write_bundle(
        tmp_path / name,
        services={"jobs": ["db"], "db": []},
        alert=alertmanager("JobsFailing", "jobs"),
        logs=quiet_logs("jobs", "db")
        + [log(at + i * 10 * S, "db", "error", f"sql_error_code = 42501 {denied}") for i in range(40)]
        + [log(at + i * 12 * S, "jobs", "error", f"PG::InsufficientPrivilege: {denied}") for i in range(30)],
        metric_lines=series("disk_utilization", "db", level)
        + series("error_ratio", "jobs", flat_then(T0, END, 0.003, at, 0.6)),
        changes=[setting_change(at - 3 * M, "db", "grant", "INSERT ON ride_events TO jobs", "revoked", kind="iam")]
        if grant_revoked
        else [],
        signals=signals("disk_utilization", "error_ratio"),
    )
    return verdict(root)


def test_a_full_store_that_refuses_as_a_permission_refuses_for_want_of_room(tmp_path: Path) -> None:
    assert _store(tmp_path, "full", 1.0).startswith("db/resource_exhaustion")
    # room to spare: the refusal is what it says
    assert _store(tmp_path, "room", 0.6).startswith("db/permission_denied")
    # full only after it began refusing: not why it refused
    assert _store(tmp_path, "later", 1.0, full_after=6).startswith("db/permission_denied")
    # a grant revoked just before: that change, not the full disk
    assert not _store(tmp_path, "revoked", 1.0, grant_revoked=True).startswith("db/resource_exhaustion")


def _provider(tmp_path: Path, name: str, web_says: str | None, alerting: str = "web") -> str:
    """pay, a provider we see nothing of, answers 503 to worker from eight minutes before the alert on `alerting`
    (worker's traces say so; worker was deployed yesterday); web's sampled traces show its calls to pay working,
    and web logs `web_says` (None: nothing)."""
    at = AT - 8 * M
    refused = "PayClient error: upstream pay answered 503 Service Unavailable"
    root = write_bundle(
        tmp_path / name,
        services={"web": ["pay"], "worker": ["pay"], "pay": []},
        alert=alertmanager("PaymentsFailing", alerting),
        logs=quiet_logs("web", "worker")
        + [log(at + i * 10 * S, "worker", "error", refused) for i in range(40)]
        + ([log(at + 20 * S + i * 20 * S, "web", "error", web_says) for i in range(20)] if web_says else []),
        metric_lines=series("error_ratio", "worker", flat_then(T0, END, 0.003, at, 0.5))
        + series("error_ratio", "web", flat_then(T0, END, 0.003, at, 0.2 if web_says else 0.003)),
        changes=[setting_change(AT - 17 * 60 * M, "worker", "image", "v41", "v42", kind="deploy")],
        signals=signals("error_ratio"),
    )
    lines = [trace_line(AT + m * M, {"web": ["pay"]}, set(), k) for k, m in enumerate(range(-60, 10, 2))]
    lines += [trace_line(AT + m * M, {"worker": ["pay"]}, {("worker", "pay")} if AT + m * M >= at else set(), 100 + k)
              for k, m in enumerate(range(-60, 10, 2))]  # fmt: skip
    (root / "traces.jsonl").write_text("\n".join(lines) + "\n")
    return verdict(root)


def test_a_caller_naming_a_provider_failing_it_is_no_witness_that_the_provider_works(tmp_path: Path) -> None:
    said = "PayClient error: upstream pay answered 503 Service Unavailable in CheckoutController#create"
    assert _provider(tmp_path, "both", said).startswith("pay/dependency_failure")
    # web says nothing and its calls work: the path from worker is what fails
    assert _provider(tmp_path, "web-fine", None).startswith("worker/network")
