from __future__ import annotations

from oncall.core.diagnosis import Action, Claim, Diagnosis, Evidence, RootCause, RunbookQuote, SimilarIncident
from oncall.core.results import ToolResult
from oncall.grounding import check_claim, ground, numbers

R1 = ToolResult(
    id="R1",
    tool="read_metrics",
    input={},
    ok=True,
    text="metrics of gw\nlatency_p99 (seconds): rose from baseline 0.18 to 8.2 at 03:44, abnormal from 03:36",
)
R2 = ToolResult(
    id="R2",
    tool="read_changes",
    input={},
    ok=True,
    text="changes: 1\ndeploy gw v2.14.2 -> v2.14.3 at 2026-11-16T21:30:00Z\n  -maxConnections: 100\n"
    "  +maxConnections: 10",
)
R3 = ToolResult(id="R3", tool="read_logs", input={}, ok=False, error="timed out")
BY_ID = {r.id: r for r in (R1, R2, R3)}


def test_cited_id_must_exist():
    assert check_claim(["p99 rose"], ["R9"], BY_ID) == ["R9 does not exist"]
    assert check_claim(["p99 rose"], [], BY_ID) == ["cites nothing"]
    assert "not a citation" in check_claim(["x"], ["logs"], BY_ID)[0]


def test_cited_line_must_exist():
    assert check_claim(["p99 rose"], ["R1:L2"], BY_ID) == []
    assert check_claim(["p99 rose"], ["R1:L7"], BY_ID) == ["R1:L7: R1 has only 2 lines"]


def test_failed_result_supports_nothing():
    assert "failed tool call" in check_claim(["logs"], ["R3"], BY_ID)[0]


def test_quote_must_be_verbatim_in_the_cited_result_or_line():
    assert check_claim([], ["R2"], BY_ID, quote="+maxConnections: 10") == []
    assert "not verbatim" in check_claim([], ["R2"], BY_ID, quote="maxConnections: 5")[0]
    # verbatim elsewhere in the result is not enough when a line is cited
    assert "not verbatim" in check_claim([], ["R2:L2"], BY_ID, quote="maxConnections: 100")[0]
    assert check_claim([], ["R2:L3"], BY_ID, quote="maxConnections: 100") == []


def test_every_number_must_appear_in_a_cited_scope():
    assert check_claim(["p99 rose from 0.18 to 8.2 at 03:44"], ["R1"], BY_ID) == []
    assert check_claim(["p99 rose to 9.1"], ["R1"], BY_ID) == ["number 9.1 does not appear in R1"]
    # 10 is in the diff but 10 is not part of 100, and the claim cites only the header line
    assert check_claim(["pool cut to 10"], ["R2:L2"], BY_ID) == ["number 10 does not appear in R2:L2"]
    assert check_claim(["pool cut from 100 to 10"], ["R2"], BY_ID) == []
    # a time may be cited without seconds
    assert check_claim(["deployed at 21:30"], ["R2"], BY_ID) == []
    assert check_claim(["rose to 8"], ["R1"], BY_ID) == ["number 8 does not appear in R1"]


def test_numbers_tokenise_versions_times_and_thousands():
    assert numbers("v2.14.3 at 03:41, 24,000 lines; 8.2s.") == ["2.14.3", "03:41", "24000", "8.2"]


def _diagnosis(**over) -> Diagnosis:
    base = dict(
        summary=[Claim(text="p99 rose to 8.2", cites=["R1:L2"]), Claim(text="p99 rose to 99", cites=["R1"])],
        root_cause=RootCause(
            service="gw",
            category="recent_change",
            confidence="HIGH",
            statement="deploy v2.14.3 cut maxConnections from 100 to 10",
            cites=["R2"],
        ),
        evidence=[
            Evidence(text="pool cut", quote="+maxConnections: 10", cites=["R2:L4"]),
            Evidence(text="invented", quote="pool size 1", cites=["R2"]),
        ],
        actions=[
            Action(kind="rollback", target="gw", description="roll back v2.14.3", cites=["R2"]),
            Action(kind="scale", target="gw", description="scale to 12 replicas", cites=["R2"]),
        ],
        runbook=[RunbookQuote(page="p", section="s", quote="not in any result", cites=["R1"])],
        similar_incidents=[SimilarIncident(id="INC-9", resolution="rolled back", cites=["R1"])],
    )
    base.update(over)
    return Diagnosis(**base)


def test_ground_drops_failing_claims_and_keeps_the_rest():
    d, report = ground(_diagnosis(), [R1, R2, R3])
    assert [c.text for c in d.summary] == ["p99 rose to 8.2"]
    assert [e.text for e in d.evidence] == ["pool cut"]
    assert [a.kind for a in d.actions] == ["rollback"]
    assert d.runbook == [] and d.similar_incidents == []
    assert d.root_cause.confidence == "HIGH"
    assert report.checked == 9 and report.dropped == 5 and report.kept == 4
    assert {f.where for f in report.failures} == {
        "summary[1]",
        "evidence[1]",
        "actions[1]",
        "runbook[0]",
        "similar_incidents[0]",
    }


def test_unsupported_root_cause_drops_to_low_and_says_why():
    rc = RootCause(
        service="gw",
        category="recent_change",
        confidence="HIGH",
        statement="deploy v2.15.0 broke it",
        cites=["R2"],
    )
    d, report = ground(_diagnosis(root_cause=rc), [R1, R2])
    assert d.root_cause.confidence == "LOW"
    assert d.root_cause.statement == "deploy v2.15.0 broke it"
    assert not report.root_cause_supported
    assert any("2.15.0" in m for m in d.missing_evidence)
