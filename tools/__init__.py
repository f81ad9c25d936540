"""The narrow, read-mostly tools the agent may call. The registry maps each
tool's name to its input model, runner and description; `Backends` is what the
entry points hand them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.base import Tool
from tools.open_pr import PrRequests
from tools.query_history import TOOL as QUERY_HISTORY
from tools.query_history import HistoryBackend
from tools.read_changes import TOOL as READ_CHANGES
from tools.read_changes import ChangesBackend
from tools.read_logs import TOOL as READ_LOGS
from tools.read_logs import LogBackend
from tools.read_metrics import TOOL as READ_METRICS
from tools.read_metrics import MetricsBackend
from tools.read_runbook import TOOL as READ_RUNBOOK
from tools.read_runbook import RunbookBackend

READ_TOOLS: dict[str, Tool[Any]] = {
    t.name: t for t in (READ_LOGS, READ_METRICS, READ_CHANGES, QUERY_HISTORY, READ_RUNBOOK)
}


@dataclass
class Backends:
    logs: LogBackend
    metrics: MetricsBackend
    changes: ChangesBackend
    history: HistoryBackend
    runbooks: RunbookBackend
    pull_requests: PrRequests | None = None  # set only when the investigation may open a PR
