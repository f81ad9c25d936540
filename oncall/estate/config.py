"""The configuration file: which backend answers each tool, and how to reach it.

One YAML file (`--config` or ONCALL_CONFIG) has a section per tool; a tool without
a section keeps the incident bundle's embedded backend. Secrets never live in the
file: a section names the environment variables that hold them (`token_env`, ...),
read once by the entry point that builds the backends."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from oncall.core.catalog import Catalog
from oncall.core.errors import ConfigError
from oncall.tools import Backends
from oncall.tools.remote import Remote

SECRET_WORDS = ("password", "token", "secret", "api_key", "apikey")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    timeout_s: float = Field(10.0, gt=0, le=120)
    verify_tls: bool = True

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict):
            from urllib.parse import urlsplit

            if "@" in (urlsplit(str(data.get("url", ""))).netloc or ""):
                raise ValueError("url: credentials in the URL are not allowed; name environment variables instead")
            inline = [k for k in data if any(w in k.lower() for w in SECRET_WORDS) and not k.endswith("_env")]
            if inline:
                raise ValueError(
                    f"{', '.join(inline)}: secrets are not allowed in the file; name an environment variable "
                    f"instead ({inline[0]}_env: VARIABLE)"
                )
        return data

    def remote(self, system: str, secret_env: str | None) -> Remote:
        return Remote(system, self.url, secret_env, self.timeout_s, extra=getattr(self, "backend", None))


def secret(env: Mapping[str, str], name: str | None, where: str) -> str | None:
    if name is None:
        return None
    value = env.get(name)
    if not value:
        raise ConfigError(f"{where} names the environment variable {name}, which is not set")
    return value


class OpenSearchConfig(Section):
    backend: Literal["opensearch"]
    index: str = "logs-*"
    username_env: str | None = None
    password_env: str | None = None
    api_key_env: str | None = None  # sent as "Authorization: ApiKey ..."
    fields: dict[str, str] = {}  # timestamp, service, level, message, pod; ECS names by default
    sample_size: int = Field(2000, ge=100, le=10000)

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from oncall.tools.read_logs.opensearch import LogFields, OpenSearchLogs

        user = secret(env, self.username_env, "logs.username_env")
        password = secret(env, self.password_env, "logs.password_env")
        key = secret(env, self.api_key_env, "logs.api_key_env")
        try:
            fields = LogFields(**self.fields)
        except TypeError as e:
            raise ConfigError(f"logs.fields: {e}; known: timestamp, service, level, message, pod") from None
        return OpenSearchLogs(
            self.remote("OpenSearch", self.password_env or self.api_key_env),
            index=self.index,
            fields=fields,
            sample_size=self.sample_size,
            http_auth=(user or "", password) if password else None,
            headers={"Authorization": f"ApiKey {key}"} if key else None,
            verify_tls=self.verify_tls,
        )


class PrometheusConfig(Section):
    backend: Literal["prometheus"]
    bearer_token_env: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    signals: dict[str, str] = {}  # signal name -> PromQL with {service}; overrides the catalog's

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from oncall.tools.read_metrics.prometheus import PrometheusMetrics

        token = secret(env, self.bearer_token_env, "metrics.bearer_token_env")
        user = secret(env, self.username_env, "metrics.username_env")
        password = secret(env, self.password_env, "metrics.password_env")
        return PrometheusMetrics(
            self.remote("Prometheus", self.bearer_token_env or self.password_env),
            headers={"Authorization": f"Bearer {token}"} if token else None,
            auth=(user or "", password) if password else None,
            verify_tls=self.verify_tls,
        )


class ConfluenceConfig(Section):
    backend: Literal["confluence"]
    space: str | None = None
    username_env: str | None = None  # with token_env: basic auth (Cloud); without: a personal access token
    token_env: str
    cloud: bool | None = None  # default: decided from the URL

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from oncall.tools.read_runbook.confluence import ConfluenceRunbooks

        return ConfluenceRunbooks(
            self.remote("Confluence", self.token_env),
            username=secret(env, self.username_env, "runbooks.username_env"),
            token=secret(env, self.token_env, "runbooks.token_env") or "",
            space=self.space,
            cloud=self.cloud,
            verify_tls=self.verify_tls,
        )


class DatabricksConfig(Section):
    backend: Literal["databricks"]
    http_path: str
    token_env: str
    table: str = "oncall.incidents"

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from oncall.tools.query_history.databricks import DatabricksHistory

        return DatabricksHistory(
            self.remote("Databricks SQL", self.token_env),
            http_path=self.http_path,
            token=secret(env, self.token_env, "history.token_env") or "",
            table=self.table,
        )


class ArgoCDConfig(Section):
    backend: Literal["argocd"]
    token_env: str
    app: str = "{service}"  # application name for a service
    project: str | None = None

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from oncall.tools.read_changes.argocd import ArgoCDChanges

        return ArgoCDChanges(
            self.remote("ArgoCD", self.token_env),
            token=secret(env, self.token_env, "changes.token_env") or "",
            app=self.app,
            project=self.project,
            verify_tls=self.verify_tls,
        )


class GithubChangesConfig(Section):
    backend: Literal["github"]
    url: str = "https://api.github.com"
    repo: str  # the config repository, owner/name
    token_env: str
    environment: str | None = None  # deployments of this environment

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from oncall.tools.read_changes.github import GithubChanges

        ours = {n: s for n, s in catalog.services.items() if s.repo in (None, self.repo)}
        paths = {n: s.config_paths for n, s in ours.items() if s.config_paths}
        return GithubChanges(
            self.remote("GitHub", self.token_env),
            token=secret(env, self.token_env, "changes.token_env") or "",
            repo=self.repo,
            config_paths=paths,
            environment=self.environment,
        )


class GithubPrConfig(Section):
    backend: Literal["github"]
    url: str = "https://api.github.com"
    upstream: str
    fork: str
    token_env: str
    label: str = "oncall-copilot"
    max_changed_lines: int = Field(20, ge=1, le=200)

    def build(self, env: Mapping[str, str], catalog: Catalog) -> Any:
        from oncall.tools.open_pr import PrPolicy, PrRequests
        from oncall.tools.open_pr.github import GithubForks

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


Changes = Annotated[ArgoCDConfig | GithubChangesConfig, Field(discriminator="backend")]


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    catalog: Path | None = None  # relative to the file
    logs: OpenSearchConfig | None = None
    metrics: PrometheusConfig | None = None
    runbooks: ConfluenceConfig | None = None
    history: DatabricksConfig | None = None
    changes: Changes | None = None
    pull_requests: GithubPrConfig | None = None

    @classmethod
    def load(cls, path: Path) -> Config:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ConfigError(f"configuration file {path} not found") from None
        except yaml.YAMLError as e:
            raise ConfigError(f"{path}: not valid YAML: {str(e).splitlines()[0]}") from None
        try:
            config = cls.model_validate(raw)
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(map(str, x['loc'])) or 'file'}: {x['msg']}" for x in e.errors())
            raise ConfigError(f"{path} is invalid: {problems}") from None
        if config.catalog is not None and not config.catalog.is_absolute():
            config.catalog = path.parent / config.catalog
        return config

    def sections(self) -> dict[str, Section]:
        names = ("logs", "metrics", "runbooks", "history", "changes", "pull_requests")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def load_catalog(self, fallback: Catalog | None) -> Catalog:
        """The configured catalog (or the bundle's), with the configured PromQL signals over its own."""
        from oncall.core.errors import BundleError

        if self.catalog is not None:
            try:
                catalog = Catalog.load(self.catalog)
            except (BundleError, OSError) as e:
                raise ConfigError(f"catalog {self.catalog}: {e}") from None
        elif fallback is not None:
            catalog = fallback
        else:
            raise ConfigError("the configuration names no catalog file and no bundle was given")
        if self.metrics and self.metrics.signals:
            catalog = catalog.model_copy(update={"signals": {**catalog.signals, **self.metrics.signals}})
        return catalog

    def build(self, name: str, env: Mapping[str, str], catalog: Catalog) -> Any:
        """One section's backend. A backend that refuses its settings (a table name that is not a plain
        name, a fork that is the upstream) is a configuration error, named by its section."""
        from oncall.core.errors import ToolError

        try:
            return self.sections()[name].build(env, catalog)
        except ToolError as e:
            raise ConfigError(f"{name}: {e}") from None

    def backends(self, env: Mapping[str, str], catalog: Catalog, embedded: Backends | None) -> Backends:
        """Configured backends, the bundle's embedded ones for the rest."""
        built = {name: self.build(name, env, catalog) for name in self.sections() if name != "pull_requests"}
        missing = [n for n in ("logs", "metrics", "changes", "history", "runbooks") if n not in built]
        if missing and embedded is None:
            raise ConfigError(f"no backend configured for {', '.join(missing)} and no bundle given to fall back on")
        return Backends(
            logs=built.get("logs") or embedded.logs,  # type: ignore[union-attr]
            metrics=built.get("metrics") or embedded.metrics,  # type: ignore[union-attr]
            changes=built.get("changes") or embedded.changes,  # type: ignore[union-attr]
            history=built.get("history") or embedded.history,  # type: ignore[union-attr]
            runbooks=built.get("runbooks") or embedded.runbooks,  # type: ignore[union-attr]
        )


def check(config: Config, env: Mapping[str, str], catalog: Catalog) -> list[tuple[str, str, bool, str]]:
    """Connect to each configured backend: (section, backend, works, what it said)."""
    from oncall.core.errors import ToolError

    out = []
    for name, section in config.sections().items():
        kind = getattr(section, "backend", "?")
        try:
            built = config.build(name, env, catalog)
            target = built.backend if name == "pull_requests" else built
            said = target.check()
            out.append((name, kind, True, f"{section.url}: {said}"))
        except (ToolError, ConfigError) as e:
            out.append((name, kind, False, str(e)))
        except ImportError as e:
            hint = f"pip install 'oncall-copilot[{kind}]'"
            out.append((name, kind, False, f"the {kind} client is not installed ({e.name}): {hint}"))
    return out
