"""What world 21's first contact taught (a game backend whose logs come back as Falcon LogScale's JSON
export: the line whole in `@rawstring`, the Kubernetes metadata as flat dotted keys, a level only where
a parser extracted one; written after world 20's rules and scored before any rule saw it): every line
was attributed by its pod's name but read as an empty INFO message, so no error was seen; the game
server fleet's `Quota 'CPUS' exceeded` was called a dependency failure, at HIGH, from its traces."""

from __future__ import annotations

from datetime import UTC, datetime

from oncall.analysts.offline.patterns import classify
from oncall.tools.read_logs.texts import text_field
from tests.bundles import ALERT_AT, M, S, read_logs_of


def _logscale(t: datetime, service: str, raw: str, **parsed: str) -> dict:
    """An event as LogScale's export writes it: epoch milliseconds, the raw line, flat dotted metadata."""
    return {
        "@timestamp": int(t.astimezone(UTC).timestamp() * 1000),
        "@id": f"{int(t.timestamp() * 1000):x}_{len(raw)}",
        "#repo": "prod",
        "#type": "kubernetes",
        "@rawstring": raw,
        "kubernetes.namespace_name": "live",
        "kubernetes.pod_name": f"{service}-6d9f7-x2k4p",
        "kubernetes.container_name": service,
        **parsed,
    }


def test_a_path_is_read_whether_the_shipper_nests_it_or_flattens_it(tmp_path) -> None:
    """`kubernetes.container_name` as one key names the service as the nested object does; a dotted key
    this reader knows nothing of (`custom.owner`) names nothing."""
    records = [
        {"ts": (ALERT_AT - 2 * M + i * S).isoformat(), "kubernetes.container_name": "api", "custom.owner": "db",
         "level": "error", "message": "upstream db timed out"}
        for i in range(30)
    ]  # fmt: skip
    text = read_logs_of(tmp_path, records)
    assert "30 lines in window (30 ERROR)" in text["api"] and "upstream db timed out" in text["api"]
    assert "upstream db timed out" not in text["db"]


def test_fluent_bits_container_name_names_the_service_when_its_pod_is_named_otherwise(tmp_path) -> None:
    records = [
        {"ts": (ALERT_AT - 2 * M + i * S).isoformat(), "level": "error", "message": "upstream db timed out",
         "kubernetes": {"container_name": "api", "pod_name": "web-7d9f4-x2k4p", "host": "gke-pool-1-a7e"}}
        for i in range(30)
    ]  # fmt: skip
    assert "30 lines in window (30 ERROR)" in read_logs_of(tmp_path, records)["api"]


def test_the_text_of_a_shipper_this_reader_does_not_know_is_the_field_that_holds_each_line(tmp_path) -> None:
    """No message field this reader knows: the field that is the longest on most lines holds the line as
    written, so its errors are read (their level stated in the line) instead of one empty INFO shape."""
    records = [
        _logscale(ALERT_AT - 2 * M + i * S, "api", f'{{"level":"error","msg":"upstream db timed out","try":{i}}}')
        for i in range(30)
    ]
    records += [_logscale(ALERT_AT - 2 * M + i * S, "db", f"LOG:  duration: {900 + i} ms  statement: SELECT 1")
                for i in range(20)]  # fmt: skip
    text = read_logs_of(tmp_path, records)
    assert "30 lines in window (30 ERROR)" in text["api"] and "upstream db timed out" in text["api"]
    assert "20 lines in window (20 INFO)" in text["db"]


def test_a_field_is_not_taken_for_the_text_when_the_lines_carry_their_own_or_it_never_varies() -> None:
    own = [{"message": f"request {i} served", "@rawstring": f"raw request {i} served in full"} for i in range(10)]
    assert text_field(own) is None
    constant = [{"pipeline": "fluent-bit -> logscale (kubernetes parser v2)", "n": str(i)} for i in range(10)]
    assert text_field(constant) is None
    varied = [{"@rawstring": f"GET /items/{i} 200 in {i} ms", "id": str(i)} for i in range(10)]
    assert text_field(varied) == "@rawstring"


def test_glog_and_klog_headers_state_the_level(tmp_path) -> None:
    """`E1201 03:47:12.345678 ...` is an error and `W1201 ...` a warning, as glog, klog and CockroachDB
    write them with no level field; a line that only begins with a capital letter and digits is not."""
    at = ALERT_AT - 2 * M
    records = [_logscale(at + i * S, "api", f"E{at:%m%d %H:%M:%S}.000000 1 store.go:88] write failed: disk I/O")
               for i in range(12)]  # fmt: skip
    records += [_logscale(at + i * S, "api", f"W{at:%m%d %H:%M:%S}.000000 1 lease.go:14] lease slow {i}s")
                for i in range(7)]  # fmt: skip
    records += [_logscale(at + i * S, "db", f"E2E suite 1201 passed run {i}") for i in range(5)]
    text = read_logs_of(tmp_path, records)
    assert "19 lines in window (12 ERROR, 7 WARN)" in text["api"]
    assert "5 lines in window (5 INFO)" in text["db"]


def test_a_quota_spent_is_a_resource_exhausted_whatever_is_said_between() -> None:
    assert classify("googleapi: Error 403: Quota 'CPUS' exceeded.  Limit: 2400.0 in region europe-west1.") == (
        "resource_exhaustion"
    )
    assert classify("scale-up failed: quotaExceeded") == "resource_exhaustion"
    assert classify("ServiceQuotaExceededException: vCPU limit") == "resource_exhaustion"
    assert classify("quota check passed for project arena-prod") is None


def test_lines_with_no_text_are_said_to_have_none_and_no_other_field_is_read_as_their_text(tmp_path) -> None:
    """A field the reader reads for the line's time, service, pod or level is never taken for its text:
    lines that carry none are counted by level, and the summary says what they say is unknown."""
    records = [
        {"ts": (ALERT_AT - 2 * M + i * S).isoformat(), "service": "api", "pod": f"api-7d9f4-x2k{i}",
         "level": "error", "code": 500 + i % 3}
        for i in range(30)
    ]  # fmt: skip
    assert text_field(records) is None
    text = read_logs_of(tmp_path, records)["api"]
    assert "30 lines in window (30 ERROR)" in text
    assert "30 lines of the window carry no text this reader can find" in text
