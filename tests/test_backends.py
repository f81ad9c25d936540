"""The production backends against local stand-ins that answer with each vendor's
documented shapes and errors; the real client libraries run unmodified."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oncall.core.errors import ToolError
from oncall.core.investigation import Settings
from oncall.estate.bundle import Bundle
from oncall.investigate import prepare
from oncall.tools.query_history import QueryHistoryInput
from oncall.tools.read_logs import LogQuery
from oncall.tools.read_logs.opensearch import OpenSearchLogs
from oncall.tools.remote import Remote
from tests.conftest import DEMO
from tests.fake_http import FakeServer, Fault, Request
from tests.fake_opensearch import PASSWORD, USER, FakeOpenSearch, ecs_docs

ALERT_AT = datetime(2026, 11, 17, 3, 41, tzinfo=UTC)


class Sleeps(list):
    def __call__(self, s: float) -> None:
        self.append(s)


def remote(system: str, url: str, env: str, **kw) -> Remote:
    return Remote(system, url, env, sleep=kw.pop("sleep", Sleeps()), **kw)


# -- OpenSearch ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def opensearch():
    fake = FakeOpenSearch(ecs_docs(str(DEMO / "logs.jsonl")))
    yield fake
    fake.close()


def os_logs(fake: FakeOpenSearch, **kw) -> OpenSearchLogs:
    sleeps = kw.pop("sleep", Sleeps())
    return OpenSearchLogs(
        remote("OpenSearch", fake.url, "OPENSEARCH_PASSWORD", sleep=sleeps, timeout_s=kw.pop("timeout_s", 10)),
        index="logs-demo",
        http_auth=kw.pop("auth", (USER, PASSWORD)),
        **kw,
    )


def runners(backend_field: str, backend) -> tuple:
    bundle = Bundle.open(DEMO)
    other = bundle.backends()
    setattr(other, backend_field, backend)
    _, embedded = prepare(bundle.alert_payload(), bundle.catalog, bundle.backends(), Settings())
    _, remote_runner = prepare(bundle.alert_payload(), bundle.catalog, other, Settings())
    return bundle, embedded, remote_runner


def test_opensearch_gives_the_embedded_summaries_for_every_demo_service(opensearch) -> None:
    # a sample that covers every line (the stand-in has no 10,000-hit result window) must change nothing
    bundle, embedded, through = runners("logs", os_logs(opensearch, sample_size=20000))
    for service in bundle.catalog.services:
        e = embedded.call("read_logs", {"service": service})
        o = through.call("read_logs", {"service": service})
        assert o.ok, o.error
        # only where the sample came from differs: a document id instead of a file line
        same = re.sub(r"logs-demo/(\d+)", r"logs.jsonl:\1", o.text).replace("(logs-demo)", "(logs.jsonl)")
        assert same == e.text, service


def test_opensearch_field_names_follow_the_mapping() -> None:
    """Logs shipped without ECS (flat fields, dynamic mapping with .keyword sub-fields)."""
    from oncall.tools.read_logs.opensearch import LogFields

    flat = []
    for d in ecs_docs(str(DEMO / "logs.jsonl")):
        s = d["_source"]
        flat.append(
            d
            | {
                "_source": {
                    "ts": s["@timestamp"],
                    "app": s["service"]["name"],
                    "severity": (s.get("log") or {}).get("level"),
                    "msg": s["message"],
                }
            }
        )
    fake = FakeOpenSearch(flat, ts_field="ts")
    try:
        fields = LogFields(timestamp="ts", service="app.keyword", level="severity.keyword", message="msg", pod="pod")
        _, embedded, through = runners("logs", os_logs(fake, fields=fields, sample_size=20000))
        e = embedded.call("read_logs", {"service": "orders"})
        o = through.call("read_logs", {"service": "orders"})
        assert o.ok, o.error
        assert o.text.splitlines()[1:3] == e.text.splitlines()[1:3]  # the same counts and the same first template
        assert (
            fake.bodies[0]["aggs"]["window"]["aggs"]["slices"]["aggs"]["levels"]["terms"]["field"] == "severity.keyword"
        )
    finally:
        fake.close()


def test_opensearch_pushes_counting_to_the_server_and_bounds_the_sample(opensearch) -> None:
    opensearch.bodies.clear()
    q = LogQuery(
        service="api-gateway",
        start=ALERT_AT - timedelta(minutes=30),
        end=ALERT_AT + timedelta(minutes=15),
        baseline_start=ALERT_AT - timedelta(hours=6, minutes=30),
    )
    small = os_logs(opensearch, sample_size=200).stats(q)
    exact = Bundle.open(DEMO).backends().logs.stats(q)
    count_request, sample_request = opensearch.bodies[-2], opensearch.bodies[-1]
    assert count_request["size"] == 0 and set(count_request["aggs"]) == {"window", "baseline"}
    sizes = [b["size"] for b in sample_request[1::2]]  # every search in one _msearch, each bounded
    assert len(sizes) > 4 and sum(sizes) <= 4 * (200 + 8)  # large classes spread over 8 time slices
    # level totals are the server's exact counts; the template counts are scaled and say so
    assert small.total == exact.total and small.levels == exact.levels
    assert small.sampled and "of" in small.sampled
    top_small = max((t for t in small.templates if t.is_error), key=lambda t: t.count)
    top_exact = max((t for t in exact.templates if t.is_error), key=lambda t: t.count)
    assert top_small.template == top_exact.template
    from oncall.tools.read_logs import summarise

    assert "template counts are scaled from a sample" in summarise(small)


def test_opensearch_sample_spreads_over_time_so_a_late_failure_is_not_lost() -> None:
    """3,000 timeouts in the window's first minutes, then a new failure near its end: a sample of 300
    taken oldest first would hold only timeouts. Sampled per time slice, both templates are there."""

    def doc(n: int, at: datetime, level: str, message: str) -> dict:
        src = {
            "@timestamp": at.isoformat().replace("+00:00", "Z"),
            "service": {"name": "checkout"},
            "log": {"level": level},
            "message": message,
        }
        return {"_index": "logs-x", "_id": str(n), "_source": src}

    start = ALERT_AT - timedelta(minutes=30)
    docs = [
        doc(i, start + timedelta(seconds=0.2 * i), "ERROR", f"timeout calling payments after {1000 + i % 7}ms")
        for i in range(3000)
    ]
    docs += [
        doc(5000 + i, ALERT_AT + timedelta(minutes=5, seconds=i), "ERROR", "disk full writing /var/spool/checkout")
        for i in range(40)
    ]
    docs += [doc(9000 + i, ALERT_AT - timedelta(hours=3, minutes=i), "INFO", "checkout ok") for i in range(100)]
    fake = FakeOpenSearch(docs)
    try:
        q = LogQuery(
            service="checkout",
            start=start,
            end=ALERT_AT + timedelta(minutes=15),
            baseline_start=ALERT_AT - timedelta(hours=6),
        )
        stats = os_logs(fake, sample_size=300).stats(q)
        found = {t.template: t for t in stats.templates if t.is_error}
        late = next(t for name, t in found.items() if name.startswith("disk full"))
        assert 20 <= late.count <= 80 and late.first_seen >= ALERT_AT + timedelta(minutes=5)  # scaled from its slice
        assert stats.levels == {"ERROR": 3040}  # exact, from the server
        assert "across" in (stats.sampled or "") and "3040 error and warning lines in the window" in stats.sampled
    finally:
        fake.close()


def test_opensearch_free_text_is_escaped_never_syntax(opensearch) -> None:
    q = LogQuery(
        service="api-gateway",
        start=ALERT_AT - timedelta(minutes=30),
        end=ALERT_AT + timedelta(minutes=15),
        baseline_start=ALERT_AT - timedelta(hours=6),
        query="pool (exhausted) OR *:*",
    )
    os_logs(opensearch).stats(q)
    sent = opensearch.bodies[-1]["query"]["bool"]["filter"]  # the count: nothing matched, so nothing was sampled
    qs = next(c["query_string"] for c in sent if "query_string" in c)
    assert qs["query"] == r"pool \(exhausted\) OR \*\:\*" and qs["default_operator"] == "AND"


def test_opensearch_wrong_password_names_the_variable(opensearch) -> None:
    with pytest.raises(ToolError, match=r"rejected the credentials \(401\).*check OPENSEARCH_PASSWORD"):
        os_logs(opensearch, auth=(USER, "wrong")).check()


def test_opensearch_forbidden_index_says_access_was_refused(opensearch) -> None:
    opensearch.http.fail(
        "/logs-demo/_search",
        Fault(
            403,
            {
                "error": {
                    "root_cause": [
                        {"type": "security_exception", "reason": "no permissions for [indices:data/read/search]"}
                    ]
                },
                "status": 403,
            },
        ),
    )
    q = LogQuery(
        service="auth",
        start=ALERT_AT,
        end=ALERT_AT + timedelta(minutes=5),
        baseline_start=ALERT_AT - timedelta(hours=1),
    )
    with pytest.raises(ToolError, match=r"refused access \(403\).*OPENSEARCH_PASSWORD"):
        os_logs(opensearch).stats(q)


def test_opensearch_rate_limit_and_server_errors_are_retried(opensearch) -> None:
    sleeps = Sleeps()
    opensearch.http.fail("/logs-demo/_search", Fault(429, {"error": "too many requests", "status": 429}))
    opensearch.http.fail("/_msearch", Fault(503, {"error": "unavailable", "status": 503}))
    opensearch.http.fail("/logs-demo/_msearch", Fault(503, {"error": "unavailable", "status": 503}))
    q = LogQuery(
        service="auth",
        start=ALERT_AT,
        end=ALERT_AT + timedelta(minutes=5),
        baseline_start=ALERT_AT - timedelta(hours=1),
    )
    stats = os_logs(opensearch, sleep=sleeps).stats(q)
    assert stats.total > 0
    assert len(sleeps) >= 2 and all(0 < s <= 5 for s in sleeps)


def test_opensearch_gives_up_after_three_attempts(opensearch) -> None:
    opensearch.http.fail("/", Fault(500, {"error": "boom", "status": 500}), times=3)
    with pytest.raises(ToolError, match=r"answered 500 .*gave up after 3 attempts"):
        os_logs(opensearch).check()
    opensearch.http.faults.clear()


def test_opensearch_timeout_and_malformed_json(opensearch) -> None:
    opensearch.http.fail("/", Fault(delay_s=1.5, status=200, doc={}), times=3)
    with pytest.raises(ToolError, match=r"OpenSearch at .* failed .*(Timeout|timed out).*gave up after 3 attempts"):
        os_logs(opensearch, timeout_s=0.3).check()
    opensearch.http.faults.clear()
    before = len(opensearch.http.requests)
    opensearch.http.fail("/", Fault(raw=b'{"version": {"number": '))
    with pytest.raises(ToolError, match=r"not valid JSON"):
        os_logs(opensearch).check()
    assert len(opensearch.http.requests) == before + 1  # an unreadable answer is not retried


# -- Prometheus (errors; the real server is in test_backend_prometheus) ---------------------------


def test_prometheus_errors_name_the_variable_and_retry_transient() -> None:
    from oncall.tools.read_metrics.prometheus import PrometheusMetrics

    def route(req: Request) -> tuple[int, object]:
        return 200, {"status": "success", "data": {"resultType": "matrix", "result": []}}

    fake = FakeServer(
        route,
        lambda h: h.get("authorization") == "Bearer prom-token",
        (401, {"status": "error", "error": "unauthorized"}),
    )
    try:
        sleeps = Sleeps()
        ok = PrometheusMetrics(
            remote("Prometheus", fake.url, "PROM_TOKEN", sleep=sleeps), headers={"Authorization": "Bearer prom-token"}
        )
        fake.fail("/api/v1/query", Fault(503, {"status": "error", "errorType": "unavailable", "error": "starting up"}))
        assert ok.query_range('up{job="x"}', ALERT_AT, ALERT_AT + timedelta(minutes=5), 60) == []
        assert len(sleeps) == 1
        bad = PrometheusMetrics(remote("Prometheus", fake.url, "PROM_TOKEN"), headers={"Authorization": "Bearer nope"})
        with pytest.raises(ToolError, match=r"rejected the credentials .*check PROM_TOKEN"):
            bad.check()
    finally:
        fake.close()


# -- Confluence ----------------------------------------------------------------------------------


def runbooks(fake: FakeServer, token: str = "atl-token", sleep=None):
    from oncall.tools.read_runbook.confluence import ConfluenceRunbooks

    return ConfluenceRunbooks(
        remote("Confluence", fake.url + "/wiki", "CONFLUENCE_TOKEN", sleep=Sleeps() if sleep is None else sleep),
        username="sre@acme.example",
        token=token,
        space="OPS",
        cloud=True,
    )


def test_confluence_finds_pages_by_label_and_alert_and_quotes_sections(confluence) -> None:
    pages = runbooks(confluence).find(["api-gateway", "edge"], "APIHighLatencyP99", None)
    cql = confluence.requests[-1].arg("cql")
    assert cql == (
        'type = page AND space = "OPS" AND (label in ("api-gateway", "edge") OR '
        'title ~ "APIHighLatencyP99" OR text ~ "APIHighLatencyP99")'
    )
    assert [p.title for p in pages] == ["api-gateway latency (APIHighLatencyP99)"]  # postgres: no label, no alert
    page = pages[0]
    assert page.source == "https://acme.atlassian.net/wiki/spaces/OPS/pages/4002"
    sections = {s.heading: s.body for s in page.sections}
    assert list(sections) == ["Meaning", "Diagnosis", "Mitigation"]
    assert sections["Diagnosis"].splitlines() == [
        "- Compare upstream latencies.",
        "- Check the gateway's upstream pool.",
        "kubectl rollout history deployment/api-gateway -n production",
    ]
    assert "roll it back first" in sections["Mitigation"]
    assert "rollback | kubectl rollout undo deployment/api-gateway" in sections["Mitigation"]


def test_confluence_errors(confluence) -> None:
    with pytest.raises(ToolError, match=r"Confluence at .* rejected the credentials \(401\).*check CONFLUENCE_TOKEN"):
        runbooks(confluence, token="expired").find(["api-gateway"], None, None)
    sleeps = Sleeps()
    confluence.fail("/wiki/rest/api/search", Fault(429, {"message": "Rate limit exceeded"}, {"Retry-After": "2"}))
    assert runbooks(confluence, sleep=sleeps).find(["postgres"], None, None)
    assert sleeps == [2.0]  # the server's Retry-After, not our own backoff


# -- ArgoCD --------------------------------------------------------------------------------------


def manifests(tag: str, pool: int) -> list[str]:
    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api-gateway", "namespace": "production"},
        "spec": {
            "replicas": 3,
            "template": {"spec": {"containers": [{"name": "gateway", "image": f"ghcr.io/acme/api-gateway:{tag}"}]}},
        },
    }
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "api-gateway-upstream"},
        "data": {"maxConnections": str(pool), "idleTimeout": "90s"},
    }
    return [json.dumps(deploy), json.dumps(config)]


@pytest.fixture
def argocd():
    rendered = {
        "1111111111111111111111111111111111111111": manifests("v2.14.2", 100),
        "a41f9c2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": manifests("v2.14.3", 10),
    }
    app = {
        "metadata": {"name": "api-gateway-prod", "namespace": "argocd"},
        "spec": {
            "project": "platform",
            "source": {
                "repoURL": "https://github.com/acme/platform-config",
                "path": "apps/api-gateway",
                "targetRevision": "main",
            },
        },
        "status": {
            "sync": {"status": "Synced"},
            "health": {"status": "Degraded"},
            "history": [
                {
                    "id": 7,
                    "revision": "1111111111111111111111111111111111111111",
                    "deployedAt": "2026-11-10T12:00:00Z",
                    "deployStartedAt": "2026-11-10T11:59:40Z",
                    "source": {"repoURL": "https://github.com/acme/platform-config"},
                    "initiatedBy": {"automated": True},
                },
                {
                    "id": 8,
                    "revision": "a41f9c2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                    "deployedAt": "2026-11-16T21:30:00Z",
                    "deployStartedAt": "2026-11-16T21:29:31Z",
                    "source": {"repoURL": "https://github.com/acme/platform-config"},
                    "initiatedBy": {"username": "dchen"},
                },
            ],
        },
    }

    def route(req: Request) -> tuple[int, object]:
        if req.path == "/api/version":
            return 200, {"Version": "v2.13.1+af54ef8"}
        if req.path == "/api/v1/applications":
            return 200, {"metadata": {"resourceVersion": "123"}, "items": [app]}
        if req.path == "/api/v1/applications/api-gateway-prod/manifests":
            rev = req.arg("revision")
            if rev not in rendered:
                return 404, {"error": "revision not found", "code": 5, "message": "revision not found"}
            return 200, {
                "manifests": rendered[rev],
                "namespace": "production",
                "server": "https://kubernetes.default.svc",
                "revision": rev,
                "sourceType": "Helm",
            }
        return 404, {"error": "not found", "code": 5, "message": "not found"}

    fake = FakeServer(
        route,
        lambda h: h.get("authorization") == "Bearer argo-token",
        (
            401,
            {"error": "invalid session: token is expired", "code": 16, "message": "invalid session: token is expired"},
        ),
    )
    yield fake
    fake.close()


def argo(fake: FakeServer, token: str = "argo-token"):
    from oncall.tools.read_changes.argocd import ArgoCDChanges

    return ArgoCDChanges(remote("ArgoCD", fake.url, "ARGOCD_TOKEN"), token=token, app="{service}-prod")


def test_argocd_history_becomes_changes_with_the_rendered_diff(argocd) -> None:
    found = argo(argocd).changes(None, ALERT_AT - timedelta(hours=24), ALERT_AT)
    assert len(found) == 1  # the sync of 2026-11-10 is outside the range
    c = found[0]
    assert (c.service, c.kind, c.from_, c.to, c.author, c.ref) == (
        "api-gateway",
        "deploy",
        "v2.14.2",
        "v2.14.3",
        "dchen",
        "a41f9c2",
    )
    assert "-  maxConnections: '100'" in c.diff and "+  maxConnections: '10'" in c.diff
    assert argo(argocd).changes(["orders"], ALERT_AT - timedelta(hours=24), ALERT_AT) == []


def test_argocd_retries_a_server_error_and_times_out_cleanly(argocd) -> None:
    from oncall.tools.read_changes.argocd import ArgoCDChanges

    sleeps = Sleeps()
    argocd.fail(
        "/api/v1/applications",
        Fault(502, {"error": "upstream connect error", "code": 14, "message": "upstream connect error"}),
    )
    backend = ArgoCDChanges(
        remote("ArgoCD", argocd.url, "ARGOCD_TOKEN", sleep=sleeps), token="argo-token", app="{service}-prod"
    )
    assert len(backend.changes(None, ALERT_AT - timedelta(hours=24), ALERT_AT)) == 1 and len(sleeps) == 1
    argocd.fail("/api/version", Fault(200, {"Version": "late"}, delay_s=1.0), times=3)
    slow = ArgoCDChanges(remote("ArgoCD", argocd.url, "ARGOCD_TOKEN", timeout_s=0.2), token="argo-token")
    with pytest.raises(ToolError, match=r"ArgoCD at .* failed .*(Timeout|timed out).*gave up after 3 attempts"):
        slow.check()


def test_argocd_errors(argocd) -> None:
    with pytest.raises(ToolError, match=r"ArgoCD at .* rejected the credentials \(401\).*check ARGOCD_TOKEN"):
        argo(argocd, token="old").changes(None, ALERT_AT - timedelta(hours=24), ALERT_AT)
    argocd.fail("/api/v1/applications", Fault(raw=b"<html>502 Bad Gateway</html>"))
    with pytest.raises(ToolError, match="not valid JSON"):
        argo(argocd).changes(None, ALERT_AT - timedelta(hours=24), ALERT_AT)
    argocd.fail(
        "/api/v1/applications",
        Fault(403, {"error": "permission denied", "code": 7, "message": "permission denied: applications, get"}),
    )
    with pytest.raises(ToolError, match=r"refused access \(403\)"):
        argo(argocd).changes(None, ALERT_AT - timedelta(hours=24), ALERT_AT)


# -- GitHub deployments and config commits --------------------------------------------------------

PATCH = "@@ -18,7 +18,7 @@ upstream:\n upstream:\n   connectionPool:\n-    maxConnections: 100\n+    maxConnections: 10\n     idleTimeout: 90s"
TAG_PATCH = "@@ -3,7 +3,7 @@ image:\n image:\n   repository: ghcr.io/acme/orders\n-  tag: v3.8.0\n+  tag: v3.8.1\n replicaCount: 3"


@pytest.fixture
def github():
    repo = "acme/platform-config"
    user = {"login": "dchen", "id": 7, "type": "User"}

    def commit(sha: str, date: str, files: list[dict] | None = None) -> dict:
        doc = {
            "sha": sha,
            "url": f"/repos/{repo}/commits/{sha}",
            "commit": {
                "message": "change",
                "author": {"name": "Dana Chen", "email": "d@acme.example", "date": date},
                "committer": {"name": "GitHub", "email": "noreply@github.com", "date": date},
            },
            "author": user,
            "committer": user,
            "parents": [],
        }
        if files is not None:
            doc["files"] = files
        return doc

    c1 = "a41f9c2" + "0" * 33
    deploy_sha = "e7d2a90" + "0" * 33
    before_sha = "b" * 40

    def route(req: Request) -> tuple[int, object]:
        base = f"/repos/{repo}"
        if req.path == base:
            return 200, {
                "id": 1,
                "name": "platform-config",
                "full_name": repo,
                "owner": {"login": "acme", "id": 1, "type": "Organization"},
                "default_branch": "main",
                "url": f"{base}",
            }
        if req.path == f"{base}/commits":
            if req.arg("path") == "apps/api-gateway/values.yaml":
                return 200, [commit(c1, "2026-11-16T21:30:00Z")]
            return 200, []
        if req.path == f"{base}/commits/{c1}":
            return 200, commit(
                c1,
                "2026-11-16T21:30:00Z",
                [
                    {
                        "filename": "apps/api-gateway/values.yaml",
                        "status": "modified",
                        "additions": 1,
                        "deletions": 1,
                        "changes": 2,
                        "patch": PATCH,
                    }
                ],
            )
        if req.path == f"{base}/deployments":
            return 200, [
                {
                    "id": 2,
                    "sha": deploy_sha,
                    "ref": "v3.8.1",
                    "task": "deploy",
                    "environment": "production",
                    "payload": {"service": "orders"},
                    "creator": user,
                    "created_at": "2026-11-17T03:22:00Z",
                    "updated_at": "2026-11-17T03:22:00Z",
                    "url": f"{base}/deployments/2",
                },
                # newest first, as GitHub lists them; the config commit above, deployed: listed once, as the commit
                {
                    "id": 3,
                    "sha": c1,
                    "ref": "main",
                    "task": "deploy",
                    "environment": "production",
                    "payload": {"service": "api-gateway"},
                    "creator": user,
                    "created_at": "2026-11-16T21:31:00Z",
                    "updated_at": "2026-11-16T21:31:00Z",
                    "url": f"{base}/deployments/3",
                },
                {  # another service's older deployment: the listing goes on past it to orders' previous one
                    "id": 4,
                    "sha": "c" * 40,
                    "ref": "v1.2.0",
                    "task": "deploy",
                    "environment": "production",
                    "payload": {"service": "payments"},
                    "creator": user,
                    "created_at": "2026-11-10T09:00:00Z",
                    "updated_at": "2026-11-10T09:00:00Z",
                    "url": f"{base}/deployments/4",
                },
                {
                    "id": 1,
                    "sha": before_sha,
                    "ref": "v3.8.0",
                    "task": "deploy",
                    "environment": "production",
                    "payload": {"service": "orders"},
                    "creator": user,
                    "created_at": "2026-11-01T10:00:00Z",
                    "updated_at": "2026-11-01T10:00:00Z",
                    "url": f"{base}/deployments/1",
                },
            ]
        if (
            req.path == f"{base}/compare/{before_sha}...{deploy_sha}"
        ):  # orders to orders, not to the api-gateway deploy between
            return 200, {
                "status": "ahead",
                "ahead_by": 1,
                "behind_by": 0,
                "total_commits": 1,
                "commits": [],
                "files": [
                    {"filename": "apps/orders/values.yaml", "status": "modified", "patch": TAG_PATCH},
                    {"filename": "README.md", "status": "modified", "patch": "@@ -1 +1 @@\n-a\n+b"},
                ],
            }
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    fake = FakeServer(
        route,
        lambda h: h.get("authorization") in ("token gh-token", "Bearer gh-token"),
        (401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}),
    )
    yield fake
    fake.close()


def gh_changes(fake: FakeServer, token: str = "gh-token", sleep=None):
    from oncall.tools.read_changes.github import GithubChanges

    paths = {"api-gateway": ["apps/api-gateway/values.yaml"], "orders": ["apps/orders/values.yaml"]}
    return GithubChanges(
        remote("GitHub", fake.url, "GITHUB_TOKEN", sleep=Sleeps() if sleep is None else sleep),
        token,
        "acme/platform-config",
        paths,
        environment="production",
    )


def test_github_config_commits_and_deployments_with_diffs(github) -> None:
    found = sorted(gh_changes(github).changes(None, ALERT_AT - timedelta(hours=24), ALERT_AT), key=lambda c: c.ts)
    assert [(c.service, c.kind, c.from_, c.to, c.ref) for c in found] == [
        ("api-gateway", "config", "maxConnections=100", "maxConnections=10", "a41f9c2"),
        ("orders", "deploy", "v3.8.0", "v3.8.1", "e7d2a90"),
    ]
    assert found[0].diff.startswith("--- a/apps/api-gateway/values.yaml\n+++ b/apps/api-gateway/values.yaml\n@@")
    assert "README.md" not in found[1].diff  # only the service's own config files


def test_github_errors(github) -> None:
    with pytest.raises(ToolError, match=r"GitHub at .* rejected the credentials \(401\).*check GITHUB_TOKEN"):
        gh_changes(github, token="revoked").changes(None, ALERT_AT - timedelta(hours=24), ALERT_AT)
    sleeps = Sleeps()
    github.fail(
        "/repos/acme/platform-config/deployments", Fault(429, {"message": "secondary rate limit"}, {"Retry-After": "1"})
    )
    github.fail("/repos/acme/platform-config/deployments", Fault(500, {"message": "Server Error"}))
    assert len(gh_changes(github, sleep=sleeps).changes(["orders"], ALERT_AT - timedelta(hours=24), ALERT_AT)) == 1
    assert sleeps[0] == 1.0 and len(sleeps) == 2


# -- Databricks ----------------------------------------------------------------------------------


class DuckDBWarehouse:
    """A DB-API 2.0 connection that speaks Databricks' :name parameters over DuckDB, so the
    backend's connector wiring (connect kwargs, cursor, execute, description, fetchall, close) runs."""

    def __init__(self, history: Path, **kwargs):
        import duckdb

        self.kwargs = kwargs
        self.con = duckdb.connect(":memory:")
        self.con.execute("CREATE SCHEMA oncall")
        self.con.execute(
            "CREATE TABLE oncall.incidents AS SELECT * REPLACE (CAST(opened_at AS TIMESTAMP) AS opened_at) "
            "FROM read_json(?, format='newline_delimited')",
            [str(history)],
        )
        self.closed_cursors = 0

    def cursor(self):
        warehouse = self

        class Cursor:
            def __init__(self):
                self.cur = warehouse.con.cursor()
                self.description = None

            def execute(self, sql, params):
                self.cur.execute(re.sub(r":(\w+)", r"$\1", sql), params)
                self.description = self.cur.description

            def fetchall(self):
                return self.cur.fetchall()

            def close(self):
                warehouse.closed_cursors += 1

        return Cursor()


