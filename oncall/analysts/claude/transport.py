"""The Messages API transport: the anthropic SDK behind retries, plus recording
and replay, all speaking plain dicts so the loop never touches SDK types.
The SDK is imported only when a live client is built."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from oncall.core.redact import redact_data


class Transport(Protocol):
    def create(self, request: dict[str, Any], *, timeout_s: float | None = None) -> dict[str, Any]: ...


class ApiUnavailable(Exception):
    """The API failed in a way the loop cannot fix (down after retries, a refused key, a model the
    account lacks, a malformed answer, a request over its deadline); the offline analyst answers."""


@dataclass
class LiveTransport:
    """The SDK client (it reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL) with its own retries
    (`max_retries`: 408, 409, 429, 5xx and connection errors, backoff with jitter, honouring
    retry-after) and timeouts. Each request is also bounded by the loop's remaining time as a whole,
    connection and every read included: a server that drips a byte at a time cannot hold it."""

    max_retries: int = 4
    timeout_s: float = 60.0  # the SDK's timeout for one attempt

    def __post_init__(self) -> None:
        import anthropic  # about 0.8 s: paid only when the Claude path is used

        self._client = anthropic.Anthropic(max_retries=self.max_retries, timeout=self.timeout_s)

    def count_tokens(self, request: dict[str, Any]) -> int:
        """What the API would count for this request's input (system, tools, messages)."""
        keep = {k: request[k] for k in ("model", "system", "tools", "messages") if k in request}
        return int(self._client.messages.count_tokens(**keep).input_tokens)

    def create(self, request: dict[str, Any], *, timeout_s: float | None = None) -> dict[str, Any]:
        import anthropic

        budget = timeout_s if timeout_s is not None else self.timeout_s * (self.max_retries + 1)
        if budget <= 0:
            raise ApiUnavailable("no time left before the deadline")
        box: dict[str, Any] = {}

        def call() -> None:
            try:
                box["message"] = self._client.messages.create(**request, timeout=min(self.timeout_s, budget))
            except BaseException as e:  # handed to the waiting thread
                box["error"] = e

        # a daemon thread: a request abandoned at the deadline never keeps the process alive
        worker = threading.Thread(target=call, name="messages-api", daemon=True)
        worker.start()
        worker.join(budget)
        if worker.is_alive():
            raise ApiUnavailable(f"the request did not finish within the {budget:.0f}s left before the deadline")
        error = box.get("error")
        if isinstance(error, anthropic.APIStatusError):
            raise ApiUnavailable(f"{error.status_code} {type(error).__name__}: {_message(error)}") from error
        if isinstance(error, anthropic.APIError):
            raise ApiUnavailable(f"{type(error).__name__}: {str(error)[:300]}") from error
        if error is not None:
            raise ApiUnavailable(f"the answer could not be read: {type(error).__name__}: {str(error)[:300]}") from error
        return dict(box["message"].model_dump(mode="json", exclude_none=True, warnings=False))


def _message(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", ""))[:300]
    return str(error)[:300]


@dataclass
class RecordingTransport:
    """Writes every request and response to DIR/NNN.json, in order."""

    inner: Transport
    folder: Path
    count: int = 0

    def create(self, request: dict[str, Any], *, timeout_s: float | None = None) -> dict[str, Any]:
        response = self.inner.create(request, timeout_s=timeout_s)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        (self.folder / f"{self.count:03d}.json").write_text(
            json.dumps(redact_data({"request": request, "response": response}), indent=1)
        )
        return response


@dataclass
class ReplayTransport:
    """Answers from a recording, in order, with no network; a request that does not match
    what was recorded is an error, so a replay cannot silently diverge."""

    folder: Path
    count: int = 0

    def create(self, request: dict[str, Any], *, timeout_s: float | None = None) -> dict[str, Any]:
        self.count += 1
        path = self.folder / f"{self.count:03d}.json"
        if not path.exists():
            raise ApiUnavailable(f"replay {self.folder} has no response {self.count:03d}")
        saved = json.loads(path.read_text())
        if json.loads(json.dumps(redact_data(request))) != saved["request"]:  # recordings are redacted
            raise ApiUnavailable(f"request {self.count:03d} differs from the recording in {self.folder}")
        return saved["response"]
