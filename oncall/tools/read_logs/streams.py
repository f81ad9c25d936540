"""Loki's streams as its HTTP API writes them, a body a line: a query_range (or query) response kept whole (`{"status":
"success", "data": {"resultType": "streams", "result": [...]}}`, as a script paging through a window saves each
page) or a push request's body (`{"streams": [...]}`, as a tap on the push API records it). Each stream is its
labels (`stream`) and its entries (`values`): pairs of the time in epoch nanoseconds, as a string, and the line
(with Loki 3's structured metadata as a third member when asked for, not read). Each entry is one log line to this
reader, read as logcli's JSON lines write one (`labels`, `timestamp`, `line`, fields.FIELDS' Loki paths), and cited
by the line of its body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# where a body keeps its streams: a query response's `data.result`, a push body's `streams`
PATHS = {"data": "$.result[*]", "streams": "$[*]"}
# what each entry is read as: a logcli JSON line's fields
LABELS, TIME, LINE = "labels", "timestamp", "line"


def _streams(obj: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """(the body's key, its streams) when the line is a body of Loki's streams: a list of objects with `values`."""
    for key in PATHS:
        inner = obj.get(key)
        found = inner.get("result") if key == "data" and isinstance(inner, dict) else inner
        if isinstance(found, list) and found and all(isinstance(s, dict) and "values" in s for s in found):
            return key, found
    return None


def paged(sample: list[dict[str, Any]]) -> str | None:
    """The key most sampled lines keep Loki's streams under (`data` or `streams`), or None."""
    keys = [found[0] for obj in sample if (found := _streams(obj)) is not None]
    if not keys or len(keys) * 2 < len(sample):
        return None
    return max(set(keys), key=keys.count)


def entries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """One body's entries, each as logcli's JSON line of it would be."""
    found = _streams(obj)
    out = []
    for s in found[1] if found else []:
        labels = s.get("stream") if isinstance(s.get("stream"), dict) else {}
        for v in s.get("values") or []:
            if isinstance(v, list) and len(v) >= 2:  # (a third member, structured metadata, is not read)
                out.append({LABELS: labels, TIME: v[0], LINE: v[1]})
    return out


def entries_sql(
    key: str, keys: list[str], read: str, ident: Callable[[str], str], literal: Callable[[str], str]
) -> str:
    """SQL: one row per entry of the bodies `read` gives (`read_json` of the file's `key` as JSON), with a column for
    each of `keys` as text (the labels' JSON text, the time, the line; NULL for a field an entry does not have) and
    the number of the line its body is on (`line_no`). A line that is no body is one row of nothing (counted
    unreadable)."""
    said = {
        LABELS: "CAST(json_extract(s, '$.stream') AS VARCHAR)",
        TIME: "json_extract_string(v, '$[0]')",
        LINE: "json_extract_string(v, '$[1]')",
    }
    columns = ", ".join(f"{said.get(k, 'NULL::VARCHAR')} AS {ident(k)}" for k in keys)
    return f"""(SELECT line_no, {columns} FROM (
          SELECT line_no, s, unnest(coalesce(json_extract(s, '$.values[*]'), [NULL::JSON])) AS v FROM (
            SELECT line_no, unnest(coalesce(json_extract(body, {literal(PATHS[key])}), [NULL::JSON])) AS s
            FROM (SELECT row_number() OVER () AS line_no, {ident(key)} AS body FROM {read}))))"""
