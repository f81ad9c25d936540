"""Citations, the one way claims point at tool output: `R3` is a whole result, `R3:L12`
line 12 of its text. Every reader and writer of a citation goes through here."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CITE = re.compile(r"^R(\d+)(?::L(\d+))?$")


@dataclass(frozen=True)
class Cite:
    result: str  # "R3"
    line: int | None = None  # 12 for "R3:L12"; None cites the whole result

    @classmethod
    def parse(cls, text: str) -> Cite | None:
        """The citation `text` spells, or None when it is not one."""
        m = _CITE.match(text.strip())
        if not m:
            return None
        return cls(f"R{m.group(1)}", int(m.group(2)) if m.group(2) else None)

    def __str__(self) -> str:
        return self.result if self.line is None else f"{self.result}:L{self.line}"


def cite(result: str, line: int | None = None) -> str:
    """The citation of a result, or of one line of it."""
    return str(Cite(result, line))


def result_of(text: str) -> str:
    """The result a citation points into: "R3:L12" -> "R3"."""
    parsed = Cite.parse(text)
    return parsed.result if parsed else text.split(":", 1)[0]
