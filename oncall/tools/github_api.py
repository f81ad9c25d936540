"""GitHub reads through PyGithub under one calling policy (`Remote`): the client, built with its own
retries off (tenacity retries, with one policy for every backend), and how its errors are classified.
The read backends (read_changes, read_config) use it; open_pr's writes keep their own, unretried calls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from oncall.tools.remote import Failure, Remote, network_failure, retry_after_seconds


def client(remote: Remote, token: str) -> Any:
    from github import Auth, Github

    return Github(auth=Auth.Token(token), base_url=remote.url.rstrip("/"), timeout=int(remote.timeout_s), retry=None)


def classify(e: Exception) -> Failure | None:
    from github import GithubException

    if isinstance(e, GithubException):
        data = e.data if isinstance(e.data, dict) else {}
        headers = e.headers or {}
        status = e.status
        if status == 403 and headers.get("x-ratelimit-remaining") == "0":  # GitHub's rate limit is a 403
            reset = retry_after_seconds(headers.get("x-ratelimit-reset"))
            wait = max(0.0, reset - datetime.now(UTC).timestamp()) if reset else None
            return Failure(429, "rate limit exhausted", wait)
        return Failure(status, str(data.get("message") or e), retry_after_seconds(headers.get("retry-after")))
    return network_failure(e)
