"""A local HTTP server for vendor stand-ins: each fake supplies a route function that
answers with the vendor's documented shapes; this class adds credentials checking and
injected failures (an HTTP error with headers, a slow answer, a body that is not
JSON), so the real client libraries run unmodified against it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        return (self.query.get(name) or [default])[0]


@dataclass
class Fault:
    status: int = 500
    doc: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    raw: bytes | None = None  # sent as-is with status 200 when set (malformed JSON)


Route = Callable[[Request], tuple[int, Any]]


class FakeServer:
    def __init__(self, route: Route, authorized: Callable[[dict[str, str]], bool], unauthorized: tuple[int, Any]):
        self.route = route
        self.authorized = authorized
        self.unauthorized = unauthorized
        self.faults: list[tuple[str, Fault]] = []  # (path prefix, fault), each used once, in order
        self.requests: list[Request] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes: without this, Nagle and the client's delayed ACK
            # hold every answer on a kept-alive connection for 40 ms
            disable_nagle_algorithm = True

            def log_message(self, *a: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json; charset=utf-8")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                url = urlparse(self.path)
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                req = Request(
                    self.command, url.path, parse_qs(url.query), body, {k.lower(): v for k, v in self.headers.items()}
                )
                owner.requests.append(req)
                fault = owner._take_fault(url.path)
                if fault is not None:
                    time.sleep(fault.delay_s)
                    if fault.raw is not None:
                        return self._send(200, fault.raw, fault.headers)
                    return self._send(fault.status, json.dumps(fault.doc).encode(), fault.headers)
                if not owner.authorized(req.headers):
                    status, doc = owner.unauthorized
                    return self._send(status, json.dumps(doc).encode(), {})
                try:
                    status, doc = owner.route(req)
                except Exception as e:  # a bug in the fake must show in the test, not hang it
                    status, doc = 599, {"fake_error": f"{type(e).__name__}: {e}"}
                self._send(status, json.dumps(doc).encode(), {})

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = _Quiet(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fail(self, prefix: str, fault: Fault, times: int = 1) -> None:
        self.faults.extend((prefix, fault) for _ in range(times))

    def _take_fault(self, path: str) -> Fault | None:
        for i, (prefix, fault) in enumerate(self.faults):
            if path.startswith(prefix):
                del self.faults[i]
                return fault
        return None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that timed out and left: expected
            super().handle_error(request, client_address)


def basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
