"""The narrow, read-mostly tools the agent may call: each tool's name to its input model,
runner and description. Their backends are in `oncall.tools.backends`."""

from __future__ import annotations

from typing import Any

from oncall.tools.query_history import TOOL as QUERY_HISTORY
from oncall.tools.read_changes import TOOL as READ_CHANGES
from oncall.tools.read_config import TOOL as READ_CONFIG
from oncall.tools.read_k8s import TOOL as READ_K8S
from oncall.tools.read_logs import TOOL as READ_LOGS
from oncall.tools.read_metrics import TOOL as READ_METRICS
from oncall.tools.read_runbook import TOOL as READ_RUNBOOK
from oncall.tools.read_traces import TOOL as READ_TRACES
from oncall.tools.tool import Tool

READ_TOOLS: dict[str, Tool[Any]] = {
    t.name: t
    for t in (READ_LOGS, READ_METRICS, READ_TRACES, READ_K8S, READ_CHANGES, READ_CONFIG, QUERY_HISTORY, READ_RUNBOOK)
}


def offered(backends: Any) -> dict[str, Tool[Any]]:
    """The read tools this estate can answer: an optional source (traces, Kubernetes, the config repository) without a
    backend is not offered, so neither the model nor collection calls it."""
    from oncall.tools.backends import OPTIONAL_SOURCES

    return {n: t for n, t in READ_TOOLS.items() if getattr(backends, OPTIONAL_SOURCES.get(n, "logs"), None) is not None}
