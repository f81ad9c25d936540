"""The brief: one Diagnosis rendered as terminal text (rich), Markdown (PR body,
chat) and JSON (the Diagnosis contract). Citations show as [R4]; a source list
says what each id is."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from oncall.core.citations import Cite
from oncall.core.diagnosis import Action, Claim, Evidence, RootCause, RunbookQuote, SimilarIncident
from oncall.core.redact import redact, redact_data
from oncall.delivery.picture import sparkline_of

if TYPE_CHECKING:
    from oncall.core.investigation import Investigation


def _cites(cites: list[str]) -> str:
    return "".join(f"[{c}]" for c in cites)


def sections(inv: Investigation) -> list[tuple[str, list[str]]]:
    """The brief as (title, lines) in reading order; every renderer formats these."""
    d = inv.diagnosis
    rc = d.root_cause
    out: list[tuple[str, list[str]]] = [
        ("Summary", [f"{c.text} {_cites(c.cites)}" for c in d.summary] or ["(no grounded summary)"]),
        (
            f"Root cause ({rc.confidence} confidence)",
            [f"{rc.service}, {rc.category.replace('_', ' ')}: {rc.statement} {_cites(rc.cites)}"]
            + ([line] if (line := sparkline_of(inv)) else []),
        ),
    ]
    if d.evidence:
        out.append(
            (
                "Evidence",
                [f"{e.text}" + (f': "{e.quote}"' if e.quote else "") + f" {_cites(e.cites)}" for e in d.evidence],
            )
        )
    if d.against:
        out.append(
            (
                "Evidence against",
                [f"{e.text}" + (f': "{e.quote}"' if e.quote else "") + f" {_cites(e.cites)}" for e in d.against],
            )
        )
    if d.actions:
        lines = []
        for i, a in enumerate(d.actions, 1):
            lines.append(f"{i}. {a.kind} {a.target}: {a.description} {_cites(a.cites)}")
            if a.command:
                lines.append(f"   $ {a.command}")
        out.append(("Actions, safest first", lines))
    if d.runbook:
        out.append(("Runbook", [f'"{q.quote}" ({q.page} > {q.section}) {_cites(q.cites)}' for q in d.runbook]))
    others = [c for c in d.alternatives if c.ruled_down][:2]
    if others:
        out.append(
            (
                "Other hypotheses",
                [f"{c.service}, {c.category.replace('_', ' ')}: ruled down, {c.ruled_down}" for c in others],
            )
        )
    if d.similar_incidents:
        out.append(
            (
                "Similar past incidents",
                [f"{s.id}: {s.resolution} {_cites(s.cites)}" for s in d.similar_incidents],
            )
        )
    if d.pr:
        out.append(("Pull request", [f"{d.pr.url} (branch {d.pr.branch})"]))
    if d.warnings:
        out.append(("Warnings", [f"{w.text} {_cites(w.cites)}" for w in d.warnings]))
    missing = list(d.missing_evidence)
    if missing:
        out.append(("Missing evidence", missing))
    out.append(("Sources", [f"{r.id} {r.label()}" + ("" if r.ok else f" FAILED: {r.error}") for r in inv.results]))
    return out


def footer(inv: Investigation) -> str:
    g = inv.grounding
    u = inv.usage
    tokens = (
        f"{u.input_tokens} in + {u.cache_read_tokens} cache read + {u.cache_write_tokens} cache write / "
        f"{u.output_tokens} out tokens, {u.calls} calls, ${u.cost_usd:.4f}"
        if u.calls
        else "no model tokens"
    )
    return (
        f"model {inv.model} · {inv.timings.get('total_s', 0):.2f}s · {tokens} · "
        f"grounding kept {g.kept} of {g.checked} claims · investigation {inv.id}"
    )


def header(inv: Investigation) -> str:
    a = inv.alert
    sev = f"{a.severity} · " if a.severity else ""
    return f"{a.alertname} · {a.service or 'unknown service'} · {sev}fired {a.starts_at:%Y-%m-%d %H:%M} UTC"


_MD = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "\\@"})


def md(text: str) -> str:
    """Tool-derived text as Markdown shows it and no more: no HTML, no inline link, no @-mention."""
    return redact(text).translate(_MD).replace("](", "]\\(")


def to_markdown(inv: Investigation) -> str:
    lines = [f"# {md(header(inv))}", ""]
    if inv.alert.title != inv.alert.alertname:
        lines += [f"> {md(inv.alert.title)}", ""]
    for title, body in sections(inv):
        lines.append(f"## {title}")
        if title.startswith("Actions"):
            for b in body:  # a command is an indented code block: shown as written, never rendered
                lines.append(f"    {redact(b[5:])}" if b.startswith("   $ ") else md(b))
        elif title == "Runbook":
            for b in body:
                lines += [f"> {md(x)}" for x in b.splitlines()] + [""]
        else:
            lines += [f"- {md(b)}" for b in body]
        lines.append("")
    lines += [f"_{md(footer(inv))}_"] + [f"_{md(n)}_" for n in inv.notes]
    return "\n".join(lines) + "\n"


def to_json(inv: Investigation) -> str:
    doc: dict[str, Any] = inv.diagnosis.model_dump(mode="json")
    doc["investigation"] = {
        "id": inv.id,
        "model": inv.model,
        "alert": inv.alert.model_dump(mode="json"),
        "sources": [r.model_dump(mode="json") for r in inv.results],
        "grounding": {
            "checked": inv.grounding.checked,
            "kept": inv.grounding.kept,
            "dropped": inv.grounding.dropped,
            "rate": inv.grounding.rate,
            "failures": [f.model_dump() for f in inv.grounding.failures],
        },
        "timings": inv.timings,
        "usage": vars(inv.usage),
        "notes": inv.notes,
    }
    return json.dumps(redact_data(doc), indent=2)  # redacted as data: the output stays valid JSON


def print_text(inv: Investigation, console: Any = None) -> None:
    """Terminal rendering with rich; plain text when not a TTY."""
    from rich.console import Console
    from rich.markup import escape

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # the reader left (`oncall ... | head`): the command's own handler says that is no error; rich's
            # default exits 1
            raise BrokenPipeError

    console = console or _Console(highlight=False, soft_wrap=True)
    colour = {"HIGH": "green", "MEDIUM": "yellow", "LOW": "red"}[inv.diagnosis.root_cause.confidence]
    console.print(f"[bold]{escape(header(inv))}[/bold]")
    for title, body in sections(inv):
        style = f"bold {colour}" if title.startswith("Root cause") else "bold cyan"
        console.print(f"\n[{style}]{escape(title.upper())}[/{style}]")
        for b in body:
            text = escape(redact(b)).replace("\n", "\n    ")
            console.print(f"  [green]{text}[/green]" if b.startswith("   $ ") else f"  {text}")
    console.print(f"\n[dim]{escape(footer(inv))}[/dim]")
    for n in inv.notes:
        console.print(f"[dim]{escape(n)}[/dim]")


def pr_body(inv: Investigation) -> str:
    """The brief in Markdown with every citation spelled out: which log lines, which metric, which
    change, which runbook section, and the trail of tool calls that led there."""
    by_id = {r.id: r for r in inv.results}
    cited: list[str] = []
    d = inv.diagnosis
    claims: list[Claim | RootCause | Evidence | Action | RunbookQuote | SimilarIncident] = [
        *d.summary,
        d.root_cause,
        *d.evidence,
        *d.against,
        *d.actions,
        *d.runbook,
        *d.similar_incidents,
    ]
    for claim in claims:
        for c in claim.cites:
            if c not in cited:
                cited.append(c)
    lines = [to_markdown(inv).rstrip(), "", "## Citations", ""]
    for c in cited:
        parsed = Cite.parse(c)
        r = by_id.get(parsed.result) if parsed else None
        if parsed is None or r is None:
            continue
        n = parsed.line
        where = f"{parsed.result} ({md(r.label())})" + (f", line {n}" if n else "")
        quoted = (r.line(n) if n else (r.lines[0] if r.lines else "")) or ""
        lines.append(f"- **{c}** {where}: `{redact(quoted.strip()[:300]).replace('`', chr(39))}`")
    lines += ["", "## How this was found", ""]
    lines += [
        f"{i}. `{r.label().replace('`', chr(39))}`" + ("" if r.ok else f" (failed: {md(r.error or '')})")
        for i, r in enumerate(inv.results, 1)
    ]
    lines += ["", "_Opened as a draft by oncall-copilot. It changes nothing until a human reviews and merges it._"]
    return redact("\n".join(lines) + "\n")
