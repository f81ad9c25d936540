"""What world 50's first contact taught (an EV charging network on bare-metal Kubernetes, bundled as a
VictoriaLogs export; written after world 49's rules and scored before any rule saw it): 8, 8, 8 and 7 of 14
right on seeds 1-4, a wrong HIGH in one or two. Five reasons: the field spellings of VictoriaLogs, Serilog's
compact JSON, python-json-logger, CloudNativePG and Quarkus hold a line's time, level, text and error; a
TLS alert the remote party sent is about the caller's own certificate; infrastructure the catalog wires to
nothing (the cluster's DNS) is used by every service without saying so, so it is looked at, names that do
not resolve implicate it, and a change can load it; a proxy's upstream name, built from the Service's
namespace and port, names the service that answered."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from oncall.analysts.offline.findings import attribute
from oncall.analysts.offline.patterns import their_cert, upstreams_named
from oncall.context.collect import neighbourhood
from oncall.core.catalog import Catalog
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
    setting_change,
    signals,
    write_bundle,
)

SIGNALS = signals("cpu_utilization", "request_rate", "latency_p99", "error_ratio", "restarts")


def test_the_spellings_of_five_loggers_and_stores_hold_a_lines_level_text_and_error(tmp_path: Path) -> None:
    """As a VictoriaLogs export holds them: the time in `_time` (found as a shipper's own time field), the
    text in `_msg` unless the line nests its own, the stream's labels and each program's fields beside them."""
    at = ALERT_AT - 5 * M

    def stream(n: int) -> str:  # the stream's labels, pod by pod: longer than most lines' text
        return f'{{kubernetes.container_name="api",kubernetes.pod_name="api-6f7d9c8b5-{n:05d}",namespace="prod"}}'

    records = [
        {"_time": r.pop("ts"), "_msg": r.pop("message"), "_stream": stream(n), **r}
        for n, r in enumerate(quiet_logs("api", "db"))
    ]
    for i in range(12):
        t = at + i * 10 * S

        def exported(**fields: str) -> None:
            records.append({"_time": iso(t), "_stream": stream(len(records)), "service": "api", **fields})  # noqa: B023

        # CloudNativePG: every line at info, its msg "record", the server's own line and severity inside
        exported(_msg="record", service="db", level="info", **{"record.error_severity": "FATAL",
                 "record.message": "sorry, too many clients already"})  # fmt: skip
        # Serilog's compact JSON: the level in @l (none at Information), the exception in @x
        exported(**{"@t": iso(t), "_msg": "Push of session s_1 failed", "@l": "Error",
                    "@x": "AuthenticationException: the remote party sent a TLS alert: 'CertificateExpired'"})  # fmt: skip
        exported(**{"@t": iso(t), "@m": "Retrying CDR 88121 in 60 s", "@l": "Warning"})
        exported(**{"@t": iso(t), "@mt": "Partner {Partner} answered slowly", "@l": "Warning", "Partner": "DE*EWE"})
        # python-json-logger: logging's level name, the traceback in exc_info
        exported(asctime=f"{t:%Y-%m-%d %H:%M:%S},000", levelname="ERROR", _msg="pre-authorisation failed",
                 exc_info="Traceback (most recent call last):\nrequests.exceptions.ReadTimeout: read")  # fmt: skip
        exported(levelname="WARNING", message="provider answered in 4.1 s")
        # Quarkus' JSON logging, flattened: the exception's message under exception
        exported(_msg="Failed to load tariff plan", level="ERROR",
                 **{"exception.message": "ERROR: permission denied for table tariff_plans"})  # fmt: skip
    read = read_logs_of(tmp_path, records)
    assert "(12 ERROR," in read["db"] and "too many clients" in read["db"]
    assert "(36 ERROR, 36 WARN," in read["api"]
    for said in (
        "CertificateExpired",
        "ReadTimeout",
        "denied for table",
        "Retrying CDR",
        "{Partner}",
        "Failed to load",
    ):
        assert said in read["api"]


def test_a_tls_alert_the_remote_party_sent_is_about_the_callers_own_certificate() -> None:
    assert not their_cert("Authentication failed because the remote party sent a TLS alert: 'CertificateExpired'")
    assert not their_cert("Post https://hub.example/cdrs: remote error: tls: expired certificate")  # Go's
    assert their_cert("x509: certificate has expired or is not yet valid")  # one the caller checked


def test_infrastructure_the_catalog_wires_to_nothing_is_looked_at_beside_the_shared() -> None:
    catalog = Catalog.model_validate(
        {"services": {"api": {"depends_on": ["db"]}, "db": {}, "web": {"depends_on": ["api"]}, "coredns": {}}}
    )
    assert catalog.unwired == ["coredns"]
    assert "coredns" in neighbourhood("api", catalog)
    assert Catalog.model_validate({"services": {"api": {}}}).unwired == []  # an estate of one wires nothing
    # a catalog that records few edges says nothing by leaving a service unwired
    sparse = {"api": {"depends_on": ["db"]}, "db": {}, **{f"svc-{i}": {} for i in range(10)}}
    assert Catalog.model_validate({"services": sparse}).unwired == []


def _dns(tmp_path: Path, change: bool, lag: timedelta = M, changed: str = "notifier", queries: float = 36000) -> Path:
    """CoreDNS, which the catalog wires to nothing, takes `queries` a second (4,000 before) and pins its CPU from
    `at`; the api's lookups of its database time out `lag` later; `changed` released four minutes before."""
    at = ALERT_AT - 8 * M
    lookup = "begin tx failed: dial tcp: lookup db.prod.svc.cluster.local on 10.43.0.10:53: read udp: i/o timeout"
    return write_bundle(
        tmp_path / f"dns{change}{lag.total_seconds()}{changed}{queries}",
        services={"api": ["db"], "db": [], "notifier": ["push"], "push": [], "coredns": []},
        alert=alertmanager("ApiErrorRate", "api"),
        logs=quiet_logs("api", "db", "notifier", "coredns")
        + [log(at + lag + i * 10 * S, "api", "error", lookup) for i in range(30)],
        metric_lines=series("request_rate", "coredns", flat_then(T0, END, 4000, at, queries))
        + series("cpu_utilization", "coredns", flat_then(T0, END, 0.34, at, 1.0))
        + series("request_rate", "api", flat_then(T0, END, 100, None, None))
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at + M, 0.1)),
        changes=[setting_change(at - 4 * M, changed, "image.tag", "3.7.4", "3.8.0", kind="deploy")] if change else [],
        signals=SIGNALS,
    )


