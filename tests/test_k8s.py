"""read_k8s: the bundle's Kubernetes files and a live API server (a stand-in answering the API's
documented list shapes, the official client unmodified) give one summary, and what the cluster
says counts as the workload's own evidence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from oncall.analysts.offline.findings import WorkloadFinding, findings
from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.core.investigation import Settings
from oncall.core.results import ToolResult
from oncall.estate.bundle import Bundle
from oncall.investigate import prepare
from oncall.tools.read_k8s import Objects, read, summarise
from oncall.tools.read_k8s.embedded import sort
from oncall.tools.read_k8s.kubernetes import KubernetesConfig
from tests.bundles import demo_runner
from tests.conftest import DEMO
from tests.fake_http import FakeServer, Fault, Request

TOKEN = "k8s-sa-token"
NS = "production"


def demo_items() -> list[dict]:
    items = [json.loads(x) for x in (DEMO / "k8s.jsonl").read_text().splitlines() if x.strip()]
    return items + json.loads((DEMO / "k8s_state.json").read_text())["items"]


def api_server(items: list[dict]) -> FakeServer:
    """The three list endpoints the backend reads, honouring label and field selectors as the API does."""

    def route(req: Request) -> tuple[int, object]:
        kinds = {
            f"/api/v1/namespaces/{NS}/events": "Event",
            f"/api/v1/namespaces/{NS}/pods": "Pod",
            f"/apis/apps/v1/namespaces/{NS}/deployments": "Deployment",
        }
        if req.path not in kinds:
            return 404, {"kind": "Status", "status": "Failure", "message": f"the server could not find {req.path}"}
        found = [i for i in items if i.get("kind") == kinds[req.path]]
        if sel := req.arg("labelSelector"):
            key, value = sel.split("=", 1)
            found = [i for i in found if (i["metadata"].get("labels") or {}).get(key) == value]
        if req.arg("fieldSelector") == "type=Warning":
            found = [i for i in found if i.get("type") == "Warning"]
        # list items carry no kind, as the API sends them
        return 200, {
            "kind": kinds[req.path] + "List",
            "items": [{k: v for k, v in i.items() if k != "kind"} for i in found],
        }

    return FakeServer(
        route,
        lambda h: h.get("authorization") == f"Bearer {TOKEN}",
        (401, {"kind": "Status", "status": "Failure", "message": "Unauthorized", "code": 401}),
    )


@pytest.fixture
def cluster():
    fake = api_server(demo_items())
    yield fake
    fake.close()


def k8s(fake: FakeServer, token: str = TOKEN):
    env = {"K8S_TOKEN": token}
    cfg = KubernetesConfig(backend="kubernetes", url=fake.url, namespace=NS, token_env="K8S_TOKEN", timeout_s=2)
    backend = cfg.build(env, Catalog())
    backend.remote.sleep = lambda s: None
    return backend


def runner_with(backend=None):
    return demo_runner(**({"k8s": backend} if backend is not None else {}))


def test_the_demo_shows_the_gateway_pods_failing_readiness_and_steady_noise_as_steady() -> None:
    runner = runner_with()
    gw = runner.call("read_k8s", {"service": "api-gateway"})
    assert gw.ok, gw.error
    assert "deployment api-gateway: 3 desired, 3 updated, 1 ready, 1 available; rollout complete" in gw.text
    assert "K1 Warning Unhealthy 42x (new), first 03:38:00" in gw.text
    payments = runner.call("read_k8s", {"service": "payments"}).text
    assert "BackOff 4x (baseline 20)" in payments  # all night long: not news
    found = findings([gw, runner.call("read_k8s", {"service": "payments"})], Bundle.open(DEMO).catalog)
    assert [f.service for f in found if isinstance(f, WorkloadFinding)] == ["api-gateway"]


def test_the_api_server_gives_the_same_summary_as_the_bundle(cluster) -> None:
    embedded, live = runner_with(), runner_with(k8s(cluster))
    for svc in ("api-gateway", "orders", "payments", "postgres"):
        a, b = embedded.call("read_k8s", {"service": svc}), live.call("read_k8s", {"service": svc})
        assert b.ok, b.error
        assert a.text.splitlines()[1:] == b.text.splitlines()[1:], svc
        assert f"kubernetes {cluster.url} namespace {NS}" in b.text.splitlines()[0]
    pods = [r for r in cluster.requests if r.path.endswith("/pods")]
    assert pods and all(r.arg("labelSelector", "").startswith("app.kubernetes.io/name=") for r in pods)
    events = [r for r in cluster.requests if r.path.endswith("/events")]
    assert events and all(r.arg("fieldSelector") == "type=Warning" for r in events)
    assert len(events) == 1  # the namespace's warnings are listed once for all four services


def test_the_api_server_errors_are_one_line_and_transient_ones_retried(cluster) -> None:
    with pytest.raises(ToolError, match=r"rejected the credentials.*K8S_TOKEN"):
        k8s(cluster, token="wrong").objects("api-gateway", datetime.now(UTC), datetime.now(UTC))
    cluster.fail("/api/v1", Fault(503, {"kind": "Status", "message": "etcd leader changed"}))
    got = k8s(cluster).objects("api-gateway", datetime.now(UTC), datetime.now(UTC))
    assert got.deployments and got.events
    cluster.fail("/api/v1", Fault(403, {"kind": "Status", "message": 'events is forbidden: User "x" cannot list'}))
    with pytest.raises(ToolError, match="refused access"):
        k8s(cluster).objects("api-gateway", datetime.now(UTC), datetime.now(UTC))


AT = datetime(2026, 11, 17, 3, 40, tzinfo=UTC)


def ev(reason: str, message: str, pod: str = "ledger-7d9f8-x2k4p", minutes: int = 0, count: int = 5) -> dict:
    t = (AT + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "kind": "Event",
        "type": "Warning",
        "reason": reason,
        "message": message,
        "count": count,
        "involvedObject": {"kind": "Pod", "name": pod},
        "firstTimestamp": t,
        "lastTimestamp": t,
    }


def pod(name: str, **status: object) -> dict:
    return {"kind": "Pod", "metadata": {"name": name}, "status": {"containerStatuses": [status]}}


@pytest.mark.parametrize(
    ("items", "category"),
    [
        (
            [
                pod(
                    "ledger-7d9f8-x2k4p",
                    restartCount=4,
                    lastState={
                        "terminated": {"reason": "OOMKilled", "exitCode": 137, "finishedAt": "2026-11-17T03:41:00Z"}
                    },
                )
            ],
            "resource_exhaustion",
        ),
        ([ev("Failed", 'Failed to pull image "reg/ledger:2.4.0": manifest unknown')], "recent_change"),
        ([pod("ledger-7d9f8-x2k4p", state={"waiting": {"reason": "ImagePullBackOff"}})], "recent_change"),
        ([ev("FailedScheduling", "0/6 nodes are available: 6 Insufficient memory.")], "resource_exhaustion"),
        (
            [ev("FailedCreate", 'pods "ledger-7d9f8-abc" is forbidden: exceeded quota: team-quota')],
            "resource_exhaustion",
        ),
        ([ev("Evicted", "The node was low on resource: ephemeral-storage.")], "resource_exhaustion"),
        ([ev("Failed", "exec /app/server: exec format error")], "recent_change"),
        # restarts say the process died, not why
        ([pod("ledger-7d9f8-x2k4p", restartCount=9, state={"waiting": {"reason": "CrashLoopBackOff"}})], None),
    ],
)
def test_what_the_cluster_says_names_the_category(items: list[dict], category: str | None) -> None:
    st = read(
        sort(items, "test"),
        "ledger",
        AT - timedelta(minutes=30),
        AT + timedelta(minutes=15),
        AT - timedelta(hours=6),
        [],
    )
    r = ToolResult(id="R1", tool="read_k8s", input={}, ok=True, text=summarise(st), data=st)
    found = [f for f in findings([r], Catalog()) if isinstance(f, WorkloadFinding)]
    assert [f.category for f in found] == ([category] if category else [])  # restarts alone: no finding
    for f in found:
        assert f.quote and f.quote in r.text  # every finding quotes the line it cites


def test_an_object_of_a_longer_named_service_is_not_this_ones() -> None:
    items = [ev("OOMKilling", "Memory cgroup out of memory", pod="ledger-db-0")]
    st = read(
        Objects(events=items, source="t"),
        "ledger",
        AT - timedelta(minutes=30),
        AT + timedelta(minutes=15),
        AT - timedelta(hours=6),
        ["ledger-db"],
    )
    assert st.events == []
    st = read(
        Objects(events=items, source="t"),
        "ledger-db",
        AT - timedelta(minutes=30),
        AT + timedelta(minutes=15),
        AT - timedelta(hours=6),
        [],
    )
    assert st.events[0].reason == "OOMKilling"


def test_an_estate_without_kubernetes_is_not_offered_the_tool(tmp_path) -> None:
    import shutil

    shutil.copytree(DEMO, tmp_path / "b")
    (tmp_path / "b" / "k8s.jsonl").unlink()
    (tmp_path / "b" / "k8s_state.json").unlink()
    bundle = Bundle.open(tmp_path / "b")
    _, runner = prepare(bundle.alert_payload(), bundle.catalog, bundle.backends(), Settings(), bundle.moment())
    assert "read_k8s" not in runner.tools
