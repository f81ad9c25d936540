"""What world 3 taught, each as the behaviour an SRE relies on: logs shipped with only a pod name,
an incident that began before the window, a change that landed after the errors, a batch job that
floods a store, telemetry that stopped, and the evidence that does not fit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from oncall.analysts.offline.analyst import OfflineAnalyst
from oncall.core.citations import result_of
from oncall.core.investigation import Investigation
from oncall.estate.bundle import Bundle
from oncall.investigate import investigate
from tests.bundles import ALERT_AT, M, alertmanager, flat_then, iso, log, read_logs_of, series, write_bundle


def run(root: Path) -> Investigation:
    b = Bundle.open(root)
    return investigate(b.alert_payload(), catalog=b.catalog, backends=b.backends(), analyst=OfflineAnalyst())


def shipped(t, pod: str, line: str, labels: dict | None = None) -> dict:
    """A fluent-bit record: raw text in `log`, the pod under `kubernetes`, no service field."""
    k8s: dict = {"pod_name": pod, "namespace_name": "prod", "container_name": "app"}
    if labels:
        k8s["labels"] = labels
    return {"@timestamp": iso(t), "stream": "stderr", "log": line, "kubernetes": k8s}


def test_logs_with_only_a_pod_name_belong_to_the_service_the_pod_is_named_after(tmp_path):
    start = ALERT_AT - timedelta(hours=3)
    logs = [shipped(start + i * M, "ledger-db-rs3-0", "LOG:  checkpoint complete") for i in range(0, 170, 5)]
    logs += [
        shipped(ALERT_AT - 5 * M + i * M, "ledger-db-rs3-1", "ERROR:  could not extend file: No space left on device")
        for i in range(5)
    ]
    logs += [
        shipped(ALERT_AT - 4 * M + i * M, "ledger-6f7c9d8b4-hx2vq", "E0302 13:5x store.go:88] write failed: timeout")
        for i in range(4)
    ]
    logs += [
        shipped(
            ALERT_AT - 3 * M,
            "chi-events-0-0",
            "<Error> executeQuery: Code: 243",
            {"app.kubernetes.io/name": "warehouse"},
        )
    ]
    root = write_bundle(
        tmp_path / "b",
        services={"ledger": ["ledger-db", "warehouse"], "ledger-db": [], "warehouse": []},
        alert=alertmanager("HighErrorRate", "ledger"),
        logs=logs,
        metric_lines=[],
    )
    inv = run(root)
    text = {r.input.get("service"): r.text or "" for r in inv.results if r.tool == "read_logs"}
    assert "No space left on device" in text["ledger-db"]
    assert "No space left on device" not in text["ledger"]  # ledger-db's pods are not ledger's
    assert "write failed" in text["ledger"]
    assert "1 lines in window (1 ERROR)" in text["warehouse"]  # an operator's pod is known by its label


def test_an_incident_under_way_before_the_window_is_found_against_the_day_before(tmp_path):
    """Latency has been high for seven hours: steady against the hours before the window, abnormal
    against the same hours a day earlier. It is an incident, not noise."""
    day_ago = ALERT_AT - timedelta(hours=31)
    broke = ALERT_AT - timedelta(hours=7)
    lat = flat_then(day_ago, ALERT_AT + 15 * M, 0.1, broke, 2.0, step_s=60)
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["db"], "db": []},
        alert=alertmanager("HighLatency", "api"),
        logs=[log(ALERT_AT - timedelta(hours=h), "api", "info", "served") for h in range(8)],
        metric_lines=series("latency_p99_seconds", "api", lat)
        + series("error_ratio", "db", flat_then(day_ago, ALERT_AT + 15 * M, 0.001, step_s=60)),
    )
    inv = run(root)
    d = inv.diagnosis
    assert d.root_cause.category != "no_incident"
    assert d.root_cause.service == "api"
    metrics = next(r.text for r in inv.results if r.tool == "read_metrics" and r.input["service"] == "api")
    assert "at this time a day earlier" in (metrics or "") and "before the window opened" in (metrics or "")


def test_a_change_that_landed_after_the_errors_began_is_not_their_cause(tmp_path):
    errors_from = ALERT_AT - 10 * M
    root = write_bundle(
        tmp_path / "b",
        services={"api": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, "api", "info", "served") for i in range(20)]
        + [log(errors_from + i * 15 * timedelta(seconds=1), "api", "error", "disk full: ENOSPC") for i in range(30)],
        metric_lines=series(
            "error_ratio", "api", flat_then(ALERT_AT - timedelta(hours=6), ALERT_AT + 15 * M, 0.001, errors_from, 0.3)
        ),
        changes=[
            {
                "ts": iso(errors_from + 3 * M),
                "service": "api",
                "kind": "deploy",
                "from": "1.0.0",
                "to": "1.0.1",
                "author": "bot",
                "ref": "abc",
                "diff": "",
            }
        ],
    )
    d = run(root).diagnosis
    assert d.root_cause.category == "resource_exhaustion"
    assert not [a for a in d.actions if a.kind == "rollback"]


def test_a_batch_job_whose_load_multiplied_after_its_change_is_blamed_for_the_store_it_floods(tmp_path):
    """The store pages through its users; the batch job is healthy and says nothing; its own request
    rate went up twelvefold right after its schedule changed."""
    t0, at = ALERT_AT - timedelta(hours=6), ALERT_AT - 12 * M
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["db"], "batch": ["db"], "db": []},
        alert=alertmanager("HighLatency", "web"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("web", "db")]
        + [
            log(at + i * 20 * timedelta(seconds=1), "db", "error", "sorry, too many clients already") for i in range(40)
        ],
        metric_lines=series("requests", "batch", flat_then(t0, ALERT_AT + 15 * M, 5.0, at, 60.0))
        + series("cpu", "db", flat_then(t0, ALERT_AT + 15 * M, 0.3, at, 0.98))
        + series("latency_p99_seconds", "db", flat_then(t0, ALERT_AT + 15 * M, 0.01, at, 0.4))
        + series("latency_p99_seconds", "web", flat_then(t0, ALERT_AT + 15 * M, 0.1, at + M, 2.0)),
        changes=[
            {
                "ts": iso(at - 2 * M),
                "service": "batch",
                "kind": "config",
                "from": "0 3 * * *",
                "to": "*/5 * * * *",
                "author": "dev",
                "ref": "c1",
                "diff": "--- a/cron.yaml\n+++ b/cron.yaml\n@@ -1 +1 @@\n-schedule: 0 3 * * *\n+schedule: */5 * * * *\n",
            }
        ],
        signals={
            "request_rate": 'requests{service="{service}"}',
            "cpu_utilization": 'cpu{service="{service}"}',
            "latency_p99": 'latency_p99_seconds{service="{service}"}',
        },
    )
    d = run(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("batch", "recent_change")
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "batch"


def test_telemetry_that_stopped_is_said_cited_and_escalated_never_called_noise(tmp_path):
    stopped = ALERT_AT - timedelta(hours=3)
    root = write_bundle(
        tmp_path / "b",
        services={"api": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=[log(stopped - timedelta(hours=1) + i * 5 * M, "api", "info", "served") for i in range(12)],
        metric_lines=series("error_ratio", "api", flat_then(stopped - timedelta(hours=6), stopped, 0.001)),
    )
    d = run(root).diagnosis
    assert (d.root_cause.category, d.root_cause.confidence) == ("unknown", "LOW")
    assert d.root_cause.cites and d.summary  # the empty reads are cited, so the engineer sees what is absent
    assert d.actions[0].kind == "escalate" and "telemetry" in d.actions[0].description


def test_an_earlier_anomaly_the_cause_does_not_explain_is_listed_against_it(tmp_path):
    t0 = ALERT_AT - timedelta(hours=6)
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["db", "cache"], "db": [], "cache": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, "api", "info", "served") for i in range(20)]
        + [
            log(ALERT_AT - 8 * M + i * 10 * timedelta(seconds=1), "api", "error", "OutOfMemoryError: Java heap space")
            for i in range(40)
        ],
        metric_lines=series("error_ratio", "api", flat_then(t0, ALERT_AT + 15 * M, 0.001, ALERT_AT - 8 * M, 0.3))
        + series("mem", "api", flat_then(t0, ALERT_AT + 15 * M, 0.5, ALERT_AT - 9 * M, 0.99))
        + series("latency_p99_seconds", "cache", flat_then(t0, ALERT_AT + 15 * M, 0.01, ALERT_AT - 25 * M, 0.2)),
        signals={
            "error_ratio": 'error_ratio{service="{service}"}',
            "memory_utilization": 'mem{service="{service}"}',
            "latency_p99": 'latency_p99_seconds{service="{service}"}',
        },
    )
    d = run(root).diagnosis
    assert d.root_cause.service == "api"
    assert any("cache" in e.text and "earlier" in e.text for e in d.against)


def test_opentelemetry_and_datadog_records_are_read_by_their_own_field_names(tmp_path):
    """OTLP log records (`timeUnixNano` in nanoseconds, `severityText`, `body`, `service.name` in the
    resource) and Datadog's (`date`, `status`, `message`): read, not skipped."""
    t0 = ALERT_AT - 5 * M
    otlp = [
        {
            "timeUnixNano": str(int((t0 + i * M).timestamp() * 1e9)),
            "severityText": "ERROR",
            "body": "payment declined: upstream 503",
            "resource": {"service.name": "api", "k8s.pod.name": "api-7f-x"},
        }
        for i in range(4)
    ]
    dd = [
        {"date": iso(t0 + i * M), "status": "error", "service": "db", "host": "db-0", "message": "disk full"}
        for i in range(3)
    ]
    text = read_logs_of(tmp_path, otlp + dd)
    assert "4 lines in window (4 ERROR)" in text["api"] and "3 lines in window (3 ERROR)" in text["db"]
    assert "skipped" not in text["api"]


