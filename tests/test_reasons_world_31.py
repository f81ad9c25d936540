"""What world 31's first contact taught (a payroll company on Azure Kubernetes Service, bundled the plain
DESIGN.md way by a collector keeping each program's own level word, .NET's `fail` and `crit` among them,
and none for Azure's diagnostic records; written after world 30's rules and scored before any rule saw
it): ten or eleven of fourteen right a seed, no wrong HIGH. Its lessons: the monthly pay run keeps the
database it queries busy too, and processors busy on what the alerting service uses are the same work;
and a firewall's record of a request it blocked carries no level, yet says requests were turned away."""

from __future__ import annotations

import json
from pathlib import Path

from oncall.core.diagnosis import Diagnosis
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    iso,
    log,
    quiet_logs,
    series,
    setting_change,
    write_bundle,
)

SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
    "latency_p99": 'latency_p99_seconds{service="{service}"}',
    "cpu_utilization": 'cpu{service="{service}"}',
}


def _pay_run(tmp_path: Path, *, store_slower: bool = False, caller_busy: bool = False) -> Diagnosis:
    """engine (called by web, using db) is alerted for its CPU, busy from AT with the pay run it announces;
    db's CPU is busy with the run's queries, short of its limit. `store_slower`: db's answers slow too.
    `caller_busy`: web's CPU, not db's, is the other one busy."""
    at = ALERT_AT - 10 * M
    logs = quiet_logs("web", "engine", "db")
    logs += [log(at + 20 * S, "engine", "info", "Pay run 2026-11 started for 18412 employees")]
    metrics = series("cpu", "engine", flat_then(T0, END, 0.36, at, 0.93))
    metrics += series("cpu", "web" if caller_busy else "db", flat_then(T0, END, 0.36, at, 0.82))
    metrics += series("cpu", "db" if caller_busy else "web", flat_then(T0, END, 0.3))
    metrics += series("latency_p99_seconds", "db", flat_then(T0, END, 0.008, at + M if store_slower else None, 0.2))
    metrics += series("latency_p99_seconds", "engine", flat_then(T0, END, 0.05))
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["engine"], "engine": ["db"], "db": []},
        alert=alertmanager("EngineCpuHigh", "engine"),
        logs=logs,
        metric_lines=metrics,
        signals=SIGNALS,
    )
    return investigated(root).diagnosis


def test_processors_busy_on_what_the_alerting_service_uses_are_the_same_work(tmp_path: Path) -> None:
    d = _pay_run(tmp_path)
    assert (d.root_cause.service, d.root_cause.category) == ("engine", "no_incident")
    assert d.actions[0].kind == "none"


def test_a_store_that_slows_under_the_run_is_not_dismissed(tmp_path: Path) -> None:
    assert _pay_run(tmp_path, store_slower=True).root_cause.category != "no_incident"


def test_a_busy_caller_is_not_the_same_work(tmp_path: Path) -> None:
    assert _pay_run(tmp_path, caller_busy=True).root_cause.category != "no_incident"


def _firewall(tmp_path: Path, action: str) -> Diagnosis:
    """gw (a gateway with a WAF) sends uploads its requests; its managed rule set moved two minutes before
    AT, and from AT its firewall records (which carry no level) say what it did with the uploads' requests,
    `action`; from AT the requests reaching uploads fell to a tenth."""
    at = ALERT_AT - 8 * M
    logs = quiet_logs("gw", "uploads")
    rec = {"category": "ApplicationGatewayFirewallLog", "properties": {"action": action, "ruleId": "942100",
           "message": "SQL Injection Attack Detected via libinjection", "requestUri": "/uploads/v1/files"}}  # fmt: skip
    logs += [{"ts": iso(at + i * 10 * S), "service": "gw", "pod": "gw-0", "message": json.dumps(rec)}
             for i in range(40)]  # fmt: skip
    metrics = series("requests", "uploads", flat_then(T0, END, 6.0, at, 0.5))
    metrics += series("requests", "gw", flat_then(T0, END, 140.0))
    metrics += series("error_ratio", "uploads", flat_then(T0, END, 0.002))
    root = write_bundle(
        tmp_path / "b",
        services={"gw": ["uploads"], "uploads": []},
        alert=alertmanager("UploadsDropped", "uploads"),
        logs=logs,
        metric_lines=metrics,
        changes=[setting_change(at - 2 * M, "gw", "wafPolicy.managedRuleSet", "OWASP_3.2", "DefaultRuleSet_2.1")],
        signals=SIGNALS,
    )
    return investigated(root).diagnosis


def test_a_firewall_blocking_requests_after_its_change_cut_the_users_off(tmp_path: Path) -> None:
    d = _firewall(tmp_path, "Blocked")
    assert (d.root_cause.service, d.root_cause.category) == ("gw", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "gw"


def test_a_firewall_only_detecting_is_not_what_turned_them_away(tmp_path: Path) -> None:
    assert _firewall(tmp_path, "Detected").root_cause.service != "gw"
