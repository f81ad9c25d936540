"""What world 76's first contact taught (a Finnish transit-ticketing platform on OpenShift, its logs a LokiStack
export by logcli whose lines are OpenShift's ViaQ records; written after world 75's rules and scored before any
rule saw it): 3 to 5 of 14 right on seeds 1-4, five or six wrong HIGHs a seed. Its reasons: a line whose text is a
collector's record of the program's line is read by that record's message; a line's own header states its
level better than a field a collector guessed from keywords; a caller that stops trusting a dependency's
re-issued certificate, which the dependency's other callers trust, holds stale trust (restart it); a change on the
alerting service followed only by warnings (reconnects), nothing failing anywhere, is a change being applied; a
user whose cache lookups began missing right after its cache's configuration changed was broken by that change,
though it saturated doing the cache's work; a release raising a job's workers takes a store's connections at the
job's next run; and requests easing off with the hour are not a service breaking."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.findings import LogFinding
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
    read_logs_of,
    series,
    signals,
    trace_line,
    write_bundle,
)


def _viaq(t: datetime, service: str, message: str, level: str) -> dict:
    """One line of `logcli --output=jsonl`: the stream's labels, and the ViaQ record as the line's JSON text."""
    pod = f"{service}-5c9d7f6b8-q7w2r"
    record = {
        "@timestamp": iso(t),
        "hostname": "worker-2.ocp4.example",
        "kubernetes": {"container_name": service, "namespace_name": "prod", "pod_name": pod},
        "level": level,
        "log_type": "application",
        "message": message,
    }
    labels = {"kubernetes_container_name": service, "kubernetes_namespace_name": "prod", "kubernetes_pod_name": pod}
    return {"labels": labels, "line": json.dumps(record), "timestamp": iso(t)}


def test_a_collector_s_record_held_as_the_line_s_text_is_read_by_its_message(tmp_path: Path) -> None:
    """Loki keeps what OpenShift's collector sent, the whole record, as the line: the program's words are its
    `message`, and its `default` level (the collector found no keyword) leaves the level to those words."""
    at = ALERT_AT - 5 * M
    said = "2026/03/02 13:55:00 [error] 27#27: *881 upstream timed out (110: Connection timed out) while reading"
    records = [_viaq(ALERT_AT - 2 * 60 * M + i * 5 * M, "api", "GET /v2/tickets 200", "default") for i in range(20)]
    records += [_viaq(at + i * 10 * S, "api", said, "default") for i in range(20)]
    text = read_logs_of(tmp_path, records)["api"]
    assert "20 ERROR" in text and "upstream timed out" in text and "@timestamp" not in text, text


def test_a_program_s_own_json_line_is_not_a_collector_s_record() -> None:
    """A JSON logger writes its words and fields; only a collector writes the pod's metadata under an object of
    the orchestrator's beside the program's message."""
    from oncall.tools.read_logs.envelopes import collector_record

    assert collector_record({"message": "x", "kubernetes": {"pod_name": "api-1"}, "@timestamp": "t"})
    assert not collector_record({"level": 50, "time": 1, "msg": "x", "hostname": "api-1", "pid": 9})
    assert not collector_record({"kubernetes": {"pod_name": "api-1"}, "stream": "stdout"})  # no message of its own


def test_a_line_s_own_header_states_its_level_better_than_a_guessed_field(tmp_path: Path) -> None:
    """OpenShift's collector files any line with `Error` in it at error (and one with no level word at
    `default`): Kafka's INFO line about an `Error sending fetch request` is the INFO its logger wrote. A header
    that says ERROR, and a request answered with a server error, stay errors. Where the level field is no guess
    (no `default` among its values), an error filed so stays one whatever its text begins with."""
    at = ALERT_AT - 5 * M
    info = "2026-03-02 13:55:00,114 INFO [ReplicaFetcher replicaId=1] Error sending fetch request to node 0"
    error = "2026-03-02 13:55:00,114 ERROR [Consumer] Error committing offsets: Broker: Unknown member"
    served = '10.1.2.3 - - [02/Mar/2026:13:55:00 +0000] "POST /tickets HTTP/1.1" 500 31'
    records = [_viaq(ALERT_AT - 2 * 60 * M + i * 5 * M, s, "GET /v2/tickets 200", "default") for i in range(20)
               for s in ("api", "db")]  # fmt: skip
    records += [_viaq(at + i * 10 * S, "api", info, "error") for i in range(20)]
    records += [_viaq(at + i * 10 * S, "db", error, "error") for i in range(20)]
    records += [_viaq(at + i * 10 * S, "db", served, "default") for i in range(20)]
    text = read_logs_of(tmp_path, records)
    assert "(22 INFO)" in text["api"].split("\n")[1], text["api"]
    assert "(40 ERROR, 2 INFO)" in text["db"].split("\n")[1], text["db"]
    filed = [log(at + i * 10 * S, "api", "error", info) for i in range(20)] + quiet_logs("api", "db")
    assert "20 ERROR" in read_logs_of(tmp_path / "filed", filed)["api"].split("\n")[1]


def _peer(service: str, said: str, at: datetime) -> LogFinding:
    from oncall.tools.read_logs import TemplateStat

    stat = TemplateStat(template=said, level="ERROR", count=50, baseline_count=0, first_seen=at, last_seen=at + 8 * M,
                        sample=said, sample_ref="logs.jsonl:9", line=4)  # fmt: skip
    return LogFinding(service=service, text=said, cite="R3:L4", at=at, category="expired_credential", weight=2.0,
                      role="peer", points_to="grid", detail=stat, words=said)  # fmt: skip


def test_a_caller_that_stops_trusting_a_re_issued_certificate_others_trust_holds_stale_trust() -> None:
    """grid's serving certificate was re-issued by a new CA; journey no longer trusts it while api, which calls grid
    too, gets through: journey read its CA bundle before the re-issue. Its errors are its own; grid's lines of a
    peer refusing its certificate are about journey. An expired certificate, or no other caller getting through,
    say nothing of journey's trust."""
    from oncall.analysts.offline.attribution import _stale_trust
    from oncall.analysts.offline.findings import ChangeFinding
    from oncall.tools.read_changes import Change

    at = ALERT_AT - 6 * M
    change = Change(
        ts=at - M, service="grid", kind="certificate", **{"from": "signed by signer@1"}, to="signed by signer@2"
    )
    reissued = ChangeFinding(service="grid", text="certificate grid", cite="R9:L2", at=at - M, detail=change)
    untrusted = _peer("journey", "Get https://grid:11222/: x509: certificate signed by unknown authority", at)
    refused = _peer("grid", "SSLHandshakeException: Received fatal alert: bad_certificate", at)
    refused = replace(refused, role="own", points_to=None)
    got = _stale_trust([reissued, untrusted, refused], {("api", "grid")})
    assert (got[1].role, got[1].points_to, got[1].category) == ("own", None, "expired_credential"), got[1]
    assert (got[2].role, got[2].points_to) == ("peer", "journey"), got[2]
    unrelated = replace(refused, words="ISPN000136: Error executing command GetKey")
    assert _stale_trust([reissued, untrusted, unrelated], {("api", "grid")})[2].role == "own"  # grid's own trouble
    assert _stale_trust([reissued, untrusted, refused], set())[1].role == "peer"  # no one else gets through
    expired = _peer("journey", "x509: certificate has expired or is not yet valid", at)
    assert _stale_trust([reissued, expired], {("api", "grid")})[1].role == "peer"


