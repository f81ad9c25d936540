"""CloudWatch backend (boto3 `GetMetricData`).

A signal is written as CloudWatch names it, `Namespace:MetricName:Stat{Dimension=value,...}`, with
`{service}` in any part; a rate or ratio is two of them (or one and a number, or PERIOD for the
period in seconds) joined by `+ - * /`:

    AWS/ApplicationELB:HTTPCode_Target_5XX_Count:Sum{LoadBalancer=app/{service}/1f2e}
      / AWS/ApplicationELB:RequestCount:Sum{LoadBalancer=app/{service}/1f2e}

The metrics are fetched with one GetMetricData call (paged); the arithmetic is done here, point by
point on the shared timestamps, as CloudWatch's metric math would (its expressions are not sent, so
that the same signal reads the same against moto, LocalStack and AWS)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.read_metrics import Series, UnreadableSignal
from oncall.tools.remote import Failure, Remote, RemoteSettings, network_failure

METRIC = re.compile(r"^\s*([\w./#-]+):([\w.-]+):(\w+(?:\.\d+)?)\{([^{}]*)\}\s*$")
OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else math.nan,  # a ratio over no requests is no data, not infinity
}
STATS = re.compile(r"^(SampleCount|Average|Sum|Minimum|Maximum|p\d+(\.\d+)?|tm\d+|IQM)$")


def parse(query: str) -> tuple[list[dict[str, Any] | float | str], str | None]:
    """(terms, operator): each term a MetricStat's metric (dict), a number, or "PERIOD"."""
    parts = re.split(r"\s+([+*/-])\s+", query.strip())
    if len(parts) not in (1, 3):
        raise UnreadableSignal(
            f"CloudWatch signal {query!r}: one metric, or two terms joined by + - * / (spaces around)"
        )
    terms: list[dict[str, Any] | float | str] = []
    for part in parts[::2]:
        if part == "PERIOD":
            terms.append("PERIOD")
            continue
        try:
            terms.append(float(part))
            continue
        except ValueError:
            pass
        m = METRIC.match(part)
        if not m or not STATS.match(m.group(3)):
            raise UnreadableSignal(
                f"CloudWatch signal {part!r} is not Namespace:MetricName:Stat{{Dimension=value,...}}"
            )
        dims = [d.split("=", 1) for d in m.group(4).split(",") if d.strip()]
        if any(len(d) != 2 for d in dims):
            raise UnreadableSignal(f"CloudWatch signal {part!r}: dimensions are Name=value, separated by commas")
        terms.append(
            {
                "Namespace": m.group(1),
                "MetricName": m.group(2),
                "Stat": m.group(3),
                "Dimensions": [{"Name": k.strip(), "Value": v.strip()} for k, v in dims],
            }
        )
    if not any(isinstance(t, dict) for t in terms):
        raise UnreadableSignal(f"CloudWatch signal {query!r} names no metric")
    return terms, parts[1] if len(parts) == 3 else None


def period_for(step_s: float) -> int:
    """CloudWatch periods are 60 s multiples (for standard-resolution metrics)."""
    return max(60, math.ceil(step_s / 60) * 60)


