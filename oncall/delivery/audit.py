"""The audit log: one JSON line per investigation (alert, every tool call with its
input, output digest and timing, model turns with usage, the diagnosis, what
grounding dropped, deliveries, errors) and one per rejected payload. Redacted
before it is written; appended under a lock, so workers can share it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncall.core.redact import redact_data

if TYPE_CHECKING:
    from oncall.core.alert import Alert
    from oncall.core.investigation import Investigation


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def investigation_record(
    inv: Investigation,
    *,
    alerts: list[Alert] | None = None,
    deliveries: list[dict[str, Any]] | None = None,
    errors: list[str] | None = None,
    job: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": "investigation",
        "id": inv.id,
        "job": job,
        "at": _now(),
        "model": inv.model,
        "alert": inv.alert.model_dump(mode="json"),
        "group": [a.model_dump(mode="json") for a in alerts or []],
        "tool_calls": [
            {
                "id": r.id,
                "tool": r.tool,
                "input": r.input,
                "ok": r.ok,
                "error": r.error,
                "elapsed_ms": round(r.elapsed_ms, 1),
                "output_chars": len(r.text),
                "output_sha256": hashlib.sha256(r.text.encode()).hexdigest(),
            }
            for r in inv.results
        ],
        "model_turns": inv.turns,
        "usage": vars(inv.usage),
        "diagnosis": inv.diagnosis.model_dump(mode="json"),
        "grounding": {
            "checked": inv.grounding.checked,
            "kept": inv.grounding.kept,
            "dropped": [f.model_dump() for f in inv.grounding.failures],
        },
        "pr": inv.diagnosis.pr.model_dump() if inv.diagnosis.pr else None,
        "deliveries": deliveries or [],
        "errors": errors or [],
        "notes": inv.notes,
        "timings": inv.timings,
    }


class AuditLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(redact_data(json.loads(json.dumps(record, default=str))), sort_keys=True)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                fcntl.flock(f, fcntl.LOCK_EX)  # worker processes share the file: one whole line at a time
                f.write(line + "\n")
                f.flush()

    def investigation(self, inv: Investigation, **kw: Any) -> None:
        self.write(investigation_record(inv, **kw))

    def rejected(self, source: str, reason: str, body: bytes) -> None:
        self.write(
            {
                "kind": "rejected",
                "id": "rej-" + hashlib.sha256(body).hexdigest()[:12],
                "at": _now(),
                "source": source,
                "reason": reason,
                "bytes": len(body),
                "body": body[:4000].decode("utf-8", "replace"),
            }
        )

    def find(self, ref: str) -> list[dict[str, Any]]:
        """Every record of an investigation id, a job id or an alert fingerprint, oldest first."""
        if not self.path.exists():
            return []
        out = []
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                if f'"{ref}' in line:
                    rec = json.loads(line)
                    fingerprints = {a.get("fingerprint") for a in [rec.get("alert") or {}, *rec.get("group", [])]}
                    if ref in (rec.get("id"), rec.get("job")) or ref in fingerprints:
                        out.append(rec)
        return out

    def recent(self, n: int = 20) -> list[dict[str, Any]]:
        """The last `n` records, newest last."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as f:
            lines = f.readlines()[-n:]
        return [json.loads(x) for x in lines if x.strip()]
