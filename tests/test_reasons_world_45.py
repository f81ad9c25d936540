"""What world 45's first contact taught (a weather-data platform on EKS, bundled the plain way, its faults
shaped as reasoning traps; written after world 44's rules and scored before any rule saw it): 8 of 14 right
on each of seeds 1-4, a wrong HIGH on seeds 1 and 4. Four reasons: a part of a line's own dotted logger name
(`forecasts.api`) is its code, not the service `api`; a record a consumer cannot decode is about what its
producer wrote, not the broker or library that carried it; raising how many runs, workers or threads a
service has at once multiplies its connections, as a scale-out does; and errors saying the data read was
bad keep the answer at MEDIUM, for where it was written may be the cause."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.analysts.offline.findings import attribute
from oncall.core.catalog import mentions
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
    setting_change,
    write_bundle,
)

NAN = "ERROR:forecasts.api:GET /v2/forecast failed: ValueError: cannot convert float NaN to integer"
UNDECODABLE = (
    "ERROR o.a.k.s.p.i.StreamThread - Caused by: org.apache.kafka.common.errors.SerializationException: Error "
    "deserializing Avro message for id 412 Caused by: org.apache.avro.AvroTypeException: Found double, expecting long"
)


def test_a_part_of_a_line_s_own_logger_name_is_its_code_not_a_service() -> None:
    names = ["api", "forecasts", "tsdb"]
    assert not mentions("api", NAN, names, own="forecasts")
    assert mentions("api", "call to api failed: forecasts.db timed out", names, own="forecasts")  # named apart
    assert mentions("api", "ERROR:forecasts.client:call to api failed", names, own="forecasts")
    assert mentions("api", "ERROR:forecasts.api:call to api failed", names, own="forecasts")  # and named after it
    assert mentions("paygate", "POST https://api.paygate.example failed", [*names, "paygate"], own="forecasts")
    # a host's labels run on after it: api's own connection to api.paygate.example names paygate
    assert mentions("paygate", "connection to api.paygate.example:443 failed", [*names, "paygate"], own="api")
    assert attribute(NAN, ["api", "tsdb"], "forecasts")[:2] == ("own", None)


@pytest.mark.parametrize(
    "said",
    [
        UNDECODABLE,
        "Caused by: io.confluent.kafka.serializers.KafkaAvroDeserializer: Error deserializing Avro message: Unknown "
        "magic byte!",
    ],
)
def test_a_library_s_class_in_a_record_it_cannot_decode_is_not_where_the_record_came_from(said: str) -> None:
    assert attribute(said, ["kafka", "tsdb"], "ingest")[:2] == ("own", None)


def test_a_record_it_cannot_decode_still_names_the_source_its_words_name() -> None:
    said = "could not parse price from feed: invalid literal '12,40 EUR'"
    assert attribute(said, ["feed", "tsdb"], "ingest")[:2] == ("peer", "feed")


def test_a_client_library_named_in_a_timeout_still_points_at_its_broker() -> None:
    timeout = "org.apache.kafka.common.errors.TimeoutException: Topic readings not present in metadata after 60000 ms"
    assert attribute(timeout, ["kafka", "tsdb"], "ingest")[:2] == ("peer", "kafka")


def test_a_caller_s_routine_deploy_is_not_blamed_for_its_callee_s_own_bad_data(tmp_path: Path) -> None:
    at = ALERT_AT - 6 * M
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["forecasts"], "forecasts": ["tsdb"], "tsdb": []},
        alert=alertmanager("ForecastsErrorRate", "forecasts"),
        logs=quiet_logs("api", "forecasts", "tsdb")
        + [log(at + i * 10 * S, "forecasts", "error", NAN) for i in range(40)]
        + [
            log(at + i * 10 * S, "api", "error", "GET http://forecasts/v2/forecast: 500 Internal Server Error")
            for i in range(40)
        ],
        metric_lines=series("error_ratio", "forecasts", flat_then(T0, END, 0.001, at, 0.4))
        + series("error_ratio", "api", flat_then(T0, END, 0.001, at, 0.2))
        + series("error_ratio", "tsdb", flat_then(T0, END, 0.001)),
        changes=[setting_change(at - 40 * M, "api", "image", "4.0.0", "4.0.1", kind="deploy")],
    )
    d = investigated(root).diagnosis
    assert d.root_cause.service == "forecasts"  # not api's deploy: forecasts' errors are its own
    assert d.root_cause.confidence != "HIGH"  # the data it read was bad: where it was written may be the cause


def test_a_producer_s_schema_change_is_followed_to_the_consumer_behind_the_broker(tmp_path: Path) -> None:
    at = ALERT_AT - 6 * M
    release = setting_change(at - 3 * M, "gateway", "image", "3.14.2", "3.15.0", kind="deploy")
    release["diff"] += (
        "--- a/schemas/reading.avsc\n+++ b/schemas/reading.avsc\n@@ -12 +12 @@\n"
        '-    {"name": "pressure_hpa", "type": "long"},\n+    {"name": "pressure_hpa", "type": "double"},\n'
    )
    root = write_bundle(
        tmp_path / "b",
        services={"gateway": ["kafka"], "ingest": ["kafka", "tsdb"], "kafka": [], "tsdb": []},
        alert=alertmanager("IngestStalled", "ingest"),
        logs=quiet_logs("gateway", "ingest", "kafka")
        + [log(at + i * 10 * S, "ingest", "error", UNDECODABLE) for i in range(30)],
        metric_lines=series("error_ratio", "ingest", flat_then(T0, END, 0.001, at, 0.9))
        + series("error_ratio", "gateway", flat_then(T0, END, 0.001))
        + series("error_ratio", "kafka", flat_then(T0, END, 0.001)),
        changes=[release],
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("gateway", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "gateway"


def _flooded(tmp_path: Path, old: str, new: str) -> Path:
    at = ALERT_AT - 6 * M
    refused = "FATAL:  sorry, too many clients already"
    return write_bundle(
        tmp_path / f"b{new}",
        services={"batch": ["tsdb"], "forecasts": ["tsdb"], "tsdb": []},
        alert=alertmanager("ForecastsLatencyHigh", "forecasts"),
        logs=quiet_logs("batch", "forecasts", "tsdb")
        + [log(at + i * 10 * S, "tsdb", "fatal", refused) for i in range(30)]
        + [
            log(at + i * 10 * S, "forecasts", "error", f"query failed: connection failed: {refused}") for i in range(30)
        ],
        metric_lines=series("cpu_utilization", "tsdb", flat_then(T0, END, 0.35, at - M, 0.99))
        + series("pool_utilization", "tsdb", flat_then(T0, END, 0.3, at - M, 1.0))
        + series("error_ratio", "forecasts", flat_then(T0, END, 0.001, at, 0.12))
        + series("error_ratio", "batch", flat_then(T0, END, 0.001)),
        changes=[setting_change(at - 6 * M, "batch", "max_active_runs", old, new)],
        signals={
            "error_ratio": 'error_ratio{service="{service}"}',
            "cpu_utilization": 'cpu_utilization{service="{service}"}',
            "pool_utilization": 'pool_utilization{service="{service}"}',
        },
    )


def test_more_runs_at_once_take_a_store_s_connections_as_a_scale_out_does(tmp_path: Path) -> None:
    d = investigated(_flooded(tmp_path, "1", "32")).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("batch", "recent_change")
    assert d.root_cause.confidence != "HIGH"  # read from timing and the kind of failure: likely, not proven
    fewer = investigated(_flooded(tmp_path, "32", "1")).diagnosis  # fewer at once cannot take more
    assert fewer.root_cause.service != "batch"