def test_cloud_logging_and_cloudwatch_records_are_read_by_their_own_field_names(tmp_path):
    """Google Cloud Logging entries (`severity`, the text in `jsonPayload.message` or `textPayload`, the
    container in `resource.labels`) and CloudWatch Logs events as exported (`timestamp` in epoch
    milliseconds, the service only in `logGroup`): read, and each line is its service's."""
    t0 = ALERT_AT - 5 * M
    gcp = [
        {
            "timestamp": iso(t0 + i * M),
            "severity": "ERROR",
            **(
                {"jsonPayload": {"message": "loan rejected: bureau timeout"}}
                if i % 2
                else {"textPayload": "bureau timeout"}
            ),
            "resource": {"type": "k8s_container", "labels": {"container_name": "api", "pod_name": "api-7f-x"}},
        }
        for i in range(4)
    ]
    cloudwatch = [
        {"timestamp": int((t0 + i * M).timestamp() * 1000), "message": "ERROR deadlock detected",
         "logGroup": "/ecs/db", "logStream": "ecs/db/3f9c2a"}
        for i in range(3)
    ]  # fmt: skip
    text = read_logs_of(tmp_path, gcp + cloudwatch)
    assert "4 lines in window (4 ERROR)" in text["api"] and "3 lines in window (3 ERROR)" in text["db"]
    assert "loan rejected: bureau timeout" in text["api"] and "skipped" not in text["api"]


