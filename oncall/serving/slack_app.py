"""The Slack app (slack-bolt): `/investigate <text>`, the message shortcut "Investigate
this", and @-mentions start an investigation; feedback buttons record whether the
root cause was right. Bolt verifies every request's signature and acks within
Slack's 3 seconds; the investigation runs after the ack (lazy listeners) and
updates one progress message in place until it becomes the brief."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from oncall.core.alert import Alert
from oncall.core.diagnosis import Category
from oncall.core.errors import CopilotError
from oncall.delivery.feedback import FeedbackStore
from oncall.delivery.slack import SlackChannel, SlackSettings, web_client
from oncall.intake import subject
from oncall.intake.slack import from_message, message_text

CATEGORIES = list(Category.__args__)  # type: ignore[attr-defined]
STAGES = ("collecting logs, metrics, changes, history and runbooks", "analysing", "checking every citation")


def build_app(
    service: Any,
    settings: SlackSettings,
    feedback: FeedbackStore,
    moment: datetime | None,
    investigate_fn: Callable[..., Any],
    process_before_response: bool = False,
) -> Any:
    """`process_before_response` is for Lambda, where nothing may run after the response: Bolt's
    Lambda adapter then runs the lazy listeners in a second invocation of the function."""
    from slack_bolt import App

    client = web_client(settings.bot_token, settings.api_url)
    # no auth.test at start: `serve` must come up (and log) when Slack's API is unreachable
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=process_before_response,
        token_verification_enabled=False,
    )

    def refuse(team: str | None, channel: str | None) -> str | None:
        if settings.team_id and team and team != settings.team_id:
            return "Sorry, this copilot serves another workspace."
        if settings.allowed_channels is not None and channel not in settings.allowed_channels:
            return "Sorry, I only investigate in the on-call channels I was set up for."
        return None

    def run(client: Any, channel: str, thread_ts: str | None, text: str, user: str, team: str | None) -> None:
        slack = SlackChannel(client, channel)
        no = refuse(team, channel)
        if no:
            slack.say(no, thread_ts=thread_ts)
            return
        ts = slack.say(f"Investigating for <@{user}>: {STAGES[0]}…", thread_ts=thread_ts)

        def stage(i: int) -> None:
            slack.update(f"Investigating for <@{user}>: {STAGES[i]}…", channel=channel, ts=ts)

        try:
            alert = subject(from_message(text, now=moment), service.catalog)
            inv = investigate_fn(alert, on_stage=stage)
        except CopilotError as e:
            slack.update(f"I could not investigate that: {e}", channel=channel, ts=ts)
            return
        delivery = slack.deliver(inv, thread_ts=thread_ts, replace_ts=ts)
        service.audit.investigation(inv, deliveries=[{**delivery, "requested_by": user}])

    def ack_command(ack: Any) -> None:
        ack("On it: the brief will appear in this channel.")

    def command(body: dict[str, Any], client: Any) -> None:
        run(client, body["channel_id"], None, body.get("text") or "", body["user_id"], body.get("team_id"))

    def ack_only(ack: Any) -> None:
        ack()

    def shortcut(body: dict[str, Any], client: Any) -> None:
        msg = body.get("message") or {}
        run(
            client,
            body["channel"]["id"],
            msg.get("thread_ts") or msg.get("ts"),
            message_text(msg),
            body["user"]["id"],
            (body.get("team") or {}).get("id"),
        )

    def mention(body: dict[str, Any], client: Any) -> None:
        ev = body["event"]
        run(
            client,
            ev["channel"],
            ev.get("thread_ts") or ev["ts"],
            ev.get("text") or "",
            ev.get("user", "?"),
            body.get("team_id"),
        )

    app.command("/investigate")(ack=ack_command, lazy=[command])
    app.shortcut("investigate_this")(ack=ack_only, lazy=[shortcut])
    app.event("app_mention")(ack=ack_only, lazy=[mention])

    def diagnosed(inv_id: str) -> dict[str, Any] | None:
        recs = service.audit.find(inv_id)
        return recs[-1]["diagnosis"]["root_cause"] if recs else None

    def allowed(body: dict[str, Any], client: Any) -> bool:
        """Buttons answer to the same workspace and channel allow-list as commands."""
        channel = (body.get("channel") or {}).get("id")
        no = refuse(team_of(body), channel)
        if no and channel:
            client.chat_postMessage(channel=channel, text=no)
        return no is None

    def team_of(body: dict[str, Any]) -> str | None:
        return (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")

    def right(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        if not allowed(body, client):
            return
        inv_id = body["actions"][0]["value"]
        feedback.record(inv_id, body["user"]["id"], "right", diagnosed(inv_id))
        client.chat_postMessage(
            channel=body["channel"]["id"],
            thread_ts=body["message"]["ts"],
            text=f"<@{body['user']['id']}> confirmed the root cause. Recorded.",
        )

    def wrong(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        if not allowed(body, client):
            return
        inv_id = body["actions"][0]["value"]
        client.views_open(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "feedback_wrong_modal",
                "private_metadata": inv_id,
                "title": {"type": "plain_text", "text": "What was the cause?"},
                "submit": {"type": "plain_text", "text": "Record"},
                "blocks": [
                    {
                        "type": "input",
                        "block_id": "service",
                        "label": {"type": "plain_text", "text": "Service"},
                        "element": {"type": "plain_text_input", "action_id": "value"},
                    },
                    {
                        "type": "input",
                        "block_id": "category",
                        "label": {"type": "plain_text", "text": "Category"},
                        "element": {
                            "type": "static_select",
                            "action_id": "value",
                            "options": [{"text": {"type": "plain_text", "text": c}, "value": c} for c in CATEGORIES],
                        },
                    },
                    {
                        "type": "input",
                        "block_id": "note",
                        "optional": True,
                        "label": {"type": "plain_text", "text": "What happened"},
                        "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
                    },
                ],
            },
        )

    def wrong_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        team = team_of(body)
        if settings.team_id and team and team != settings.team_id:
            return
        values = view["state"]["values"]
        inv_id = view["private_metadata"]
        feedback.record(
            inv_id,
            body["user"]["id"],
            "wrong",
            diagnosed(inv_id),
            service=values["service"]["value"]["value"],
            category=values["category"]["value"]["selected_option"]["value"],
            note=(values.get("note") or {}).get("value", {}).get("value"),
        )

    def open_pr(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        if not allowed(body, client):
            return
        inv_id = body["actions"][0]["value"]
        recs = service.audit.find(inv_id)
        if not recs:
            return
        alert = Alert.model_validate(recs[-1]["alert"])
        inv = investigate_fn(alert, open_pr=True)
        text = (
            f"Draft PR: <{inv.diagnosis.pr.url}|{inv.diagnosis.pr.title}>"
            if inv.diagnosis.pr
            else "No pull request: "
            + ("; ".join(n for n in inv.notes if "pull request" in n) or "this estate has no fix to propose as a PR")
        )
        client.chat_postMessage(channel=body["channel"]["id"], thread_ts=body["message"]["ts"], text=text)

    app.action("feedback_right")(right)
    app.action("feedback_wrong")(wrong)
    app.view("feedback_wrong_modal")(wrong_submitted)
    app.action("open_pr")(open_pr)
    return app


class ReplayGuard:
    """Slack signs each request with a timestamp; Bolt accepts a valid signature for five minutes.
    This refuses, before Bolt, a request whose timestamp is not a number and an exact replay of a
    request already served in those five minutes (401 both)."""

    WINDOW_S = 300

    def __init__(self, signing_secret: str):
        from slack_sdk.signature import SignatureVerifier

        self.verifier = SignatureVerifier(signing_secret)
        self.seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def refuse(self, headers: Mapping[str, str], body: bytes) -> str | None:
        ts = headers.get("x-slack-request-timestamp", "")
        sig = headers.get("x-slack-signature", "")
        if not ts.isdigit():
            return "missing or malformed x-slack-request-timestamp"
        if not self.verifier.is_valid(body=body, timestamp=ts, signature=sig):
            return None  # Bolt answers 401 for a bad signature, and records nothing
        now = time.time()
        with self._lock:
            self.seen = {k: t for k, t in self.seen.items() if now - t < self.WINDOW_S}
            if sig in self.seen:
                return "replayed request"
            self.seen[sig] = now
        return None
