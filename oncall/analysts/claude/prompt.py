"""What the model reads: the first user turn built from the collected context,
and each tool result, with line numbers it can cite. `--show-context` prints
exactly this text."""

from __future__ import annotations

from oncall.core.alert import Alert
from oncall.core.catalog import Catalog
from oncall.core.results import ToolResult


def numbered(text: str) -> str:
    return "\n".join(f"{n:>3}| {line}" for n, line in enumerate(text.splitlines(), 1))


# The first turn's ceiling (about 6,000 tokens at Claude's ~4 characters a token), whatever the
# estate's size: the longest outputs give up their last lines first; the model can read them again.
FIRST_TURN_CHARS = 24_000


def result_block(r: ToolResult, max_lines: int | None = None) -> str:
    """One result, fenced as data. The id is what claims cite; cut lines keep their numbers."""
    if not r.ok:
        body = f"ERROR: {r.error}"
    else:
        lines = numbered(r.text).splitlines()
        if max_lines is not None and len(lines) > max_lines:
            rest = len(lines) - max_lines
            lines = [*lines[:max_lines], f"...| [{rest} more lines: call {r.tool} again to read them]"]
        body = "\n".join(lines)
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


def first_turn(
    alert: Alert,
    catalog: Catalog,
    services: list[str],
    results: list[ToolResult],
    max_chars: int = FIRST_TURN_CHARS,
) -> str:
    head = "<alert>\n" + alert_block(alert, catalog, services) + "\n</alert>"
    intro = "Evidence collected before you started, one tool output per block. Cite as R<n> or R<n>:L<line>."
    tail = "Investigate: call tools for anything missing, then call submit_diagnosis."
    limits: dict[str, int] = {}

    def text() -> str:
        return "\n\n".join([head, intro, *(result_block(r, limits.get(r.id)) for r in results), tail])

    out = text()
    # halve the longest output still longer than a few lines; when every one is down to a few and the turn
    # is still too long (a wide neighbourhood: fifty outputs), down to its first line, which says what it is
    for floor in (4, 1):
        while len(out) > max_chars:
            sizes = {r.id: len(result_block(r, limits.get(r.id))) for r in results if r.ok}
            cuttable = [i for i, _ in sorted(sizes.items(), key=lambda kv: -kv[1]) if limits.get(i, 10**9) > floor]
            if not cuttable:
                break
            r = next(x for x in results if x.id == cuttable[0])
            limits[r.id] = max(floor, min(limits.get(r.id, 10**9), len(r.text.splitlines())) // 2)
            out = text()
    return out
