"""Embedded change backend: changes.jsonl, one change event a line."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from oncall.core.errors import ToolError
from oncall.tools.read_changes import Change


class JsonlChanges:
    def __init__(self, path: Path):
        self.path = Path(path)

    def changes(self, services: list[str] | None, since: datetime, until: datetime) -> list[Change]:
        if not self.path.exists():
            raise ToolError(f"change log {self.path.name} not found")
        out = []
        with self.path.open(encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    c = Change.model_validate(json.loads(raw))
                except (json.JSONDecodeError, ValidationError) as e:
                    raise ToolError(f"{self.path.name} line {n} is not a valid change event: {e}") from e
                if since <= c.ts <= until and (not services or c.service in services):
                    out.append(c)
        return out
