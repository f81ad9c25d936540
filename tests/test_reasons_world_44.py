"""What world 44's first contact taught (a public libraries' e-book lending service on Azure Container Apps
with Dapr, bundled as Log Analytics rows; written after world 43's rules and scored before any rule saw it):
14 of 14 right on each of seeds 1-4, no wrong HIGH, 8 HIGH of 14 each all right, the fix's kind right in 12
of 14. Read, the briefs showed two faults the scores did not: a latency Azure Monitor keeps in milliseconds
was reported as seconds ("rose from baseline 69.3 to 2968"), and a role removed from a service's identity
was answered "renew the expired or rotated credential", for Dapr wraps Service Bus's refusal, which names
the right missing, in gRPC's Unauthenticated."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.analysts.offline.patterns import classify
from oncall.tools.read_metrics.units import seconds_per_unit
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


@pytest.mark.parametrize(
    ("query", "k"),
    [
        ('azure_responsetime_average_milliseconds{resourceName="loans"}', 1e-3),
        ('istio_request_duration_milliseconds:p99_1m{destination_workload="x"}', 1e-3),
        ('histogram_quantile(0.99, sum by (le) (rate(http_server_duration_ms_bucket{job="x"}[5m])))', 1e-3),
        ('grpc_server_handling_microseconds:p99{service="x"}', 1e-6),
        ('service:latency_seconds:p99{service="ms"}', 1.0),  # a label's value is not the metric's unit
        ('http_request_duration_seconds:p99{unit="milliseconds"}', 1.0),
    ],
)
def test_a_latency_is_in_the_unit_its_metric_s_name_says(query: str, k: float) -> None:
    assert seconds_per_unit("latency_p99", query) == k


def test_only_a_latency_is_rescaled() -> None:
    assert seconds_per_unit("request_rate", 'requests_per_ms{service="x"}') == 1.0


def test_a_latency_kept_in_milliseconds_is_reported_in_seconds(tmp_path: Path) -> None:
    at = ALERT_AT - 6 * M
    root = write_bundle(
        tmp_path / "b",
        services={"loans": []},
        alert=alertmanager("LoansSlow", "loans"),
        logs=quiet_logs("loans"),
        metric_lines=series("azure_responsetime_average_milliseconds", "loans", flat_then(T0, END, 60.0, at, 3000.0)),
        signals={"latency_p99": 'azure_responsetime_average_milliseconds{service="{service}"}'},
    )
    text = next(r.text or "" for r in investigated(root).results if r.tool == "read_metrics")
    assert "latency_p99 (seconds): rose from baseline 0.06 to 3.06" in text  # not 60 to 3060


def test_a_refusal_naming_the_right_missing_is_a_permission_whatever_wraps_it() -> None:
    said = (
        "error publishing message to pubsub loans-events: rpc error: code = Unauthenticated desc = Unauthorized "
        "access. 'Send' claim(s) are required to perform this operation. Resource: 'sb://sb-x.servicebus."
        "windows.net/loan-events'."
    )
    assert classify(said) == "permission_denied"
    assert classify("The client 'a1' with object id 'b2' does not have authorization to perform action "
                    "'Microsoft.KeyVault/vaults/secrets/read' over scope '/subscriptions/x'") == "permission_denied"  # fmt: skip
    assert classify("rpc error: code = Unauthenticated desc = token is expired") == "expired_credential"
    assert classify("claims required by the form: name, email") is None


def test_a_removed_role_is_given_back_not_a_credential_renewed(tmp_path: Path) -> None:
    at = ALERT_AT - 6 * M
    refused = (
        "error publishing message to pubsub loans-events: rpc error: code = Unauthenticated desc = Unauthorized "
        "access. 'Send' claim(s) are required to perform this operation."
    )
    root = write_bundle(
        tmp_path / "b",
        services={"gateway": ["loans"], "loans": ["servicebus"], "servicebus": []},
        alert=alertmanager("LoansFailedRequests", "loans"),
        logs=quiet_logs("gateway", "loans") + [log(at + i * 15 * S, "loans", "error", refused) for i in range(20)],
        metric_lines=series("error_ratio", "loans", flat_then(T0, END, 0.002, at, 0.6))
        + series("error_ratio", "gateway", flat_then(T0, END, 0.002)),
        changes=[
            {
                "ts": (at - 2 * M).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "service": "loans",
                "kind": "iam",
                "from": "role assignment: Azure Service Bus Data Sender (id-loans on sb-prod)",
                "to": "role assignment removed",
                "author": "access-review",
                "ref": "ra-1",
                "diff": "",
            }
        ],
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("loans", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "loans"  # the role given back
