"""What every network backend shares: one policy for failures.

A backend says how its client library reports a failure (`classify`); this module
decides what to do about it. Transient failures (429, 5xx, timeouts, refused
connections) are retried with tenacity, honouring retry-after when the server
sends one; an auth failure names the environment variable to check; anything else
fails at once with the server's own words. Every message is one sentence a tired
engineer can act on."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from oncall.core.errors import ConfigError, ToolError

T = TypeVar("T")

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Failure:
    """One failed call, as the client library reported it."""

    status: int | None  # HTTP status; None for timeouts, refused connections and unreadable answers
    detail: str
    retry_after: float | None = None
    transient: bool | None = None  # None: decide from the status

    @property
    def retryable(self) -> bool:
        if self.transient is not None:
            return self.transient
        return self.status in TRANSIENT_STATUS


class TransientError(ToolError):
    def __init__(self, message: str, retry_after: float | None):
        super().__init__(message)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare from APIs; treat it as unknown)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


@dataclass
class Remote:
    """The calling policy of one configured backend."""

    system: str  # "OpenSearch", "Prometheus", ...
    url: str
    secret_env: str | None = None  # named when the server refuses our credentials
    timeout_s: float = 10.0
    attempts: int = 3
    max_wait_s: float = 5.0  # never wait longer than this between attempts: the tool call has its own deadline
    extra: str | None = None  # the package extra that installs the client library
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def call(self, what: str, fn: Callable[[], T], classify: Callable[[Exception], Failure | None]) -> T:
        def once() -> T:
            try:
                return fn()
            except ToolError:
                raise
            except ImportError as e:  # the client is imported on first use
                hint = f": pip install 'oncall-copilot[{self.extra}]'" if self.extra else ""
                raise ToolError(f"the {self.system} client library is not installed ({e.name}){hint}") from None
            except Exception as e:
                failure = classify(e)
                if failure is None:
                    raise
                raise self._error(what, failure) from None

        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(once)
        except TransientError as e:
            raise ToolError(f"{e} (gave up after {self.attempts} attempts)") from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = getattr(exc, "retry_after", None)
        if hinted is not None:
            return min(hinted, self.max_wait_s)
        return min(self.max_wait_s, 0.25 * 2 ** (state.attempt_number - 1) * (1 + random.random()))

    def _error(self, what: str, f: Failure) -> ToolError:
        where = f"{self.system} at {self.url}"
        if f.status in (401, 403):
            check = f"check {self.secret_env}" if self.secret_env else "the configuration names no credentials"
            verb = "rejected the credentials" if f.status == 401 else "refused access"
            return ToolError(f"{where} {verb} ({f.status}) while trying to {what}: {check}")
        said = f"answered {f.status}" if f.status else "failed"
        message = f"{where} {said} while trying to {what}: {_one_line(f.detail)}"
        if f.retryable:
            return TransientError(message, f.retry_after)
        return ToolError(message)


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def network_failure(e: Exception) -> Failure | None:
    """Timeouts, refused connections and unreadable JSON, as raised by requests, httpx and urllib3."""
    import json

    name = type(e).__name__
    if isinstance(e, json.JSONDecodeError) or "JSONDecodeError" in name:
        return Failure(None, f"the answer is not valid JSON ({e})", transient=False)
    if "Timeout" in name or isinstance(e, TimeoutError):
        return Failure(None, f"no answer within the timeout ({name})", transient=True)
    if "ConnectionError" in name or isinstance(e, OSError):  # ConnectionError is an OSError
        return Failure(None, f"cannot connect ({name}: {e})", transient=True)
    if name == "MaxRetryError":  # urllib3, when a library leaves its retries on: the cause is in .reason
        reason = getattr(e, "reason", None)
        return network_failure(reason) if isinstance(reason, Exception) else Failure(None, str(e), transient=True)
    return None


# -- the settings every remote backend shares, and its secrets ------------------------------

SECRET_WORDS = ("password", "token", "secret", "api_key", "apikey")


class RemoteSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str  # the server's base URL (no credentials in it)
    timeout_s: float = Field(10.0, gt=0, le=120)  # seconds for one request
    verify_tls: bool = True  # check the server's certificate (leave on outside a lab)

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict):
            from urllib.parse import urlsplit

            if "@" in (urlsplit(str(data.get("url", ""))).netloc or ""):
                raise ValueError("url: credentials in the URL are not allowed; name environment variables instead")
            inline = [k for k in data if any(w in k.lower() for w in SECRET_WORDS) and not k.endswith("_env")]
            if inline:
                raise ValueError(
                    f"{', '.join(inline)}: secrets are not allowed in the file; name an environment variable "
                    f"instead ({inline[0]}_env: VARIABLE)"
                )
        return data

    def build(self, env: Mapping[str, str], catalog: Any) -> Any:
        """The backend these settings describe; `env` holds the secrets the section names."""
        raise NotImplementedError

    def remote(self, system: str, secret_env: str | None) -> Remote:
        return Remote(system, self.url, secret_env, self.timeout_s, extra=getattr(self, "backend", None))


def secret(env: Mapping[str, str], name: str | None, where: str) -> str | None:
    if name is None:
        return None
    value = env.get(name)
    if not value:
        raise ConfigError(f"{where} names the environment variable {name}, which is not set")
    return value


# -- a JSON-over-HTTP API read with requests (ArgoCD, Jaeger, Loki: no vendor SDK of note) ------


class HttpJson:
    """GETs a JSON API under one calling policy; `headers` carry the credentials."""

    def __init__(self, remote: Remote, headers: Mapping[str, str] | None = None, verify_tls: bool = True):
        self.remote = remote
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.verify_tls = verify_tls
        self._http: Any = None

    def get(self, path: str, what: str, params: Mapping[str, Any] | None = None) -> Any:
        import requests

        if self._http is None:
            self._http = requests.Session()
            self._http.headers.update(self.headers)
            self._http.verify = self.verify_tls

        def call() -> Any:
            r = self._http.get(self.remote.url.rstrip("/") + path, params=params, timeout=self.remote.timeout_s)
            r.raise_for_status()
            return r.json()

        return self.remote.call(what, call, http_failure)


def http_failure(e: Exception) -> Failure | None:
    """A requests error: the HTTP status with the server's own words (its JSON `message` or
    `error`, else its text), or a network failure."""
    from requests import HTTPError

    if isinstance(e, HTTPError) and e.response is not None:
        r = e.response
        try:
            doc = r.json()
            detail = (doc.get("message") or doc.get("error") or r.text) if isinstance(doc, dict) else r.text
        except ValueError:
            detail = r.text
        return Failure(r.status_code, str(detail), retry_after_seconds(r.headers.get("retry-after")))
    return network_failure(e)
