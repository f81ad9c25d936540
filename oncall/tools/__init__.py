"""The narrow, read-mostly tools the agent may call. The registry maps each
tool's name to its input model, runner and description; `Backends` is what the
entry points hand them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oncall.tools.open_pr import PrRequests
from oncall.tools.query_history import TOOL as QUERY_HISTORY
from oncall.tools.query_history import HistoryBackend
from oncall.tools.read_changes import TOOL as READ_CHANGES
from oncall.tools.read_changes import ChangesBackend
from oncall.tools.read_logs import TOOL as READ_LOGS
from oncall.tools.read_logs import LogBackend
from oncall.tools.read_metrics import TOOL as READ_METRICS
from oncall.tools.read_metrics import MetricsBackend
from oncall.tools.read_runbook import TOOL as READ_RUNBOOK
from oncall.tools.read_runbook import RunbookBackend
from oncall.tools.tool import Tool

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
