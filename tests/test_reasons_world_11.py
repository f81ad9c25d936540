"""What world 11's first contact taught (a ride-dispatch platform on Nomad, GELF logs, Grafana alerts;
written after world 10's rules and scored before any rule saw it)."""

from __future__ import annotations

from datetime import timedelta

from tests.bundles import ALERT_AT, END, T0, M, alertmanager, flat_then, investigated, iso, log, series, write_bundle

AT = ALERT_AT - 5 * M
SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
    "memory_utilization": 'memory_ratio{service="{service}"}',
    "latency_p99": 'latency_p99_seconds{service="{service}"}',
}


def test_a_break_below_that_the_blamed_change_does_not_explain_leaves_it_medium(tmp_path) -> None:
    """The broker's memory climbs from 25 minutes before the alert until its alarm blocks publishers; the
    publisher had a routine image bump in between, and its errors ("channel blocked") follow its deploy.
    The broker left its baseline before the publisher did and the deploy does not explain that: the
    brief lists it against the cause, and may not say HIGH."""
    quiet = [log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("api", "mq")]
    errors = [
        log(AT + i * 3 * timedelta(seconds=1), "api", "error", "publish failed: channel blocked (low on memory)")
        for i in range(200)
    ]
    tag = '--- a/jobs/api.hcl\n+++ b/jobs/api.hcl\n@@ -1 +1 @@\n-  image = "v401"\n+  image = "v402"\n'
    root = write_bundle(
        tmp_path / "b",
        services={"api": ["mq"], "mq": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=quiet + errors,
        metric_lines=series("requests", "api", flat_then(T0, END, 100.0))
        + series("error_ratio", "api", flat_then(T0, END, 0.002, AT, 0.4))
        + series("latency_p99_seconds", "api", flat_then(T0, END, 0.1, AT, 3.0))
        + series("requests", "mq", flat_then(T0, END, 300.0))
        + series("memory_ratio", "mq", flat_then(T0, END, 0.5, AT - 25 * M, 0.98)),
        changes=[{"ts": iso(AT - 20 * M), "service": "api", "kind": "deploy", "from": "v401", "to": "v402",
                  "author": "nomad-deployer", "ref": "52bfc1e", "diff": tag}],
        signals=SIGNALS,
    )  # fmt: skip
    d = investigated(root).diagnosis
    if d.root_cause.service == "api":
        assert d.root_cause.confidence != "HIGH" and any("mq left its baseline earlier" in a.text for a in d.against)
    else:
        assert d.root_cause.service == "mq"
