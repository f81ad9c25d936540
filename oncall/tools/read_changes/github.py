"""GitHub backend (PyGithub) on the config repository: every commit that touched a
service's config paths in the range, with that file's patch, and every deployment
in the range (the service from its payload), with the diff since the deployment
before it. A deployment of a commit already listed is not listed twice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from oncall.core.catalog import Catalog
from oncall.core.diffs import describe
from oncall.tools import github_api
from oncall.tools.read_changes import Change
from oncall.tools.remote import Remote, RemoteSettings, secret


class GithubChanges:
    skipped = 0  # every event the server returns is read

    def __init__(
        self,
        remote: Remote,  # url: the API base, https://api.github.com or https://HOST/api/v3
        token: str,
        repo: str,
        config_paths: dict[str, list[str]],  # service -> files, from the catalog
        environment: str | None = None,
        max_deployments: int = 50,
    ):
        self.remote = remote
        self.token = token
        self.repo = repo
        self.config_paths = config_paths
        self.environment = environment
        self.max_deployments = max_deployments
        self._gh: Any = None

    def _repo(self) -> Any:
        if self._gh is None:
            self._gh = github_api.client(self.remote, self.token)
        return self.remote.call(f"read {self.repo}", lambda: self._gh.get_repo(self.repo), github_api.classify)

    def changes(self, services: list[str] | None, since: datetime, until: datetime) -> list[Change]:
        repo = self._repo()
        out: list[Change] = []
        seen: set[str] = set()
        for service, paths in self.config_paths.items():
            if services and service not in services:
                continue
            for path in paths:
                commits = self.remote.call(
                    f"list commits to {path}",
                    partial(lambda p: list(repo.get_commits(since=since, until=until, path=p)), path),
                    github_api.classify,
                )
                for c in commits:
                    patch = self.remote.call(
                        f"read commit {c.sha[:7]}",
                        partial(_patch_of, c, path),
                        github_api.classify,
                    )
                    diff = f"--- a/{path}\n+++ b/{path}\n{patch}" if patch else None
                    kind, old, new = describe(diff or "")
                    seen.add(c.sha)
                    out.append(
                        Change(
                            ts=_utc(c.commit.author.date),
                            service=service,
                            kind=kind,
                            author=(c.author.login if c.author else c.commit.author.name),
                            ref=c.sha[:7],
                            diff=diff,
                            **{"from": old, "to": new},
                        )
                    )
        out.extend(self._deployments(repo, services, since, until, seen))
        return out

    def _deployments(
        self, repo: Any, services: list[str] | None, since: datetime, until: datetime, seen: set[str]
    ) -> list[Change]:
        def newest_first() -> list[Any]:
            """Deployments from the newest back past `since`, until every service deployed in the range
            also has its previous deployment (the "from" of its first one), or max_deployments."""
            found: list[Any] = []
            waiting: set[str] = set()  # services deployed in the range whose previous deployment is not seen yet
            for d in repo.get_deployments(environment=self.environment or "NotSet"):
                found.append(d)
                service = _service(d)
                at = _utc(d.created_at)
                if at >= since and service:
                    waiting.add(service)
                elif at < since:
                    waiting.discard(service or "")
                    if not waiting:
                        break
                if len(found) >= self.max_deployments:
                    break
            return found

        deployments = self.remote.call("list deployments", newest_first, github_api.classify)
        out = []
        for i, d in enumerate(deployments):
            at = _utc(d.created_at)
            service = _service(d)
            if not since <= at <= until or d.sha in seen or not service or (services and service not in services):
                continue
            before = next((o for o in deployments[i + 1 :] if _service(o) == service), None)  # its previous deploy
            diff = None
            if before is not None:
                files = self.remote.call(
                    f"compare {before.sha[:7]}...{d.sha[:7]}",
                    partial(lambda b, d: list(repo.compare(b.sha, d.sha).files), before, d),
                    github_api.classify,
                )
                mine = set(self.config_paths.get(service, [])) or {f.filename for f in files}
                shown = [f for f in files if f.filename in mine and f.patch]  # binary files have no patch
                parts = [f"--- a/{f.filename}\n+++ b/{f.filename}\n{f.patch}" for f in shown]
                diff = "\n".join(parts) or None
            kind, old, new = describe(diff or "")
            if kind != "deploy":  # no image tag in the diff: name the refs deployed
                old, new = before.ref if before else None, d.ref
            out.append(
                Change(
                    ts=at,
                    service=service,
                    kind="deploy",
                    author=d.creator.login if d.creator else None,
                    ref=d.sha[:7],
                    diff=diff,
                    **{"from": old, "to": new},
                )
            )
        return out

    def check(self) -> str:
        repo = self._repo()
        return f"{repo.full_name} readable"


def _service(deployment: Any) -> str | None:
    payload = deployment.payload
    return payload.get("service") if isinstance(payload, dict) else None


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


# -- configuration (a section of the --config file) -----------------------------------------


class GithubChangesConfig(RemoteSettings):
    backend: Literal["github"]
    url: str = "https://api.github.com"
    repo: str  # the config repository, owner/name
    token_env: str  # variable holding a read-only token
    environment: str | None = None  # deployments of this environment

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        ours = {n: s for n, s in catalog.services.items() if s.repo in (None, self.repo)}
        paths = {n: s.config_paths for n, s in ours.items() if s.config_paths}
        return GithubChanges(
            self.remote("GitHub", self.token_env),
            token=secret(env, self.token_env, "changes.token_env") or "",
            repo=self.repo,
            config_paths=paths,
            environment=self.environment,
        )


def _patch_of(commit: Any, path: str) -> str | None:
    return next((f.patch for f in commit.files if f.filename == path), None)
