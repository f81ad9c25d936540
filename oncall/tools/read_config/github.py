"""GitHub config backend (PyGithub): a file's content at the head of the repository's default
branch, through the contents API. Read-only; the token needs read access to the repository."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.remote import RemoteSettings, secret


@dataclass
class GithubFiles:
    token: str
    token_env: str = "GITHUB_TOKEN"
    base_url: str = "https://api.github.com"
    timeout_s: int = 15
    repos: tuple[str, ...] = ()  # the config repositories the catalog names (what `check` reads)
    _client: Any = field(default=None, repr=False)

    def _gh(self) -> Any:
        from github import Auth, Github

        if self._client is None:
            self._client = Github(auth=Auth.Token(self.token), base_url=self.base_url, timeout=self.timeout_s)
        return self._client

    def read_file(self, repo: str, path: str) -> str:
        from github import BadCredentialsException, GithubException, UnknownObjectException

        try:
            content = self._gh().get_repo(repo).get_contents(path)
        except BadCredentialsException:
            raise ToolError(f"GitHub rejected the token reading {repo} (401): check {self.token_env}") from None
        except UnknownObjectException:
            raise ToolError(f"{path} does not exist in {repo}, or {self.token_env} cannot see it") from None
        except GithubException as e:
            raise ToolError(f"GitHub answered {e.status} reading {path} in {repo}") from None
        if isinstance(content, list):  # a folder
            raise ToolError(f"{path} is a folder in {repo}, not a file")
        return str(content.decoded_content.decode("utf-8", errors="replace"))

    def check(self) -> str:
        from github import GithubException

        try:
            names = [self._gh().get_repo(r).full_name for r in self.repos]
        except GithubException as e:
            raise ToolError(f"GitHub answered {e.status} reading the catalog's config repositories") from None
        return f"{', '.join(names) or 'no repository named by the catalog'} readable"


class GithubConfigFilesConfig(RemoteSettings):
    backend: Literal["github"]
    url: str = "https://api.github.com"
    token_env: str  # a token that can read the config repositories the catalog names

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        return GithubFiles(
            token=secret(env, self.token_env, "config.token_env") or "",
            token_env=self.token_env,
            base_url=self.url.rstrip("/"),
            timeout_s=int(self.timeout_s),
            repos=tuple(sorted({s.repo for s in catalog.services.values() if s.repo})),
        )
