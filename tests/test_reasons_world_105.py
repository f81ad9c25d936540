"""What world 105's first contact taught (a Christchurch electricity retailer on Kubernetes, its .NET services writing
Serilog's compact JSON and Vector wrapping every other line in it; written after world 104's rules and scored before
any rule saw it): 0.750 on each of seeds 1-4, no wrong HIGH. Missed: the portal out of inotify instances (unknown,
LOW), the monthly bill run called a capacity problem, and a certificate renewed days before but still presented
expired given to be renewed. Its lessons:

- a CLEF line with a template and no rendered message says its template with the holes filled from its properties,
  as Seq shows it (the template alone hides every number and reason logged in a hole);
- a kernel limit on inotify instances or watches reached is a resource run out, as open files are: a watcher leak
  a restart releases, the node's sysctl the limit to raise;
- a new routine line that says again and again how far a run has got (so many of so many) is a run of work: its
  service busy with it, its p99 rising no more than the work it took on and what it uses answering a little slower,
  is no incident;
- a credential said to have lapsed is looked up where it was last renewed (weeks back): renewed before it broke,
  the service still presents the one it read at start, and a restart reads the new one."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from oncall.analysts.offline.findings import PROGRESS, rotation
from oncall.analysts.offline.patterns import FD_LIMIT, INOTIFY
from oncall.context.collect import CREDENTIAL_LAPSED
from oncall.tools.read_changes import Change
from oncall.tools.read_logs.clef import templated
from tests.bundles import ALERT_AT as AT
from tests.bundles import (
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
    write_bundle,
)

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]


def _clef(t: datetime, template: str, level: str | None = None, **props: object) -> dict:
    """Serilog's CompactJsonFormatter: the template, its properties, the level unless Information."""
    return {"@t": iso(t), "@mt": template, **({"@l": level} if level else {}), **props}


def test_a_template_is_read_with_its_properties_filled(tmp_path: Path) -> None:
    at = AT - 8 * M
    records = [_clef(t, "Request finished in {Elapsed}ms", Elapsed=12, Application=s) for t in BASELINE
               for s in ("api", "db")]  # fmt: skip
    records += [_clef(at + 10 * i * S, "Query for {Account} failed: {Reason}", "Error", Account=40 + i,
                      Reason="remaining connection slots are reserved", Application="api") for i in range(30)]  # fmt: skip
    # a literal brace is written doubled; a destructured hole is its property's JSON
    records += [_clef(at + 10 * i * S, 'Loaded {{"pool": 10}} for {@Options}', "Warning", Options={"max": 10},
                      Application="api") for i in range(12)]  # fmt: skip
    said = read_logs_of(tmp_path, records)["api"]
    assert "30 ERROR" in said and "remaining connection slots are reserved" in said, said
    assert "{Reason}" not in said, said
    assert 'Loaded {"pool": 10} for {"max":10}' in said, said


def test_what_a_template_only_file_is() -> None:
    bare = {"@t": "2029-06-11T07:00:00Z", "@mt": "Job {Id} done", "Id": 1}
    assert templated([bare, bare, {"@t": "2029-06-11T07:00:00Z", "@mt": "x"}])
    # rendered already (RenderedCompactJsonFormatter), or most lines with no template: read as they are
    assert not templated([bare, {**bare, "@m": "Job 1 done"}])
    assert not templated([bare, {"message": "a"}, {"message": "b"}])