def test_elastic_common_schema_and_azure_log_analytics_records_are_read_by_their_own_field_names(tmp_path):
    """ECS nests `service.name`, `log.level` and `host.name` in objects, and keeps the failure in
    `error.message` beside a generic message; Azure Container Apps rows carry `TimeGenerated`,
    `ContainerAppName_s` and the raw line in `Log_s`, the level only in the line (.NET's `fail:`)."""
    t0 = ALERT_AT - 5 * M
    ecs = [
        {
            "@timestamp": iso(t0 + i * M),
            "log": {"level": "error", "logger": "api.app"},
            "message": "request failed",
            "service": {"name": "api", "environment": "prod"},
            "host": {"name": "api-7f-x"},
            "error": {"type": "SQLTransientConnectionException", "message": "Connection is not available"},
        }
        for i in range(4)
    ]
    azure = [
        {"TimeGenerated": iso(t0 + i * M), "ContainerAppName_s": "db", "RevisionName_s": "db--x1",
         "Log_s": "fail: Db.Api[0] deadlock victim chosen", "Type": "ContainerAppConsoleLogs_CL"}
        for i in range(3)
    ]  # fmt: skip
    text = read_logs_of(tmp_path, ecs + azure)
    assert "4 lines in window (4 ERROR)" in text["api"] and "3 lines in window (3 ERROR)" in text["db"]
    assert "Connection is not available" in text["api"]


