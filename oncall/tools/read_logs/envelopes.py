"""Events a line carries inside it: an export's wrapper around each event (envelope), a batch of events a line
(batched, events), values each kept in a list (listed), and a record written as JSON text in one field
(json_text), whose fields are read as the line's own where it has none."""

from __future__ import annotations

import json
from typing import Any

from oncall.tools.read_logs import otlp, streams
from oncall.tools.read_logs.fields import FIELDS, column, has_field, value_at
from oncall.tools.read_logs.times import TIME_NAMED, as_time


def envelope(sample: list[dict[str, Any]]) -> str | None:
    """The key the sampled lines carry their events in: OTLP/JSON's batches (otlp.BATCH_KEY, many a line), or
    the one key that, when most lines have no time field this reader knows of their own, holds in most of
    them an object that has one, or a field whose name says it is a time and whose value reads as one.
    Exports wrap each event so: Elasticsearch's and OpenSearch's hits (`_source`), Datadog's Logs API
    (`attributes`), Vector's native_json (`log`), Graylog's search API (`message`), Splunk's export
    (`result`, its time in `_time`); the names are the export's, so none is listed. An OpenTelemetry
    record's `attributes` sits beside its own time, so it is no envelope; Docker's `log` is a line's text
    (a string), so none either. A key holding a list of such objects is one too, in a line with no time of
    its own: a batch of events a line (batched). Of two such keys, the one more lines wrap their events in
    (then the first written). None when the lines are the events."""
    if otlp.batches(sample):
        return otlp.BATCH_KEY
    if (key := streams.paged(sample)) is not None:  # Loki's streams, a body a line
        return key
    untimed = [obj for obj in sample if not has_field(obj, "ts")]
    if not untimed or len(untimed) * 2 < len(sample):  # most lines are events of their own
        return None
    inside: dict[str, int] = {}
    for obj in untimed:
        # (a line with a time of its own is one event, whatever list of its parts it holds: a Worker's console calls)
        batch = not _timed(obj)
        for key, inner in obj.items():
            if _event(inner) or (batch and isinstance(inner, list) and inner and all(_event(e) for e in inner)):
                inside[key] = inside.get(key, 0) + 1
    if not inside:
        return None
    key, n = max(inside.items(), key=lambda kv: kv[1])  # (the first of equals: the first written)
    return key if n * 2 >= len(sample) else None


def _event(value: Any) -> bool:
    """Whether a value is an event: an object with a time field this reader knows or one named and read as one."""
    return isinstance(value, dict) and (has_field(value, "ts") or _timed(value))


def batched(sample: list[dict[str, Any]], key: str) -> bool:
    """Whether the lines keep a list of events under their envelope's `key`, not one: a batch a line, as
    CloudWatch Logs' subscription delivers a stream's events (`logEvents`) and Azure's diagnostic exports their
    `records`. Each event is a line to this reader, under the fields of the line that holds it (the log group
    and stream the batch is of)."""
    return key != otlp.BATCH_KEY and any(isinstance(obj.get(key), list) for obj in sample)


def _timed(obj: dict[str, Any]) -> bool:
    """Whether an object has a field whose name says it is a time and whose value reads as one."""
    return any(TIME_NAMED.search(k) and as_time(v, True) is not None for k, v in obj.items())


