"""Serilog's compact JSON (CLEF) as CompactJsonFormatter writes it: the message template in `@mt` and each of its
holes' values beside it as a property (`{"@mt": "Bill run {Run}: {Done} of {Total}", "Run": "2029-06", "Done":
1400, ...}`), with no rendered message (`@m` is RenderedCompactJsonFormatter's). What such a line says is its
template with its holes filled from its properties, as Seq shows it: the template alone hides every number, name
and reason the program logged in a hole."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

TEMPLATE = "@mt"
RENDERED = "@m"
# a hole: `{Name}`, `{@Name}` (destructured), `{$Name}` (stringified), `{Name:format}`, `{Name,alignment}`; a
# literal brace is written doubled, and is set aside (as \x01 and \x02) before holes are looked for
_HOLE = r"\{[@$]?([A-Za-z_][A-Za-z0-9_]*)(?:[,:][^{}\x01\x02]*)?\}"


def templated(sample: list[dict[str, Any]]) -> bool:
    """Whether the sampled lines are CLEF with templates only: most hold `@mt`, none a rendered `@m`."""
    with_template = sum(1 for obj in sample if isinstance(obj.get(TEMPLATE), str))
    return with_template * 2 > len(sample) > 0 and not any(RENDERED in obj for obj in sample)


def rendered_sql(line: str, literal: Callable[[str], str]) -> str:
    """SQL: the template of the JSON line `line` (an SQL expression of its text) with each hole replaced by its
    property's text (a string's value, another value's JSON; nothing for a property the line lacks), literal
    braces written once; NULL for a line with no template."""
    path = f'$."{TEMPLATE}"'
    template = f"json_extract_string({line}, {literal(path)})"
    escaped = f"replace(replace({template}, '{{{{', chr(1)), '}}}}', chr(2))"
    # (one expression, no subquery: DuckDB evaluates it in the scan, line by line)
    names = f"regexp_extract_all({escaped}, {literal(_HOLE)}, 1)"
    value = f"json_extract_string({line}, '$.\"' || {names}[i] || '\"')"
    parts = f"regexp_split_to_array({escaped}, {literal(_HOLE)})"
    filled = f"list_transform({parts}, lambda part, i: part || coalesce({value}, ''))"
    return f"replace(replace(array_to_string({filled}, ''), chr(1), '{{'), chr(2), '}}')"
