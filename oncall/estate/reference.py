"""The configuration reference (docs/configuration.md), generated from the settings models and the
environment reader, so it cannot drift from what the code accepts: every section, every backend,
every key with its type, default and the comment the code gives it; every environment variable.
`make docs` writes it; a test checks the committed file is what this prints."""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any, get_args

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from oncall.estate.config import Config

_FIELD = re.compile(r"^\s+([a-z_][a-z0-9_]*)\s*:\s*[^=#]+(?:=[^#]*)?(?:#\s*(.*))?$")


def _comments(model: type[BaseModel]) -> dict[str, str]:
    """Each field's comment in the class body: the one on its line, or the lines just above it."""
    out: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            lines = inspect.getsource(cls).splitlines()
        except (OSError, TypeError):
            continue
        above: list[str] = []
        for line in lines[1:]:
            stripped = line.strip()
            if stripped.startswith("#"):
                above.append(stripped.lstrip("# "))
                continue
            m = _FIELD.match(line)
            if m and m.group(1) in model.model_fields:
                out[m.group(1)] = " ".join([*above, m.group(2) or ""]).strip()
            above = []
    return out


def _type(annotation: Any) -> str:
    text = str(annotation).replace("typing.", "").replace("NoneType", "None")
    text = re.sub(r"<class '([^']+)'>", r"\1", text)
    return re.sub(r"\b\w+\.", "", text)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        return f"`{info.default_factory()!r}`"  # type: ignore[call-arg]
    return "" if info.default in (None, PydanticUndefined) else f"`{info.default!r}`"


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The settings models an annotation admits (through Optional, unions and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        found += [m for m in _models(arg) if m not in found]
    return found


def _table(model: type[BaseModel]) -> list[str]:
    notes = _comments(model)
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        what = info.description or notes.get(name, "")
        kind = _type(info.annotation).replace("|", "\\|")  # a pipe would end the table cell
        what = what or ("which backend fills this section" if name == "backend" else "")
        rows.append(f"| `{name}` | `{kind}` | {_default(info)} | {what} |")
    return rows


def _environment() -> list[str]:
    from oncall.estate.env import VARIABLES

    return ["| variable | meaning |", "|---|---|", *(f"| `{k}` | {v} |" for k, v in sorted(VARIABLES.items()))]


def render() -> str:
    out = [
        "# Configuration reference",
        "",
        "Generated from the code by `make docs` (`python -m oncall.estate.reference`); do not edit by hand.",
        "",
        "A configuration file (`--config FILE` or `ONCALL_CONFIG`) replaces a tool's embedded backend by",
        "a production one, a section per tool. Secrets are never written in it: each `*_env` key names the",
        "environment variable that holds one. `oncall check-config` tries every section.",
        "",
    ]
    hints = typing.get_type_hints(Config, include_extras=True)
    for name, info in Config.model_fields.items():
        models = _models(hints.get(name, info.annotation))
        if not models:
            out += [f"## `{name}`", "", f"`{_type(info.annotation)}`: {_comments(Config).get(name, '')}", ""]
            continue
        for model in models:
            backend = model.model_fields.get("backend")
            which = f" (`backend: {get_args(backend.annotation)[0]}`)" if backend else ""
            out += [f"## `{name}`{which}", "", *_table(model), ""]
    out += ["## Environment", "", "Read once, at start, by each entry point.", "", *_environment(), ""]
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
