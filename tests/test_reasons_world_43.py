"""What world 43's first contact taught (a restaurant reservation service on Fly.io Machines, bundled by
fly-log-shipper; written after world 42's rules and scored before any rule saw it): 11, 10, 11 and 10 of 14
right on seeds 1-4 (its catalog corrected once, see docs/worlds.md), no wrong HIGH and no HIGH: no line was
anyone's, for every Fly event carries `host`, the server's short id, a field this reader knows for a host, so
it never looked for the field that names the app (`fly.app.name`, `tablely-api` where the catalog says `api`).
Read, the lines showed one more reason: a signature a webhook's receiver cannot match is its own signing
secret out of step, not the sender failing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from oncall.analysts.offline.patterns import classify
from oncall.tools.read_logs import LogQuery
from oncall.tools.read_logs.embedded import JsonlLogs
from oncall.tools.read_logs.hosts import hosts_field
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
    write_bundle,
)

F0 = datetime(2026, 2, 14, 18, 0, tzinfo=UTC)


def _fly(minute: float, app: str, text: str, provider: str = "app") -> dict:
    """One event as fly-log-shipper writes it: the app's name with the company's prefix, the server's id in
    `host`, every line filed at info."""
    at = F0 + timedelta(minutes=minute)
    return {
        "event": {"provider": provider},
        "fly": {"app": {"instance": f"148ed193b9548{int(minute) % 3}", "name": f"tablely-{app}"}, "region": "ams"},
        "host": ("5e92", "0ad1", "be4a")[int(minute) % 3],
        "log": {"level": "info"},
        "message": text,
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z",  # nanoseconds
    }


def test_a_host_that_names_no_service_does_not_hide_the_field_that_does(tmp_path: Path) -> None:
    lines = [_fly(m, ("api", "web")[m % 2], f"GET /r/{m} 200 - {m % 9}.1 ms") for m in range(60)]
    lines += [_fly(41 + i / 10, "api", "Out of memory: Killed process 582 (api)", "runner") for i in range(4)]
    known = ["api", "tablely-api", "web", "tablely-web"]  # the catalog's names and its templates' spellings
    assert hosts_field(lines, known) == "fly.app.name"
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    q = LogQuery(service="api", start=F0 + timedelta(minutes=30), end=F0 + timedelta(minutes=60), baseline_start=F0,
                 known=known, aliases=["tablely-api"])  # fmt: skip
    stats = JsonlLogs(path).stats(q)
    assert stats.total == 15 + 4 and stats.unattributed == 0  # its half of the window's thirty, and the kills
    assert any("Out of memory" in t.template for t in stats.templates)


def test_a_host_or_pod_named_after_a_service_still_names_it() -> None:
    lines = [{"ts": "2026-02-14T18:00:00Z", "host": f"api-0{i % 3}", "src": "api", "message": "ok"} for i in range(20)]
    assert hosts_field(lines, ["api", "web"]) is None  # the host field it knows names the service


def test_a_line_s_text_is_not_where_it_came_from() -> None:
    lines = [{"ts": "2026-02-14T18:00:00Z", "host": "5e92", "message": f"api: request {i} served"} for i in range(20)]
    assert hosts_field(lines, ["api", "web"]) is None


def test_a_signature_a_webhook_s_receiver_cannot_match_is_its_own_secret_out_of_step() -> None:
    said = (
        "StripeSignatureVerificationError: No signatures found matching the expected signature for payload. Are "
        "you passing the raw request body you received from Stripe?"
    )
    assert classify(said) == "expired_credential"
    assert classify("method signature changed: handler(req, res) now takes a context") is None


def test_a_receiver_s_own_change_before_its_signature_errors_is_the_cause_not_the_sender(tmp_path: Path) -> None:
    at = ALERT_AT - 6 * M
    refused = "StripeSignatureVerificationError: No signatures found matching the expected signature for payload"
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["api", "stripe"], "api": [], "stripe": []},
        alert=alertmanager("WebhooksFailing", "web"),
        logs=quiet_logs("web", "api") + [log(at + i * 15 * S, "web", "error", refused) for i in range(20)],
        metric_lines=series("error_ratio", "web", flat_then(T0, END, 0.001, at, 0.07))
        + series("error_ratio", "api", flat_then(T0, END, 0.001)),
        changes=[
            {
                "ts": (at - 3 * M).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "service": "web",
                "kind": "secrets",
                "from": "STRIPE_WEBHOOK_SECRET (set)",
                "to": "STRIPE_WEBHOOK_SECRET (unset)",
                "author": "maria",
                "ref": "r-1",
                "diff": "",
            }
        ],
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("web", "recent_change")  # not Stripe failing
    # its secret set again: the change undone (world 75: a receiver's own secret change before it cannot match
    # what senders signed is what to undo; it was a config change "renew", which world 43's truth marks wrong)
    assert d.actions[0].kind == "rollback" and d.actions[0].target == "web", d.actions
