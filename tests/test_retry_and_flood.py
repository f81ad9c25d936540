"""Who sent the extra load: a caller whose change floods a service, or callers retrying a service
that was already slow. What unseen seeds of the first world taught, as the behaviour an SRE relies on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oncall.core.diagnosis import Diagnosis
from tests.bundles import ALERT_AT, END, T0, M, alertmanager, flat_then, investigated, iso, log, series, write_bundle

SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "latency_p99": 'latency_p99_seconds{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
}


def deploy(service: str, at) -> dict:
    return {
        "ts": iso(at),
        "service": service,
        "kind": "deploy",
        "from": "v2.1.8",
        "to": "v2.1.9",
        "author": "dev",
        "ref": "e311db1",
        "diff": f"--- a/apps/{service}/values.yaml\n+++ b/apps/{service}/values.yaml\n@@ -1 +1 @@\n"
        "-  tag: v2.1.8\n+  tag: v2.1.9\n",
    }


def diagnose(tmp_path: Path, *, load_at, slow_at, deployed_at) -> Diagnosis:
    """web calls checkout; web was deployed at `deployed_at`; checkout's load multiplied at `load_at`
    and it slowed and failed at `slow_at`; web retries it and then gives up."""
    quiet = [
        log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("web", "checkout")
    ]
    first = min(load_at, slow_at)
    retries = [
        log(first + M + i * 20 * timedelta(seconds=1), "web", "warn", "retrying call to checkout (attempt 3 of 3)")
        for i in range(30)
    ]
    gave_up = [
        log(first + 2 * M + i * M, "web", "error", "call to checkout failed after retries: context deadline exceeded")
        for i in range(15)
    ]
    shed = [
        log(
            slow_at + 30 * timedelta(seconds=1) + i * 30 * timedelta(seconds=1),
            "checkout",
            "error",
            f"request queue full ({1500 + i} pending); shedding load",
        )
        for i in range(30)
    ]
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["checkout"], "checkout": []},
        alert=alertmanager("HighErrorRate", "web"),
        logs=quiet + retries + gave_up + shed,
        metric_lines=series("requests", "checkout", flat_then(T0, END, 10.0, load_at, 45.0))
        + series("latency_p99_seconds", "checkout", flat_then(T0, END, 0.5, slow_at, 3.5))
        + series("error_ratio", "checkout", flat_then(T0, END, 0.005, slow_at + M, 0.23))
        + series("requests", "web", flat_then(T0, END, 180.0))
        + series("latency_p99_seconds", "web", flat_then(T0, END, 0.27, first + 2 * M, 0.65))
        + series("error_ratio", "web", flat_then(T0, END, 0.01, first + 2 * M, 0.21)),
        changes=[deploy("web", deployed_at)],
        signals=SIGNALS,
    )  # fmt: skip
    inv = investigated(root)
    return inv.diagnosis


def test_callers_retrying_a_service_that_slowed_first_do_not_make_their_deploy_the_cause(tmp_path):
    """checkout slowed two minutes before its load rose: the extra requests are retries of what it was
    already failing. web's routine deploy five minutes earlier did not send them."""
    at = ALERT_AT - 12 * M
    d = diagnose(tmp_path, load_at=at + 2 * M, slow_at=at, deployed_at=at - 5 * M)
    assert d.root_cause.service == "checkout" and d.root_cause.category != "recent_change"
    assert not [a for a in d.actions if a.kind == "rollback"]


@pytest.mark.parametrize("lead", [5, 1])
def test_load_that_was_rising_before_a_callers_deploy_was_not_sent_by_it(tmp_path, lead):
    """A sample taken before the deploy already saw the load (even one minute before: the deploy's
    time is exact, the sample's is when it was scraped)."""
    at = ALERT_AT - 12 * M
    d = diagnose(tmp_path, load_at=at - (lead + 1) * M, slow_at=at, deployed_at=at - M)
    assert d.root_cause.service == "checkout" and d.root_cause.category != "recent_change"