def _limited(tmp_path: Path, said: str) -> tuple[str, list[tuple[str, str]]]:
    """portal fails every request saying `said` from eight minutes before the alert: its verdict and actions."""
    at = AT - 8 * M
    root = write_bundle(
        tmp_path,
        services={"portal": ["accounts"], "accounts": []},
        alert=alertmanager("PortalErrors", "portal"),
        logs=[log(t, s, "info", "ok") for t in BASELINE for s in ("portal", "accounts")]
        + [log(at + 10 * i * S, "portal", "error", said) for i in range(45)],
        metric_lines=series("error_ratio", "portal", flat_then(T0, END, 0.002, at, 0.6)),
        signals=signals("error_ratio"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", [(a.kind, a.description) for a in d.actions]


def test_a_kernel_limit_on_inotify_reached_is_a_watcher_leak(tmp_path: Path) -> None:
    inotify = (
        "System.IO.IOException: The configured user limit (128) on the number of inotify instances has been "
        "reached, or the per-process limit on the number of open file descriptors has been reached."
    )
    verdict, actions = _limited(tmp_path / "inotify", inotify)
    assert verdict == "portal/resource_exhaustion" and actions[0][0] == "restart", (verdict, actions)
    assert any("max_user_instances" in d for _, d in actions), actions
    # open files out: the same restart, the open-file limit named
    verdict, actions = _limited(tmp_path / "files", "accept4: too many open files")
    assert actions[0][0] == "restart" and any("LimitNOFILE" in d for _, d in actions), actions
    for said in ("inotify watch limit reached", "failed to add watch: inotify instances limit reached",
                 "The configured user limit (8192) on the number of inotify watches has been reached"):  # fmt: skip
        assert INOTIFY.search(said) and FD_LIMIT.search(said), said
    for said in ("inotify instances: 12 in use", "a limit (10) on the number of retries"):
        assert not INOTIFY.search(said), said


def _bill_run(
    tmp_path: Path, progress: str = "Bill run 2029-06: {n} of 60214 accounts billed", lines: int = 24,
    db_p99: float = 1.5, p99: float = 3.2,
) -> str:  # fmt: skip
    """billing, alerted on its p99, takes on 4.7 times its jobs for a quarter of an hour, its CPU at 0.89 and its p99
    `p99` times its baseline, logging `progress` `lines` times (every 30 s); the database it uses `db_p99` times
    slower. Its verdict."""
    at = AT - 15 * M
    metrics = (
        series("latency_p99", "billing", flat_then(T0, END, 2.8, at, 2.8 * p99))
        + series("request_rate", "billing", flat_then(T0, END, 7.4, at, 35.0))
        + series("cpu_utilization", "billing", flat_then(T0, END, 0.35, at, 0.89))
        + series("cpu_utilization", "db", flat_then(T0, END, 0.3, at, 0.6))
        + series("latency_p99", "db", flat_then(T0, END, 0.01, at, 0.01 * db_p99))
        + series("error_ratio", "portal", flat_then(T0, END, 0.002))
    )
    root = write_bundle(
        tmp_path,
        services={"portal": ["billing"], "billing": ["db"], "db": []},
        alert=alertmanager("BillingSlow", "billing"),
        logs=quiet_logs("portal", "billing", "db")
        + [log(at + 30 * i * S, "billing", "info", progress.replace("{n}", str(1000 + 100 * i))) for i in range(lines)],
        metric_lines=metrics,
        signals=signals("latency_p99", "request_rate", "cpu_utilization", "error_ratio"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}"


def test_a_run_that_reports_its_progress_is_work_not_a_failure(tmp_path: Path) -> None:
    assert _bill_run(tmp_path / "run") == "billing/no_incident"
    # with no word of a run, far more jobs and a slower p99 are a capacity question
    assert _bill_run(tmp_path / "silent", progress="heartbeat ok") == "billing/capacity"
    # a count of tries is a call failing again, not progress; two lines are no run
    assert _bill_run(tmp_path / "retries", progress="price sync attempt {n} of 60214") != "billing/no_incident"
    assert _bill_run(tmp_path / "two", lines=2) != "billing/no_incident"
    # its p99 rising more than the work it took on, or the database it uses far slower: something gave
    assert _bill_run(tmp_path / "slower", p99=6.0) != "billing/no_incident"
    assert _bill_run(tmp_path / "db", db_p99=8.0) != "billing/no_incident"
    for said in ("1400 of 60214 accounts billed", "processed 300 of 1,200 rows", "reindex 45% done"):
        assert PROGRESS.search(said), said
    for said in ("failed after 3 of 5 attempts", "2029/06/11 07:00:00", "took 30 ms"):
        assert not PROGRESS.search(said), said


def _lapsed(
    tmp_path: Path, said: str, diff: str | None, setting: str = "certificate_revision", deployed: bool = False,
    noted: str = "read batch stored",
) -> tuple[str, list]:  # fmt: skip
    """meters fails every upload saying `said` from ten minutes before the alert, having logged `noted` all along;
    three days before, a change to its `setting` whose record says `diff` (None: no change), and a day before, a
    deploy if `deployed`. Its first action's kind, and what read_changes was asked."""
    at = AT - 10 * M
    renewed = AT - timedelta(days=3)
    deploy = {"ts": iso(AT - timedelta(days=1)), "service": "meters", "kind": "deploy", "from": "tag=3.1.0",
              "to": "tag=3.1.1", "author": "argocd", "ref": "r-8", "diff": "-tag: 3.1.0\n+tag: 3.1.1\n"}  # fmt: skip
    changes = [] if diff is None else [{"ts": iso(renewed), "service": "meters", "kind": "config",
                                        "from": f"{setting}=6", "to": f"{setting}=7", "author": "cert-manager",
                                        "ref": "r-7", "diff": diff}]  # fmt: skip
    changes += [deploy] if deployed else []
    root = write_bundle(
        tmp_path,
        services={"meters": ["mdr"], "mdr": []},
        alert=alertmanager("MeterUploadsFailing", "meters"),
        logs=[log(t, "meters", "info", noted) for t in BASELINE]
        + [log(at + 10 * i * S, "meters", "error", said) for i in range(45)],
        metric_lines=series("error_ratio", "meters", flat_then(T0, END, 0.002, at, 0.9)),
        changes=changes,
        signals=signals("error_ratio"),
    )
    inv = investigated(root)
    asked = [r.input for r in inv.results if r.tool == "read_changes"]
    return inv.diagnosis.actions[0].kind, asked


def test_a_credential_renewed_before_it_lapsed_is_read_again(tmp_path: Path) -> None:
    expired = 'Post "https://mdr.example.nz/v2/reads": remote error: tls: expired certificate'
    renewal = "renewalTime reached; cert-manager issued revision 7 into Secret meters-tls"
    first, asked = _lapsed(tmp_path / "renewed", expired, renewal)
    assert first == "restart", (first, asked)
    assert any(a.get("services") == ["meters"] and a.get("since") for a in asked), asked
    # no renewal came: the credential is to be renewed
    assert _lapsed(tmp_path / "none", expired, None)[0] == "config_change"
    # a change of a setting that is no credential, or one that says nothing of a renewal: nothing renewed
    assert _lapsed(tmp_path / "other", expired, renewal, setting="replicas")[0] != "restart"
    assert _lapsed(tmp_path / "unsaid", expired, "values updated")[0] != "restart"
    # restarted by a deploy since the renewal: it read the renewed one, so something else presents the lapsed one
    assert _lapsed(tmp_path / "deployed", expired, renewal, deployed=True)[0] != "restart"
    # a certificate it does not trust is no credential of its own lapsed, nor is what it always said of its users'
    # tokens: no renewal is looked for
    _, asked = _lapsed(tmp_path / "noted", "connection refused", renewal, noted="a session token has expired")
    assert not any(a.get("services") == ["meters"] for a in asked), asked
    _, asked = _lapsed(tmp_path / "untrusted", "x509: certificate signed by unknown authority", renewal)
    assert not any(a.get("services") == ["meters"] for a in asked), asked
    for said in ("remote error: tls: expired certificate", "alert certificate_expired", "the token has expired",
                 "Password expired"):  # fmt: skip
        assert CREDENTIAL_LAPSED.search(said), said


def test_what_a_renewal_is_in_words() -> None:
    def change(setting: str, diff: str) -> Change:
        return Change.model_validate({"ts": AT, "service": "meters", "kind": "config", "from": f"{setting}=6",
                                      "to": f"{setting}=7", "author": "cert-manager", "diff": diff})  # fmt: skip

    assert rotation(change("certificate_revision", "cert-manager: renewalTime reached"))
    assert rotation(change("tls_cert", "the certificate was re-issued"))
    assert not rotation(change("certificate_revision", "renewable energy tariffs"))
    assert not rotation(change("replicas", "renewed"))
