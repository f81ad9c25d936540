"""The Messages API transport: the anthropic SDK behind retries, plus recording
and replay, all speaking plain dicts so the loop never touches SDK types.
The SDK is imported only when a live client is built."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from oncall.core.redact import redact_data


class Transport(Protocol):
    def create(self, request: dict[str, Any]) -> dict[str, Any]: ...


class ApiUnavailable(Exception):
    """The API kept failing after retries; the caller falls back to the offline analyst."""


RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504, 529}


def _retryable(exc: BaseException) -> bool:
    import anthropic

    if isinstance(exc, anthropic.APIConnectionError):  # includes timeouts
        return True
    return isinstance(exc, anthropic.APIStatusError) and exc.status_code in RETRYABLE_STATUS


def _retry_after(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass
class LiveTransport:
    """The SDK client (it reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL), retried with
    exponential backoff and jitter, honouring retry-after."""

    attempts: int = 4
    initial_wait_s: float = 1.0
    max_wait_s: float = 30.0
    timeout_s: float = 60.0

    def __post_init__(self) -> None:
        import anthropic  # about 0.8 s: paid only when the Claude path is used

        self._client = anthropic.Anthropic(max_retries=0, timeout=self.timeout_s)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = _retry_after(exc)
        if hinted is not None:
            return min(hinted, self.max_wait_s)
        backoff = self.initial_wait_s * 2 ** (state.attempt_number - 1)
        return min(self.max_wait_s, backoff) * random.uniform(0.5, 1.0)

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts), wait=self._wait, retry=retry_if_exception(_retryable), reraise=True
        )
        try:
            message = retrying(lambda: self._client.messages.create(**request))
        except Exception as e:
            if _retryable(e):
                raise ApiUnavailable(f"{type(e).__name__}: {e}") from e
            raise
        return message.model_dump(mode="json", exclude_none=True)


@dataclass
class RecordingTransport:
    """Writes every request and response to DIR/NNN.json, in order."""

    inner: Transport
    folder: Path
    count: int = 0

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        response = self.inner.create(request)
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

    def create(self, request: dict[str, Any]) -> dict[str, Any]:
        self.count += 1
        path = self.folder / f"{self.count:03d}.json"
        if not path.exists():
            raise ApiUnavailable(f"replay {self.folder} has no response {self.count:03d}")
        saved = json.loads(path.read_text())
        if json.loads(json.dumps(redact_data(request))) != saved["request"]:  # recordings are redacted
            raise ApiUnavailable(f"request {self.count:03d} differs from the recording in {self.folder}")
        return saved["response"]
