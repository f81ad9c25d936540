"""The brief as Slack Block Kit: header, summary, root cause, actions with copyable
commands, the runbook quote, similar incidents, the PR link, feedback buttons and a
footer; long evidence goes in a thread reply. Slack's limits (50 blocks a message,
3,000 characters a section, 150 a header) are kept, and truncation says so."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oncall.core.redact import redact
from oncall.delivery.picture import sparkline_of

if TYPE_CHECKING:
    from oncall.core.investigation import Investigation

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
ICON = {"critical": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}


def esc(text: str | None) -> str:
    """Tool-derived text as Slack mrkdwn shows it and no more: secrets masked, then `&`, `<` and `>`
    escaped (Slack's rules), so no log line can post a `<!channel>`, a mention or a disguised link."""
    return redact(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(command: str) -> str:
    """A command as a code block that nothing inside it can close."""
    return "```" + esc(command).replace("```", "'''") + "```"


def _cites(cites: list[str]) -> str:
    return " " + " ".join(f"`{esc(c)}`" for c in cites) if cites else ""


def _fit(text: str, limit: int = MAX_SECTION) -> str:
    text = redact(text)
    if len(text) <= limit:
        return text
    note = f"\n… truncated: {len(text) - limit + 60} more characters; the full brief is in the thread and the audit log"
    return text[: limit - len(note)] + note


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _fit(text)}}


def brief_blocks(inv: Investigation, with_feedback: bool = True) -> list[dict[str, Any]]:
    d, a = inv.diagnosis, inv.alert
    rc = d.root_cause
    sev = (a.severity or "").lower()
    icon = ICON.get(sev, ":rotating_light:")
    head = f"{icon} {a.severity or 'alert'} · {a.service or 'unknown service'} · {a.alertname}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "emoji": True, "text": redact(head)[:MAX_HEADER]}}
    ]
    if d.summary:
        blocks.append(section("*Summary*\n" + "\n".join(f"• {esc(c.text)}{_cites(c.cites)}" for c in d.summary)))
    blocks.append(
        section(
            f"*Root cause* ({rc.confidence} confidence): *{esc(rc.service)}*, "
            f"{rc.category.replace('_', ' ')}\n{esc(rc.statement)}{_cites(rc.cites)}"
            + (f"\n`{esc(line)}`" if (line := sparkline_of(inv)) else "")
        )
    )
    if d.actions:
        lines = []
        for i, act in enumerate(d.actions, 1):
            lines.append(f"{i}. *{act.kind}* {esc(act.target)}: {esc(act.description)}{_cites(act.cites)}")
            if act.command:
                lines.append(code(act.command))
        blocks.append(section("*Actions, safest first*\n" + "\n".join(lines)))
    for q in d.runbook[:2]:
        quoted = "\n".join(f"> {esc(x)}" for x in q.quote.splitlines())
        blocks.append(section(f"*Runbook* — {esc(q.page)} › {esc(q.section)}{_cites(q.cites)}\n{quoted}"))
    if d.similar_incidents:
        blocks.append(
            section(
                "*Similar past incidents*\n"
                + "\n".join(f"• {esc(s.id)}: {esc(s.resolution)}{_cites(s.cites)}" for s in d.similar_incidents)
            )
        )
    if d.pr:
        link = f"<{esc(d.pr.url)}|{esc(d.pr.title or d.pr.branch).replace('|', '/')}>"  # from open_pr's own result
        blocks.append(section(f"*Draft PR*: {link} (branch `{esc(d.pr.branch)}`)"))
    if d.missing_evidence:
        blocks.append(section("*Missing evidence*\n" + "\n".join(f"• {esc(m)}" for m in d.missing_evidence)))
    if d.warnings:
        blocks.append(section("*Warnings*\n" + "\n".join(f"• {esc(w.text)}{_cites(w.cites)}" for w in d.warnings)))
    if with_feedback:
        buttons = [
            _button("Root cause right", "feedback_right", inv.id, "primary"),
            _button("Root cause wrong", "feedback_wrong", inv.id, "danger"),
        ]
        if d.pr is None and any(x.kind in ("rollback", "config_change") for x in d.actions):
            buttons.append(_button("Open PR", "open_pr", inv.id))
        blocks.append({"type": "actions", "block_id": f"feedback:{inv.id}", "elements": buttons})
    from oncall.delivery.brief import footer

    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _fit(esc(footer(inv)), 2000)}]})
    return limit_blocks(blocks)


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        b["style"] = style
    return b


def evidence_blocks(inv: Investigation) -> list[dict[str, Any]]:
    """The thread reply: every evidence line and the source list."""
    d = inv.diagnosis
    blocks = [section("*Evidence*")]
    for e in d.evidence:
        quote = f"\n> {esc(e.quote)}" if e.quote else ""
        blocks.append(section(f"• {esc(e.text)}{_cites(e.cites)}{quote}"))
    if d.against:
        blocks.append(section("*Evidence against*"))
        for e in d.against:
            quote = f"\n> {esc(e.quote)}" if e.quote else ""
            blocks.append(section(f"• {esc(e.text)}{_cites(e.cites)}{quote}"))
    blocks.append(
        section(
            "*Sources*\n"
            + "\n".join(
                f"`{r.id}` {esc(r.label())}" + ("" if r.ok else f" — failed: {esc(r.error)}") for r in inv.results
            )
        )
    )
    return limit_blocks(blocks)


def limit_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    keep = blocks[: MAX_BLOCKS - 1]
    keep.append(
        section(
            f"… {len(blocks) - MAX_BLOCKS + 1} more blocks left out (Slack shows at most "
            f"{MAX_BLOCKS}); the full brief is in the audit log"
        )
    )
    return keep


def fallback_text(inv: Investigation) -> str:
    rc = inv.diagnosis.root_cause
    return esc(f"{inv.alert.alertname} on {inv.alert.service or '?'}: {rc.service} {rc.category} ({rc.confidence})")
