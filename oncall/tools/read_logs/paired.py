"""Maps a shipper writes as lists: two parallel lists, one of keys and one of values (ClickHouse's Nested columns
and SigNoz's logs table: `resources_string_key` and `resources_string_value`, the service's name only there as
`service.name`), or one list of entries, each a name and a value (Seq's API writes an event's properties so,
`[{"Name": "Application", "Value": "orders"}]`, as AWS writes tags). Each is read as the object it stands for: its
entries are found in a sample of the file's lines like any other field's, and read in SQL by the key's position in
the keys' list, or by the entry that names it."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

# a keys' list and its values' list: the same name, ending in key(s) and value(s) (`_key`, `.keys`, `Keys`)
_KEYS = re.compile(r"^(.+?)(?:[._]keys?|Keys?)$")


class Pair(NamedTuple):
    name: str  # what the map is called here: the lists' common name (`resources_string`), or the entries' field
    keys: str  # the field holding its keys
    values: str  # the field holding its values, at the same positions
    entry: tuple[str, str] | None = None  # a list of entries: the names of each one's name and value fields


# an entry's name and value fields, as exporters spell them
_ENTRIES = (("Name", "Value"), ("name", "value"), ("Key", "Value"), ("key", "value"))


def pairs(sample: list[dict[str, Any]]) -> list[Pair]:
    """The maps written as lists on most sampled lines: two parallel list fields holding as many texts as keys
    as they hold values (none named as a field a line already has), and list fields whose items are entries
    with a name and a value (`_ENTRIES`: the Pair's `entry`, its keys and values the one field)."""
    if not sample:
        return []
    fields = {k for obj in sample for k in obj}
    found: list[Pair] = []
    for keys in sorted(fields):
        m = _KEYS.match(keys)
        if not m or not m[1]:
            continue
        values = next((v for v in _value_names(keys, m[1]) if v in fields), None)
        if values is None or m[1] in fields:
            continue
        if sum(1 for obj in sample if _parallel(obj.get(keys), obj.get(values))) * 2 >= len(sample):
            found.append(Pair(m[1], keys, values))
    for field in sorted(fields):
        for entry in _ENTRIES:
            if sum(1 for obj in sample if _entries(obj.get(field), entry)) * 2 >= len(sample):
                found.append(Pair(field, field, field, entry))
                break
    return found


def _entries(value: Any, entry: tuple[str, str]) -> bool:
    """Whether `value` is a list of entries, each only a text name and a value under `entry`'s two fields."""
    name, _ = entry
    return (
        isinstance(value, list)
        and len(value) > 0
        and all(isinstance(e, dict) and set(e) == set(entry) and isinstance(e[name], str) for e in value)
    )


def _value_names(keys: str, stem: str) -> list[str]:
    """The names a values' list beside `keys` would have: its suffix spelt as the keys' is."""
    suffix = keys[len(stem) :]
    return [stem + suffix[: len(suffix) - len(word)] + value for word, value in _SPELLINGS if suffix.endswith(word)]


_SPELLINGS = (("keys", "values"), ("key", "value"), ("Keys", "Values"), ("Key", "Value"))


def _parallel(keys: Any, values: Any) -> bool:
    return (
        isinstance(keys, list)
        and isinstance(values, list)
        and len(keys) == len(values) > 0
        and all(isinstance(k, str) for k in keys)
    )


def as_maps(sample: list[dict[str, Any]], found: list[Pair]) -> list[dict[str, Any]]:
    """The sampled lines with each pair also written as the object it stands for, under the pair's name."""
    out = []
    for obj in sample:
        extra = {
            p.name: dict(zip(obj[p.keys], obj[p.values], strict=True))
            for p in found
            if p.entry is None and _parallel(obj.get(p.keys), obj.get(p.values))
        }
        extra |= {
            p.name: {e[p.entry[0]]: e[p.entry[1]] for e in obj[p.name]}
            for p in found
            if p.entry is not None and _entries(obj.get(p.name), p.entry)
        }
        out.append({**obj, **extra})
    return out


def entry_sql(pair: Pair, key: str, ident: Any, literal: Any) -> str:
    """SQL: the value at `key`'s position in the pair's keys, or of the entry named `key` (NULL where the line has
    no such key). The lists are read as their JSON text; `ident` and `literal` quote a name and a text."""
    if pair.entry is not None:
        name, value = (n.replace('"', '""') for n in pair.entry)
        shape = literal(f'[{{"{name}": "VARCHAR", "{value}": "VARCHAR"}}]')
        entries = f"try(json_transform({ident(pair.keys)}, {shape}))"
        return f'(list_filter({entries}, lambda e: e."{name}" = {literal(key)}))[1]."{value}"'
    keys = f"""try(json_transform({ident(pair.keys)}, '["VARCHAR"]'))"""
    values = f"""try(json_transform({ident(pair.values)}, '["VARCHAR"]'))"""
    return f"({values})[list_position({keys}, {literal(key)})]"
