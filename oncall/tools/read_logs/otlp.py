"""OTLP/JSON batches: the OpenTelemetry Collector's `file` exporter (and any OTLP/JSON `LogsData` written a line
at a time) puts a whole batch on each line: `resourceLogs`, each resource's attributes and its `scopeLogs`,
each scope's `logRecords`. Each record is one log line to this reader: its own fields (`timeUnixNano`,
`severityText`, the body's value), its attributes by key (`exception.message`, as the Java agent sets them),
and its resource's attributes under `resource` (`service.name`, `k8s.pod.name`), as fields.FIELDS reads a
record written alone. A record's citation is the line of its batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BATCH_KEY = "resourceLogs"
# a record's time left unset is 0 (the collector's filelog receiver without a time parser): then the time it
# was observed dates it
_UNSET = ("timeUnixNano", "observedTimeUnixNano")


def batches(sample: list[dict[str, Any]]) -> bool:
    """Whether the sampled lines are OTLP/JSON batches (most hold a list of resources' logs)."""
    return bool(sample) and sum(1 for obj in sample if isinstance(obj.get(BATCH_KEY), list)) * 2 >= len(sample)


def _value(any_value: Any) -> Any:
    """An OTLP AnyValue's value (`{"stringValue": "x"}` is "x"; a list or key-value list as it is)."""
    if isinstance(any_value, dict) and len(any_value) == 1:
        return next(iter(any_value.values()))
    return any_value


def _attributes(attrs: Any) -> dict[str, Any]:
    """OTLP's attribute list (`[{"key": k, "value": {...}}]`) as an object, the first of a repeated key kept."""
    out: dict[str, Any] = {}
    for a in _dicts(attrs):
        if isinstance(a.get("key"), str):
            out.setdefault(a["key"], _value(a.get("value")))
    return out


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a list (a file's batch may hold anything where a list belongs)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def records(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of one batch, each as the line a record written alone would be."""
    out = []
    for rl in _dicts(obj.get(BATCH_KEY)):
        res = rl.get("resource")
        resource = _attributes(res.get("attributes") if isinstance(res, dict) else None)
        for sl in _dicts(rl.get("scopeLogs")):
            for rec in _dicts(sl.get("logRecords")):
                flat = {**_attributes(rec.get("attributes")), **{k: v for k, v in rec.items() if k != "attributes"}}
                flat["body"] = _value(rec.get("body"))
                out.append({**flat, "resource": resource})
    return out


def _text(json_expr: str, path: str) -> str:
    return f"json_extract_string({json_expr}, '{path}')"


def _attribute(json_list: str, key_literal: str) -> str:
    """SQL: the value of the attribute `key_literal` (a SQL string literal) in an OTLP attribute list."""
    match = f"list_filter({json_list}, lambda a: json_extract_string(a, '$.key') = {key_literal})"
    return f"json_extract_string({match}[1], '$.value.*')[1]"


def records_sql(keys: list[str], read: str, ident: Callable[[str], str], literal: Callable[[str], str]) -> str:
    """SQL: one row per record of the batches `read` gives (`read_json` of the file's `resourceLogs` as JSON),
    with a column for each of `keys` as text (an object's JSON text, a string's value) and the number of the
    line its batch is on (`line_no`). A line that is no batch is one row of nothing (counted unreadable).
    `ident` and `literal` quote a key read from the file as an SQL name and string: it stays a name."""
    columns = []
    for k in keys:
        if k == "resource":
            # the resource's attributes as an object (text, built here: a key repeated is kept, not refused)
            pairs = "list_transform(attrs, lambda a: to_json(json_extract_string(a, '$.key')) || ':' || " \
                    "coalesce(to_json(json_extract_string(a, '$.value.*')[1]), 'null'))"  # fmt: skip
            expr = f"'{{' || array_to_string({pairs}, ',') || '}}'"
        elif k == "body":
            expr = f"coalesce({_text('rec', '$.body.*')}[1], {_text('rec', '$.body')})"
        else:
            own = _text("rec", '$."' + k.replace('"', "").replace("'", "''") + '"')
            if k in _UNSET:
                own = f"nullif({own}, '0')"
            found = _attribute("json_extract(rec, '$.attributes[*]')", literal(k))
            expr = f"coalesce({own}, {found})"
        columns.append(f"{expr} AS {ident(k)}")
    return f"""(SELECT line_no, {", ".join(columns)} FROM (
          SELECT line_no, attrs, unnest(coalesce(recs, [NULL::JSON])) AS rec FROM (
            SELECT line_no, json_extract(rl, '$.resource.attributes[*]') AS attrs,
                   json_extract(rl, '$.scopeLogs[*].logRecords[*]') AS recs
            FROM (SELECT line_no, unnest(coalesce(json_extract(resources, '$[*]'), [NULL::JSON])) AS rl
                  FROM (SELECT row_number() OVER () AS line_no, {ident(BATCH_KEY)} AS resources FROM {read})))))"""
