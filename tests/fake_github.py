"""A local HTTP server answering the GitHub REST endpoints open_pr uses, with GitHub's
documented response shapes (repos, branches, git refs, contents, pulls, labels) and
its errors (401, 403 with rate-limit headers, 404, 422), so PyGithub runs unmodified."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


def sha(content: str | bytes) -> str:
    return hashlib.sha1(content if isinstance(content, bytes) else content.encode()).hexdigest()


class FakeGitHub:
    def __init__(
        self,
        files: dict[str, str],
        upstream: str = "acme/platform-config",
        fork: str = "oncall-bot/platform-config",
        token: str = "ghp_test",
    ):
        self.token = token
        self.repos: dict[str, dict[str, Any]] = {}
        for name in (upstream, fork):
            head = sha(name)
            self.repos[name] = {"branches": {"main": head}, "files": {("main", p): c for p, c in files.items()}}
        self.pulls: list[dict[str, Any]] = []
        self.labels: dict[int, list[str]] = {}
        self.writes: list[tuple[str, str]] = []  # (method, path) of every write, to prove upstream is untouched
        self.fail: dict[tuple[str, str], tuple[int, dict[str, Any], dict[str, str]]] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def _send(self, status: int, doc: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                url = urlparse(self.path)
                path = url.path.removeprefix("/api/v3")
                if (
                    self.headers.get("authorization") != f"token {owner.token}"
                    and self.headers.get("authorization") != f"Bearer {owner.token}"
                ):
                    return self._send(
                        401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
                    )
                for (m, prefix), (status, doc, headers) in list(owner.fail.items()):
                    if m == method and path.startswith(prefix):
                        del owner.fail[(m, prefix)]
                        return self._send(status, doc, headers)
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                if method != "GET":
                    owner.writes.append((method, path))
                status, doc = owner.handle(method, path, parse_qs(url.query), body, self.server_url())
                self._send(status, doc)

            def server_url(self) -> str:
                return f"http://127.0.0.1:{owner.server.server_address[1]}"

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PUT(self) -> None:
                self._route("PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def repo_doc(self, name: str, base: str) -> dict[str, Any]:
        owner, short = name.split("/")
        return {
            "id": abs(hash(name)) % 10**8,
            "name": short,
            "full_name": name,
            "private": False,
            "owner": {"login": owner, "id": 1, "type": "Organization"},
            "default_branch": "main",
            "fork": name != "acme/platform-config",
            "url": f"{base}/repos/{name}",
            "html_url": f"https://github.example/{name}",
        }

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any], base: str
    ) -> tuple[int, Any]:
        m = re.match(r"^/repos/([^/]+/[^/]+)(/.*)?$", path)
        if not m or m.group(1) not in self.repos:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        name, rest = m.group(1), m.group(2) or ""
        repo = self.repos[name]
        if rest == "" and method == "GET":
            return 200, self.repo_doc(name, base)
        if (b := re.match(r"^/branches/(.+)$", rest)) and method == "GET":
            head = repo["branches"].get(b.group(1))
            if head is None:
                return 404, {"message": "Branch not found"}
            return 200, {
                "name": b.group(1),
                "commit": {"sha": head, "url": f"{base}/repos/{name}/commits/{head}"},
                "protected": False,
            }
        if rest == "/git/refs" and method == "POST":
            branch = body["ref"].removeprefix("refs/heads/")
            if branch in repo["branches"]:
                return 422, {"message": "Reference already exists", "documentation_url": "https://docs.github.com/rest"}
            repo["branches"][branch] = body["sha"]
            for (br, p), c in list(repo["files"].items()):
                if br == "main":
                    repo["files"][(branch, p)] = c
            return 201, {
                "ref": body["ref"],
                "node_id": "x",
                "url": f"{base}/repos/{name}/git/{body['ref']}",
                "object": {"sha": body["sha"], "type": "commit", "url": f"{base}/repos/{name}/git/commits/x"},
            }
        if c := re.match(r"^/contents/(.+)$", rest):
            p = c.group(1)
            branch = (query.get("ref") or [body.get("branch", "main")])[0]
            content = repo["files"].get((branch, p))
            if method == "GET":
                if content is None:
                    return 404, {"message": "Not Found"}
                raw = content if isinstance(content, bytes) else content.encode()
                return 200, {
                    "type": "file",
                    "encoding": "base64",
                    "size": len(raw),
                    "name": p.split("/")[-1],
                    "path": p,
                    "sha": sha(content),
                    "url": f"{base}/repos/{name}/contents/{p}",
                    "content": base64.b64encode(raw).decode(),
                }
            if method == "PUT":  # create (no sha; 422 if the file exists) or update (the current sha)
                if content is not None and "sha" not in body:
                    return 422, {"message": 'Invalid request.\n\n"sha" wasn\'t supplied.'}
                if content is not None and body["sha"] != sha(content):
                    return 409, {"message": f"{p} does not match {body.get('sha')}"}
                if content is None and "sha" in body:
                    return 404, {"message": "Not Found"}
                decoded = base64.b64decode(body["content"])
                try:
                    new: str | bytes = decoded.decode()
                except UnicodeDecodeError:  # a binary file (a picture)
                    new = decoded
                repo["files"][(body.get("branch", "main"), p)] = new
                commit = sha(sha(new) + body["message"])
                return 201 if content is None else 200, {
                    "content": {"name": p.split("/")[-1], "path": p, "sha": sha(new), "type": "file"},
                    "commit": {
                        "sha": commit,
                        "message": body["message"],
                        "url": f"{base}/repos/{name}/git/commits/{commit}",
                    },
                }
        if rest == "/pulls" and method == "GET":
            head = (query.get("head") or [None])[0]
            return 200, [pr for pr in self.pulls if pr["_repo"] == name and (head is None or pr["_head"] == head)]
        if rest == "/pulls" and method == "POST":
            number = len(self.pulls) + 1
            pr = {
                "_repo": name,
                "_head": body["head"],
                "number": number,
                "state": "open",
                "title": body["title"],
                "body": body["body"],
                "draft": body.get("draft", False),
                "url": f"{base}/repos/{name}/pulls/{number}",
                "issue_url": f"{base}/repos/{name}/issues/{number}",
                "html_url": f"https://github.example/{name}/pull/{number}",
                "head": {"label": body["head"], "ref": body["head"].split(":")[1]},
                "base": {"ref": body["base"]},
            }
            self.pulls.append(pr)
            return 201, pr
        if (lab := re.match(r"^/issues/(\d+)/labels$", rest)) and method == "POST":
            names = body if isinstance(body, list) else body.get("labels", [])
            self.labels.setdefault(int(lab.group(1)), []).extend(names)
            return 200, [{"name": n, "color": "ededed"} for n in names]
        return 404, {"message": f"Not Found: {method} {rest}"}
