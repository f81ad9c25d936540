"""YAML from a bundle is untrusted: parsed with the safe loader and a bound on aliases, so a
"billion laughs" catalog costs an error, not a minute and a gigabyte."""

from __future__ import annotations

from typing import Any

import yaml

MAX_ALIASES = 100  # a real catalog or runbook uses a handful, if any


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name): refused as a possible alias bomb")
        return super().compose_node(parent, index)


def load(text: str) -> Any:
    """The document in `text`; raises yaml.YAMLError. With libyaml, its aliases are counted on the C
    parser's events before the C loader builds the document (a thousand-service catalog: 0.7 s in the
    pure-Python loader, 0.1 s so)."""
    if yaml.__with_libyaml__:
        aliases = sum(1 for e in yaml.parse(text, Loader=yaml.CSafeLoader) if isinstance(e, yaml.AliasEvent))
        if aliases > MAX_ALIASES:
            raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (*name): refused as a possible alias bomb")
        return yaml.load(text, Loader=yaml.CSafeLoader)
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def problems(error: Exception, where: str) -> str:
    """One line per problem, each naming the file and the field: for a pydantic error, or a YAML one."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        return "\n".join(
            f"{where}: {'.'.join(map(str, x['loc'])) or '(top level)'}: {x['msg']}" for x in error.errors()
        )
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    mark = getattr(error, "problem_mark", None)
    at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{where}: not valid YAML{at}: {first}"