def test_a_callers_deploy_after_which_the_load_came_first_and_the_slowdown_after_is_a_flood(tmp_path):
    """The control: load first, slowness after, right after web's deploy: web's change is the cause."""
    at = ALERT_AT - 12 * M
    d = diagnose(tmp_path, load_at=at, slow_at=at + 3 * M, deployed_at=at - 2 * M)
    assert (d.root_cause.service, d.root_cause.category, d.root_cause.confidence) == ("web", "recent_change", "HIGH")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "web"


def test_load_and_slowness_that_began_together_after_a_callers_deploy_leave_it_likely_not_proven(tmp_path):
    """The same minute: the deploy may have flooded checkout, or checkout slowed and web's retries
    piled on. The deploy is still the likeliest cause, but not at HIGH."""
    at = ALERT_AT - 12 * M
    d = diagnose(tmp_path, load_at=at, slow_at=at, deployed_at=at - 3 * M)
    assert (d.root_cause.service, d.root_cause.confidence) == ("web", "MEDIUM")


def test_code_reaching_a_path_it_does_not_implement_points_at_the_flag_that_turned_it_on(tmp_path):
    """NotImplementedError hours after a flag flip on the same service: the change is the likeliest
    cause, but hours apart and unrepeated in the errors it is not sure enough for HIGH."""
    at = ALERT_AT - 10 * M
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["pricing"], "pricing": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("api", "pricing")]
        + [log(at + i * 20 * timedelta(seconds=1), "pricing", "error", "request failed: NotImplementedError") for i in range(40)]
        + [log(at + M + i * M, "api", "error", "call to pricing failed: 500") for i in range(8)],
        metric_lines=series("error_ratio", "pricing", flat_then(T0, END, 0.005, at, 0.3))
        + series("error_ratio", "api", flat_then(T0, END, 0.005, at + M, 0.1)),
        changes=[{"ts": iso(at - timedelta(hours=5)), "service": "pricing", "kind": "flag", "from": "async-quotes=off",
                  "to": "async-quotes=on", "author": "dev", "ref": "flags:pricing/async-quotes", "diff": None}],
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category, d.root_cause.confidence) == (
        "pricing",
        "recent_change",
        "MEDIUM",
    )
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "pricing"


def test_a_deploy_that_landed_after_the_service_had_slowed_is_a_reaction_not_the_cause(tmp_path):
    """The match drew four times the users: web's load rose, then it slowed, and a deploy went out a
    minute and a half after that. The deploy came too late to start it."""
    at = ALERT_AT - 12 * M
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["trips"], "trips": []},
        alert=alertmanager("HighLatency", "web"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("web", "trips")],
        metric_lines=series("requests", "web", flat_then(T0, END, 100.0, at, 400.0))
        + series("latency_p99_seconds", "web", flat_then(T0, END, 0.2, at + M, 1.5))
        + series("requests", "trips", flat_then(T0, END, 100.0, at, 400.0))
        + series("latency_p99_seconds", "trips", flat_then(T0, END, 0.1, at, 0.9))
        + series("cpu", "trips", flat_then(T0, END, 0.4, at + M, 0.97)),
        changes=[deploy("web", at + M + 90 * timedelta(seconds=1))],
        signals={**SIGNALS, "cpu_utilization": 'cpu{service="{service}"}'},
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert d.root_cause.category != "recent_change"
    assert not [a for a in d.actions if a.kind == "rollback"]


def test_an_edge_deploying_while_its_users_surge_is_not_proven_to_have_sent_the_load(tmp_path):
    """The edge's request rate tripled half an hour after a routine deploy and the bank behind it
    saturated: the deploy may be the cause, but the users' surge looks the same. Not HIGH."""
    at = ALERT_AT - 12 * M
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["bank"], "bank": []},
        alert=alertmanager("HighLatency", "bank"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("edge", "bank")],
        metric_lines=series("requests", "edge", flat_then(T0, END, 100.0, at - 5 * M, 400.0))
        + series("latency_p99_seconds", "edge", flat_then(T0, END, 0.1, at + M, 1.2))
        + series("cpu", "bank", flat_then(T0, END, 0.4, at, 0.98))
        + series("latency_p99_seconds", "bank", flat_then(T0, END, 0.2, at, 2.0)),
        changes=[deploy("edge", at - 38 * M)],
        signals={**SIGNALS, "cpu_utilization": 'cpu{service="{service}"}'},
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert d.root_cause.confidence != "HIGH"
