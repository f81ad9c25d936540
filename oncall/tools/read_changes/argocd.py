"""ArgoCD backend (REST, requests): an application's sync history is its deploy log.
Each history entry in the time range becomes a change; its diff is the difference
between the manifests ArgoCD rendered for the previous revision and for this one,
so a values change that the Git log hides in a chart bump still shows."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import yaml

from oncall.core.catalog import Catalog
from oncall.core.diffs import describe, unified
from oncall.core.errors import ToolError
from oncall.tools.read_changes import Change
from oncall.tools.remote import HttpJson, Remote, RemoteSettings, secret


class ArgoCDChanges:
    skipped = 0  # every event the server returns is read

    def __init__(
        self, remote: Remote, token: str, app: str = "{service}", project: str | None = None, verify_tls: bool = True
    ):
        self.remote = remote
        self.token = token
        self.app = app  # application name template
        self.project = project
        self.http = HttpJson(remote, {"Authorization": f"Bearer {token}"}, verify_tls)
        self._manifests: dict[tuple[str, str], str] = {}

    def _get(self, path: str, what: str, params: dict[str, str] | None = None) -> Any:
        return self.http.get(path, what, params)

    def _service(self, app_name: str) -> str | None:
        pattern = "^" + re.escape(self.app).replace(re.escape("{service}"), "(.+)") + "$"
        m = re.match(pattern, app_name)
        return m.group(1) if m else None

    def changes(self, services: list[str] | None, since: datetime, until: datetime) -> list[Change]:
        params = {"projects": self.project} if self.project else None
        listing = self._get("/api/v1/applications", "list applications", params)
        items = (listing or {}).get("items") if isinstance(listing, dict) else None
        if not isinstance(items, list):
            raise ToolError(f"ArgoCD at {self.remote.url} answered the application list without items")
        out = []
        for app in items:
            name = (app.get("metadata") or {}).get("name", "")
            service = self._service(name)
            if service is None or (services and service not in services):
                continue
            history = sorted((app.get("status") or {}).get("history") or [], key=lambda h: h.get("id", 0))
            for prev, h in zip([None, *history], history, strict=False):
                at = _time(h.get("deployedAt"))
                if at is None or not since <= at <= until:
                    continue
                out.append(self._change(name, service, prev, h, at))
        return out

    def _change(self, app: str, service: str, prev: dict | None, h: dict, at: datetime) -> Change:
        revision = str(h.get("revision") or "")
        diff = None
        if prev and prev.get("revision"):
            before = self._rendered(app, str(prev["revision"]))
            after = self._rendered(app, revision)
            diff = unified(before, after, f"{app} (rendered manifests)") or None
        kind, old, new = describe(diff or "")
        started_by = h.get("initiatedBy") or {}
        author = started_by.get("username") or ("automated sync" if started_by.get("automated") else None)
        if kind == "config" and old is None and new is None:
            old, new = (_short(str(prev.get("revision"))) if prev else None), _short(revision)
            kind = "deploy"
        fields = {"from": old, "to": new}
        return Change(ts=at, service=service, kind=kind, author=author, ref=_short(revision), diff=diff, **fields)

    def _rendered(self, app: str, revision: str) -> str:
        key = (app, revision)
        if key not in self._manifests:
            answer = self._get(
                f"/api/v1/applications/{app}/manifests", f"render {app} at {revision[:12]}", {"revision": revision}
            )
            docs = [json.loads(m) if isinstance(m, str) else m for m in (answer or {}).get("manifests") or []]
            docs.sort(key=lambda d: (d.get("kind", ""), (d.get("metadata") or {}).get("name", "")))
            self._manifests[key] = "\n---\n".join(yaml.safe_dump(d, sort_keys=False) for d in docs)
        return self._manifests[key]

    def check(self) -> str:
        info = self._get("/api/version", "read the server version")
        params = {"projects": self.project} if self.project else None
        apps = self._get("/api/v1/applications", "list applications", params)
        n = len((apps or {}).get("items") or [])
        return f"version {(info or {}).get('Version', '?')}; {n} applications visible"


def _short(revision: str | None) -> str | None:
    return revision[:7] if revision and re.fullmatch(r"[0-9a-f]{40}", revision) else revision


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


# -- configuration (a section of the --config file) -----------------------------------------


class ArgoCDConfig(RemoteSettings):
    backend: Literal["argocd"]
    token_env: str  # variable holding an ArgoCD API token (read-only role)
    app: str = "{service}"  # application name for a service
    project: str | None = None  # only applications of this project

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        return ArgoCDChanges(
            self.remote("ArgoCD", self.token_env),
            token=secret(env, self.token_env, "changes.token_env") or "",
            app=self.app,
            project=self.project,
            verify_tls=self.verify_tls,
        )
