"""A Confluence stand-in: /rest/api/search (CQL, with body.storage and labels expanded)
and /rest/api/space, with Confluence's documented result and error shapes."""

from __future__ import annotations

from tests.fake_http import FakeServer, Request, basic

STORAGE = """<h2>Meaning</h2><p>The 99th percentile of request latency at the edge is above 2 seconds.</p>
<h2>Diagnosis</h2><ol><li><p>Compare upstream latencies.</p></li><li><p>Check the gateway's upstream pool.</p></li></ol>
<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[kubectl rollout history deployment/api-gateway -n production]]></ac:plain-text-body></ac:structured-macro>
<h2>Mitigation</h2><p>If a deploy in the last 24 hours changed upstream pool settings, roll it back first.</p>
<table><tbody><tr><th>Step</th><th>Command</th></tr><tr><td>rollback</td><td><code>kubectl rollout undo deployment/api-gateway</code></td></tr></tbody></table>"""


def confluence_page(pid: str, title: str, storage: str, labels: list[str]) -> dict:
    return {
        "content": {
            "id": pid,
            "type": "page",
            "status": "current",
            "title": title,
            "body": {"storage": {"value": storage, "representation": "storage"}},
            "metadata": {
                "labels": {"results": [{"prefix": "global", "name": n, "id": n} for n in labels], "size": len(labels)}
            },
            "_links": {"webui": f"/spaces/OPS/pages/{pid}", "self": f"/rest/api/content/{pid}"},
        },
        "title": title,
        "excerpt": "",
        "url": f"/spaces/OPS/pages/{pid}",
        "resultGlobalContainer": {"title": "Operations", "displayUrl": "/spaces/OPS"},
        "entityType": "content",
        "lastModified": "2026-10-01T10:00:00.000Z",
    }


def start_confluence() -> FakeServer:
    pages = [
        confluence_page("4001", "Postgres primary", "<h2>Meaning</h2><p>Shared primary.</p>", ["postgres"]),
        confluence_page("4002", "api-gateway latency (APIHighLatencyP99)", STORAGE, ["api-gateway", "edge"]),
    ]

    def route(req: Request) -> tuple[int, object]:
        if req.path == "/wiki/rest/api/search":
            return 200, {
                "results": pages,
                "start": 0,
                "limit": 10,
                "size": len(pages),
                "totalSize": len(pages),
                "cqlQuery": req.arg("cql"),
                "_links": {"base": "https://acme.atlassian.net/wiki", "context": "/wiki"},
            }
        if req.path == "/wiki/rest/api/space":
            return 200, {"results": [{"key": "OPS", "name": "Operations"}], "start": 0, "limit": 1, "size": 1}
        return 404, {"statusCode": 404, "message": f"No route {req.path}"}

    return FakeServer(
        route,
        lambda h: h.get("authorization") == basic("sre@acme.example", "atl-token"),
        (401, {"statusCode": 401, "message": "Client must be authenticated to access this resource."}),
    )
