"""GitHub config backend (PyGithub): a file's content at the head of the repository's default
branch, through the contents API, under the calling policy every backend shares (`Remote`: retries,
one-line errors naming what to check). Read-only; the token needs read access to the repositories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools import github_api
from oncall.tools.remote import Remote, RemoteSettings, secret


class GithubFiles:
    def __init__(self, remote: Remote, token: str, repos: tuple[str, ...] = ()):
        self.remote, self.token = remote, token
        self.repos = repos  # the config repositories the catalog names (what `check` reads)
        self._gh: Any = None

    def _repo(self, repo: str) -> Any:
        if self._gh is None:
            self._gh = github_api.client(self.remote, self.token)
        return self.remote.call(f"read {repo}", lambda: self._gh.get_repo(repo), github_api.classify)

    def read_file(self, repo: str, path: str) -> str:
        from github import UnknownObjectException

        def contents() -> Any:
            try:
                return self._repo(repo).get_contents(path)
            except UnknownObjectException:  # the answer, not a failure: say which file
                raise ToolError(f"{path} does not exist in {repo}, or {self.remote.secret_env} cannot see it") from None

        content = self.remote.call(f"read {path} in {repo}", contents, github_api.classify)
        if isinstance(content, list):  # a folder
            raise ToolError(f"{path} is a folder in {repo}, not a file")
        return str(content.decoded_content.decode("utf-8", errors="replace"))

    def check(self) -> str:
        names = [self._repo(r).full_name for r in self.repos]
        return f"{', '.join(names) or 'no repository named by the catalog'} readable"


class GithubConfigFilesConfig(RemoteSettings):
    backend: Literal["github"]
    url: str = "https://api.github.com"
    token_env: str  # a token that can read the config repositories the catalog names

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        return GithubFiles(
            self.remote("GitHub", self.token_env),
            token=secret(env, self.token_env, "config.token_env") or "",
            repos=tuple(sorted({s.repo for s in catalog.services.values() if s.repo})),
        )