def test_a_change_followed_only_by_warnings_is_a_change_being_applied(tmp_path: Path) -> None:
    """broker's setting changed and its users warned, for minutes, that a broker went away and came back: no error
    line, no error rate, nothing saturated (api busier and worker quieter with the hour's requests). A change
    applied as designed (a rolling restart), not an incident; the same change followed by one user's errors, or
    by one user's requests falling away, is one."""

    def diagnosed(name: str, level: str, worker_to: float = 20.0) -> tuple[str, str]:
        at = ALERT_AT - 8 * M
        said = "kafka broker down: Disconnected (after 5012ms in state UP)"
        root = write_bundle(
            tmp_path / name,
            services={"api": ["broker"], "worker": ["broker"], "broker": []},
            alert=alertmanager("BrokerUnderReplicated", "broker", severity="warning"),
            logs=quiet_logs("api", "worker", "broker")
            + [log(at + i * 20 * S, u, "warn", said) for i in range(24) for u in ("api", "worker")]
            + [log(at + i * 20 * S, "worker", level, "produce failed: message lost") for i in range(24) if level]
            + [log(at + i * 30 * S, "broker", "info", "[KafkaServer id=1] started") for i in range(10)],
            metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.002))
            + series("request_rate", "api", flat_then(T0, END, 30.0, at + 2 * M, 60.0))
            + series("request_rate", "worker", flat_then(T0, END, 30.0, at + 2 * M, worker_to))
            + series("cpu_utilization", "broker", flat_then(T0, END, 0.3, at, 0.36)),
            changes=[
                {
                    "ts": iso(at - 2 * M),
                    "service": "broker",
                    "kind": "config",
                    "from": "num.io.threads: 8",
                    "to": "num.io.threads: 16",
                    "author": "gitops",
                }
            ],
            signals=signals("error_ratio", "cpu_utilization", "request_rate"),
        )
        rc = investigated(root).diagnosis.root_cause
        return rc.category, rc.service

    assert diagnosed("warned", "") == ("no_incident", "broker")
    assert diagnosed("failed", "error")[0] != "no_incident"
    assert diagnosed("gone", "", worker_to=6.0)[0] != "no_incident"  # worker's requests fell away: not the hour


