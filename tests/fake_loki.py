"""A Grafana Loki stand-in: `GET /loki/api/v1/query_range` (streams and matrix results, as the HTTP
API documents them) and `/loki/api/v1/labels`, over an in-memory list of log entries, evaluating the
LogQL the backend sends: a one-label stream selector, a `|=` line filter, a level label filter
(`=~` / `!~`), and `sum by (level) (count_over_time(... [Ns]))`. A query it cannot parse gets the
400 and plain-text parse error Loki gives."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from tests.fake_http import FakeServer, Request

TOKEN = "loki-token"
TENANT = "team-platform"
STR = r'"(?:[^"\\]|\\.)*"'
SELECTOR = re.compile(rf"^\{{(\w+)=({STR})\}}")
LINE_FILTER = re.compile(rf"^\s*\|= ({STR})")
LEVEL_FILTER = re.compile(rf"^\s*\| (\w+)(=~|!~)({STR})")
METRIC = re.compile(r"^sum by \((\w+)\) \(count_over_time\((.*) \[(\d+)s\]\)\)$")


def entries(log_file: str) -> list[dict[str, Any]]:
    """A bundle's logs.jsonl as Loki entries: labels service_name, pod, detected_level; the line as shipped."""
    out = []
    with open(log_file, encoding="utf-8") as f:
        for raw in f:
            try:
                r = json.loads(raw)
            except json.JSONDecodeError:
                continue
            ts = datetime.fromisoformat(r["ts"].replace("Z", "+00:00")).timestamp()
            labels = {"service_name": r["service"], "pod": r.get("pod", "")}
            if r.get("level"):
                labels["detected_level"] = str(r["level"]).lower()
            out.append({"ns": round(ts * 1e6) * 1000, "labels": labels, "line": r.get("message", "")})
    return out


class FakeLoki(FakeServer):
    def __init__(self, docs: list[dict[str, Any]]):
        self.docs = sorted(docs, key=lambda d: d["ns"])
        self.queries: list[dict[str, str]] = []
        super().__init__(
            self.route,
            lambda h: h.get("authorization") == f"Bearer {TOKEN}" and h.get("x-scope-orgid") == TENANT,
            (401, {"message": "unauthorized"}),
        )

    def _select(self, query: str) -> list[dict[str, Any]]:
        m = SELECTOR.match(query)
        if not m:
            raise ValueError(f"parse error at line 1, col 1: syntax error: unexpected {query[:20]!r}")
        label, value, rest = m.group(1), json.loads(m.group(2)), query[m.end() :]
        found = [d for d in self.docs if d["labels"].get(label) == value]
        while rest.strip():
            if f := LINE_FILTER.match(rest):
                text = json.loads(f.group(1))
                found = [d for d in found if text in d["line"]]
            elif f := LEVEL_FILTER.match(rest):
                key, op, rx = f.group(1), f.group(2), re.compile(json.loads(f.group(3)))
                found = [d for d in found if bool(rx.fullmatch(d["labels"].get(key, ""))) == (op == "=~")]
            else:
                raise ValueError(f"parse error: unexpected {rest.strip()[:20]!r}")
            rest = rest[f.end() :]
        return found

    def route(self, req: Request) -> tuple[int, Any]:
        if req.path == "/loki/api/v1/labels":
            return 200, {"status": "success", "data": sorted({k for d in self.docs for k in d["labels"]})}
        if req.path != "/loki/api/v1/query_range":
            return 404, {"message": "404 page not found"}
        query = req.arg("query") or ""
        self.queries.append({k: v[0] for k, v in req.query.items()})
        start, end = int(req.arg("start") or 0), int(req.arg("end") or 0)
        try:
            if m := METRIC.match(query):
                by, inner, step = m.group(1), m.group(2), int(m.group(3)) * 1_000_000_000
                found = self._select(inner)
                series: dict[str, list[list[Any]]] = {}
                t = start
                while t <= end:
                    counts: dict[str, int] = {}
                    for d in found:
                        if t - step < d["ns"] <= t:
                            level = d["labels"].get(by, "")
                            counts[level] = counts.get(level, 0) + 1
                    for level, n in counts.items():
                        series.setdefault(level, []).append([t / 1e9, str(n)])
                    t += step
                result = [{"metric": {by: lvl} if lvl else {}, "values": v} for lvl, v in series.items()]
                return 200, {"status": "success", "data": {"resultType": "matrix", "result": result}}
            found = [d for d in self._select(query) if start <= d["ns"] <= end]
        except ValueError as e:
            return 400, str(e)
        if req.arg("direction") == "backward":
            found = found[::-1]
        found = found[: int(req.arg("limit") or 100)]
        streams: dict[str, dict[str, Any]] = {}
        for d in found:
            key = json.dumps(d["labels"], sort_keys=True)
            streams.setdefault(key, {"stream": d["labels"], "values": []})["values"].append([str(d["ns"]), d["line"]])
        return 200, {"status": "success", "data": {"resultType": "streams", "result": list(streams.values())}}
