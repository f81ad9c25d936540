"""What the model reads: the first user turn built from the collected context,
and each tool result, with line numbers it can cite. `--show-context` prints
exactly this text."""

from __future__ import annotations

from oncall.core.alert import Alert
from oncall.core.catalog import Catalog
from oncall.core.results import ToolResult


def numbered(text: str) -> str:
    return "\n".join(f"{n:>3}| {line}" for n, line in enumerate(text.splitlines(), 1))


def result_block(r: ToolResult) -> str:
    """One result, fenced as data. The id is what claims cite."""
    body = numbered(r.text) if r.ok else f"ERROR: {r.error}"
    return f'<tool_output id="{r.id}" tool="{r.tool}" input="{r.label()}">\n{body}\n</tool_output>'


def alert_block(alert: Alert, catalog: Catalog, services: list[str]) -> str:
    labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
    lines = [
        f"Alert {alert.alertname} ({alert.source}), status {alert.status}, started "
        f"{alert.starts_at:%Y-%m-%dT%H:%M:%SZ}",
        f"service: {alert.service or 'not identified'}; severity: {alert.severity or 'unknown'}",
    ]
    if labels:
        lines.append(f"labels: {labels}")
    for k, v in sorted(alert.annotations.items()):
        lines.append(f"{k}: {v}")
    if alert.text:
        lines.append(f"request: {alert.text}")
    lines.append("")
    lines.append("Catalog (who calls whom):")
    for s in services:
        info = catalog.services.get(s)
        if info:
            deps = ", ".join(info.depends_on) or "nothing"
            lines.append(f"- {s} (namespace {info.namespace}, repo {info.repo or '?'}) depends on {deps}")
    return "\n".join(lines)


def first_turn(alert: Alert, catalog: Catalog, services: list[str], results: list[ToolResult]) -> str:
    parts = [
        "<alert>\n" + alert_block(alert, catalog, services) + "\n</alert>",
        "Evidence collected before you started, one tool output per block. Cite as R<n> or R<n>:L<line>.",
        *(result_block(r) for r in results),
        "Investigate: call tools for anything missing, then call submit_diagnosis.",
    ]
    return "\n\n".join(parts)