def test_a_user_whose_cache_lookups_began_missing_right_after_the_cache_changed_was_broken_by_it(
    tmp_path: Path,
) -> None:
    """grid (a data grid planner caches routes in), healthy itself, had its size cut; a minute later planner's lookups missed and planner, computing every
    answer itself, ran at its CPU limit: the saturation is the work the cache used to save it, and the change is
    the cause. Without the misses, planner's own saturation explains more than a healthy neighbour's change."""

    def root_of(name: str, said: str) -> str:
        at = ALERT_AT - 8 * M
        root = write_bundle(
            tmp_path / name,
            services={"edge": ["planner"], "planner": ["grid"], "grid": []},
            alert=alertmanager("PlannerSlow", "planner"),
            logs=quiet_logs("edge", "planner", "grid")
            + [log(at + i * 5 * S, "planner", "warn", said) for i in range(90)],
            metric_lines=series("cpu_utilization", "planner", flat_then(T0, END, 0.3, at, 0.97))
            + series("latency_p99", "planner", flat_then(T0, END, 0.25, at, 2.5))
            + series("cpu_utilization", "grid", flat_then(T0, END, 0.3)),
            changes=[
                {
                    "ts": iso(at - 2 * M),
                    "service": "grid",
                    "kind": "config",
                    "from": "maxCount: 1000000",
                    "to": "maxCount: 10000",
                    "author": "gitops",
                }
            ],
            signals=signals("cpu_utilization", "latency_p99"),
        )
        rc = investigated(root).diagnosis.root_cause
        return f"{rc.service}/{rc.category}"

    assert root_of("missed", "route cache miss, planning from timetable") == "grid/recent_change"
    assert root_of("slow", "route planning took 2400 ms") != "grid/recent_change"


