"""Every environment variable the copilot reads, read once by an entry point (the CLI, a
worker process, a Lambda cold start) and passed down; nothing below an entry point reads
the environment. `secrets` is the whole environment, for the variables a configuration
file names (`token_env: VARIABLE`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Every variable the entry points read, with what it does (docs/configuration.md lists them from here).
VARIABLES = {
    "ANTHROPIC_API_KEY": "the Claude loop runs when set; without it, the offline analyst (the SDK reads it itself)",
    "ONCALL_CONFIG": "the backends configuration file (as --config)",
    "ONCALL_MODEL": "offline or claude (the Lambda)",
    "ONCALL_BUNDLE": "the incident bundle whose embedded backends to use (the Lambda)",
    "ONCALL_STATE": "the folder of the queue, audit log and feedback (as --state)",
    "ONCALL_WEBHOOK_TOKEN": "the bearer token Alertmanager must send to serve",
    "ONCALL_MCP_TOKEN": "the bearer token clients of `oncall mcp --http` must send",
    "ONCALL_QUEUE_URL": "postgresql://...: serve replicas share this queue (default: SQLite in the state folder)",
    "ONCALL_SLACK_CHANNELS": "comma-separated channel IDs the Slack app answers in (the allow-list)",
    "SLACK_BOT_TOKEN": "the Slack app's bot token (xoxb-...)",
    "SLACK_SIGNING_SECRET": "the Slack app's signing secret: every Slack request is verified with it",
    "SLACK_CHANNEL": "the channel alert-triggered briefs are posted to",
    "SLACK_API_URL": "another Slack Web API base URL (tests, proxies)",
    "SLACK_TEAM_ID": "the workspace the app answers (others are refused)",
    "ONCALL_SECRETS_ARN": "Lambda: a Secrets Manager secret, a JSON object of these variables, read at cold start",
    "ONCALL_CONFIG_S3": "Lambda: s3://bucket/prefix/ holding oncall.yaml and its catalog, copied at cold start",
    "IDEMPOTENCY_TABLE": "the Lambda's DynamoDB table for idempotency and threads",
    "XDG_STATE_HOME": "where the state folder defaults to (~/.local/state)",
    "XDG_CACHE_HOME": "where derived indexes are kept (~/.cache)",
}


@dataclass(frozen=True)
class Environment:
    anthropic_api_key: str | None = None  # the SDK reads it (and ANTHROPIC_BASE_URL) itself; here it picks the model
    config: Path | None = None  # ONCALL_CONFIG
    model: str | None = None  # ONCALL_MODEL (Lambda)
    bundle: Path | None = None  # ONCALL_BUNDLE (Lambda)
    state: Path | None = None  # ONCALL_STATE
    webhook_token: str | None = None  # ONCALL_WEBHOOK_TOKEN
    mcp_token: str | None = field(default=None, repr=False)  # ONCALL_MCP_TOKEN
    queue_url: str | None = field(default=None, repr=False)  # ONCALL_QUEUE_URL: postgresql://... for replicas
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_channel: str | None = None  # where alert-triggered briefs go
    slack_api_url: str | None = None
    slack_team_id: str | None = None
    slack_channels: frozenset[str] | None = None  # ONCALL_SLACK_CHANNELS: the allow-list
    idempotency_table: str | None = None  # Lambda: DynamoDB table for idempotency and threads
    state_home: Path = field(default_factory=lambda: Path.home() / ".local" / "state")
    cache_home: Path = field(default_factory=lambda: Path.home() / ".cache")
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Environment:
        env = dict(os.environ if environ is None else environ)

        def path(name: str) -> Path | None:
            return Path(env[name]) if env.get(name) else None

        channels = env.get("ONCALL_SLACK_CHANNELS")
        return cls(
            anthropic_api_key=env.get("ANTHROPIC_API_KEY") or None,
            config=path("ONCALL_CONFIG"),
            model=env.get("ONCALL_MODEL") or None,
            bundle=path("ONCALL_BUNDLE"),
            state=path("ONCALL_STATE"),
            webhook_token=env.get("ONCALL_WEBHOOK_TOKEN") or None,
            queue_url=env.get("ONCALL_QUEUE_URL") or None,
            mcp_token=env.get("ONCALL_MCP_TOKEN") or None,
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            slack_channel=env.get("SLACK_CHANNEL") or None,
            slack_api_url=env.get("SLACK_API_URL") or None,
            slack_team_id=env.get("SLACK_TEAM_ID") or None,
            slack_channels=frozenset(c.strip() for c in channels.split(",") if c.strip()) if channels else None,
            idempotency_table=env.get("IDEMPOTENCY_TABLE") or None,
            state_home=path("XDG_STATE_HOME") or Path.home() / ".local" / "state",
            cache_home=path("XDG_CACHE_HOME") or Path.home() / ".cache",
            secrets=env,
        )

    def cache_dir(self) -> Path:
        """What can be derived again (the metrics index): XDG's cache home."""
        return self.cache_home / "oncall-copilot"

    def state_dir(self, given: Path | None = None) -> Path:
        """Where the queue, audit log and feedback live: --state, else ONCALL_STATE, else XDG's state home."""
        return given or self.state or self.state_home / "oncall-copilot"
