"""An OpenSearch stand-in: the REST shapes opensearch-py reads (/, _count, _search,
_msearch, error bodies) over an in-memory list of documents, evaluating the part of
the query DSL the backend sends (bool filter/must_not, term, terms, range,
query_string, sort, size, track_total_hits, filter/terms/min aggregations)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from tests.fake_http import FakeServer, Request, basic

USER, PASSWORD = "oncall", "s3cret-os-pass"


def _get(src: dict[str, Any], path: str) -> Any:
    path = path.removesuffix(".keyword")  # dynamic mapping's keyword sub-field holds the same value
    if path in src:
        return src[path]
    node: Any = src
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _t(v: Any) -> float:
    return datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp()


def error(status: int, kind: str, reason: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason},
        "status": status,
    }


class FakeOpenSearch:
    def __init__(self, docs: list[dict[str, Any]], ts_field: str = "@timestamp"):
        self.docs = docs  # {"_index", "_id", "_source"}
        self.ts_field = ts_field
        self.bodies: list[Any] = []
        self.index: dict[str, dict[Any, list[dict[str, Any]]]] = {}
        self.http = FakeServer(
            self.route,
            lambda h: h.get("authorization") == basic(USER, PASSWORD),
            error(401, "security_exception", "Unauthorized"),
        )
        self.url = self.http.url

    def close(self) -> None:
        self.http.close()

    def route(self, req: Request) -> tuple[int, Any]:
        path = req.path.rstrip("/")
        if path == "" and req.method in ("GET", "HEAD"):
            return 200, {
                "name": "node-1",
                "cluster_name": "logs",
                "version": {"distribution": "opensearch", "number": "2.17.1"},
                "tagline": "The OpenSearch Project: https://opensearch.org/",
            }
        if path.endswith("/_count"):
            return 200, {"count": len(self.docs), "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}}
        if path.endswith("/_msearch"):
            lines = [json.loads(x) for x in req.body.decode().splitlines() if x.strip()]
            self.bodies.append(lines)
            return 200, {"took": 3, "responses": [self.search(b) | {"status": 200} for b in lines[1::2]]}
        if path.endswith("/_search"):
            body = req.json() or {}
            self.bodies.append(body)
            return 200, self.search(body)
        return error(400, "illegal_argument_exception", f"no handler for {req.method} {req.path}")

    def candidates(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Documents a top-level term filter allows, from a per-field index (what a real index does)."""
        for clause in (query.get("bool") or {}).get("filter", []):
            if "term" in clause:
                ((fld, val),) = clause["term"].items()
                if fld not in self.index:  # built whole, then published: concurrent searches never see half
                    built: dict[Any, list[dict[str, Any]]] = {}
                    for d in self.docs:
                        built.setdefault(_get(d["_source"], fld), []).append(d)
                    self.index[fld] = built
                return self.index[fld].get(val, [])
        return self.docs

    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        query = body.get("query") or {"match_all": {}}
        matched = [d for d in self.candidates(query) if self.matches(d["_source"], query)]
        for s in reversed(body.get("sort") or []):
            ((fld, spec),) = s.items()
            matched.sort(key=lambda d, f=fld: _t(_get(d["_source"], f)), reverse=spec.get("order") == "desc")
        size = body.get("size", 10)
        out: dict[str, Any] = {
            "took": 2,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {
                "total": {"value": len(matched), "relation": "eq"},
                "max_score": None,
                "hits": [d | {"_score": None, "sort": [0]} for d in matched[:size]],
            },
        }
        if "aggs" in body:
            out["aggregations"] = self.aggs(matched, body["aggs"])
        return out

    def aggs(self, docs: list[dict[str, Any]], spec: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, agg in spec.items():
            if "filter" in agg:
                sub = [d for d in docs if self.matches(d["_source"], agg["filter"])]
                out[name] = {"doc_count": len(sub), **self.aggs(sub, agg.get("aggs", {}))}
            elif "terms" in agg:
                counts: dict[str, int] = {}
                for d in docs:
                    v = _get(d["_source"], agg["terms"]["field"])
                    key = agg["terms"].get("missing") if v is None else v
                    counts[key] = counts.get(key, 0) + 1
                top = sorted(counts.items(), key=lambda kv: -kv[1])[: agg["terms"].get("size", 10)]
                out[name] = {
                    "doc_count_error_upper_bound": 0,
                    "sum_other_doc_count": sum(counts.values()) - sum(n for _, n in top),
                    "buckets": [{"key": k, "doc_count": n} for k, n in top],
                }
            elif "date_histogram" in agg:
                spec_h = agg["date_histogram"]
                width = int(spec_h["fixed_interval"].removesuffix("s")) * 1000
                slots: dict[int, list[dict[str, Any]]] = {}
                for d in docs:
                    ms = int(_t(_get(d["_source"], spec_h["field"])) * 1000)
                    slots.setdefault(ms - ms % width, []).append(d)
                out[name] = {
                    "buckets": [
                        {"key_as_string": datetime.fromtimestamp(k / 1000).isoformat(), "key": k, "doc_count": len(v)}
                        | self.aggs(v, agg.get("aggs", {}))
                        for k, v in sorted(slots.items())
                        if len(v) >= spec_h.get("min_doc_count", 0)
                    ]
                }
            elif "min" in agg:
                vals = [_t(_get(d["_source"], agg["min"]["field"])) * 1000 for d in docs]
                out[name] = {"value": min(vals) if vals else None}
        return out

    def matches(self, src: dict[str, Any], q: dict[str, Any]) -> bool:
        ((kind, arg),) = q.items()
        if kind == "match_all":
            return True
        if kind == "bool":
            return all(self.matches(src, c) for c in arg.get("filter", []) + arg.get("must", [])) and not any(
                self.matches(src, c) for c in arg.get("must_not", [])
            )
        if kind == "term":
            ((fld, val),) = arg.items()
            return _get(src, fld) == val
        if kind == "terms":
            ((fld, vals),) = arg.items()
            return _get(src, fld) in vals
        if kind == "range":
            ((fld, bounds),) = arg.items()
            t = _t(_get(src, fld))
            return (
                ("gte" not in bounds or t >= _t(bounds["gte"]))
                and ("lt" not in bounds or t < _t(bounds["lt"]))
                and ("lte" not in bounds or t <= _t(bounds["lte"]))
            )
        if kind == "query_string":
            words = re.sub(r"\\(.)", r"\1", arg["query"]).lower().split()
            text = str(_get(src, arg["default_field"]) or "").lower()
            return all(w in text for w in words)
        raise ValueError(f"the fake does not evaluate {kind}")


def ecs_docs(log_file: str, index: str = "logs-demo") -> list[dict[str, Any]]:
    """A bundle's logs.jsonl as ECS documents; _id is the line number, so samples can be traced."""
    docs = []
    with open(log_file, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            try:
                r = json.loads(raw)
            except json.JSONDecodeError:
                continue
            src: dict[str, Any] = {
                "@timestamp": r["ts"],
                "service": {"name": r["service"]},
                "message": r.get("message", ""),
            }
            if r.get("level"):
                src["log"] = {"level": r["level"]}
            if r.get("pod"):
                src["kubernetes"] = {"pod": {"name": r["pod"]}}
            docs.append({"_index": index, "_id": str(n), "_source": src})
    return docs
