"""A local HTTP server that speaks the Messages API, replaying scripted turns:
the real anthropic SDK talks to it through ANTHROPIC_BASE_URL, so loop tests run
the production code path and can never reach the real API.

A script is a list of turns; each turn is a dict (a message to return), an
`Err`, or a function of the request returning either (a ScriptedModel)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Err:
    status: int
    type: str = "api_error"
    message: str = "Internal server error"
    headers: dict[str, str] = field(default_factory=dict)


def message(
    *blocks: dict[str, Any],
    stop: str = "tool_use",
    model: str = "claude-haiku-4-5",
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": list(blocks),
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage
        or {
            "input_tokens": 1200,
            "output_tokens": 300,
            "cache_creation_input_tokens": 2000,
            "cache_read_input_tokens": 0,
        },
    }


def tool_use(name: str, input: dict[str, Any], id: str = "toolu_1") -> dict[str, Any]:
    return {"type": "tool_use", "id": id, "name": name, "input": input}


def text(t: str) -> dict[str, Any]:
    return {"type": "text", "text": t}


Turn = dict[str, Any] | Err | Callable[[dict[str, Any]], Any]


class FakeAnthropic:
    def __init__(self, script: list[Turn], repeat_last: bool = False):
        self.script = list(script)
        self.repeat_last = repeat_last
        self.requests: list[dict[str, Any]] = []
        self.counted: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                if self.path.rstrip("/") == "/v1/messages/count_tokens":  # the documented answer's shape
                    owner.counted.append(body)
                    return self._send(200, {"input_tokens": len(json.dumps(body)) // 4})
                if self.path.rstrip("/") != "/v1/messages":
                    return self._send(
                        404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}}
                    )
                owner.requests.append(body)
                i = len(owner.requests) - 1
                if i >= len(owner.script) and not owner.repeat_last:
                    return self._send(
                        500, {"type": "error", "error": {"type": "api_error", "message": "script exhausted"}}
                    )
                turn = owner.script[min(i, len(owner.script) - 1)]
                if callable(turn):
                    turn = turn(body)
                if isinstance(turn, Err):
                    return self._send(
                        turn.status,
                        {"type": "error", "error": {"type": turn.type, "message": turn.message}},
                        turn.headers,
                    )
                return self._send(200, turn)

            def _send(self, status: int, doc: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(doc).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("request-id", f"req_{len(owner.requests)}")
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a deadline test): no traceback on another test's stderr

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeAnthropic:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
