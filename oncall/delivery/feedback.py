"""Engineers' verdicts on a brief ("Root cause right / wrong" in Slack), kept by investigation
id, and the incidents they confirm, appended to the history store so that query_history
finds them next time. `oncall accuracy` reads them back."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class FeedbackStore:
    """Engineers' verdicts, by investigation id, and the incidents they confirm (the history store)."""

    def __init__(self, state: Path):
        self.feedback = state / "feedback.jsonl"
        self.history = state / "history.jsonl"
        self._lock = threading.Lock()

    def record(
        self,
        investigation: str,
        user: str,
        verdict: str,
        diagnosed: dict[str, Any] | None,
        service: str | None = None,
        category: str | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        row = {
            "investigation": investigation,
            "at": datetime.now(UTC).isoformat(),
            "user": user,
            "verdict": verdict,
            "diagnosed_service": (diagnosed or {}).get("service"),
            "diagnosed_category": (diagnosed or {}).get("category"),
            "service": service or (diagnosed or {}).get("service"),
            "category": category or (diagnosed or {}).get("category"),
            "note": note,
        }
        with self._lock:
            self.feedback.parent.mkdir(parents=True, exist_ok=True)
            with self.feedback.open("a") as f:
                f.write(json.dumps(row) + "\n")
            with self.history.open("a") as f:
                f.write(
                    json.dumps(
                        {
                            "id": investigation,
                            "opened_at": row["at"],
                            "service": row["service"],
                            "category": row["category"],
                            "root_cause": note or "confirmed in Slack",
                            "fix": None,
                            "fingerprint": None,
                            "alertname": None,
                        }
                    )
                    + "\n"
                )
        return row

    def accuracy(self) -> dict[str, dict[str, tuple[int, int]]]:
        """(right, total) by ISO week, by diagnosed service and by diagnosed category."""
        out: dict[str, dict[str, tuple[int, int]]] = {"week": {}, "service": {}, "category": {}}
        for r in self.rows():
            week = datetime.fromisoformat(r["at"]).strftime("%G-W%V")
            for dim, key in (
                ("week", week),
                ("service", r.get("diagnosed_service") or "?"),
                ("category", r.get("diagnosed_category") or "?"),
            ):
                right, total = out[dim].get(key, (0, 0))
                out[dim][key] = (right + (r["verdict"] == "right"), total + 1)
        return out

    def rows(self) -> list[dict[str, Any]]:
        if not self.feedback.exists():
            return []
        return [json.loads(x) for x in self.feedback.read_text().splitlines() if x.strip()]
