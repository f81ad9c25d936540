"""The configuration file: which backend answers each tool, and how to reach it.

One YAML file (`--config` or ONCALL_CONFIG) has a section per tool; a tool without
a section keeps the incident bundle's embedded backend. Secrets never live in the
file: a section names the environment variables that hold them (`token_env`, ...),
read once by the entry point that builds the backends."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from oncall.core.catalog import Catalog
from oncall.core.errors import ConfigError
from oncall.tools.backends import (
    Backends,
    ChangesSettings,
    ConfigSettings,
    HistorySettings,
    K8sSettings,
    LogsSettings,
    MetricsSettings,
    PullRequestsSettings,
    RunbooksSettings,
    TracesSettings,
)
from oncall.tools.remote import RemoteSettings


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    catalog: Path | None = None  # relative to the file
    logs: LogsSettings | None = None
    metrics: MetricsSettings | None = None
    runbooks: RunbooksSettings | None = None
    history: HistorySettings | None = None
    changes: ChangesSettings | None = None
    pull_requests: PullRequestsSettings | None = None
    k8s: K8sSettings | None = None
    traces: TracesSettings | None = None
    config: ConfigSettings | None = None

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

    def sections(self) -> dict[str, RemoteSettings]:
        names = ("logs", "metrics", "runbooks", "history", "changes", "pull_requests", "k8s", "traces", "config")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def load_catalog(self, fallback: Catalog | None) -> Catalog:
        """The configured catalog (or the bundle's), with the configured PromQL signals over its own."""
        from oncall.core.errors import BundleError
        from oncall.estate.bundle import load_catalog

        if self.catalog is not None:
            try:
                catalog = load_catalog(self.catalog)
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
            k8s=built.get("k8s") or (embedded.k8s if embedded else None),
            traces=built.get("traces") or (embedded.traces if embedded else None),
            config=built.get("config") or (embedded.config if embedded else None),
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
            if name == "metrics" and hasattr(target, "invalid_templates"):
                signals = config.load_catalog(catalog).signals  # the catalog's, with the file's over them
                bad = target.invalid_templates(signals, next(iter(catalog.services), "service"))
                if bad:
                    out.append((name, kind, False, f"{section.url}: {'; '.join(bad)}"))
                    continue
                said += f"; {len(signals)} signal templates evaluate"
            out.append((name, kind, True, f"{section.url}: {said}"))
        except (ToolError, ConfigError) as e:
            out.append((name, kind, False, str(e)))
        except ImportError as e:
            hint = f"pip install 'oncall-copilot[{kind}]'"
            out.append((name, kind, False, f"the {kind} client is not installed ({e.name}): {hint}"))
        except Exception as e:  # a client's own error (unreachable, refused): a FAIL line, never a traceback
            out.append((name, kind, False, f"{section.url}: {type(e).__name__}: {str(e)[:200]}"))
    return out
