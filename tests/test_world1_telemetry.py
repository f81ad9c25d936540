"""World 1's cases carry traces and Kubernetes state where the fault would produce them, derived from
what the plan does (its error effects, its restarts), read by the same tools as every other world's."""

from __future__ import annotations

import json

from oncall.core.window import Window
from oncall.estate.bundle import Bundle
from oncall.eval.scenarios.world import make_case
from oncall.tools import offered
from oncall.tools.runner import ToolRunner
from oncall.tools.tool import ToolContext


def _runner(root) -> ToolRunner:  # type: ignore[no-untyped-def]
    b = Bundle.open(root)
    at = b.moment()
    assert at is not None
    return ToolRunner(ToolContext(b.backends(), b.catalog, Window.around(at)), offered(b.backends()), 20)


def test_a_lost_backend_three_hops_down_shows_where_the_failing_requests_begin(tmp_path) -> None:
    plan = make_case(tmp_path / "dd", "deep_dependency", "payments", 7)
    r = _runner(tmp_path / "dd").call("read_traces", {"service": plan.alert_service})
    assert r.ok, r.error
    origins = [x for x in r.lines if x.startswith("O1 ")]
    assert origins and origins[0].startswith(f"O1 {plan.root} "), r.text  # the deepest failing hop is the root


def test_a_memory_leak_shows_its_pods_oomkilled_and_no_one_elses(tmp_path) -> None:
    plan = make_case(tmp_path / "ml", "memory_leak", "webshop", 7)
    state = json.loads((tmp_path / "ml" / "k8s_state.json").read_text())
    killed = {
        p["metadata"]["labels"]["app.kubernetes.io/name"]
        for p in state["items"]
        if p["kind"] == "Pod"
        for c in p["status"]["containerStatuses"]
        if c.get("lastState", {}).get("terminated", {}).get("reason") == "OOMKilled"
    }
    assert killed == {plan.root}
    r = _runner(tmp_path / "ml").call("read_k8s", {"service": plan.root})
    assert r.ok and "OOMKilled" in r.text and "BackOff" in r.text, r.text


def test_a_fault_without_errors_or_restarts_leaves_traces_clean_and_pods_running(tmp_path) -> None:
    make_case(tmp_path / "na", "noisy_alert", "pipeline", 7)
    state = json.loads((tmp_path / "na" / "k8s_state.json").read_text())
    assert not [p for p in state["items"] if p["kind"] == "Pod" and p["status"]["containerStatuses"][0]["restartCount"]]
    spans = [json.loads(x) for x in (tmp_path / "na" / "traces.jsonl").read_text().splitlines()]
    codes = {
        s["status"]["code"] for t in spans for rs in t["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]
    }
    assert spans and codes == {0}
