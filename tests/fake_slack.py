"""A local stand-in for the Slack Web API (reached through SLACK_API_URL): answers
chat.postMessage, chat.update, views.open, auth.test and the external file upload
(files.getUploadURLExternal, the upload itself, files.completeUploadExternal) with
Slack's documented shapes."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


class FakeSlack:
    def __init__(self, token: str = "xoxb-test-token"):
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.uploads: dict[str, bytes] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if self.path.startswith("/upload/"):  # the upload URL Slack handed out: the file's bytes
                    owner.uploads[self.path.rsplit("/", 1)[-1]] = body
                    self.send_response(200)
                    self.send_header("content-length", "2")
                    self.end_headers()
                    self.wfile.write(b"OK")
                    return
                raw = body.decode()
                if self.headers.get("content-type", "").startswith("application/json"):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                method = self.path.rsplit("/", 1)[-1]
                if self.headers.get("authorization") != f"Bearer {owner.token}":
                    doc: dict[str, Any] = {"ok": False, "error": "invalid_auth"}
                else:
                    owner.calls.append((method, args))
                    doc = owner.answer(method, args, len(owner.calls))
                data = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, method: str, args: dict[str, Any], n: int) -> dict[str, Any]:
        ts = f"1763870000.{n:06d}"
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": ts,
                "message": {"type": "message", "text": args.get("text"), "ts": ts, "thread_ts": args.get("thread_ts")},
            }
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": "acme",
                "user": "oncall",
                "team_id": "T1",
                "user_id": "U1",
                "bot_id": "B1",
            }
        if method == "files.getUploadURLExternal":
            fid = f"F{n:05d}"
            return {"ok": True, "upload_url": self.url.replace("/api/", f"/upload/{fid}"), "file_id": fid}
        if method == "files.completeUploadExternal":
            files = json.loads(args.get("files") or "[]")
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V1", "type": "modal"}}
        return {"ok": False, "error": "unknown_method"}

    def posts(self) -> list[dict[str, Any]]:
        return [a for m, a in self.calls if m == "chat.postMessage"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