def test_databricks_runs_the_embedded_sql_through_db_api() -> None:
    from oncall.tools.query_history.databricks import DatabricksHistory

    made: list[DuckDBWarehouse] = []

    def connect(**kw):
        made.append(DuckDBWarehouse(DEMO / "history.jsonl", **kw))
        return made[-1]

    backend = DatabricksHistory(
        remote("Databricks SQL", "https://adb-1.azuredatabricks.net", "DATABRICKS_TOKEN"),
        "/sql/1.0/warehouses/abc",
        "dapi-secret",
        connect=connect,
    )
    q = QueryHistoryInput(fingerprint="a3f1c2d4e5b60718", alertname="APIHighLatencyP99", service="api-gateway")
    got = backend.search(q)
    assert got == Bundle.open(DEMO).backends().history.search(q)
    assert got[0].id == "INC-2291"
    assert (
        made[0].kwargs["server_hostname"] == "adb-1.azuredatabricks.net"
        and made[0].kwargs["access_token"] == "dapi-secret"
    )
    assert made[0].closed_cursors == 1


def test_databricks_table_name_is_never_sql() -> None:
    from oncall.tools.query_history.databricks import DatabricksHistory

    with pytest.raises(ToolError, match=r"not a plain catalog\.schema\.table"):
        DatabricksHistory(remote("Databricks SQL", "https://x", "T"), "/p", "t", table="incidents; DROP TABLE x")


def test_databricks_connector_failure_is_a_clear_error() -> None:
    """The real connector, against a port where nothing listens."""
    pytest.importorskip("databricks.sql")
    import socket

    from oncall.tools.query_history.databricks import DatabricksHistory

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = DatabricksHistory(
        remote("Databricks SQL", f"http://127.0.0.1:{port}", "DATABRICKS_TOKEN", attempts=1, timeout_s=2),
        "/sql/1.0/warehouses/abc",
        "dapi-x",
    )
    with pytest.raises(ToolError, match=r"Databricks SQL at .*(failed|answered)"):
        backend.search(QueryHistoryInput(service="api-gateway"))


def test_a_missing_client_library_names_the_extra(monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "opensearchpy", None)  # as if the extra were not installed
    backend = OpenSearchLogs(Remote("OpenSearch", "http://127.0.0.1:9", "P", extra="opensearch"))
    with pytest.raises(
        ToolError,
        match=r"OpenSearch client library is not installed \(opensearchpy\): pip install 'oncall-copilot\[opensearch\]'",
    ):
        backend.check()