def events(objs: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The events the lines carry under their envelope's `key`, each as a line of its own would be."""
    if key == otlp.BATCH_KEY:
        return [r for obj in objs for r in otlp.records(obj)]
    if streams.paged(objs) == key:
        return [e for obj in objs for e in streams.entries(obj)]
    if batched(objs, key):  # each event under its line's own fields, its own first
        return [
            {**{k: v for k, v in obj.items() if k != key}, **event}
            for obj in objs
            for event in _as_list(obj.get(key))
            if isinstance(event, dict)
        ]
    return [obj[key] for obj in objs if isinstance(obj.get(key), dict)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def listed(events: list[dict[str, Any]]) -> bool:
    """Whether every sampled event holds each of its values in a list: Elasticsearch's and OpenSearch's search API
    answers so when asked for `fields` (a field may hold several values, so every one is given as a list), and a
    hit exported that way has its time, its text and its names each in a list of one."""
    return bool(events) and all(obj and all(isinstance(v, list) for v in obj.values()) for obj in events)


def unlisted(obj: dict[str, Any]) -> dict[str, Any]:
    """An event whose values are lists (`listed`), each taken out of its list: the one value it holds, or its
    values joined by spaces (an empty list: no value)."""
    return {k: v[0] if len(v) == 1 else " ".join(map(str, v)) for k, v in obj.items() if v}


def json_text(sample: list[dict[str, Any]]) -> str | None:
    """A top-level field of a shipper this reader does not know whose text is a JSON object on most sampled
    lines: an event a forwarder wrote down as text (Splunk's `_raw` of Docker's splunk driver's inline
    events: the line, its stream, the container's tag), holding on those lines a time, service, pod, level or
    text the line has none of (Mezmo's `_line` only repeats the fields it merged in beside it); or whose value
    is an object holding a line's text: the event an export wraps beside its own time (Axiom's `data`, Vector's
    event; not Fly's `fly`, its app's name beside the line's `message`). Its fields are read as the line's own
    where the line has none of its own. A field this reader knows is one only when its object is a collector's
    record of the line (`collector_record`): a program's JSON line in `log` or `message` is read as its text, its
    level and words from it, as ever. A collector's record is read wherever a line holds one, however few do: a
    file of several sources (a subscription's log groups, the cluster's among a database's and functions') has
    the cluster's lines among others that are text. None when no field is."""
    known = {column(p)[0].lower() for paths in FIELDS.values() for p in paths}
    counts: dict[str, int] = {}
    records: dict[str, int] = {}
    for obj in sample:
        for key, value in obj.items():
            if key.lower() in known:
                said = isinstance(value, str) and value.startswith("{") and collector_record(json_object(value))
                records[key] = records.get(key, 0) + said
            elif isinstance(value, dict):  # an event it wraps holds a line's text (Fly's `fly` holds its app's name)
                said = has_field(value, "message")
            elif isinstance(value, str) and value.startswith("{"):
                inner = json_object(value)
                # only an object that says something the line does not: Mezmo's `_line` repeats what it merged
                said = inner is not None and any(has_field(inner, g) and not has_field(obj, g) for g in _GIVEN)
            else:
                said = False
            if said:
                counts[key] = counts.get(key, 0) + 1
    best = max(counts, key=lambda k: (counts[k], k), default=None)
    if best is not None and counts[best] * 2 >= len(sample):
        return best
    held = max(records, key=lambda k: (records[k], k), default=None)
    return held if held is not None and records[held] else None


_GIVEN = ("ts", "service", "pod", "level", "message")  # what a line's own fields give


def collector_record(obj: dict[str, Any] | None) -> bool:
    """Whether a line's text, a JSON object, is a collector's record of the program's line rather than the
    program's own JSON line: it holds the program's text in a message field of its own beside the pod that
    wrote it, in an object of the orchestrator's (OpenShift's ViaQ record as a LokiStack keeps it: `message`
    beside `kubernetes.pod_name`; Vector's or Fluent Bit's event stored whole). A program's JSON logger
    writes its words and its own fields, never its pod's metadata under a key of its own."""
    if obj is None or not has_field(obj, "message"):
        return False
    return any(
        "." in p and isinstance(obj.get(column(p)[0]), dict) and value_at(obj, p) is not None for p in FIELDS["pod"]
    )


def json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def unwrapped(sample: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The sampled lines with the fields of the JSON object written in `key` beside their own (theirs win)."""
    return [{**_as_object(obj.get(key)), **obj} for obj in sample]


def _as_object(value: Any) -> dict[str, Any]:
    """An object's fields, whether it is one or is written as JSON text (else none)."""
    if isinstance(value, dict):
        return value
    return (json_object(value) or {}) if isinstance(value, str) else {}
