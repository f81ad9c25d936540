"""What world 74's first contact taught (a Korean webtoon platform on NHN Cloud's NKS, its logs what the on-call
engineer captured with `stern -o json --timestamps`; written after world 73's rules and scored before any rule saw
it): 8, 8, 9 and 8 of 14 right on seeds 1-4, no HIGH said, every log line skipped. Its reasons: a line with no time
field is dated by the time a capture wrote in front of it; knex's pool with no connection to hand out is the
caller's pool running out; Node's CERT_HAS_EXPIRED is an expired certificate the logger checked; and a server
refusing a certificate that its one caller says was refused tells of that caller's certificate."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

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


def _stern(t: datetime, pod: str, line: str) -> dict:
    """A line of `stern -o json --timestamps`: the runtime's RFC 3339 time (nanoseconds) in front of the line."""
    return {"message": f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond * 1000:09d}Z {line}", "nodeName": "worker-node-1",
            "namespace": "shop", "podName": pod, "containerName": pod.split("-")[0]}  # fmt: skip


def test_a_line_with_no_time_field_is_dated_by_the_time_a_capture_wrote_in_front_of_it(tmp_path: Path) -> None:
    """`kubectl logs --timestamps`, `docker logs -t` and stern put the time first and name no time field: the
    lines are read, dated by it, and shown without it (it is the capture's, not the program's words)."""
    at = ALERT_AT - 8 * M
    records = [
        _stern(at - (90 - i) * M, f"{s}-6f8d9-k2m4p", "served 200 in 12 ms") for i in range(90) for s in ("api", "db")
    ]
    records += [_stern(at + i * M / 4, "api-6f8d9-k2m4p", "ERROR checkout failed: ledger timeout") for i in range(30)]
    reads = read_logs_of(tmp_path / "stern", records)["api"]
    assert "ERROR 30x" in reads and "api-6f8d9-k2m4p: ERROR checkout failed" in reads, reads
    assert "were skipped" not in reads, reads
    # a time field of its own: a program's line that starts with its own time is its line, kept whole
    own = [{**log(at - (90 - i) * M, "api", "info", f"{at - (90 - i) * M:%Y-%m-%dT%H:%M:%S}.000Z  INFO 1 --- served")}
           for i in range(90)]  # fmt: skip
    own += [
        log(at + i * M / 4, "api", "error", f"{at:%Y-%m-%dT%H:%M:%S}.000Z ERROR 1 --- ledger timeout")
        for i in range(30)
    ]
    reads = read_logs_of(tmp_path / "own", own)["api"]
    assert f"api-abc12-xyz: {at:%Y-%m-%dT%H:%M:%S}.000Z ERROR 1 --- ledger timeout" in reads, reads


def test_knex_with_no_connection_to_hand_out_is_the_callers_pool_running_out() -> None:
    from oncall.analysts.offline.patterns import classify

    knex = (
        "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a "
        ".transacting(trx) call?"
    )
    assert classify(knex) == "resource_exhaustion"
    assert classify("acquiring a connection to ledger-db: connect ECONNREFUSED 10.0.0.7:5432") != "resource_exhaustion"


def test_nodes_cert_has_expired_is_an_expired_certificate_the_logger_checked() -> None:
    from oncall.analysts.offline.patterns import checked_their_cert, classify

    said = "handshake from 10.244.3.7 refused: CERT_HAS_EXPIRED"
    assert classify(said) == "expired_credential" and checked_their_cert(said)
    assert not checked_their_cert("http: proxy error: remote error: tls: expired certificate")


def _refused(tmp_path: Path, name: str, server_says: str) -> tuple[str, str]:
    """edge calls pay; from 8 minutes before the alert edge's calls fail with a TLS alert saying its own
    certificate expired, pay's lines say what it refused, and pay's requests fall; pay's routine release
    three hours before: the root cause named, and its confidence."""
    at = ALERT_AT - 8 * M
    alert = "http: proxy error: remote error: tls: expired certificate"
    logs = quiet_logs("edge", "pay", "ledger") + [log(at + i * M / 6, "edge", "error", alert) for i in range(40)]
    logs += [log(at + i * M / 6, "pay", "warn", server_says) for i in range(40)]
    root = write_bundle(
        tmp_path / name,
        services={"edge": ["pay"], "pay": ["ledger"], "ledger": []},
        alert=alertmanager("UnlockFailures", "edge"),
        logs=sorted(logs, key=lambda x: x["ts"]),
        metric_lines=series("error_ratio", "edge", flat_then(T0, END, 0.002, at, 0.1))
        + series("request_rate", "pay", flat_then(T0, END, 15.0, at, 0.5))
        + series("error_ratio", "pay", flat_then(T0, END, 0.002)),
        changes=[setting_change(at - timedelta(hours=3), "pay", "image", "pay:2.2.0", "pay:2.2.1", kind="deploy")],
        signals=signals("error_ratio", "request_rate"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.root_cause.confidence


def test_a_server_refusing_a_certificate_its_one_caller_says_was_refused_tells_of_the_callers(tmp_path: Path) -> None:
    """The caller received the TLS alert (its own certificate refused) and the server says it rejected an expired
    one in the same minutes: both tell of the caller's certificate; the server did its job."""
    said = _refused(tmp_path, "refused", "TLS handshake from 10.244.3.7 refused: CERT_HAS_EXPIRED")
    assert said[0] == "edge/expired_credential", said


def test_a_caller_whose_own_certificate_was_refused_does_not_witness_against_a_callee_moving_with_it() -> None:
    """The callee's requests fall in the very minute the caller's certificate is refused (it refuses the
    caller): the caller's failing calls are its own certificate's, not the callee's failure. A callee that
    moved first is another matter."""
    from oncall.analysts.offline.findings import LogFinding, MetricFinding
    from oncall.analysts.offline.ranking import _expired_first
    from oncall.analysts.offline.suspect import Suspect
    from oncall.tools.read_logs import TemplateStat
    from oncall.tools.read_metrics import SignalStat

    at = ALERT_AT - 8 * M
    said = "http: proxy error: remote error: tls: expired certificate"
    stat = TemplateStat(template=said, level="ERROR", count=200, baseline_count=0, first_seen=at,
                        last_seen=at + 8 * M, sample=said, sample_ref="logs.jsonl:9", line=4)  # fmt: skip
    edge = Suspect("edge", findings=[LogFinding(service="edge", text=said, cite="R3:L4", at=at,
                                                category="expired_credential", weight=2.0, role="own", detail=stat,
                                                words=said)])  # fmt: skip

    def callee(moved: datetime) -> Suspect:
        # (its requests fell away, to a tenth: fewer that did not would mark no onset)
        fell = SignalStat.model_construct(signal="request_rate", direction="down", first_abnormal=moved, baseline=10.0,
                                          last=1.0, onset=None)  # fmt: skip
        return Suspect("pay", findings=[MetricFinding(service="pay", text="requests fell", cite="R1:L2", at=moved,
                                                      role="traffic", signal="request_rate", detail=fell)])  # fmt: skip

    assert _expired_first(edge, callee(at)) and _expired_first(edge, callee(at + M))
    assert not _expired_first(edge, callee(at - 2 * M))
