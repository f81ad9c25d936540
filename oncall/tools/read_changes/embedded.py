"""Embedded change backend: changes.jsonl, one change event a line. A record that is not a
valid change event (bad JSON, a time without a time zone, a missing field) is skipped and
counted, and the rest is read."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from oncall.core.errors import ToolError
from oncall.core.files import RECORDS_MAX
from oncall.tools.read_changes import Change


class JsonlChanges:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.skipped = 0
        self._all: list[Change] | None = None
        self._lock = threading.Lock()

    def _load(self) -> list[Change]:
        with self._lock:
            if self._all is None:
                if not self.path.is_file():
                    raise ToolError(f"change log {self.path.name} not found")
                if self.path.stat().st_size > RECORDS_MAX:
                    raise ToolError(f"change log {self.path.name} is over {RECORDS_MAX:,} bytes")
                found, skipped = [], 0
                with self.path.open(encoding="utf-8", errors="replace") as f:
                    for raw in f:
                        if not raw.strip():
                            continue
                        try:
                            found.append(Change.model_validate(json.loads(raw)))
                        except (json.JSONDecodeError, ValidationError, ValueError, TypeError):
                            skipped += 1
                self._all, self.skipped = found, skipped
            return self._all

    def changes(self, services: list[str] | None, since: datetime, until: datetime) -> list[Change]:
        return [c for c in self._load() if since <= c.ts <= until and (not services or c.service in services)]