def test_a_release_raising_a_job_s_workers_takes_a_store_s_connections_at_the_job_s_next_run(tmp_path: Path) -> None:
    """report's release (its image and REPORT_WORKERS 4 -> 48) landed half an hour before its next hourly run; at
    that run its CPU rose with its new work and db refused connections at its limit: the release took them,
    though api, which uses db too, had a routine release in between."""
    from oncall.analysts.offline.findings import ChangeFinding
    from oncall.analysts.offline.loads import scaled_out
    from oncall.core.diffs import settings_changed
    from oncall.tools.read_changes import Change

    diff = ('--- a/values.yaml\n+++ b/values.yaml\n@@ -3,4 +3,4 @@\n image:\n-  tag: 1.3.2\n+  tag: 1.4.0\n env:\n'
            '-  REPORT_WORKERS: "4"\n+  REPORT_WORKERS: "48"\n')  # fmt: skip
    assert settings_changed(diff) == [("tag", "1.3.2", "1.4.0"), ("REPORT_WORKERS", "4", "48")]

    def shipped(d: str) -> ChangeFinding:
        c = Change(
            ts=ALERT_AT, service="report", kind="deploy", **{"from": "image.tag: 1.3.2"}, to="image.tag: 1.4.0", diff=d
        )
        return ChangeFinding(service="report", text="deploy report", cite="R9:L2", at=ALERT_AT, detail=c)

    lowered = diff.replace('"4"\n+', '"48"\n+').replace('+  REPORT_WORKERS: "48"', '+  REPORT_WORKERS: "4"')
    assert scaled_out(shipped(diff)) and not scaled_out(shipped(lowered))
    run = ALERT_AT - 8 * M
    refused = "FATAL:  remaining connection slots are reserved for non-replication superuser connections"
    release = {"ts": iso(run - 30 * M), "service": "report", "kind": "deploy", "from": "image.tag: 1.3.2",
               "to": "image.tag: 1.4.0", "author": "gitops", "diff": diff}  # fmt: skip
    routine = {"ts": iso(run - 20 * M), "service": "api", "kind": "deploy", "from": "image.tag: 5.0.0",
               "to": "image.tag: 5.0.1", "author": "gitops"}  # fmt: skip
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["db"], "report": ["db"], "db": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=quiet_logs("api", "report", "db")
        + [log(run + i * 2 * S, "report", "info", f"worker started of=48 worker={i}") for i in range(48)]
        + [log(run + M + i * 4 * S, "db", "error", refused) for i in range(100)]
        + [
            log(run + M + i * 5 * S, "api", "error", f"Unable to acquire JDBC Connection: {refused}") for i in range(80)
        ],
        metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.002, run + M, 0.3))
        + series("cpu_utilization", "report", flat_then(T0, END, 0.3, run, 0.85))
        + series("cpu_utilization", "db", flat_then(T0, END, 0.3, run, 0.85)),
        changes=[release, routine],
        signals=signals("error_ratio", "cpu_utilization"),
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("report", "recent_change"), d.root_cause
    assert d.actions[0].kind == "rollback", d.actions


def test_a_caller_holding_stale_trust_is_restarted_not_its_dependency_rolled_back(tmp_path: Path) -> None:
    """The whole brief of the stale-trust case: journey, expired credential, restarted first (to read its trusted
    authorities again); grid's certificate is not rolled back, since api trusts it."""
    at = ALERT_AT - 6 * M
    untrusted = ('datagrid get failed: Get "https://grid.prod.svc:11222/rest/v2/caches/routes": tls: failed to verify '
                 'certificate: x509: certificate signed by unknown authority')  # fmt: skip
    refused = "WARN [io.netty] javax.net.ssl.SSLHandshakeException: Received fatal alert: bad_certificate"
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["journey", "api"], "journey": ["grid"], "api": ["grid"], "grid": []},
        alert=alertmanager("JourneyErrors", "journey"),
        logs=quiet_logs("edge", "journey", "api", "grid")
        + [log(at + i * 10 * S, "journey", "error", untrusted) for i in range(40)]
        + [log(at + i * 30 * S, "grid", "warn", refused) for i in range(12)],
        metric_lines=series("error_ratio", "journey", flat_then(T0, END, 0.002, at, 0.55))
        + series("error_ratio", "api", flat_then(T0, END, 0.002)),
        changes=[
            {
                "ts": iso(at - M),
                "service": "grid",
                "kind": "certificate",
                "from": "signed by signer@1714000000",
                "to": "signed by signer@1777180000",
                "author": "service-ca-operator",
            }
        ],
    )
    calls = {"edge": ["journey", "api"], "journey": ["grid"], "api": ["grid"]}
    lines = [
        trace_line(ALERT_AT + m * M, calls, {("journey", "grid")} if ALERT_AT + m * M >= at else set(), k)
        for k, m in enumerate(range(-120, 10, 2))
    ]
    (root / "traces.jsonl").write_text("\n".join(lines) + "\n")
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("journey", "expired_credential"), d.root_cause
    assert d.actions[0].kind == "restart" and "rollback" not in [a.kind for a in d.actions], d.actions


