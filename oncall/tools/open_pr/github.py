"""GitHub PR backend (PyGithub): commits only to the configured fork, on a new branch
named after the investigation, and opens a draft PR against the upstream default
branch with a cross-fork head (`owner:branch`). Never merges, never pushes to
upstream, never force-pushes. Token and URL come from the entry point."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.open_pr import PICTURES_BRANCH, OpenedPr, Picture, PrPlan
from oncall.tools.remote import RemoteSettings, secret


@dataclass
class GithubForks:
    upstream: str  # owner/name the PR targets
    fork: str  # owner/name the copilot may write to
    token: str
    token_env: str = "GITHUB_TOKEN"  # named in errors, so the engineer knows what to check
    base_url: str = "https://api.github.com"
    timeout_s: int = 15
    labels: tuple[str, ...] = ("oncall-copilot",)
    _client: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.fork.lower() == self.upstream.lower():
            raise ToolError("the fork and the upstream repository are the same: refusing to write upstream")

    def _gh(self) -> Any:
        if self._client is None:
            from github import Auth, Github

            self._client = Github(
                auth=Auth.Token(self.token),
                base_url=self.base_url,
                timeout=self.timeout_s,
                retry=None,
                seconds_between_requests=None,
                seconds_between_writes=None,
            )
        return self._client

    def _call(self, what: str, fn: Any, tolerate: frozenset[int] = frozenset()) -> Any:
        """Run one API call; turn GitHub's errors into a sentence saying what to check."""
        from github import BadCredentialsException, GithubException, RateLimitExceededException, UnknownObjectException

        try:
            return fn()
        except BadCredentialsException:
            raise ToolError(f"GitHub rejected the token while trying to {what} (401): check {self.token_env}") from None
        except RateLimitExceededException as e:
            reset = (e.headers or {}).get("x-ratelimit-reset", "?")
            raise ToolError(
                f"GitHub rate limit reached while trying to {what} (403); resets at epoch {reset}"
            ) from None
        except UnknownObjectException:
            raise ToolError(
                f"GitHub answered 404 while trying to {what}: check the repository names and that "
                f"{self.token_env} can see them"
            ) from None
        except GithubException as e:
            if e.status in tolerate:
                return None
            message = (e.data or {}).get("message", "") if isinstance(e.data, dict) else str(e.data)
            raise ToolError(f"GitHub answered {e.status} while trying to {what}: {message}") from None

    def read_file(self, repo: str, path: str) -> str:
        if repo != self.upstream:
            raise ToolError(f"this backend opens PRs against {self.upstream}, not {repo}")
        up = self._call("read the upstream repository", lambda: self._gh().get_repo(self.upstream))
        content = self._call(f"read {path}", lambda: up.get_contents(path, ref=up.default_branch))
        return content.decoded_content.decode("utf-8")

    def open(self, plan: PrPlan, branch: str, body: str, picture: Picture | None = None) -> OpenedPr:
        gh = self._gh()
        up = self._call("read the upstream repository", lambda: gh.get_repo(self.upstream))
        fork = self._call("read the fork", lambda: gh.get_repo(self.fork))
        head = f"{fork.owner.login}:{branch}"
        existing = self._call("list pull requests", lambda: list(up.get_pulls(state="open", head=head)))
        if existing:  # the same investigation never opens a second PR
            pr = existing[0]
            return OpenedPr(url=pr.html_url, branch=branch, title=pr.title, existing=True)
        base_sha = self._call("read the default branch", lambda: up.get_branch(up.default_branch).commit.sha)
        # 422: the branch exists from an earlier, interrupted run of this investigation; reuse it
        self._call(
            "create the branch on the fork",
            lambda: fork.create_git_ref(f"refs/heads/{branch}", base_sha),
            tolerate=frozenset({422}),
        )
        current = self._call(f"read {plan.path} on the fork", lambda: fork.get_contents(plan.path, ref=branch))
        self._call(
            "commit to the fork",
            lambda: fork.update_file(plan.path, plan.title, plan.after, current.sha, branch=branch),
        )
        if picture is not None:
            body = picture.markdown(self._store_picture(fork, base_sha, branch, picture)) + body
        pr = self._call(
            "open the draft pull request",
            lambda: up.create_pull(base=up.default_branch, head=head, title=plan.title, body=body, draft=True),
        )
        self._call("label the pull request", lambda: pr.add_to_labels(*self.labels))
        return OpenedPr(url=pr.html_url, branch=branch, title=plan.title, labels=list(self.labels))

    def _store_picture(self, fork: Any, base_sha: str, branch: str, picture: Picture) -> str:
        """Commit the PNG to the fork's pictures branch (made once, from the base) and return the URL the
        body shows it by. 422: the branch, or this investigation's picture, is there already."""
        self._call(
            "create the pictures branch on the fork",
            lambda: fork.create_git_ref(f"refs/heads/{PICTURES_BRANCH}", base_sha),
            tolerate=frozenset({422}),
        )
        path = f"pictures/{branch.replace('/', '_')}.png"
        self._call(
            "commit the picture to the fork",
            lambda: fork.create_file(path, f"Key signal for {branch}", picture.png, branch=PICTURES_BRANCH),
            tolerate=frozenset({422}),
        )
        return f"{fork.html_url}/blob/{PICTURES_BRANCH}/{path}?raw=true"

    def check(self) -> str:
        gh = self._gh()
        up = self._call("read the upstream repository", lambda: gh.get_repo(self.upstream))
        fork = self._call("read the fork", lambda: gh.get_repo(self.fork))
        return f"upstream {up.full_name} readable; fork {fork.full_name} readable"


# -- configuration (a section of the --config file) -----------------------------------------


class GithubPrConfig(RemoteSettings):
    backend: Literal["github"]
    url: str = "https://api.github.com"
    upstream: str  # the config repository the draft PR targets, owner/name
    fork: str  # the fork the copilot pushes its branch to (its only write)
    token_env: str  # variable holding a token that can push to the fork only
    label: str = "oncall-copilot"  # label put on the draft PR
    max_changed_lines: int = Field(20, ge=1, le=200)  # a fix larger than this is refused

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from oncall.tools.open_pr import PrPolicy, PrRequests

        forks = GithubForks(
            upstream=self.upstream,
            fork=self.fork,
            token=secret(env, self.token_env, "pull_requests.token_env") or "",
            token_env=self.token_env,
            base_url=self.url.rstrip("/"),
            timeout_s=int(self.timeout_s),
            labels=(self.label,),
        )
        return PrRequests(
            policy=PrPolicy(allowed_repos={self.upstream}, max_changed_lines=self.max_changed_lines), backend=forks
        )