def test_logs_that_cannot_be_read_are_missing_evidence_not_a_quiet_service(tmp_path):
    root = write_bundle(
        tmp_path / "b",
        services={"api": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=[{"when": "yesterday", "service": "api", "message": "boom"} for _ in range(5)],
        metric_lines=[],
    )
    d = run(root).diagnosis
    assert any("no line of api could be read" in m for m in d.missing_evidence)


def test_a_dependency_without_telemetry_named_by_its_callers_errors_is_the_suspect(tmp_path):
    """A provider nobody scrapes fails; only its caller's errors say so: blame the provider, not the caller."""
    t0, at = ALERT_AT - timedelta(hours=6), ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["checkout"], "checkout": ["payments-provider"], "payments-provider": []},
        alert=alertmanager("HighErrorRate", "web"),
        logs=[
            log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok")
            for i in range(20)
            for s in ("web", "checkout")
        ]
        + [
            log(at + i * 10 * timedelta(seconds=1), "checkout", "error", "payments-provider: 503 Service Unavailable")
            for i in range(40)
        ],
        metric_lines=series("error_ratio", "checkout", flat_then(t0, ALERT_AT + 15 * M, 0.001, at, 0.5))
        + series("error_ratio", "web", flat_then(t0, ALERT_AT + 15 * M, 0.001, at + M, 0.2)),
    )
    inv = run(root)
    d = inv.diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("payments-provider", "dependency_failure")
    # the proof is its caller's errors, cited; and with nothing of its own to see, it is not HIGH
    by_id = {r.id: r for r in inv.results}
    cited = {by_id[result_of(c)].input.get("service") for c in d.root_cause.cites}
    assert cited == {"checkout"} and d.root_cause.confidence != "HIGH"


def test_a_pool_exhausted_waiting_on_a_dependency_blames_the_dependency(tmp_path):
    t0, at = ALERT_AT - timedelta(hours=6), ALERT_AT - 9 * M
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["orders-db"], "orders-db": []},
        alert=alertmanager("HighLatency", "api"),
        logs=[
            log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok")
            for i in range(20)
            for s in ("api", "orders-db")
        ]
        + [
            log(
                at + i * 15 * timedelta(seconds=1),
                "orders-db",
                "warn",
                "still waiting for ShareLock on transaction 4411",
            )
            for i in range(30)
        ]
        + [
            log(
                at + M + i * 10 * timedelta(seconds=1),
                "api",
                "error",
                "thread pool exhausted (200/200 busy) waiting on orders-db",
            )
            for i in range(40)
        ],
        metric_lines=series("latency_p99_seconds", "orders-db", flat_then(t0, ALERT_AT + 15 * M, 0.005, at, 0.4))
        + series("latency_p99_seconds", "api", flat_then(t0, ALERT_AT + 15 * M, 0.1, at + M, 3.0)),
    )
    assert run(root).diagnosis.root_cause.service == "orders-db"


def test_a_new_info_line_that_names_what_failed_is_evidence(tmp_path):
    """nginx logs a client's refusal of its expired certificate at info; the front door's traffic fell
    to a sixth. Those new lines say what failed: the front door's certificate, not noise."""
    t0, end, at = ALERT_AT - timedelta(hours=6), ALERT_AT + 15 * M, ALERT_AT - 10 * M
    line = ("SSL_do_handshake() failed (SSL: error:0A000415:SSL routines::sslv3 alert certificate expired:"
            "SSL alert number 45) while SSL handshaking")  # fmt: skip
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api"], "api": []},
        alert=alertmanager("ProbeFailure", "edge"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("edge", "api")]
        + [log(at + i * 6 * timedelta(seconds=1), "edge", "info", line) for i in range(150)],
        metric_lines=series("requests", "edge", flat_then(t0, end, 120.0, at, 20.0))
        + series("requests", "api", flat_then(t0, end, 100.0, at, 17.0)),
        signals={"request_rate": 'requests{service="{service}"}'},
    )  # fmt: skip
    d = run(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("edge", "expired_credential")
