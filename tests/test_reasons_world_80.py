"""What world 80's first contact taught (a Lisbon language-learning app on Kubernetes, its logs Pydantic Logfire's
records read through its query API; written after world 79's rules and scored before any rule saw it): 0.500 /
0.500 / 0.500 / 0.417 on seeds 1-4, one wrong HIGH. Its reasons: a level written as OpenTelemetry's severity number
(Logfire's 9 info, 13 warn, 17 error) is read on that scale; "HTTP Error 401: Unauthorized" and an OAuth grant
"invalid, expired, or revoked" are a credential no longer accepted; and a consumer that cannot decode what it reads
right after a service publishing to the same broker changed was sent another format by that change."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.patterns import classify
from tests.bundles import (
    ALERT_AT,
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
    verdict,
    write_bundle,
)


def _row(t: datetime, service: str, message: str, level: int = 9) -> dict:
    """One row of Logfire's records table as its query API returns it."""
    stamp = f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z"
    return {"start_timestamp": stamp, "kind": "log", "level": level, "span_name": message, "message": message,
            "is_exception": False, "service_name": service,
            "otel_resource_attributes": {"k8s.pod.name": f"{service}-5c7d9f8b6-k2v8n"}}  # fmt: skip


def test_a_level_written_as_opentelemetry_s_severity_number_is_read_on_its_scale(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    rows = [_row(ALERT_AT - 120 * M + i * M, "api", "lesson served") for i in range(100)]
    rows += [_row(at + i * 10 * S, "api", "purchase failed", 17) for i in range(20)]
    rows += [_row(at + i * 30 * S, "api", "cart nearly full", 13) for i in range(5)]
    text = read_logs_of(tmp_path, sorted(rows, key=lambda r: r["start_timestamp"], reverse=True))["api"]
    assert "20 ERROR" in text and "5 WARN" in text, text


def test_a_401_in_python_s_words_and_a_revoked_grant_are_a_credential_no_longer_accepted() -> None:
    assert classify("mail failed: HTTP Error 401: Unauthorized") == "expired_credential"
    assert classify("The provided authorization grant is invalid, expired, or revoked") == "expired_credential"
    assert classify("order 4401 unauthorized by the fraud check") != "expired_credential"


def _consumer(tmp_path: Path, name: str, said: str, changed: bool = True, before: int = 4) -> str:
    """search-indexer and catalog-sync both use the broker; catalog-sync released `before` minutes before the
    indexer began failing with `said`."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"catalog-sync": ["broker", "db"], "search-indexer": ["broker"], "broker": [], "db": []},
        alert=alertmanager("SearchIndexerFailing", "search-indexer"),
        logs=quiet_logs("catalog-sync", "search-indexer", "broker")
        + [log(at + i * 10 * S, "search-indexer", "error", f"could not index record: {said}") for i in range(40)],
        metric_lines=series("error_ratio", "search-indexer", flat_then(T0, END, 0.002, at, 0.9))
        + series("error_ratio", "catalog-sync", flat_then(T0, END, 0.002)),
        changes=[setting_change(at - before * M, "catalog-sync", "image.tag", "4.2.1", "4.3.0", kind="deploy")]
        if changed
        else [],
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_a_consumer_that_cannot_decode_what_it_reads_was_sent_another_format_by_a_publisher_s_change(
    tmp_path: Path,
) -> None:
    said = "Unexpected magic byte 123. This message was not produced with a Confluent Schema Registry serializer"
    # (only the kind of failure ties them: likely, never HIGH)
    assert _consumer(tmp_path, "magic", said) == "catalog-sync/recent_change"
    # the consumer's own failure, not one of decoding: the publisher's release is no cause of it
    assert _consumer(tmp_path, "own", "index write rejected: cluster_block_exception") != "catalog-sync/recent_change"
    # a release hours before the failures did not send what the consumer cannot read now
    assert _consumer(tmp_path, "old", said, before=180) != "catalog-sync/recent_change"
    # nothing published changed: the consumer's
    assert _consumer(tmp_path, "still", said, changed=False).startswith("search-indexer/")


def test_a_deserializer_meeting_another_format_is_told_in_each_client_s_words() -> None:
    from oncall.analysts.offline.patterns import UNDECODABLE

    for said in (
        "org.apache.kafka.common.errors.SerializationException: Error deserializing key/value for partition",
        "confluent_kafka.error.ValueDeserializationError: KafkaError{code=_VALUE_DESERIALIZATION}",
        "com.google.protobuf.InvalidProtocolBufferException: Protocol message contained an invalid tag (zero).",
        "failed to deserialize message: unexpected end of input",
    ):
        assert UNDECODABLE.search(said), said
    assert not UNDECODABLE.search("index write rejected: cluster_block_exception")
