"""What world 69's first contact taught (a Canadian ski resort's lift-access platform on DigitalOcean Kubernetes,
its logs OpenTelemetry records in Quickwit's otel-logs index, a search's hits exported newest first; written after
world 68's rules and scored before any rule saw it): 11, 11, 12 and 12 of 14 right on seeds 1-4, wrong HIGH on 1,
0, 2 and 1. Its reasons: OpenTelemetry's record spelt in snake case keeps its level in severity_text, a text body
as an object's message and the logger's error fields among its attributes; a provider saying the API token sent
does not match refuses the caller's credential; and users of shared infrastructure whose errors are about another
service that broke no later failed with that one, not alike after the infrastructure's change."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.patterns import classify
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


def _hit(t: datetime, service: str, body: str, level: str = "", **attributes: str) -> dict:
    """A hit of Quickwit's otel-logs index: severity_text left out when the record had none (the filelog
    receiver, unparsed), its number then 0."""
    nanos = int(t.timestamp()) * 1_000_000_000
    doc: dict = {"timestamp_nanos": nanos, "observed_timestamp_nanos": nanos + 40_000_000, "service_name": service}
    if level:
        doc["severity_text"] = level
    doc["severity_number"] = {"": 0, "INFO": 9, "WARN": 13, "ERROR": 17}[level.upper()]
    doc["body"] = {"message": body}
    doc["attributes"] = {"code.namespace": f"ca.piste.{service}", **attributes}
    doc["resource_attributes"] = {"k8s.pod.name": f"{service}-7c9f6d5b8-x2k4q", "k8s.namespace.name": "piste"}
    return doc


def test_an_opentelemetry_record_in_snake_case_is_read_for_its_level_text_error_and_pod(tmp_path: Path) -> None:
    at = ALERT_AT - 8 * M
    hits = [_hit(at - (40 - i) * M, s, "order created", "INFO") for i in range(40) for s in ("api", "db")]
    hits += [
        _hit(at + i * M / 6, "api", "purchase refused", "ERROR", err="gateway said: API token mismatch")
        for i in range(30)
    ]
    hits += [
        _hit(at + i * M / 4, "api", "scan dropped", "WARN", error="nats: maximum bytes exceeded") for i in range(20)
    ]
    hits += [
        _hit(
            at + i * M / 4,
            "api",
            "eligibility failed",
            "error",
            **{"exception.type": "java.net.SocketTimeoutException", "exception.message": "Read timed out"},
        )
        for i in range(20)
    ]
    # Skipper's access log through the filelog receiver: no severity; a 502 served is an error all the same
    hits += [
        _hit(at + i * M / 4, "api", '10.2.0.7 - - [01/Dec/2026:03:40:00 +0000] "POST /orders HTTP/1.1" 502 88')
        for i in range(20)
    ]
    # newest first, as the search returned them
    reads = read_logs_of(tmp_path / "a", sorted(hits, key=lambda h: -h["timestamp_nanos"]))["api"]
    assert "purchase refused: gateway said: API token mismatch" in reads, reads
    assert "scan dropped: nats: maximum bytes exceeded" in reads and "WARN" in reads, reads
    assert "eligibility failed: Read timed out" in reads, reads
    assert "(70 ERROR, 22 INFO, 20 WARN)" in reads, reads  # the two errors and the 502s served
    assert "api-7c9f6d5b8-x2k4q" in reads, reads  # the pod, from the resource's attributes
    assert '{"message"' not in reads, reads


def test_a_provider_saying_the_api_token_does_not_match_refuses_the_caller_s_credential() -> None:
    assert classify("moneris: receipt ResponseCode=null Message=API token mismatch") == "expired_credential"
    assert classify("401: access key mismatch for store 01") == "expired_credential"
    # a browser session's CSRF token is no credential of the service
    assert classify("TokenMismatchException: CSRF token mismatch.") != "expired_credential"


def _shared(tmp_path: Path, name: str, shop_says: str) -> tuple[str, str]:
    """passes, which edge, shop and tickets all call, deployed half an hour before tickets' payments began to be
    refused by the gateway pay; shop and edge failing a minute after tickets, with `shop_says`."""
    at = ALERT_AT - 8 * M
    refused = "purchase refused by payment gateway: pay said API token mismatch"
    root = write_bundle(
        tmp_path / name,
        services={
            "edge": ["shop", "tickets", "passes"],
            "shop": ["tickets", "passes"],
            "tickets": ["passes", "pay"],
            "passes": [],
            "pay": [],
        },
        alert=alertmanager("CheckoutFailing", "tickets"),
        logs=sorted(
            quiet_logs("edge", "shop", "tickets", "passes")
            + [log(at + i * M / 6, "tickets", "error", refused) for i in range(40)]
            + [log(at + M + i * M / 6, "shop", "error", shop_says) for i in range(30)]
            + [
                log(at + M + i * M / 6, "edge", "error", "POST /checkout: upstream tickets returned 502")
                for i in range(30)
            ],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("error_ratio", "tickets", flat_then(T0, END, 0.004, at, 0.8))
        + series("error_ratio", "shop", flat_then(T0, END, 0.004, at + M, 0.2))
        + series("error_ratio", "edge", flat_then(T0, END, 0.004, at + M, 0.1))
        + series("error_ratio", "passes", flat_then(T0, END, 0.002)),
        changes=[setting_change(at - 34 * M, "passes", "image.tag", "5.0.0", "5.0.1", kind="deploy")],
        signals=signals("error_ratio"),
    )
    d = investigated(root).diagnosis
    return d.root_cause.service, d.root_cause.category


def test_users_failing_with_another_service_that_broke_first_did_not_fail_alike_after_what_they_share(
    tmp_path: Path,
) -> None:
    assert _shared(tmp_path, "about-tickets", "checkout failed: tickets answered 502") == (
        "tickets",
        "expired_credential",
    )


def test_a_user_that_failed_first_hand_and_its_caller_passing_it_up_failed_alike_after_what_they_share(
    tmp_path: Path,
) -> None:
    """flags, which bidder, auction and edge all read, rolled a flag out to everyone; two minutes later bidder's
    processors ran hot and its bids timed out, and auction's errors say bidder did not answer: the failure
    is bidder's first-hand, passed up by auction, and the shared flag service's change comes before both."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / "flag",
        services={"edge": ["auction", "flags"], "auction": ["bidder", "flags"], "bidder": ["flags"], "flags": []},
        alert=alertmanager("NoBidRateHigh", "auction"),
        logs=sorted(
            quiet_logs("edge", "auction", "bidder", "flags")
            + [
                log(at + i * M / 6, "bidder", "warn", 'msg="bid abandoned" err="context deadline exceeded"')
                for i in range(40)
            ]
            + [
                log(at + M + i * M / 6, "auction", "warn", "bidder did not answer within 120ms; auction closed")
                for i in range(40)
            ],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("error_ratio", "auction", flat_then(T0, END, 0.001, at + M, 0.37))
        + series("latency_p99", "bidder", flat_then(T0, END, 0.022, at, 0.16))
        + series("cpu_utilization", "bidder", flat_then(T0, END, 0.41, at, 0.99))
        + series("error_ratio", "flags", flat_then(T0, END, 0.001)),
        changes=[setting_change(at - 2 * M, "flags", "bid-shading-v2.rollout", "10", "100", kind="feature_flag")],
        signals=signals("error_ratio", "latency_p99", "cpu_utilization"),
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("flags", "recent_change"), d.root_cause
