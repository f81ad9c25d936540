"""Confluence backend (atlassian-python-api): one CQL search finds pages by label
(the service's runbook tags), alert name and text, with their storage-format bodies
and labels expanded; each page is split into sections at its headings and quoted
as the page says it, never rewritten. Pages rank as the embedded backend ranks
files: written for this alert, then tagged for this service, then containing the text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from oncall.core.catalog import Catalog
from oncall.core.errors import ToolError
from oncall.tools.read_runbook import RunbookPage, Section
from oncall.tools.remote import Failure, Remote, RemoteSettings, network_failure, retry_after_seconds, secret

HEADINGS = ("h1", "h2", "h3")


class ConfluenceRunbooks:
    def __init__(
        self,
        remote: Remote,
        username: str | None,
        token: str,
        space: str | None = None,
        cloud: bool | None = None,
        verify_tls: bool = True,
        max_results: int = 10,
    ):
        self.remote = remote
        self.username = username
        self.token = token
        self.space = space
        self.cloud = cloud
        self.verify_tls = verify_tls
        self.max_results = max_results
        self._api: Any = None

    def _client(self) -> Any:
        if self._api is None:
            from atlassian import Confluence

            auth: dict[str, Any] = (
                {"username": self.username, "password": self.token} if self.username else {"token": self.token}
            )
            self._api = Confluence(
                url=self.remote.url,
                cloud=self.cloud,
                timeout=self.remote.timeout_s,
                verify_ssl=self.verify_tls,
                backoff_and_retry=False,  # tenacity retries, with one policy for every backend
                retry_with_header=False,
                **auth,
            )
        return self._api

    def cql(self, tags: list[str], alertname: str | None, query: str | None) -> str:
        wanted = []
        if tags:
            wanted.append("label in (" + ", ".join(_quote(t) for t in tags) + ")")
        for text in (alertname, query):
            if text:
                wanted.append(f"title ~ {_quote(text)} OR text ~ {_quote(text)}")
        scope = ["type = page"] + ([f"space = {_quote(self.space)}"] if self.space else [])
        return " AND ".join(scope) + " AND (" + " OR ".join(wanted) + ")"

    def find(self, tags: list[str], alertname: str | None, query: str | None) -> list[RunbookPage]:
        cql = self.cql(tags, alertname, query)
        answer = self.remote.call(
            "search runbooks with CQL",
            lambda: self._client().get(
                "rest/api/search",
                params={
                    "cql": cql,
                    "limit": self.max_results,
                    "expand": "content.body.storage,content.metadata.labels",
                },
            ),
            _classify,
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
            raise ToolError(f"Confluence at {self.remote.url} did not answer the search with a result list")
        base = str((answer.get("_links") or {}).get("base") or self.remote.url).rstrip("/")
        pages = []
        for r in answer["results"]:
            content = r.get("content") or r
            storage = ((content.get("body") or {}).get("storage") or {}).get("value")
            if storage is None:
                continue
            found = ((content.get("metadata") or {}).get("labels") or {}).get("results", [])
            labels = [lb.get("name", "") for lb in found]
            title = str(content.get("title") or r.get("title") or "untitled")
            link = (content.get("_links") or {}).get("webui") or r.get("url") or ""
            page = RunbookPage(
                title=title,
                source=f"{base}{link}",
                services=labels,
                alerts=[alertname] if alertname and alertname.lower() in (title + storage).lower() else [],
                sections=sections(storage),
            )
            page.score = (
                (4 if page.alerts else 0)
                + (2 if set(tags) & set(labels) else 0)
                + (1 if query and query.lower() in storage.lower() else 0)
            )
            if page.score:
                pages.append(page)
        return sorted(pages, key=lambda p: -p.score)

    def check(self) -> str:
        answer = self.remote.call(
            "list spaces",
            lambda: self._client().get(
                "rest/api/space", params={"limit": 1, **({"spaceKey": self.space} if self.space else {})}
            ),
            _classify,
        )
        if not isinstance(answer, dict) or "results" not in answer:
            raise ToolError(f"Confluence at {self.remote.url} did not answer with a space list")
        if self.space and not answer["results"]:
            raise ToolError(f"Confluence has no space {self.space!r} visible to these credentials")
        return f"space {self.space} readable" if self.space else "spaces readable"


def sections(storage: str) -> list[Section]:
    """Split a storage-format (XHTML) page at its headings; each block's text as written:
    paragraphs as lines, list items as '- ', table rows joined by ' | ', code verbatim."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(f"<root>{storage}</root>", "html.parser")
    out: list[Section] = []
    heading, body = "", list[str]()
    for el in soup.root.children if soup.root else []:
        name = getattr(el, "name", None)
        if name in HEADINGS:
            if heading or body:
                out.append(Section(heading=heading or "Overview", body="\n".join(body)))
            heading, body = el.get_text(" ", strip=True), []
        elif name is None:
            text = str(el).strip()
            if text:
                body.append(text)
        else:
            body.extend(_block(el))
    if heading or body:
        out.append(Section(heading=heading or "Overview", body="\n".join(body)))
    return out


def _block(el: Any) -> list[str]:
    name = el.name
    if name in ("ul", "ol"):
        return [f"- {li.get_text(' ', strip=True)}" for li in el.find_all("li", recursive=False)]
    if name == "table":
        return [" | ".join(c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])) for tr in el.find_all("tr")]
    if name == "ac:structured-macro" or name == "pre":
        code = el.find("ac:plain-text-body") if name != "pre" else el
        text = code.get_text() if code is not None else el.get_text("\n")
        return text.strip("\n").splitlines()
    text = el.get_text(" ", strip=True)
    return [text] if text else []


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _classify(e: Exception) -> Failure | None:
    from requests import HTTPError

    if isinstance(e, HTTPError) and e.response is not None:
        return Failure(e.response.status_code, str(e), retry_after_seconds(e.response.headers.get("Retry-After")))
    return network_failure(e)


# -- configuration (a section of the --config file) -----------------------------------------


class ConfluenceConfig(RemoteSettings):
    backend: Literal["confluence"]
    space: str | None = None  # only pages of this space key
    username_env: str | None = None  # with token_env: basic auth (Cloud); without: a personal access token
    token_env: str  # variable holding the API token
    cloud: bool | None = None  # default: decided from the URL

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        return ConfluenceRunbooks(
            self.remote("Confluence", self.token_env),
            username=secret(env, self.username_env, "runbooks.username_env"),
            token=secret(env, self.token_env, "runbooks.token_env") or "",
            space=self.space,
            cloud=self.cloud,
            verify_tls=self.verify_tls,
        )
