"""The one Slack channel: every brief that reaches Slack (from the webhook's workers, the
Slack app, or the Lambda) goes through `SlackChannel.deliver`, as Block Kit with the
evidence in a thread reply. The Web API client is slack_sdk's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oncall.core.redact import redact
from oncall.delivery.blocks import brief_blocks, evidence_blocks, fallback_text
from oncall.delivery.picture import key_signal, png

if TYPE_CHECKING:
    from oncall.core.investigation import Investigation
    from oncall.estate.env import Environment

SLACK_API = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    signing_secret: str = ""
    api_url: str | None = None  # SLACK_API_URL: the Web API base; Slack's own by default
    channel: str | None = None  # SLACK_CHANNEL: where alert-triggered briefs go
    allowed_channels: frozenset[str] | None = None  # None: any channel the app is in
    team_id: str | None = None  # the one workspace it serves

    @classmethod
    def from_env(cls, env: Environment) -> SlackSettings | None:
        if not env.slack_bot_token:
            return None
        return cls(
            bot_token=env.slack_bot_token,
            signing_secret=env.slack_signing_secret or "",
            api_url=env.slack_api_url,
            channel=env.slack_channel,
            allowed_channels=env.slack_channels,
            team_id=env.slack_team_id,
        )


def web_client(token: str, api_url: str | None = None) -> Any:
    from slack_sdk import WebClient

    return WebClient(token=token, base_url=api_url or SLACK_API)


class SlackChannel:
    """Posts briefs and short replies; `channel` is the default destination."""

    def __init__(self, client: Any, channel: str | None = None):
        self.client = client
        self.channel = channel

    @classmethod
    def connect(cls, settings: SlackSettings) -> SlackChannel:
        return cls(web_client(settings.bot_token, settings.api_url), settings.channel)

    def deliver(
        self,
        inv: Investigation,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
        replace_ts: str | None = None,
    ) -> dict[str, Any]:
        """The brief as Block Kit (a new message, or in place of `replace_ts`), then the evidence and
        sources as a reply in its thread. Returns where it went, for the audit log."""
        where = channel or self.channel
        if not where:
            raise ValueError("no Slack channel to deliver to")
        if replace_ts:
            self.client.chat_update(channel=where, ts=replace_ts, text=fallback_text(inv), blocks=brief_blocks(inv))
            ts, posted = replace_ts, where
        else:
            top = self.client.chat_postMessage(
                channel=where, thread_ts=thread_ts, text=fallback_text(inv), blocks=brief_blocks(inv)
            )
            ts, posted = top["ts"], top["channel"]
        reply = self.client.chat_postMessage(
            channel=where, thread_ts=thread_ts or ts, text="Evidence and sources", blocks=evidence_blocks(inv)
        )
        out = {"to": "slack", "channel": posted, "ts": ts, "evidence_ts": reply["ts"]}
        if (k := key_signal(inv)) and (image := png(k)):
            # the picture joins the thread; a failed upload costs the picture, never the brief
            try:
                self.client.files_upload_v2(
                    channel=posted,
                    thread_ts=thread_ts or ts,
                    content=image,
                    filename=f"{k.service}-{k.stat.signal}.png",
                    title=redact(f"{k.service} {k.stat.signal} around the alert"),
                )
                out["picture"] = f"{k.service}-{k.stat.signal}.png"
            except Exception as e:  # slack_sdk's SlackApiError, or the network
                out["picture_error"] = redact(f"{type(e).__name__}: {e}")[:200]
        return out

    def say(self, text: str, *, channel: str | None = None, thread_ts: str | None = None) -> str:
        """A short plain reply (progress, a refusal, a resolution); returns its ts."""
        r = self.client.chat_postMessage(channel=channel or self.channel, thread_ts=thread_ts, text=text)
        return str(r["ts"])

    def update(self, text: str, *, channel: str, ts: str) -> None:
        self.client.chat_update(channel=channel, ts=ts, text=text)