class CloudWatchMetrics:
    reads_alarms = True  # a CloudWatch alarm's own metric is a signal this backend can read

    def __init__(self, remote: Remote, client_kwargs: dict[str, Any], profile: str | None = None):
        self.remote = remote
        self.client_kwargs = client_kwargs
        self.profile = profile  # a profile of the shared AWS config; None: the usual credential chain
        self._cw: Any = None

    def _client(self) -> Any:
        if self._cw is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=self.remote.timeout_s,
                read_timeout=self.remote.timeout_s,
                retries={"max_attempts": 1, "mode": "standard"},  # tenacity retries, with one policy
            )
            session = boto3.Session(profile_name=self.profile)
            self._cw = session.client("cloudwatch", config=config, **self.client_kwargs)
        return self._cw

    def query_range(self, query: str, start: datetime, end: datetime, step_s: float) -> list[Series]:
        terms, op = parse(query)
        period = period_for(step_s)
        metrics = {f"m{i}": t for i, t in enumerate(terms) if isinstance(t, dict)}
        queries = [
            {
                "Id": mid,
                "MetricStat": {
                    "Metric": {k: m[k] for k in ("Namespace", "MetricName", "Dimensions")},
                    "Period": period,
                    "Stat": m["Stat"],
                },
                "ReturnData": True,
            }
            for mid, m in metrics.items()
        ]
        values: dict[str, dict[float, float]] = {mid: {} for mid in metrics}

        def fetch() -> None:
            kw: dict[str, Any] = {
                "MetricDataQueries": queries,
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
            }
            while True:
                page = self._client().get_metric_data(**kw)
                for r in page.get("MetricDataResults") or []:
                    for t, v in zip(r.get("Timestamps") or [], r.get("Values") or [], strict=False):
                        values[r["Id"]][t.timestamp()] = float(v)
                if not page.get("NextToken"):
                    return
                kw["NextToken"] = page["NextToken"]

        self.remote.call(f"read {query}", fetch, _classify)

        def at(i: int, t: float) -> float | None:
            term = terms[i]
            if term == "PERIOD":
                return float(period)
            if isinstance(term, float):
                return term
            return values[f"m{i}"].get(t)

        stamps = sorted(set().union(*(v.keys() for v in values.values())))
        points = []
        for t in stamps:
            a = at(0, t)
            if op is None:
                if a is not None:
                    points.append((t, a))
                continue
            b = at(1, t)
            if a is not None and b is not None and not math.isnan(value := OPS[op](a, b)):
                points.append((t, value))
        first = next(m for m in metrics.values())
        labels = {d["Name"]: d["Value"] for d in first["Dimensions"]}
        return [Series(labels=labels, points=points)] if points else []

    def check(self) -> str:
        page = self.remote.call("list metrics", lambda: self._client().list_metrics(), _classify)
        return f"{len(page.get('Metrics') or [])} metrics listed on the first page"

    def invalid_templates(self, templates: dict[str, str], service: str) -> list[str]:
        """Signals that do not parse as CloudWatch metrics (checked here: nothing is sent)."""
        bad = []
        for name, template in templates.items():
            try:
                parse(template.replace("{service}", service))
            except ToolError as e:
                bad.append(f"signal {name}: {e}")
        return bad


def _classify(e: Exception) -> Failure | None:
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(e, ClientError):
        err = e.response.get("Error") or {}
        status = (e.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        code = str(err.get("Code") or "")
        throttled = code in ("Throttling", "ThrottlingException", "RequestLimitExceeded")
        return Failure(
            403 if code in ("AccessDenied", "AccessDeniedException") else status,
            f"{code}: {err.get('Message') or ''}",
            transient=True if throttled else None,
        )
    if isinstance(e, BotoCoreError):  # endpoint unreachable, read timeout, no credentials
        transient = "Timeout" in type(e).__name__ or "Connect" in type(e).__name__
        return Failure(None, f"{type(e).__name__}: {e}", transient=transient)
    return network_failure(e)


# -- configuration (a section of the --config file) -----------------------------------------


class CloudWatchConfig(RemoteSettings):
    backend: Literal["cloudwatch"]
    url: str = ""  # an endpoint URL (a VPC endpoint, LocalStack); empty: the region's public endpoint
    region: str
    profile: str | None = None  # a profile of the shared AWS config; default: the usual credential chain
    # signal name -> CloudWatch metric (or two joined by + - * /) with {service}; overrides the catalog's
    signals: dict[str, str] = Field(default_factory=dict)

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        kwargs: dict[str, Any] = {"region_name": self.region, **({"endpoint_url": self.url} if self.url else {})}
        where = self.url or f"cloudwatch {self.region}"
        remote = Remote("CloudWatch", where, None, self.timeout_s, extra="cloudwatch")
        return CloudWatchMetrics(remote, kwargs, self.profile)