def test_requests_easing_off_with_the_hour_are_not_a_service_breaking(tmp_path: Path) -> None:
    """api's requests eased off (to 60% of the morning's) ten minutes before pay's change made pay fail, api warn
    about it and edge's calls to api fail: a quieter hour, not api breaking first, and no evidence against pay's
    change."""

    def root_of(name: str, fell_to: float) -> str:
        at = ALERT_AT - 6 * M
        root = write_bundle(
            tmp_path / name,
            services={"edge": ["api"], "api": ["pay"], "pay": []},
            alert=alertmanager("PayErrors", "pay"),
            logs=quiet_logs("edge", "api", "pay")
            + [
                log(at + i * 10 * S, "pay", "error", "create payment failed: I/O error: Connect timed out")
                for i in range(30)
            ]
            + [log(at + i * 20 * S, "api", "warn", "payment for T1 failed: pay answered 500") for i in range(15)]
            + [log(at + i * 20 * S, "edge", "error", "POST /tickets: api answered 502") for i in range(15)],
            metric_lines=series("request_rate", "api", flat_then(T0, END, 37.0, at - 10 * M, 37.0 * fell_to))
            + series("error_ratio", "api", flat_then(T0, END, 0.002, at, 0.08))
            + series("error_ratio", "pay", flat_then(T0, END, 0.002, at, 0.6)),
            changes=[
                {
                    "ts": iso(at - 2 * M),
                    "service": "pay",
                    "kind": "network_policy",
                    "from": "egress: allow all",
                    "to": "egress: cluster only",
                    "author": "platform",
                }
            ],
            signals=signals("request_rate", "error_ratio"),
        )
        rc = investigated(root).diagnosis.root_cause
        return f"{rc.service}/{rc.category}/{rc.confidence}"

    assert root_of("eased", 0.6) == "pay/recent_change/HIGH"


def test_a_certificate_its_peers_do_not_trust_after_it_was_replaced_is_the_new_one(tmp_path: Path) -> None:
    """A certificate replaced is a credential rotated (what fails after it may hold the old one), but when edge's
    peers answer that they do not know its certificate's authority, the one it serves is the new one, installed
    without its chain: undo the change, do not restart to reread it."""
    at = ALERT_AT - 8 * M
    said = ("SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48) "
            "while SSL handshaking, client: 10.0.0.1, server: 0.0.0.0:443")  # fmt: skip
    root = write_bundle(
        tmp_path / "b",
        services={"edge": ["api"], "api": []},
        alert=alertmanager("EdgeErrors", "edge"),
        logs=quiet_logs("edge", "api") + [log(at + i * 5 * S, "edge", "error", said) for i in range(90)],
        metric_lines=series("error_ratio", "edge", flat_then(T0, END, 0.002, at, 0.4)),
        changes=[
            {
                "ts": iso(at - 2 * M),
                "service": "edge",
                "kind": "cert",
                "from": "ssl_certificate: shop.fullchain.pem",
                "to": "ssl_certificate: shop-2026.pem",
                "author": "certbot",
            }
        ],
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("edge", "recent_change"), d.root_cause
    assert d.actions[0].kind == "rollback", d.actions
