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


def config(*files: tuple[str, str]) -> ToolResult:
    from oncall.tools.read_config import ConfigFile, ConfigFiles, summarise

    data = ConfigFiles(
        service="ledger", repo="acme/cfg", files=[ConfigFile(path=p, lines=t.splitlines()) for p, t in files]
    )
    return ToolResult(id="R4", tool="read_config", input={}, ok=True, text=summarise(data), data=data)


VALUES = "pool:\n  idleTimeout: 90s\n  maxConnections: 50\nresources:\n  requests:\n    memory: 512Mi\n  limits:\n    memory: 1Gi\nimage:\n  tag: v1.5.0\n"


def test_a_value_the_repository_holds_otherwise_is_flagged_with_the_files_line() -> None:
    r = config(("apps/ledger/values.yaml", VALUES))
    (w,) = stale_quotes([quote("If connections idle out, check `idleTimeout: 30s`.")], [r])
    assert "says idleTimeout 30s, but apps/ledger/values.yaml in the repository holds idleTimeout: 90s" in w.text
    line = r.text.splitlines().index("   2 |   idleTimeout: 90s") + 1
    assert w.cites == ["R9", f"R4:L{line}"]  # the runbook and the file's own line, as the summary shows it


def test_the_repository_is_not_compared_where_a_change_says_more_or_a_name_is_ambiguous() -> None:
    r = config(("apps/ledger/values.yaml", VALUES))
    c = changes("-  maxConnections: 100\n+  maxConnections: 50\n")
    (w,) = stale_quotes([quote("The pool holds `maxConnections: 100`.")], [c, r])
    assert "set maxConnections to 50" in w.text and w.cites == ["R9", "R7:L2"]  # the change, once
    quotes = [
        quote("Give it `memory: 2Gi` when it is OOMKilled."),  # two memories in the file: not by name alone
        quote("Pin `tag: v1.4.0` to roll back."),  # a rollback target, not a contradiction
        quote("Keep `idleTimeout: 90s`."),  # agrees
    ]
    assert stale_quotes(quotes, [r]) == []


def test_the_demo_reads_the_alerting_services_config_as_the_repository_holds_it() -> None:
    inv = run(DEMO)
    (r,) = [r for r in inv.results if r.tool == "read_config"]
    assert r.ok and r.input == {"service": "api-gateway"}
    assert "apps/api-gateway/values.yaml (22 lines)" in r.text and "  19 |     maxConnections: 10" in r.text
