"""What world 42's first contact taught (an e-scooter sharing operator on AWS ECS Fargate, bundled by FireLens;
written after world 41's rules and scored before any rule saw it): 0 to 2 of 14 right on each seed, no wrong
HIGH and no HIGH. Three things were not read: a FireLens record names its service only as the task
definition's `family:revision` (`payments:44`); CloudWatch's utilisation, passed through by YACE, is in
percent, so a CPU at 32 % read as "at its limit" on every service; and a load balancer's alarm names its
service only inside the target group's name (`targetgroup/rider-api/<id>`). Read, it showed one more reason:
a credential rotated in its store leaves whoever holds the old one failing, which is a credential to read
again, not a change to roll back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oncall.analysts.offline.findings import _short_of_limit
from oncall.core.alert import Alert
from oncall.core.catalog import Catalog
from oncall.tools.read_logs import LogQuery
from oncall.tools.read_logs.embedded import JsonlLogs
from oncall.tools.read_logs.hosts import host_name
from oncall.tools.read_metrics import Series, SignalStat, analyse, at_the_limit
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
    series,
    write_bundle,
)

W0 = datetime(2026, 5, 2, 8, 0, tzinfo=UTC)


def _firelens(minute: float, family: str, text: str, container: str = "app") -> dict:
    """One FireLens record (Fluent Bit's file output, json_lines): no level, the service only in the task
    definition's family and revision."""
    at = W0 + timedelta(minutes=minute)
    task = family.encode().hex().rjust(32, "0")  # (a task's id; stable from run to run)
    return {
        "date": round(at.timestamp(), 6),
        "container_id": f"{task}-0646662094",
        "container_name": container,
        "source": "stdout",
        "log": text,
        "ecs_cluster": "prod",
        "ecs_task_arn": f"arn:aws:ecs:eu-west-1:724559211803:task/prod/{task}",
        "ecs_task_definition": f"{family}:{44 if family == 'payments' else 7}",
    }


def test_a_task_definition_s_family_and_revision_names_its_service(tmp_path: Path) -> None:
    lines = [_firelens(m, ("payments", "pricing")[m % 2], f"charge {m} captured in {m % 9}ms") for m in range(60)]
    lines += [
        _firelens(41 + i / 10, "payments", "10:41:00.123 [exec-7] ERROR c.s.payments.App - could not decrypt the token")
        for i in range(5)
    ]
    lines.append(
        _firelens(42, "payments", '[2026-05-02T08:42:00.000Z] "POST /v1/charges HTTP/1.1" 500 - 0 0 41', "envoy")
    )
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    q = LogQuery(service="payments", start=W0 + timedelta(minutes=30), end=W0 + timedelta(minutes=60),
                 baseline_start=W0, known=["payments", "pricing"])  # fmt: skip
    stats = JsonlLogs(path).stats(q)
    # its half of the window's thirty lines, its five errors and its sidecar's failed request: all its own
    assert stats.total == 15 + 5 + 1 and stats.levels["ERROR"] == 6
    assert stats.unattributed == 0


def test_a_name_and_what_follows_its_colon_is_the_name() -> None:
    assert host_name("payments:44") == "payments"  # a task definition's revision
    assert host_name("web-01.corp.example:8080") == "web-01"  # a port
    assert host_name("checkout-api-7f9c") == "checkout-api-7f9c"  # a pod's name keeps its suffix


def _cpu(values: list[tuple[datetime, float]]) -> Series:
    return Series(labels={"service": "payments"}, points=[(t.timestamp(), v) for t, v in values])


def test_a_utilization_kept_in_percent_is_judged_against_100() -> None:
    steady = _cpu(flat_then(T0, END, 32.0))
    st = at_the_limit(analyse("cpu_utilization", "q", steady, T0, ALERT_AT - 30 * M, END), steady, T0)
    assert st.limit == 100.0 and not st.anomalous  # a third of its CPU, steadily: not at its limit
    pinned = _cpu(flat_then(T0, END, 32.0, ALERT_AT - 8 * M, 97.0))
    st = analyse("cpu_utilization", "q", pinned, T0, ALERT_AT - 30 * M, END)
    assert st.anomalous and st.direction == "up" and st.peak > 90
    share = _cpu(flat_then(T0, END, 0.97))  # a share of the limit, pinned at it since before the baseline
    st = at_the_limit(analyse("cpu_utilization", "q", share, T0, ALERT_AT - 30 * M, END), share, T0)
    assert st.limit == 1.0 and st.reference == "limit"


def test_a_percent_series_that_rose_short_of_its_limit_is_busier_not_exhausted() -> None:
    def stat(peak: float) -> SignalStat:
        return SignalStat(signal="cpu_utilization", query="q", labels={}, baseline=30.0, peak=peak, peak_at=ALERT_AT,
                          last=peak, onset=ALERT_AT, direction="up", samples=60, limit=100.0)  # fmt: skip

    assert _short_of_limit(stat(55.0))  # 55 % of its CPU is busier, not out of CPU
    assert not _short_of_limit(stat(97.0))


def _catalog(*names: str) -> Catalog:
    return Catalog.model_validate({"services": {n: {} for n in names}})


def test_a_part_of_a_path_or_an_arn_in_an_alarm_names_its_service() -> None:
    catalog = _catalog("rider-api", "payments")
    alb = {"LoadBalancer": "app/scootly-prod/50dc6c495c0c9188", "TargetGroup": "targetgroup/rider-api/56d5e5ba"}
    alert = Alert(source="cloudwatch", alertname="prod-alb-5xx", status="firing", starts_at=ALERT_AT, labels=alb,
                  fingerprint="f00d")  # fmt: skip
    assert catalog.resolve(alert) == "rider-api"
    arn = {"ServiceArn": "arn:aws:ecs:eu-west-1:724559211803:service/prod/payments"}
    assert catalog.resolve(alert.model_copy(update={"labels": arn})) == "payments"
    # a part that only begins like a service names none
    other = {"TargetGroup": "targetgroup/rider-api-canary/56d5e5ba"}
    assert catalog.resolve(alert.model_copy(update={"labels": other})) is None


def _rotation_bundle(tmp_path: Path, kind: str, change_from: str, change_to: str) -> Path:
    at = ALERT_AT - 6 * M
    refused = 'connection failed: FATAL:  password authentication failed for user "pricing"'
    return write_bundle(
        tmp_path / kind,
        services={"api": ["pricing"], "pricing": ["db"], "db": []},
        alert=alertmanager("PricingErrors", "pricing"),
        logs=quiet_logs("api", "pricing", "db")
        + [log(at + i * 15 * S, "pricing", "error", f"could not open a connection to db: {refused}") for i in range(20)]
        + [
            log(at + M + i * 20 * S, "api", "error", "quote failed: pricing answered 500 for GET /v1/quote")
            for i in range(9)
        ],
        metric_lines=series("error_ratio", "pricing", flat_then(T0, END, 0.002, at, 0.55))
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at + M, 0.1))
        + series("error_ratio", "db", flat_then(T0, END, 0.001)),
        changes=[
            {
                "ts": (at - 20 * M).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "service": "pricing",
                "kind": kind,
                "from": change_from,
                "to": change_to,
                "author": "platform",
                "ref": "r-1",
                "diff": "",
            }
        ],
    )


def test_a_credential_rotated_under_a_service_is_one_it_must_read_again_not_a_change_to_undo(tmp_path: Path) -> None:
    root = _rotation_bundle(tmp_path, "secret_rotation", "AWSCURRENT = version 41", "AWSCURRENT = version 42")
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category, d.root_cause.confidence) == (
        "pricing",
        "expired_credential",
        "HIGH",
    )
    assert d.actions[0].kind == "restart" and "rollback" not in [a.kind for a in d.actions]


def test_a_change_that_rotated_nothing_is_still_the_change_that_broke_it(tmp_path: Path) -> None:
    root = _rotation_bundle(tmp_path, "config", "db_user = pricing_rw", "db_user = pricing")
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("pricing", "recent_change")
