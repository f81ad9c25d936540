"""Prometheus backend (prometheus-api-client): PromQL runs on the server.

A plain selector (a recorded series, the usual shape of a signal) is read as its
raw samples with a range selector at the window's end, so the analysis sees every
scrape exactly as the embedded backend does; any other expression is evaluated
with query_range at the step the tool chose from the window."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.read_metrics import Series
from oncall.tools.read_metrics.embedded import parse_selector
from oncall.tools.remote import Failure, Remote, RemoteSettings, network_failure, secret


class PrometheusMetrics:
    def __init__(
        self,
        remote: Remote,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        verify_tls: bool = True,
    ):
        self.remote = remote
        self.headers = headers
        self.auth = auth
        self.verify_tls = verify_tls
        self._prom: Any = None

    def _client(self) -> Any:
        if self._prom is None:
            from prometheus_api_client import PrometheusConnect
            from urllib3.util.retry import Retry

            self._prom = PrometheusConnect(
                url=self.remote.url.rstrip("/"),
                headers=self.headers,
                auth=self.auth,
                disable_ssl=not self.verify_tls,
                retry=Retry(total=0, raise_on_status=False),  # tenacity retries, once, with one policy
                timeout=self.remote.timeout_s,
            )
        return self._prom

    def query_range(self, query: str, start: datetime, end: datetime, step_s: float) -> list[Series]:
        t0, t1 = start.timestamp(), end.timestamp()
        if _is_selector(query):
            span = math.ceil(t1 - t0) + 1
            result = self.remote.call(
                f"read {query}",
                lambda: self._client().custom_query(f"{query}[{span}s]", params={"time": f"{t1:.3f}"}),
                _classify,
            )
        else:
            result = self.remote.call(
                f"evaluate {query}",
                lambda: self._client().custom_query_range(query, start, end, step=f"{step_s:g}"),
                _classify,
            )
        return [_series(r, t0, t1) for r in _matrix(result, query)]

    def check(self) -> str:
        result = self.remote.call("evaluate a test query", lambda: self._client().custom_query("vector(1)"), _classify)
        if not isinstance(result, list):
            raise ToolError(f"Prometheus at {self.remote.url} answered a test query with {type(result).__name__}")
        return "PromQL answers"

    def invalid_templates(self, templates: dict[str, str], service: str) -> list[str]:
        """Each signal's PromQL evaluated once for one service: the ones the server refuses, with why
        (a template that does not parse would leave every investigation without that signal)."""
        bad = []
        for name, template in templates.items():
            query = template.replace("{service}", service)

            def evaluate(q: str = query) -> Any:
                return self._client().custom_query(q)

            try:
                self.remote.call(f"evaluate {name}", evaluate, _classify)
            except ToolError as e:
                bad.append(f"signal {name}: {e}")
        return bad


def _is_selector(query: str) -> bool:
    try:
        parse_selector(query)
    except ToolError:
        return False
    return True


def _matrix(result: Any, query: str) -> list[dict[str, Any]]:
    if not isinstance(result, list) or not all(isinstance(r, dict) and "values" in r for r in result):
        raise ToolError(f"Prometheus did not answer {query!r} with a range vector")
    return result


def _series(r: dict[str, Any], t0: float, t1: float) -> Series:
    labels = {k: v for k, v in r.get("metric", {}).items() if k != "__name__"}
    points = [(float(t), float(v)) for t, v in r["values"]]
    return Series(labels=labels, points=[p for p in points if t0 <= p[0] <= t1 and not math.isnan(p[1])])


def _classify(e: Exception) -> Failure | None:
    from prometheus_api_client.exceptions import PrometheusApiClientException

    if isinstance(e, PrometheusApiClientException):
        m = re.search(r"HTTP Status Code (\d+) \((.*)\)", str(e), re.S)
        status = int(m.group(1)) if m else None
        detail = _prom_error(m.group(2)) if m else str(e)
        return Failure(status, detail)
    if isinstance(e, KeyError | TypeError):  # a 200 whose body lacks data.result
        return Failure(None, f"the answer is not a Prometheus API response (missing {e})", transient=False)
    return network_failure(e)


def _prom_error(raw: str) -> str:
    """The `error` field of Prometheus' JSON error body, when it has one."""
    m = re.search(r'"error"\s*:\s*"((?:[^"\\]|\\.)*)"', raw)
    return m.group(1) if m else raw.strip("b'\"")


# -- configuration (a section of the --config file) -----------------------------------------


class PrometheusConfig(RemoteSettings):
    backend: Literal["prometheus"]
    bearer_token_env: str | None = None  # variable holding a bearer token
    username_env: str | None = None  # variable holding the user for basic auth
    password_env: str | None = None  # variable holding its password
    # signal name -> PromQL with {service}; overrides the catalog's
    signals: dict[str, str] = Field(default_factory=dict)

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        token = secret(env, self.bearer_token_env, "metrics.bearer_token_env")
        user = secret(env, self.username_env, "metrics.username_env")
        password = secret(env, self.password_env, "metrics.password_env")
        return PrometheusMetrics(
            self.remote("Prometheus", self.bearer_token_env or self.password_env),
            headers={"Authorization": f"Bearer {token}"} if token else None,
            auth=(user or "", password) if password else None,
            verify_tls=self.verify_tls,
        )
