"""Runbook freshness: a quoted section naming a value the newest change to that setting contradicts
is flagged, citing both; agreement, version bumps and settings the change did not touch are not."""

from __future__ import annotations

from datetime import UTC, datetime

from oncall.core.diagnosis import RunbookQuote
from oncall.core.results import ToolResult
from oncall.grounding.freshness import stale_quotes
from oncall.tools.read_changes import Change, ChangeList
from tests.conftest import DEMO
from tests.test_offline import run

T = datetime(2026, 11, 17, 3, 0, tzinfo=UTC)


def changes(*diffs: str) -> ToolResult:
    found = [
        Change(ts=T.replace(minute=i), service="ledger", kind="config", ref=f"c{i}", diff=d, line=i + 2)
        for i, d in enumerate(diffs)
    ]
    data = ChangeList(since=T, until=T, alert_at=T, services=None, changes=found)
    return ToolResult(id="R7", tool="read_changes", input={}, ok=True, text="", data=data)


def quote(text: str) -> RunbookQuote:
    return RunbookQuote(page="ledger", section="Mitigation", quote=text, cites=["R9"])


def test_the_demo_runbook_disagrees_with_the_deploy_and_both_are_cited() -> None:
    inv = run(DEMO)
    (w,) = [w for w in inv.diagnosis.warnings if "runbook" in w.text]
    assert "says maxConnections 100, but the deploy of api-gateway a41f9c2 set maxConnections to 10" in w.text
    runbook = next(r.id for r in inv.results if r.tool == "read_runbook")
    change = next(r.id for r in inv.results if r.tool == "read_changes")
    assert w.cites[0] == runbook and w.cites[1].startswith(change + ":L")


def test_flags_and_nested_keys_are_compared_by_their_last_name() -> None:
    r = changes("--- a/x.yaml\n+++ b/x.yaml\n-  http.client.timeout: 30s\n+  http.client.timeout: 5s\n")
    (w,) = stale_quotes([quote("Restart with `--timeout=30s` if calls hang.")], [r])
    assert "says timeout 30s" in w.text and "set http.client.timeout to 5s" in w.text and w.cites == ["R9", "R7:L2"]


def test_agreement_versions_and_untouched_settings_are_not_flagged() -> None:
    r = changes(
        "-  pool_size: 20\n+  pool_size: 40\n",
        "-  image.tag: 1.4.0\n+  image.tag: 1.5.0\n",
    )
    quotes = [
        quote("Raise `pool_size: 40` first."),
        quote("Pin `tag: 1.3.9` to roll back."),
        quote("Set `workers: 8`."),
    ]
    assert stale_quotes(quotes, [r]) == []


def test_the_newest_change_to_a_setting_is_the_one_compared() -> None:
    r = changes("-  pool_size: 20\n+  pool_size: 40\n", "-  pool_size: 40\n+  pool_size: 20\n")
    assert stale_quotes([quote("The pool is `pool_size: 20`.")], [r]) == []
    (w,) = stale_quotes([quote("The pool is `pool_size: 40`.")], [r])
    assert "ref c1" not in w.text and "c1" in w.text