def test_a_dns_server_no_service_is_wired_to_is_the_one_names_fail_to_resolve_on(tmp_path: Path) -> None:
    """The api's lookups time out: the DNS server failed it, though the catalog never says the api uses it.
    A release elsewhere just before the queries multiplied set them off (likely, not proven); with none, the
    DNS server itself."""
    d = investigated(_dns(tmp_path, change=True)).diagnosis
    assert (d.root_cause.service, d.root_cause.category, d.root_cause.confidence) == (
        "notifier",
        "recent_change",
        "MEDIUM",
    )
    assert (d.actions[0].kind, d.actions[0].target) == ("rollback", "notifier")
    alone = investigated(_dns(tmp_path, change=False)).diagnosis
    assert alone.root_cause.service == "coredns"
    # the DNS server's own release: its own change, not one it was set off by
    for lag in (M, -30 * S):
        own = investigated(_dns(tmp_path, change=True, changed="coredns", lag=lag)).diagnosis
        assert (own.root_cause.service, own.root_cause.category) == ("coredns", "recent_change")
        # (nor is it said to have broken after its own change, as a service near it would)
        assert not any("coredns broke just after" in e.text for e in own.evidence)
    # the api's own release, its lookups failing just after as CoreDNS pinned its CPU with no more queries (a
    # client per call): its change loaded the DNS server (likely, not proven), though only timing ties them
    per_call = investigated(_dns(tmp_path, change=True, changed="api", queries=4000)).diagnosis
    assert (per_call.root_cause.service, per_call.root_cause.category) == ("api", "recent_change")
    # the lookups failing half a minute before the DNS server's first abnormal sample: its failure all the same
    early = investigated(_dns(tmp_path, change=False, lag=-30 * S)).diagnosis
    assert early.root_cause.service == "coredns"


def test_a_proxys_upstream_named_with_its_namespace_and_port_names_the_service_that_answered() -> None:
    line = '"POST /api/v1/sessions/start HTTP/2.0" 504 160 "-" 10.002 [charging-driver-api-8000] [] 10.42.1.17:8000'
    assert "[driver-api]" in upstreams_named(line, ["charging"])
    assert upstreams_named("charging-driver-api-8000@kubernetes", ["charging"]) == "driver-api@kubernetes"  # Traefik
    assert upstreams_named(line, ["payments"]) == line  # another namespace's name is left alone
    others = ["driver-api", "sessions"]
    assert attribute(line, others, "ingress-nginx", ["charging"])[:2] == ("peer", "driver-api")
    # read without the namespace, only the request's path names a service
    assert attribute(line, others, "ingress-nginx")[:2] == ("peer", "sessions")
