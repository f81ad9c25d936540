"""The tool-result contract (DESIGN.md): what every tool call yields, what the model
reads and what every claim cites, as `R3` or `R3:L12`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ToolResult(BaseModel):
    """One tool call's outcome. `text` is what the model sees and what claims cite;
    `data` is the same facts, structured, for the offline analyst (never sent)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str
    tool: str
    input: dict[str, Any]
    ok: bool
    text: str = ""
    error: str | None = None
    elapsed_ms: float = 0.0
    data: Any = Field(default=None, exclude=True)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line(self, n: int) -> str | None:
        """Line n (1-based) of the text, as cited by `R3:L12`."""
        lines = self.lines
        return lines[n - 1] if 1 <= n <= len(lines) else None

    def label(self) -> str:
        """Short human description: which tool, with which arguments."""
        args = " ".join(f"{k}={_short(v)}" for k, v in self.input.items() if v not in (None, [], ""))
        return f"{self.tool} {args}".strip()


def _short(v: Any) -> str:
    if isinstance(v, list):
        return ",".join(map(str, v))
    return str(v)
