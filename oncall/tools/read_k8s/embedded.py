"""Embedded Kubernetes backend: `k8s.jsonl` (one API object a line: Events, and Pods and Deployments
with their `kind`) and `k8s_state.json` (a snapshot as `kubectl get pods,deployments,events -o json`
prints it: a List of items). A line that is not a JSON object is skipped and counted."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.core.errors import BundleError, ToolError
from oncall.core.files import RECORDS_MAX, read_small
from oncall.tools.clock import local_read
from oncall.tools.read_k8s import Objects

FILES = ("k8s.jsonl", "k8s_state.json")


def present(root: Path) -> bool:
    return any((root / name).is_file() for name in FILES)


class BundleK8s:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.skipped = 0
        self._all: Objects | None = None
        self._lock = threading.Lock()

    def _load(self) -> Objects:
        with local_read(), self._lock:  # the file's one read (or waiting for it): not the call's own time
            if self._all is None:
                items: list[Any] = []
                events = self.root / "k8s.jsonl"
                if events.is_file():
                    if events.stat().st_size > RECORDS_MAX:
                        raise ToolError(f"{events.name} is over {RECORDS_MAX:,} bytes")
                    with events.open(encoding="utf-8", errors="replace") as f:
                        for raw in f:
                            if raw.strip():
                                try:
                                    items.append(json.loads(raw))
                                except json.JSONDecodeError:
                                    self.skipped += 1
                snapshot = self.root / "k8s_state.json"
                if snapshot.is_file():
                    try:
                        doc = json.loads(read_small(snapshot, RECORDS_MAX, "kubernetes snapshot"))
                    except (json.JSONDecodeError, BundleError) as e:
                        raise ToolError(f"{snapshot.name} cannot be read: {e}") from None
                    items += doc.get("items", []) if isinstance(doc, dict) else []
                if not present(self.root):
                    raise ToolError("the bundle holds no Kubernetes state (k8s.jsonl or k8s_state.json)")
                self._all = sort(items, " and ".join(n for n in FILES if (self.root / n).is_file()))
            return self._all

    def objects(self, service: str, since: datetime, until: datetime) -> Objects:
        return self._load()  # `read` keeps the service's objects and the window's events


def sort(items: list[Any], source: str) -> Objects:
    """API objects by kind; an object without one is an Event when it has an event's fields."""
    out = Objects(source=source)
    for o in items:
        if not isinstance(o, dict):
            continue
        kind = o.get("kind") or ("Event" if ("involvedObject" in o or "regarding" in o) else None)
        if kind == "Event":
            out.events.append(o)
        elif kind == "Pod":
            out.pods.append(o)
        elif kind == "Deployment":
            out.deployments.append(o)
        ns = (o.get("metadata") or {}).get("namespace")
        out.namespace = out.namespace or ns
    return out
